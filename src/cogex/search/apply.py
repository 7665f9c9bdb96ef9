"""Apply a saved CoTACS artifact to new inputs: run its program(s), vote, score where labelled."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any, Callable, Sequence

from cogex import format as fmt
from cogex.execute.binding import MODEL_BINDING
from cogex.execute.executors import make_executor
from cogex.generate.modes import EMULATOR_CONFIG
from cogex.models.backend import Backend
from cogex.search.cotacs import combine
from cogex.tasks import Example, Task, get_task, list_tasks


def _generic_task(record: dict[str, Any]) -> Task:
    from cogex.tasks.base import Task as TaskClass

    return TaskClass(name=str(record.get("task", "program")), instruction=record["instruction"], answer_format="text",
                     labels=None, search_note="", loader=lambda split: [])


def task_of(record: dict[str, Any]) -> Task:
    """The program's task when it is registered (for normalisation), else a plain-text task."""
    name = str(record.get("task", ""))
    if name in list_tasks():
        return get_task(name)
    return _generic_task(record)


def items_for(
    record: dict[str, Any],
    *,
    input_text: str | None = None,
    task: str | None = None,
    split: str = "test",
    limit: int | None = None,
    file: Path | None = None,
    input_column: str = "input",
    target_column: str = "target",
    seed: int = 0,
) -> tuple[list[Example], Task]:
    """The items to apply a program to, and the task used to normalise and score answers."""
    if input_text is not None:
        return [Example(id="input/0", input=input_text, target="")], task_of(record)
    if file is not None:
        from cogex.tasks import load_user_task

        user = load_user_task(str(file), input_column=input_column, target_column=target_column,
                              instruction=record["instruction"], search_fraction=0.0)
        base = task_of(record)
        items = list(user.all_examples("test"))
        return (items[:limit] if limit else items), base
    task_obj = get_task(task) if task else task_of(record)
    if split == "search" and not task and record.get("items", {}).get("rank"):
        wanted = set(record["items"]["rank"])
        items = [e for e in task_obj.all_examples("search") if e.id in wanted]
        order = {eid: i for i, eid in enumerate(record["items"]["rank"])}
        items.sort(key=lambda e: order[e.id])
        return (items[:limit] if limit else items), task_obj
    return task_obj.examples(split, limit=limit, seed=seed), task_obj  # type: ignore[arg-type]


def apply_program(
    backend: Backend,
    record: dict[str, Any],
    items: Sequence[Example],
    task: Task,
    *,
    executor: str | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, Any]:
    """Run every program of the artifact on the items; vote when there are several."""
    settings = record.get("settings", {})
    name = executor or settings.get("executor", "emulate")
    config = EMULATOR_CONFIG.with_(
        temperature=settings.get("emu_temperature", EMULATOR_CONFIG.temperature),
        max_new_tokens=settings.get("emu_max_new_tokens", EMULATOR_CONFIG.max_new_tokens),
        seed=record.get("seed", 0),
    )
    programs = [p["program"] for p in record["programs"]]
    # A program keeps the input binding it was ranked with; the emulator always writes its own call.
    bindings = [p.get("binding", MODEL_BINDING) if name != "emulate" else MODEL_BINDING for p in record["programs"]]
    inputs = [e.input for e in items]
    per_program = []
    for i, (program, binding) in enumerate(zip(programs, bindings)):
        runner = make_executor(name, backend, config=config, binding=binding)
        per_program.append(runner.run(record["instruction"], program, inputs))
        if progress:
            progress("apply", i + 1, len(programs))
    answers = [[r.answer if r.ok else None for r in results] for results in per_program]
    # No program (a search that found none) makes every item a counted failure.
    predictions = combine(task, answers, items, int(record.get("seed", 0)))
    labelled = [bool(e.target) for e in items]
    correct = [task.is_correct(p, e.target, e) if p is not None and e.target else False for p, e in zip(predictions, items)]
    paths = Counter(r.path if r.ok else f"{r.path}:failed" for results in per_program for r in results)
    rows = [
        {
            "id": e.id,
            "input": e.input,
            "target": e.target or None,
            "answers": [fmt._jsonable(a[j]) for a in answers],
            "paths": [results[j].path for results in per_program],
            "errors": [results[j].error for results in per_program],
            "prediction": fmt._jsonable(predictions[j]),
            "correct": correct[j] if e.target else None,
        }
        for j, e in enumerate(items)
    ]
    accuracy = sum(correct) / sum(labelled) if any(labelled) else None
    return {"task": task.name, "executor": name, "k": len(programs), "bindings": bindings, "accuracy": accuracy, "paths": dict(paths),
            "predictions": rows}
