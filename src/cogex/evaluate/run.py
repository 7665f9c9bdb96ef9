"""Run methods x tasks on the same test items and save every prediction.

Methods:
* ``zero_shot``      the instruction-tuned base model answers directly (paper baseline)
* ``few_shot_bm25``  2 in-context examples retrieved by BM25 from the search items (paper baseline)
* ``cogex``          end-to-end CoGEX: a new program for every item (reasoner mode)
* ``cotacs_k1`` / ``cotacs_k3``                 CoTACS with emulation (the paper)
* ``cotacs_hybrid_k1`` / ``cotacs_hybrid_k3``   CoTACS with sandboxed execution + model-answered helpers

One search with k = 3 serves both k = 1 (its best program) and k = 3 (the vote of its three best).
Finished (task, method) cells are saved as they complete and skipped when a run is resumed with
the same model; a cell or search made by another model (e.g. a new adapter) is recomputed.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Sequence

from cogex import format as fmt
from cogex.evaluate.baselines import few_shot_bm25, zero_shot
from cogex.generate.modes import REASONER_CONFIG, reason
from cogex.models.backend import Backend
from cogex.search.apply import apply_program
from cogex.search.cotacs import PROGRAM_FILE, SearchSettings, load_program, run_search
from cogex.tasks import Example, Task, get_task, list_tasks

METHODS: tuple[str, ...] = (
    "zero_shot",
    "few_shot_bm25",
    "cogex",
    "cotacs_k1",
    "cotacs_k3",
    "cotacs_hybrid_k1",
    "cotacs_hybrid_k3",
)

#: Methods that run the instruction-tuned base model (no CoGEX adapter).
BASE_METHODS = frozenset({"zero_shot", "few_shot_bm25"})


@dataclass(frozen=True)
class EvalSettings:
    """What to evaluate and how big; the defaults are small enough for a 2-core CPU."""

    tasks: tuple[str, ...] = tuple(list_tasks())
    methods: tuple[str, ...] = METHODS
    test_items: int = 16
    search: SearchSettings = field(default_factory=lambda: SearchSettings(k=3))
    seed: int = 0


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

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


Progress = Callable[[str, int, int], None]


def _noop(_stage: str, _done: int, _total: int) -> None:
    pass


def _save_cell(cell_dir: Path, cell: Cell, rows: list[dict[str, Any]]) -> None:
    cell_dir.mkdir(parents=True, exist_ok=True)
    with (cell_dir / f"{cell.method}.jsonl").open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False, default=repr) + "\n")
    (cell_dir / f"{cell.method}.json").write_text(json.dumps(cell.to_json(), indent=2) + "\n", encoding="utf-8")


def _load_cell(cell_dir: Path, method: str, model: str | None = None, search: dict[str, Any] | None = None) -> Cell | None:
    """A saved cell; with ``model`` (and ``search`` for a CoTACS cell), only if that model (with
    those search settings) produced it, else it is recomputed."""
    path = cell_dir / f"{method}.json"
    if not path.is_file():
        return None
    cell = Cell(**json.loads(path.read_text(encoding="utf-8")))
    if model is not None and (cell.model != model or (search is not None and cell.search != search)):
        return None
    return cell


def search_settings_for(settings: EvalSettings, executor: str) -> SearchSettings:
    """The search an eval runs for one executor (k >= 3 so that k1 and k3 share it; emulate
    ranks only model-written calls)."""
    search = replace(settings.search, executor=executor, k=max(settings.search.k, 3), seed=settings.seed)
    return replace(search, bindings=search.ranked_bindings())


def comparable_settings(search: dict[str, Any]) -> dict[str, Any]:
    """Search settings as saved in JSON, for comparison; a record written before input bindings
    existed ranked model-written calls only."""
    return json.loads(json.dumps({"bindings": ["model"], **search}))


def _score_answers(task: Task, method: str, items: Sequence[Example], answers: Sequence[Any],
                   errors: Sequence[str | None], paths: Sequence[str]) -> tuple[Cell, list[dict[str, Any]]]:
    correct = [a is not None and task.is_correct(a, e.target, e) for a, e in zip(answers, items)]
    rows = [
        {"id": e.id, "target": e.target, "prediction": fmt._jsonable(a), "error": err, "path": p, "correct": c}
        for e, a, err, p, c in zip(items, answers, errors, paths, correct)
    ]
    cell = Cell(task.name, method, sum(correct) / len(items) if items else 0.0, len(items),
                sum(1 for err in errors if err), dict(Counter(paths)))
    return cell, rows


def _search_record(backend: Backend, task: Task, settings: EvalSettings, executor: str, task_dir: Path,
                   progress: Progress) -> dict[str, Any]:
    search_dir = task_dir / f"search-{executor}"
    search = search_settings_for(settings, executor)
    if (search_dir / PROGRAM_FILE).is_file():
        record = load_program(search_dir)
        # Reuse a finished search only if the same model ran it with the same settings.
        if (record.get("model", {}).get("identity") == backend.identity
                and comparable_settings(record.get("settings", {})) == comparable_settings(asdict(search))):
            return record
    return run_search(backend, task, search, out_dir=search_dir, progress=progress).record


def evaluate_task(
    task: Task,
    settings: EvalSettings,
    *,
    base: Backend,
    cogex: Backend,
    run_dir: Path,
    progress: Progress = _noop,
) -> list[Cell]:
    """Every requested method on one task; the same test items for all of them."""
    task_dir = run_dir / task.name
    items = task.examples("test", limit=settings.test_items, seed=settings.seed)
    cells: list[Cell] = []
    for method in settings.methods:
        model = (base if method in BASE_METHODS else cogex).identity
        executor = "hybrid" if "hybrid" in method else "emulate"
        search = comparable_settings(asdict(search_settings_for(settings, executor))) if method.startswith("cotacs") else None
        cached = _load_cell(task_dir, method, model, search)
        if cached is not None:
            cells.append(cached)
            continue
        progress(f"{task.name}:{method}", 0, 1)
        if method == "zero_shot":
            answers = zero_shot(base, task, items)
            cell, rows = _score_answers(task, method, items, answers, [None] * len(items), ["direct"] * len(items))
        elif method == "few_shot_bm25":
            pool = task.examples("search", seed=settings.seed)
            answers = few_shot_bm25(base, task, items, pool)
            cell, rows = _score_answers(task, method, items, answers, [None] * len(items), ["direct"] * len(items))
        elif method == "cogex":
            parsed = reason(cogex, task.instruction, [e.input for e in items], REASONER_CONFIG)
            cell, rows = _score_answers(task, method, items, [p.answer if p.ok else None for p in parsed],
                                        [None if p.ok else p.error.value for p in parsed], ["emulate"] * len(items))  # type: ignore[union-attr]
        elif method.startswith("cotacs"):
            record = _search_record(cogex, task, settings, executor, task_dir, progress)
            k = 3 if method.endswith("k3") else 1
            record = {**record, "programs": record["programs"][:k]}
            applied = apply_program(cogex, record, items, task, executor=executor)
            rows = applied["predictions"]
            paths = Counter(p for row in rows for p in row["paths"])
            cell = Cell(task.name, method, applied["accuracy"] or 0.0, len(items),
                        sum(1 for row in rows if row["prediction"] is None), dict(paths))
        else:
            raise ValueError(f"unknown method {method!r}; choose from {', '.join(METHODS)}")
        cell = replace(cell, model=model, search=search)
        _save_cell(task_dir, cell, rows)
        cells.append(cell)
        progress(f"{task.name}:{method}", 1, 1)
    return cells


def saved_cells(settings: EvalSettings, run_dir: Path) -> list[Cell]:
    """The cells of ``settings`` already saved in ``run_dir`` (nothing is computed)."""
    found = [_load_cell(run_dir / task, method) for task in settings.tasks for method in settings.methods]
    return [cell for cell in found if cell is not None]


def evaluate(settings: EvalSettings, *, base: Backend, cogex: Backend, run_dir: Path,
             progress: Progress = _noop) -> list[Cell]:
    """All tasks x methods; writes the run settings, every prediction and the summary files."""
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "settings.json").write_text(json.dumps({**asdict(settings), "base_model": base.describe(),
                                                        "cogex_model": cogex.describe()}, indent=2, default=repr) + "\n")
    cells: list[Cell] = []
    for i, name in enumerate(settings.tasks):
        cells += evaluate_task(get_task(name), settings, base=base, cogex=cogex, run_dir=run_dir, progress=progress)
        progress("tasks", i + 1, len(settings.tasks))
    return cells
