"""Resolve a task argument: a registered task name, or a user file with column mapping."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from cogex.cli.options import AnswerFormatName

TaskArgument = Annotated[str, typer.Argument(help="A paper task (cola, emotion, sst2, coin_flip, word_sorting, sum, svamp, commonsense_qa, social_iqa) a shipped held-out task (e.g. roman_to_integer), a task config file (.yaml), or a JSONL/CSV file / Hub dataset.")]
InstructionOption = Annotated[Optional[str], typer.Option("--instruction", help="Instruction for a user task (required for files).")]
InputColumnOption = Annotated[str, typer.Option("--input-column", help="User task: column holding the input.")]
TargetColumnOption = Annotated[str, typer.Option("--target-column", help="User task: column holding the gold answer.")]
AnswerFormatOption = Annotated[
    AnswerFormatName, typer.Option("--answer-format", help="User task: how answers are compared.")
]


def is_registered(name: str) -> bool:
    """Whether ``name`` is a paper task (or alias), a shipped task or a task config file."""
    from cogex.tasks import get_task, is_task_config, list_tasks, shipped_task_configs

    if name in list_tasks() or name in shipped_task_configs() or is_task_config(name):
        return True
    try:
        get_task(name)
    except KeyError:
        return False
    return True


def resolve_task(name: str, instruction: str | None = None, input_column: str = "input", target_column: str = "target",
                 answer_format: str = "text"):  # type: ignore[no-untyped-def]
    """A Task for a registered name, or a user task built from a file or Hub dataset."""
    from cogex.tasks import get_task, list_tasks, load_user_task

    if not name.strip():
        raise ValueError("the task name is empty")
    if is_registered(name):
        return get_task(name)
    if instruction is None:
        raise ValueError(f"{name!r} is not a registered task; for a user file or dataset pass --instruction (tasks: {', '.join(list_tasks())})")
    if not instruction.strip():
        raise ValueError("--instruction is empty")
    path = Path(name).expanduser()
    if path.is_file() and path.stat().st_size == 0:
        raise ValueError(f"{path} is empty")
    try:
        return load_user_task(name, input_column=input_column, target_column=target_column, instruction=instruction,
                              answer_format=answer_format)  # type: ignore[arg-type]
    except UnicodeDecodeError as exc:
        raise ValueError(f"{name} is not UTF-8 text (invalid byte at offset {exc.start})") from None


def task_source(name: str, task: Any, input_column: str = "input", target_column: str = "target",
                answer_format: str = "text") -> dict[str, Any] | None:
    """Where a task came from, recorded in ``program.json`` so ``cogex apply`` can rebuild the
    same splits: None for a paper/shipped task (its name is enough), else the file (absolute
    path) or Hub id with the column mapping and answer format."""
    from cogex.tasks import get_task, is_task_config

    labels = list(task.labels) if task.labels else None
    if is_task_config(name):
        return {"kind": "config", "source": str(Path(name).expanduser().resolve()), "answer_format": task.answer_format,
                "labels": labels}
    try:
        get_task(name)
    except KeyError:
        pass
    else:
        return None
    path = Path(name).expanduser()
    source = str(path.resolve()) if path.exists() else name
    return {"kind": "user", "source": source, "input_column": input_column, "target_column": target_column,
            "answer_format": answer_format, "labels": labels, "search_fraction": 0.5, "split_seed": 0}
