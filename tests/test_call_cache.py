"""The persistent model-call cache: keys, hit/miss accounting, crash-resume and multi-process writes."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Sequence

import pytest

from cogex.models.backend import Completion, GenerationConfig
from cogex.models.call_cache import CACHE_ENV, CachedBackend, call_key, default_cache_path

# A deterministic stand-in for a model (the cache is the code under test). Shared with the
# subprocesses below, which is why it is source text.
INNER_SOURCE = textwrap.dedent(
    '''
    import hashlib, os, time
    from cogex.models.backend import Backend, Completion

    class EchoBackend(Backend):
        """Returns a deterministic function of (prompt, config); optionally slow; logs its calls."""

        def __init__(self, identity="echo-model", delay=0.0, log=None):
            self.identity = identity
            self.delay = delay
            self.log = log
            self.calls = []  # prompts computed, in order
            self.shared_calls = []  # (prefix, suffixes) of generate_shared_prefix calls

        def _one(self, prompt, config):
            digest = hashlib.sha256(f"{self.identity}|{prompt}|{config.to_dict()}".encode()).hexdigest()
            return Completion(
                text=f"<{digest[:12]}>",
                finish_reason="length" if "LONG" in prompt else "stop",
                prompt_tokens=len(prompt),
                completion_tokens=7,
            )

        def generate(self, prompts, config):
            if self.delay:
                time.sleep(self.delay)
            self.calls.extend(prompts)
            if self.log:
                with open(self.log, "a") as fh:
                    fh.writelines(p + "\\n" for p in prompts)
                    fh.flush()
                    os.fsync(fh.fileno())
            return [self._one(p, config) for p in prompts]

        def generate_shared_prefix(self, prefix, suffixes, config):
            self.shared_calls.append((prefix, list(suffixes)))
            return self.generate([prefix + s for s in suffixes], config)
    '''
)
_namespace: dict = {}
exec(compile(INNER_SOURCE, "echo_backend", "exec"), _namespace)
EchoBackend = _namespace["EchoBackend"]

CONFIG = GenerationConfig(max_new_tokens=16, temperature=0.0, stop=("\n",), seed=0)


def _rows(path: Path) -> int:
    conn = sqlite3.connect(str(path), timeout=30)
    try:
        return conn.execute("SELECT COUNT(*) FROM calls").fetchone()[0]
    except sqlite3.OperationalError:  # table not created yet
        return 0
    finally:
        conn.close()


# ---------------------------------------------------------------------------------------- basics


def test_hits_misses_and_cached_flags(tmp_path: Path) -> None:
    inner = EchoBackend()
    cache = CachedBackend(inner, tmp_path / "c.sqlite", chunk_size=2)
    first = cache.generate(["a", "b", "c"], CONFIG)
    assert [c.cached for c in first] == [False, False, False]
    assert (cache.hits, cache.misses) == (0, 3)
    assert inner.calls == ["a", "b", "c"]

    second = cache.generate(["b", "d", "a", "LONG"], CONFIG)
    assert [c.cached for c in second] == [True, False, True, False]
    assert (cache.hits, cache.misses) == (2, 5)
    assert inner.calls == ["a", "b", "c", "d", "LONG"]  # only the misses were computed
    assert second[0].text == first[1].text and second[2].text == first[0].text
    assert second[3].finish_reason == "length" and second[3].truncated
    assert second[0].prompt_tokens == 1 and second[0].completion_tokens == 7
    assert cache.stats() == {"hits": 2, "misses": 5, "computed": 5}
    # equality ignores the cached flag: cached results equal computed ones
    assert second[0] == EchoBackend()._one("b", CONFIG)
    desc = cache.describe()
    assert desc["identity"] == "echo-model" and desc["backend"] == "EchoBackend"
    assert desc["cache"]["path"] == str(tmp_path / "c.sqlite") and desc["cache"]["hits"] == 2
    assert cache.identity == "echo-model"
    cache.close()

    # persistent: a new wrapper (another command) sees the rows
    again = CachedBackend(EchoBackend(), tmp_path / "c.sqlite")
    assert all(c.cached for c in again.generate(["a", "b", "c", "d", "LONG"], CONFIG))
    assert again.inner.calls == []
    assert len(again) == 5


def test_duplicate_prompts_in_one_call_are_computed_once(tmp_path: Path) -> None:
    inner = EchoBackend()
    cache = CachedBackend(inner, tmp_path / "c.sqlite")
    out = cache.generate(["x", "y", "x", "x"], CONFIG)
    assert inner.calls == ["x", "y"]
    assert out[0] == out[2] == out[3] and out[0] != out[1]
    assert cache.computed == 2 and len(cache) == 2


def test_chunks_reach_the_inner_backend_in_chunk_size(tmp_path: Path) -> None:
    class Recording(EchoBackend):
        def __init__(self) -> None:
            super().__init__()
            self.batches: list[int] = []

        def generate(self, prompts: Sequence[str], config: GenerationConfig) -> list[Completion]:
            self.batches.append(len(prompts))
            return super().generate(prompts, config)

    inner = Recording()
    cache = CachedBackend(inner, tmp_path / "c.sqlite", chunk_size=3)
    cache.generate([f"p{i}" for i in range(8)], CONFIG)
    assert inner.batches == [3, 3, 2]


def test_key_depends_on_identity_prompt_and_every_config_field() -> None:
    base = call_key("m", "prompt", CONFIG)
    variants = [
        call_key("other-model", "prompt", CONFIG),
        call_key("m", "prompt ", CONFIG),
        call_key("m", "prompt", CONFIG.with_(seed=1)),
        call_key("m", "prompt", CONFIG.with_(temperature=0.7)),
        call_key("m", "prompt", CONFIG.with_(top_p=0.9)),
        call_key("m", "prompt", CONFIG.with_(max_new_tokens=17)),
        call_key("m", "prompt", CONFIG.with_(stop=("\n", "END"))),
    ]
    assert len({base, *variants}) == len(variants) + 1
    assert call_key("m", "prompt", GenerationConfig(max_new_tokens=16, stop=("\n",))) == base


def test_different_config_or_identity_misses(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    cache = CachedBackend(EchoBackend("model-a"), path)
    cache.generate(["q"], CONFIG)
    assert not cache.generate(["q"], CONFIG.with_(seed=5))[0].cached
    assert not cache.generate(["q"], CONFIG.with_(temperature=0.8))[0].cached
    assert not cache.generate(["q2"], CONFIG)[0].cached
    assert cache.generate(["q"], CONFIG)[0].cached
    other = CachedBackend(EchoBackend("model-b"), path)
    result = other.generate(["q"], CONFIG)[0]
    assert not result.cached and other.inner.calls == ["q"]


def test_shared_prefix_keys_on_full_prompt_and_computes_only_missing_suffixes(tmp_path: Path) -> None:
    inner = EchoBackend()
    cache = CachedBackend(inner, tmp_path / "c.sqlite")
    cache.generate(["PRE-s2"], CONFIG)  # the same full text through the plain path
    out = cache.generate_shared_prefix("PRE-", ["s1", "s2", "s3"], CONFIG)
    assert [c.cached for c in out] == [False, True, False]
    assert inner.shared_calls == [("PRE-", ["s1", "s3"])]
    assert [c.text for c in out] == [c.text for c in EchoBackend().generate(["PRE-s1", "PRE-s2", "PRE-s3"], CONFIG)]
    again = cache.generate(["PRE-s1", "PRE-s3"], CONFIG)
    assert all(c.cached for c in again)


def test_grouped_calls_compute_only_missing_rows_and_keep_group_order(tmp_path: Path) -> None:
    inner = EchoBackend()
    cache = CachedBackend(inner, tmp_path / "c.sqlite", chunk_size=8)
    cache.generate(["A-2", "B-1"], CONFIG)
    out = cache.generate_grouped([("A-", ["1", "2", "3"]), ("B-", ["1", "2"])], CONFIG)
    assert [[c.cached for c in g] for g in out] == [[False, True, False], [True, False]]
    assert inner.shared_calls == [("A-", ["1", "3"]), ("B-", ["2"])]
    expected = EchoBackend().generate(["A-1", "A-2", "A-3", "B-1", "B-2"], CONFIG)
    assert [c.text for g in out for c in g] == [c.text for c in expected]


def test_default_location_and_env_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "env" / "calls.db"))
    assert default_cache_path() == tmp_path / "env" / "calls.db"
    cache = CachedBackend(EchoBackend())
    assert cache.path == tmp_path / "env" / "calls.db" and cache.path.is_file()
    explicit = CachedBackend(EchoBackend(), tmp_path / "explicit.sqlite")
    assert explicit.path == tmp_path / "explicit.sqlite"
    monkeypatch.delenv(CACHE_ENV)
    monkeypatch.setenv("COGEX_CACHE_DIR", str(tmp_path / "cachedir"))
    assert default_cache_path() == tmp_path / "cachedir" / "calls.sqlite"


def test_stored_columns_and_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    before = time.time()
    CachedBackend(EchoBackend(), path).generate(["LONG prompt"], CONFIG)
    conn = sqlite3.connect(str(path))
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    row = conn.execute("SELECT identity, text, finish_reason, prompt_tokens, completion_tokens, created FROM calls").fetchone()
    conn.close()
    assert row[0] == "echo-model" and row[1].startswith("<") and row[2] == "length"
    assert row[3] == len("LONG prompt") and row[4] == 7 and before - 1 <= row[5] <= time.time() + 1


def test_waits_for_a_writer_holding_the_lock(tmp_path: Path) -> None:
    import threading

    path = tmp_path / "c.sqlite"
    cache = CachedBackend(EchoBackend(), path)
    other = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # another process is mid-write
    other.execute("INSERT INTO calls VALUES ('k', 'x', 't', 'stop', 0, 0, 0)")
    release = threading.Timer(0.5, lambda: other.execute("COMMIT"))
    release.start()
    start = time.perf_counter()
    out = cache.generate(["p1", "p2"], CONFIG)
    assert time.perf_counter() - start >= 0.4  # it waited instead of failing
    release.join()
    other.close()
    assert not any(c.cached for c in out) and len(cache) == 3


# ---------------------------------------------------------------------------------------- processes

WORKER = INNER_SOURCE + textwrap.dedent(
    '''
    import json, sys
    from cogex.models.backend import GenerationConfig
    from cogex.models.call_cache import CachedBackend

    args = json.loads(sys.argv[1])
    inner = EchoBackend(delay=args.get("delay", 0.0), log=args.get("log"))
    cache = CachedBackend(inner, args["db"], chunk_size=args["chunk"])
    if args.get("ready"):
        open(args["ready"], "w").close()
    if args.get("wait_for"):
        while not os.path.exists(args["wait_for"]):
            time.sleep(0.002)
    config = GenerationConfig(max_new_tokens=16, stop=("\\n",), seed=3)
    out = cache.generate(args["prompts"], config)
    with open(args["out"], "w") as fh:
        json.dump({"texts": [c.text for c in out], "cached": [c.cached for c in out], **cache.stats()}, fh)
    '''
)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    src = str(Path(__file__).resolve().parents[1] / "src")
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _worker(tmp_path: Path, **args: object) -> subprocess.Popen:
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    return subprocess.Popen([sys.executable, str(script), json.dumps(args)], env=_env())


def test_killed_run_resumes_without_repeating_committed_calls(tmp_path: Path) -> None:
    db = tmp_path / "calls.sqlite"
    prompts = [f"item {i}: what is {i} + {i}?" for i in range(80)]
    chunk = 4
    log1, log2 = tmp_path / "run1.log", tmp_path / "run2.log"

    proc = _worker(tmp_path, db=str(db), chunk=chunk, prompts=prompts, delay=0.15, log=str(log1), out=str(tmp_path / "o1.json"))
    deadline = time.time() + 30
    while _rows(db) < 3 * chunk:
        assert proc.poll() is None, "worker ended before it could be killed"
        assert time.time() < deadline, "worker committed nothing"
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait(timeout=10) == -signal.SIGKILL
    assert not (tmp_path / "o1.json").exists()

    committed = _rows(db)
    computed_before_kill = log1.read_text().splitlines()
    assert 3 * chunk <= committed < len(prompts)
    assert committed % chunk == 0  # whole chunks only
    # at most one chunk of finished work was lost
    assert len(computed_before_kill) - committed <= chunk
    assert computed_before_kill[:committed] == prompts[:committed]

    # integrity after the kill
    conn = sqlite3.connect(str(db))
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()

    proc = _worker(tmp_path, db=str(db), chunk=chunk, prompts=prompts, log=str(log2), out=str(tmp_path / "o2.json"))
    assert proc.wait(timeout=30) == 0
    resumed = json.loads((tmp_path / "o2.json").read_text())
    assert resumed["hits"] == committed
    assert resumed["misses"] == len(prompts) - committed
    assert resumed["cached"] == [True] * committed + [False] * (len(prompts) - committed)
    recomputed = log2.read_text().splitlines()
    assert recomputed == prompts[committed:]  # nothing committed was computed again

    # equal to an uninterrupted run in a fresh cache
    proc = _worker(tmp_path, db=str(tmp_path / "fresh.sqlite"), chunk=chunk, prompts=prompts, out=str(tmp_path / "o3.json"))
    assert proc.wait(timeout=30) == 0
    fresh = json.loads((tmp_path / "o3.json").read_text())
    assert fresh["misses"] == len(prompts)
    assert resumed["texts"] == fresh["texts"]
    assert len(set(fresh["texts"])) == len(prompts)


def test_concurrent_processes_write_without_loss_or_corruption(tmp_path: Path) -> None:
    db = tmp_path / "calls.sqlite"
    go = tmp_path / "go"
    n = 400
    shared = [f"shared {i}" for i in range(100)]  # both processes compute these
    a = [f"A {i}" for i in range(n)] + shared
    b = shared[::-1] + [f"B {i}" for i in range(n)]
    procs = [
        _worker(tmp_path, db=str(db), chunk=1, prompts=prompts, delay=0.001, ready=str(tmp_path / f"{name}.ready"),
                wait_for=str(go), out=str(tmp_path / f"{name}.json"))
        for name, prompts in (("a", a), ("b", b))
    ]
    deadline = time.time() + 30
    while not all((tmp_path / f"{name}.ready").exists() for name in ("a", "b")):  # both have opened the cache
        assert all(proc.poll() is None for proc in procs) and time.time() < deadline
        time.sleep(0.01)
    go.write_text("go")
    for proc in procs:
        assert proc.wait(timeout=60) == 0
    conn = sqlite3.connect(str(db))
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT COUNT(*) FROM calls").fetchone()[0] == 2 * n + len(shared)
    # the writes really overlapped in time: A-only and B-only rows interleave
    config = GenerationConfig(max_new_tokens=16, stop=("\n",), seed=3)
    a_only = {call_key("echo-model", p, config) for p in a[:n]}
    b_only = {call_key("echo-model", p, config) for p in b[len(shared) :]}
    rows = conn.execute("SELECT key FROM calls ORDER BY created, rowid").fetchall()
    order = [key in a_only for (key,) in rows if key in a_only or key in b_only]
    conn.close()
    assert len(order) == 2 * n
    assert sum(1 for x, y in zip(order, order[1:]) if x != y) >= 10

    # every row is readable and right: a fresh wrapper gets every prompt from the cache
    check = CachedBackend(EchoBackend(), db)
    out = check.generate(a + b, config)
    assert all(c.cached for c in out) and check.inner.calls == []
    assert [c.text for c in out] == [c.text for c in EchoBackend().generate(a + b, config)]
    results = [json.loads((tmp_path / f"{name}.json").read_text()) for name in ("a", "b")]
    assert results[0]["texts"] == [c.text for c in out[: len(a)]]


# ---------------------------------------------------------------------------------------- real model


@pytest.mark.model
def test_real_embedded_model_second_call_is_a_hit(tmp_path: Path) -> None:
    from cogex.models.loading import ModelSpec
    from cogex.models.transformers_backend import TransformersBackend

    inner = TransformersBackend.from_spec(ModelSpec(adapter="none"), batch_size=2)
    cache = CachedBackend(inner, tmp_path / "calls.sqlite")
    config = GenerationConfig(max_new_tokens=5)
    prompts = ["def add(a, b):\n", "# The capital of France is"]
    first = cache.generate(prompts, config)
    assert not any(c.cached for c in first) and inner.usage()["calls"] == 1
    assert all(c.completion_tokens > 0 for c in first)
    second = cache.generate(prompts, config)
    assert all(c.cached for c in second)
    assert inner.usage()["calls"] == 1  # the model did not run again
    assert [c.text for c in second] == [c.text for c in first]
    assert [(c.finish_reason, c.prompt_tokens, c.completion_tokens) for c in second] == [
        (c.finish_reason, c.prompt_tokens, c.completion_tokens) for c in first
    ]
    assert cache.identity == inner.identity and cache.identity.startswith("SmolLM2-135M-Instruct")
    assert (cache.hits, cache.misses) == (2, 2)


# ---------------------------------------------------------------------------------------- unusable locations


def test_a_directory_or_a_non_database_is_a_clear_runtime_error(tmp_path: Path) -> None:
    from cogex.models.call_cache import check_cache_path

    folder = tmp_path / "a_folder"
    folder.mkdir()
    with pytest.raises(RuntimeError, match="is a directory.*--no-cache"):  # was sqlite3.OperationalError
        CachedBackend(EchoBackend(), folder)
    with pytest.raises(RuntimeError, match="is a directory"):
        check_cache_path(folder)
    not_a_folder = tmp_path / "file.txt"
    not_a_folder.write_text("x")
    with pytest.raises(RuntimeError, match="not a directory"):
        CachedBackend(EchoBackend(), not_a_folder / "calls.sqlite")
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"this is not a database" * 100)
    with pytest.raises(RuntimeError, match="Cannot open the model-call cache"):
        CachedBackend(EchoBackend(), garbage)
    check_cache_path(tmp_path / "new" / "deeper" / "calls.sqlite")  # a path still to be made is fine


def test_create_backend_checks_the_cache_before_loading_a_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cogex.models import transformers_backend
    from cogex.models.factory import create_backend

    def forbidden(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the model was loaded before the cache was checked")

    monkeypatch.setattr(transformers_backend.TransformersBackend, "from_spec", classmethod(forbidden))
    folder = tmp_path / "cache_dir"
    folder.mkdir()
    monkeypatch.setenv(CACHE_ENV, str(folder))
    with pytest.raises(RuntimeError, match="is a directory"):
        create_backend(adapter="none")


def test_a_cache_under_the_home_directory_is_described_without_the_home_path(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    cache = CachedBackend(EchoBackend(), path=tmp_path / ".cache" / "calls.sqlite")
    assert cache.describe()["cache"]["path"] == "~/.cache/calls.sqlite"
    cache.close()
