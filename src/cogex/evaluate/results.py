"""``results.json``: every (task, method) cell with its statistics, the run settings, package
versions and model identities. The markdown table, CSV and plots are rendered from it.

Schema (``schema`` 1)::

    {"schema": 1,
     "settings": {... the run's EvalSettings, "task_names": [...], "statistics": {...}},
     "versions": {"cogex": "0.1.0", "torch": "...", "transformers": "...", "python": "..."},
     "models": {"base": {...backend description...} | null, "cogex": {...} | null,
                "identities": ["<model|dtype|adapter:hash>", ...]},
     "cells": [{"task", "method", "accuracy", "ci_low", "ci_high", "n", "p_vs_zero_shot",
                "constant_answer", "answer_distribution": [{"answer", "count"}, ...],
                "distinct_answers", "failures", "paths", "model", "search", "items"}, ...],
     "comparisons": [{"task", "method", "baseline", "n", "difference", "ci_low", "ci_high"}, ...],
     "pooled": [{"method", "tasks", "n", "accuracy", "ci_low", "ci_high", "better_baseline_accuracy",
                 "mean_difference", "mean_difference_ci_low", "mean_difference_ci_high",
                 "median_difference", "tasks_above", "tasks_below"}, ...]}

``comparisons`` and ``pooled`` set each method against the better of ``majority`` and
``zero_shot`` on each task (:mod:`cogex.evaluate.compare`); they are empty when no baseline ran.
"""

from __future__ import annotations

import json
import platform
from importlib import metadata
from pathlib import Path
from typing import Any, Sequence

from cogex.evaluate import compare, stats
from cogex.evaluate.run import Cell, load_rows, read_settings

RESULTS_FILE = "results.json"
SCHEMA_VERSION = 1
BASELINE_METHOD = "zero_shot"


def package_versions() -> dict[str, str | None]:
    """Installed versions of cogex and the ML stack (None when a package is not installed)."""
    versions: dict[str, str | None] = {}
    for name in ("cogex", "torch", "transformers", "peft"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    versions["python"] = platform.python_version()
    return versions


def _row_answer(row: dict[str, Any]) -> str:
    """A row's normalised answer ('' = none); rows saved before answers were recorded fall back
    to the raw prediction."""
    if "answer" in row:
        return str(row["answer"] or "")
    prediction = row.get("prediction")
    if prediction is None:
        return ""
    return (prediction if isinstance(prediction, str) else json.dumps(prediction, ensure_ascii=False)).strip().lower()


def _paired(rows: list[dict[str, Any]], baseline: list[dict[str, Any]]) -> float | None:
    """The paired bootstrap p-value of a cell against the baseline cell on their common items."""
    ours, theirs = compare.paired_correctness(rows, baseline)
    return stats.paired_bootstrap_p(ours, theirs) if ours.size else None


def _complete(cell: Cell, rows: list[dict[str, Any]]) -> bool:
    """Whether every scored item of the cell has its saved row."""
    return bool(rows) and len(rows) == cell.n


def cell_result(cell: Cell, rows: list[dict[str, Any]], baseline: list[dict[str, Any]] | None) -> dict[str, Any]:
    """One cell's entry: accuracy with its bootstrap CI, n, the p-value against the baseline
    (None for the baseline itself or when it was not run) and the answer distribution."""
    complete = _complete(cell, rows)
    correct = [bool(row.get("correct")) for row in rows] if complete else []
    answers = [_row_answer(row) for row in rows] if complete else []
    ci = stats.bootstrap_ci(correct) if complete else None
    p_value = _paired(rows, baseline) if complete and baseline and cell.method != BASELINE_METHOD else None
    return {
        "task": cell.task,
        "method": cell.method,
        "accuracy": sum(correct) / len(correct) if correct else cell.accuracy,
        "ci_low": ci[0] if ci else None,
        "ci_high": ci[1] if ci else None,
        "n": cell.n,
        "p_vs_zero_shot": p_value,
        "constant_answer": stats.constant_answer(answers),
        "answer_distribution": stats.answer_distribution(answers),
        "distinct_answers": len(set(answers)),
        "failures": cell.failures,
        "paths": cell.paths,
        "model": cell.model,
        "search": cell.search,
        "items": cell.items,
    }


def _statistics() -> dict[str, Any]:
    return {"ci": f"{stats.CONFIDENCE:.0%} percentile bootstrap", "bootstrap_resamples": stats.RESAMPLES,
            "bootstrap_seed": stats.BOOTSTRAP_SEED, "p_value": f"two-sided paired bootstrap vs {BASELINE_METHOD} on the same items",
            "constant_share": stats.CONSTANT_SHARE, "top_answers": stats.TOP_ANSWERS}


def build_results(run_dir: Path, cells: Sequence[Cell], *, settings: dict[str, Any] | None = None) -> dict[str, Any]:
    """The results.json content for ``cells`` (their predictions are read from ``run_dir``);
    ``settings`` defaults to the run's settings.json."""
    recorded = dict(settings if settings is not None else read_settings(run_dir))
    models = {"base": recorded.pop("base_model", None), "cogex": recorded.pop("cogex_model", None),
              "identities": sorted({c.model for c in cells if c.model})}
    rows = {(c.task, c.method): load_rows(run_dir, c) for c in cells}
    entries = [cell_result(c, rows[(c.task, c.method)], rows.get((c.task, BASELINE_METHOD))) for c in cells]
    complete = {(c.task, c.method): rows[(c.task, c.method)] for c in cells if _complete(c, rows[(c.task, c.method)])}
    compared = compare.comparisons(complete)
    results = {"schema": SCHEMA_VERSION, "settings": {**recorded, "statistics": _statistics()},
               "versions": package_versions(), "models": models, "cells": entries,
               "comparisons": compared, "pooled": compare.pooled(complete, compared)}
    return json.loads(json.dumps(results, default=repr))  # exactly what a reader of the file sees


def write_results(results: dict[str, Any], run_dir: Path) -> Path:
    path = run_dir / RESULTS_FILE
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def read_results(path: Path) -> dict[str, Any]:
    """A results.json file (ValueError with a one-line message when it is not one)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"cannot read {path}: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise ValueError(f"{path} is not a cogex results.json (no 'cells' list)")
    return data
