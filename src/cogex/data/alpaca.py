"""Read Alpaca instruction data: ``instruction``, ``input``, ``output`` records.

Accepted files:

* the Alpaca release format: one JSON array of ``{"instruction", "input", "output"}`` objects;
* the same objects as JSON Lines (one object a line);
* the self-instruct seed-task format of ``seed_tasks.jsonl``: ``{"id", "instruction",
  "instances": [{"input", "output"}, ...]}``, one item per instance.

Every item gets a stable ``id``: the record's own ``id`` when it has one (``seed_task_7``, or
``seed_task_7#2`` for the third instance of a multi-instance seed task), otherwise a content
hash of instruction, input and output. Content-derived ids let a resumed conversion recognise
finished items even when the input file was reordered or re-exported.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping


@dataclass(frozen=True)
class AlpacaItem:
    """One instruction-following example."""

    id: str
    instruction: str
    input: str
    output: str
    source: str = "alpaca"

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "instruction": self.instruction, "input": self.input, "output": self.output, "source": self.source}


def content_id(instruction: str, input_text: str, output: str) -> str:
    """A stable id derived from the example's text."""
    digest = hashlib.sha256(json.dumps([instruction, input_text, output], ensure_ascii=False).encode("utf-8"))
    return "alpaca-" + digest.hexdigest()[:16]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def items_from_record(record: Mapping[str, Any], *, source: str = "alpaca", where: str = "") -> list[AlpacaItem]:
    """The items of one raw record (several for a multi-instance seed task)."""
    if not isinstance(record, Mapping):
        raise ValueError(f"{where}expected a JSON object, got {type(record).__name__}")
    instruction = _text(record.get("instruction")).strip()
    if not instruction:
        raise ValueError(f"{where}record has no 'instruction'")
    source = _text(record.get("source")) or source
    record_id = _text(record.get("id")).strip()
    if "instances" in record and "output" not in record:
        instances = record.get("instances")
        if not isinstance(instances, list) or not instances:
            raise ValueError(f"{where}seed task has no 'instances'")
        items = []
        for index, instance in enumerate(instances):
            if not isinstance(instance, Mapping) or "output" not in instance:
                raise ValueError(f"{where}instance {index} has no 'output'")
            input_text, output = _text(instance.get("input")), _text(instance.get("output"))
            if record_id:
                item_id = record_id if len(instances) == 1 else f"{record_id}#{index}"
            else:
                item_id = content_id(instruction, input_text, output)
            items.append(AlpacaItem(item_id, instruction, input_text, output, source))
        return items
    if "output" not in record:
        raise ValueError(f"{where}record has no 'output'")
    input_text, output = _text(record.get("input")), _text(record.get("output"))
    item_id = record_id or content_id(instruction, input_text, output)
    return [AlpacaItem(item_id, instruction, input_text, output, source)]


def _records(path: Path) -> Iterator[tuple[str, Any]]:
    text = path.read_text(encoding="utf-8-sig")
    stripped = text.lstrip()
    if stripped.startswith("["):
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}: not valid JSON: {exc}") from exc
        for index, record in enumerate(data):
            yield f"{path}: record {index}: ", record
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}: line {number}: not valid JSON: {exc}") from exc
        yield f"{path}: line {number}: ", record


def read_alpaca(path: str | Path, *, source: str | None = None) -> list[AlpacaItem]:
    """All items of an Alpaca JSON / JSONL / seed-task file, duplicates (same id) dropped.

    ``source`` labels the items (default: the file name without suffix, e.g. ``seed_tasks``);
    a record's own ``source`` field wins. Raises ``FileNotFoundError`` or ``ValueError`` naming
    the offending record.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"input file not found: {path}")
    label = source or path.name.split(".")[0] or "alpaca"
    seen: set[str] = set()
    items: list[AlpacaItem] = []
    for where, record in _records(path):
        for item in items_from_record(record, source=label, where=where):
            if item.id not in seen:
                seen.add(item.id)
                items.append(item)
    return items


def coerce_items(records: Iterable[AlpacaItem | Mapping[str, Any]], *, source: str = "alpaca") -> list[AlpacaItem]:
    """Accept items or raw records (dicts) alike; duplicates (same id) dropped."""
    seen: set[str] = set()
    items: list[AlpacaItem] = []
    for index, record in enumerate(records):
        batch = [record] if isinstance(record, AlpacaItem) else items_from_record(record, source=source, where=f"record {index}: ")
        for item in batch:
            if item.id not in seen:
                seen.add(item.id)
                items.append(item)
    return items
