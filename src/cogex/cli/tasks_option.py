"""Resolve a task argument: a registered task name, or a user file with column mapping."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

TaskArgument = Annotated[str, typer.Argument(help="A paper task (cola, emotion, sst2, coin_flip, word_sorting, sum, svamp, commonsense_qa, social_iqa) or a JSONL/CSV file / Hub dataset.")]
InstructionOption = Annotated[Optional[str], typer.Option("--instruction", help="Instruction for a user task (required for files).")]
InputColumnOption = Annotated[str, typer.Option("--input-column", help="User task: column holding the input.")]
TargetColumnOption = Annotated[str, typer.Option("--target-column", help="User task: column holding the gold answer.")]
AnswerFormatOption = Annotated[str, typer.Option("--answer-format", help="User task: label, letter, number or text.")]


def resolve_task(name: str, instruction: str | None = None, input_column: str = "input", target_column: str = "target",
                 answer_format: str = "text"):  # type: ignore[no-untyped-def]
    """A Task for a registered name, or a user task built from a file or Hub dataset."""
    from cogex.tasks import get_task, list_tasks, load_user_task

    if name in list_tasks() or name in {"csqa", "siqa"}:
        return get_task(name)
    if instruction is None:
        raise ValueError(f"{name!r} is not a registered task; for a user file or dataset pass --instruction (tasks: {', '.join(list_tasks())})")
    return load_user_task(name, input_column=input_column, target_column=target_column, instruction=instruction,
                          answer_format=answer_format)  # type: ignore[arg-type]
