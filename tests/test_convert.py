"""``cogex convert``: Alpaca -> CoGEX with a teacher LLM.

End to end with the real embedded model as teacher, and against an OpenAI-compatible HTTP server
started here on 127.0.0.1 that answers with scripted teacher replies (it stands in for a remote
teacher; our client, backend and conversion code run unmocked). Plus unit tests of the parsers
and the answer normaliser.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from cogex.data.alpaca import AlpacaItem, coerce_items, read_alpaca
from cogex.data.convert import (
    DropReason,
    TeacherUnavailable,
    answer_matches,
    convert,
    normalise_answer,
    normalise_program_reply,
    parse_number,
    parse_plan,
    parse_values,
    plan_prompt,
    program_prompt,
    rejects_path_for,
    validate_program,
    values_prompt,
)
from cogex.format import CogexInstance

# ============================================================================ scripted teacher

SORT = AlpacaItem("sort", "Sort the given list ascendingly.", "List: [10, 2, 5, -4, 92, 101]", "[-4, 2, 5, 10, 92, 101]")
PERFECT = AlpacaItem("perfect", "Find the four smallest perfect numbers.", "", "6, 28, 496, and 8128")
FACT = AlpacaItem(
    "fact",
    "Tell me if the sentence is factually correct. Yes or no?",
    "Mount Rainier is the second highest mountain in North America.",
    "No",
)
MEASURE = AlpacaItem("measure", "Convert the following measurement.", "3 ft = _____ in.", "3 ft = 36 in.")

SORT_PROGRAM = '''def sort_ascending(numbers):
    """Sort a list of numbers in ascending order."""
    # Step 1: Read the list of numbers.
    values = list(numbers)
    # Step 2: Sort the numbers in ascending order.
    ordered = sort_numbers(values)
    # Step 3: Return the sorted list.
    return {'numbers': values, 'sorted': ordered, 'answer': ordered}'''
SORT_CALL = "sort_ascending([10, 2, 5, -4, 92, 101])"
SORT_OUTPUT = {"numbers": [10, 2, 5, -4, 92, 101], "sorted": [-4, 2, 5, 10, 92, 101], "answer": [-4, 2, 5, 10, 92, 101]}

PERFECT_PROGRAM = '''def find_perfect_numbers(count):
    """Find the smallest perfect numbers."""
    # Step 1: Go through the positive integers in order.
    candidates = positive_integers()
    # Step 2: Keep each number that equals the sum of its proper divisors.
    perfect = [n for n in candidates if sum(proper_divisors(n)) == n]
    # Step 3: Stop when the requested count is reached.
    answer = perfect[:count]
    return {'perfect_numbers': answer, 'answer': answer}'''
PERFECT_CALL = "find_perfect_numbers(4)"
PERFECT_OUTPUT = {"perfect_numbers": [6, 28, 496, 8128], "answer": [6, 28, 496, 8128]}

SCRIPT: dict[str, tuple[str, str, str]] = {
    # values, plan, program: replies as a chat teacher writes them (fences, markdown, prose)
    "sort": (
        "INPUT = [10, 2, 5, -4, 92, 101]\nOUTPUT = [-4, 2, 5, 10, 92, 101]",
        "1. Read the list of numbers.\n2. Sort the numbers in ascending order.\n3. Return the sorted list.",
        f"Here is the program:\n```python\n{SORT_PROGRAM}\n```\n```\n>>> {SORT_CALL}\n{SORT_OUTPUT!r}\n```\n",
    ),
    "perfect": (
        "**INPUT** = None\n**OUTPUT** = [6, 28, 496, 8128]",
        "Plan:\n1. Go through the positive integers in order.\n2. Keep each number that equals the sum of its"
        " proper divisors.\n3. Stop when the requested count is reached.\n\nThis works for any count.",
        f"{PERFECT_PROGRAM}\n\n>>> {PERFECT_CALL}\nOutput: {PERFECT_OUTPUT!r}",
    ),
    "fact": (  # good values and plan, but the program's answer disagrees with the Alpaca output
        "INPUT = 'Mount Rainier is the second highest mountain in North America.'\nOUTPUT = 'No'",
        "1. Identify the claim made in the sentence.\n2. Look up the facts about the claim.\n"
        "3. Answer yes if the facts agree with the claim, otherwise no.",
        "def check_fact(sentence):\n    \"\"\"Tell whether a sentence is factually correct.\"\"\"\n"
        "    # Step 1: Identify the claim made in the sentence.\n    claim = extract_claim(sentence)\n"
        "    # Step 2: Look up the facts about the claim.\n    facts = look_up_facts(claim)\n"
        "    # Step 3: Answer yes if the facts agree with the claim, otherwise no.\n"
        "    answer = 'Yes' if agrees(facts, claim) else 'No'\n"
        "    return {'claim': claim, 'facts': facts, 'answer': answer}\n"
        ">>> check_fact('Mount Rainier is the second highest mountain in North America.')\n"
        "{'claim': 'Mount Rainier is the second highest mountain in North America', "
        "'facts': 'Mount Rainier is the highest mountain in Washington', 'answer': 'Yes'}",
    ),
    "measure": (  # the program does not parse
        "INPUT = {'value': 3, 'from_unit': 'ft', 'to_unit': 'in'}\nOUTPUT = '3 ft = 36 in.'",
        "1. Look up the conversion factor between the units.\n2. Multiply the value by the factor.\n"
        "3. Write the result with both units.",
        "def convert_measurement(value, from_unit, to_unit):\n    # Step 1: Look up the conversion factor.\n"
        "    factor = conversion_factor(from_unit, to_unit\n    # Step 2: Multiply.\n    result = value * factor\n"
        "    return {'answer': f'{value} {from_unit} = {result} {to_unit}.'}\n"
        ">>> convert_measurement(value=3, from_unit='ft', to_unit='in')\n{'answer': '3 ft = 36 in.'}",
    ),
}
FOUR = [SORT, PERFECT, FACT, MEASURE]
API_KEY = "test-key-123"


def expected_kept() -> list[dict[str, str]]:
    return [
        {**CogexInstance(SORT.instruction, SORT.input, SORT_PROGRAM, SORT_CALL, SORT_OUTPUT).to_record(), "id": "sort", "source": "alpaca"},
        {
            **CogexInstance(PERFECT.instruction, PERFECT.input, PERFECT_PROGRAM, PERFECT_CALL, PERFECT_OUTPUT).to_record(),
            "id": "perfect",
            "source": "alpaca",
        },
    ]


class Reject(Exception):
    """A scripted reply that is an HTTP error instead of text."""

    def __init__(self, status: int) -> None:
        self.status = status


def script_prompts(items: list[AlpacaItem], script: dict[str, tuple[Any, ...]]) -> dict[str, Any]:
    """Map every prompt the conversion will send to the scripted reply for it."""
    replies: dict[str, Any] = {}
    for item in items:
        values_reply, *rest = script[item.id]
        replies[values_prompt(item)] = values_reply
        values = parse_values(values_reply) if isinstance(values_reply, str) else None
        if values is None or not rest:
            continue
        plan_reply, *rest = rest
        replies[plan_prompt(item, *values)] = plan_reply
        steps = parse_plan(plan_reply)
        if steps is None or not rest:
            continue
        replies[program_prompt(item, *values, steps)] = rest[0]
    return replies


class TeacherServer:
    """An OpenAI-compatible HTTP server on 127.0.0.1 serving scripted replies.

    Answers ``POST /v1/chat/completions`` (the last user message is the prompt) and
    ``POST /v1/completions`` in the API's JSON format; unknown prompts get HTTP 400, and after
    ``fail_after`` successful requests every request gets HTTP 500 (a server going down).
    """

    def __init__(self, replies: dict[str, Any]) -> None:
        self.replies = replies
        self.fail_after: int | None = None
        self.served = 0
        self.log: list[tuple[str, str, int]] = []  # (path, prompt, status)
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server API
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                if self.headers.get("Authorization") != f"Bearer {API_KEY}":
                    return self._send(401, {"error": {"message": "bad key", "type": "invalid_request_error"}}, "")
                if self.path == "/v1/chat/completions":
                    prompt = body["messages"][-1]["content"]
                elif self.path == "/v1/completions":
                    prompt = body["prompt"]
                else:
                    return self._send(404, {"error": {"message": "not found"}}, "")
                with server._lock:
                    failing = server.fail_after is not None and server.served >= server.fail_after
                    reply = server.replies.get(prompt)
                    if not failing and isinstance(reply, str):
                        server.served += 1
                if failing:
                    return self._send(500, {"error": {"message": "server overloaded", "type": "server_error"}}, prompt)
                if not isinstance(reply, str):
                    status = reply.status if isinstance(reply, Reject) else 400
                    return self._send(status, {"error": {"message": "cannot answer", "type": "invalid_request_error"}}, prompt)
                usage = {"prompt_tokens": len(prompt.split()), "completion_tokens": len(reply.split())}
                usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
                if self.path == "/v1/chat/completions":
                    choice = {"index": 0, "message": {"role": "assistant", "content": reply}, "finish_reason": "stop"}
                    payload = {"id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": body["model"]}
                else:
                    choice = {"index": 0, "text": reply, "logprobs": None, "finish_reason": "stop"}
                    payload = {"id": "cmpl-1", "object": "text_completion", "created": 0, "model": body["model"]}
                self._send(200, {**payload, "choices": [choice], "usage": usage}, prompt)

            def _send(self, status: int, payload: dict[str, Any], prompt: str) -> None:
                with server._lock:
                    server.log.append((self.path, prompt, status))
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()

    def requests(self, status: int | None = None) -> int:
        with self._lock:
            return sum(1 for _, _, s in self.log if status is None or s == status)

    def prompts_sent(self) -> list[str]:
        with self._lock:
            return [prompt for _, prompt, _ in self.log]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    srv = TeacherServer(script_prompts(FOUR, SCRIPT))
    yield srv
    srv.close()


def openai_teacher(srv: TeacherServer, *, mode: str = "chat", concurrency: int = 4):
    from cogex.models.openai_backend import OpenAIBackend

    # Fast retries so that "retries exhausted" takes milliseconds.
    return OpenAIBackend(
        "teacher", base_url=srv.base_url, api_key=API_KEY, mode=mode, concurrency=concurrency, max_retries=1, retry_backoff=0.01
    )  # type: ignore[arg-type]


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


# ============================================================================ end to end: HTTP teacher


@pytest.mark.parametrize("mode", ["chat", "completions"])
def test_http_teacher_keeps_exactly_the_right_instances(server: TeacherServer, tmp_path: Path, mode: str) -> None:
    teacher = openai_teacher(server, mode=mode)
    out = tmp_path / "cogex.jsonl"
    report = convert(FOUR, teacher, out, batch_size=4, max_new_tokens=256, temperature=0.0, seed=0, limit=None)
    teacher.close()
    assert read_jsonl(out) == expected_kept()
    for record in read_jsonl(out):
        instance = CogexInstance.from_record(record)
        assert instance.output is not None and "answer" in instance.output
    rejects = {r["id"]: r for r in read_jsonl(rejects_path_for(out))}
    assert {i: r["reason"] for i, r in rejects.items()} == {"fact": "answer_mismatch", "measure": "syntax_error"}
    assert set(rejects["fact"]["replies"]) == {"values", "plan", "program"}
    assert rejects["measure"]["replies"]["program"] == SCRIPT["measure"][2]
    assert report.kept == 2 and dict(report.dropped) == {DropReason.ANSWER_MISMATCH: 1, DropReason.SYNTAX_ERROR: 1}
    assert report.total == 4 and report.skipped == 0 and report.pending == 0
    # one request per stage per item, to the endpoint of the mode
    assert server.requests() == 12 and report.teacher_calls == 12
    assert {path for path, _, _ in server.log} == {f"/v1/{'chat/' if mode == 'chat' else ''}completions"}


def test_rerun_sends_no_request_for_finished_items(server: TeacherServer, tmp_path: Path) -> None:
    out = tmp_path / "cogex.jsonl"
    teacher = openai_teacher(server)
    first = convert(FOUR, teacher, out, batch_size=4, max_new_tokens=256, temperature=0.0, seed=0, limit=None)
    files = {p: p.read_bytes() for p in (out, rejects_path_for(out))}
    sent = server.requests()
    second = convert(FOUR, teacher, out, batch_size=4, max_new_tokens=256, temperature=0.0, seed=0, limit=None)
    teacher.close()
    assert first.processed == 4 and sent == 12
    assert server.requests() == sent  # nothing sent again
    assert second.skipped == 4 and second.processed == 0 and second.teacher_calls == 0
    assert {p: p.read_bytes() for p in files} == files  # outputs unchanged


def test_crash_mid_run_keeps_finished_items_and_rerun_completes(server: TeacherServer, tmp_path: Path) -> None:
    out = tmp_path / "cogex.jsonl"
    teacher = openai_teacher(server, concurrency=2)
    server.fail_after = 6  # batch 1 (sort, perfect: 3 stages x 2) succeeds, then the server returns 500s
    with pytest.raises(TeacherUnavailable) as info:
        convert(FOUR, teacher, out, batch_size=2, max_new_tokens=256, temperature=0.0, seed=0, limit=None)
    partial = info.value.report
    assert partial.kept == 2 and partial.dropped_total == 0 and partial.pending == 2
    assert server.requests(500) == 4  # 2 prompts x (1 try + 1 retry), then the run stopped
    assert read_jsonl(out) == expected_kept()
    assert read_jsonl(rejects_path_for(out)) == []

    server.fail_after = None  # the server is back
    before = server.requests(200)
    report = convert(FOUR, teacher, out, batch_size=2, max_new_tokens=256, temperature=0.0, seed=0, limit=None)
    teacher.close()
    assert report.skipped == 2 and report.processed == 2
    assert server.requests(200) - before == 6  # only the two unfinished items, 3 stages each
    resent = set(server.prompts_sent()[-6:])
    assert all(p in resent for p in (values_prompt(FACT), values_prompt(MEASURE)))
    assert values_prompt(SORT) not in resent
    assert read_jsonl(out) == expected_kept()
    assert [r["reason"] for r in read_jsonl(rejects_path_for(out))] == ["answer_mismatch", "syntax_error"]


def test_half_written_line_is_repaired_and_redone(server: TeacherServer, tmp_path: Path) -> None:
    out = tmp_path / "cogex.jsonl"
    good = json.dumps(expected_kept()[0])
    out.write_text(good + "\n" + '{"instruction": "Find the four', encoding="utf-8")  # crash mid-write
    teacher = openai_teacher(server)
    report = convert([SORT, PERFECT], teacher, out, batch_size=2, max_new_tokens=256, temperature=0.0, seed=0, limit=None)
    teacher.close()
    assert report.skipped == 1 and report.kept == 1
    assert read_jsonl(out) == expected_kept()


def test_drop_reasons_over_http(tmp_path: Path) -> None:
    items = [
        AlpacaItem("values", "Name a color.", "", "Blue"),
        AlpacaItem("plan", "Name a fruit.", "", "Apple"),
        AlpacaItem("rejected", "Name a tree.", "", "Oak"),
        AlpacaItem("nocall", "Name a planet.", "", "Mars"),
        AlpacaItem("wrongcall", "Reverse the word.", "stop", "pots"),
        AlpacaItem("nodict", "Double the number.", "4", "8"),
        AlpacaItem("huge", "Repeat.", "x" * 9000, "x"),
    ]
    program = "def {name}(x):\n    # Step 1: Do it.\n    y = do_it(x)\n    return {{'answer': y}}\n"
    script = {
        "values": ("Sure! Blue is a color.",),
        "plan": ("INPUT = None\nOUTPUT = 'Apple'", "1. a\n2. b\n3. c\n4. d"),
        "rejected": (Reject(400),),
        "nocall": ("INPUT = None\nOUTPUT = 'Mars'", "1. Pick a planet.", program.format(name="pick") + "That is all."),
        "wrongcall": (
            "INPUT = 'stop'\nOUTPUT = 'pots'",
            "1. Reverse the letters.",
            program.format(name="rev") + ">>> rev('other')\n{'answer': 'pots'}",
        ),
        "nodict": ("INPUT = 4\nOUTPUT = 8", "1. Multiply by two.", program.format(name="dbl") + ">>> dbl(4)\n8"),
        "huge": ("never asked",),
    }
    srv = TeacherServer(script_prompts(items, script))
    try:
        teacher = openai_teacher(srv)
        report = convert(items, teacher, tmp_path / "o.jsonl", batch_size=8, max_new_tokens=64, temperature=0.0, seed=0, limit=None)
        teacher.close()
    finally:
        srv.close()
    reasons = {r["id"]: r["reason"] for r in read_jsonl(tmp_path / "o.rejects.jsonl")}
    assert reasons == {
        "values": "bad_values",
        "plan": "bad_plan",
        "rejected": "teacher_error",
        "nocall": "no_call",
        "wrongcall": "call_mismatch",
        "nodict": "no_dict",
        "huge": "too_long",
    }
    assert report.kept == 0 and report.dropped_total == 7
    assert all(values_prompt(items[-1]) != p for p in srv.prompts_sent())  # too long: never sent


def test_limit_takes_the_first_items(server: TeacherServer, tmp_path: Path) -> None:
    teacher = openai_teacher(server)
    report = convert(FOUR, teacher, tmp_path / "o.jsonl", batch_size=4, max_new_tokens=64, temperature=0.0, seed=0, limit=1)
    teacher.close()
    assert report.total == 1 and report.kept == 1 and server.requests() == 3


# ============================================================================ the CLI against the server


def _write_alpaca(path: Path, items: list[AlpacaItem]) -> None:
    path.write_text(json.dumps([{"instruction": i.instruction, "input": i.input, "output": i.output} for i in items]), encoding="utf-8")


def test_cli_with_flags_in_completions_mode(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from cogex.cli import app

    data = tmp_path / "alpaca.json"
    _write_alpaca(data, FOUR)
    items = read_alpaca(data)  # content-hash ids, the ones the CLI uses
    script = {item.id: SCRIPT[orig.id] for item, orig in zip(items, FOUR)}
    srv = TeacherServer(script_prompts(items, script))
    args = ["convert", str(data), "-o", str(tmp_path / "out.jsonl"), "--teacher-backend", "openai", "--teacher-model", "teacher",
            "--base-url", srv.base_url, "--api-key", API_KEY, "--teacher-mode", "completions", "--concurrency", "2", "--no-cache", "--json"]
    try:
        result = CliRunner().invoke(app, args)
    finally:
        srv.close()
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["kept"] == 2 and report["dropped"]["answer_mismatch"] == 1 and report["dropped"]["syntax_error"] == 1
    assert {path for path, _, _ in srv.log} == {"/v1/completions"}
    kept = read_jsonl(tmp_path / "out.jsonl")
    assert [k["code_prompt"] for k in kept] == [e["code_prompt"] for e in expected_kept()]
    assert {k["source"] for k in kept} == {"alpaca"}


def test_cli_from_env_with_cache_and_summary_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from cogex.cli import app

    data = tmp_path / "alpaca.jsonl"
    data.write_text("".join(json.dumps(i.to_dict()) + "\n" for i in FOUR), encoding="utf-8")
    srv = TeacherServer(script_prompts(FOUR, SCRIPT))
    monkeypatch.setenv("OPENAI_BASE_URL", srv.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    monkeypatch.setenv("COGEX_TEACHER_MODEL", "teacher")
    monkeypatch.setenv("COGEX_CALL_CACHE", str(tmp_path / "calls.sqlite"))
    args = ["convert", str(data), "--output", str(tmp_path / "out.jsonl"), "--teacher-backend", "openai"]
    try:
        first = CliRunner().invoke(app, args)
        (tmp_path / "out.jsonl").unlink()  # lose the kept file: the call cache answers instead
        second = CliRunner().invoke(app, args)
    finally:
        srv.close()
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    table = "".join(first.stdout.split())  # the table folds long paths over several lines
    assert "kept" in table and "answer_mismatch" in table and "out.rejects.jsonl" in table
    assert srv.requests() == 12  # the second run re-made the two kept items from the cache
    assert read_jsonl(tmp_path / "out.jsonl") == expected_kept()


def test_cli_reports_an_unreachable_teacher(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from cogex.cli import app

    data = tmp_path / "alpaca.json"
    _write_alpaca(data, [SORT])
    srv = TeacherServer({})
    srv.fail_after = 0
    args = ["convert", str(data), "-o", str(tmp_path / "o.jsonl"), "--teacher-backend", "openai", "--teacher-model", "t",
            "--base-url", srv.base_url, "--api-key", API_KEY, "--no-cache"]
    try:
        result = CliRunner().invoke(app, args)
    finally:
        srv.close()
    assert result.exit_code == 1
    assert "rerun the same command" in result.output
    missing = CliRunner().invoke(app, ["convert", str(data), "-o", str(tmp_path / "o.jsonl"), "--teacher-backend", "openai"],
                                 env={"COGEX_TEACHER_MODEL": "", "OPENAI_MODEL": ""})
    assert missing.exit_code == 1 and "--teacher-model" in missing.output


# ============================================================================ end to end: the real embedded teacher


@pytest.mark.model
def test_embedded_teacher_end_to_end(embedded_backend, tmp_path: Path) -> None:
    items = [SORT, AlpacaItem("blank", "Fill in the blank with a word.", "The Houston Rockets are an American professional _", "basketball")]
    out = tmp_path / "cogex.jsonl"
    report = convert(items, embedded_backend, out, batch_size=2, max_new_tokens=32, temperature=0.0, seed=0, limit=None)
    assert report.total == 2 and report.pending == 0
    assert report.kept + report.dropped_total == 2
    kept, rejects = read_jsonl(out), read_jsonl(rejects_path_for(out))
    assert len(kept) == report.kept and len(rejects) == report.dropped_total
    for record in kept:
        CogexInstance.from_record(record)
    reasons = {reason.value for reason in DropReason}
    for reject in rejects:
        assert reject["reason"] in reasons and reject["replies"]
    assert embedded_backend.chat_template() is not None  # the prompts went through its chat template


@pytest.mark.model
def test_cli_local_teacher(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from cogex.cli import app

    data = tmp_path / "alpaca.json"
    _write_alpaca(data, [SORT, PERFECT])
    args = ["convert", str(data), "-o", str(tmp_path / "o.jsonl"), "--limit", "1", "--max-new-tokens", "4", "--no-cache", "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["total"] == 1 and report["kept"] + report["dropped_total"] == 1
    assert report["dropped"]["too_long"] == 1  # 4 tokens are never a whole reply


# ============================================================================ units: parsers and normaliser


@pytest.mark.parametrize(
    "reply, expected",
    [
        ("INPUT = [5, 2, 9]\nOUTPUT = [2, 5, 9]", ([5, 2, 9], [2, 5, 9])),
        ("```python\ninput_value = {'a': 1,\n    'b': 2}\noutput = 'Paris'\n```\nHope this helps!", ({"a": 1, "b": 2}, "Paris")),
        ("**Input:** None\n**Output:** Paris", (None, "Paris")),
        ("Here you go:\nInput: \"hello world\"\nOutput: [\"a\", \"b\"]", ("hello world", ["a", "b"])),
        ("INPUT = 5  # the number\nOUTPUT = 25", (5, 25)),
        ("INPUT = (none)\nOUTPUT = {'x': [1, 2]}", (None, {"x": [1, 2]})),
    ],
)
def test_parse_values_on_tricky_replies(reply: str, expected: tuple[Any, Any]) -> None:
    assert parse_values(reply) == expected


@pytest.mark.parametrize(
    "reply",
    ["Sure! I can help with that.", "OUTPUT = 3", "Some code\nOutput: 1e6", "INPUT = [1, 2\nOUTPUT = 3", "INPUT = 3\nOUTPUT = None", "INPUT = {'a': \nOUTPUT = 'x'", ""],
)
def test_parse_values_rejects(reply: str) -> None:
    assert parse_values(reply) is None


@pytest.mark.parametrize(
    "reply, expected",
    [
        ("1. Read.\n2. Sort.\n3. Return.", ["Read.", "Sort.", "Return."]),
        ("Here is a plan:\n1. Read the list.\n2. Sort it\n   - ascending\n3. Return it.\n\nThis works for any list.",
         ["Read the list.", "Sort it ascending", "Return it."]),
        ("**Step 1:** Find the words.\n\n**Step 2:** Count them.", ["Find the words.", "Count them."]),
        ("1) a\n2) b", ["a", "b"]),
        ("Step 1: Parse.\nStep 2: Solve.", ["Parse.", "Solve."]),
        ("- read the text\n- find the verb", ["read the text", "find the verb"]),
        ("1. **Identify** the claim.", ["Identify the claim."]),
    ],
)
def test_parse_plan_on_tricky_replies(reply: str, expected: list[str]) -> None:
    assert parse_plan(reply) == expected


@pytest.mark.parametrize(
    "reply",
    ["1. a\n2. b\n3. c\n4. d", "The answer is 42.", "1. a\n3. b", "", "1. a\n2. b\nAlternatively:\n1. c"],
)
def test_parse_plan_rejects(reply: str) -> None:
    assert parse_plan(reply) is None


@pytest.mark.parametrize(
    "answer, expected",
    [
        ([6, 28, 496, 8128], "6, 28, 496, and 8128"),
        ([-4, 2, 5, 10], "[-4, 2, 5, 10]"),
        (["2", "5", "9"], "2 5 9"),
        (0.5, "0.5"),
        (1000, "1,000."),
        ("1,000", "1000"),
        (36.0, "36"),
        ("$5", "5"),
        ("Paris", "paris."),
        ('"Hello," she said', "hello she said"),
        ("  Don't   STOP ", "don't stop!"),
        (True, "Yes"),
        (False, "false"),
        ({"x": 3, "y": 2}, "x = 3, y = 2"),
        ("hospical -> hospital", "Hospical -> hospital."),
        (["only"], "Only"),
        ([1e6], "1e6"),
    ],
)
def test_answer_matches(answer: Any, expected: str) -> None:
    assert answer_matches(answer, expected)


@pytest.mark.parametrize(
    "answer, expected",
    [(3, "3.5"), ("Yes", "No"), ([1, 2], "1 2 3"), ("paris", "paris france"), (None, "x"), (True, "no"), ("", "a")],
)
def test_answer_mismatches(answer: Any, expected: str) -> None:
    assert not answer_matches(answer, expected)


def test_normalise_answer_and_numbers() -> None:
    assert normalise_answer("  Don't  STOP\u2014\u201cnow\u201d!  ") == "don t stop now"
    assert normalise_answer("`code`  \n\n text") == "code text"
    assert parse_number("1,234.5") == 1234.5 and parse_number("12%") == 12 and parse_number("3/4") == 0.75
    assert parse_number("42.") == 42 and parse_number("-$3") == -3
    assert parse_number("1,23") is None and parse_number(True) is None and parse_number("x1") is None


def test_program_reply_layouts() -> None:
    program = "def f(x):\n    # Step 1: Double.\n    return {'answer': double(x)}"
    layouts = [
        f"Sure, here it is.\n```python\n{program}\n```\n\n```python\n>>> f(2)\n{{'answer': 4}}\n```",
        f"{program}\n>>> result = f(2)\nOutput: {{'answer': 4}}",
        f"{program}\n\nprint(f(2))\n# Output: {{'answer': 4}}",
        f"{program}\n>>> print(f(2))\n{{'answer': 4}}  # four",
        "def f(x):\n    \"\"\"Double.\n\n    >>> f(1)\n    2\n    \"\"\"\n    return {'answer': double(x)}\n"
        "Example usage:\n>>> f(2)\n{'answer': 4}",
    ]
    item = AlpacaItem("d", "Double it.", "2", "4")
    for reply in layouts:
        verdict = validate_program(item, 2, reply)
        assert verdict.ok, (reply, verdict)
        assert verdict.instance is not None and verdict.instance.call == "f(2)" and verdict.instance.output == {"answer": 4}
    assert ">>> f(2)" in normalise_program_reply(layouts[2])


def test_validation_failures() -> None:
    item = AlpacaItem("d", "Double it.", "2", "4")
    body = "def f(x):\n    return {'answer': x * 2}\n"
    cases = {
        "no function here": DropReason.NO_PROGRAM,
        "def f(x:\n    return 1\n>>> f(2)\n{'answer': 4}": DropReason.SYNTAX_ERROR,
        body: DropReason.NO_CALL,
        body + ">>> g(2)\n{'answer': 4}": DropReason.CALL_MISMATCH,
        body + ">>> f(y)\n{'answer': 4}": DropReason.CALL_MISMATCH,
        body + ">>> f(3)\n{'answer': 4}": DropReason.CALL_MISMATCH,
        body + ">>> f(*[2])\n{'answer': 4}": DropReason.CALL_MISMATCH,
        body + ">>> f(2)\n4": DropReason.NO_DICT,
        body + ">>> f(2)\n{'result': 4}": DropReason.NO_ANSWER,
        body + ">>> f(2)\n{'answer': 5}": DropReason.ANSWER_MISMATCH,
        body + ">>> f(2)\n{'answer': 4, 'log': '" + "x" * 9000 + "'}": DropReason.TOO_LONG,
    }
    for reply, reason in cases.items():
        assert validate_program(item, 2, reply).reason is reason, reply[:60]
    assert validate_program(item, 2, body + ">>> f(2)\n{'answer': ", truncated=True).reason is DropReason.TOO_LONG
    # a dict input may be passed by keyword, in any order, or positionally
    dict_body = "def conv(value, unit):\n    return {'answer': 36}\n"
    for call in ("conv(value=3, unit='ft')", "conv(unit='ft', value=3)", "conv(3, 'ft')", "conv({'value': 3, 'unit': 'ft'})"):
        verdict = validate_program(AlpacaItem("m", "Convert.", "3 ft", "36"), {"value": 3, "unit": "ft"}, f"{dict_body}>>> {call}\n{{'answer': 36}}")
        assert verdict.ok, call


# ============================================================================ units: reading Alpaca data


def test_read_alpaca_formats(tmp_path: Path) -> None:
    array = tmp_path / "a.json"
    array.write_text(json.dumps([{"instruction": "Say hi.", "input": "", "output": "hi"}, {"instruction": "Say hi.", "input": "", "output": "hi"}]))
    items = read_alpaca(array)
    assert len(items) == 1 and items[0].id.startswith("alpaca-") and items[0].source == "a"
    assert read_alpaca(array)[0].id == items[0].id  # stable content id
    lines = tmp_path / "b.jsonl"
    lines.write_text('{"id": "x1", "instruction": "A", "output": "B", "source": "mine"}\n\n{"instruction": "C", "input": 3, "output": "D"}\n')
    got = read_alpaca(lines)
    assert [(i.id, i.input, i.source) for i in got][0] == ("x1", "", "mine") and got[1].input == "3"
    seed = tmp_path / "seed_tasks.jsonl"
    seed.write_text(json.dumps({"id": "seed_task_1", "instruction": "Rel?", "instances": [{"input": "a", "output": "b"}, {"input": "c", "output": "d"}]}) + "\n")
    assert [(i.id, i.input, i.output) for i in read_alpaca(seed)] == [("seed_task_1#0", "a", "b"), ("seed_task_1#1", "c", "d")]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"instruction": "A"}\n')
    with pytest.raises(ValueError, match="line 1.*output"):
        read_alpaca(bad)
    with pytest.raises(FileNotFoundError):
        read_alpaca(tmp_path / "missing.json")
    assert coerce_items([{"id": "q", "instruction": "I", "output": "O"}, SORT])[1] is SORT


def test_real_seed_tasks_read() -> None:
    path = Path("/work/shared/data/alpaca_seed/seed_tasks.jsonl")
    if not path.is_file():
        pytest.skip("shared seed tasks not present")
    items = read_alpaca(path)
    assert len(items) == 175 and items[0].id == "seed_task_0" and items[0].source == "seed_tasks"
