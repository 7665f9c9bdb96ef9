"""Task config files (YAML), in the spirit of lm-evaluation-harness task YAMLs::

    name: ticket_priority
    source: tickets.jsonl          # a file/folder (relative to this YAML) or a Hub id
    input_column: text
    target_column: priority
    instruction: Classify the support ticket's priority. Answer low, medium or high.
    answer_format: label           # label | letter | number | text
    labels: [low, medium, high]    # optional (label/letter); default: the targets seen
    search_fraction: 0.33          # optional: share of a single file used by the search

Shipped evaluation tasks (the held-out families) are YAML files under
``cogex/resources/tasks``; :func:`shipped_task_configs` lists them by name.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from .base import Task

__all__ = ["TaskConfigError", "is_task_config", "load_task_config", "shipped_task_configs"]

_REQUIRED = ("source", "instruction")
_OPTIONAL = {
    "name": str,
    "input_column": str,
    "target_column": str,
    "answer_format": str,
    "labels": list,
    "search_fraction": float,
    "description": str,
    "family": str,
}
_SUFFIXES = (".yaml", ".yml")


class TaskConfigError(ValueError):
    """A task config file that cannot be used (the message names the file and the key)."""


def is_task_config(source: str | Path) -> bool:
    return str(source).lower().endswith(_SUFFIXES)


def _read(path: Path) -> dict[str, Any]:
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TaskConfigError(f"task config not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TaskConfigError(f"cannot read task config {path}: {exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise TaskConfigError(f"{path}: not valid YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(data, dict):
        raise TaskConfigError(f"{path}: expected a mapping of keys (name, source, instruction, ...)")
    return data


def _validate(path: Path, data: dict[str, Any]) -> None:
    known = set(_REQUIRED) | set(_OPTIONAL)
    for key in data:
        if key not in known:
            raise TaskConfigError(f"{path}: unknown key {key!r} (known: {', '.join(sorted(known))})")
    for key in _REQUIRED:
        if not data.get(key):
            raise TaskConfigError(f"{path}: missing required key {key!r}")
    for key, kind in _OPTIONAL.items():
        value = data.get(key)
        if value is None:
            continue
        if kind is float and isinstance(value, (int, float)) and not isinstance(value, bool):
            continue
        if not isinstance(value, kind):
            raise TaskConfigError(f"{path}: key {key!r} must be a {kind.__name__}, got {type(value).__name__}")


def load_task_config(path: str | Path, *, seed: int = 0) -> Task:
    """The task a YAML config file describes; raises :class:`TaskConfigError` naming the key."""
    from .user import load_user_task

    path = Path(path).expanduser()
    data = _read(path)
    _validate(path, data)
    source = str(data["source"])
    local = (path.parent / source) if not Path(source).expanduser().is_absolute() else Path(source).expanduser()
    if local.exists():
        source = str(local)
    try:
        return load_user_task(
            source,
            input_column=data.get("input_column", "input"),
            target_column=data.get("target_column", "target"),
            instruction=str(data["instruction"]),
            answer_format=data.get("answer_format", "text"),
            labels=data.get("labels"),
            search_fraction=float(data.get("search_fraction", 0.5)),
            seed=seed,
            name=data.get("name") or path.stem,
        )
    except KeyError as exc:  # a column named in the config is absent from the data
        raise TaskConfigError(f"{path}: {exc.args[0] if exc.args else exc}") from None
    except ValueError as exc:
        raise TaskConfigError(f"{path}: {exc}") from None


def shipped_config_dir() -> Path:
    return Path(str(resources.files("cogex") / "resources" / "tasks"))


def shipped_task_configs() -> dict[str, Path]:
    """Name -> YAML path of every task config shipped with cogex (the held-out families)."""
    folder = shipped_config_dir()
    if not folder.is_dir():
        return {}
    return {p.stem: p for p in sorted(folder.glob("*/*.yaml"))}
