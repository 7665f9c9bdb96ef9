"""``cogex apply``: run a saved program (k = 1 or 3) on one input, a file, or a task split."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from cogex.cli import options as opt
from cogex.cli import tasks_option as topt
from cogex.cli.common import build_backend, console, out, print_json, user_errors


def apply(
    program_json: Annotated[Path, typer.Argument(help="program.json written by cogex search (or its run directory).")],
    input_text: Annotated[Optional[str], typer.Option("--input", "-i", help="Apply to this one input.")] = None,
    task: Annotated[Optional[str], typer.Option("--task", help="Apply to a task split (default: the program's task).")] = None,
    split: Annotated[str, typer.Option("--split", help="search (the ranking items the program was chosen on) or test.")] = "test",
    limit: Annotated[Optional[int], typer.Option("--limit", help="At most this many items (deterministic subset).")] = None,
    file: Annotated[Optional[Path], typer.Option("--file", help="Apply to a JSONL/CSV file (column mapping below).")] = None,
    input_column: topt.InputColumnOption = "input",
    target_column: topt.TargetColumnOption = "target",
    executor: Annotated[Optional[str], typer.Option("--executor", help="emulate, python or hybrid (default: the one used in search).")] = None,
    out_file: Annotated[Optional[Path], typer.Option("--out", "-o", help="Write per-item predictions (JSONL).")] = None,
    seed: opt.SeedOption = 0,
    model: opt.ModelOption = None,
    adapter: opt.AdapterOption = None,
    backend: opt.BackendOption = "transformers",
    base_url: opt.BaseUrlOption = None,
    api_key: opt.ApiKeyOption = None,
    dtype: opt.DtypeOption = "float32",
    batch_size: opt.BatchSizeOption = 8,
    no_cache: opt.NoCacheOption = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Run the program(s) of a CoTACS artifact; majority vote when it holds 3; accuracy when labelled."""
    from cogex.cli.progress import stage_progress
    from cogex.search.apply import apply_program, items_for
    from cogex.search.cotacs import load_program

    with user_errors():
        record = load_program(program_json)
        items, task_obj = items_for(record, input_text=input_text, task=task, split=split, limit=limit, file=file,
                                    input_column=input_column, target_column=target_column, seed=seed)
        model_backend = build_backend(model, adapter, backend=backend, base_url=base_url, api_key=api_key,
                                      dtype=dtype, batch_size=batch_size, no_cache=no_cache)
        with stage_progress() as progress:
            result = apply_program(model_backend, record, items, task_obj, executor=executor, progress=progress)
    if out_file is not None:
        with out_file.open("w", encoding="utf-8") as handle:
            for row in result["predictions"]:
                handle.write(json.dumps(row, ensure_ascii=False, default=repr) + "\n")
    if as_json:
        print_json(result)
        return
    if input_text is not None:
        row = result["predictions"][0]
        out.print(f"[bold green]answer:[/] {row['prediction']!r}  (paths: {', '.join(row['paths'])})")
        return
    acc = result["accuracy"]
    console.print(f"{len(items)} items; accuracy {'n/a' if acc is None else f'{acc:.3f}'}; paths {result['paths']}")


def register(app: typer.Typer) -> None:
    app.command("apply")(apply)
