"""Evaluation report: table, CSV, plots (all from results.json); saved-cell reuse; the BM25
retriever; baseline answer extraction."""

from __future__ import annotations

import csv
import json
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any, Sequence

from cogex.evaluate.baselines import BM25Retriever, answer_from_text
from cogex.evaluate.methods import cotacs_search
from cogex.evaluate.report import accuracy_bars, candidates_curve, markdown_table, write_report
from cogex.evaluate.results import read_results
from cogex.evaluate.run import (
    Cell,
    EvalSettings,
    _load_cell,
    _save_cell,
    comparable_settings,
    evaluate,
    items_digest,
    saved_cells,
)
from cogex.models.backend import Backend, Completion, GenerationConfig
from cogex.tasks import Example, Task

CELLS = [
    Cell("sum", "zero_shot", 0.0, 16, 0, {"direct": 16}),
    Cell("sum", "cotacs_k1", 0.5, 16, 2, {"emulate": 16}),
    Cell("cola", "zero_shot", 0.25, 16, 0, {"direct": 16}),
]


def _entry(task: str, method: str, accuracy: float, n: int = 16, **extra: Any) -> dict[str, Any]:
    return {"task": task, "method": method, "accuracy": accuracy, "ci_low": max(0.0, accuracy - 0.2),
            "ci_high": min(1.0, accuracy + 0.2), "n": n, "p_vs_zero_shot": None, "constant_answer": None,
            "answer_distribution": [{"answer": "3", "count": n}], "failures": 0, "paths": {"direct": n}, "model": "m", **extra}


RESULTS = {
    "settings": {"test_items": 16, "seed": 0, "search": {"n_generate": 6, "n_rank": 24, "bindings": ["model", "text"]},
                 "statistics": {"ci": "95% percentile bootstrap", "bootstrap_resamples": 2000, "bootstrap_seed": 0,
                                "constant_share": 0.9}},
    "cells": [
        _entry("sum", "zero_shot", 0.0, constant_answer="", answer_distribution=[{"answer": "", "count": 16}]),
        _entry("sum", "cotacs_k1", 0.5, p_vs_zero_shot=0.0004,
               answer_distribution=[{"answer": "a|b", "count": 9}, {"answer": "7", "count": 7}]),
        _entry("cola", "zero_shot", 0.25, n=12),
    ],
}


def test_markdown_table_has_ci_n_p_values_constant_flags_and_answer_distributions() -> None:
    lines = markdown_table(RESULTS).splitlines()
    assert "| method | sum (n=16) | cola (n=12) | mean |" in lines
    assert "| zero_shot | 0.0 [0.0, 20.0] (const) | 25.0 [5.0, 45.0] | 12.5 |" in lines
    assert "| cotacs_k1 | 50.0 [30.0, 70.0] | - | 50.0 |" in lines  # not run on cola: '-', not 0
    assert "| cotacs_k1 | <0.001 | - |" in lines  # the p-value table
    assert "| sum | cotacs_k1 | 16 | - | a\\|b ×9, 7 ×7 |" in lines  # pipes escaped
    assert "| sum | zero_shot | 16 | (none) | (none) ×16 |" in lines
    assert any("16 test items per task" in line and "n_generate=6" in line for line in lines)


def test_accuracy_plot_has_no_bar_for_a_cell_that_was_not_run() -> None:
    bars = accuracy_bars(RESULTS)
    assert [(b["task"], b["method"]) for b in bars] == [("sum", "zero_shot"), ("cola", "zero_shot"), ("sum", "cotacs_k1")]
    assert bars[2]["height"] == 50.0 and bars[2]["err"] == (20.0, 20.0)
    assert bars[0]["err"] == (0.0, 20.0)


def test_write_report_files(tmp_path: Path) -> None:
    search_dir = tmp_path / "sum" / "search-emulate"
    search_dir.mkdir(parents=True)
    record = {"task": "sum", "settings": {"executor": "emulate"},
              "candidates": [{"index": 0, "rank_score": 0.25}, {"index": 1, "rank_score": 0.5}, {"index": 2, "rank_score": 0.0}]}
    (search_dir / "program.json").write_text(json.dumps(record))
    paths = write_report(RESULTS, tmp_path)
    assert read_results(paths["json"]) == RESULTS
    rows = list(csv.DictReader(paths["csv"].open()))
    assert [(r["task"], r["method"], float(r["accuracy"]), r["ci_low"], r["p_vs_zero_shot"], r["constant_answer"]) for r in rows] == [
        ("sum", "zero_shot", 0.0, "0.0000", "", ""), ("sum", "cotacs_k1", 0.5, "0.3000", "0.0004", ""),
        ("cola", "zero_shot", 0.25, "0.0500", "", "")]
    assert json.loads(rows[1]["answer_distribution"])[0] == {"answer": "a|b", "count": 9}
    assert paths["accuracy_plot"].stat().st_size > 1000
    assert paths["candidates_plot"].stat().st_size > 1000
    assert candidates_curve(record) == [(1, 0.25), (2, 0.5), (3, 0.5)]
    assert "candidates_plot" not in write_report(RESULTS, tmp_path / "sum")  # no search: no empty plot


def test_saved_cells_are_reused_only_for_the_model_that_made_them(tmp_path: Path) -> None:
    cell = replace(CELLS[1], model="SmolLM2|adapter:aaaa")
    _save_cell(tmp_path / "sum", cell, [{"id": "sum/test/1", "correct": True}])
    assert _load_cell(tmp_path / "sum", "cotacs_k1", "SmolLM2|adapter:aaaa") == cell
    assert _load_cell(tmp_path / "sum", "cotacs_k1", "SmolLM2|adapter:bbbb") is None  # a new adapter recomputes it
    assert _load_cell(tmp_path / "sum", "cotacs_k1") == cell  # the report reads any saved cell
    assert _load_cell(tmp_path / "sum", "cogex", "SmolLM2|adapter:aaaa") is None


def test_cotacs_cells_are_reused_only_for_the_same_search_settings(tmp_path: Path) -> None:
    settings = EvalSettings(tasks=("sum",))
    hybrid = comparable_settings(asdict(cotacs_search(settings.search, "hybrid", settings.seed)))
    cell = replace(CELLS[1], model="m", search=hybrid)
    _save_cell(tmp_path / "sum", cell, [])
    assert _load_cell(tmp_path / "sum", "cotacs_k1", "m", hybrid) == cell
    only_model = comparable_settings(asdict(cotacs_search(replace(settings.search, bindings=("model",)), "hybrid",
                                                          settings.seed)))
    assert _load_cell(tmp_path / "sum", "cotacs_k1", "m", only_model) is None  # other bindings: recomputed
    _save_cell(tmp_path / "old", replace(CELLS[1], model="m"), [])  # a cell saved before settings were recorded
    assert _load_cell(tmp_path / "old", "cotacs_k1", "m", hybrid) is None


def test_search_settings_of_old_records_mean_model_written_calls() -> None:
    settings = EvalSettings(tasks=("sum",))
    emulate = asdict(cotacs_search(settings.search, "emulate", settings.seed))
    assert emulate["bindings"] == ("model",) and emulate["k"] == 3
    old = {k: v for k, v in json.loads(json.dumps(emulate)).items() if k != "bindings"}
    assert comparable_settings(old) == comparable_settings(emulate)
    hybrid = asdict(cotacs_search(settings.search, "hybrid", settings.seed))
    assert comparable_settings(old | {"executor": "hybrid"}) != comparable_settings(hybrid)


def test_a_search_recorded_before_tie_breaks_is_the_random_tie_break_not_todays_default() -> None:
    settings = EvalSettings(tasks=("sum",))
    today = asdict(cotacs_search(settings.search, "hybrid", settings.seed))
    assert today["tie_break"] == "answered"
    old = {k: v for k, v in json.loads(json.dumps(today)).items() if k != "tie_break"}
    assert comparable_settings(old) != comparable_settings(today)  # its cell is recomputed
    assert comparable_settings(old) == comparable_settings(today | {"tie_break": "random"})


def test_bm25_retrieves_lexically_similar_items() -> None:
    pool = [Example(str(i), text, "t") for i, text in enumerate(
        ["the cat sat on the mat", "stock markets fell sharply", "a dog chased a cat", "rain is expected tomorrow",
         "the bank raised interest rates", "a new phone was released"])]
    top = BM25Retriever(pool).top("my cat likes the mat", 2)
    assert [e.id for e in top] == ["0", "2"]


def test_answer_from_text() -> None:
    assert answer_from_text("Answer: positive\nBecause ...") == "positive"
    assert answer_from_text("\n\n  B) populated areas") == "B) populated areas"
    assert answer_from_text("") == ""


class EchoBackend(Backend):
    """Answers '1' to everything and counts the prompts it was sent."""

    identity = "echo"

    def __init__(self) -> None:
        self.calls = 0

    def generate(self, prompts: Sequence[str], config: GenerationConfig) -> list[Completion]:
        self.calls += len(prompts)
        return [Completion("1") for _ in prompts]


def _tiny_task(n: int = 10) -> Task:
    items = [Example(f"tiny/{i}", f"item {i}", str(i % 2)) for i in range(n)]
    return Task(name="tiny", instruction="Say 0 or 1.", answer_format="number", labels=None, search_note="",
                loader=lambda split: items)


def test_a_resumed_run_reuses_cells_only_on_the_same_items(tmp_path: Path) -> None:
    backend, task = EchoBackend(), _tiny_task()
    settings = EvalSettings(tasks=("tiny",), methods=("zero_shot", "majority"), test_items=6)
    first = evaluate(settings, base=backend, cogex=None, run_dir=tmp_path, tasks=[task])
    assert backend.calls == 6
    assert evaluate(settings, base=backend, cogex=None, run_dir=tmp_path, tasks=[task]) == first and backend.calls == 6
    assert first[0].items == items_digest(task.examples("test", limit=6))
    bigger = evaluate(replace(settings, test_items=8), base=backend, cogex=None, run_dir=tmp_path, tasks=[task])
    assert backend.calls == 14 and [c.n for c in bigger] == [8, 8]  # other items: recomputed, not reused
    assert saved_cells(tmp_path) == bigger  # the report finds every saved cell by itself
    assert saved_cells(tmp_path / "missing") == []
