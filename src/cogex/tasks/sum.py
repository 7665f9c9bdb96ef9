"""Sum: large-number addition (CoGEX paper: search on 5-digit, test on 6-digit operands).

No public data exists, so the items are generated deterministically:

* search: 1000 pairs of 5-digit numbers drawn with ``random.Random(0)``
  (``randint(10000, 99999)``, first digit never 0);
* test: 1000 pairs of 6-digit numbers drawn with ``random.Random(1)``
  (``randint(100000, 999999)``).

Ordered pairs are unique within a split; the splits are disjoint by construction.

Input format (exactly): ``"Add the two numbers: 48213 + 90172"``.
Target: the sum as a plain integer string, no separators: ``"138385"``.
"""

from __future__ import annotations

import random

from . import normalize as N
from .base import Example, Task

__all__ = ["SUM_INPUT_TEMPLATE", "SUM_SEEDS", "SUM_SIZE", "SUM_DIGITS", "generate_sum", "sum_task"]

SUM_INPUT_TEMPLATE = "Add the two numbers: {a} + {b}"
SUM_SIZE = 1000
SUM_DIGITS = {"search": 5, "test": 6}
SUM_SEEDS = {"search": 0, "test": 1}

# Deliberately plain: the answer normaliser already accepts "1,234", "1 234" and "The sum is 1234".
# An earlier wording that added "written with digits only (no commas, spaces or words)" made the
# 135M model write digit-sum programs instead of additions.
SUM_INSTRUCTION = "Add the two numbers."


def generate_sum(split: str, n: int = SUM_SIZE) -> list[Example]:
    """The deterministic Sum items of *split* ("search": 5-digit, "test": 6-digit operands)."""
    if split not in SUM_DIGITS:
        raise ValueError(f"split must be 'search' or 'test', got {split!r}")
    digits = SUM_DIGITS[split]
    rng = random.Random(SUM_SEEDS[split])
    lo, hi = 10 ** (digits - 1), 10**digits - 1
    seen: set[tuple[int, int]] = set()
    items: list[Example] = []
    while len(items) < n:
        a, b = rng.randint(lo, hi), rng.randint(lo, hi)
        if (a, b) in seen:
            continue
        seen.add((a, b))
        items.append(
            Example(
                id=f"sum/{split}/{len(items)}",
                input=SUM_INPUT_TEMPLATE.format(a=a, b=b),
                target=str(a + b),
                meta={"a": a, "b": b, "digits": digits},
            )
        )
    return items


def sum_task() -> Task:
    """The Sum task (needs no data files)."""
    return Task(
        name="sum",
        instruction=SUM_INSTRUCTION,
        answer_format="number",
        labels=None,
        search_note=(
            "generated, no data files: search = 1000 pairs of 5-digit numbers (random.Random(0)), "
            "test = 1000 pairs of 6-digit numbers (random.Random(1)); search on shorter numbers, "
            "test on longer ones, as in the paper"
        ),
        loader=generate_sum,
        normalizer=lambda answer, example=None: N.normalize_digits(answer),
        description="Large-number addition; input 'Add the two numbers: A + B', target str(A + B).",
    )
