"""Rich progress bars (rate and ETA) for long loops, shared by commands.

A :class:`StageProgress` shows one bar per stage (``progress(stage, done, total)``), a "model
calls" bar that advances every time the model finishes a batch of completions
(:meth:`StageProgress.model_calls`, given to :func:`~cogex.cli.common.build_backend` as
``on_calls``) and a "tokens generated" counter that moves with every decode step
(:meth:`StageProgress.tokens`, through ``Backend.watch_tokens``), so a long batch never looks
frozen and the rates are the model's real rates.
Nothing is drawn when stderr is not a terminal or with ``--quiet``.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from types import TracebackType
from typing import Iterator

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from cogex.cli.common import console

#: What each stage counts, shown beside its name.
STAGE_LABELS = {
    "propose": "propose (items)",
    "rank": "rank (program×item)",
    "alive": "programs alive",
    "apply": "apply (program×item)",
}
CALLS = "model calls"
TOKENS = "tokens generated"


class RateColumn(ProgressColumn):
    """Items per second (or seconds per item when slower than one a second), over the whole
    run so far: items are slow and uneven, so a short moving window says little."""

    def render(self, task: Task) -> Text:
        unit = task.fields.get("unit", "it")
        elapsed = task.finished_time if task.finished else task.elapsed
        speed = task.completed / elapsed if task.completed and elapsed else None
        if not speed:
            return Text(f"-- {unit}/s", style="progress.data.speed")
        return Text(f"{speed:.2f} {unit}/s" if speed >= 1 else f"{1 / speed:.1f} s/{unit}", style="progress.data.speed")


class StageProgress:
    """Stage bars plus a model-call counter; a no-op when ``quiet`` or stderr is not a TTY."""

    def __init__(self, *, quiet: bool = False) -> None:
        self.enabled = not quiet and console.is_terminal
        self._progress: Progress | None = None
        self._tasks: dict[str, int] = {}
        self._lock = threading.Lock()
        self.calls = 0
        self.generated = 0

    def __enter__(self) -> "StageProgress":
        if self.enabled:
            self._progress = Progress(
                TextColumn("[bold]{task.description:<24}"),
                BarColumn(),
                MofNCompleteColumn(),
                RateColumn(),
                TimeElapsedColumn(),
                TextColumn("eta"),
                TimeRemainingColumn(),
                console=console,
            )
            self._progress.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        """Show ``stage`` at ``done`` of ``total``."""
        with self._lock:
            if self._progress is None:
                return
            if stage not in self._tasks:
                self._tasks[stage] = self._progress.add_task(STAGE_LABELS.get(stage, stage), total=total)
            self._progress.update(self._tasks[stage], completed=done, total=total)

    def tokens(self, n: int) -> None:
        """The model generated ``n`` more tokens (called from inside a batch, per decode step)."""
        with self._lock:
            self.generated += n
            self._count(TOKENS, self.generated, unit="tok")

    def model_calls(self, n: int) -> None:
        """The model computed ``n`` more completions (cache hits are not counted)."""
        with self._lock:
            self.calls += n
            self._count(CALLS, self.calls, unit="it")

    def _count(self, name: str, value: int, *, unit: str) -> None:
        """Show an open-ended counter (no total) at ``value``; the caller holds the lock."""
        if self._progress is None:
            return
        if name not in self._tasks:
            self._tasks[name] = self._progress.add_task(name, total=None, unit=unit)
        self._progress.update(self._tasks[name], completed=value)


@contextmanager
def stage_progress(*, quiet: bool = False) -> Iterator[StageProgress]:
    """A callback ``(stage, done, total)`` that drives one progress bar per stage."""
    with StageProgress(quiet=quiet) as progress:
        yield progress


@contextmanager
def working(description: str, *, quiet: bool = False) -> Iterator[None]:
    """A spinner with the elapsed time while one long model call runs (nothing when not a TTY)."""
    if quiet or not console.is_terminal:
        yield
        return
    from rich.progress import SpinnerColumn

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console,
                  transient=True) as bar:
        bar.add_task(description, total=None)
        yield
