"""``cogex search``: CoTACS program search for a task; writes ``RUN_DIR/program.json``."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from cogex.cli import options as opt
from cogex.cli import tasks_option as topt
from cogex.search.artifact import PROGRAM_FILE, Program
from cogex.search.cotacs import SearchSettings
from cogex.cli.common import (
    EXIT_FAILED,
    backend_from,
    check_cache_location,
    console,
    fail,
    out,
    plain,
    user_errors,
)


@opt.backend_options
@opt.search_options
def search(
    task: topt.TaskArgument,
    out_dir: Annotated[Optional[Path], typer.Option("--out", "-o", help="Run directory (default runs/search-TASK-EXECUTOR-seedS).")] = None,
    seed: opt.SeedOption = 0,
    instruction: topt.InstructionOption = None,
    input_column: topt.InputColumnOption = "input",
    target_column: topt.TargetColumnOption = "target",
    answer_format: topt.AnswerFormatOption = "text",
    quiet: opt.QuietOption = False,
    *,
    search_settings: SearchSettings,
    backend_args: opt.BackendArgs,
) -> None:
    """CoTACS: propose one program per generating item, rank by running them, keep the top k.

    Exit code 0 when a program was found, 1 when no candidate could be parsed."""
    from cogex.cli.progress import StageProgress
    from cogex.search import run_search

    with user_errors():
        settings = replace(search_settings, seed=seed).validate()
        n_generate, n_rank = settings.n_generate, settings.n_rank
        task_obj = topt.resolve_task(task, instruction, input_column, target_column, answer_format)
        available = len(task_obj.examples("search", limit=n_generate + n_rank, seed=seed))
        if available < n_generate + 1:
            fail(f"task {task_obj.name!r} has {available} search items; --n-generate {n_generate} needs at least "
                 f"{n_generate + 1} (one or more left to rank)")
        source = topt.task_source(task, task_obj, input_column, target_column, answer_format)
    run_dir = out_dir or Path("runs") / f"search-{task_obj.name}-{settings.executor}-seed{seed}"
    if run_dir.exists() and not run_dir.is_dir():
        fail(f"--out {run_dir} exists and is not a directory")
    check_cache_location(backend_args.no_cache)
    progress = StageProgress(quiet=quiet)
    with user_errors():
        model_backend = backend_from(backend_args, on_calls=progress.model_calls, on_tokens=progress.tokens)
        with progress:
            progress("propose", 0, n_generate)
            # A user task records where it came from, so `cogex apply RUN` rebuilds its splits.
            result = run_search(model_backend, task_obj, settings, out_dir=run_dir, progress=progress, task_source=source)
    summary(result.program, run_dir)
    if not result.program.programs:
        console.print(plain("no candidate program could be parsed: try a larger --n-generate or --max-resamples, "
                            "or a CoGEX-trained model (see the model card)."), style="bold red")
        raise typer.Exit(EXIT_FAILED)


def summary(program: Program, run_dir: Path) -> None:
    table = Table(title=plain(f"CoTACS on {program.task} (k={program.k}, executor={program.executor})"))
    for column in ("program", "binding", "rank acc", "train acc", "from item"):
        table.add_column(column)
    for i, prog in enumerate(program.programs):
        train = "-" if prog.train_score is None else f"{prog.train_score:.3f}"
        table.add_row(str(i + 1), plain(prog.binding), f"{prog.rank_score or 0.0:.3f}", train, plain(prog.source_item))
    console.print(table)
    calls = program.calls
    cache = (f"model calls computed {calls['cache_misses']}, cache hits {calls['cache_hits']}"
             if "cache_misses" in calls else "call cache off")
    console.print(plain(
        f"ranking accuracy {program.rank_accuracy or 0.0:.3f} on {len(program.predictions)} items; "
        f"{program.n_distinct_valid} distinct valid of {program.n_candidates} candidates; {cache}; "
        f"{program.seconds} s"
    ))
    out.print(plain(str(run_dir / PROGRAM_FILE)))


def register(app: typer.Typer) -> None:
    app.command("search")(search)
