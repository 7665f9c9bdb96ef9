"""A persistent SQLite cache of model calls, shared by every command and every process.

:class:`CachedBackend` wraps any :class:`~cogex.models.backend.Backend`. A call is keyed by
sha256 over (inner backend identity, full prompt text, generation config including the seed), so
a key names exactly one result: backends promise that sampling depends only on (prompt, config).

Misses are computed through the inner backend in chunks of ``chunk_size`` prompts and each chunk
is committed as soon as it is done, so a process killed mid-run (even with ``kill -9``) loses at
most one chunk and a rerun resumes where it stopped. The database runs in WAL mode with a busy
timeout and retries on ``database is locked``, so several processes can read and write it at once.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any, Callable, Sequence, TypeVar

from cogex.models.backend import Backend, Completion, GenerationConfig, WrapperBackend, split_by_group
from cogex.files import portable_path
from cogex.models.embedded import cache_dir

#: Environment variable overriding the cache file location.
CACHE_ENV = "COGEX_CALL_CACHE"
#: Seconds SQLite waits on a lock before reporting "database is locked".
BUSY_TIMEOUT_S = 30.0
#: Extra attempts (with backoff) after SQLite still reports a lock.
LOCK_RETRIES = 20
#: Keys per ``SELECT ... IN (...)`` (well under SQLite's bound-variable limit).
_LOOKUP_BATCH = 500

_SCHEMA = """
CREATE TABLE IF NOT EXISTS calls (
    key TEXT PRIMARY KEY,
    identity TEXT NOT NULL,
    text TEXT NOT NULL,
    finish_reason TEXT NOT NULL,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    created REAL NOT NULL
)
"""

T = TypeVar("T")


def default_cache_path() -> Path:
    """``$COGEX_CALL_CACHE`` if set, else ``cache_dir() / "calls.sqlite"``."""
    env = os.environ.get(CACHE_ENV)
    return Path(env).expanduser() if env else cache_dir() / "calls.sqlite"


def check_cache_path(path: Path) -> None:
    """Raise a RuntimeError naming the problem when the cache cannot live at ``path`` (a folder,
    a file under a non-folder, an unwritable place), before anything expensive is started."""
    hint = f"(use --no-cache, or point {CACHE_ENV} at a file path)"
    if path.is_dir():
        raise RuntimeError(f"Cannot open the model-call cache {path}: it is a directory {hint}")
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise RuntimeError(f"Cannot open the model-call cache {path}: {parent} is not a directory {hint}")
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        raise RuntimeError(f"Cannot open the model-call cache {path}: permission denied {hint}")
    if not path.exists() and not os.access(parent, os.W_OK | os.X_OK):
        raise RuntimeError(f"Cannot create the model-call cache {path}: {parent} is not writable {hint}")


def call_key(identity: str, prompt: str, config: GenerationConfig) -> str:
    """The cache key of one call: sha256 over (identity, full prompt text, config incl. seed)."""
    payload = json.dumps([identity, prompt, config.to_dict()], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _is_lock_error(exc: sqlite3.OperationalError) -> bool:
    message = str(exc).lower()
    return "locked" in message or "busy" in message


class CachedBackend(WrapperBackend):
    """Wrap ``inner`` with a persistent, multi-process-safe cache of its calls."""

    def __init__(self, inner: Backend, path: str | Path | None = None, *, chunk_size: int = 8) -> None:
        if chunk_size < 1:
            raise ValueError("chunk_size must be at least 1")
        super().__init__(inner)
        self.path = Path(path).expanduser() if path is not None else default_cache_path()
        self.chunk_size = chunk_size
        #: prompts answered from the cache / prompts whose result was computed in this process
        self.hits = 0
        self.misses = 0
        #: distinct inner calls made (duplicate prompts within one call are computed once)
        self.computed = 0
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._connect()

    # ------------------------------------------------------------------ Backend API

    def describe(self) -> dict[str, Any]:
        return {**self.inner.describe(), "cache": {"path": portable_path(self.path), **self.stats()}}

    def stats(self) -> dict[str, int]:
        """This cache's own counters: prompts answered from it, prompts computed, inner calls."""
        return {"hits": self.hits, "misses": self.misses, "computed": self.computed}

    def usage(self) -> dict[str, int]:
        return {**self.inner.usage(), "cache_hits": self.hits, "cache_misses": self.misses}

    def generate(self, prompts: Sequence[str], config: GenerationConfig) -> list[Completion]:
        prompts = list(prompts)
        return self._run(prompts, prompts, config, lambda chunk: self.inner.generate(chunk, config))

    def generate_shared_prefix(
        self, prefix: str, suffixes: Sequence[str], config: GenerationConfig
    ) -> list[Completion]:
        return self.generate_grouped([(prefix, suffixes)], config)[0]

    def generate_grouped(
        self, groups: Sequence[tuple[str, Sequence[str]]], config: GenerationConfig
    ) -> list[list[Completion]]:
        pairs = [(prefix, s) for prefix, suffixes in groups for s in suffixes]
        flat = self._run([p + s for p, s in pairs], pairs, config, lambda chunk: _grouped_call(self.inner, chunk, config))
        return split_by_group(flat, groups)

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
        self.inner.close()

    def __len__(self) -> int:
        """Rows in the cache file (all identities)."""
        return int(self._retry(lambda: self._db().execute("SELECT COUNT(*) FROM calls").fetchone()[0]))

    # ------------------------------------------------------------------ core

    def _run(
        self,
        full_prompts: list[str],
        inner_inputs: Sequence[Any],
        config: GenerationConfig,
        compute: Callable[[list[Any]], list[Completion]],
    ) -> list[Completion]:
        identity = self.inner.identity
        keys = [call_key(identity, p, config) for p in full_prompts]
        found = self._lookup(keys)
        # Distinct missing keys in first-seen order, with the inner input that produces each.
        missing: dict[str, Any] = {}
        for key, value in zip(keys, inner_inputs):
            if key not in found and key not in missing:
                missing[key] = value
        fresh: dict[str, Completion] = {}
        pending = list(missing.items())
        for start in range(0, len(pending), self.chunk_size):
            chunk = pending[start : start + self.chunk_size]
            results = compute([value for _, value in chunk])
            if len(results) != len(chunk):
                raise RuntimeError(
                    f"{type(self.inner).__name__} returned {len(results)} completions for {len(chunk)} prompts"
                )
            self._store(identity, [(key, c) for (key, _), c in zip(chunk, results)])
            self.computed += len(chunk)
            fresh.update((key, c) for (key, _), c in zip(chunk, results))
        out: list[Completion] = []
        for key in keys:
            if key in fresh:
                self.misses += 1
                out.append(fresh[key])
            else:
                self.hits += 1
                out.append(found[key])
        return out

    # ------------------------------------------------------------------ SQLite

    def _connect(self) -> None:
        check_cache_path(self.path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(
                str(self.path), timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
            )
        except (OSError, sqlite3.Error) as exc:
            raise RuntimeError(f"Cannot open the model-call cache {self.path}: {exc} (use --no-cache or set {CACHE_ENV})") from exc
        self._conn = conn

        def setup() -> None:
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":  # e.g. a filesystem without shared memory
                raise sqlite3.OperationalError(f"could not enable WAL journal mode (got {mode!r})")
            # In WAL mode NORMAL is safe against process crashes (only power loss can undo commits).
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute(_SCHEMA)

        try:
            self._retry(setup)
        except sqlite3.DatabaseError as exc:
            conn.close()
            self._conn = None
            raise RuntimeError(f"Cannot open the model-call cache {self.path}: {exc} (use --no-cache or set {CACHE_ENV})") from exc

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            self._connect()
        assert self._conn is not None
        return self._conn

    def _retry(self, action: Callable[[], T]) -> T:
        """Run ``action`` under the thread lock, retrying while another process holds a lock."""
        delay = 0.05
        for attempt in range(LOCK_RETRIES + 1):
            try:
                with self._lock:
                    return action()
            except sqlite3.OperationalError as exc:
                if not _is_lock_error(exc) or attempt == LOCK_RETRIES:
                    raise
                time.sleep(delay * (1 + random.random()))
                delay = min(delay * 2, 2.0)
        raise AssertionError("unreachable")

    def _lookup(self, keys: list[str]) -> dict[str, Completion]:
        unique = list(dict.fromkeys(keys))
        found: dict[str, Completion] = {}

        def select(batch: list[str]) -> list[tuple[Any, ...]]:
            marks = ",".join("?" * len(batch))
            return self._db().execute(
                f"SELECT key, text, finish_reason, prompt_tokens, completion_tokens FROM calls WHERE key IN ({marks})",
                batch,
            ).fetchall()

        for start in range(0, len(unique), _LOOKUP_BATCH):
            batch = unique[start : start + _LOOKUP_BATCH]
            for key, text, reason, ptok, ctok in self._retry(lambda: select(batch)):
                found[key] = Completion(
                    text=text,
                    finish_reason="length" if reason == "length" else "stop",
                    prompt_tokens=int(ptok),
                    completion_tokens=int(ctok),
                    cached=True,
                )
        return found

    def _store(self, identity: str, rows: list[tuple[str, Completion]]) -> None:
        now = time.time()
        values = [
            (key, identity, c.text, c.finish_reason, int(c.prompt_tokens), int(c.completion_tokens), now)
            for key, c in rows
        ]

        def write() -> None:
            conn = self._db()
            if conn.in_transaction:  # a previous attempt failed between BEGIN and COMMIT
                conn.execute("ROLLBACK")
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.executemany(
                    "INSERT OR REPLACE INTO calls (key, identity, text, finish_reason, prompt_tokens,"
                    " completion_tokens, created) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    values,
                )
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

        self._retry(write)


def _grouped_call(inner: Backend, pairs: list[tuple[str, str]], config: GenerationConfig) -> list[Completion]:
    """Run (prefix, suffix) pairs through ``inner.generate_grouped``, in the order given."""
    groups: dict[str, list[str]] = {}
    for prefix, suffix in pairs:
        groups.setdefault(prefix, []).append(suffix)
    results = dict(zip(groups, inner.generate_grouped(list(groups.items()), config)))
    taken = {prefix: 0 for prefix in groups}
    out: list[Completion] = []
    for prefix, _ in pairs:
        out.append(results[prefix][taken[prefix]])
        taken[prefix] += 1
    return out
