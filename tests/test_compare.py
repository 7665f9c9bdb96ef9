"""Each method against the better baseline of its task (majority or zero-shot), per task and
pooled: the numbers behind "does CoTACS beat what one gets without it?"."""

from __future__ import annotations

import numpy as np
import pytest

from cogex.evaluate import compare
from cogex.evaluate.report import markdown_table


def _rows(task: str, correct: list[bool]) -> list[dict]:
    return [{"id": f"{task}/{i}", "correct": c} for i, c in enumerate(correct)]


def _known_case() -> dict[tuple[str, str], list[dict]]:
    """Task a: majority 50%, zero-shot 30%, cotacs 80% (right wherever majority is, plus 30 more).
    Task b: zero-shot 40% beats majority 20%; cotacs is zero-shot exactly."""
    n = 100
    return {
        ("a", "majority"): _rows("a", [i < 50 for i in range(n)]),
        ("a", "zero_shot"): _rows("a", [i % 10 < 3 for i in range(n)]),
        ("a", "cotacs_hybrid_k1"): _rows("a", [i < 80 for i in range(n)]),
        ("b", "majority"): _rows("b", [i < 20 for i in range(n)]),
        ("b", "zero_shot"): _rows("b", [i % 5 < 2 for i in range(n)]),
        ("b", "cotacs_hybrid_k1"): _rows("b", [i % 5 < 2 for i in range(n)]),
    }


def test_each_task_is_compared_with_its_better_baseline_with_a_paired_interval() -> None:
    rows = _known_case()
    assert compare.better_baseline("a", rows) == "majority" and compare.better_baseline("b", rows) == "zero_shot"
    by_task = {c["task"]: c for c in compare.comparisons(rows)}
    assert set(by_task) == {"a", "b"}  # baselines are not compared with themselves
    a, b = by_task["a"], by_task["b"]
    assert a["baseline"] == "majority" and a["difference"] == pytest.approx(0.30) and a["n"] == 100
    assert 0.2 < a["ci_low"] < 0.30 < a["ci_high"] < 0.4  # 30 items flip one way only: clearly above 0
    assert b["difference"] == 0.0 and b["ci_low"] == 0.0 and b["ci_high"] == 0.0  # identical predictions


def test_pooled_summary_counts_tasks_above_zero_and_gives_the_mean_difference_an_interval() -> None:
    rows = _known_case()
    [summary] = compare.pooled(rows, compare.comparisons(rows))
    assert summary["method"] == "cotacs_hybrid_k1" and summary["tasks"] == 2 and summary["n"] == 200
    assert summary["accuracy"] == pytest.approx((80 + 40) / 200)
    assert summary["better_baseline_accuracy"] == pytest.approx((50 + 40) / 200)
    assert summary["mean_difference"] == pytest.approx(0.15) and summary["median_difference"] == pytest.approx(0.15)
    # task b contributes no variance, so the interval is task a's halved
    assert 0.1 < summary["mean_difference_ci_low"] < 0.15 < summary["mean_difference_ci_high"] < 0.2
    assert summary["tasks_above"] == 1 and summary["tasks_below"] == 0


def test_stratified_interval_resamples_within_tasks() -> None:
    lo, hi = compare.stratified_mean_ci([np.ones(50), -np.ones(50)])
    assert lo == hi == 0.0  # constant within each task: nothing to resample
    lo, hi = compare.stratified_mean_ci([np.array([1.0, 0.0] * 50)])
    assert 0.38 < lo < 0.5 < hi < 0.62


def test_the_report_shows_the_comparison_and_the_pooled_line() -> None:
    rows = _known_case()
    compared = compare.comparisons(rows)
    results = {"settings": {}, "cells": [{"task": t, "method": m, "accuracy": sum(r["correct"] for r in v) / len(v), "n": len(v)}
                                         for (t, m), v in rows.items()],
               "comparisons": compared, "pooled": compare.pooled(rows, compared)}
    text = markdown_table(results)
    assert "## Against the better baseline" in text
    assert "| a | cotacs_hybrid_k1 | majority | +30.0 [" in text
    assert "| cotacs_hybrid_k1 | 2 | 200 | 60.0 [" in text and "| +15.0 [" in text


def test_no_comparison_without_a_baseline() -> None:
    rows = {("a", "cotacs_hybrid_k1"): _rows("a", [True, False])}
    assert compare.comparisons(rows) == [] and compare.pooled(rows, []) == []
    assert "Against the better baseline" not in markdown_table({"settings": {}, "cells": [
        {"task": "a", "method": "cotacs_hybrid_k1", "accuracy": 0.5, "n": 2}], "comparisons": [], "pooled": []})
