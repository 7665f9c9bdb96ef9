"""Reasoner retries: which inputs are sampled again, with what settings, and what is kept."""

from __future__ import annotations

from typing import Sequence

from cogex import format as fmt
from cogex.generate import REASONER_CONFIG, reason_with_retries
from cogex.models.backend import Backend, Completion, GenerationConfig

GOOD = fmt.reasoner_completion(fmt.CogexInstance(
    "Add.", "1 2", "def add(a, b):\n    # Step 1: Add.\n    total = a + b\n    return {'total': total, 'answer': total}",
    "add(1, 2)", {"total": 3, "answer": 3}))
BAD = "def add(a, b):\n    return {'total': a + b"


class ScriptedBackend(Backend):
    """Answers each call from a script (a list of texts per call) and records prompts and configs."""

    identity = "scripted"

    def __init__(self, script: list[list[str]]) -> None:
        self.script, self.calls = list(script), []

    def generate(self, prompts: Sequence[str], config: GenerationConfig) -> list[Completion]:
        self.calls.append((list(prompts), config))
        texts = self.script.pop(0)
        assert len(texts) == len(prompts)
        return [Completion(t) for t in texts]


def test_only_malformed_outputs_are_sampled_again() -> None:
    backend = ScriptedBackend([[GOOD, BAD, BAD], [GOOD, BAD], [BAD]])
    results = reason_with_retries(backend, [("Add.", "1 2"), ("Add.", "3 4"), ("Add.", "5 6")], REASONER_CONFIG, retries=2)
    assert [attempts for _, attempts in results] == [1, 2, 3]
    assert [r.ok for r, _ in results] == [True, True, False]
    assert results[0][0].answer == 3 and results[1][0].answer == 3
    first, second, third = backend.calls
    assert first[1].temperature == 0.0 and len(first[0]) == 3
    assert second[0] == [fmt.reasoner_prompt("Add.", "3 4"), fmt.reasoner_prompt("Add.", "5 6")]
    assert third[0] == [fmt.reasoner_prompt("Add.", "5 6")]
    assert second[1].temperature == 0.7 and third[1].temperature == 0.7
    assert len({first[1].seed, second[1].seed, third[1].seed}) == 3  # a new sample each attempt


def test_no_retries_means_one_call() -> None:
    backend = ScriptedBackend([[BAD]])
    [(result, attempts)] = reason_with_retries(backend, [("Add.", "1 2")], retries=0)
    assert attempts == 1 and not result.ok and len(backend.calls) == 1
