"""Paired difference of one method between two evaluation runs on the same items.

Per task: accuracy of run A and run B on their common items (by item id) and the paired bootstrap
interval of the difference; over tasks: the mean difference with the stratified interval (items
resampled within each task), as ``cogex eval`` reports against the baselines.

    python scripts/paired_runs.py docs/results/paper-v5 docs/results/paper-v4-answered
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from cogex.evaluate import stats
from cogex.evaluate.compare import paired_correctness, stratified_mean_ci


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run_a", type=Path)
    parser.add_argument("run_b", type=Path)
    parser.add_argument("--method", default="cotacs_hybrid_k1")
    args = parser.parse_args()
    cell = f"{args.method}.jsonl"
    differences = []
    for task in sorted(p.name for p in args.run_a.iterdir() if (p / cell).is_file() and (args.run_b / p.name / cell).is_file()):
        a, b = paired_correctness(_rows(args.run_a / task / cell), _rows(args.run_b / task / cell))
        diff = a - b
        differences.append(diff)
        low, high = stats.bootstrap_ci(diff)
        print(f"{task:18s} n={diff.size:4d}  {100 * a.mean():5.1f} vs {100 * b.mean():5.1f}  "
              f"difference {100 * diff.mean():+5.1f} [{100 * low:+.1f}, {100 * high:+.1f}]")
    if not differences:
        raise SystemExit(f"no task has a {cell} cell in both runs")
    low, high = stratified_mean_ci(differences)
    mean = np.mean([d.mean() for d in differences])
    print(f"mean over {len(differences)} tasks: {100 * mean:+.1f} [{100 * low:+.1f}, {100 * high:+.1f}]")


if __name__ == "__main__":
    main()
