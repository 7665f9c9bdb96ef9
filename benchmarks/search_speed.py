"""Benchmark: naive vs optimised CoTACS search, measured in one process run.

naive      one generate call per prompt (batch 1), the emulator prompt recomputed in full for
           every item (no prefix KV reuse), exhaustive ranking (the paper's procedure)
optimised  batched generation across programs, the instruction + program prefix computed once
           per program and its KV cache shared by all its items, successive-halving ranking

Both use the embedded model, the same task, items, seed and candidates-generation settings, and no
persistent call cache (so nothing is free). Prints emulations per second, model calls, wall time,
their ratios, and the accuracy of each chosen program on the ranking set and on held-out dev items.

    python benchmarks/search_speed.py --task coin_flip --n-generate 6 --n-rank 24
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace
from pathlib import Path
from typing import Sequence

from cogex.models.backend import Backend, Completion, GenerationConfig
from cogex.models.factory import create_backend
from cogex.search import SearchSettings, run_search
from cogex.search.cotacs import score
from cogex.execute.executors import make_executor
from cogex.generate.modes import EMULATOR_CONFIG
from cogex.tasks import get_task


class MeteredBackend(Backend):
    """Counts prompts and time per kind of call; ``naive`` sends one prompt per call, no reuse."""

    def __init__(self, inner: Backend, *, naive: bool) -> None:
        self.inner, self.naive, self.identity = inner, naive, inner.identity
        self.calls = {"generate": 0, "emulate": 0}
        self.seconds = {"generate": 0.0, "emulate": 0.0}

    def _timed(self, kind: str, n: int, fn):  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        result = fn()
        self.seconds[kind] += time.perf_counter() - start
        self.calls[kind] += n
        return result

    def generate(self, prompts: Sequence[str], config: GenerationConfig) -> list[Completion]:
        if self.naive:
            return self._timed("generate", len(prompts), lambda: [self.inner.generate([p], config)[0] for p in prompts])
        return self._timed("generate", len(prompts), lambda: self.inner.generate(prompts, config))

    def generate_shared_prefix(self, prefix: str, suffixes: Sequence[str], config: GenerationConfig) -> list[Completion]:
        if self.naive:
            return self._timed("emulate", len(suffixes),
                               lambda: [self.inner.generate([prefix + s], config)[0] for s in suffixes])
        return self._timed("emulate", len(suffixes), lambda: self.inner.generate_shared_prefix(prefix, suffixes, config))

    def generate_grouped(self, groups: Sequence[tuple[str, Sequence[str]]], config: GenerationConfig) -> list[list[Completion]]:
        if self.naive:
            return [self.generate_shared_prefix(prefix, suffixes, config) for prefix, suffixes in groups]
        n = sum(len(suffixes) for _, suffixes in groups)
        return self._timed("emulate", n, lambda: self.inner.generate_grouped(groups, config))

    def describe(self) -> dict:  # type: ignore[type-arg]
        return {**self.inner.describe(), "naive": self.naive}


def held_out_items(task, settings: SearchSettings, n_dev: int) -> list:  # type: ignore[no-untyped-def]
    """``n_dev`` search-split items used neither to generate nor to rank (nested subsets)."""
    from cogex.search.cotacs import split_items

    used = {e.id for part in split_items(task, settings) for e in part}
    pool = task.examples("search", limit=settings.n_generate + settings.n_rank + n_dev, seed=settings.seed)
    return [e for e in pool if e.id not in used][:n_dev]


def accuracy(backend: Backend, task, program: str, items: list, settings: SearchSettings) -> float:  # type: ignore[no-untyped-def]
    """Exact-match accuracy of one program on ``items`` with the search's executor and decoding."""
    config = EMULATOR_CONFIG.with_(temperature=settings.emu_temperature, max_new_tokens=settings.emu_max_new_tokens, seed=settings.seed)
    results = make_executor(settings.executor, backend, config=config).run(task.instruction, program, [e.input for e in items])
    marks = score(task, results, items)
    return sum(marks) / len(marks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--task", default="coin_flip")
    parser.add_argument("--n-generate", type=int, default=6)
    parser.add_argument("--n-rank", type=int, default=24)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--executor", default="emulate")
    parser.add_argument("--halving-min-items", type=int, default=4)
    parser.add_argument("--halving-eta", type=int, default=2)
    parser.add_argument("--dev-items", type=int, default=48, help="held-out search items for the dev accuracy")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/search_speed.json"))
    args = parser.parse_args()

    task = get_task(args.task)
    base_settings = SearchSettings(n_generate=args.n_generate, n_rank=args.n_rank, k=1, seed=args.seed, executor=args.executor,
                                   halving_min_items=args.halving_min_items, halving_eta=args.halving_eta)
    inner = create_backend(batch_size=args.batch_size, cache=False)
    runs = {}
    for name, naive, ranking in (("naive", True, "exhaustive"), ("optimised", False, "halving")):
        backend = MeteredBackend(inner, naive=naive)
        settings = replace(base_settings, ranking=ranking)
        start = time.perf_counter()
        record = run_search(backend, task, settings).program.to_json()
        wall = time.perf_counter() - start
        runs[name] = {
            "wall_seconds": round(wall, 1),
            "model_calls": backend.calls["generate"] + backend.calls["emulate"],
            "emulations": backend.calls["emulate"],
            "emulations_per_second": round(backend.calls["emulate"] / max(backend.seconds["emulate"], 1e-9), 3),
            "chosen_rank_score": record["programs"][0]["rank_score"],
            "chosen_program": record["programs"][0]["program"],
        }
    # Rank-set accuracy: the chosen program's score on every ranking item (both rankings end on the
    # full set). It favours exhaustive ranking by construction: that is the maximum over this set.
    # Dev accuracy: the chosen program on held-out items neither search saw.
    reference = MeteredBackend(inner, naive=False)
    dev_items = held_out_items(task, base_settings, args.dev_items)
    scored: dict[str, float] = {}
    for name in runs:
        program = runs[name]["chosen_program"]
        if program not in scored:
            scored[program] = round(accuracy(reference, task, program, dev_items, base_settings), 4)
        runs[name]["rank_set_accuracy"] = round(runs[name]["chosen_rank_score"], 4)
        runs[name]["dev_accuracy"] = scored[program]
    naive, fast = runs["naive"], runs["optimised"]
    ratios = {
        "emulation_throughput_x": round(fast["emulations_per_second"] / max(naive["emulations_per_second"], 1e-9), 2),
        "fewer_model_calls_x": round(naive["model_calls"] / max(fast["model_calls"], 1), 2),
        "wall_time_speedup_x": round(naive["wall_seconds"] / max(fast["wall_seconds"], 1e-9), 2),
        "dev_accuracy_gap_points": round(100 * (fast["dev_accuracy"] - naive["dev_accuracy"]), 1),
        "rank_set_accuracy_gap_points": round(100 * (fast["rank_set_accuracy"] - naive["rank_set_accuracy"]), 1),
        "same_program": fast["chosen_program"] == naive["chosen_program"],
    }
    report = {"task": args.task, "settings": vars(args) | {"out": str(args.out)}, "model": inner.identity, "runs": runs, "ratios": ratios}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"{'':12}{'naive':>12}{'optimised':>12}{'ratio':>10}")
    print(f"{'emul/s':12}{naive['emulations_per_second']:>12}{fast['emulations_per_second']:>12}{ratios['emulation_throughput_x']:>10}")
    print(f"{'model calls':12}{naive['model_calls']:>12}{fast['model_calls']:>12}{ratios['fewer_model_calls_x']:>10}")
    print(f"{'wall s':12}{naive['wall_seconds']:>12}{fast['wall_seconds']:>12}{ratios['wall_time_speedup_x']:>10}")
    print(f"{'rank-set acc':12}{naive['rank_set_accuracy']:>12}{fast['rank_set_accuracy']:>12}{ratios['rank_set_accuracy_gap_points']:>10}")
    print(f"{'dev acc':12}{naive['dev_accuracy']:>12}{fast['dev_accuracy']:>12}{ratios['dev_accuracy_gap_points']:>10}")
    print(f"same program: {ratios['same_program']}   ({len(dev_items)} held-out dev items)")
    print(f"written: {args.out}")


if __name__ == "__main__":
    main()
