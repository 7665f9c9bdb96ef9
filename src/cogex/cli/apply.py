"""``cogex apply``: run a saved program (k = 1 or 3) on one input, a file, or a task split."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal, Optional

import typer

from cogex.cli import options as opt
from cogex.cli import tasks_option as topt
from cogex.cli.common import (
    EXIT_FAILED,
    backend_from,
    check_cache_location,
    console,
    dumps_strict,
    fail,
    labelled,
    out,
    plain,
    print_json,
    usage_error,
    user_errors,
)


@opt.backend_options
def apply(
    program_json: Annotated[Path, typer.Argument(help="program.json written by cogex search (or its run directory).")],
    input_text: Annotated[Optional[str], typer.Option("--input", "-i", help="Apply to this one input.")] = None,
    task: Annotated[Optional[str], typer.Option("--task", help="Apply to a task split: a task name, a task config or a JSONL/CSV file read with the column flags (default: the program's own task).")] = None,
    split: Annotated[Literal["test", "search"], typer.Option("--split", help="search (the ranking items the program was chosen on) or test.")] = "test",
    limit: Annotated[Optional[int], typer.Option("--limit", min=1, help="At most this many items (deterministic subset).")] = None,
    file: Annotated[Optional[Path], typer.Option("--file", help="Apply to every row of a JSONL/JSON/CSV file (columns below); accuracy when it has a target column.")] = None,
    input_column: topt.InputColumnOption = "input",
    target_column: Annotated[Optional[str], typer.Option("--target-column", help="Column holding the gold answer (default: 'target' when present; --file rows without it are unlabelled).")] = None,
    executor: Annotated[Optional[opt.ExecutorName], typer.Option("--executor", help="emulate, python or hybrid (default: the one used in search).")] = None,
    out_file: Annotated[Optional[Path], typer.Option("--out", "-o", help="Write per-item predictions (JSONL).")] = None,
    seed: opt.SeedOption = 0,
    quiet: opt.QuietOption = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    *,
    backend_args: opt.BackendArgs,
) -> None:
    """Run the program(s) of a CoTACS artifact; majority vote when it holds 3; accuracy when labelled.

    Exit code 0 when it produced answers, 1 when there is nothing to apply to or no item got an
    answer (also with --json)."""
    from cogex.cli.progress import StageProgress
    from cogex.search.apply import apply_program, items_for
    from cogex.search.artifact import Program

    chosen = [name for name, value in (("--input", input_text), ("--file", file), ("--task", task)) if value is not None]
    if len(chosen) > 1:
        usage_error(f"give at most one of --input, --file and --task (got {' and '.join(chosen)})")
    if input_text is not None and not input_text.strip():
        usage_error("--input is empty")
    with user_errors():
        program = Program.load(program_json)
        if not program.programs:
            fail(f"{program_json} holds no program (its search found none): nothing to apply")
        items, task_obj = items_for(program, input_text=input_text, task=task, split=split, limit=limit, file=file,
                                    input_column=input_column, target_column=target_column, seed=seed)
    if not items:
        fail(f"no items to apply the program to (task {task_obj.name!r}, split {split!r}); pass --file, --task or --input")
    check_cache_location(backend_args.no_cache)
    progress = StageProgress(quiet=quiet)
    with user_errors():
        effective = executor or program.executor
        # Sandbox execution may never need the model (a text/words binding, no failure): load it on first use.
        model_backend = backend_from(backend_args, on_calls=progress.model_calls, on_tokens=progress.tokens, lazy=effective != "emulate")
        with progress:
            result = apply_program(model_backend, program, items, task_obj, executor=executor, progress=progress)
        if out_file is not None:
            with out_file.open("w", encoding="utf-8") as handle:
                for row in result["predictions"]:
                    handle.write(dumps_strict(row) + "\n")
    answered = result["n_answered"]
    if as_json:
        print_json(result)
    elif input_text is not None:
        row = result["predictions"][0]
        line = labelled("answer:", repr(row["prediction"]), "bold green" if answered else "bold red")
        line.append(f"  (paths: {', '.join(row['paths'])})")
        out.print(line)
    else:
        acc, n_labelled = result["accuracy"], result["n_labelled"]
        accuracy = "n/a (unlabelled)" if acc is None else f"{acc:.3f} on {n_labelled} labelled"
        console.print(plain(f"{len(items)} items, {answered} answered; accuracy {accuracy}; paths {result['paths']}"))
    if not answered:
        if not as_json:
            console.print(plain("no item got an answer"))
        raise typer.Exit(EXIT_FAILED)


def register(app: typer.Typer) -> None:
    app.command("apply")(apply)
