"""Benchmark: float32 vs bfloat16 for the matrix multiplies of SmolLM2-135M on this CPU, one run.

``--dtype auto`` and ``--precision auto`` pick bf16 only where the CPU computes it natively
(AVX512-BF16 / AMX); elsewhere torch runs bf16 matmuls in a fallback kernel. This measures both on
the model's own shapes (hidden 576, MLP 1536) at decode (8 rows), prefill and training (1,600
rows) sizes, and a LoRA-style forward + backward under bf16 autocast, and prints bf16 time / fp32
time for each, so "is bf16 faster here?" is a measured answer on the machine at hand.

    python benchmarks/bf16_matmul.py --threads 1
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Callable

import torch

from cogex.models.hardware import cpu_supports_bf16


def median_ms(fn: Callable[[], object], repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return sorted(times)[len(times) // 2]


def ratio_row(fp32_ms: float, bf16_ms: float) -> dict[str, float]:
    return {"fp32_ms": round(fp32_ms, 2), "bf16_ms": round(bf16_ms, 2), "bf16_over_fp32": round(bf16_ms / fp32_ms, 2)}


def linear_case(rows: int, dtype: torch.dtype, repeats: int) -> float:
    x = torch.randn(rows, 576, dtype=dtype)
    w = torch.randn(1536, 576, dtype=dtype)
    return median_ms(lambda: torch.nn.functional.linear(x, w), repeats)


def train_case(rows: int, autocast: bool, repeats: int) -> float:
    """A frozen 576 -> 1536 projection: forward and the backward to its input, as LoRA training does."""
    layer = torch.nn.Linear(576, 1536, bias=False).requires_grad_(False)
    x = torch.randn(rows, 576, requires_grad=True)

    def step() -> None:
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=autocast):
            y = layer(x)
        y.float().sum().backward()

    return median_ms(step, repeats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/bf16_matmul.json"))
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    rows: dict[str, dict[str, float]] = {}
    for label, n in (("decode, 8 rows", 8), ("prefill, 256 rows", 256), ("training batch, 1600 rows", 1600)):
        rows[f"linear 576->1536, {label}"] = ratio_row(linear_case(n, torch.float32, args.repeats),
                                                       linear_case(n, torch.bfloat16, args.repeats))
    rows["forward + backward, 1600 rows (fp32 vs bf16 autocast)"] = ratio_row(
        train_case(1600, False, args.repeats), train_case(1600, True, args.repeats))

    result = {
        "cpu_native_bf16": cpu_supports_bf16(),
        "cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "torch": torch.__version__,
        "threads": args.threads,
        "cases": rows,
    }
    for name, row in rows.items():
        print(f"{name:60s} fp32 {row['fp32_ms']:9.2f} ms  bf16 {row['bf16_ms']:9.2f} ms  bf16/fp32 {row['bf16_over_fp32']:6.2f}")
    print(f"native bf16 on this CPU: {result['cpu_native_bf16']} (torch CPU capability {result['cpu_capability']})")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
