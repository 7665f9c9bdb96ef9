"""A search killed with kill -9 and rerun ends with the same program.json as an uninterrupted run."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.model

SEARCH = ["search", "sum", "--n-generate", "2", "--n-rank", "3", "--gen-max-new-tokens", "200",
          "--emu-max-new-tokens", "96", "--batch-size", "2", "--seed", "0"]
VOLATILE = {"seconds", "calls", "model"}


def _run(args: list[str], cache: Path, **kwargs) -> subprocess.Popen:
    env = {**os.environ, "COGEX_CALL_CACHE": str(cache)}
    return subprocess.Popen([sys.executable, "-m", "cogex", *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kwargs)


def _rows(cache: Path) -> int:
    if not cache.exists():
        return 0
    try:
        with sqlite3.connect(cache, timeout=5) as conn:
            return conn.execute("SELECT COUNT(*) FROM calls").fetchone()[0]
    except sqlite3.Error:
        return 0


def _stable(path: Path) -> dict:
    record = json.loads(path.read_text())
    return {k: v for k, v in record.items() if k not in VOLATILE}


def test_killed_search_resumes_from_the_cache_to_the_same_result(tmp_path: Path) -> None:
    reference = _run([*SEARCH, "--out", str(tmp_path / "ref")], tmp_path / "ref.sqlite")
    _, err = reference.communicate(timeout=1200)
    assert reference.returncode == 0, err[-2000:]

    cache = tmp_path / "killed.sqlite"
    victim = _run([*SEARCH, "--out", str(tmp_path / "killed")], cache, start_new_session=True)
    deadline = time.time() + 900
    while _rows(cache) < 1 and victim.poll() is None and time.time() < deadline:
        time.sleep(0.2)
    assert victim.poll() is None, "the search finished before it could be killed"
    os.killpg(victim.pid, signal.SIGKILL)
    victim.wait(timeout=60)
    finished_before_kill = _rows(cache)
    assert finished_before_kill >= 1
    assert not (tmp_path / "killed" / "program.json").exists()

    rerun = _run([*SEARCH, "--out", str(tmp_path / "killed")], cache)
    _, err = rerun.communicate(timeout=1200)
    assert rerun.returncode == 0, err[-2000:]
    resumed = json.loads((tmp_path / "killed" / "program.json").read_text())
    assert resumed["calls"]["cache_hits"] >= finished_before_kill
    assert _stable(tmp_path / "killed" / "program.json") == _stable(tmp_path / "ref" / "program.json")
