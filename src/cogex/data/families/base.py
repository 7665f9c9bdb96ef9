"""Task families: one general CoGEX program + an input sampler, outputs by real execution.

A :class:`Family` describes a kind of Alpaca-style task (e.g. "convert a time to minutes"). Its
programs are general (they work for every input the sampler draws); each instance is one sampled
input, one instruction wording, the call that restates the input as Python values, and the output
dict obtained by running the program in the sandbox. Families that need knowledge or judgement
call undefined helpers (``capital_of(country)``); for those the family carries ``helpers``: Python
definitions used only while building the data, so the recorded outputs are still real execution.
The helpers never appear in a record.
"""

from __future__ import annotations

import ast
import hashlib
import random
from dataclasses import dataclass, field
from typing import Any, Callable, Literal, Mapping, Sequence

Kind = Literal["compute", "knowledge"]
AnswerFormat = Literal["label", "letter", "number", "text"]


@dataclass(frozen=True)
class Example:
    """One sampled input: the text a user would give, and the same input as call arguments."""

    input: str
    args: tuple[Any, ...]
    fields: Mapping[str, Any] = field(default_factory=dict)  # values for {placeholders} in instructions


@dataclass(frozen=True)
class Family:
    """A task family (see the module docstring)."""

    name: str
    kind: Kind
    instructions: tuple[str, ...]
    programs: tuple[str, ...]
    sample: Callable[[random.Random], Example]
    helpers: str = ""
    answer_format: AnswerFormat = "text"
    labels: tuple[str, ...] = ()
    describe: Callable[[Any], str] | None = None

    def entry(self, program: str) -> str:
        """Name of the program's entry function (the first top-level ``def``)."""
        for node in ast.parse(program).body:
            if isinstance(node, ast.FunctionDef):
                return node.name
        raise ValueError(f"family {self.name}: program defines no function")

    def answer_text(self, answer: Any) -> str:
        return self.describe(answer) if self.describe else str(answer)


def call_line(function: str, args: Sequence[Any]) -> str:
    """``f(a, b)`` with each argument written as an exact Python literal."""
    return f"{function}({', '.join(repr(a) for a in args)})"


def family_rng(name: str, index: int, seed: int = 0) -> random.Random:
    """An RNG that depends only on (family, index, seed): adding a family changes no other."""
    digest = hashlib.sha256(f"{seed}:{name}:{index}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))
