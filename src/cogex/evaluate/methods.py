"""The evaluation methods, registered by name in :data:`METHODS`.

A method answers a task's test items and returns a :class:`Cell` with its per-item rows. What it
needs is declared, not decoded from its name: ``model`` says which backend runs it (``none``,
``base`` = the instruction-tuned model, ``cogex`` = the CoGEX model) and a CoTACS method names its
executor and k.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any, Callable, Literal, Sequence

from cogex import format as fmt
from cogex.evaluate import baselines
from cogex.generate.modes import REASONER_CONFIG, reason
from cogex.models.backend import Backend
from cogex.search.apply import apply_program
from cogex.search.artifact import PROGRAM_FILE, Program
from cogex.search.cotacs import SearchSettings, run_search
from cogex.tasks import Example, Task
from cogex.tasks.metrics import correctness

Progress = Callable[[str, int, int], None]
ModelRole = Literal["none", "base", "cogex"]


@dataclass
class Cell:
    """The result of one method on one task."""

    task: str
    method: str
    accuracy: float
    n: int
    failures: int
    paths: dict[str, int]
    model: str = ""  # identity of the model that produced the cell (with its adapter)
    search: dict[str, Any] | None = None  # the search settings behind a CoTACS cell
    items: str = ""  # digest of the test item ids the cell was scored on

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Cell":
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


Rows = list[dict[str, Any]]


@dataclass(frozen=True)
class MethodContext:
    """What a method may use besides the items: its backend, the eval's search settings and
    seed, the task's folder (a CoTACS search is saved and reused there) and a progress callback."""

    backend: Backend | None
    search: SearchSettings
    seed: int
    task_dir: Path
    progress: Progress


@dataclass(frozen=True)
class Method:
    """One evaluation method; subclasses implement :meth:`run`."""

    name: str
    model: ModelRole
    description: str

    def search_settings(self, search: SearchSettings, seed: int) -> SearchSettings | None:
        """The search behind this method's cells (None: it runs no search)."""
        return None

    def run(self, task: Task, items: Sequence[Example], ctx: MethodContext) -> tuple[Cell, Rows]:
        raise NotImplementedError

    def _backend(self, ctx: MethodContext) -> Backend:
        if ctx.backend is None:
            raise ValueError(f"method {self.name!r} needs a model backend")
        return ctx.backend


@dataclass(frozen=True)
class Majority(Method):
    """The most frequent target of the search items, for every item (the label prior)."""

    def run(self, task: Task, items: Sequence[Example], ctx: MethodContext) -> tuple[Cell, Rows]:
        answers = baselines.majority(task, items, task.examples("search", seed=ctx.seed))
        return direct_cell(task, self.name, items, answers, "constant")


@dataclass(frozen=True)
class Direct(Method):
    """A prompting baseline on the base model: answers come back as text."""

    answer: Callable[[Backend, Task, Sequence[Example], Sequence[Example]], list[str]] = lambda b, t, i, p: []
    needs_pool: bool = False

    def run(self, task: Task, items: Sequence[Example], ctx: MethodContext) -> tuple[Cell, Rows]:
        pool = task.examples("search", seed=ctx.seed) if self.needs_pool else []
        return direct_cell(task, self.name, items, self.answer(self._backend(ctx), task, items, pool), "direct")


@dataclass(frozen=True)
class CogexPerItem(Method):
    """End-to-end CoGEX: the model writes and emulates a new program for every item."""

    def run(self, task: Task, items: Sequence[Example], ctx: MethodContext) -> tuple[Cell, Rows]:
        parsed = reason(self._backend(ctx), task.instruction, [e.input for e in items], REASONER_CONFIG)
        return score_answers(task, self.name, items, [p.answer if p.ok else None for p in parsed],
                             [None if p.ok or p.error is None else p.error.value for p in parsed], ["emulate"] * len(items))


@dataclass(frozen=True)
class Cotacs(Method):
    """CoTACS: search once per (task, executor) with k >= 3, then apply the top ``k`` programs."""

    executor: str = "emulate"
    k: int = 1

    def search_settings(self, search: SearchSettings, seed: int) -> SearchSettings:
        return cotacs_search(search, self.executor, seed)

    def run(self, task: Task, items: Sequence[Example], ctx: MethodContext) -> tuple[Cell, Rows]:
        backend = self._backend(ctx)
        program = self._search(backend, task, ctx)
        applied = apply_program(backend, program.top(self.k), items, task, executor=self.executor, progress=ctx.progress)
        rows = [{**row, "answer": _normalised(task, row["prediction"], e)} for row, e in zip(applied["predictions"], items)]
        paths = Counter(p for row in rows for p in row["paths"])
        cell = Cell(task.name, self.name, applied["accuracy"] or 0.0, len(items),
                    sum(1 for row in rows if row["prediction"] is None), dict(paths))
        return cell, rows

    def _search(self, backend: Backend, task: Task, ctx: MethodContext) -> Program:
        """The saved search of this executor when the same model ran it with the same settings, else a new one."""
        search_dir = ctx.task_dir / f"search-{self.executor}"
        search = self.search_settings(ctx.search, ctx.seed)
        if (search_dir / PROGRAM_FILE).is_file():
            program = Program.load(search_dir)
            if (program.model_identity == backend.identity
                    and comparable_settings(program.settings) == comparable_settings(asdict(search))):
                return program
        return run_search(backend, task, search, out_dir=search_dir, progress=ctx.progress).program


def cotacs_search(search: SearchSettings, executor: str, seed: int) -> SearchSettings:
    """The search an eval runs for one executor: k >= 3 so that its k=1 and k=3 methods share
    it; emulate ranks only model-written calls."""
    search = replace(search, executor=executor, k=max(search.k, 3), seed=seed)
    return replace(search, bindings=search.ranked_bindings())


def comparable_settings(search: dict[str, Any]) -> dict[str, Any]:
    """Search settings as saved in JSON, for comparison; a record written before input bindings
    existed ranked model-written calls only, one written before tie-breaks broke ties at random."""
    return json.loads(json.dumps({"bindings": ["model"], "tie_break": "random", **search}))


# ---- scoring --------------------------------------------------------------------------------


def _normalised(task: Task, answer: Any, item: Example) -> str:
    return "" if answer is None else task.normalize(answer, item)


def score_answers(task: Task, method: str, items: Sequence[Example], answers: Sequence[Any],
                  errors: Sequence[str | None], paths: Sequence[str]) -> tuple[Cell, Rows]:
    """The cell and per-item rows of answers (None = no answer) scored by the task."""
    correct = correctness(task, answers, items)
    rows = [
        {"id": e.id, "target": e.target, "prediction": fmt.jsonable(a), "answer": _normalised(task, a, e),
         "error": err, "path": p, "correct": c}
        for e, a, err, p, c in zip(items, answers, errors, paths, correct)
    ]
    cell = Cell(task.name, method, sum(correct) / len(items) if items else 0.0, len(items),
                sum(1 for err in errors if err), dict(Counter(paths)))
    return cell, rows


def direct_cell(task: Task, method: str, items: Sequence[Example], answers: Sequence[Any], path: str) -> tuple[Cell, Rows]:
    """Score answers given as text; an empty one counts as a failure (``no_answer``)."""
    errors = [None if str(a or "").strip() else "no_answer" for a in answers]
    return score_answers(task, method, items, answers, errors, [path] * len(items))


# ---- the registry ---------------------------------------------------------------------------


def _registry(*methods: Method) -> dict[str, Method]:
    return {m.name: m for m in methods}


METHODS: dict[str, Method] = _registry(
    Majority("majority", "none", "the most frequent search target for every item (no model; a floor)"),
    Direct("zero_shot", "base", "the instruction-tuned base model answers directly (paper baseline)",
           answer=lambda b, t, items, _pool: baselines.zero_shot(b, t, items)),
    Direct("zero_shot_cot", "base", "the base model thinks step by step, then answers after 'Answer:'",
           answer=lambda b, t, items, _pool: baselines.zero_shot_cot(b, t, items)),
    Direct("few_shot_bm25", "base", "2 in-context examples retrieved by BM25 from the search items (paper baseline)",
           answer=lambda b, t, items, pool: baselines.few_shot_bm25(b, t, items, pool), needs_pool=True),
    CogexPerItem("cogex", "cogex", "end-to-end CoGEX: a new program for every item (reasoner mode)"),
    Cotacs("cotacs_k1", "cogex", "CoTACS with emulation, the best program (the paper)", executor="emulate", k=1),
    Cotacs("cotacs_k3", "cogex", "CoTACS with emulation, vote of the 3 best (the paper)", executor="emulate", k=3),
    Cotacs("cotacs_hybrid_k1", "cogex", "CoTACS with sandboxed execution + model-answered helpers, best program",
           executor="hybrid", k=1),
    Cotacs("cotacs_hybrid_k3", "cogex", "CoTACS with sandboxed execution + model-answered helpers, vote of 3",
           executor="hybrid", k=3),
)
