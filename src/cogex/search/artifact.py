"""The product of a search: :class:`Program`, saved as ``program.json`` and read back by every
command (``apply``, ``eval``, ``search``'s summary) through :meth:`Program.load`.

A file written by hand needs only ``instruction`` and ``programs`` (each a ``program`` string, an
optional ``binding``); everything else has a default. A file with another ``format`` tag is
refused with a message, never half-read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Sequence

from cogex.execute.binding import BINDINGS, MODEL_BINDING
from cogex.files import write_json_atomic

PROGRAM_FILE = "program.json"
#: Version tag of program.json; :meth:`Program.load` refuses any other.
PROGRAM_FORMAT = "cogex.program/1"


@dataclass(frozen=True)
class ChosenProgram:
    """One kept program: its code, the input binding it was ranked with, and its scores."""

    program: str
    binding: str = MODEL_BINDING
    rank_score: float | None = None
    train_score: float | None = None
    source_item: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"program": self.program, "binding": self.binding, "rank_score": self.rank_score,
                "train_score": self.train_score, "source_item": self.source_item}


@dataclass(frozen=True)
class RankPrediction:
    """What the kept programs answered on one ranking item."""

    id: str
    target: str
    answers: list[Any]
    paths: list[str]
    prediction: Any
    correct: bool

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "target": self.target, "answers": self.answers, "paths": self.paths,
                "prediction": self.prediction, "correct": self.correct}


@dataclass
class Program:
    """A CoTACS artifact: the instruction, the top-k programs, and how they were found."""

    instruction: str
    programs: list[ChosenProgram]
    task: str = "program"
    k: int = 1
    rank_accuracy: float | None = None
    model: dict[str, Any] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    seed: int = 0
    search_note: str = ""
    items: dict[str, list[str]] = field(default_factory=dict)
    n_candidates: int = 0
    n_distinct_valid: int = 0
    n_ranked: int = 0
    candidates: list[dict[str, Any]] = field(default_factory=list)
    predictions: list[RankPrediction] = field(default_factory=list)
    calls: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    #: Where a user task's data came from (file, columns, split), so ``apply`` can rebuild it.
    task_source: dict[str, Any] | None = None

    # ---- what readers need ---------------------------------------------------------------
    @property
    def executor(self) -> str:
        """The executor the programs were ranked with (``emulate`` for a hand-written file)."""
        return str(self.settings.get("executor", "emulate"))

    @property
    def model_identity(self) -> str | None:
        identity = self.model.get("identity")
        return identity if isinstance(identity, str) else None

    @property
    def rank_item_ids(self) -> list[str]:
        return list(self.items.get("rank", []))

    def apply(self, backend: Any, inputs: Sequence[str], *, executor: str | None = None) -> list[Any]:
        """The artifact's answer for every input (None where its program failed); several
        programs vote. ``backend`` is the model that emulates (or answers helpers)."""
        from cogex.search.apply import apply_program, scoring_task
        from cogex.tasks import Example

        items = [Example(id=f"input/{i}", input=str(text), target="") for i, text in enumerate(inputs)]
        result = apply_program(backend, self, items, scoring_task(self), executor=executor)
        return [row["prediction"] for row in result["predictions"]]

    def top(self, k: int) -> "Program":
        """The same artifact keeping only its ``k`` best programs."""
        return replace(self, programs=self.programs[:k])

    # ---- JSON ----------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        record: dict[str, Any] = {
            "format": PROGRAM_FORMAT,
            "task": self.task,
            "instruction": self.instruction,
            "k": self.k,
            "programs": [p.to_json() for p in self.programs],
            "rank_accuracy": self.rank_accuracy,
            "model": self.model,
            "settings": self.settings,
            "seed": self.seed,
            "search_note": self.search_note,
            "items": self.items,
            "n_candidates": self.n_candidates,
            "n_distinct_valid": self.n_distinct_valid,
            "n_ranked": self.n_ranked,
            "candidates": self.candidates,
            "predictions": [p.to_json() for p in self.predictions],
            "calls": self.calls,
            "seconds": self.seconds,
        }
        if self.task_source is not None:
            record["task_source"] = self.task_source
        return record

    @classmethod
    def from_json(cls, record: Any, where: str = "program record") -> "Program":
        """The artifact in ``record``, or a ValueError naming ``where`` and what is wrong."""
        bad = f"{where} is not a cogex program file"
        if not isinstance(record, dict):
            raise ValueError(f"{bad}: expected a JSON object, got {type(record).__name__}")
        if "format" in record and record["format"] != PROGRAM_FORMAT:
            raise ValueError(f"{where} has format {record['format']!r}; this cogex reads {PROGRAM_FORMAT!r} "
                             "(written by another cogex version?)")
        if not isinstance(record.get("instruction"), str) or not record["instruction"].strip():
            raise ValueError(f"{bad}: 'instruction' must be a non-empty string")
        programs = record.get("programs")
        if not isinstance(programs, list):
            raise ValueError(f"{bad}: needs a 'programs' list")
        chosen = [_chosen(entry, i, bad) for i, entry in enumerate(programs)]
        for key, kind in (("settings", dict), ("model", dict), ("items", dict), ("calls", dict),
                          ("candidates", list), ("predictions", list)):
            if key in record and not isinstance(record[key], kind):
                raise ValueError(f"{bad}: {key!r} must be a JSON {'object' if kind is dict else 'list'}")
        for key in ("seed", "k", "n_candidates", "n_distinct_valid", "n_ranked"):
            value = record.get(key, 0)
            if not isinstance(value, int) or isinstance(value, bool):
                raise ValueError(f"{bad}: {key!r} must be an integer")
        for key in ("task", "search_note"):
            if key in record and not isinstance(record[key], str):
                raise ValueError(f"{bad}: {key!r} must be a string")
        source = record.get("task_source")
        if source is not None and not isinstance(source, dict):
            raise ValueError(f"{bad}: 'task_source' must be an object")
        known = {f.name for f in fields(cls)} - {"programs", "predictions"}
        values = {k: v for k, v in record.items() if k in known}
        return cls(programs=chosen, predictions=[_prediction(p, i, bad) for i, p in enumerate(record.get("predictions", []))],
                   **values)

    def save(self, path: str | Path) -> Path:
        """Write atomically to ``path`` (a file, or a directory that gets ``program.json``)."""
        target = Path(path)
        if target.is_dir():
            target = target / PROGRAM_FILE
        target.parent.mkdir(parents=True, exist_ok=True)
        write_json_atomic(target, self.to_json())
        return target

    @classmethod
    def load(cls, path: str | Path) -> "Program":
        """Read a ``program.json`` (or the run directory holding one). Raises FileNotFoundError
        or ValueError with a one-line message naming the file and what is wrong with it."""
        path = Path(path)
        if path.is_dir():
            if not (path / PROGRAM_FILE).is_file():
                raise FileNotFoundError(f"{path} is a directory without a {PROGRAM_FILE} (is it a cogex search run directory?)")
            path = path / PROGRAM_FILE
        if not path.is_file():
            raise FileNotFoundError(f"program file not found: {path}")
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValueError(f"{path} is not UTF-8 text (invalid byte at offset {exc.start})") from None
        except PermissionError:
            raise ValueError(f"cannot read {path}: permission denied") from None
        try:
            record = json.loads(text)
        except json.JSONDecodeError as exc:
            hint = " (truncated?)" if exc.pos >= len(text.rstrip()) else ""
            raise ValueError(f"{path} is not valid JSON{hint}: line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
        return cls.from_json(record, str(path))


def _chosen(entry: Any, i: int, bad: str) -> ChosenProgram:
    if not isinstance(entry, dict):
        raise ValueError(f"{bad}: programs[{i}] must be an object with a 'program' string, got {type(entry).__name__}")
    if not isinstance(entry.get("program"), str) or not entry["program"].strip():
        raise ValueError(f"{bad}: programs[{i}]['program'] must be a non-empty string of Python code")
    binding = entry.get("binding", MODEL_BINDING)
    if binding not in BINDINGS:
        raise ValueError(f"{bad}: programs[{i}]['binding'] is {binding!r}; choose from {', '.join(BINDINGS)}")
    scores = {}
    for key in ("rank_score", "train_score"):
        value = entry.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise ValueError(f"{bad}: programs[{i}][{key!r}] must be a number or null")
        scores[key] = value
    return ChosenProgram(program=entry["program"], binding=binding, source_item=str(entry.get("source_item", "")), **scores)


def _prediction(row: Any, i: int, bad: str) -> RankPrediction:
    if not isinstance(row, dict) or not isinstance(row.get("id"), str):
        raise ValueError(f"{bad}: predictions[{i}] must be an object with an 'id' string")
    return RankPrediction(id=row["id"], target=str(row.get("target", "")), answers=list(row.get("answers", [])),
                          paths=[str(p) for p in row.get("paths", [])], prediction=row.get("prediction"),
                          correct=bool(row.get("correct", False)))

