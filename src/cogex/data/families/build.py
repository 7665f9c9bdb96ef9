"""Turn families into CoGEX instances: sample inputs, run each program in the sandbox, record."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Iterable

from cogex import format as fmt
from cogex.sandbox import run_calls

from .base import Example, Family, call_line, family_rng


class FamilyError(ValueError):
    """A family whose program does not run on its own samples (a bug in the family)."""


@dataclass(frozen=True)
class Drawn:
    """One sampled instance before execution."""

    family: Family
    index: int
    instruction: str
    example: Example
    program: str
    call: str


def draw(family: Family, count: int, *, seed: int = 0, max_tries: int = 20) -> list[Drawn]:
    """``count`` distinct (instruction, input) instances of ``family``, deterministic in ``seed``."""
    drawn: list[Drawn] = []
    seen: set[tuple[str, str, str]] = set()
    index = 0
    while len(drawn) < count and index < count * max_tries:
        rng = family_rng(family.name, index, seed)
        example = family.sample(rng)
        instruction = rng.choice(family.instructions).format(**example.fields)
        program = rng.choice(family.programs)
        call = call_line(family.entry(program), example.args)
        key = (instruction, example.input, call)
        index += 1
        if key in seen:
            continue
        seen.add(key)
        drawn.append(Drawn(family, index - 1, instruction, example, program, call))
    return drawn


def execute(drawn: Iterable[Drawn]) -> list[tuple[Drawn, dict[str, Any]]]:
    """Each drawn instance with its output dict (in input order), from one sandbox run per
    (family, program).

    Raises :class:`FamilyError` if a program fails or returns something other than a dict with
    ``'answer'`` whose text parses back as a literal (the training target must be exact)."""
    items = list(drawn)
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, item in enumerate(items):
        groups[(item.family.name, item.program)].append(index)
    outputs: list[dict[str, Any]] = [{} for _ in items]
    for (name, program), indices in groups.items():
        helpers = items[indices[0]].family.helpers
        source = f"{helpers.rstrip()}\n\n\n{program}" if helpers.strip() else program
        results = run_calls(source, [items[i].call for i in indices], allow_undefined=False)
        for index, result in zip(indices, results):
            call = items[index].call
            if result.status != "ok":
                raise FamilyError(f"family {name}: {call} failed: {result.error} {result.detail[:300]}")
            value = result.value
            if not isinstance(value, dict) or "answer" not in value:
                raise FamilyError(f"family {name}: {call} returned {value!r:.200}, not a dict with 'answer'")
            if fmt.safe_literal(repr(value)) != value:
                raise FamilyError(f"family {name}: output {value!r:.200} does not round-trip as a literal")
            outputs[index] = value
    return list(zip(items, outputs))


def to_record(item: Drawn, output: dict[str, Any], *, id_prefix: str = "gen") -> dict[str, str]:
    """The seed-set schema (see resources/seed/README.md)."""
    inst = fmt.CogexInstance(item.instruction, item.example.input, item.program.strip(), item.call, output)
    return {
        "id": f"{id_prefix}-{item.family.name}-{item.index:04d}",
        "category": item.family.name,
        "instruction": item.instruction,
        "input": item.example.input,
        "code_prompt": inst.code_prompt,
        "code_output": inst.code_output,
        "output": item.family.answer_text(output["answer"]),
        "source": f"generator:{item.family.name}",
    }


def build_records(families: Iterable[Family], per_family: int, *, seed: int = 0) -> list[dict[str, str]]:
    """``per_family`` executed instances of every family, as seed records."""
    drawn = [d for family in families for d in draw(family, per_family, seed=seed)]
    return [to_record(item, output) for item, output in execute(drawn)]
