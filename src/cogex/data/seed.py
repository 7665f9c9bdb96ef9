"""The shipped CoGEX seed training set and its contamination check against evaluation data."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Sequence


def seed_dir() -> Path:
    """Folder of the shipped seed set (``src/cogex/resources/seed/*.jsonl``)."""
    return Path(str(resources.files("cogex") / "resources" / "seed"))


def load_seed_records(folder: Path | None = None) -> list[dict[str, Any]]:
    """Every record of the seed set, in file then line order."""
    rows: list[dict[str, Any]] = []
    for path in sorted((folder or seed_dir()).glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            rows.extend(json.loads(line) for line in handle if line.strip())
    return rows


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def _ngrams(words: Sequence[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


@dataclass(frozen=True)
class Overlap:
    """A seed record that shares text with an evaluation item."""

    seed_id: str
    eval_file: str
    eval_row: int
    reason: str
    eval_text: str


def seed_text(record: dict[str, Any]) -> str:
    return " ".join(str(record.get(k, "")) for k in ("instruction", "input", "code_prompt", "code_output", "output"))


def find_overlaps(
    seed: Iterable[dict[str, Any]],
    eval_files: Iterable[Path],
    *,
    ngram: int = 8,
    jaccard: float = 0.8,
    min_words: int = 4,
) -> list[Overlap]:
    """Seed records that contain an evaluation input (normalised), share a run of ``ngram`` words
    with one, or (for short evaluation inputs) a word set with Jaccard similarity >= ``jaccard``
    (a close paraphrase). Instruction templates shared by every item of a task, such as
    "Sort the following words alphabetically: List:", are not evidence of copying and are removed
    from evaluation inputs first."""
    seeds = [(str(r.get("id")), _words(seed_text(r))) for r in seed]
    seed_grams = {sid: _ngrams(words, ngram) for sid, words in seeds}
    seed_sets = {sid: set(words) for sid, words in seeds}
    seed_joined = {sid: " ".join(words) for sid, words in seeds}
    found: list[Overlap] = []
    for path in eval_files:
        lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        inputs = [_strip_template(str(r.get("input", ""))) for r in lines]
        for row, text in enumerate(inputs):
            words = _words(text)
            if len(words) < min_words:
                continue
            joined, grams, bag = " ".join(words), _ngrams(words, ngram), set(words)
            for sid in seed_grams:
                reason = ""
                if joined in seed_joined[sid]:
                    reason = "contains the evaluation input"
                elif grams & seed_grams[sid]:
                    reason = f"shares {ngram} consecutive words"
                elif len(words) <= 25 and len(bag & seed_sets[sid]) / len(bag) >= jaccard and _best_window_jaccard(words, seeds, sid) >= jaccard:
                    reason = "close paraphrase (word overlap)"
                if reason:
                    found.append(Overlap(sid, path.name if path.parent is None else f"{path.parent.name}/{path.name}", row, reason, text[:200]))
    return found


_TEMPLATES = (
    re.compile(r"^Sort the following words alphabetically: List:\s*", re.I),
    re.compile(r"Note that \"flip\" here means \"reverse\"\.?", re.I),
    re.compile(r"\n?Answer Choices:.*$", re.S),
)


def _strip_template(text: str) -> str:
    for pattern in _TEMPLATES:
        text = pattern.sub(" ", text)
    return text.strip()


def _best_window_jaccard(words: Sequence[str], seeds: Sequence[tuple[str, list[str]]], sid: str) -> float:
    """Jaccard similarity of the evaluation words with the best same-length window of the seed."""
    seed_words = next(w for s, w in seeds if s == sid)
    target, size, best = set(words), len(words), 0.0
    for start in range(0, max(1, len(seed_words) - size + 1)):
        window = set(seed_words[start : start + size + 2])
        best = max(best, len(target & window) / len(target | window))
    return best
