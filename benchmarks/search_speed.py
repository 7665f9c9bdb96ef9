"""Benchmark: the same CoTACS ranking through each engine a user could pick, in one process run.

The candidates are proposed once (cogex, the search's own settings); then the same candidates
are ranked exhaustively on the same items by:

hf_generate   transformers ``model.generate`` on left-padded batches of the full emulator
              prompts (``--batch-size`` per call, stop strings through ``stop_strings``): what a
              competent user writes
cogex_fixed   cogex's transformers backend with fixed batches (a batch shrinks as its rows finish):
              batches filled across programs, the instruction + program prefix computed once
              per program and its KV cache shared by its items
cogex         the same with continuous batching (the default): a finished row is replaced by
              a queued one at once, so the batch stays full
cogex_wide    cogex at ``--wide-batch-size`` rows (default 32): decoding reads every weight
              once per step, so more rows per step share that read
cogex_concat, cogex_wide_concat
              cogex and cogex_wide with the KV cache grown by concatenation on every step
              (transformers' DynamicLayer) instead of written into preallocated room
llama_server  (with ``--llama-server-url``) the OpenAI-compatible llama.cpp server on the same
              GGUF, through ``--backend openai``

and, as an algorithm change rather than an engine, ``cogex_halving`` (cogex with successive
halving). All use the same model weights and dtype and no call cache. For each path: emulations/s,
generated and prefill tokens/s, model calls, wall time, the chosen program's accuracy on the
ranking set and on held-out items, and decoding as a fraction of this machine's hardware bound
(measured matmul FLOP/s and memory bandwidth, with the arithmetic printed).

    python benchmarks/search_speed.py --task coin_flip --n-generate 16 --n-rank 48 --threads 1
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Sequence

from cogex.execute.executors import make_executor
from cogex.generate.modes import EMULATOR_CONFIG
from cogex.models.backend import Backend, Completion, GenerationConfig, cut_at_stop
from cogex.models.factory import create_backend
from cogex.models.transformers_backend import TransformersBackend
from cogex.search import SearchSettings
from cogex.search.cotacs import choose, propose, rank, score, split_items
from cogex.tasks import get_task


#: Every path the benchmark can run (``--paths``; llama_server needs ``--llama-server-url``).
PATHS = ("hf_generate", "cogex_fixed", "cogex", "cogex_concat", "cogex_wide", "cogex_wide_concat", "cogex_halving",
         "llama_server")
#: paths decoding ``--wide-batch-size`` rows per step
WIDE_PATHS = ("cogex_wide", "cogex_wide_concat")


class HFGenerateBackend(Backend):
    """Batched ``model.generate`` on the full prompts (no prefix reuse): the fair baseline."""

    def __init__(self, model: Any, tokenizer: Any, batch_size: int) -> None:
        self.model, self.tokenizer, self.batch_size = model, tokenizer, batch_size
        self.identity = "hf-generate"
        self.prompt_tokens = 0

    def generate(self, prompts: Sequence[str], config: GenerationConfig) -> list[Completion]:
        import torch

        tok = self.tokenizer
        tok.padding_side = "left"
        pad = tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id
        out: list[Completion] = []
        for start in range(0, len(prompts), self.batch_size):
            chunk = list(prompts[start : start + self.batch_size])
            enc = tok(chunk, return_tensors="pt", padding=True, add_special_tokens=False)
            kwargs: dict[str, Any] = {"max_new_tokens": config.max_new_tokens, "pad_token_id": pad,
                                      "do_sample": config.temperature > 0}
            if config.temperature > 0:
                kwargs.update(temperature=config.temperature, top_p=config.top_p, top_k=0)
            if config.stop:
                kwargs.update(stop_strings=list(config.stop), tokenizer=tok)
            with torch.inference_mode():
                generated = self.model.generate(**enc, **kwargs)
            self.prompt_tokens += int(enc.attention_mask.sum())
            for row in generated[:, enc.input_ids.shape[1] :]:
                ids = [int(t) for t in row if int(t) != pad]
                text, hit = cut_at_stop(tok.decode(ids, skip_special_tokens=True), config.stop)
                out.append(Completion(text=text, finish_reason="stop" if hit or len(ids) < config.max_new_tokens else "length",
                                      completion_tokens=len(ids)))
        return out


class MeteredBackend(Backend):
    """Counts emulations, generated tokens and time spent in the inner backend."""

    def __init__(self, inner: Backend) -> None:
        self.inner, self.identity = inner, inner.identity
        self.emulations, self.generated_tokens, self.seconds = 0, 0, 0.0

    def _timed(self, n: int, fn: Any) -> Any:
        start = time.perf_counter()
        result = fn()
        self.seconds += time.perf_counter() - start
        self.emulations += n
        flat = [c for group in result for c in group] if result and isinstance(result[0], list) else result
        self.generated_tokens += sum(c.completion_tokens for c in flat)
        return result

    def generate(self, prompts: Sequence[str], config: GenerationConfig) -> list[Completion]:
        return self._timed(len(prompts), lambda: self.inner.generate(prompts, config))

    def generate_shared_prefix(self, prefix: str, suffixes: Sequence[str], config: GenerationConfig) -> list[Completion]:
        return self._timed(len(suffixes), lambda: self.inner.generate_shared_prefix(prefix, suffixes, config))

    def generate_grouped(self, groups: Sequence[tuple[str, Sequence[str]]], config: GenerationConfig) -> list[list[Completion]]:
        return self._timed(sum(len(s) for _, s in groups), lambda: self.inner.generate_grouped(groups, config))


def hardware_bound(n_params: int, dtype: Any, batch: int) -> dict[str, Any]:
    """Measured matmul FLOP/s (in the weights' ``dtype``) and read bandwidth on this process's
    threads, and the decode bound: one step reads every weight once and does 2 x params FLOPs per row."""
    import torch

    bytes_per_param = dtype.itemsize
    a = torch.randn(1024, 1024, dtype=dtype)
    torch.mm(a, a)
    start, reps = time.perf_counter(), 20
    for _ in range(reps):
        torch.mm(a, a)
    flops = 2 * 1024**3 * reps / (time.perf_counter() - start)
    big = torch.ones(64 * 1024 * 1024 // 4, dtype=torch.float32)  # 64 MB, beyond the caches
    big.sum()
    start, reps = time.perf_counter(), 10
    for _ in range(reps):
        big.sum()
    bandwidth = big.numel() * 4 * reps / (time.perf_counter() - start)
    step_memory = n_params * bytes_per_param / bandwidth
    step_compute = 2 * n_params * batch / flops
    bound = batch / max(step_memory, step_compute)
    return {"matmul_gflops": round(flops / 1e9, 1), "read_gb_per_s": round(bandwidth / 1e9, 2), "batch": batch,
            "decode_tokens_per_s_bound": round(bound, 1),
            "arithmetic": (f"one decode step of {batch} rows >= max({n_params / 1e6:.0f}M params x {bytes_per_param} B /"
                           f" {bandwidth / 1e9:.1f} GB/s = {step_memory * 1e3:.1f} ms, 2 x {n_params / 1e6:.0f}M x {batch}"
                           f" FLOP / {flops / 1e9:.0f} GFLOP/s = {step_compute * 1e3:.1f} ms) -> {bound:.0f} tok/s")}


def held_out_items(task: Any, settings: SearchSettings, n_dev: int) -> list[Any]:
    """``n_dev`` search-split items used neither to generate nor to rank (nested subsets)."""
    used = {e.id for part in split_items(task, settings) for e in part}
    pool = task.examples("search", limit=settings.n_generate + settings.n_rank + n_dev, seed=settings.seed)
    return [e for e in pool if e.id not in used][:n_dev]


def accuracy(backend: Backend, task: Any, program: str, items: list[Any], settings: SearchSettings) -> float:
    """Exact-match accuracy of one program on ``items`` with the search's executor and decoding."""
    if not items:
        return float("nan")
    config = EMULATOR_CONFIG.with_(temperature=settings.emu_temperature, max_new_tokens=settings.emu_max_new_tokens, seed=settings.seed)
    results = make_executor(settings.executor, backend, config=config).run(task.instruction, program, [e.input for e in items])
    marks = score(task, results, items)
    return sum(marks) / len(marks)


def rank_with(backend: Backend, task: Any, candidates: list[Any], rank_items: list[Any], settings: SearchSettings) -> dict[str, Any]:
    """Rank the same candidates with one engine; what it cost and what it chose."""
    metered = MeteredBackend(backend)
    config = EMULATOR_CONFIG.with_(temperature=settings.emu_temperature, max_new_tokens=settings.emu_max_new_tokens, seed=settings.seed)
    executor = make_executor(settings.executor, metered, config=config)
    fresh = [replace(c, rank_correct=[], rank_answers=[], rank_paths=[], rank_score=None) for c in candidates]
    start = time.perf_counter()
    ranked = rank(task, fresh, rank_items, settings, executor)
    wall = time.perf_counter() - start
    chosen = choose(ranked, settings, len(rank_items))[0] if ranked else None
    return {
        "wall_seconds": round(wall, 1),
        "model_calls": metered.emulations,
        "emulations_per_second": round(metered.emulations / max(metered.seconds, 1e-9), 3),
        "generated_tokens_per_second": round(metered.generated_tokens / max(metered.seconds, 1e-9), 1),
        "generated_tokens": metered.generated_tokens,
        "chosen_program": chosen.program if chosen else None,
        "rank_set_accuracy": round(chosen.rank_score, 4) if chosen and chosen.rank_score is not None else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--task", default="coin_flip")
    parser.add_argument("--n-generate", type=int, default=6)
    parser.add_argument("--n-rank", type=int, default=24)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--wide-batch-size", type=int, default=32, help="rows per step of the cogex_wide path")
    parser.add_argument("--dtype", default="auto")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--halving-min-items", type=int, default=4)
    parser.add_argument("--dev-items", type=int, default=48, help="held-out search items for the dev accuracy")
    parser.add_argument("--llama-server-url", default=None, help="e.g. http://127.0.0.1:8080/v1 (served on the same GGUF)")
    parser.add_argument("--llama-model", default="cogex-lora", help="the server's model name for the CoGEX model")
    parser.add_argument("--paths", default="hf_generate,cogex_fixed,cogex,cogex_halving",
                        help="comma-separated paths to run (hf_generate is the baseline of the ratios)")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/search_speed.json"))
    args = parser.parse_args()
    # Checked before the model loads; the llama.cpp server runs whenever its URL is given.
    wanted = {p.strip() for p in args.paths.split(",") if p.strip()} | ({"llama_server"} if args.llama_server_url else set())
    unknown = sorted(wanted - set(PATHS))
    if unknown:
        parser.error(f"unknown path(s) {unknown}; choose from {', '.join(PATHS)}")

    task = get_task(args.task)
    settings = SearchSettings(n_generate=args.n_generate, n_rank=args.n_rank, k=1, seed=args.seed, executor="emulate",
                              halving_min_items=args.halving_min_items)
    cogex_backend = create_backend(batch_size=args.batch_size, dtype=args.dtype, threads=args.threads, cache=False)
    gen_items, rank_items = split_items(task, settings)
    proposal_executor = make_executor("emulate", cogex_backend)
    start = time.perf_counter()
    candidates = propose(cogex_backend, task, gen_items, settings, proposal_executor)
    propose_seconds = time.perf_counter() - start

    engines: dict[str, tuple[Backend, SearchSettings]] = {
        "hf_generate": (HFGenerateBackend(cogex_backend.model, cogex_backend.tokenizer, args.batch_size), settings),
        "cogex_fixed": (TransformersBackend(cogex_backend.model, cogex_backend.tokenizer, batch_size=args.batch_size,
                                            continuous_batching=False), settings),
        "cogex": (cogex_backend, settings),
        "cogex_concat": (TransformersBackend(cogex_backend.model, cogex_backend.tokenizer, batch_size=args.batch_size,
                                             kv_room=0), settings),
        "cogex_wide": (TransformersBackend(cogex_backend.model, cogex_backend.tokenizer, batch_size=args.wide_batch_size),
                       settings),
        "cogex_wide_concat": (TransformersBackend(cogex_backend.model, cogex_backend.tokenizer,
                                                  batch_size=args.wide_batch_size, kv_room=0), settings),
        "cogex_halving": (cogex_backend, replace(settings, ranking="halving")),
    }
    if args.llama_server_url:
        from cogex.models.openai_backend import OpenAIBackend

        engines["llama_server"] = (OpenAIBackend(args.llama_model, base_url=args.llama_server_url, concurrency=args.batch_size), settings)
    engines = {name: engine for name, engine in engines.items() if name in wanted}
    runs = {name: rank_with(backend, task, candidates, rank_items, s) for name, (backend, s) in engines.items()}

    dev_items = held_out_items(task, settings, args.dev_items)
    scored: dict[str, float] = {}
    for run in runs.values():
        program = run["chosen_program"]
        if program is not None and program not in scored:
            scored[program] = round(accuracy(cogex_backend, task, program, dev_items, settings), 4)
        run["dev_accuracy"] = scored.get(program) if program else None

    import torch

    model = cogex_backend.model
    n_params = sum(p.numel() for p in model.parameters())
    bound = hardware_bound(n_params, model.dtype, args.batch_size)
    bounds = {args.batch_size: bound}
    for name, run in runs.items():
        batch = args.wide_batch_size if name in WIDE_PATHS else args.batch_size
        if batch not in bounds:
            bounds[batch] = hardware_bound(n_params, model.dtype, batch)
        run["batch_size"] = batch
        run["decode_tokens_per_s_bound"] = bounds[batch]["decode_tokens_per_s_bound"]
        run["fraction_of_decode_bound"] = round(run["generated_tokens_per_second"] / bounds[batch]["decode_tokens_per_s_bound"], 3)
    baseline = "hf_generate" if "hf_generate" in runs else next(iter(runs))
    base = runs[baseline]
    ratios = {name: {"emulation_throughput_x": round(r["emulations_per_second"] / max(base["emulations_per_second"], 1e-9), 2),
                     "wall_time_x": round(base["wall_seconds"] / max(r["wall_seconds"], 1e-9), 2),
                     "fewer_model_calls_x": round(base["model_calls"] / max(r["model_calls"], 1), 2)}
              for name, r in runs.items() if name != baseline}
    report = {"task": args.task, "settings": vars(args) | {"out": str(args.out)}, "model": cogex_backend.identity,
              "torch_threads": torch.get_num_threads(), "propose_seconds": round(propose_seconds, 1),
              "n_candidates": len(candidates), "hardware": bound,
              "hardware_by_batch": {str(b): v for b, v in bounds.items()}, "runs": runs, "baseline": baseline, f"vs_{baseline}": ratios}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"{'path':14}{'emul/s':>9}{'gen tok/s':>11}{'calls':>7}{'wall s':>9}{'x base':>7}{'bound':>7}{'rank acc':>9}{'dev acc':>9}")
    for name, r in runs.items():
        x = ratios.get(name, {}).get("emulation_throughput_x", 1.0)
        print(f"{name:14}{r['emulations_per_second']:>9}{r['generated_tokens_per_second']:>11}{r['model_calls']:>7}"
              f"{r['wall_seconds']:>9}{x:>7}{r['fraction_of_decode_bound']:>7}{str(r['rank_set_accuracy']):>9}{str(r['dev_accuracy']):>9}")
    for b in bounds.values():
        print(f"hardware: {b['arithmetic']} (matmul {b['matmul_gflops']} GFLOP/s, read {b['read_gb_per_s']} GB/s)")
    print(f"written: {args.out}")


if __name__ == "__main__":
    main()
