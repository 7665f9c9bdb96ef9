"""Run a backend in reasoner or emulator mode and parse what it writes."""

from __future__ import annotations

from typing import Sequence

from cogex import format as fmt
from cogex.models.backend import Backend, GenerationConfig

#: Defaults for writing a program (the paper samples candidates at t=0.7; a single answer is greedy).
REASONER_CONFIG = GenerationConfig(max_new_tokens=384, temperature=0.0, stop=fmt.STOP_STRINGS)
#: Defaults for emulating a given program (the paper ranks candidates at t=0.05; greedy here).
EMULATOR_CONFIG = GenerationConfig(max_new_tokens=192, temperature=0.0, stop=fmt.STOP_STRINGS)


#: Temperature of the samples drawn again for a malformed reasoner output (the paper's t=0.7).
RETRY_TEMPERATURE = 0.7


def reason(
    backend: Backend, instruction: str, inputs: Sequence[str], config: GenerationConfig = REASONER_CONFIG
) -> list[fmt.ParseResult]:
    """Reasoner mode for every input: write a program, call it and emulate the output."""
    return [result for result, _ in reason_with_retries(backend, [(instruction, text) for text in inputs], config)]


def reason_with_retries(
    backend: Backend,
    requests: Sequence[tuple[str, str]],
    config: GenerationConfig = REASONER_CONFIG,
    *,
    retries: int = 0,
    retry_temperature: float = RETRY_TEMPERATURE,
) -> list[tuple[fmt.ParseResult, int]]:
    """Reasoner mode for (instruction, input) requests, sampling again (at ``retry_temperature``,
    a new seed per attempt) every request whose output does not parse, at most ``retries`` times.
    Returns, per request, the first parseable result (else the last attempt's) and its attempts."""
    prompts = [fmt.reasoner_prompt(instruction, text) for instruction, text in requests]
    results: list[tuple[fmt.ParseResult, int]] = [(fmt.ParseResult(), 0)] * len(prompts)
    pending = list(range(len(prompts)))
    for attempt in range(retries + 1):
        step_config = config if attempt == 0 else config.with_(temperature=retry_temperature, seed=config.seed * 1000 + attempt)
        for i, c in zip(pending, backend.generate([prompts[i] for i in pending], step_config)):
            results[i] = (fmt.parse_reasoner(c.text, truncated=c.truncated), attempt + 1)
        pending = [i for i in pending if not results[i][0].ok]
        if not pending:
            break
    return results


def emulate(
    backend: Backend,
    instruction: str,
    program: str,
    inputs: Sequence[str],
    config: GenerationConfig = EMULATOR_CONFIG,
) -> list[fmt.ParseResult]:
    """Emulator mode: apply one given program to every input. The instruction + program prefix
    is shared by all items, so backends that reuse KV caches compute it once."""
    return emulate_many(backend, instruction, [(program, inputs)], config)[0]


def emulate_many(
    backend: Backend,
    instruction: str,
    jobs: Sequence[tuple[str, Sequence[str]]],
    config: GenerationConfig = EMULATOR_CONFIG,
) -> list[list[fmt.ParseResult]]:
    """Emulator mode for several programs, each over its own inputs, in one batched request."""
    groups = [(fmt.emulator_prefix(instruction, program), [fmt.emulator_suffix(t) for t in inputs]) for program, inputs in jobs]
    completions = backend.generate_grouped(groups, config)
    return [
        [fmt.parse_emulator(c.text, program=program, truncated=c.truncated) for c in group]
        for (program, _), group in zip(jobs, completions)
    ]
