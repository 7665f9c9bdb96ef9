"""Each method against the better baseline of its task: the label prior (``majority``) or the
base model (``zero_shot``), whichever is higher on that task's items.

This is the question a reader of an adaptation method asks first ("does it beat what one gets
without it?"), answered per task with a paired bootstrap interval of the difference, and pooled
over the tasks with a stratified bootstrap (items resampled within each task) of the mean
per-task difference. It needs the per-item rows, so it is computed where ``results.json`` is
built and stored there under ``"comparisons"`` and ``"pooled"``.
"""

from __future__ import annotations

from statistics import median
from typing import Any, Mapping, Sequence

import numpy as np

from cogex.evaluate import stats

#: The reference methods, in tie-break order (a tie keeps the first).
BASELINES = ("majority", "zero_shot")

Rows = list[dict[str, Any]]


def better_baseline(task: str, rows: Mapping[tuple[str, str], Rows]) -> str | None:
    """The baseline with the higher accuracy on ``task`` (None when neither was run)."""
    best, best_accuracy = None, -1.0
    for name in BASELINES:
        got = rows.get((task, name))
        if not got:
            continue
        accuracy = sum(bool(r.get("correct")) for r in got) / len(got)
        if accuracy > best_accuracy:
            best, best_accuracy = name, accuracy
    return best


def paired_correctness(method: Rows, baseline: Rows) -> tuple[np.ndarray, np.ndarray]:
    """Correctness of the two cells on their common items (by item id), in the method's order."""
    base = {row["id"]: bool(row.get("correct")) for row in baseline if "id" in row}
    common = [r for r in method if r.get("id") in base]
    return (np.array([bool(r.get("correct")) for r in common], dtype=float),
            np.array([base[r["id"]] for r in common], dtype=float))


def comparisons(rows: Mapping[tuple[str, str], Rows]) -> list[dict[str, Any]]:
    """One entry per (task, method) that is not a baseline and has a baseline on its task:
    accuracy difference to the better baseline (fractions) with its paired 95% interval."""
    out = []
    for task, method in rows:
        if method in BASELINES or not rows[(task, method)]:
            continue
        baseline = better_baseline(task, rows)
        if baseline is None:
            continue
        a, b = paired_correctness(rows[(task, method)], rows[(task, baseline)])
        if a.size == 0:
            continue
        ci = stats.bootstrap_ci(a - b)  # the percentile interval of the mean paired difference
        out.append({"task": task, "method": method, "baseline": baseline, "n": int(a.size),
                    "difference": float((a - b).mean()), "ci_low": ci[0] if ci else None,
                    "ci_high": ci[1] if ci else None})
    return out


def stratified_mean_ci(differences: Sequence[np.ndarray], *, resamples: int = stats.RESAMPLES,
                       seed: int = stats.BOOTSTRAP_SEED, confidence: float = stats.CONFIDENCE) -> tuple[float, float]:
    """Percentile interval of the mean over tasks of the per-task mean paired difference, with
    items resampled within each task (the tasks themselves are fixed)."""
    rng = np.random.default_rng(seed)
    means = np.zeros(resamples)
    for diff in differences:
        means += diff[rng.integers(0, diff.size, size=(resamples, diff.size))].mean(axis=1)
    means /= len(differences)
    tail = (1.0 - confidence) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail])
    return float(low), float(high)


def pooled(rows: Mapping[tuple[str, str], Rows], compared: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per method, over the tasks it was compared on: accuracy of all its items pooled (with CI),
    the better baselines' pooled accuracy on the same items, the mean and median per-task
    difference (the mean with a stratified interval), and on how many tasks the interval of the
    difference lies above 0 or below 0."""
    out = []
    for method in dict.fromkeys(c["method"] for c in compared):
        mine = [c for c in compared if c["method"] == method]
        pairs = [paired_correctness(rows[(c["task"], method)], rows[(c["task"], c["baseline"])]) for c in mine]
        ours = np.concatenate([a for a, _ in pairs])
        theirs = np.concatenate([b for _, b in pairs])
        ci = stats.bootstrap_ci(ours)
        mean_low, mean_high = stratified_mean_ci([a - b for a, b in pairs])
        diffs = [c["difference"] for c in mine]
        out.append({
            "method": method, "tasks": len(mine), "n": int(ours.size),
            "accuracy": float(ours.mean()), "ci_low": ci[0] if ci else None, "ci_high": ci[1] if ci else None,
            "better_baseline_accuracy": float(theirs.mean()),
            "mean_difference": float(np.mean(diffs)), "mean_difference_ci_low": mean_low,
            "mean_difference_ci_high": mean_high, "median_difference": float(median(diffs)),
            "tasks_above": sum(1 for c in mine if c["ci_low"] is not None and c["ci_low"] > 0),
            "tasks_below": sum(1 for c in mine if c["ci_high"] is not None and c["ci_high"] < 0),
        })
    return out
