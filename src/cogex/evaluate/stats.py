"""Statistics for evaluation cells: bootstrap confidence intervals, paired bootstrap p-values,
answer distributions and the constant-answer flag.

Every resampling uses a fixed seed, so the same predictions always give the same numbers.
"""

from __future__ import annotations

from collections import Counter
from typing import Sequence

import numpy as np

#: Bootstrap resamples and seed used for every CI and p-value in a report.
RESAMPLES = 2000
BOOTSTRAP_SEED = 0
CONFIDENCE = 0.95
#: A cell whose most frequent normalised answer covers at least this share of items is "constant".
CONSTANT_SHARE = 0.9
#: How many of the most frequent answers a report shows per cell.
TOP_ANSWERS = 5


def _indices(n: int, resamples: int, seed: int) -> np.ndarray:
    """A (resamples, n) matrix of item indices drawn with replacement."""
    return np.random.default_rng(seed).integers(0, n, size=(resamples, n))


def bootstrap_ci(correct: Sequence[bool], *, resamples: int = RESAMPLES, seed: int = BOOTSTRAP_SEED,
                 confidence: float = CONFIDENCE) -> tuple[float, float] | None:
    """Percentile bootstrap interval of the accuracy; None for no items."""
    values = np.asarray(correct, dtype=float)
    if values.size == 0:
        return None
    means = values[_indices(values.size, resamples, seed)].mean(axis=1)
    tail = (1.0 - confidence) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail])
    return float(low), float(high)


def paired_bootstrap_p(method: Sequence[bool], baseline: Sequence[bool], *, resamples: int = RESAMPLES,
                       seed: int = BOOTSTRAP_SEED) -> float | None:
    """Two-sided paired bootstrap p-value for "the two accuracies differ" on the same items.

    Items are resampled jointly; the resampled differences, centred on the observed one,
    approximate the null distribution, and p is the share at least as extreme as the observed
    difference (with the +1 correction, so p is never 0; identical predictions give 1).
    """
    a = np.asarray(method, dtype=float)
    b = np.asarray(baseline, dtype=float)
    if a.size != b.size:
        raise ValueError(f"paired bootstrap needs the same items: {a.size} vs {b.size}")
    if a.size == 0:
        return None
    diff = a - b
    observed = diff.mean()
    resampled = diff[_indices(diff.size, resamples, seed)].mean(axis=1)
    extreme = np.abs(resampled - observed) >= abs(observed) - 1e-12
    return float(min(1.0, (extreme.sum() + 1) / (resamples + 1)))


def answer_distribution(answers: Sequence[str], top: int = TOP_ANSWERS) -> list[dict[str, object]]:
    """The ``top`` most frequent answers with their counts, most frequent first (ties: first seen)."""
    return [{"answer": answer, "count": count} for answer, count in Counter(answers).most_common(top)]


def constant_answer(answers: Sequence[str], share: float = CONSTANT_SHARE) -> str | None:
    """The answer given on at least ``share`` of the items, or None ('' = no answer at all)."""
    if not answers:
        return None
    answer, count = Counter(answers).most_common(1)[0]
    return answer if count >= share * len(answers) else None
