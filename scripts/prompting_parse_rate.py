"""How often a model without a CoGEX adapter proposes a usable candidate program, with the trained
prompt alone and with few-shot demonstrations (the numbers in docs/backends.md).

For each task, the first N search items each propose one program exactly as ``cogex search``
does (reasoner mode, t=0.7, no resampling); a candidate counts when the search would rank it
(a parseable program with a call). Both promptings see the same items, seeds and model.

    python scripts/prompting_parse_rate.py --tasks reverse_words,weekday_offset --n 6 --adapter none
"""

from __future__ import annotations

import argparse
import json
import time

from cogex.execute.executors import make_executor
from cogex.generate.few_shot import FewShotBackend
from cogex.models.factory import create_backend
from cogex.search.cotacs import SearchSettings, propose, split_items
from cogex.tasks import get_task


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", default="reverse_words,weekday_offset,animal_class")
    parser.add_argument("--n", type=int, default=6, help="proposing items per task")
    parser.add_argument("--adapter", default="none")
    parser.add_argument("--dtype", default="float32")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    base = create_backend(adapter=args.adapter, dtype=args.dtype, cache=False, batch_size=8)
    settings = SearchSettings(n_generate=args.n, n_rank=1, max_resamples=0, seed=args.seed)
    report: dict = {"adapter": args.adapter, "dtype": args.dtype, "n_per_task": args.n, "model": base.identity, "tasks": {}}
    for name in args.tasks.split(","):
        task = get_task(name)
        gen_items, _ = split_items(task, settings)
        row = {}
        for prompting, backend in (("trained", base), ("few-shot", FewShotBackend(base))):
            start = time.time()
            candidates = propose(backend, task, gen_items, settings, make_executor("python", backend))
            row[prompting] = {"usable": sum(c.valid and bool(c.program) for c in candidates), "of": len(candidates),
                              "seconds": round(time.time() - start, 1)}
        report["tasks"][name] = row
        print(json.dumps({name: row}), flush=True)
    totals = {p: sum(r[p]["usable"] for r in report["tasks"].values()) for p in ("trained", "few-shot")}
    report["usable_total"] = totals
    report["items_total"] = args.n * len(report["tasks"])
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
