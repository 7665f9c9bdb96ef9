"""Core task types: :class:`Example`, :class:`Task`, data-directory resolution and split helpers."""

from __future__ import annotations

import json
import os
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from . import normalize as N

__all__ = [
    "AnswerFormat",
    "Split",
    "SPLITS",
    "Example",
    "Task",
    "TaskDataNotFoundError",
    "DATA_DIR_ENV",
    "candidate_data_dirs",
    "resolve_data_dir",
    "read_jsonl",
    "carve",
    "subset",
]

AnswerFormat = Literal["label", "letter", "number", "text"]
Split = Literal["search", "test"]
SPLITS: tuple[str, ...] = ("search", "test")
DATA_DIR_ENV = "COGEX_DATA_DIR"

#: CoTACS never sees more than this many search items.
MAX_SEARCH_ITEMS = 1000


class TaskDataNotFoundError(FileNotFoundError):
    """Benchmark data is missing locally and could not be fetched from the Hugging Face Hub."""


@dataclass(frozen=True)
class Example:
    """One task item.

    ``id`` is stable across runs: ``"<task>/<source split>/<0-based row in that source>"``.
    ``meta`` keeps the original record's fields (minus ``input``/``target``).
    """

    id: str
    input: str
    target: str
    meta: dict[str, Any] = field(default_factory=dict, hash=False)


Normalizer = Callable[[Any, "Example | None"], str]
Loader = Callable[[str], Sequence[Example]]


@dataclass(frozen=True)
class Task:
    """A benchmark task: instruction, answer format, normaliser and a search/test split loader.

    ``loader(split)`` returns the full split; :meth:`examples` takes deterministic subsets.
    ``normalizer(answer, example)`` overrides the default normaliser for ``answer_format``.
    """

    name: str
    instruction: str
    answer_format: AnswerFormat
    labels: tuple[str, ...] | None
    search_note: str
    loader: Loader = field(repr=False, compare=False)
    normalizer: Normalizer | None = field(default=None, repr=False, compare=False)
    description: str = ""
    _cache: dict[str, tuple[Example, ...]] = field(default_factory=dict, init=False, repr=False, compare=False)

    # ---- normalisation / scoring ------------------------------------------------------

    def normalize(self, answer: Any, example: Example | None = None) -> str:
        """Model answer (any Python literal) -> canonical string. Never raises.

        *example* is used by multiple-choice tasks to match an answer given as option text.
        """
        try:
            if self.normalizer is not None:
                return self.normalizer(answer, example)
            return default_normalize(self.answer_format, self.labels, answer, example)
        except Exception:  # noqa: BLE001 - normalisation must never raise
            return N.clean_text(N.to_text(answer)).lower()

    def is_correct(self, prediction: Any, target: str, example: Example | None = None) -> bool:
        """Exact match after normalising both sides; an empty normalised prediction is never correct."""
        pred = self.normalize(prediction, example)
        return bool(pred) and pred == self.normalize(target, example)

    # ---- data -------------------------------------------------------------------------

    def all_examples(self, split: Split) -> tuple[Example, ...]:
        """The full split (cached after the first load)."""
        if split not in SPLITS:
            raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
        if split not in self._cache:
            self._cache[split] = tuple(self.loader(split))
        return self._cache[split]

    def examples(self, split: Split, *, limit: int | None = None, seed: int = 0) -> list[Example]:
        """Items of *split* ("search" = usable by CoTACS, "test" = reported).

        ``limit`` takes a deterministic subset: the first *limit* indices of a
        ``random.Random(seed)`` permutation, returned in the split's original order. Subsets
        for the same seed are nested (limit=50 is contained in limit=100).
        """
        return subset(self.all_examples(split), limit=limit, seed=seed)


def default_normalize(
    answer_format: str, labels: Sequence[str] | None, answer: Any, example: Example | None = None
) -> str:
    """Format-driven normaliser used when a task has no custom one."""
    if answer_format == "number":
        return N.normalize_number(answer)
    if answer_format == "letter":
        letters = labels or ("A", "B", "C", "D", "E")
        return N.normalize_letter(answer, letters, N.choices_from_example(example))
    if answer_format == "label" and labels:
        return N.normalize_label(answer, labels)
    return N.normalize_text(answer)


# ---- data directory -------------------------------------------------------------------


def candidate_data_dirs(explicit: Path | str | None = None) -> list[tuple[str, Path]]:
    """Where data is looked for, in order, each with a description of where it came from.

    An explicit argument or ``$COGEX_DATA_DIR`` is authoritative (no fallback). Otherwise:
    ``../shared/data`` relative to the current directory, then relative to the repository
    checkout that holds this package (``src/cogex/../../../shared/data``).
    """
    if explicit is not None:
        return [("data_dir argument", Path(explicit).expanduser())]
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return [(f"${DATA_DIR_ENV}", Path(env).expanduser())]
    package_dir = Path(__file__).resolve().parent.parent  # src/cogex
    return [
        ("../shared/data from the current directory", (Path.cwd() / ".." / "shared" / "data").resolve()),
        ("../shared/data beside the repository checkout", (package_dir / ".." / ".." / ".." / "shared" / "data").resolve()),
    ]


def resolve_data_dir(explicit: Path | str | None = None) -> Path | None:
    """The benchmark data directory (first existing candidate), or ``None``."""
    for _, path in candidate_data_dirs(explicit):
        if path.is_dir():
            return path
    return None


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Read a JSON-lines file (blank lines skipped)."""
    rows: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path}:{lineno}: invalid JSON ({exc.msg})") from exc
    return rows


# ---- split helpers ----------------------------------------------------------------------


def carve(items: Sequence[Example], fraction: float, seed: int = 0) -> tuple[list[Example], list[Example]]:
    """Split *items* into disjoint (search, test) parts.

    Items are grouped by input text (duplicates always land on the same side, so the parts
    are disjoint by input), the groups are shuffled with ``random.Random(seed)``, and the
    first ``round(fraction * n_groups)`` groups form the search part. Both parts keep the
    original order.
    """
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"fraction must be in [0, 1], got {fraction}")
    groups: dict[str, int] = {}
    for ex in items:
        groups.setdefault(ex.input, len(groups))
    order = list(range(len(groups)))
    random.Random(seed).shuffle(order)
    search_groups = set(order[: round(fraction * len(groups))])
    search = [ex for ex in items if groups[ex.input] in search_groups]
    test = [ex for ex in items if groups[ex.input] not in search_groups]
    return search, test


def subset(items: Sequence[Example], *, limit: int | None = None, seed: int = 0) -> list[Example]:
    """Deterministic subset of at most *limit* items (nested across limits), original order."""
    if limit is None or limit >= len(items):
        return list(items)
    if limit < 0:
        raise ValueError(f"limit must be >= 0, got {limit}")
    order = list(range(len(items)))
    random.Random(seed).shuffle(order)
    return [items[i] for i in sorted(order[:limit])]


def sample_indices(n: int, k: int = MAX_SEARCH_ITEMS, seed: int = 0) -> list[int]:
    """Row indices kept when a split of *n* rows is capped at *k* (the data README's rule).

    ``sorted(random.Random(seed).sample(range(n), k))``, or all rows when ``n <= k``.
    """
    if n <= k:
        return list(range(n))
    return sorted(random.Random(seed).sample(range(n), k))
