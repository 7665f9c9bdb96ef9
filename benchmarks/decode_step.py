"""The decode step's two costs besides the weights, each against what transformers does by default.

* KV cache: transformers' ``DynamicLayer`` (what ``model.generate`` and a plain ``DynamicCache``
  use) copies the whole cache on every decode step; :class:`~cogex.models.kv_cache.RoomyLayer`
  writes each new position into preallocated room (``--room``).
* Attention: transformers' ``sdpa`` against ``cogex_sdpa`` (:mod:`cogex.models.attention`:
  decode steps as two batched matmuls).

The four combinations decode the same grouped emulator prompts (4 programs, each over its items,
continuous batching, shared prefixes) with the embedded model, alternating, ``--repeats`` times.
Printed: median seconds, each ratio against transformers' defaults (concatenation + sdpa), and
how many texts differ from that reference (bf16 rounds differently in a different kernel).

    python benchmarks/decode_step.py --batch-size 32 --repeats 3 --threads 1
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

PROGRAMS = [
    ("Decide whether the coin is still heads up.",
     "def coin_still_heads(text):\n    \"\"\"Track the coin through the flips.\"\"\"\n    # Step 1: Count the flips.\n"
     "    flips = text.count('flips')\n    # Step 2: Heads up after an even number of flips.\n"
     "    return {'flips': flips, 'answer': 'yes' if flips % 2 == 0 else 'no'}"),
    ("Sort the words alphabetically.",
     "def sort_words(words):\n    \"\"\"Sort the words.\"\"\"\n    # Step 1: Split.\n    items = words.split()\n"
     "    # Step 2: Sort.\n    return {'items': items, 'answer': ' '.join(sorted(items))}"),
    ("Add the numbers in the list.",
     "def add_numbers(numbers):\n    \"\"\"Add the numbers.\"\"\"\n    # Step 1: Parse.\n    values = [int(x) for x in numbers.split()]\n"
     "    # Step 2: Sum.\n    return {'values': values, 'answer': sum(values)}"),
    ("Count the vowels in the word.",
     "def count_vowels(word):\n    \"\"\"Count vowels.\"\"\"\n    # Step 1: Keep vowels.\n    vowels = [c for c in word if c in 'aeiou']\n"
     "    # Step 2: Count.\n    return {'vowels': vowels, 'answer': len(vowels)}"),
]

WORDS = "apple river stone cloud maple tiger ocean piano lemon candle forest silver rocket garden".split()


def inputs(program: int, n: int) -> list[str]:
    """``n`` varied inputs for program ``program`` (deterministic)."""
    out = []
    for i in range(n):
        if program == 0:
            out.append(" ".join(f"Person {j} {'flips' if (i + j) % 3 else 'does not flip'} the coin." for j in range(1 + i % 5)))
        elif program == 1:
            out.append(" ".join(WORDS[(i * 3 + j) % len(WORDS)] for j in range(3 + i % 6)))
        elif program == 2:
            out.append(" ".join(str(17 * i + 5 * j + 3) for j in range(2 + i % 5)))
        else:
            out.append(WORDS[i % len(WORDS)] * (1 + i % 3))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--items", type=int, default=16, help="items per program (4 programs)")
    parser.add_argument("--max-new-tokens", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--room", type=int, default=256, help="cogex's preallocated positions per reallocation")
    parser.add_argument("--dtype", default="auto")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/decode_step.json"))
    args = parser.parse_args()

    import torch

    from cogex import format as fmt
    from cogex.models.attention import use_decode_attention
    from cogex.models.backend import GenerationConfig
    from cogex.models.factory import create_backend
    from cogex.models.transformers_backend import TransformersBackend

    base = create_backend(dtype=args.dtype, cache=False, batch_size=args.batch_size, threads=args.threads)
    combos = {f"{cache}+{attention}": (room, attention == "cogex_sdpa")
              for cache, room in (("concat", 0), ("room", args.room)) for attention in ("sdpa", "cogex_sdpa")}
    reference = "concat+sdpa"
    groups = [(fmt.emulator_prefix(instruction, program), [fmt.emulator_suffix(x) for x in inputs(p, args.items)])
              for p, (instruction, program) in enumerate(PROGRAMS)]
    config = GenerationConfig(max_new_tokens=args.max_new_tokens, stop=fmt.STOP_STRINGS)
    base.generate_grouped([(groups[0][0], groups[0][1][:2])], config)  # warm-up
    seconds: dict[str, list[float]] = {name: [] for name in combos}
    texts: dict[str, list[str]] = {}
    tokens: dict[str, int] = {}
    load = os.getloadavg()[0]
    try:
        for _ in range(args.repeats):
            for name, (room, decode) in combos.items():
                use_decode_attention(base.model, decode)
                engine = TransformersBackend(base.model, base.tokenizer, batch_size=args.batch_size, kv_room=room)
                start = time.perf_counter()
                out = engine.generate_grouped(groups, config)
                seconds[name].append(time.perf_counter() - start)
                texts[name] = [c.text for group in out for c in group]
                tokens[name] = engine.usage()["generated_tokens"]
    finally:
        use_decode_attention(base.model, False)
    median = {name: statistics.median(s) for name, s in seconds.items()}
    report = {
        "settings": vars(args) | {"out": str(args.out)},
        "model": base.identity,
        "torch_threads": torch.get_num_threads(),
        "load_average_at_start": round(load, 2),
        "rows": sum(len(s) for _, s in groups),
        "generated_tokens": tokens,
        "seconds": {name: [round(s, 2) for s in runs] for name, runs in seconds.items()},
        "median_seconds": {name: round(m, 2) for name, m in median.items()},
        "speedup_vs_concat_sdpa_x": {name: round(median[reference] / m, 3) for name, m in median.items()},
        "texts_differing_from_concat_sdpa": {name: sum(a != b for a, b in zip(texts[reference], t)) for name, t in texts.items()},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps({k: report[k] for k in ("rows", "median_seconds", "speedup_vs_concat_sdpa_x",
                                             "texts_differing_from_concat_sdpa")}, indent=1))
    print(f"written: {args.out}")


if __name__ == "__main__":
    main()
