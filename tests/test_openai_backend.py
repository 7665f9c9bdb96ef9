"""OpenAIBackend against a small OpenAI-compatible HTTP server started by the test.

The server stands in for a remote service (vLLM, llama.cpp, a hosted API); the backend and the
official ``openai`` client run unmodified over real HTTP.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator

import pytest

from cogex.format import END_MARKER, reasoner_prompt
from cogex.models.backend import GenerationConfig, prompt_seed
from cogex.models.call_cache import CachedBackend
from cogex.models.factory import create_backend
from cogex.models.openai_backend import OpenAIBackend, OpenAIBackendError


def reply_for(prompt: str) -> str:
    """The fake model's continuation: deterministic, contains stop candidates."""
    return f" answer({prompt[-12:]}) = 42\nEND trailing text ### more"


class FakeServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.lock = threading.Lock()
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.fail_queue: list[int] = []  # status codes for the next requests
        self.in_flight = 0
        self.max_in_flight = 0
        self.delay = 0.0
        self.auth_headers: list[str | None] = []
        self.refused_top_k: set[int] = set()  # answer 400 to requests with these top_k (like vLLM < 0.9 for 0)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


class Handler(BaseHTTPRequestHandler):
    server: FakeServer

    def log_message(self, *args: Any) -> None:  # keep test output quiet
        pass

    def _send(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:  # noqa: N802 - http.server API
        server = self.server
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        with server.lock:
            server.requests.append((self.path, body))
            server.auth_headers.append(self.headers.get("Authorization"))
            failure = server.fail_queue.pop(0) if server.fail_queue else None
            server.in_flight += 1
            server.max_in_flight = max(server.max_in_flight, server.in_flight)
        try:
            if server.delay:
                time.sleep(server.delay)
            if body.get("top_k") in server.refused_top_k:
                self._send(400, {"error": {"message": f"top_k must be -1 (disable), or at least 1, got {body['top_k']}.",
                                           "type": "BadRequestError"}})
                return
            if failure is not None:
                self._send(failure, {"error": {"message": f"injected {failure}", "type": "server_error", "code": failure}},
                           {"Retry-After": "0"} if failure == 429 else None)
                return
            if self.path == "/v1/completions":
                prompt = body["prompt"]
                self._complete(body, prompt, chat=False)
            elif self.path == "/v1/chat/completions":
                prompt = "".join(m["content"] for m in body["messages"] if m["role"] == "user")
                self._complete(body, "[chat]" + prompt, chat=True)
            else:
                self._send(404, {"error": {"message": f"no route {self.path}", "type": "invalid_request_error"}})
        finally:
            with server.lock:
                server.in_flight -= 1

    def _complete(self, body: dict[str, Any], prompt: str, *, chat: bool) -> None:
        text = reply_for(prompt)
        finish = "length"
        stops = body.get("stop") or []
        if isinstance(stops, str):
            stops = [stops]
        if len(stops) > 4:
            self._send(400, {"error": {"message": "at most 4 stop sequences", "type": "invalid_request_error"}})
            return
        cuts = [text.find(s) for s in stops if s in text]
        if cuts:
            text, finish = text[: min(cuts)], "stop"
        else:
            text = text[: body.get("max_tokens", 16) * 4]
        usage = {"prompt_tokens": len(prompt.split()), "completion_tokens": len(text.split()), "total_tokens": 0}
        if chat:
            choice = {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": finish}
            payload = {"id": "c1", "object": "chat.completion", "created": 0, "model": body["model"],
                       "choices": [choice], "usage": usage}
        else:
            choice = {"index": 0, "text": text, "logprobs": None, "finish_reason": finish}
            payload = {"id": "c1", "object": "text_completion", "created": 0, "model": body["model"],
                       "choices": [choice], "usage": usage}
        self._send(200, payload)


@pytest.fixture
def server() -> Iterator[FakeServer]:
    srv = FakeServer()
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def _backend(server: FakeServer, **kwargs: Any) -> OpenAIBackend:
    kwargs.setdefault("timeout", 10.0)
    kwargs.setdefault("retry_backoff", 0.01)
    return OpenAIBackend("fake-model", base_url=server.base_url, **kwargs)


def test_completions_text_stop_finish_reason_usage_and_request(server: FakeServer) -> None:
    backend = _backend(server, api_key="sk-test")
    config = GenerationConfig(max_new_tokens=32, temperature=0.7, top_p=0.9, stop=("\n",), seed=11)
    out = backend.generate(["Q: what is 6*7?"], config)
    assert out[0].text == reply_for("Q: what is 6*7?").split("\n")[0]
    assert out[0].finish_reason == "stop"
    assert out[0].prompt_tokens == 4 and out[0].completion_tokens == len(out[0].text.split())
    assert not out[0].cached
    path, body = server.requests[0]
    assert path == "/v1/completions"
    assert body["model"] == "fake-model" and body["prompt"] == "Q: what is 6*7?"
    assert body["max_tokens"] == 32 and body["temperature"] == 0.7 and body["top_p"] == 0.9
    assert body["stop"] == ["\n"]
    assert body["seed"] == prompt_seed(11, "Q: what is 6*7?") & 0x7FFF_FFFF and body["seed"] < 2**31
    # Every sampling knob a server could default to something else is sent, switched off.
    assert body["frequency_penalty"] == body["presence_penalty"] == 0.0
    assert (body["top_k"], body["min_p"], body["repeat_penalty"], body["repetition_penalty"]) == (0, 0.0, 1.0, 1.0)
    assert server.auth_headers[0] == "Bearer sk-test"
    assert backend.identity == f"openai:{server.base_url}|fake-model"
    assert backend.describe()["base_url"] == server.base_url


def test_length_finish_and_more_than_four_stops_cut_locally(server: FakeServer) -> None:
    backend = _backend(server)
    long = backend.generate(["p"], GenerationConfig(max_new_tokens=2))[0]
    assert long.finish_reason == "length" and long.truncated
    assert long.text == reply_for("p")[:8]

    stops = ("@@1", "@@2", "@@3", "@@4", "###", "END")  # only the first four go to the server
    cut = backend.generate(["p"], GenerationConfig(max_new_tokens=100, stop=stops))[0]
    assert server.requests[-1][1]["stop"] == ["@@1", "@@2", "@@3", "@@4"]
    assert cut.text == reply_for("p").split("END")[0]
    assert cut.finish_reason == "stop"  # the server said length; the local cut found a stop


def test_results_keep_order_and_requests_overlap(server: FakeServer) -> None:
    server.delay = 0.2
    backend = _backend(server, concurrency=8)
    prompts = [f"prompt number {i}" for i in range(16)]
    start = time.perf_counter()
    out = backend.generate(prompts, GenerationConfig(max_new_tokens=50, stop=("\n",)))
    elapsed = time.perf_counter() - start
    assert [c.text for c in out] == [reply_for(p).split("\n")[0] for p in prompts]
    assert server.max_in_flight >= 4  # requests really ran concurrently
    assert elapsed < 16 * 0.2 / 2  # far faster than one at a time
    backend.close()


def test_concurrency_one_is_sequential(server: FakeServer) -> None:
    server.delay = 0.02
    backend = _backend(server, concurrency=1)
    backend.generate([f"p{i}" for i in range(4)], GenerationConfig())
    assert server.max_in_flight == 1


def test_retries_after_500_and_429(server: FakeServer) -> None:
    server.fail_queue = [500, 429]
    backend = _backend(server, max_retries=3)
    out = backend.generate(["retry me"], GenerationConfig(stop=("\n",)))
    assert out[0].text == reply_for("retry me").split("\n")[0]
    assert len(server.requests) == 3 and backend.retries == 2


def test_gives_up_after_max_retries(server: FakeServer) -> None:
    server.fail_queue = [503, 503, 503]
    backend = _backend(server, max_retries=2)
    with pytest.raises(OpenAIBackendError, match="HTTP 503") as info:
        backend.generate(["x"], GenerationConfig())
    assert len(server.requests) == 3
    assert server.base_url in str(info.value) and "fake-model" in str(info.value)


def test_no_retry_on_other_4xx(server: FakeServer) -> None:
    server.fail_queue = [400]
    backend = _backend(server, max_retries=3)
    with pytest.raises(OpenAIBackendError, match="HTTP 400"):
        backend.generate(["x"], GenerationConfig())
    assert len(server.requests) == 1


def _dead_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_clear_error_when_server_is_unreachable() -> None:
    url = f"http://127.0.0.1:{_dead_port()}/v1"
    backend = OpenAIBackend("ghost-model", base_url=url, max_retries=2, timeout=1.0, retry_backoff=0.01)
    start = time.perf_counter()
    with pytest.raises(OpenAIBackendError) as info:
        backend.generate(["hello"], GenerationConfig())
    assert time.perf_counter() - start < 10
    assert isinstance(info.value, RuntimeError)
    message = str(info.value)
    assert url in message and "ghost-model" in message and "3 attempts" in message
    assert backend.requests == 3


def test_chat_mode(server: FakeServer) -> None:
    backend = _backend(server, mode="chat")
    out = backend.generate(["Say hi", "Say bye"], GenerationConfig(stop=("\n",), max_new_tokens=40))
    assert [c.text for c in out] == [reply_for("[chat]Say hi").split("\n")[0], reply_for("[chat]Say bye").split("\n")[0]]
    paths = sorted(path for path, _ in server.requests)
    assert paths == ["/v1/chat/completions"] * 2
    bodies = sorted((body for _, body in server.requests), key=lambda b: b["messages"][0]["content"])
    assert bodies[0]["messages"] == [{"role": "user", "content": "Say bye"}] and "prompt" not in bodies[0]
    assert backend.identity.endswith("|chat")


def test_env_fallbacks(server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url + "/")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    backend = OpenAIBackend("fake-model")
    assert backend.base_url == server.base_url
    backend.generate(["x"], GenerationConfig())
    assert server.auth_headers[-1] == "Bearer sk-from-env"
    monkeypatch.delenv("OPENAI_API_KEY")
    OpenAIBackend("fake-model").generate(["y"], GenerationConfig())
    assert server.auth_headers[-1] == "Bearer EMPTY"


def test_cache_wrapper_over_http(server: FakeServer, tmp_path: Path) -> None:
    cache = CachedBackend(_backend(server), tmp_path / "calls.sqlite", chunk_size=2)
    config = GenerationConfig(stop=("\n",), max_new_tokens=40)
    first = cache.generate(["a", "b", "c"], config)
    assert len(server.requests) == 3
    second = cache.generate(["c", "a", "d"], config)
    assert len(server.requests) == 4  # only "d" went to the server
    assert [c.cached for c in second] == [True, True, False]
    assert second[0].text == first[2].text and second[0].prompt_tokens == first[2].prompt_tokens
    shared = cache.generate_shared_prefix("ctx: ", ["a", "z"], config)
    assert [c.text for c in shared] == [reply_for("ctx: a").split("\n")[0], reply_for("ctx: z").split("\n")[0]]
    assert cache.describe()["cache"]["hits"] == 2


def test_create_backend_openai(server: FakeServer, tmp_path: Path) -> None:
    backend = create_backend("fake-model", backend="openai", base_url=server.base_url, api_key="k",
                             cache_path=tmp_path / "calls.sqlite")
    assert isinstance(backend, CachedBackend) and isinstance(backend.inner, OpenAIBackend)
    assert backend.identity == f"openai:{server.base_url}|fake-model"
    config = GenerationConfig(stop=("\n",))
    assert backend.generate(["hi"], config)[0].text == reply_for("hi").split("\n")[0]
    assert backend.generate(["hi"], config)[0].cached
    assert len(server.requests) == 1
    plain = create_backend("fake-model", backend="openai", base_url=server.base_url, cache=False)
    assert isinstance(plain, OpenAIBackend)


@pytest.fixture
def silent_server() -> Iterator[tuple[str, list[socket.socket]]]:
    """A server that accepts connections and never answers (a hung inference server)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.05)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            accepted.append(conn)  # read nothing, answer nothing

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/v1", accepted
    stop.set()
    thread.join(timeout=2)
    for conn in accepted:
        conn.close()
    listener.close()


def test_a_silent_server_fails_after_timeout_times_attempts(silent_server: tuple[str, list[socket.socket]]) -> None:
    url, accepted = silent_server
    backend = OpenAIBackend("hung-model", base_url=url, timeout=0.5, max_retries=1, retry_backoff=0.01)
    start = time.perf_counter()
    with pytest.raises(OpenAIBackendError, match="after 2 attempts") as info:
        backend.generate(["hello"], GenerationConfig())
    elapsed = time.perf_counter() - start
    assert 0.9 < elapsed < 5  # two bounded attempts of 0.5 s, not 120 s each
    assert backend.requests == 2 and len(accepted) == 2
    assert "--request-timeout" in str(info.value)


def test_request_bounds_have_sane_defaults_and_reach_the_backend(tmp_path: Path) -> None:
    from cogex.models.factory import DEFAULT_MAX_RETRIES, DEFAULT_REQUEST_TIMEOUT

    default = OpenAIBackend("m", base_url="http://127.0.0.1:9/v1")
    assert default.timeout == DEFAULT_REQUEST_TIMEOUT == 60.0 and default.max_retries == DEFAULT_MAX_RETRIES == 2
    built = create_backend("m", backend="openai", base_url="http://127.0.0.1:9/v1", cache=False,
                           request_timeout=7.5, max_retries=0)
    assert isinstance(built, OpenAIBackend) and built.timeout == 7.5 and built.max_retries == 0
    assert built.client.timeout == 7.5 and built.client.max_retries == 0  # retries are ours, not the client's
    for bad in ({"timeout": 0}, {"timeout": -1.0}, {"max_retries": -1}):
        with pytest.raises(ValueError):
            OpenAIBackend("m", base_url="http://127.0.0.1:9/v1", **bad)  # type: ignore[arg-type]


def test_api_openai_com_gets_only_standard_parameters() -> None:
    from cogex.models.openai_backend import OpenAIBackend

    official = OpenAIBackend("gpt-x", base_url="https://api.openai.com/v1", api_key="sk-x")
    request = official._request("p", GenerationConfig(max_new_tokens=4))
    assert "extra_body" not in request and request["temperature"] == 0.0
    local = OpenAIBackend("m", base_url="http://127.0.0.1:1/v1")
    assert local._request("p", GenerationConfig())["extra_body"]["top_k"] == 0


def test_cli_chat_flag_uses_the_chat_endpoint_and_few_shot_demonstrations(server: FakeServer, tmp_path: Path) -> None:
    """`--chat` sends CoGEX prompts to the chat endpoint; a served model without --adapter gets the
    few-shot demonstrations (auto prompting) as earlier user/assistant exchanges; with --adapter
    NAME it is asked for that model and gets the trained prompt alone."""
    from typer.testing import CliRunner

    from cogex.cli import app

    base = ["ask", "Reverse the word.", "--input", "cat", "--backend", "openai", "--base-url", server.base_url,
            "--model", "fake-model", "--no-cache", "--retries", "0", "--json"]
    CliRunner().invoke(app, [*base, "--chat"])
    path, body = server.requests[-1]
    assert path == "/v1/chat/completions" and body["model"] == "fake-model"
    messages = body["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant", "user", "assistant", "user"]  # two demonstrations
    assert all(m["content"].count("### Instruction:") == 1 for m in messages[::2])
    assert all(m["content"].rstrip().endswith(END_MARKER) and "### Instruction:" not in m["content"] for m in messages[1::2])
    assert messages[-1]["content"] == reasoner_prompt("Reverse the word.", "cat")
    CliRunner().invoke(app, [*base, "--adapter", "cogex-lora"])
    path, body = server.requests[-1]
    assert path == "/v1/completions" and body["model"] == "cogex-lora"
    assert body["prompt"].count("### Instruction:") == 1  # a CoGEX adapter: the trained prompt alone


def test_a_server_that_refuses_top_k_0_gets_minus_1_from_then_on(server: FakeServer) -> None:
    """"top_k off" is 0 on llama.cpp and -1 on SGLang / older vLLM; one refusal switches spelling."""
    server.refused_top_k = {0}
    backend = _backend(server, max_retries=0)
    first, second = (backend.generate([p], GenerationConfig(max_new_tokens=4))[0] for p in ("a", "b"))
    assert first.text and second.text
    assert [body["top_k"] for _, body in server.requests] == [0, -1, -1]  # refused once, then kept
    server.refused_top_k = {0, -1}  # a server that refuses both: a clear error, not a loop
    with pytest.raises(OpenAIBackendError, match="top_k"):
        _backend(server, max_retries=0).generate(["c"], GenerationConfig(max_new_tokens=4))
