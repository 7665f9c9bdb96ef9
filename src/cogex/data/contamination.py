"""Leave-task-out check: training records that carry an evaluation task's instruction or input
template, or a close paraphrase of either.

:func:`task_profile` summarises a task from its instruction and a sample of its inputs (the
*template* is the word 4-grams that recur in at least half of the inputs, such as
"Sort the following words alphabetically: List:" or "Is the coin still heads up?").
:func:`find_task_overlaps` flags a record whose instruction is a close paraphrase of the task's
instruction, or whose instruction + input contains a large part of the task's template.
Works on any task and any records in the CoGEX schema (``instruction``, ``input``)::

    profile = task_profile("my_task", "Classify the ticket.", [row["input"] for row in rows])
    flagged = find_task_overlaps(records, [profile])

Item-level copies (an evaluation input inside a record) are :func:`cogex.data.seed.find_overlaps`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from .seed import _ngrams, _words

__all__ = ["TaskOverlap", "TaskProfile", "find_task_overlaps", "task_profile"]

#: Words that say nothing about which task an instruction describes.
_STOPWORDS = frozenset(
    """a an the of to in on for and or is are be this that these those it its with as by from at
    into your you following given each one only then than which what whether please answer return
    write give provide using use based below above text input output sentence word words string
    list item items single separated exactly work out decide determine tell find say state give
    figure identify""".split()
)


def _content(text: str) -> set[str]:
    return {w for w in _words(text) if w not in _STOPWORDS and len(w) > 1}


@dataclass(frozen=True)
class TaskProfile:
    """What identifies a task: its instruction's content words and its input template."""

    name: str
    instruction: str
    instruction_words: frozenset[str]
    template: frozenset[tuple[str, ...]]  # word n-grams shared by most inputs


@dataclass(frozen=True)
class TaskOverlap:
    """A record that carries a task's instruction or template."""

    record_id: str
    task: str
    reason: str
    score: float


def task_profile(name: str, instruction: str, inputs: Iterable[str], *, ngram: int = 4,
                 min_share: float = 0.5, max_inputs: int = 400) -> TaskProfile:
    """Profile a task from its instruction and (a sample of) its inputs."""
    sample = [str(text) for _, text in zip(range(max_inputs), inputs)]
    counts: Counter[tuple[str, ...]] = Counter()
    for text in sample:
        counts.update(_ngrams(_words(text), ngram))
    needed = max(2, int(min_share * len(sample) + 0.999)) if sample else 0
    template = frozenset(g for g, c in counts.items() if sample and c >= needed)
    return TaskProfile(name, instruction, frozenset(_content(instruction)), template)


def _instruction_similarity(a: frozenset[str] | set[str], b: frozenset[str] | set[str]) -> tuple[float, int]:
    """Overlap coefficient |A & B| / min(|A|, |B|) and the size of the intersection."""
    if not a or not b:
        return 0.0, 0
    shared = len(a & b)
    return shared / min(len(a), len(b)), shared


def find_task_overlaps(
    records: Iterable[Mapping[str, Any]],
    profiles: Iterable[TaskProfile],
    *,
    instruction_threshold: float = 0.75,
    min_shared_words: int = 3,
    template_threshold: float = 0.3,
    min_template_hits: int = 2,
) -> list[TaskOverlap]:
    """Records whose instruction paraphrases a task's (overlap coefficient of content words
    >= ``instruction_threshold`` with at least ``min_shared_words`` shared, or equal word sets),
    or whose instruction + input holds >= ``template_threshold`` of the task's template n-grams
    (and at least ``min_template_hits``)."""
    profiles = list(profiles)
    found: list[TaskOverlap] = []
    for record in records:
        rid = str(record.get("id", ""))
        instruction = str(record.get("instruction", ""))
        words = _content(instruction)
        text_words = _words(f"{instruction} {record.get('input', '')}")
        for profile in profiles:
            sim, shared = _instruction_similarity(words, profile.instruction_words)
            if (sim >= instruction_threshold and shared >= min_shared_words) or (words and words == profile.instruction_words):
                found.append(TaskOverlap(rid, profile.name, "paraphrases the task instruction", round(sim, 3)))
                continue
            if profile.template:
                n = len(next(iter(profile.template)))
                hits = len(_ngrams(text_words, n) & profile.template)
                share = hits / len(profile.template)
                if hits >= min_template_hits and share >= template_threshold:
                    found.append(TaskOverlap(rid, profile.name, "carries the task's input template", round(share, 3)))
    return found
