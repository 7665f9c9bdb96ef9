"""``cogex eval``: methods x tasks -> results.json (accuracy, 95% CI, p-values, answer
distributions) and the markdown table, CSV and plots rendered from it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from cogex.cli import options as opt
from cogex.search.cotacs import SearchSettings
from cogex.cli.common import backend_from, check_cache_location, console, fail, out, plain, usage_error, user_errors

TASKS_HELP = ("Comma-separated tasks: paper task names, shipped held-out task names, task config .yaml files, or the"
              " groups 'paper' (the nine), 'heldout' and 'dev' (default: paper).")
METHODS_HELP = ("Comma-separated: majority, zero_shot, zero_shot_cot, few_shot_bm25, cogex, cotacs_k1, cotacs_k3,"
                " cotacs_hybrid_k1, cotacs_hybrid_k3 (default: all).")


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _methods(methods: str | None) -> tuple[str, ...]:
    """The chosen methods (default: all); exits 2 on an unknown name."""
    from cogex.evaluate.run import METHODS, UnknownChoiceError, check_methods

    try:
        return check_methods(_split(methods)) if _split(methods) else METHODS
    except UnknownChoiceError as exc:
        usage_error(str(exc))


def _tasks(tasks: str | None) -> tuple[list[Any], list[str]]:
    """The resolved tasks and the task arguments with groups expanded (default: the paper's
    nine); exits 2 on an unknown name and 1 on a bad task config file, before any model loads."""
    from cogex.evaluate.run import UnknownChoiceError, expand_task_specs, resolve_tasks

    specs = _split(tasks) or ["paper"]
    try:
        return resolve_tasks(specs), expand_task_specs(specs)
    except UnknownChoiceError as exc:
        usage_error(str(exc))
    except (ValueError, OSError) as exc:  # TaskConfigError, two tasks with one name, unreadable task data
        fail(str(exc) or type(exc).__name__)


def _report_only(out_dir: Path, tasks: str | None, methods: str | None) -> None:
    """Rebuild results.json, the tables and plots from saved cells; write nothing without any."""
    from cogex.evaluate.report import write_report
    from cogex.evaluate.results import build_results
    from cogex.evaluate.run import saved_cells

    if not out_dir.exists():
        fail(f"run directory {out_dir} does not exist; run `cogex eval --out {out_dir}` first")
    if not out_dir.is_dir():
        fail(f"{out_dir} is not a directory")
    names = [t.name for t in _tasks(tasks)[0]] if _split(tasks) else None
    chosen_methods = _methods(methods) if _split(methods) else None
    cells = saved_cells(out_dir, names, chosen_methods)
    if not cells:
        scope = " for these tasks/methods" if names or chosen_methods else ""
        fail(f"no saved cells in {out_dir}{scope}; nothing was written")
    with user_errors():
        paths = write_report(build_results(out_dir, cells), out_dir)
    out.print(paths["markdown"].read_text(encoding="utf-8"), markup=False, highlight=False, soft_wrap=True)
    console.print(plain(f"{len(cells)} saved cells; written: " + ", ".join(str(p) for p in paths.values())), soft_wrap=True)


@opt.backend_options
@opt.search_options(exclude=("k", "executor"))
def eval_command(
    tasks: Annotated[Optional[str], typer.Option("--tasks", help=TASKS_HELP)] = None,
    methods: Annotated[Optional[str], typer.Option("--methods", help=METHODS_HELP)] = None,
    test_items: Annotated[int, typer.Option("--test-items", min=1, help="Test items per task, the same for every method (the whole test split when smaller).")] = 100,
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Run directory; rerunning with the same one resumes.")] = Path("runs/eval"),
    seed: opt.SeedOption = 0,
    quiet: opt.QuietOption = False,
    report_only: Annotated[bool, typer.Option("--report-only", help="Only rebuild results.json, the table and plots from the cells saved in --out (all of them unless --tasks/--methods).")] = False,
    *,
    search_settings: SearchSettings,
    backend_args: opt.BackendArgs,
) -> None:
    """Evaluate baselines, end-to-end CoGEX and CoTACS on any tasks, with bootstrap CIs and p-values."""
    if report_only:
        _report_only(out_dir, tasks, methods)
        return
    from cogex.cli.progress import StageProgress
    from cogex.evaluate.report import write_report
    from cogex.evaluate.results import build_results
    from cogex.evaluate.run import EvalSettings, evaluate, needs_models

    chosen_methods = _methods(methods)
    chosen_tasks, specs = _tasks(tasks)
    if out_dir.exists() and not out_dir.is_dir():
        fail(f"--out {out_dir} exists and is not a directory")
    with user_errors():
        settings = EvalSettings(
            tasks=tuple(specs), methods=chosen_methods, test_items=test_items, seed=seed,
            # Each CoTACS method sets its executor and k (k1 methods use the top program of the k=3 search).
            search=replace(search_settings, k=3, seed=seed).validate(),
        )
    need_base, need_cogex = needs_models(chosen_methods)
    if need_base or need_cogex:
        check_cache_location(backend_args.no_cache)
    progress = StageProgress(quiet=quiet)
    with user_errors():
        cogex = backend_from(backend_args, on_calls=progress.model_calls, on_tokens=progress.tokens) if need_cogex else None
        # The base model is the same model without the CoGEX adapter.
        base = backend_from(replace(backend_args, adapter="none", prompting="trained"), on_calls=progress.model_calls, on_tokens=progress.tokens) if need_base else None
        with progress:
            cells = evaluate(settings, base=base, cogex=cogex, run_dir=out_dir, tasks=chosen_tasks, progress=progress)
        paths = write_report(build_results(out_dir, cells), out_dir)
    out.print(paths["markdown"].read_text(encoding="utf-8"), markup=False, highlight=False, soft_wrap=True)
    console.print(plain("written: " + ", ".join(str(p) for p in paths.values())), soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("eval")(eval_command)
