"""Evaluation report: table, CSV, plots; the BM25 retriever; baseline answer extraction."""

from __future__ import annotations

import csv
import json
from dataclasses import asdict, replace
from pathlib import Path

from cogex.evaluate.baselines import BM25Retriever, answer_from_text
from cogex.evaluate.report import candidates_curve, markdown_table, write_report
from cogex.evaluate.run import Cell, EvalSettings, _load_cell, _save_cell, comparable_settings, search_settings_for
from cogex.tasks import Example

CELLS = [
    Cell("sum", "zero_shot", 0.0, 16, 0, {"direct": 16}),
    Cell("sum", "cotacs_k1", 0.5, 16, 2, {"emulate": 16}),
    Cell("cola", "zero_shot", 0.25, 16, 0, {"direct": 16}),
]


def test_markdown_table_has_methods_as_rows_and_a_mean() -> None:
    table = markdown_table(CELLS, EvalSettings(tasks=("sum", "cola"), test_items=16))
    lines = table.splitlines()
    assert lines[0] == "| method | sum | cola | mean |"
    assert "| zero_shot | 0.0 | 25.0 | 12.5 |" in lines
    assert "| cotacs_k1 | 50.0 | - | 50.0 |" in lines
    assert "16 test items per task" in table


def test_write_report_files(tmp_path: Path) -> None:
    search_dir = tmp_path / "sum" / "search-emulate"
    search_dir.mkdir(parents=True)
    record = {"task": "sum", "settings": {"executor": "emulate"},
              "candidates": [{"index": 0, "rank_score": 0.25}, {"index": 1, "rank_score": 0.5}, {"index": 2, "rank_score": 0.0}]}
    (search_dir / "program.json").write_text(json.dumps(record))
    paths = write_report(CELLS, EvalSettings(tasks=("sum", "cola")), tmp_path)
    rows = list(csv.DictReader(paths["csv"].open()))
    assert [(r["task"], r["method"], float(r["accuracy"])) for r in rows] == [("sum", "zero_shot", 0.0), ("sum", "cotacs_k1", 0.5), ("cola", "zero_shot", 0.25)]
    assert paths["accuracy_plot"].stat().st_size > 1000
    assert paths["candidates_plot"].stat().st_size > 1000
    assert candidates_curve(record) == [(1, 0.25), (2, 0.5), (3, 0.5)]


def test_saved_cells_are_reused_only_for_the_model_that_made_them(tmp_path: Path) -> None:
    cell = replace(CELLS[1], model="SmolLM2|adapter:aaaa")
    _save_cell(tmp_path / "sum", cell, [{"id": "sum/test/1", "correct": True}])
    assert _load_cell(tmp_path / "sum", "cotacs_k1", "SmolLM2|adapter:aaaa") == cell
    assert _load_cell(tmp_path / "sum", "cotacs_k1", "SmolLM2|adapter:bbbb") is None  # a new adapter recomputes it
    assert _load_cell(tmp_path / "sum", "cotacs_k1") == cell  # the report reads any saved cell
    assert _load_cell(tmp_path / "sum", "cogex", "SmolLM2|adapter:aaaa") is None


def test_cotacs_cells_are_reused_only_for_the_same_search_settings(tmp_path: Path) -> None:
    settings = EvalSettings(tasks=("sum",))
    hybrid = comparable_settings(asdict(search_settings_for(settings, "hybrid")))
    cell = replace(CELLS[1], model="m", search=hybrid)
    _save_cell(tmp_path / "sum", cell, [])
    assert _load_cell(tmp_path / "sum", "cotacs_k1", "m", hybrid) == cell
    only_model = comparable_settings(asdict(search_settings_for(
        replace(settings, search=replace(settings.search, bindings=("model",))), "hybrid")))
    assert _load_cell(tmp_path / "sum", "cotacs_k1", "m", only_model) is None  # other bindings: recomputed
    _save_cell(tmp_path / "old", replace(CELLS[1], model="m"), [])  # a cell saved before settings were recorded
    assert _load_cell(tmp_path / "old", "cotacs_k1", "m", hybrid) is None


def test_search_settings_of_old_records_mean_model_written_calls() -> None:
    settings = EvalSettings(tasks=("sum",))
    emulate = asdict(search_settings_for(settings, "emulate"))
    assert emulate["bindings"] == ("model",) and emulate["k"] == 3
    old = {k: v for k, v in json.loads(json.dumps(emulate)).items() if k != "bindings"}
    assert comparable_settings(old) == comparable_settings(emulate)
    hybrid = asdict(search_settings_for(settings, "hybrid"))
    assert comparable_settings(old | {"executor": "hybrid"}) != comparable_settings(hybrid)


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
