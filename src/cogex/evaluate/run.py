"""Run methods x tasks on the same test items and save every prediction.

Methods are registered in :data:`cogex.evaluate.methods.METHODS` (``cogex eval --help`` lists them).

Tasks are paper task names, shipped held-out task names, task config YAML files, or the groups
``paper`` and ``heldout``. One search with k = 3 serves both k = 1 (its best program) and k = 3
(the vote of its three best). Finished (task, method) cells are saved as they complete and
skipped when a run is resumed with the same model on the same items; a cell made by another
model (e.g. a new adapter), with other search settings or on other items is recomputed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Sequence

from cogex.evaluate.methods import METHODS, Cell, Method, MethodContext, comparable_settings
from cogex.models.backend import Backend
from cogex.search.cotacs import SearchSettings
from cogex.tasks import Example, Task, dev_tasks, get_task, heldout_tasks, is_task_config, list_tasks, shipped_task_configs

#: The model identity recorded for a model-free cell.
NO_MODEL = "none"
#: Group names accepted by ``--tasks``.
TASK_GROUPS: dict[str, Callable[[], list[str]]] = {"paper": list_tasks, "heldout": heldout_tasks, "dev": dev_tasks}
SETTINGS_FILE = "settings.json"


class UnknownChoiceError(ValueError):
    """A task or method name that is none of the accepted choices (the message lists them)."""


@dataclass(frozen=True)
class EvalSettings:
    """What to evaluate and how big (the whole test split when it has fewer than ``test_items``)."""

    tasks: tuple[str, ...] = tuple(list_tasks())
    methods: tuple[str, ...] = tuple(METHODS)
    test_items: int = 100
    search: SearchSettings = field(default_factory=lambda: SearchSettings(k=3))
    seed: int = 0


Progress = Callable[[str, int, int], None]


def _noop(_stage: str, _done: int, _total: int) -> None:
    pass


# ---- tasks and methods ------------------------------------------------------------------


def task_choices() -> list[str]:
    """Every task name ``--tasks`` accepts, groups first (task config .yaml files too)."""
    return [*TASK_GROUPS, *list_tasks(), *shipped_task_configs()]


def expand_task_specs(specs: Sequence[str]) -> list[str]:
    """Task arguments with the group names ``paper`` and ``heldout`` expanded."""
    expanded: list[str] = []
    for spec in specs:
        expanded += TASK_GROUPS[spec]() if spec in TASK_GROUPS else [spec]
    return expanded


def _resolve_one(spec: str) -> Task:
    """One task; a bad YAML file raises TaskConfigError (a ValueError naming the file and key)."""
    try:
        return get_task(spec)
    except KeyError:
        raise UnknownChoiceError(
            f"unknown task {spec!r}; choose from: {', '.join(task_choices())}, or a task config .yaml file") from None


def resolve_tasks(specs: Sequence[str]) -> list[Task]:
    """The tasks named by ``specs`` (names, YAML files, groups), each once, in order.

    Raises :class:`UnknownChoiceError` for an unknown name, TaskConfigError for a bad YAML file,
    ValueError when two different tasks share a name (their cells would share a folder)."""
    tasks: list[Task] = []
    origin: dict[str, str] = {}
    for spec in expand_task_specs(specs):
        task = _resolve_one(spec)
        where = str(Path(spec).expanduser().resolve()) if is_task_config(spec) else "registered task"
        if task.name in origin:
            if origin[task.name] != where:
                raise ValueError(f"two tasks are named {task.name!r} ({origin[task.name]} and {where}); rename one ('name:')")
            continue
        origin[task.name] = where
        tasks.append(task)
    return tasks


def check_methods(methods: Sequence[str]) -> tuple[str, ...]:
    """``methods`` validated (UnknownChoiceError lists the choices), duplicates dropped."""
    for method in methods:
        if method not in METHODS:
            raise UnknownChoiceError(f"unknown method {method!r}; choose from: {', '.join(METHODS)}")
    return tuple(dict.fromkeys(methods))


def needs_models(methods: Sequence[str]) -> tuple[bool, bool]:
    """Whether ``methods`` need (the base model, the CoGEX model)."""
    roles = {METHODS[m].model for m in check_methods(methods)}
    return "base" in roles, "cogex" in roles


# ---- saved cells ------------------------------------------------------------------------


def items_digest(items: Sequence[Example]) -> str:
    """A short digest of the item ids, so a cell is reused only on the same items."""
    return hashlib.sha256("\n".join(e.id for e in items).encode("utf-8")).hexdigest()[:16]


def _save_cell(cell_dir: Path, cell: Cell, rows: list[dict[str, Any]]) -> None:
    cell_dir.mkdir(parents=True, exist_ok=True)
    with (cell_dir / f"{cell.method}.jsonl").open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False, default=repr) + "\n")
    (cell_dir / f"{cell.method}.json").write_text(json.dumps(cell.to_json(), indent=2) + "\n", encoding="utf-8")


def _load_cell(cell_dir: Path, method: str, model: str | None = None, search: dict[str, Any] | None = None,
               items: str | None = None) -> Cell | None:
    """A saved cell; with ``model`` (and ``search`` for a CoTACS cell, ``items`` for the test
    items), only if that model (with those settings, on those items) produced it, else None."""
    path = cell_dir / f"{method}.json"
    if not path.is_file():
        return None
    try:
        cell = Cell.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (json.JSONDecodeError, TypeError, UnicodeDecodeError):
        return None  # a damaged cell file counts as not saved (it is recomputed)
    if model is not None and (cell.model != model or (search is not None and cell.search != search)):
        return None
    if items is not None and cell.items != items:
        return None
    return cell


def load_rows(run_dir: Path, cell: Cell) -> list[dict[str, Any]]:
    """The per-item predictions saved with a cell ([] when the file is missing)."""
    path = run_dir / cell.task / f"{cell.method}.jsonl"
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _recorded(run_dir: Path, key: str) -> list[str]:
    """A list the last run recorded in its settings.json ([] when there is none)."""
    value = read_settings(run_dir).get(key)
    return [str(v) for v in value] if isinstance(value, list) else []


def run_task_names(run_dir: Path) -> list[str]:
    """Tasks with saved cells in ``run_dir``: the last run's order first, then the rest sorted."""
    saved = sorted(d.name for d in run_dir.iterdir() if d.is_dir() and any((d / f"{m}.json").is_file() for m in METHODS))
    order = _recorded(run_dir, "task_names")
    return [t for t in order if t in saved] + [t for t in saved if t not in order]


def saved_cells(run_dir: Path, tasks: Sequence[str] | None = None, methods: Sequence[str] | None = None) -> list[Cell]:
    """The cells already saved in ``run_dir`` (nothing is computed); by default every task and
    method found there, in the last run's order."""
    if not run_dir.is_dir():
        return []
    names = run_task_names(run_dir) if tasks is None else list(tasks)
    if methods is None:
        methods = list(dict.fromkeys([m for m in _recorded(run_dir, "methods") if m in METHODS] + list(METHODS)))
    found = [_load_cell(run_dir / task, method) for task in names for method in methods]
    return [cell for cell in found if cell is not None]


def read_settings(run_dir: Path) -> dict[str, Any]:
    """The settings the last run in ``run_dir`` recorded ({} when there are none)."""
    path = run_dir / SETTINGS_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


# ---- running the methods ----------------------------------------------------------------


def _identity(method: Method, base: Backend | None, cogex: Backend | None) -> tuple[str, Backend | None]:
    """The model identity recorded for a method's cell, and the backend it runs on."""
    if method.model == "none":
        return NO_MODEL, None
    backend = base if method.model == "base" else cogex
    if backend is None:
        raise ValueError(f"method {method.name!r} needs a model backend")
    return backend.identity, backend


def evaluate_task(
    task: Task,
    settings: EvalSettings,
    *,
    base: Backend | None,
    cogex: Backend | None,
    run_dir: Path,
    progress: Progress = _noop,
) -> list[Cell]:
    """Every requested method on one task; the same test items for all of them."""
    task_dir = run_dir / task.name
    items = task.examples("test", limit=settings.test_items, seed=settings.seed)
    digest = items_digest(items)
    cells: list[Cell] = []
    for name in check_methods(settings.methods):
        method = METHODS[name]
        model, backend = _identity(method, base, cogex)
        searched = method.search_settings(settings.search, settings.seed)
        search = comparable_settings(asdict(searched)) if searched is not None else None
        cached = _load_cell(task_dir, name, model, search, digest)
        if cached is not None:
            cells.append(cached)
            continue
        progress(f"{task.name}:{name}", 0, 1)
        ctx = MethodContext(backend=backend, search=settings.search, seed=settings.seed, task_dir=task_dir, progress=progress)
        cell, rows = method.run(task, items, ctx)
        cell = replace(cell, model=model, search=search, items=digest)
        _save_cell(task_dir, cell, rows)
        cells.append(cell)
        progress(f"{task.name}:{name}", 1, 1)
    return cells


def evaluate(settings: EvalSettings, *, base: Backend | None, cogex: Backend | None, run_dir: Path,
             tasks: Sequence[Task] | None = None, progress: Progress = _noop) -> list[Cell]:
    """All tasks x methods; writes the run settings and every prediction (the report is
    :func:`cogex.evaluate.report.write_report`). ``tasks`` defaults to ``settings.tasks`` resolved."""
    chosen = list(tasks) if tasks is not None else resolve_tasks(settings.tasks)
    run_dir.mkdir(parents=True, exist_ok=True)
    _write_settings(run_dir, settings, chosen, base, cogex)
    cells: list[Cell] = []
    for i, task in enumerate(chosen):
        cells += evaluate_task(task, settings, base=base, cogex=cogex, run_dir=run_dir, progress=progress)
        progress("tasks", i + 1, len(chosen))
    _write_settings(run_dir, settings, chosen, base, cogex)  # again, with the final call-cache counts
    return cells


def _merged(earlier: Sequence[str], new: Sequence[str]) -> list[str]:
    """``earlier`` followed by the items of ``new`` it lacks."""
    return list(dict.fromkeys([*earlier, *new]))


def _write_settings(run_dir: Path, settings: EvalSettings, tasks: Sequence[Task], base: Backend | None,
                    cogex: Backend | None) -> None:
    record = {**asdict(settings),
              # runs sharing one directory keep the earlier runs' tasks and methods, in their order
              "task_names": _merged(_recorded(run_dir, "task_names"), [t.name for t in tasks]),
              "methods": _merged(_recorded(run_dir, "methods"), list(settings.methods)),
              "base_model": base.describe() if base is not None else None,
              "cogex_model": cogex.describe() if cogex is not None else None}
    (run_dir / SETTINGS_FILE).write_text(json.dumps(record, indent=2, default=repr) + "\n", encoding="utf-8")
