"""User-defined tasks from a local file/directory or a Hugging Face Hub dataset."""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from . import normalize as N
from .base import (
    MAX_SEARCH_ITEMS,
    AnswerFormat,
    Example,
    Task,
    TaskDataNotFoundError,
    carve,
    read_jsonl,
    resolve_data_dir,
    sample_indices,
)
from cogex.files import portable_path
from cogex.hub import HubUnavailable, load_hub_dataset

__all__ = ["load_user_task", "read_table"]

_FILE_SUFFIXES = (".jsonl", ".json", ".csv")
_SEARCH_NAMES = ("search", "train")
_TEST_NAMES = ("test", "validation", "dev", "val")
_FORMATS = ("label", "letter", "number", "text")

Row = Mapping[str, Any]


def read_table(path: Path) -> list[Row] | dict[str, list[Row]]:
    """Rows of a .jsonl / .json / .csv file.

    A .json file may hold a list of objects, an object with the rows under ``examples`` /
    ``data`` / ``rows`` / ``items``, or an object mapping split names (``search``/``train``,
    ``test``/``validation``) to lists (returned as a dict of splits).
    """
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        return read_jsonl(path)
    if suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as fh:
            return list(csv.DictReader(fh))
    if suffix == ".json":
        with path.open(encoding="utf-8") as fh:
            data = json.load(fh)
        if isinstance(data, list):
            return data
        if isinstance(data, dict):
            for key in ("examples", "data", "rows", "items"):
                if isinstance(data.get(key), list):
                    return data[key]
            splits = {k: v for k, v in data.items() if isinstance(v, list)}
            if any(k in splits for k in _SEARCH_NAMES) and any(k in splits for k in _TEST_NAMES):
                return splits
        raise ValueError(f"{path}: expected a list of objects (or {{'examples': [...]}}) in the JSON file")
    raise ValueError(f"{path}: unsupported file type {suffix!r}; use .jsonl, .json or .csv")


def _target_str(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    num = N.format_number(value)
    if num is not None:
        return num
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return str(value)


def _pick(names: Sequence[str], available: Mapping[str, Any]) -> str | None:
    return next((n for n in names if n in available), None)


def _resolve_path(source: str, data_dir: Path | str | None) -> Path | None:
    p = Path(source).expanduser()
    if p.exists():
        return p
    if not p.is_absolute():
        base = resolve_data_dir(data_dir)
        if base is not None and (base / p).exists():
            return base / p
    return None


def _looks_like_path(source: str) -> bool:
    return source.lower().endswith(_FILE_SUFFIXES) or source.startswith((".", "/", "~")) or "\\" in source


def _from_directory(path: Path) -> list[Row] | dict[str, list[Row]]:
    files = {f.stem.lower(): f for f in sorted(path.iterdir()) if f.suffix.lower() in _FILE_SUFFIXES}
    search, test = _pick(_SEARCH_NAMES, files), _pick(_TEST_NAMES, files)
    if search and test:
        out: dict[str, list[Row]] = {}
        for key in (search, test):
            table = read_table(files[key])
            if isinstance(table, dict):
                raise ValueError(f"{files[key]}: expected a flat list of rows")
            out[key] = table
        return out
    if len(files) == 1:
        return read_table(next(iter(files.values())))
    raise ValueError(
        f"{path}: expected one data file, or a search/train file plus a test/validation file "
        f"({', '.join(_FILE_SUFFIXES)}); found {sorted(f.name for f in files.values()) or 'none'}"
    )


def _from_hub(source: str) -> list[Row] | dict[str, list[Row]]:
    parts = source.split(":")
    if len(parts) > 3:
        raise ValueError(f"Hub source must be 'name' or 'name:config:split', got {source!r}")
    name = parts[0]
    config = (parts[1] or None) if len(parts) > 1 else None
    split = (parts[2] or None) if len(parts) > 2 else None
    try:
        ds = load_hub_dataset(name, config, split=split)
    except HubUnavailable as exc:
        raise TaskDataNotFoundError(
            f"User task source {source!r} is not a local file (looked relative to the current "
            f"directory and the data directory) and datasets.load_dataset({name!r}, {config!r}, "
            f"split={split!r}) failed: {exc}"
        ) from exc
    if split is not None:
        return [dict(r) for r in ds]
    splits = {k: [dict(r) for r in v] for k, v in ds.items()}
    search, test = _pick(_SEARCH_NAMES, splits), _pick(_TEST_NAMES, splits)
    if search and test:
        return {search: splits[search], test: splits[test]}
    if len(splits) == 1:
        return next(iter(splits.values()))
    raise ValueError(f"Hub dataset {source!r} has splits {sorted(splits)}; name one as 'name:config:split'")


def _examples(name: str, part: str, rows: Sequence[Row], input_column: str, target_column: str) -> list[Example]:
    out = []
    for i, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise ValueError(f"{name}: row {i} of {part!r} is not an object: {row!r:.80}")
        missing = [c for c in (input_column, target_column) if c not in row]
        if missing:
            raise KeyError(f"{name}: row {i} of {part!r} has no column(s) {missing}; columns: {sorted(row)}")
        meta = {k: v for k, v in row.items() if k not in (input_column, target_column)}
        meta["orig_index"] = meta.get("orig_index", i)
        out.append(Example(id=f"{name}/{part}/{i}", input=str(row[input_column]),
                           target=_target_str(row[target_column]), meta=meta))
    return out


def _cap(items: list[Example], seed: int) -> list[Example]:
    return [items[i] for i in sample_indices(len(items), MAX_SEARCH_ITEMS, seed)]


def load_user_task(
    source: str | Path,
    *,
    input_column: str = "input",
    target_column: str = "target",
    instruction: str,
    answer_format: AnswerFormat = "text",
    labels: Sequence[str] | None = None,
    search_fraction: float = 0.5,
    seed: int = 0,
    data_dir: Path | str | None = None,
    name: str | None = None,
) -> Task:
    """Build a task from your own data.

    *source*: a .jsonl/.json/.csv file, a directory holding a search/train file and a
    test/validation file (or a single file), or a Hub dataset ``"name"`` /
    ``"name:config:split"`` (loaded with ``datasets`` when reachable). Relative paths are
    tried from the current directory, then from the data directory.

    Split: with separate search and test data, search = the search/train rows (at most 1000,
    sampled with *seed*) and test = all test rows. A single file is carved deterministically
    (grouped by input, ``random.Random(seed)`` shuffle): ``search_fraction`` of it is search
    (capped at 1000), the rest test; the parts are disjoint by input text.

    For ``answer_format="label"``/``"letter"`` without *labels*, the label set is the sorted
    set of (normalised) targets. Labels are stored lower-case ("label") or upper-case ("letter").
    """
    if answer_format not in _FORMATS:
        raise ValueError(f"answer_format must be one of {_FORMATS}, got {answer_format!r}")
    if not 0.0 < search_fraction < 1.0:
        raise ValueError(f"search_fraction must be strictly between 0 and 1, got {search_fraction}")
    source_str = str(source)
    path = _resolve_path(source_str, data_dir)
    if path is not None:
        table = _from_directory(path) if path.is_dir() else read_table(path)
        task_name = name or (path.stem if path.is_file() else path.name)
        origin = f"file {portable_path(path)}"
    elif isinstance(source, Path) or _looks_like_path(source_str):
        base = resolve_data_dir(data_dir)
        where = f"{Path(source_str).expanduser().resolve()}" + (f" or {base / source_str}" if base else "")
        raise TaskDataNotFoundError(f"User task file not found: {where}")
    else:
        table = _from_hub(source_str)
        task_name = name or source_str.split(":")[0].replace("/", "__")
        origin = f"Hub dataset {source_str}"

    if isinstance(table, dict):
        search_key, test_key = _pick(_SEARCH_NAMES, table), _pick(_TEST_NAMES, table)
        assert search_key and test_key
        search = _cap(_examples(task_name, search_key, table[search_key], input_column, target_column), seed)
        test = _examples(task_name, test_key, table[test_key], input_column, target_column)
        note = (f"{origin}: search = the {search_key!r} rows ({len(search)}, capped at {MAX_SEARCH_ITEMS} "
                f"with seed {seed}), test = the {test_key!r} rows ({len(test)})")
    else:
        items = _examples(task_name, "data", table, input_column, target_column)
        search, test = carve(items, search_fraction, seed)
        search = _cap(search, seed)
        note = (f"{origin}: single split carved with random.Random({seed}) (grouped by input): "
                f"search = {len(search)} items ({search_fraction:.0%} of inputs, capped at {MAX_SEARCH_ITEMS}), "
                f"test = the other {len(test)}; disjoint by input text")
    if not test:
        raise ValueError(f"{task_name}: the test split is empty ({origin})")

    label_tuple: tuple[str, ...] | None = None
    if labels is not None:
        label_tuple = tuple(str(x).strip() for x in labels)
    elif answer_format in ("label", "letter"):
        label_tuple = tuple(sorted({N.clean_text(ex.target) for ex in (*search, *test)} - {""}))
    if label_tuple is not None:
        label_tuple = tuple(x.upper() if answer_format == "letter" else x.lower() for x in label_tuple)
    if answer_format == "label" and not label_tuple:
        raise ValueError(f"{task_name}: answer_format='label' needs labels (none given, none in the data)")

    parts = {"search": search, "test": test}
    return Task(
        name=task_name,
        instruction=instruction,
        answer_format=answer_format,
        labels=label_tuple,
        search_note=note,
        loader=lambda split: parts[split],
        description=f"User task from {origin}.",
    )
