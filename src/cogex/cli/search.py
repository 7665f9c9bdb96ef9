"""``cogex search``: CoTACS program search for a task; writes ``RUN_DIR/program.json``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from cogex.cli import options as opt
from cogex.cli import tasks_option as topt
from cogex.cli.common import build_backend, console, out, user_errors


def search(
    task: topt.TaskArgument,
    out_dir: Annotated[Optional[Path], typer.Option("--out", "-o", help="Run directory (default runs/search-TASK-EXECUTOR-seedS).")] = None,
    n_generate: Annotated[int, typer.Option("--n-generate", "-n", help="Items that each propose one candidate program (paper: 300).")] = 6,
    n_rank: Annotated[int, typer.Option("--n-rank", help="Items used to rank candidates (paper: the rest of at most 1000 items).")] = 24,
    k: Annotated[int, typer.Option("--k", help="Programs kept: 1, or 3 with majority vote (paper: 1 and 3).")] = 1,
    alpha: Annotated[float, typer.Option("--alpha", help="Resample a candidate while its accuracy on the generating items is below alpha.")] = 0.0,
    max_resamples: Annotated[int, typer.Option("--max-resamples", help="R: extra samples per generating item at most.")] = 1,
    gen_temperature: Annotated[float, typer.Option("--gen-temperature", help="Temperature for proposing programs (paper: 0.7).")] = 0.7,
    emu_temperature: Annotated[float, typer.Option("--emu-temperature", help="Temperature for emulating them (paper: 0.05).")] = 0.05,
    gen_max_new_tokens: Annotated[int, typer.Option("--gen-max-new-tokens", help="Token budget for a program.")] = 384,
    emu_max_new_tokens: Annotated[int, typer.Option("--emu-max-new-tokens", help="Token budget for one emulation.")] = 192,
    executor: Annotated[str, typer.Option("--executor", help="emulate (paper), python (sandbox only) or hybrid (sandbox + model for undefined helpers).")] = "emulate",
    ranking: Annotated[str, typer.Option("--ranking", help="exhaustive (paper) or halving (successive halving: far fewer calls).")] = "exhaustive",
    halving_min_items: Annotated[int, typer.Option("--halving-min-items", help="Halving: ranking items in the first round.")] = 4,
    halving_eta: Annotated[int, typer.Option("--halving-eta", help="Halving: keep 1/eta of the programs per round, eta times more items.")] = 2,
    bindings: opt.BindingsOption = "model,text,words",
    seed: opt.SeedOption = 0,
    instruction: topt.InstructionOption = None,
    input_column: topt.InputColumnOption = "input",
    target_column: topt.TargetColumnOption = "target",
    answer_format: topt.AnswerFormatOption = "text",
    model: opt.ModelOption = None,
    adapter: opt.AdapterOption = None,
    backend: opt.BackendOption = "transformers",
    base_url: opt.BaseUrlOption = None,
    api_key: opt.ApiKeyOption = None,
    dtype: opt.DtypeOption = "float32",
    batch_size: opt.BatchSizeOption = 8,
    no_cache: opt.NoCacheOption = False,
) -> None:
    """CoTACS: propose one program per generating item, rank by running them, keep the top k."""
    from cogex.cli.progress import stage_progress
    from cogex.search import SearchSettings, run_search

    with user_errors():
        settings = SearchSettings(
            n_generate=n_generate, n_rank=n_rank, k=k, alpha=alpha, max_resamples=max_resamples,
            gen_temperature=gen_temperature, emu_temperature=emu_temperature, gen_max_new_tokens=gen_max_new_tokens,
            emu_max_new_tokens=emu_max_new_tokens, executor=executor, ranking=ranking, halving_min_items=halving_min_items,
            halving_eta=halving_eta, bindings=opt.parse_bindings(bindings), seed=seed,
        )
        task_obj = topt.resolve_task(task, instruction, input_column, target_column, answer_format)
        run_dir = out_dir or Path("runs") / f"search-{task_obj.name}-{executor}-seed{seed}"
        model_backend = build_backend(model, adapter, backend=backend, base_url=base_url, api_key=api_key,
                                      dtype=dtype, batch_size=batch_size, no_cache=no_cache)
        with stage_progress() as progress:
            result = run_search(model_backend, task_obj, settings, out_dir=run_dir, progress=progress)
    summary(result.record, run_dir)
    if not result.record["programs"]:
        console.print("[bold red]no candidate program could be parsed[/]: try a larger --n-generate or "
                      "--max-resamples, or a CoGEX-trained model (see the model card).")
        raise typer.Exit(1)


def summary(record: dict, run_dir: Path) -> None:  # type: ignore[type-arg]
    table = Table(title=f"CoTACS on {record['task']} (k={record['k']}, executor={record['settings']['executor']})")
    for column in ("program", "binding", "rank acc", "train acc", "from item"):
        table.add_column(column)
    for i, prog in enumerate(record["programs"]):
        train = "-" if prog["train_score"] is None else f"{prog['train_score']:.3f}"
        table.add_row(str(i + 1), prog.get("binding", "model"), f"{prog['rank_score']:.3f}", train, prog["source_item"])
    console.print(table)
    calls = record.get("calls", {})
    console.print(
        f"ranking accuracy {record['rank_accuracy']:.3f} on {len(record['predictions'])} items; "
        f"{record['n_distinct_valid']} distinct valid of {record['n_candidates']} candidates; "
        f"model calls computed {calls.get('cache_misses', '?')}, cache hits {calls.get('cache_hits', '?')}; "
        f"{record['seconds']} s"
    )
    out.print(str(run_dir / "program.json"))


def register(app: typer.Typer) -> None:
    app.command("search")(search)
