"""``cogex eval``: methods x tasks -> results table (markdown, CSV) and plots."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from cogex.cli import options as opt
from cogex.cli.common import build_backend, console, out, user_errors


def eval_command(
    tasks: Annotated[Optional[str], typer.Option("--tasks", help="Comma-separated tasks (default: all nine paper tasks).")] = None,
    methods: Annotated[Optional[str], typer.Option("--methods", help="Comma-separated: zero_shot, few_shot_bm25, cogex, cotacs_k1, cotacs_k3, cotacs_hybrid_k1, cotacs_hybrid_k3 (default: all).")] = None,
    test_items: Annotated[int, typer.Option("--test-items", help="Test items per task (the same for every method).")] = 16,
    n_generate: Annotated[int, typer.Option("--n-generate", help="CoTACS candidates (paper: 300).")] = 6,
    n_rank: Annotated[int, typer.Option("--n-rank", help="CoTACS ranking items (paper: the rest of at most 1000).")] = 24,
    max_resamples: Annotated[int, typer.Option("--max-resamples", help="CoTACS resamples per generating item.")] = 1,
    ranking: Annotated[str, typer.Option("--ranking", help="exhaustive (paper) or halving.")] = "exhaustive",
    bindings: opt.BindingsOption = "model,text,words",
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Run directory; rerunning with the same one resumes.")] = Path("runs/eval"),
    seed: opt.SeedOption = 0,
    model: opt.ModelOption = None,
    adapter: opt.AdapterOption = None,
    dtype: opt.DtypeOption = "float32",
    batch_size: opt.BatchSizeOption = 8,
    no_cache: opt.NoCacheOption = False,
    report_only: Annotated[bool, typer.Option("--report-only", help="Only rebuild the table and plots from the cells already saved in --out.")] = False,
) -> None:
    """Evaluate baselines, end-to-end CoGEX and CoTACS (emulate and hybrid) on the paper's tasks."""
    from cogex.cli.progress import stage_progress
    from cogex.evaluate.report import markdown_table, write_report
    from cogex.evaluate.run import METHODS, EvalSettings, evaluate
    from cogex.search import SearchSettings
    from cogex.tasks import list_tasks

    chosen_tasks = tuple(t.strip() for t in tasks.split(",")) if tasks else tuple(list_tasks())
    chosen_methods = tuple(m.strip() for m in methods.split(",")) if methods else METHODS
    with user_errors():
        binding_names = opt.parse_bindings(bindings)
    settings = EvalSettings(
        tasks=chosen_tasks, methods=chosen_methods, test_items=test_items, seed=seed,
        search=SearchSettings(n_generate=n_generate, n_rank=n_rank, k=3, max_resamples=max_resamples, ranking=ranking,
                              bindings=binding_names, seed=seed),
    )
    if report_only:
        from cogex.evaluate.run import saved_cells

        cells = saved_cells(settings, out_dir)
        paths = write_report(cells, settings, out_dir)
        out.print(markdown_table(cells, settings))
        console.print(f"{len(cells)} saved cells; written: " + ", ".join(str(p) for p in paths.values()))
        return
    with user_errors():
        cogex = build_backend(model, adapter, dtype=dtype, batch_size=batch_size, no_cache=no_cache)
        base = build_backend(model, "none", dtype=dtype, batch_size=batch_size, no_cache=no_cache)
        with stage_progress() as progress:
            cells = evaluate(settings, base=base, cogex=cogex, run_dir=out_dir, progress=progress)
        paths = write_report(cells, settings, out_dir)
    out.print(markdown_table(cells, settings))
    console.print("written: " + ", ".join(str(p) for p in paths.values()))


def register(app: typer.Typer) -> None:
    app.command("eval")(eval_command)
