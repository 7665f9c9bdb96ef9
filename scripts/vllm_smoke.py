"""Smoke-test the vLLM backend end to end on a machine with one or more GPUs.

Checks, printing each: vllm imports; the model loads with prefix caching on (and the CoGEX LoRA
adapter, when given, through a LoRARequest); greedy generation is deterministic and batch
independent; one small CoTACS search and apply run on the Sum task (no data needed).

    pip install -e ".[vllm]"
    python scripts/vllm_smoke.py                               # embedded SmolLM2 + shipped adapter
    python scripts/vllm_smoke.py --model Qwen/Qwen2.5-0.5B-Instruct --adapter none --tensor-parallel-size 2
"""

from __future__ import annotations

import argparse
import sys
import time


def check(name: str, ok: bool, detail: str = "") -> bool:
    print(f"[{'ok' if ok else 'FAIL'}] {name}" + (f": {detail}" if detail else ""), flush=True)
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=None)
    parser.add_argument("--adapter", default=None, help="adapter folder, 'none', or omit for the shipped one")
    parser.add_argument("--dtype", default="auto")
    parser.add_argument("--tensor-parallel-size", type=int, default=1)
    parser.add_argument("--gpu-memory-utilization", type=float, default=0.8)
    args = parser.parse_args()

    from cogex.models.backend import GenerationConfig
    from cogex.models.vllm_backend import import_vllm

    vllm = import_vllm()
    check("vllm imports", True, f"version {getattr(vllm, '__version__', '?')}")
    from cogex.models.factory import create_backend

    start = time.time()
    backend = create_backend(args.model, args.adapter, backend="vllm", dtype=args.dtype, cache=False,
                             tensor_parallel_size=args.tensor_parallel_size,
                             gpu_memory_utilization=args.gpu_memory_utilization)
    info = backend.describe()
    results = [check("model loads", True, f"{info.get('model')} in {time.time() - start:.0f} s"),
               check("prefix caching on", bool(info["llm_kwargs"].get("enable_prefix_caching"))),
               check("LoRA", info.get("adapter") is None or bool(info["llm_kwargs"].get("enable_lora")),
                     f"adapter {info.get('adapter')}")]

    greedy = GenerationConfig(max_new_tokens=24)
    prompts = [f"Count from 1 to {n}:" for n in (3, 5, 7, 9)]
    together = [c.text for c in backend.generate(prompts, greedy)]
    alone = [backend.generate([p], greedy)[0].text for p in prompts]
    results.append(check("greedy is batch independent", together == alone))

    from cogex.search import SearchSettings, run_search
    from cogex.search.apply import apply_program
    from cogex.tasks import get_task

    task = get_task("sum")
    found = run_search(backend, task, SearchSettings(n_generate=4, n_rank=8, executor="hybrid")).program
    results.append(check("search", bool(found.programs), f"rank accuracy {found.rank_accuracy:.2f}, calls {found.calls}"))
    if found.programs:
        applied = apply_program(backend, found, task.examples("test", limit=8), task)
        results.append(check("apply", applied["n_answered"] > 0, f"accuracy {applied['accuracy']}"))
    backend.close()
    print("all checks passed" if all(results) else "some checks FAILED")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
