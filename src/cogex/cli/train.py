"""``cogex train``: LoRA fine-tuning on CoGEX data (reasoner + emulator views), paper defaults."""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.table import Table

from cogex.cli import options as opt
from cogex.cli.common import console, print_json, usage_error, user_errors


def _split_list(value: str, what: str) -> tuple[str, ...]:
    items = tuple(part.strip() for part in value.split(",") if part.strip())
    if not items:
        usage_error(f"{what} must name at least one item (comma-separated)")
    return items


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def train_cmd(
    data: Annotated[
        Optional[str],
        typer.Argument(
            help="CoGEX data in the public schema (instruction, input, code_prompt, code_output): a .jsonl/.json "
            "file, a folder of *.jsonl files, or a Hub dataset name (e.g. mkhalifa/CoGEX; needs network). "
            "Default: the shipped seed set.",
            show_default=False,
        ),
    ] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder for the best adapter and training_summary.json.")] = Path(
        "cogex-lora"
    ),
    model: opt.ModelOption = None,
    adapter: Annotated[
        Optional[str],
        typer.Option(
            "--adapter",
            help="Continue training this PEFT LoRA adapter folder. Default: a fresh LoRA on the base model "
            "(the shipped adapter is NOT used as a starting point).",
        ),
    ] = None,
    epochs: Annotated[float, typer.Option("--epochs", help="Training epochs (paper: 5).")] = 5.0,
    batch_size: Annotated[int, typer.Option("--batch-size", help="Sequences per device per forward pass.")] = 4,
    effective_batch: Annotated[
        int, typer.Option("--effective-batch", help="Sequences per optimiser step = batch size x accumulation x devices (paper: 32).")
    ] = 32,
    grad_accum: Annotated[
        Optional[int], typer.Option("--grad-accum", help="Gradient accumulation steps; overrides --effective-batch.")
    ] = None,
    lr: Annotated[float, typer.Option("--lr", help="Peak learning rate, linear decay after a short warmup (paper: 3e-4).")] = 3e-4,
    warmup: Annotated[float, typer.Option("--warmup", help="Warmup: a fraction of the steps if < 1, else a number of steps.")] = 0.03,
    lora_r: Annotated[int, typer.Option("--lora-r", help="LoRA rank (paper: 16).")] = 16,
    lora_alpha: Annotated[int, typer.Option("--lora-alpha", help="LoRA alpha (paper: 32).")] = 32,
    lora_dropout: Annotated[float, typer.Option("--lora-dropout", help="LoRA dropout (paper: 0.05).")] = 0.05,
    target_modules: Annotated[
        str, typer.Option("--target-modules", help="Comma-separated module names to adapt (paper: q_proj,k_proj,v_proj,o_proj).")
    ] = "q_proj,k_proj,v_proj,o_proj",
    val_fraction: Annotated[
        float,
        typer.Option("--val-fraction", help="Fraction of instances held out (split by instance, seeded); 0 disables validation."),
    ] = 0.1,
    eval_steps: Annotated[
        Optional[int], typer.Option("--eval-steps", help="Evaluate every N optimiser steps instead of after every epoch.")
    ] = None,
    max_length: Annotated[
        int, typer.Option("--max-length", help="Max tokens per example; prompts are cut from the left, too-long completions dropped.")
    ] = 768,
    precision: Annotated[
        str, typer.Option("--precision", help="auto (bf16 autocast if the CPU/GPU supports it, else fp32 on CPU / fp16 on GPU), fp32, bf16 or fp16.")
    ] = "auto",
    max_steps: Annotated[Optional[int], typer.Option("--max-steps", help="Stop after this many optimiser steps (overrides --epochs).")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (LoRA init, data order).")] = 0,
    split_seed: Annotated[
        int,
        typer.Option("--split-seed", help="Seed of the validation split by instance. Keep it (and --val-fraction) when "
                     "continuing an adapter with --adapter, so its held-out instances stay out of training."),
    ] = 0,
    merge: Annotated[bool, typer.Option("--merge", help="Also write merged full weights to OUTPUT/merged (usable with --model).")] = False,
    modes: Annotated[
        str, typer.Option("--modes", help="Training views per instance, comma-separated (paper: reasoner,emulator).")
    ] = "reasoner,emulator",
    group_by_length: Annotated[
        bool, typer.Option("--group-by-length", help="Batch examples of similar length together (less padding; faster on CPU).")
    ] = False,
    threads: Annotated[
        Optional[int],
        typer.Option("--threads", help="CPU threads for torch (default: torch's choice). On a busy machine 1 can be several times faster."),
    ] = None,
    limit: Annotated[Optional[int], typer.Option("--limit", help="Use only the first N instances.")] = None,
    save_steps: Annotated[
        int, typer.Option("--save-steps", help="Write a full checkpoint (weights, optimiser, scheduler, data position) every N optimiser steps, for --resume; 0 disables.")
    ] = 20,
    resume: Annotated[
        Optional[Path],
        typer.Option("--resume", help="Continue the run in this folder from its last checkpoint, with the settings it was started with (only --threads, --progress and --max-steps may change; a new --max-steps shortens or extends the run, the learning rate then decaying to its new last step).", show_default=False),
    ] = None,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Show the progress bar.")] = True,
    json_out: Annotated[bool, typer.Option("--json", help="Print the training summary as JSON on stdout.")] = False,
) -> None:
    """Fine-tune a LoRA adapter so the model writes, calls and emulates CoGEX programs.

    Every instance is trained in both views (reasoner: instruction -> program, call, output; emulator: instruction + program -> call, output). The adapter with the lowest validation perplexity is kept, as in the CoGEX paper.
    """
    from transformers.utils import logging as hf_logging

    from cogex.train import TrainConfig, train_lora

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*")  # library noise
    if resume is not None:
        from cogex.train.lora import resume_config

        with user_errors():
            config = resume_config(resume, threads=threads, progress=progress, max_steps=max_steps)
            result = train_lora(config)
        if os.environ.get("RANK", "0") == "0":
            if json_out:
                print_json(result.to_json())
            _print_summary(result)
        return
    config = TrainConfig(
        data=data,
        output_dir=str(output),
        model=model,
        adapter=adapter,
        modes=_split_list(modes, "--modes"),
        lora_r=lora_r,
        lora_alpha=lora_alpha,
        lora_dropout=lora_dropout,
        target_modules=_split_list(target_modules, "--target-modules"),
        epochs=epochs,
        batch_size=batch_size,
        effective_batch=effective_batch,
        grad_accum=grad_accum,
        lr=lr,
        warmup=warmup,
        val_fraction=val_fraction,
        eval_steps=eval_steps,
        max_length=max_length,
        precision=precision,
        seed=seed,
        split_seed=split_seed,
        max_steps=max_steps,
        merge=merge,
        limit=limit,
        threads=threads,
        group_by_length=group_by_length,
        progress=progress,
        save_steps=save_steps or None,
    )
    with user_errors():
        config.validate()
        result = train_lora(config)
    if os.environ.get("RANK", "0") != "0":  # distributed run: only the main process reports
        return
    if json_out:
        print_json(result.to_json())
    _print_summary(result)


def _print_summary(result: Any) -> None:
    if result.skipped_records:
        console.print(f"[yellow]skipped {len(result.skipped_records)} unusable record(s)[/], e.g. {result.skipped_records[0]}")
    if result.dropped_examples:
        console.print(f"[yellow]dropped {result.dropped_examples} example(s) whose completion does not fit --max-length[/]")
    history = Table(title="Validation (completion-only perplexity)")
    for column in ("epoch", "step", "train loss", "val perplexity"):
        history.add_column(column, justify="right")
    for row in result.history:
        history.add_row(_fmt(row["epoch"], 2), str(row["step"]), _fmt(row["train_loss"], 4), _fmt(row["val_perplexity"]))
    console.print(history)

    table = Table(title="cogex train", show_header=False)
    table.add_column("", style="bold")
    table.add_column("")
    base, best = result.base_val_perplexity, result.best_val_perplexity
    table.add_row("data", f"{result.data} (sha256 {result.data_hash[:12]})")
    table.add_row("instances", f"{result.n_instances} ({result.n_train_instances} train / {result.n_val_instances} validation)")
    table.add_row("examples", f"{result.n_train_examples} train / {result.n_val_examples} validation")
    start = "start val perplexity (--adapter)" if result.config.get("adapter") not in (None, "none") else "base val perplexity"
    table.add_row(start, _fmt(base))
    best_text = _fmt(best)
    if best is not None and result.best_epoch is not None:
        best_text += f" (epoch {result.best_epoch:g}, step {result.best_step})"
    table.add_row("best val perplexity", best_text)
    table.add_row("steps / epochs", f"{result.steps} / {result.epochs:g}")
    table.add_row("time", f"{result.train_time_s:.1f} s ({result.tokens_per_second:.0f} tokens/s, {result.precision})")
    table.add_row("adapter", result.adapter_path)
    if result.merged_path:
        table.add_row("merged model", result.merged_path)
    console.print(table)
    if not result.merged_path:
        console.print(f"Use it with: cogex ask --adapter {result.adapter_path} \"...\"")


def register(app: typer.Typer) -> None:
    app.command("train")(train_cmd)

