"""CoTACS search, apply and the executors with the real embedded model (handful of items)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cogex.execute.executors import NO_FALLBACK_ERRORS, SandboxExecutor, call_budget, parse_helper_reply
from cogex.generate.modes import EMULATOR_CONFIG
from cogex.search import Program, SearchSettings, run_search
from cogex.search.apply import apply_program, items_for
from cogex.search.cotacs import Candidate, rank
from cogex.tasks import get_task

pytestmark = pytest.mark.model

SUM_PROGRAM = '''def add_numbers(text):
    """Add the two numbers in the text."""
    # Step 1: Find the numbers.
    import re
    numbers = [int(n) for n in re.findall(r"\\d+", text)]
    # Step 2: Add them.
    total = sum(numbers)
    return {'numbers': numbers, 'answer': total}'''

HOSTILE_PROGRAMS = [
    "def add_numbers(text):\n    import os\n    os.system('touch /tmp/cogex_search_pwned')\n    return {'answer': 1}",
    "def add_numbers(text):\n    while True:\n        pass",
    "def add_numbers(text):\n    return {'answer': open('/etc/passwd').read()}",
]


@pytest.fixture(scope="module")
def cogex_backend():
    """The default CoGEX model: the embedded model with the shipped adapter (when present)."""
    from cogex.models.factory import create_backend

    return create_backend(batch_size=4, cache=False)


@pytest.fixture(scope="module")
def cogex_backend_fp32():
    """The default CoGEX model in float32. In bfloat16 a low-temperature emulation can change with the
    batch it is computed in (docs/backends.md), and a search batches other programs' prompts with the
    kept one's, so exact reproduction by ``apply`` is asserted in float32."""
    from cogex.models.factory import create_backend

    return create_backend(batch_size=4, cache=False, dtype="float32")


def test_search_writes_program_and_apply_reproduces_its_accuracy(cogex_backend_fp32, tmp_path: Path) -> None:
    cogex_backend = cogex_backend_fp32
    task = get_task("sum")
    settings = SearchSettings(n_generate=2, n_rank=3, k=1, max_resamples=1, gen_max_new_tokens=200,
                              emu_max_new_tokens=96, seed=0)
    result = run_search(cogex_backend, task, settings, out_dir=tmp_path)
    program = Program.load(tmp_path / "program.json")
    assert program == result.program  # what is saved is what the search returned
    assert program.task == "sum" and program.k == 1 and len(program.programs) == 1
    assert program.settings["n_generate"] == 2 and program.seed == 0
    assert program.settings["bindings"] == ["model"]  # emulation ranks only model-written calls
    assert len(program.predictions) == 3 and program.n_candidates == 2
    assert program.rank_accuracy == sum(p.correct for p in program.predictions) / 3
    items, task_obj = items_for(program, split="search")
    assert [e.id for e in items] == program.items["rank"]
    applied = apply_program(cogex_backend, program, items, task_obj)
    assert applied["accuracy"] == pytest.approx(program.rank_accuracy)
    assert [row["prediction"] for row in applied["predictions"]] == [p.prediction for p in program.predictions]
    # The same search on the same seed writes the same artifact (only its wall time differs).
    again = run_search(cogex_backend, task, settings, out_dir=tmp_path / "again")
    first = json.loads((tmp_path / "program.json").read_text())
    second = json.loads((tmp_path / "again" / "program.json").read_text())
    assert {**first, "seconds": 0} == {**second, "seconds": 0} and again.program.programs == program.programs


def test_hostile_candidates_fail_and_the_search_carries_on(cogex_backend) -> None:
    task = get_task("sum")
    items = task.examples("search", limit=2, seed=0)
    candidates = [Candidate(i, program, "test", 1, task.instruction) for i, program in
                  enumerate([HOSTILE_PROGRAMS[0], SUM_PROGRAM, HOSTILE_PROGRAMS[1], HOSTILE_PROGRAMS[2]])]
    executor = SandboxExecutor(cogex_backend, hybrid=False, call_tokens=48, config=EMULATOR_CONFIG.with_(max_new_tokens=64))
    ranked = rank(task, candidates, items, SearchSettings(n_generate=0, n_rank=2, executor="python"), executor)
    assert len(ranked) == 12  # four one-argument programs x three input bindings
    by_entry = {(c.program, c.binding): c for c in ranked}
    for hostile in HOSTILE_PROGRAMS:
        for binding in ("model", "text", "words"):
            cand = by_entry[hostile, binding]
            assert cand.rank_score == 0.0
            assert len(cand.rank_correct) == 2
    # With the input text as its argument the honest program really runs and is exact.
    assert by_entry[SUM_PROGRAM, "text"].rank_score == 1.0
    assert set(by_entry[SUM_PROGRAM, "text"].rank_paths) == {"python"}
    assert not os.path.exists("/tmp/cogex_search_pwned")
    results = executor.run(task.instruction, HOSTILE_PROGRAMS[1], [items[0].input])
    assert not results[0].ok
    if results[0].exec_error != "no_call":  # the model wrote a call, so the program ran and was stopped
        assert results[0].exec_error in NO_FALLBACK_ERRORS and results[0].path == "python"


def test_python_executor_really_executes(cogex_backend) -> None:
    task = get_task("sum")
    items = task.examples("search", limit=3, seed=0)
    results = SandboxExecutor(cogex_backend, hybrid=False, fallback=False, call_tokens=48).run(
        task.instruction, SUM_PROGRAM, [e.input for e in items])
    import re

    assert len(results) == 3 and all(r.path == "python" for r in results)
    for result in results:
        if result.ok:  # the call the model wrote really ran: the answer is the exact sum of its numbers
            assert result.answer == sum(int(n) for n in re.findall(r"\d+", result.call))
        else:
            assert result.error == "no_call" and result.call is None
    # The same program under the text binding needs no model call line: every item is exact.
    bound = SandboxExecutor(cogex_backend, hybrid=False, fallback=False, binding="text").run(
        task.instruction, SUM_PROGRAM, [e.input for e in items])
    assert [r.answer for r in bound] == [sum(int(n) for n in re.findall(r"\d+", e.input)) for e in items]


def test_hybrid_run_many_equals_one_program_at_a_time(cogex_backend) -> None:
    # Several programs in one batched request (call lines, then fallback emulation) give the
    # same results as running each program alone.
    task = get_task("sum")
    items = [e.input for e in task.examples("search", limit=2, seed=0)]
    helper = "def add(a, b):\n    # Step 1: Ask for the sum.\n    total = add_numbers(a, b)\n    return {'answer': total}"
    executor = SandboxExecutor(cogex_backend, hybrid=True, call_tokens=48, helper_tokens=16,
                               config=EMULATOR_CONFIG.with_(max_new_tokens=48))
    jobs = [(SUM_PROGRAM, items), (helper, items[:1])]
    together = executor.run_many(task.instruction, jobs)
    alone = [executor.run(task.instruction, program, inputs) for program, inputs in jobs]
    assert [len(r) for r in together] == [2, 1]
    assert [[r.to_json() for r in rs] for rs in together] == [[r.to_json() for r in rs] for rs in alone]


def test_parse_helper_reply() -> None:
    assert parse_helper_reply("'positive'}\n### End") == "positive"
    assert parse_helper_reply("[1, 2]}") == [1, 2]
    assert parse_helper_reply("True, 'x': 1}") is True
    assert parse_helper_reply("joyful mood") == "joyful mood"


def test_cli_exec_python_and_hostile(tmp_path: Path) -> None:
    program = tmp_path / "p.py"
    program.write_text(SUM_PROGRAM)
    cmd = [sys.executable, "-m", "cogex", "exec", str(program), "--call", "add_numbers('12 + 30')", "--json"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"output": {"numbers": [12, 30], "answer": 42}, "answer": 42, "error": None, "path": "python",
                                       "exec_error": None, "detail": None}
    program.write_text(HOSTILE_PROGRAMS[0])
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    data = json.loads(done.stdout)
    assert data["error"] in NO_FALLBACK_ERRORS and data["answer"] is None
    assert not os.path.exists("/tmp/cogex_search_pwned")


def test_cli_exec_hybrid_answers_undefined_helpers_with_the_model(tmp_path: Path) -> None:
    program = tmp_path / "p.py"
    program.write_text("def describe(word):\n    # Step 1: ask the helper.\n    kind = classify_word(word)\n    return {'kind': kind, 'answer': kind}")
    env = {**os.environ, "COGEX_CALL_CACHE": str(tmp_path / "calls.sqlite")}
    cmd = [sys.executable, "-m", "cogex", "exec", str(program), "--call", "describe('apple')", "--executor", "hybrid", "--json"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode in (0, 1), done.stderr[-2000:]
    data = json.loads(done.stdout)
    assert done.returncode == (0 if data["error"] is None else 1)
    assert data["path"] in {"hybrid", "emulate-fallback"}
    # Real execution with a model-answered helper returns exactly what the program builds from it;
    # a fallback says which sandbox failure caused it.
    if data["path"] == "hybrid":
        assert data["error"] is None and data["output"]["kind"] == data["answer"]
    else:
        assert data["exec_error"] is not None  # (tests/test_executors.py covers the hybrid path deterministically)


def test_call_line_budget_grows_with_the_input() -> None:
    assert call_budget(["Add the two numbers: 12 + 34"]) == 128  # short inputs keep the floor
    words = "Sort the following words alphabetically: List: " + " ".join(["syndrome"] * 20)
    assert call_budget(["x", words]) == len(words) + 32  # the longest input decides
    assert call_budget([]) == 128


def test_cli_exec_python_names_the_undefined_helper(tmp_path: Path) -> None:
    program = tmp_path / "p.py"
    program.write_text("def describe(word):\n    # Step 1: ask the helper.\n    kind = classify_word(word)\n    return {'answer': kind}")
    base = [sys.executable, "-m", "cogex", "exec", str(program), "--call", ">>> describe('apple')", "--executor", "python"]
    done = subprocess.run([*base, "--json"], capture_output=True, text=True, timeout=120)
    data = json.loads(done.stdout)
    assert done.returncode == 1 and data["error"] == "undefined_name"
    assert "classify_word" in data["detail"] and "--executor hybrid" in data["detail"]
    text = subprocess.run(base, capture_output=True, text=True, timeout=120)
    assert text.returncode == 1 and "classify_word" in text.stdout + text.stderr
