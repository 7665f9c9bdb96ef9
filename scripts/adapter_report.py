"""Measure a CoGEX adapter on held-out seed instances (the numbers in the model card).

* validation perplexity of the base model and of the adapter (completion tokens, both views),
  recomputed here on the held-out split that training used;
* the share of held-out seed instructions for which reasoner mode gives a parseable CoGEX result
  (``error`` null): for the single greedy answer (``cogex ask --retries 0``) and after each
  retry (``cogex ask`` samples a malformed answer again at t=0.7, twice by default). The prompt,
  decoding settings, retry seeds and parser are exactly those of ``cogex ask --json``;
* exact answers: emulated (the model writes the output, as in the paper) and executed (the
  written call run in the sandbox, the model answering only undefined helpers: ``cogex ask
  --executor hybrid``), each against the instance's recorded answer.

    python scripts/adapter_report.py --adapter src/cogex/resources/adapter --n 50
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path

from cogex.cli.ask import DEFAULT_RETRIES
from cogex.execute.single import execute_written_call
from cogex.generate.modes import REASONER_CONFIG, reason_with_retries
from cogex.models.factory import create_backend
from cogex.models.loading import ModelSpec, load_model
from cogex.train.examples import build_examples, load_instances, split_by_instance
from cogex.train.perplexity import validation_perplexity


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--adapter", type=Path, required=True)
    parser.add_argument("--n", type=int, default=50, help="held-out instructions to ask")
    parser.add_argument("--val-fraction", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=0, help="seed of the validation split (cogex train --split-seed)")
    parser.add_argument("--max-length", type=int, default=512)
    parser.add_argument("--retries", type=int, default=4, help="report the parseable share after 0..RETRIES retries")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--skip-perplexity", action="store_true",
                        help="only the ask measurements (the trainer's own validation perplexity is in training_progress.json)")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    parser.add_argument("--dtype", default="auto", help="weights dtype for the asking (auto = bf16 where native)")
    args = parser.parse_args()

    source = load_instances(None)
    _, val_idx = split_by_instance(len(source.instances), args.val_fraction, args.seed)
    held_out = [source.instances[i] for i in val_idx]
    report: dict = {"data_hash": source.data_hash, "n_instances": len(source.instances), "n_held_out": len(held_out)}

    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    for name, adapter in () if args.skip_perplexity else (("base", "none"), ("adapter", str(args.adapter))):
        model, tokenizer = load_model(ModelSpec(adapter=adapter))
        examples = build_examples(held_out, tokenizer, max_length=args.max_length).examples
        report[f"{name}_val_perplexity"] = round(validation_perplexity(model, tokenizer, examples), 4)
        del model

    backend = create_backend(adapter=str(args.adapter), dtype=args.dtype, cache=False, batch_size=8)
    asked = held_out[: args.n]
    start = time.time()
    # The prompt, decoding settings, retry seeds and parser of `cogex ask`, batched (results do
    # not depend on batching: per-prompt seeds, see tests/test_model.py).
    reasoned = reason_with_retries(backend, [(inst.instruction, inst.input) for inst in asked], REASONER_CONFIG, retries=args.retries)
    results = [r for r, _ in reasoned]
    errors = Counter(r.error.value if r.error else "none" for r in results)
    by_retries = {str(n): sum(1 for r, a in reasoned if r.ok and a <= n + 1) for n in range(args.retries + 1)}
    first_try = by_retries["0"]
    report["ask"] = {
        "model": backend.identity,
        "n": len(asked),
        "parseable_greedy": first_try,
        "parseable_greedy_fraction": round(first_try / len(asked), 4),
        "parseable_after_retries": by_retries,
        "parseable_with_default_retries": by_retries.get(str(DEFAULT_RETRIES)),
        "errors_after_all_retries": dict(errors),
        "answer_exact": sum(1 for r, inst in zip(results, asked) if r.ok and inst.output and r.answer == inst.output.get("answer")),
        "answer_exact_greedy": sum(1 for (r, a), inst in zip(reasoned, asked)
                                   if a == 1 and r.ok and inst.output and r.answer == inst.output.get("answer")),
        "seconds": round(time.time() - start, 1),
    }
    # The same answers, their calls run for real (the model answers only undefined helpers).
    start = time.time()
    executed = [execute_written_call(r, "hybrid", backend, inst.instruction) for r, inst in zip(results, asked)]
    report["ask"]["answer_exact_executed"] = sum(
        1 for (r, _), inst in zip(executed, asked) if r.ok and inst.output and r.answer == inst.output.get("answer"))
    report["ask"]["executed_paths"] = dict(Counter(path for _, path in executed))
    report["ask"]["executed_seconds"] = round(time.time() - start, 1)
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
