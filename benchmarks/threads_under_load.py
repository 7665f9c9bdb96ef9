"""1 vs 2 torch threads for batched greedy generation, on a machine as it is now (idle or shared).

Runs the same 8 prompts x 48 new tokens with the embedded model at each thread count, alternating,
``--repeats`` times, and prints the median seconds and the ratio. Run it beside another CPU job
(e.g. a training run) to see why cogex defaults to the idle CPUs:

    python benchmarks/threads_under_load.py --repeats 3
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--dtype", default="auto")
    parser.add_argument("--threads", default="1,2")
    args = parser.parse_args()

    import torch

    from cogex import format as fmt
    from cogex.models.backend import GenerationConfig
    from cogex.models.factory import create_backend

    load_before = os.getloadavg()[0]
    backend = create_backend(dtype=args.dtype, cache=False, batch_size=8, threads=1)
    prompts = [fmt.reasoner_prompt("Add the two numbers.", f"{100 + i} {200 + 3 * i}") for i in range(8)]
    config = GenerationConfig(max_new_tokens=48)
    backend.generate(prompts[:2], config)  # warm-up
    counts = [int(t) for t in args.threads.split(",")]
    seconds: dict[int, list[float]] = {n: [] for n in counts}
    for _ in range(args.repeats):
        for n in counts:
            torch.set_num_threads(n)
            start = time.perf_counter()
            backend.generate(prompts, config)
            seconds[n].append(time.perf_counter() - start)
    medians = {n: statistics.median(v) for n, v in seconds.items()}
    report = {"model": backend.identity, "load_average_at_start": round(load_before, 2), "cpus": os.cpu_count(),
              "seconds": {str(n): [round(x, 2) for x in v] for n, v in seconds.items()},
              "median_seconds": {str(n): round(m, 2) for n, m in medians.items()}}
    if len(counts) == 2:
        report[f"ratio_{counts[1]}_over_{counts[0]}_threads"] = round(medians[counts[1]] / medians[counts[0]], 2)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
