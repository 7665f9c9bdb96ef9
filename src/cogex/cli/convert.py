"""``cogex convert``: turn Alpaca instruction data into CoGEX training instances with a teacher LLM."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any, Literal, Optional

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from cogex.cli import options as opt
from cogex.cli.common import (
    backend_from,
    check_cache_location,
    console,
    fail,
    labelled,
    one_line,
    out,
    print_json,
    usage_error,
    user_errors,
)
from cogex.cli.progress import RateColumn

#: Environment variables naming the server's model when --teacher-model is not given (openai).
MODEL_ENV = ("COGEX_TEACHER_MODEL", "OPENAI_MODEL")


def _teacher(args: opt.BackendArgs, mode: str) -> Any:
    """The teacher: the shared backend options, with the plain instruct model (no CoGEX adapter)
    unless --adapter is given; a server teacher gets as many parallel requests as --batch-size."""
    model = args.model
    if args.backend == "openai":
        model = model or next((os.environ[name] for name in MODEL_ENV if os.environ.get(name)), None)
        if not model:
            fail(
                "a server teacher (--backend/--teacher-backend openai) needs --model/--teacher-model (or"
                " COGEX_TEACHER_MODEL): the model name the server serves, e.g. the name given to"
                " `vllm serve` or `ollama pull`."
            )
    adapter = args.adapter if args.adapter is not None else "none"
    # The teacher answers the conversion prompts, never CoGEX ones: no demonstrations.
    return backend_from(replace(args, model=model, prompting="trained"), adapter=adapter, openai_mode=mode)


def _summary(report: Any) -> Table:
    from cogex.data.convert import DropReason

    table = Table(title="cogex convert", show_header=False)
    table.add_column("what", style="bold")
    table.add_column("value", justify="right", overflow="fold")  # paths are folded, never cut
    table.add_row("items considered", str(report.total))
    table.add_row("finished earlier (skipped)", str(report.skipped))
    table.add_row("[green]kept[/]", f"[green]{report.kept}[/]")
    table.add_row("[red]dropped[/]", f"[red]{report.dropped_total}[/]")
    for reason in DropReason:
        count = report.dropped.get(reason, 0)
        if count:
            table.add_row(f"  {reason.value}", str(count))
    if report.pending:
        table.add_row("[yellow]not finished[/]", f"[yellow]{report.pending}[/]")
    table.add_row("teacher calls", str(report.teacher_calls))
    table.add_row("time", f"{report.elapsed:.1f} s")
    table.add_row("output", Text(str(report.output)))
    table.add_row("rejects", Text(str(report.rejects)))
    return table


@opt.backend_options(aliases={"model": ["--teacher-model"], "backend": ["--teacher-backend"], "batch_size": ["--concurrency"]})
def convert_cmd(
    input_path: Annotated[Path, typer.Argument(metavar="INPUT", help="Alpaca data: a JSON array, JSON Lines, or self-instruct seed tasks (with 'instances').")],
    output: Annotated[Path, typer.Option("--output", "-o", help="CoGEX instances (JSONL, appended; a rerun resumes).")],
    rejects: Annotated[Optional[Path], typer.Option("--rejects", help="Dropped items with reason and teacher replies (default: <output>.rejects.jsonl).")] = None,
    teacher_mode: Annotated[Literal["chat", "completions"], typer.Option("--teacher-mode", help="openai teacher: chat (/v1/chat/completions) or completions (/v1/completions).")] = "chat",
    limit: Annotated[Optional[int], typer.Option("--limit", min=0, help="Convert only the first N items of INPUT.")] = None,
    max_new_tokens: Annotated[int, typer.Option("--max-new-tokens", min=1, help="Token budget of each teacher reply.")] = 768,
    temperature: Annotated[float, typer.Option("--temperature", min=0.0, help="Teacher sampling temperature; 0 = greedy.")] = 0.0,
    seed: opt.SeedOption = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as one JSON object on stdout.")] = False,
    *,
    backend_args: opt.BackendArgs,
) -> None:
    """Convert Alpaca items into validated CoGEX instances with a teacher LLM (3 chained prompts).

    The teacher is set by the backend options shared with every command (default: the embedded
    instruct model, without adapter); --teacher-model and --teacher-backend are other names of
    --model and --backend. Exit code 0 when the run finished, 1 when the input holds no item or the teacher failed."""
    from cogex.data.alpaca import read_alpaca
    from cogex.data.convert import ConversionReport, ItemOutcome, TeacherUnavailable, convert

    if input_path.is_dir():
        fail(f"INPUT {input_path} is a directory, not a file")
    if output.is_dir():
        usage_error(f"--output {output} is a directory; name a .jsonl file")
    with user_errors():
        items = read_alpaca(input_path)
    if not items:
        fail(f"{input_path} holds no Alpaca items (expected a JSON array or JSON Lines of objects with 'instruction' and 'output')")
    check_cache_location(backend_args.no_cache)
    with user_errors():
        teacher = _teacher(backend_args, teacher_mode)

    progress = Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        RateColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
        transient=False,
        speed_estimate_period=3600.0,  # ETA from the whole run, not the last 30 s
    )
    counts = {"kept": 0, "dropped": 0}
    task_id = progress.add_task("converting", total=None)

    def describe() -> str:
        return f"converting [green]{counts['kept']} kept[/] [red]{counts['dropped']} dropped[/]"

    def on_start(report: ConversionReport) -> None:
        progress.update(task_id, total=report.total - report.skipped, description=describe())

    def on_item(outcome: ItemOutcome) -> None:
        counts["kept" if outcome.reason is None else "dropped"] += 1
        progress.update(task_id, advance=1, description=describe())

    interrupted: TeacherUnavailable | None = None
    try:
        with progress, user_errors():
            try:
                report = convert(
                    items,
                    teacher,
                    output,
                    rejects=rejects,
                    batch_size=backend_args.batch_size,
                    max_new_tokens=max_new_tokens,
                    temperature=temperature,
                    seed=seed,
                    limit=limit,
                    on_start=on_start,
                    on_item=on_item,
                )
            except TeacherUnavailable as exc:  # a RuntimeError: handled before user_errors sees it
                interrupted, report = exc, exc.report
    finally:
        teacher.close()

    if as_json:
        print_json({**report.to_dict(), "interrupted": None if interrupted is None else str(interrupted)})
    else:
        out.print(_summary(report))
    if interrupted is not None:
        console.print(labelled("error:", one_line(str(interrupted)), "bold red"), soft_wrap=True)
        console.print("Every finished item is saved; rerun the same command to convert the rest.")
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("convert")(convert_cmd)
