"""Exact-match metrics over normalised answers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .base import Example, Task

__all__ = ["accuracy", "correctness"]


def correctness(task: Task, predictions: Sequence[Any], examples: Sequence[Example]) -> list[bool]:
    """Per-item exact match (``task.is_correct``) of *predictions* against *examples*' targets;
    a missing prediction (None: the program or model failed) and an unlabelled item are wrong."""
    if len(predictions) != len(examples):
        raise ValueError(f"{len(predictions)} predictions for {len(examples)} examples")
    return [p is not None and bool(ex.target) and task.is_correct(p, ex.target, ex) for p, ex in zip(predictions, examples)]


def accuracy(task: Task, predictions: Sequence[Any], examples: Sequence[Example]) -> float:
    """Fraction of exact matches after normalisation (0.0 for no examples)."""
    hits = correctness(task, predictions, examples)
    return sum(hits) / len(hits) if hits else 0.0
