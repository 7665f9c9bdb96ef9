"""Bad inputs through the real command line: each gives a one-line error, the right non-zero exit
code (1 = failed, 2 = bad usage) and no traceback, and never loads a model (validation first).

Most cases run in-process with typer's CliRunner, with every model loader replaced by one that
fails the test; a few run ``python -m cogex`` in a subprocess to check the real entry point.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from cogex.models.backend import Backend
from typer.testing import CliRunner

from cogex.cli import app

TEXT_PROGRAM = (
    "def add(text):\n"
    "    nums = [int(t) for t in text.split() if t.isdigit()]\n"
    "    return {'answer': sum(nums)}\n"
)
ECHO_PROGRAM = "def f(x):\n    \"\"\"Echo.\"\"\"\n    return {'answer': x}\n"


def _program_record(**changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {"task": "rows", "instruction": "Add the numbers.", "k": 1, "seed": 0,
                              "settings": {"executor": "python"},
                              "programs": [{"program": TEXT_PROGRAM, "binding": "text"}]}
    record.update(changes)
    return record


def closed_port() -> int:
    """A localhost port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def no_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if anything tries to load a model."""
    from cogex.models import loading, transformers_backend, vllm_backend

    def forbidden(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("a model was loaded for a bad input")

    monkeypatch.setattr(loading, "load_model", forbidden)
    monkeypatch.setattr(transformers_backend, "load_model", forbidden)
    monkeypatch.setattr(transformers_backend.TransformersBackend, "from_spec", classmethod(forbidden))
    monkeypatch.setattr(vllm_backend.VLLMBackend, "__init__", forbidden)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """Every bad (and a few good) input files the table refers to."""
    made: dict[str, Path] = {}

    def put(name: str, content: str | bytes) -> None:
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
        made[name] = path

    put("prog.py", ECHO_PROGRAM)
    put("empty.py", "")
    put("latin1.py", "def f(x):\n    return {'answer': 'caf\xe9'}\n".encode("latin-1"))
    put("big.py", "# " + "x" * (10 * 1024 * 1024) + "\n")
    put("program.json", json.dumps(_program_record()))
    put("truncated.json", json.dumps(_program_record())[:40])
    put("list.json", "[1, 2, 3]")
    put("programs_ints.json", json.dumps(_program_record(programs=[1, 2])))
    put("program_int.json", json.dumps(_program_record(programs=[{"program": 12345}])))
    put("no_instruction.json", json.dumps({"programs": [{"program": TEXT_PROGRAM}]}))
    put("bad_binding.json", json.dumps(_program_record(programs=[{"program": TEXT_PROGRAM, "binding": "telepathy"}])))
    put("no_programs.json", json.dumps(_program_record(programs=[])))
    put("latin1.json", json.dumps(_program_record()).replace("Add", "Add\xe9").encode("latin-1"))
    put("rows.jsonl", '{"input": "1 2", "target": "3"}\n{"input": "4 5", "target": "9"}\n')
    put("wrong_columns.jsonl", '{"question": "1 2", "answer": "3"}\n{"question": "3 4", "answer": "7"}\n')
    put("empty.jsonl", "")
    put("blank.jsonl", "\n\n  \n")
    put("invalid.jsonl", '{"input": "1 2", "target": "3"}\n{"input": "4 5", "targ\n')
    put("not_objects.jsonl", "[1, 2]\n\"text\"\n")
    put("latin1.jsonl", '{"input": "caf\xe9", "target": "1"}\n'.encode("latin-1"))
    put("rows.csv", "q,a\n1 2,3\n4 5,9\n")
    put("alpaca_truncated.json", '[{"instruction": "Sort the words.", "input": "b a", "output": "a b"},')
    put("alpaca_no_instruction.json", '[{"input": "b a", "output": "a b"}]')
    put("alpaca_not_object.json", "[1, 2]")
    put("alpaca_empty.json", "")
    put("train_empty.jsonl", "")
    put("train_invalid.jsonl", '{"instruction": "x", "input": ""\n')
    put("task.yaml", "name: broken\nsource: rows.jsonl\n")  # no instruction
    (tmp_path / "adir").mkdir()
    made["adir"] = tmp_path / "adir"
    made["missing"] = tmp_path / "missing.py"
    made["out.gguf"] = tmp_path / "out.gguf"
    made["cache_dir"] = tmp_path / "cache_is_a_dir"
    made["cache_dir"].mkdir()
    return made


@dataclass(frozen=True)
class Case:
    """One bad input: the command line (``{name}`` = a file of the fixture), the exit code and a
    phrase the one-line error must contain."""

    name: str
    args: str | list[str]
    code: int
    says: str
    env: dict[str, str] | None = None


CLOSED = closed_port()
OPENAI = ["--backend", "openai", "--model", "m", "--base-url", f"http://127.0.0.1:{CLOSED}/v1", "--no-cache",
          "--request-timeout", "2", "--max-retries", "0"]

CASES = [
    # --- files: missing, a directory, not UTF-8, too big, empty
    Case("exec_missing_file", "exec {missing} --call f(1)", 1, "not found"),
    Case("exec_directory", "exec {adir} --call f(1)", 1, "is a directory"),
    Case("exec_not_utf8", "exec {latin1.py} --call f(1)", 1, "not UTF-8"),
    Case("exec_10_mb_program", "exec {big.py} --call f(1)", 1, "MB"),
    Case("exec_empty_program", "exec {empty.py} --call f(1)", 2, "empty"),
    Case("ask_program_missing", ["ask", "Sort.", "--program", "{missing}"], 1, "not found"),
    Case("ask_program_not_utf8", ["ask", "Sort.", "--program", "{latin1.py}"], 1, "not UTF-8"),
    # --- calls and enumerations
    Case("exec_bad_call", ["exec", "{prog.py}", "--call", "this is not a call"], 2, "--call must be one function call"),
    Case("exec_bad_executor", "exec {prog.py} --call f(1) --executor hybird", 2, "'python', 'hybrid', 'emulate'"),
    Case("ask_empty_instruction", ["ask", ""], 2, "instruction is empty"),
    Case("ask_blank_instruction", ["ask", "   "], 2, "instruction is empty"),
    Case("ask_bad_executor", "ask hi --executor hybird", 2, "'emulate', 'python', 'hybrid'"),
    Case("ask_bad_backend", "ask hi --backend tgi", 2, "'transformers', 'openai', 'vllm'"),
    Case("ask_bad_dtype", "ask hi --dtype float8", 2, "'float32', 'bfloat16', 'float16'"),
    Case("ask_zero_batch", "ask hi --batch-size 0", 2, "--batch-size"),
    Case("ask_zero_tokens", "ask hi --max-new-tokens 0", 2, "--max-new-tokens"),
    Case("exec_bad_dtype", "exec {prog.py} --call f(1) --dtype int4", 2, "'auto', 'float32', 'bfloat16', 'float16'"),
    Case("export_gguf_not_an_adapter", "export-gguf {out.gguf} --adapter {adir}", 1, "is not a PEFT LoRA folder"),
    Case("export_gguf_base_missing", "export-gguf {out.gguf} --base {missing}", 1, "base GGUF not found"),
    Case("search_bad_ranking", "search sum --ranking best", 2, "'exhaustive', 'halving'"),
    Case("search_bad_bindings", "search sum --bindings model,telepathy", 2, "telepathy"),
    Case("search_bad_answer_format", "search {rows.jsonl} --instruction Add. --answer-format emoji", 2, "'label', 'letter'"),
    Case("apply_bad_executor", "apply {program.json} --executor hybird", 2, "'emulate', 'python', 'hybrid'"),
    Case("apply_bad_split", "apply {program.json} --split train", 2, "'test', 'search'"),
    Case("convert_bad_backend", "convert {rows.jsonl} -o {adir}/o.jsonl --teacher-backend tgi", 2, "'transformers', 'openai', 'vllm'"),
    Case("unknown_command", "frobnicate", 2, "No such command"),
    Case("unknown_option", "ask hi --frobnicate", 2, "No such option"),
    # --- sizes
    Case("search_k_zero", "search sum --k 0", 2, "--k"),
    Case("search_k_negative", "search sum --k -1", 2, "--k"),
    Case("search_n_generate_negative", "search sum --n-generate -3", 2, "--n-generate"),
    Case("search_n_rank_zero", "search sum --n-rank 0", 2, "--n-rank"),
    Case("search_halving_eta_one", "search sum --ranking halving --halving-eta 1", 2, "--halving-eta"),
    Case("search_halving_eta_zero", "search sum --ranking halving --halving-eta 0", 2, "--halving-eta"),
    Case("search_alpha_above_one", "search sum --alpha 1.5", 2, "--alpha"),
    Case("apply_limit_zero", "apply {program.json} --limit 0", 2, "--limit"),
    Case("apply_empty_input", ["apply", "{program.json}", "--input", ""], 2, "--input is empty"),
    Case("openai_zero_timeout", ["ask", "hi", *OPENAI[:-4], "--request-timeout", "0"], 2, "--request-timeout"),
    Case("openai_negative_retries", ["ask", "hi", *OPENAI[:-2], "--max-retries", "-1"], 2, "--max-retries"),
    # --- tasks and data for search
    Case("search_unknown_task", "search no_such_task", 1, "not a registered task"),
    Case("search_missing_file", "search {adir}/nope.jsonl --instruction Add.", 1, "not found"),
    Case("search_empty_jsonl", "search {empty.jsonl} --instruction Add.", 1, "empty"),
    Case("search_invalid_jsonl", "search {invalid.jsonl} --instruction Add.", 1, "invalid JSON"),
    Case("search_wrong_columns", "search {wrong_columns.jsonl} --instruction Add.", 1, "no column"),
    Case("search_not_utf8", "search {latin1.jsonl} --instruction Add.", 1, "UTF-8"),
    Case("search_broken_task_config", "search {task.yaml}", 1, "instruction"),
    Case("search_too_few_items", "search {rows.jsonl} --instruction Add. --n-generate 5", 1, "search items"),
    # --- program.json for apply
    Case("apply_missing", "apply {missing}", 1, "not found"),
    Case("apply_directory_without_program", "apply {adir}", 1, "program.json"),
    Case("apply_truncated_json", "apply {truncated.json}", 1, "not valid JSON"),
    Case("apply_json_list", "apply {list.json}", 1, "expected a JSON object"),
    Case("apply_programs_ints", "apply {programs_ints.json}", 1, "programs[0]"),
    Case("apply_program_int", "apply {program_int.json}", 1, "programs[0]['program']"),
    Case("apply_no_instruction", "apply {no_instruction.json}", 1, "instruction"),
    Case("apply_bad_binding", "apply {bad_binding.json}", 1, "telepathy"),
    Case("apply_no_programs", "apply {no_programs.json} --input x", 1, "holds no program"),
    Case("apply_not_utf8_program", "apply {latin1.json}", 1, "not UTF-8"),
    Case("apply_no_items", "apply {program.json}", 1, "no items"),
    Case("apply_two_sources", ["apply", "{program.json}", "--input", "x", "--file", "{rows.jsonl}"], 2, "at most one"),
    # --- data files for apply --file / --task
    Case("apply_file_missing", "apply {program.json} --file {missing}", 1, "not found"),
    Case("apply_file_directory", "apply {program.json} --file {adir}", 1, "is a directory"),
    Case("apply_file_empty", "apply {program.json} --file {empty.jsonl}", 1, "no rows"),
    Case("apply_file_blank_lines", "apply {program.json} --file {blank.jsonl}", 1, "no rows"),
    Case("apply_file_invalid_jsonl", "apply {program.json} --file {invalid.jsonl}", 1, "invalid JSON"),
    Case("apply_file_not_objects", "apply {program.json} --file {not_objects.jsonl}", 1, "not an object"),
    Case("apply_file_wrong_columns", "apply {program.json} --file {wrong_columns.jsonl}", 1, "no column 'input'"),
    Case("apply_file_wrong_target", "apply {program.json} --file {rows.csv} --input-column q --target-column zz", 1, "no column 'zz'"),
    Case("apply_file_not_utf8", "apply {program.json} --file {latin1.jsonl}", 1, "UTF-8"),
    Case("apply_task_missing_file", "apply {program.json} --task {adir}/nope.jsonl", 1, "not found"),
    Case("apply_task_wrong_columns", "apply {program.json} --task {wrong_columns.jsonl}", 1, "no column"),
    # --- environment: unusable call cache, unreachable server
    Case("cache_is_a_directory", ["ask", "hi"], 1, "is a directory", env={"COGEX_CALL_CACHE": "{cache_dir}"}),
    Case("exec_hybrid_cache_is_a_directory", "exec {prog.py} --call f(1) --executor emulate", 1, "is a directory",
         env={"COGEX_CALL_CACHE": "{cache_dir}"}),
    Case("unreachable_server", ["ask", "hi", *OPENAI], 1, "Cannot reach"),
    # --- convert and train data
    Case("convert_empty_file", "convert {alpaca_empty.json} -o {adir}/o.jsonl", 1, "no Alpaca items"),
    Case("convert_truncated_json", "convert {alpaca_truncated.json} -o {adir}/o.jsonl", 1, "not valid JSON"),
    Case("convert_no_instruction", "convert {alpaca_no_instruction.json} -o {adir}/o.jsonl", 1, "instruction"),
    Case("convert_not_objects", "convert {alpaca_not_object.json} -o {adir}/o.jsonl", 1, "JSON object"),
    Case("convert_missing_input", "convert {missing} -o {adir}/o.jsonl", 1, "not found"),
    Case("convert_output_is_directory", "convert {rows.jsonl} -o {adir}", 2, "is a directory"),
    Case("train_empty_data", "train {train_empty.jsonl} -o {adir}/lora --max-steps 1", 1, "No usable"),
    Case("train_invalid_data", "train {train_invalid.jsonl} -o {adir}/lora --max-steps 1", 1, "not valid JSON"),
    Case("train_missing_data", "train {missing} -o {adir}/lora --max-steps 1", 1, "not found"),
]


def _expand(value: str, files: dict[str, Path]) -> str:
    for name, path in files.items():
        value = value.replace("{" + name + "}", str(path))
    return value


def _argv(case: Case, files: dict[str, Path]) -> list[str]:
    parts = case.args.split() if isinstance(case.args, str) else case.args
    return [_expand(part, files) for part in parts]


def assert_one_line_error(stderr: str, code: int, expected_code: int, says: str) -> None:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert code == expected_code, f"exit {code}, expected {expected_code}: {stderr[-1500:]}"
    assert "Traceback" not in stderr, stderr[-3000:]
    assert len(lines) == 1, f"expected one line, got {len(lines)}:\n{stderr[-1500:]}"
    assert lines[0].startswith("error: "), lines[0]
    assert says in lines[0], f"{says!r} not in {lines[0]!r}"


def test_the_table_is_large_enough() -> None:
    assert len(CASES) >= 25
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(case: Case, files: dict[str, Path], no_model: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("COGEX_CALL_CACHE", str(tmp_path / "calls.sqlite"))  # never the user's cache
    for key, value in (case.env or {}).items():
        monkeypatch.setenv(key, _expand(value, files))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, _argv(case, files))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # e.g. the no_model guard: a model was loaded
    assert not result.stdout.strip() or case.code == 2, result.stdout[-500:]
    assert_one_line_error(result.stderr, result.exit_code, case.code, case.says)


def test_unreadable_program_file(files: dict[str, Path], no_model: None, monkeypatch: pytest.MonkeyPatch) -> None:
    # chmod 000 does not stop root, so the read itself is made to fail.
    target = files["prog.py"]
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self == target:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    result = CliRunner().invoke(app, ["exec", str(target), "--call", "f(1)"])
    assert_one_line_error(result.stderr, result.exit_code, 1, "permission denied")


def test_unreachable_server_is_bounded_by_timeout_and_retries(no_model: None) -> None:
    import time

    started = time.monotonic()
    result = CliRunner().invoke(app, ["ask", "hi", *OPENAI[:-2], "--max-retries", "1"])
    assert_one_line_error(result.stderr, result.exit_code, 1, "after 2 attempts")
    assert time.monotonic() - started < 20


# ============================================================================ what works, and exit codes


def _run(args: list[str], **kwargs: Any) -> Any:
    return CliRunner().invoke(app, args, **kwargs)


def test_exec_accepts_the_prompt_ask_prints(files: dict[str, Path]) -> None:
    result = _run(["exec", str(files["prog.py"]), "--call", ">>> f('x')", "--json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {"output": {"answer": "x"}, "answer": "x", "error": None, "path": "python",
                                         "exec_error": None, "detail": None}


@pytest.mark.parametrize("as_json", [False, True])
def test_exec_failure_exits_1_with_and_without_json(files: dict[str, Path], tmp_path: Path, as_json: bool) -> None:
    failing = tmp_path / "fail.py"
    failing.write_text("def f(x):\n    return {'answer': 1 / 0}\n")
    result = _run(["exec", str(failing), "--call", "f(1)", *(["--json"] if as_json else [])])
    assert result.exit_code == 1
    if as_json:  # the JSON is still printed
        assert json.loads(result.stdout)["error"] == "runtime_error"


@pytest.mark.parametrize("answer", ["[/] [bold red]x", "[conceal]secret[/conceal]", "[link=http://x]y"])
def test_model_output_is_printed_as_plain_text(files: dict[str, Path], answer: str) -> None:
    result = _run(["exec", str(files["prog.py"]), "--call", f"f({answer!r})"])
    assert result.exit_code == 0, (result.stderr, result.exception)
    assert repr(answer) in result.stdout  # shown exactly, markup and all


def test_apply_file_jsonl_csv_and_column_mapping(files: dict[str, Path], no_model: None, tmp_path: Path) -> None:
    jsonl = _run(["apply", str(files["program.json"]), "--file", str(files["rows.jsonl"]), "--json"])
    assert jsonl.exit_code == 0, jsonl.stderr
    data = json.loads(jsonl.stdout)
    assert data["accuracy"] == 1.0 and data["n_items"] == 2 and data["n_labelled"] == 2
    assert [row["prediction"] for row in data["predictions"]] == [3, 9]
    out = tmp_path / "pred.jsonl"
    csv = _run(["apply", str(files["program.json"]), "--file", str(files["rows.csv"]), "--input-column", "q",
                "--target-column", "a", "-o", str(out)])
    assert csv.exit_code == 0, csv.stderr
    assert "accuracy 1.000 on 2 labelled" in csv.stderr
    assert [json.loads(line)["correct"] for line in out.read_text().splitlines()] == [True, True]
    unlabelled = tmp_path / "inputs.csv"
    unlabelled.write_text("q\n10 20\n")
    bare = _run(["apply", str(files["program.json"]), "--file", str(unlabelled), "--input-column", "q", "--json"])
    assert bare.exit_code == 0, bare.stderr
    assert json.loads(bare.stdout)["accuracy"] is None and json.loads(bare.stdout)["predictions"][0]["prediction"] == 30


def test_apply_task_file_uses_its_test_split(files: dict[str, Path], no_model: None, tmp_path: Path) -> None:
    rows = tmp_path / "many.jsonl"
    rows.write_text("".join(json.dumps({"input": f"{i} {i}", "target": str(2 * i)}) + "\n" for i in range(10)))
    result = _run(["apply", str(files["program.json"]), "--task", str(rows), "--json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["n_items"] == 5 and data["accuracy"] == 1.0  # the carved half that search never sees


GOOD_PROGRAM = "def add(text):\n    # Step 1: add the numbers.\n    return {'answer': sum(int(t) for t in text.split())}"
BAD_PROGRAM = "def add(text):\n    # Step 1: guess.\n    return {'answer': 0}"


class ScriptedBackend(Backend):
    """A stand-in model: proposes GOOD_PROGRAM for inputs starting with an even number, else
    BAD_PROGRAM (a text binding needs no other model call)."""

    identity = "scripted"

    def __init__(self) -> None:
        self.prompts: list[str] = []

    def generate(self, prompts: Any, config: Any) -> list[Any]:
        from cogex.models.backend import Completion

        out = []
        for prompt in prompts:
            self.prompts.append(prompt)
            first = prompt.split("### Input:\n", 1)[1].split()[0]
            program = GOOD_PROGRAM if int(first) % 2 == 0 else BAD_PROGRAM
            out.append(Completion(f"{program}\n>>> add('{first} 1')\n### Output:\n{{'answer': 0}}\n### End"))
        return out

    def generate_shared_prefix(self, prefix: str, suffixes: Any, config: Any) -> list[Any]:
        return self.generate([prefix + s for s in suffixes], config)

    def generate_grouped(self, groups: Any, config: Any) -> list[Any]:
        return [self.generate_shared_prefix(p, s, config) for p, s in groups]

    def describe(self) -> dict[str, Any]:
        return {"identity": self.identity}

    def close(self) -> None:
        pass


def test_search_then_apply_run_on_a_user_file(no_model: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`cogex search FILE` records where its task came from, candidates.jsonl holds the real rank
    scores, and `cogex apply RUN` runs on that task's own test split (accuracy, not 0 items)."""
    import cogex.cli.common as common

    scripted = ScriptedBackend()
    monkeypatch.setattr(common, "build_backend", lambda *a, **k: scripted)
    rows = tmp_path / "sums.jsonl"
    rows.write_text("".join(json.dumps({"q": f"{i} {i + 1}", "a": str(2 * i + 1)}) + "\n" for i in range(30)))
    run_dir = tmp_path / "run"
    searched = _run(["search", str(rows), "--instruction", "Add the numbers.", "--input-column", "q", "--target-column", "a",
                     "--answer-format", "number", "--n-generate", "3", "--n-rank", "6", "--executor", "python",
                     "--bindings", "text", "--max-resamples", "0", "--out", str(run_dir), "--quiet"])
    assert searched.exit_code == 0, (searched.stderr, searched.exception)
    record = json.loads((run_dir / "program.json").read_text())
    assert record["task_source"]["source"] == str(rows.resolve()) and record["task_source"]["input_column"] == "q"
    assert record["programs"][0]["program"] == GOOD_PROGRAM and record["rank_accuracy"] == 1.0
    candidates = [json.loads(line) for line in (run_dir / "candidates.jsonl").read_text().splitlines()]
    assert len(candidates) == 3
    assert all(c["rank_score"] is not None for c in candidates)
    assert {c["rank_score"] for c in candidates} <= {0.0, 1.0}
    assert [c["rank_score"] == 1.0 for c in candidates] == [c["program"] == GOOD_PROGRAM for c in candidates]
    assert all(set(c["rank_scores"]) == {"text"} for c in candidates)

    monkeypatch.chdir(tmp_path.parent)  # the recorded path is absolute: works from anywhere
    applied = _run(["apply", str(run_dir), "--json", "--quiet"])
    assert applied.exit_code == 0, (applied.stderr, applied.exception)
    data = json.loads(applied.stdout)
    from cogex.tasks import load_user_task

    task = load_user_task(str(rows), input_column="q", target_column="a", instruction="x", answer_format="number")
    assert {row["id"] for row in data["predictions"]} == {e.id for e in task.examples("test")}
    assert data["n_items"] == 15 and data["accuracy"] == 1.0
    searched_ids = set(record["items"]["generate"]) | set(record["items"]["rank"])
    assert not searched_ids & {row["id"] for row in data["predictions"]}  # the test split, never searched


def test_json_output_is_strict() -> None:
    from cogex.cli.common import dumps_strict

    text = dumps_strict({"a": float("inf"), "b": [float("-inf"), float("nan")], "c": 1e999, "d": 1.5})
    assert json.loads(text) == {"a": "inf", "b": ["-inf", None], "c": "inf", "d": 1.5}
    assert "Infinity" not in text and "NaN" not in text


def test_enumerations_match_the_library() -> None:
    from cogex.cli import options as opt
    from cogex.execute.binding import BINDINGS
    from cogex.execute.executors import EXECUTORS
    from cogex.models.factory import BACKENDS

    assert opt.EXECUTORS == tuple(EXECUTORS) and opt.BINDINGS == BINDINGS and opt.BACKENDS == BACKENDS


def test_every_model_command_has_the_same_backend_options() -> None:
    from cogex.cli import options as opt

    wanted = {"--model", "--adapter", "--backend", "--base-url", "--api-key", "--dtype", "--batch-size", "--no-cache",
              "--request-timeout", "--max-retries", "--prompting", "--chat", "--tensor-parallel-size"}
    for command in ("ask", "exec", "search", "apply", "eval", "convert"):
        help_text = _run([command, "--help"], env={"COLUMNS": "250"}).stdout
        missing = {flag for flag in wanted if flag not in help_text}
        assert not missing, (command, missing)
    assert opt.BackendArgs().request_timeout == opt.DEFAULT_REQUEST_TIMEOUT == 60.0
    assert opt.BackendArgs().max_retries == opt.DEFAULT_MAX_RETRIES == 2


def test_search_and_eval_share_one_declaration_of_the_search_options() -> None:
    """Every SearchSettings field is a flag of `cogex search` (eval: all but k and executor, which
    each CoTACS method sets), with the settings' own default, and the parsed flags arrive as one
    SearchSettings."""
    import inspect
    from dataclasses import fields

    from cogex.cli import options as opt
    from cogex.search.cotacs import SearchSettings

    flags = {f.name: "--" + f.name.replace("_", "-") for f in fields(SearchSettings) if f.name != "seed"}
    search_help = _run(["search", "--help"], env={"COLUMNS": "250"}).stdout
    eval_help = _run(["eval", "--help"], env={"COLUMNS": "250"}).stdout
    assert not {flag for flag in flags.values() if flag not in search_help}
    assert not {flag for name, flag in flags.items() if name not in ("k", "executor") and flag not in eval_help}
    assert "--executor" not in eval_help and "--k " not in eval_help

    seen: list[object] = []

    @opt.search_options
    def command(*, search_settings: object) -> None:
        seen.append(search_settings)

    params = inspect.signature(command).parameters
    defaults = SearchSettings()
    for name in flags:
        expected = ",".join(defaults.bindings) if name == "bindings" else getattr(defaults, name)
        assert params[name].default == expected, name
    command(**{name: params[name].default for name in flags} | {"alpha": 0.25, "bindings": "text"})
    assert seen == [SearchSettings(alpha=0.25, bindings=("text",))]
    with pytest.raises(TypeError, match="exclude"):
        opt.search_options(exclude=("nonsense",))(command)


# ============================================================================ the real entry point


SUBPROCESS_CASES = ["ask_bad_executor", "apply_programs_ints", "search_halving_eta_one", "exec_not_utf8"]


@pytest.mark.parametrize("name", SUBPROCESS_CASES)
def test_bad_input_through_python_m_cogex(name: str, files: dict[str, Path], tmp_path: Path) -> None:
    case = next(c for c in CASES if c.name == name)
    env = {**os.environ, "COGEX_CALL_CACHE": str(tmp_path / "calls.sqlite"), "OMP_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, "-m", "cogex", *_argv(case, files)], capture_output=True, text=True,
                          timeout=120, env=env)
    assert_one_line_error(done.stderr, done.returncode, case.code, case.says)


# ============================================================================ files and progress


def test_write_json_atomic_with_concurrent_writers(tmp_path: Path) -> None:
    """Writers never share a temporary file: every read sees one complete document, and no
    temporary file is left behind (one fixed ``.tmp`` name used to race)."""
    import threading

    from cogex.files import write_json_atomic

    target = tmp_path / "program.json"
    write_json_atomic(target, {"writer": -1, "pad": []})
    errors: list[BaseException] = []
    done = threading.Event()

    def writer(n: int) -> None:
        try:
            for i in range(40):
                write_json_atomic(target, {"writer": n, "i": i, "pad": list(range(2000))})
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    def reader() -> None:
        while not done.is_set():
            try:
                json.loads(target.read_text())
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    watcher = threading.Thread(target=reader)
    watcher.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done.set()
    watcher.join()
    assert not errors, errors[:3]
    assert json.loads(target.read_text())["i"] == 39
    assert sorted(p.name for p in tmp_path.iterdir()) == ["program.json"]
    assert (target.stat().st_mode & 0o777) == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_progress_counts_model_calls_and_is_quiet_off_a_terminal() -> None:
    from cogex.cli.progress import StageProgress
    from cogex.models.backend import GenerationConfig
    from cogex.models.factory import ObservedBackend

    seen: list[int] = []
    progress = StageProgress()
    assert not progress.enabled  # pytest's stderr is not a terminal: no bars
    assert not StageProgress(quiet=True).enabled
    backend = ObservedBackend(ScriptedBackend(), lambda n: (seen.append(n), progress.model_calls(n)))  # type: ignore[arg-type]
    with progress:
        progress("propose", 0, 3)
        backend.generate(["### Input:\n2 3", "### Input:\n4 5"], GenerationConfig())
        backend.generate_grouped([("### Input:\n", ["6 1", "7 1"]), ("### Input:\n", ["8 1"])], GenerationConfig())
    assert seen == [2, 3] and progress.calls == 5
    assert backend.identity == "scripted"


class FixedBackend(ScriptedBackend):
    """A stand-in model that always writes ``text``."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def generate(self, prompts: Any, config: Any) -> list[Any]:
        from cogex.models.backend import Completion

        self.prompts.extend(prompts)
        return [Completion(self.text) for _ in prompts]


@pytest.mark.parametrize("as_json", [False, True])
def test_ask_without_an_answer_exits_1_with_and_without_json(
    no_model: None, monkeypatch: pytest.MonkeyPatch, as_json: bool
) -> None:
    import cogex.cli.common as common

    monkeypatch.setattr(common, "build_backend", lambda *a, **k: FixedBackend("no program here at all"))
    result = _run(["ask", "Sort the words.", "--input", "b a", "--retries", "0", *(["--json"] if as_json else [])])
    assert result.exit_code == 1, (result.stderr, result.exception)
    if as_json:
        assert json.loads(result.stdout)["error"] == "no_program"
    else:
        assert "no answer:" in result.stdout


def test_ask_prints_model_output_as_plain_text(no_model: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import cogex.cli.common as common

    answer = "[/] [bold red]x [conceal]hidden"
    program = "def f(x):\n    # Step 1: echo.\n    return {'answer': x}"
    completion = f"{program}\n>>> f({answer!r})\n### Output:\n{{'answer': {answer!r}}}\n### End"
    monkeypatch.setattr(common, "build_backend", lambda *a, **k: FixedBackend(completion))
    result = _run(["ask", "Echo.", "--retries", "0"])
    assert result.exit_code == 0, (result.stderr, result.exception)  # was a rich MarkupError
    assert f">>> f({answer!r})" in result.stdout and f"answer: {answer!r}" in result.stdout
    # The call ask prints is accepted by exec as it is.
    call_line = next(line for line in result.stdout.splitlines() if line.startswith("call: "))[len("call: "):]
    program_file = tmp_path / "echo.py"
    program_file.write_text(program)
    ran = _run(["exec", str(program_file), "--call", call_line, "--json"])
    assert ran.exit_code == 0, ran.stderr
    assert json.loads(ran.stdout)["answer"] == answer


def test_version_prints_the_installed_version() -> None:
    import subprocess
    import sys
    from importlib.metadata import version

    done = subprocess.run([sys.executable, "-m", "cogex", "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == f"cogex {version('cogex')}"


def test_working_spinner_is_silent_off_a_terminal(capsys) -> None:  # type: ignore[no-untyped-def]
    from cogex.cli.progress import working

    with working("writing a program…"):
        value = 1 + 1
    captured = capsys.readouterr()
    assert value == 2 and "writing a program" not in captured.out + captured.err


def test_program_load_refuses_an_unknown_format_version(tmp_path: Path) -> None:
    from cogex.search import PROGRAM_FORMAT, Program

    good = {"format": PROGRAM_FORMAT, "instruction": "Add.", "programs": [{"program": "def f(x):\n    return {'answer': x}"}]}
    (tmp_path / "program.json").write_text(json.dumps(good))
    loaded = Program.load(str(tmp_path))  # str path, run directory
    assert loaded.programs[0].program.startswith("def f") and loaded.programs[0].binding == "model"
    assert loaded.executor == "emulate" and loaded.task == "program"  # defaults of a hand-written file
    (tmp_path / "program.json").write_text(json.dumps({**good, "format": "cogex.program/9"}))
    with pytest.raises(ValueError, match="cogex.program/9"):
        Program.load(tmp_path / "program.json")


def test_program_save_then_load_round_trips(tmp_path: Path) -> None:
    from cogex.search import ChosenProgram, Program

    program = Program(instruction="Add.", programs=[ChosenProgram("def f(x):\n    return {'answer': x}", "text", 0.5)],
                      task="t", settings={"executor": "python"}, task_source={"kind": "user", "source": "x.jsonl"})
    path = program.save(tmp_path)
    assert path == tmp_path / "program.json"
    assert Program.load(path) == program and Program.load(path).top(0).programs == []


def test_ask_with_the_python_executor_replaces_a_wrong_emulation_by_the_real_run(no_model: None,
                                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The model emulates 5 + 7 = 13; run for real, the same program and call give 12."""
    import cogex.cli.common as common

    program = "def add(a, b):\n    # Step 1: Add.\n    return {'answer': a + b}"
    completion = f"{program}\n>>> add(5, 7)\n### Output:\n{{'answer': 13}}\n### End"
    monkeypatch.setattr(common, "build_backend", lambda *a, **k: FixedBackend(completion))
    emulated = _run(["ask", "Add the numbers.", "--input", "5 7", "--retries", "0", "--json"])
    executed = _run(["ask", "Add the numbers.", "--input", "5 7", "--retries", "0", "--json", "--executor", "python"])
    assert json.loads(emulated.stdout)["answer"] == 13 and json.loads(emulated.stdout)["path"] == "emulate"
    assert json.loads(executed.stdout)["answer"] == 12 and json.loads(executed.stdout)["path"] == "python"
    broken = "def add(a, b):\n    return {'answer': a / 0}\n>>> add(5, 7)\n### Output:\n{'answer': 13}\n### End"
    monkeypatch.setattr(common, "build_backend", lambda *a, **k: FixedBackend(broken))
    fallback = _run(["ask", "Add the numbers.", "--input", "5 7", "--retries", "0", "--json", "--executor", "python"])
    assert json.loads(fallback.stdout)["answer"] == 13 and json.loads(fallback.stdout)["path"] == "emulate-fallback"
