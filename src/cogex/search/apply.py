"""Apply a saved CoTACS artifact to new inputs: run its program(s), vote, score where labelled."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

from cogex import format as fmt
from cogex.execute.binding import MODEL_BINDING
from cogex.execute.executors import executor_kind, make_executor
from cogex.generate.modes import EMULATOR_CONFIG
from cogex.models.backend import Backend
from cogex.search.selection import combine
from cogex.tasks import Example, Task, get_task
from cogex.tasks.metrics import correctness

if TYPE_CHECKING:
    from cogex.search.artifact import Program

_TEST_SPLITS = ("test", "validation", "dev", "val")


def _plain_task(program: Program, answer_format: str = "text", labels: Sequence[str] | None = None) -> Task:
    """A task without data that normalises and scores answers like the program's task."""
    from cogex.tasks.base import Task as TaskClass

    return TaskClass(name=program.task, instruction=program.instruction,
                     answer_format=answer_format if answer_format in ("label", "letter", "number", "text") else "text",  # type: ignore[arg-type]
                     labels=tuple(str(x) for x in labels) if labels else None, search_note="", loader=lambda split: [])


def _source(program: Program) -> dict[str, Any] | None:
    """Where the program's task came from when it is not a registered task: the recorded
    ``task_source``, or for an artifact written before it was recorded, the file its search note
    names ("file PATH: ..."). None for a paper or shipped task (its name is enough)."""
    source = program.task_source
    if source is not None and isinstance(source.get("source"), str):
        return source
    if _registered(program.task) is not None:
        return None
    note = program.search_note
    if note.startswith("file ") and ": " in note:
        return {"kind": "user", "source": note[len("file "):].split(": ", 1)[0]}
    return None


def _registered(name: str) -> Task | None:
    if not name:
        return None
    try:
        return get_task(name)
    except KeyError:  # not a registered name (a broken task config raises its own error)
        return None


def scoring_task(program: Program) -> Task:
    """The task used to normalise and score answers (no data is read for a user task)."""
    source = _source(program)
    if source is None:
        return _registered(program.task) or _plain_task(program)
    return _plain_task(program, str(source.get("answer_format", "text")), source.get("labels"))


def task_of(program: Program) -> Task:
    """The task the program was searched on, with its data: a paper or shipped task by name, the
    task config or user file recorded in the artifact (same columns, split and answer format),
    else a plain-text task without data."""
    from cogex.tasks import load_task_config, load_user_task

    source = _source(program)
    if source is None:
        return _registered(program.task) or _plain_task(program)
    where = source["source"]
    if source.get("kind") == "config":
        return load_task_config(where)
    if not Path(where).exists():
        raise FileNotFoundError(f"the program was searched on {where}, which no longer exists; pass --file or --task")
    try:
        return load_user_task(where, input_column=str(source.get("input_column", "input")),
                              target_column=str(source.get("target_column", "target")), instruction=program.instruction,
                              answer_format=str(source.get("answer_format", "text")),  # type: ignore[arg-type]
                              labels=source.get("labels"), search_fraction=float(source.get("search_fraction", 0.5)),
                              seed=int(source.get("split_seed", 0)), name=program.task or None)
    except KeyError as exc:
        raise ValueError(f"{exc.args[0] if exc.args else exc} (pass --file with --input-column/--target-column)") from None


def _task_named(name: str, program: Program, input_column: str, target_column: str) -> Task:
    """``--task``: a paper / shipped task or task config by name, else a data file (or Hub
    dataset) read with the column mapping, the program's instruction and answer format."""
    from cogex.tasks import load_user_task

    known = _registered(name)
    if known is not None:
        return known
    base = scoring_task(program)
    try:
        return load_user_task(name, input_column=input_column, target_column=target_column, instruction=program.instruction,
                              answer_format=base.answer_format, labels=base.labels)
    except KeyError as exc:
        raise ValueError(f"{exc.args[0] if exc.args else exc} (use --input-column / --target-column)") from None


def file_items(path: Path, input_column: str = "input", target_column: str | None = None) -> list[Example]:
    """The rows of a JSONL / JSON / CSV file as items. ``target_column`` None means "target" when
    the file has it, else unlabelled; a named target column must exist. Raises ValueError (or
    FileNotFoundError) with a one-line message."""
    from cogex.tasks.user import _target_str, read_table

    path = Path(path)
    if path.is_dir():
        raise ValueError(f"--file {path} is a directory, not a file")
    if not path.is_file():
        raise FileNotFoundError(f"--file not found: {path}")
    try:
        table = read_table(path)
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path} is not UTF-8 text (invalid byte at offset {exc.start})") from None
    except PermissionError:
        raise ValueError(f"cannot read {path}: permission denied") from None
    except (OSError, ValueError, csv.Error) as exc:  # bad JSON / CSV: one line naming the file
        raise ValueError(str(exc) if str(path) in str(exc) else f"{path}: {exc}") from None
    if isinstance(table, dict):  # {"train": [...], "test": [...]}: apply to the test rows
        key = next((k for k in _TEST_SPLITS if k in table), None)
        table = table[key] if key else [row for rows in table.values() for row in rows]
    if not table:
        raise ValueError(f"{path} holds no rows")
    rows = list(table)
    for i, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise ValueError(f"{path}: row {i + 1} is not an object (got {type(row).__name__})")
    columns = sorted({str(c) for row in rows for c in row})
    target = target_column
    if target is None:
        target = "target" if any("target" in row for row in rows) else None
    elif not any(target in row for row in rows):
        raise ValueError(f"{path} has no column {target!r} (--target-column); columns: {columns}")
    items = []
    for i, row in enumerate(rows):
        if input_column not in row or row[input_column] is None:
            raise ValueError(f"{path}: row {i + 1} has no column {input_column!r} (--input-column); columns: {columns}")
        gold = _target_str(row.get(target)) if target else ""
        items.append(Example(id=f"{path.stem}/file/{i}", input=str(row[input_column]), target=gold))
    return items


def items_for(
    program: Program,
    *,
    input_text: str | None = None,
    task: str | None = None,
    split: str = "test",
    limit: int | None = None,
    file: Path | None = None,
    input_column: str = "input",
    target_column: str | None = "target",
    seed: int = 0,
) -> tuple[list[Example], Task]:
    """The items to apply a program to, and the task used to normalise and score answers:
    one input, the rows of a file, a task split (``task``: a name, a task config or a data file
    read with the column mapping), or by default the split of the task the program was searched on."""
    if limit is not None and limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    if input_text is not None:
        return [Example(id="input/0", input=input_text, target="")], scoring_task(program)
    if file is not None:
        items = file_items(file, input_column, target_column)
        return (items[:limit] if limit else items), scoring_task(program)
    if task:
        task_obj = _task_named(task, program, input_column, target_column or "target")
    else:
        task_obj = task_of(program)
    rank_ids = program.rank_item_ids
    if split == "search" and not task and rank_ids:
        wanted = set(rank_ids)
        items = [e for e in task_obj.all_examples("search") if e.id in wanted]
        order = {eid: i for i, eid in enumerate(rank_ids)}
        items.sort(key=lambda e: order[e.id])
        return (items[:limit] if limit else items), task_obj
    return task_obj.examples(split, limit=limit, seed=seed), task_obj  # type: ignore[arg-type]


def apply_program(
    backend: Backend,
    program: Program,
    items: Sequence[Example],
    task: Task,
    *,
    executor: str | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, Any]:
    """Run every program of the artifact on the items; vote when there are several."""
    settings = program.settings
    name = executor or program.executor
    config = EMULATOR_CONFIG.with_(
        temperature=float(settings.get("emu_temperature", EMULATOR_CONFIG.temperature)),
        max_new_tokens=int(settings.get("emu_max_new_tokens", EMULATOR_CONFIG.max_new_tokens)),
        seed=program.seed,
    )
    programs = [p.program for p in program.programs]
    # A program keeps the input binding it was ranked with; the emulator always writes its own call.
    sandboxed = executor_kind(name).sandboxed
    bindings = [p.binding if sandboxed else MODEL_BINDING for p in program.programs]
    inputs = [e.input for e in items]
    per_program = []
    planned = len(programs) * len(inputs)  # (program, item) runs
    if progress:
        progress("apply", 0, planned)
    for i, (code, binding) in enumerate(zip(programs, bindings)):
        runner = make_executor(name, backend, config=config, binding=binding)
        per_program.append(runner.run(program.instruction, code, inputs))
        if progress:
            progress("apply", (i + 1) * len(inputs), planned)
    answers = [[r.answer if r.ok else None for r in results] for results in per_program]
    # No program (a search that found none) makes every item a counted failure.
    predictions = combine(task, answers, items, program.seed)
    labelled = [bool(e.target) for e in items]
    correct = correctness(task, predictions, items)
    paths = Counter(r.path if r.ok else f"{r.path}:failed" for results in per_program for r in results)
    rows = [
        {
            "id": e.id,
            "input": e.input,
            "target": e.target or None,
            "answers": [fmt.jsonable(a[j]) for a in answers],
            "paths": [results[j].path for results in per_program],
            "errors": [results[j].error for results in per_program],
            "prediction": fmt.jsonable(predictions[j]),
            "correct": correct[j] if e.target else None,
        }
        for j, e in enumerate(items)
    ]
    accuracy = sum(correct) / sum(labelled) if any(labelled) else None
    return {"task": task.name, "executor": name, "k": len(programs), "bindings": bindings, "accuracy": accuracy, "paths": dict(paths),
            "n_items": len(items), "n_labelled": sum(labelled), "n_answered": sum(p is not None for p in predictions),
            "predictions": rows}
