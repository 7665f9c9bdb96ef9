"""Build the leave-task-out training set and the withheld-family tasks (held-out and dev).

``build_training_set`` = the hand-written seed records minus (1) every record the
leave-task-out checker (:mod:`cogex.data.contamination`) flags against the nine paper tasks and
the withheld families, and (2) records of the same task *kind* as a paper task or a withheld family
(:data:`EXCLUDED_KINDS`, patterns over instruction + input), plus the executed instances of every
training family. ``write_family_tasks`` writes each withheld family as a JSONL file + task YAML:
the held-out families under ``tasks/heldout`` (the generalisation measurement), the dev families
under ``tasks/dev`` (what search and prompting choices are tuned on).
Run it with ``python scripts/build_data.py`` (deterministic; rewrites the shipped files).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from .contamination import TaskProfile, find_task_overlaps, task_profile
from .families import Family, dev_families, heldout_families, training_families
from .families.build import build_records, draw, execute

#: Task kinds kept out of training: the same task as a paper task, or a held-out family's kind.
#: Each pattern is searched (case-insensitive) in a record's instruction + input.
EXCLUDED_KINDS: dict[str, str] = {
    "sst2 (sentiment)": r"\bsentiment\b|\bpositive or negative\b|\bnegative or positive\b",
    "cola (grammatical acceptability)": r"grammatical|acceptab|ungrammatical",
    "emotion (emotion classes)": r"\bemotion|\bjoy\b.*\bsadness\b|\bfeeling expressed\b",
    "commonsense_qa / social_iqa (multiple choice)": r"answer choices|\(a\).*\(b\)|letter of the (best|correct)|multiple[- ]choice",
    "word_sorting (alphabetical order)": r"alphabeti",
    "coin_flip (toggle tracking)": r"\bcoins? (is|are|lands?|was|shows?|starts?)\b|\bflip|heads up|face (up|down)|turns it over|\bswitch\b|\btoggle",
    "sum (adding two numbers)": r"^(add the two|add \d[\d,]* and \d|compute the sum of the (following )?two|what is the sum of (these|the) (two )?numbers|find the total of the two)",
    "roman_to_integer": r"\broman\b",
    "caesar_decode": r"caesar|cipher|shift(ing|ed)? (each|every)? ?letter",
    "balanced_brackets": r"bracket|parenthes[ie]s.*balanc",
    "swap_tracking": r"\bswapped\b|\bswaps\b|\b(and|with) \w+ (swap|exchange)|\b(swap|exchange) (balls|places|positions|items|gifts|their)|\btrade(s|d)?\b",
    "animal_class": r"mammal|reptile|amphibian",
    "country_continent": r"\bcontinents?\b(?!')",
    "weekday_offset": r"day of the week|weekday",
    "reverse_words": r"\brevers",
    "better_deal": r"better deal|better value|cheaper per|(price|cost) per (item|unit)|which is cheaper",
    "verb_tense": r"\btense\b",
    # dev families (kept out of training like the held-out ones; tuned on, never reported as the result)
    "ordinal_suffix": r"\bordinal\b",
    "zodiac_sign": r"zodiac|star sign|horoscope|astrolog",
    "isbn10_valid": r"\bisbn",
    "scrabble_score": r"scrabble",
    "animal_sound": r"\bsound (does|do|that) (an?|the|this|these)\b.*\bmake|\banimal sounds?\b",
    "color_mixing": r"\bmix(es|ing|ed)?\b.*\b(paints?|colou?rs?)\b|\b(paints?|colou?rs?)\b.*\bmix",
}


@dataclass
class BuildReport:
    """What the build kept, removed and generated (written to resources/seed/build_report.json)."""

    handwritten_before: int = 0
    handwritten_kept: int = 0
    removed: list[dict[str, str]] = field(default_factory=list)
    generated: int = 0
    families_in: list[str] = field(default_factory=list)
    families_out: list[str] = field(default_factory=list)
    families_dev: list[str] = field(default_factory=list)
    categories: int = 0
    total: int = 0
    data_hash: str = ""

    def to_json(self) -> dict[str, Any]:
        by_reason = Counter(r["reason"] for r in self.removed)
        return {
            "handwritten_before": self.handwritten_before,
            "handwritten_kept": self.handwritten_kept,
            "removed_count": len(self.removed),
            "removed_by_reason": dict(sorted(by_reason.items())),
            "removed": self.removed,
            "generated": self.generated,
            "families_in": self.families_in,
            "families_out": self.families_out,
            "families_dev": self.families_dev,
            "task_families_total": self.categories,
            "total_instances": self.total,
            "data_hash": self.data_hash,
        }


def excluded_kind(record: Mapping[str, Any]) -> str | None:
    """The excluded kind a record belongs to (see :data:`EXCLUDED_KINDS`), or None."""
    text = f"{record.get('instruction', '')}\n{record.get('input', '')}"
    for kind, pattern in EXCLUDED_KINDS.items():
        if re.search(pattern, text, re.I | re.M):
            return kind
    return None


def withheld_families() -> list[Family]:
    """Every family kept out of training: the held-out families, then the dev families."""
    return heldout_families() + dev_families()


def withheld_profiles(families: Iterable[Family] | None = None, *, items: int = 200) -> list[TaskProfile]:
    """Checker profiles of the withheld (held-out and dev) families: instruction + sampled inputs."""
    profiles = []
    for family in families if families is not None else withheld_families():
        inputs = [d.example.input for d in draw(family, items)]
        profiles.append(task_profile(family.name, family.instructions[0], inputs))
    return profiles


def paper_task_profiles() -> list[TaskProfile]:
    """Checker profiles of the nine paper tasks (inputs from the data directory when present)."""
    from cogex.tasks import get_task, list_tasks

    profiles = []
    for name in list_tasks():
        task = get_task(name)
        inputs: list[str] = []
        for split in ("search", "test"):
            try:
                inputs += [e.input for e in task.all_examples(split)]  # type: ignore[arg-type]
            except (FileNotFoundError, OSError, ValueError):
                pass
        profiles.append(task_profile(name, task.instruction, inputs))
    return profiles


def filter_records(records: list[dict[str, Any]], profiles: list[TaskProfile]) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """(kept, removed with reasons): checker flags first, then excluded kinds."""
    flagged = {}
    for overlap in find_task_overlaps(records, profiles):
        flagged.setdefault(overlap.record_id, f"checker: {overlap.reason} ({overlap.task})")
    kept, removed = [], []
    for record in records:
        reason = flagged.get(str(record["id"]))
        if reason is None:
            kind = excluded_kind(record)
            reason = f"kind: {kind}" if kind else None
        if reason is None:
            kept.append(record)
        else:
            removed.append({"id": str(record["id"]), "category": str(record.get("category", "")), "reason": reason,
                            "instruction": str(record.get("instruction", ""))[:100]})
    return kept, removed


def records_hash(records: Iterable[Mapping[str, Any]]) -> str:
    digest = hashlib.sha256()
    for record in records:
        digest.update(json.dumps(record, sort_keys=True, ensure_ascii=False).encode())
    return digest.hexdigest()


def build_training_set(handwritten: list[dict[str, Any]], *, per_family: int = 20, seed: int = 0,
                       profiles: list[TaskProfile] | None = None) -> tuple[list[dict[str, Any]], list[dict[str, str]], BuildReport]:
    """(kept hand-written records, generated records, report)."""
    families = training_families()
    profiles = profiles if profiles is not None else paper_task_profiles() + withheld_profiles()
    kept, removed = filter_records(handwritten, profiles)
    generated = build_records(families, per_family, seed=seed)
    generated_kept, generated_removed = filter_records(generated, profiles)
    if generated_removed:  # a generator family writes a held-out kind: refuse rather than drop silently
        raise ValueError(f"generated records hit the leave-out rules: {generated_removed[:3]}")
    everything = kept + generated_kept
    report = BuildReport(
        handwritten_before=len(handwritten),
        handwritten_kept=len(kept),
        removed=removed,
        generated=len(generated_kept),
        families_in=[f.name for f in families],
        families_out=[f.name for f in heldout_families()],
        families_dev=[f.name for f in dev_families()],
        categories=len({r["category"] for r in everything}),
        total=len(everything),
        data_hash=records_hash(everything),
    )
    return kept, generated_kept, report


def heldout_rows(family: Family, count: int = 300, seed: int = 0) -> list[dict[str, str]]:
    """``count`` evaluation items of a withheld family: input and gold target (by execution)."""
    done = execute(draw(family, count, seed=seed))
    return [{"input": item.example.input, "target": str(output["answer"])} for item, output in done]


#: What each role's task description says about its use.
_ROLE_NOTES = {
    "heldout": "Held-out family {name} ({kind}); {n} generated items, targets by executing the family's "
               "reference program. Never in training.",
    "dev": "Dev family {name} ({kind}); {n} generated items, targets by executing the family's reference "
           "program. Never in training; for tuning search and prompting, not for reporting.",
}


def write_family_tasks(folder: Path, families: Iterable[Family], *, role: str = "heldout", count: int = 300,
                       search_fraction: float = 1 / 3, seed: int = 0) -> list[Path]:
    """One ``<name>.jsonl`` + ``<name>.yaml`` per family under ``folder`` (``role``: heldout or dev)."""
    import yaml

    note = _ROLE_NOTES[role]
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for family in families:
        rows = heldout_rows(family, count, seed)
        data = folder / f"{family.name}.jsonl"
        data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        config: dict[str, Any] = {
            "name": family.name,
            "family": family.name,
            "source": data.name,
            "input_column": "input",
            "target_column": "target",
            "instruction": family.instructions[0],
            "answer_format": family.answer_format,
            "search_fraction": round(search_fraction, 4),
            "description": note.format(name=family.name, kind=family.kind, n=len(rows)),
        }
        if family.labels:
            config["labels"] = list(family.labels)
        path = folder / f"{family.name}.yaml"
        path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True, width=100), encoding="utf-8")
        written.append(path)
    return written
