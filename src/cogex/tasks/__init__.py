"""Task registry: the CoGEX paper's nine tasks plus user tasks, answer normalisation and metrics.

>>> from cogex.tasks import get_task, accuracy
>>> task = get_task("sum")
>>> items = task.examples("test", limit=3)
>>> task.is_correct(int(items[0].meta["a"]) + int(items[0].meta["b"]), items[0].target)
True

See docs/tasks.md for the data layout, split rules and normalisation tables.
"""

from __future__ import annotations

from pathlib import Path

from .base import (
    DATA_DIR_ENV,
    SPLITS,
    AnswerFormat,
    Example,
    Split,
    Task,
    TaskDataNotFoundError,
    candidate_data_dirs,
    resolve_data_dir,
)
from .builtin import BUILTIN_TASKS, builtin_task
from .config import TaskConfigError, is_task_config, load_task_config, shipped_task_configs
from .metrics import accuracy, correctness
from .sum import SUM_INPUT_TEMPLATE, generate_sum
from .user import load_user_task

__all__ = [
    "TaskConfigError",
    "heldout_tasks",
    "dev_tasks",
    "load_task_config",
    "shipped_task_configs",
    "DATA_DIR_ENV",
    "SPLITS",
    "SUM_INPUT_TEMPLATE",
    "AnswerFormat",
    "Example",
    "Split",
    "Task",
    "TaskDataNotFoundError",
    "accuracy",
    "candidate_data_dirs",
    "correctness",
    "generate_sum",
    "get_task",
    "list_tasks",
    "load_user_task",
    "register_task",
    "resolve_data_dir",
]

_ALIASES = {
    "csqa": "commonsense_qa",
    "commonsenseqa": "commonsense_qa",
    "siqa": "social_iqa",
    "social_i_qa": "social_iqa",
    "socialiqa": "social_iqa",
    "coinflip": "coin_flip",
    "wordsorting": "word_sorting",
    "word_sort": "word_sorting",
    "glue_sst2": "sst2",
    "sst_2": "sst2",
}

_USER_TASKS: dict[str, Task] = {}


def _canonical(name: str) -> str:
    key = name.strip().lower().replace("-", "_")
    return _ALIASES.get(key, key)


def list_tasks(*, include_user: bool = False) -> list[str]:
    """The paper's nine task names (plus registered user tasks when *include_user*)."""
    names = list(BUILTIN_TASKS)
    if include_user:
        names += [n for n in _USER_TASKS if n not in names]
    return names


def register_task(task: Task, *, overwrite: bool = False) -> Task:
    """Make a (user) task available through :func:`get_task` under ``task.name``."""
    key = _canonical(task.name)
    if key in BUILTIN_TASKS:
        raise ValueError(f"{task.name!r} is a builtin task name")
    if key in _USER_TASKS and not overwrite:
        raise ValueError(f"a task named {task.name!r} is already registered (pass overwrite=True)")
    _USER_TASKS[key] = task
    return task


def get_task(name: str, *, data_dir: Path | None = None) -> Task:
    """A task by name (aliases such as ``csqa``/``siqa`` accepted).

    Data is read lazily, on the first ``examples()`` call, from *data_dir*, else
    ``$COGEX_DATA_DIR``, else ``../shared/data`` (see :func:`resolve_data_dir`).
    """
    key = _canonical(name)
    if key in BUILTIN_TASKS:
        return builtin_task(key, data_dir)
    if key in _USER_TASKS:
        return _USER_TASKS[key]
    if is_task_config(name):
        return load_task_config(name)
    shipped = shipped_task_configs()
    if key in shipped:
        return load_task_config(shipped[key])
    known = ", ".join(list_tasks(include_user=True) + list(shipped))
    raise KeyError(f"unknown task {name!r}; known tasks: {known} (or build one with load_user_task)")


def heldout_tasks() -> list[str]:
    """Names of the shipped held-out-family evaluation tasks (never in the training data)."""
    return [name for name, path in shipped_task_configs().items() if path.parent.name == "heldout"]


def dev_tasks() -> list[str]:
    """Names of the shipped dev-family tasks: unseen kinds to tune search and prompting on."""
    return [name for name, path in shipped_task_configs().items() if path.parent.name == "dev"]
