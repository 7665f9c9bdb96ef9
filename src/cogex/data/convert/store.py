"""Resumable JSONL output: kept instances and rejects, appended and synced one record at a time."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import IO, Any, Mapping


def rejects_path_for(output: Path) -> Path:
    """``out.jsonl`` -> ``out.rejects.jsonl`` beside it."""
    name = output.name[: -len(".jsonl")] if output.name.endswith(".jsonl") else output.name
    return output.with_name(f"{name}.rejects.jsonl")


def _repair_tail(path: Path) -> None:
    """Cut a half-written last line (left by a crash mid-write) so appends stay valid JSONL."""
    if not path.is_file() or path.stat().st_size == 0:
        return
    with path.open("rb+") as handle:
        handle.seek(-1, os.SEEK_END)
        if handle.read(1) == b"\n":
            return
        handle.seek(0)
        content = handle.read()
        handle.truncate(content.rfind(b"\n") + 1)


def finished_ids(*paths: Path) -> set[str]:
    """Ids recorded in JSONL files (unparseable lines are ignored)."""
    ids: set[str] = set()
    for path in paths:
        if not path.is_file():
            continue
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if isinstance(record, dict) and record.get("id") is not None:
                    ids.add(str(record["id"]))
    return ids


class Appender:
    """Append JSON lines, flushed and synced to disk one record at a time."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        _repair_tail(path)
        self.path = path
        self._handle: IO[str] = path.open("a", encoding="utf-8")

    def write(self, record: Mapping[str, Any]) -> None:
        self._handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def close(self) -> None:
        self._handle.close()
