"""Trustworthy evaluation: bootstrap CIs, paired p-values, the majority and zero-shot CoT
baselines, constant-answer flags, results.json, task resolution and the `cogex eval` CLI."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any, Sequence

import pytest

from cogex.evaluate import stats
from cogex.evaluate.baselines import COT_OPENING, answer_after_marker, cot_answer, majority, majority_answer, zero_shot_cot
from cogex.evaluate.report import write_report
from cogex.evaluate.results import RESULTS_FILE, build_results, read_results
from cogex.evaluate.run import (
    EvalSettings,
    UnknownChoiceError,
    check_methods,
    evaluate,
    needs_models,
    resolve_tasks,
    saved_cells,
)
from cogex.models.backend import Backend, Completion, GenerationConfig
from cogex.tasks import Example, Task, dev_tasks, heldout_tasks, list_tasks

CELL_FIELDS = {"task", "method", "accuracy", "ci_low", "ci_high", "n", "p_vs_zero_shot", "constant_answer",
               "answer_distribution", "model"}


def _parity_task(search_targets: Sequence[str] = ("odd", "even", "odd", "odd", "even", "odd"), n_test: int = 20) -> Task:
    """A label task in memory: is the number even or odd?"""
    splits = {
        "search": [Example(f"parity/search/{i}", f"number {i}", t) for i, t in enumerate(search_targets)],
        "test": [Example(f"parity/test/{i}", f"number {i}", "even" if i % 2 == 0 else "odd") for i in range(n_test)],
    }
    return Task(name="parity", instruction="Is the number even or odd?", answer_format="label", labels=("even", "odd"),
                search_note="", loader=lambda split: splits[split])


class ParityBackend(Backend):
    """Always says 'even' when asked directly; reasons correctly when asked to think step by step."""

    identity = "parity-fake"

    def __init__(self) -> None:
        self.prompts: list[str] = []

    def generate(self, prompts: Sequence[str], config: GenerationConfig) -> list[Completion]:
        self.prompts += prompts
        out = []
        for prompt in prompts:
            number = int(re.findall(r"Input: (?:number )?(\d+)", prompt)[-1])
            if "step by step" in prompt:
                parity = "even" if number % 2 == 0 else "odd"
                out.append(Completion(f" {number} divided by 2 leaves {number % 2}.\nAnswer: {parity}"))
            else:
                out.append(Completion(" even"))
        return out


# ---- statistics ---------------------------------------------------------------------------


def test_bootstrap_ci_of_half_right_is_about_forty_to_sixty_and_deterministic() -> None:
    correct = [True] * 50 + [False] * 50
    low, high = stats.bootstrap_ci(correct)  # type: ignore[misc]
    assert 0.38 <= low <= 0.42 and 0.58 <= high <= 0.62
    assert stats.bootstrap_ci(correct) == (low, high)  # the fixed seed: the same numbers every time
    assert stats.bootstrap_ci([True] * 10) == (1.0, 1.0)
    assert stats.bootstrap_ci([]) is None


def test_paired_p_value_is_one_for_identical_predictions_and_small_for_a_clearly_better_method() -> None:
    baseline = [i % 3 == 0 for i in range(100)]  # 34 right
    assert stats.paired_bootstrap_p(baseline, baseline) == 1.0
    better = [True if i < 90 else b for i, b in enumerate(baseline)]  # right on 90+
    p = stats.paired_bootstrap_p(better, baseline)
    assert p is not None and p < 0.01
    assert stats.paired_bootstrap_p(baseline, better) == p  # two-sided
    one_more = [True if i == 1 else b for i, b in enumerate(baseline)]  # item 1: wrong -> right
    assert stats.paired_bootstrap_p(one_more, baseline) > 0.2  # one item of difference is noise
    assert stats.paired_bootstrap_p([], []) is None
    with pytest.raises(ValueError):
        stats.paired_bootstrap_p([True], [True, False])


def test_constant_answer_flag_and_distribution() -> None:
    nine_of_ten = ["positive"] * 9 + ["negative"]
    assert stats.constant_answer(nine_of_ten) == "positive"
    assert stats.constant_answer(["positive"] * 8 + ["negative"] * 2) is None
    assert stats.constant_answer([""] * 10) == ""  # always no answer is constant too
    assert stats.constant_answer([]) is None
    dist = stats.answer_distribution(["b", "a", "b", "c", "b", "a", "d", "e", "f"], top=3)
    assert dist == [{"answer": "b", "count": 3}, {"answer": "a", "count": 2}, {"answer": "c", "count": 1}]


# ---- baselines ----------------------------------------------------------------------------


def test_majority_answers_the_most_frequent_search_target() -> None:
    task = _parity_task()
    items = task.examples("test")
    assert majority(task, items, task.examples("search")) == ["odd"] * len(items)
    assert majority_answer(_parity_task(("even", "odd")), _parity_task(("even", "odd")).examples("search")) == "even"  # tie: first seen
    number = Task(name="n", instruction="", answer_format="number", labels=None, search_note="",
                  loader=lambda split: [Example("a", "x", "7"), Example("b", "y", "7.0"), Example("c", "z", "3")])
    assert majority_answer(number, number.all_examples("search")) == "7"  # 7 and 7.0 are one answer
    with pytest.raises(ValueError, match="no labelled search items"):
        majority_answer(task, [])


def test_answer_after_the_final_marker_or_the_last_line() -> None:
    assert answer_after_marker("2 + 2 = 4.\nAnswer: 3?\nNo wait.\nFinal answer: 4") == "4"
    assert answer_after_marker("Because it is.\nANSWER:\n  positive\n") == "positive"
    assert answer_after_marker("It ends in 6, so it is even.\neven") == "even"
    assert answer_after_marker("Answer: maybe 5\n7 - 2 = 5, so the answer is 5.") == "5."
    assert answer_after_marker("") == ""
    looping = "The brackets are closed.\n\nThe brackets are closed.\n\nThe"
    assert cot_answer(Completion(looping, finish_reason="length")) == ""  # cut off before any answer: none
    assert cot_answer(Completion(looping + " answer is: no", finish_reason="length")) == "no"
    assert cot_answer(Completion("so it is even.\neven")) == "even"


def test_zero_shot_cot_asks_for_steps_and_extracts_the_answer() -> None:
    task, backend = _parity_task(), ParityBackend()
    items = task.examples("test", limit=4)
    answers = zero_shot_cot(backend, task, items)
    assert answers == ["even" if int(e.input.split()[1]) % 2 == 0 else "odd" for e in items]
    assert all("step by step" in p and p.rstrip().endswith(COT_OPENING) for p in backend.prompts)


# ---- tasks and methods --------------------------------------------------------------------


def test_task_groups_names_and_yaml_files_resolve(tmp_path: Path) -> None:
    assert [t.name for t in resolve_tasks(["paper"])] == list_tasks()
    assert [t.name for t in resolve_tasks(["heldout"])] == heldout_tasks() and len(heldout_tasks()) >= 5
    assert [t.name for t in resolve_tasks(["dev"])] == dev_tasks() and len(dev_tasks()) >= 5
    assert not set(dev_tasks()) & set(heldout_tasks())
    yaml_path = _write_yaml_task(tmp_path)
    tasks = resolve_tasks(["sum", str(yaml_path), "roman_to_integer", "sum"])
    assert [t.name for t in tasks] == ["sum", "my_parity", "roman_to_integer"]  # each once, in order
    with pytest.raises(UnknownChoiceError, match="choose from: paper, heldout, dev, cola"):
        resolve_tasks(["nope"])
    with pytest.raises(UnknownChoiceError, match="zero_shot_cot"):
        check_methods(["zero_shot", "cot"])
    assert needs_models(["majority"]) == (False, False)
    assert needs_models(["majority", "zero_shot_cot"]) == (True, False)
    assert needs_models(["cotacs_k1"]) == (False, True)


# ---- results.json -------------------------------------------------------------------------


def _evaluate(tmp_path: Path, methods: tuple[str, ...], backend: Backend | None = None) -> tuple[Path, dict[str, Any]]:
    run_dir = tmp_path / "run"
    settings = EvalSettings(tasks=("parity",), methods=methods, test_items=20)
    cells = evaluate(settings, base=backend or ParityBackend(), cogex=None, run_dir=run_dir, tasks=[_parity_task()])
    write_report(build_results(run_dir, cells), run_dir)
    return run_dir, read_results(run_dir / RESULTS_FILE)


def test_results_json_has_statistics_for_every_cell(tmp_path: Path) -> None:
    run_dir, results = _evaluate(tmp_path, ("majority", "zero_shot", "zero_shot_cot", "few_shot_bm25"))
    cells = {c["method"]: c for c in results["cells"]}
    assert set(cells) == {"majority", "zero_shot", "zero_shot_cot", "few_shot_bm25"}
    for cell in cells.values():
        assert CELL_FIELDS <= set(cell)
        assert cell["task"] == "parity" and cell["n"] == 20
        assert cell["ci_low"] <= cell["accuracy"] <= cell["ci_high"]
        assert sum(d["count"] for d in cell["answer_distribution"]) == 20
    assert cells["majority"]["accuracy"] == 0.5 and cells["majority"]["constant_answer"] == "odd"
    assert cells["majority"]["model"] == "none"
    assert cells["zero_shot"]["constant_answer"] == "even" and cells["zero_shot"]["p_vs_zero_shot"] is None
    cot = cells["zero_shot_cot"]
    assert cot["accuracy"] == 1.0 and cot["constant_answer"] is None and cot["p_vs_zero_shot"] < 0.01
    assert cot["answer_distribution"] == [{"answer": "even", "count": 10}, {"answer": "odd", "count": 10}]
    assert cells["few_shot_bm25"]["p_vs_zero_shot"] == 1.0  # it too always says "even"
    assert results["models"]["base"]["identity"] == "parity-fake" and results["models"]["identities"] == ["none", "parity-fake"]
    assert set(results["versions"]) >= {"cogex", "torch", "transformers"} and results["versions"]["cogex"]
    assert results["settings"]["test_items"] == 20 and results["settings"]["statistics"]["bootstrap_resamples"] == stats.RESAMPLES
    markdown = (run_dir / "results.md").read_text()
    assert "| zero_shot | 50.0 [" in markdown and "(const)" in markdown and "parity (n=20)" in markdown


def test_no_p_values_without_a_zero_shot_cell(tmp_path: Path) -> None:
    _, results = _evaluate(tmp_path, ("majority", "zero_shot_cot"))
    assert [c["p_vs_zero_shot"] for c in results["cells"]] == [None, None]


def test_runs_sharing_a_directory_keep_every_task_and_method_in_first_run_order(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    first, second = _parity_task(), dataclasses.replace(_parity_task(), name="parity2")
    evaluate(EvalSettings(tasks=("parity",), methods=("zero_shot", "majority"), test_items=20),
             base=ParityBackend(), cogex=None, run_dir=run_dir, tasks=[first])
    evaluate(EvalSettings(tasks=("parity2",), methods=("zero_shot_cot", "zero_shot"), test_items=20),
             base=ParityBackend(), cogex=None, run_dir=run_dir, tasks=[second])
    recorded = json.loads((run_dir / "settings.json").read_text())
    assert recorded["task_names"] == ["parity", "parity2"]
    assert recorded["methods"] == ["zero_shot", "majority", "zero_shot_cot"]
    cells = [(c.task, c.method) for c in saved_cells(run_dir)]
    assert cells[:2] == [("parity", "zero_shot"), ("parity", "majority")] and ("parity2", "zero_shot_cot") in cells


# ---- the command line ---------------------------------------------------------------------


def _cli(args: list[str]) -> Any:
    from typer.testing import CliRunner

    from cogex.cli import app

    return CliRunner().invoke(app, args)


def _one_line_error(result: Any) -> str:
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return lines[0]


@pytest.fixture
def no_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if the command tries to load a model."""
    import cogex.cli.eval_cmd as eval_cmd

    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("a model was loaded")

    monkeypatch.setattr(eval_cmd, "backend_from", refuse)


def test_unknown_task_or_method_is_a_one_line_error_before_any_model_loads(tmp_path: Path, no_model: None) -> None:
    result = _cli(["eval", "--tasks", "sum,no_such_task", "--out", str(tmp_path / "run")])
    assert result.exit_code == 2
    line = _one_line_error(result)
    assert "'no_such_task'" in line and "heldout" in line and "roman_to_integer" in line and "cola" in line
    result = _cli(["eval", "--tasks", "sum", "--methods", "zero_shot,telepathy", "--out", str(tmp_path / "run")])
    assert result.exit_code == 2 and "'telepathy'" in _one_line_error(result)
    assert not (tmp_path / "run").exists()


def test_yaml_task_with_an_unknown_key_is_a_one_line_error(tmp_path: Path, no_model: None) -> None:
    yaml_path = _write_yaml_task(tmp_path, extra="promt: oops\n")
    result = _cli(["eval", "--tasks", str(yaml_path), "--methods", "majority", "--out", str(tmp_path / "run")])
    assert result.exit_code != 0
    assert "unknown key 'promt'" in _one_line_error(result)
    assert not (tmp_path / "run").exists()


def test_backend_options_reach_the_backends_and_only_needed_models_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import cogex.cli.eval_cmd as eval_cmd

    built: list[Any] = []

    def fake_backend_from(args: Any, **_kwargs: Any) -> Backend:
        built.append(args)
        return ParityBackend()

    monkeypatch.setattr(eval_cmd, "backend_from", fake_backend_from)
    yaml_path = _write_yaml_task(tmp_path)
    result = _cli(["eval", "--tasks", str(yaml_path), "--methods", "majority,zero_shot_cot", "--backend", "openai",
                   "--base-url", "http://127.0.0.1:9/v1", "--api-key", "k", "--model", "served", "--out", str(tmp_path / "run")])
    assert result.exit_code == 0, result.output
    assert len(built) == 1  # zero_shot_cot needs the base model only; majority none
    args = built[0]
    assert (args.backend, args.base_url, args.api_key, args.model, args.adapter) == ("openai", "http://127.0.0.1:9/v1", "k", "served", "none")
    cells = json.loads((tmp_path / "run" / "results.json").read_text())["cells"]
    assert [(c["method"], c["model"]) for c in cells] == [("majority", "none"), ("zero_shot_cot", "parity-fake")]


def test_report_only_on_a_missing_or_empty_folder_writes_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "missing"
    result = _cli(["eval", "--report-only", "--out", str(missing)])
    assert result.exit_code != 0 and "does not exist" in _one_line_error(result)
    assert not missing.exists()
    empty = tmp_path / "empty"
    (empty / "sum").mkdir(parents=True)
    result = _cli(["eval", "--report-only", "--out", str(empty)])
    assert result.exit_code != 0 and "no saved cells" in _one_line_error(result)
    assert [p.name for p in empty.rglob("*")] == ["sum"]


def test_report_only_rebuilds_every_file_from_the_saved_cells(tmp_path: Path) -> None:
    run_dir, before = _evaluate(tmp_path, ("majority", "zero_shot", "zero_shot_cot"))
    for name in ("results.json", "results.md", "results.csv", "accuracy.png"):
        (run_dir / name).unlink()
    result = _cli(["eval", "--report-only", "--out", str(run_dir)])
    assert result.exit_code == 0, result.output
    assert read_results(run_dir / RESULTS_FILE) == before
    assert (run_dir / "accuracy.png").stat().st_size > 1000 and (run_dir / "results.csv").is_file()
    only = _cli(["eval", "--report-only", "--methods", "zero_shot_cot", "--out", str(run_dir)])
    assert only.exit_code == 0, only.output
    assert [c["method"] for c in read_results(run_dir / RESULTS_FILE)["cells"]] == ["zero_shot_cot"]


def _write_yaml_task(folder: Path, extra: str = "") -> Path:
    """A 24-item parity task as a JSONL file plus its YAML config."""
    rows = [{"text": f"{i * 7 + 3}", "label": "even" if (i * 7 + 3) % 2 == 0 else "odd"} for i in range(24)]
    (folder / "parity.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    path = folder / "my_task.yaml"
    path.write_text(
        "name: my_parity\nsource: parity.jsonl\ninput_column: text\ntarget_column: label\n"
        "instruction: Is the number even or odd? Answer even or odd.\nanswer_format: label\nlabels: [even, odd]\n"
        "search_fraction: 0.5\n" + extra, encoding="utf-8")
    return path


@pytest.mark.model
def test_end_to_end_eval_of_a_yaml_task_with_the_embedded_model(tmp_path: Path) -> None:
    yaml_path = _write_yaml_task(tmp_path)
    out_dir = tmp_path / "run"
    result = _cli(["eval", "--tasks", str(yaml_path), "--methods", "majority,zero_shot", "--test-items", "8",
                   "--no-cache", "--batch-size", "4", "--out", str(out_dir)])
    assert result.exit_code == 0, result.output
    results = json.loads((out_dir / "results.json").read_text())
    cells = {c["method"]: c for c in results["cells"]}
    assert set(cells) == {"majority", "zero_shot"}
    for cell in cells.values():
        assert cell["task"] == "my_parity" and cell["n"] == 8 and CELL_FIELDS <= set(cell)
        assert 0.0 <= cell["ci_low"] <= cell["accuracy"] <= cell["ci_high"] <= 1.0
    assert cells["majority"]["constant_answer"] in {"even", "odd"} and cells["majority"]["model"] == "none"
    assert cells["majority"]["p_vs_zero_shot"] is not None and cells["zero_shot"]["p_vs_zero_shot"] is None
    assert "SmolLM2" in cells["zero_shot"]["model"] and results["models"]["base"]["identity"] == cells["zero_shot"]["model"]
    assert results["models"]["cogex"] is None  # neither method needs the CoGEX adapter
    assert results["settings"]["tasks"] == [str(yaml_path)] and results["settings"]["task_names"] == ["my_parity"]
    assert (out_dir / "results.md").is_file() and (out_dir / "accuracy.png").stat().st_size > 1000
