"""The cost model counts the model calls a search really makes (a scripted model that counts)."""

from __future__ import annotations

import re
from typing import Sequence

import pytest

from cogex import format as fmt
from cogex.models.backend import Backend, Completion, GenerationConfig, cut_at_stop
from cogex.search import SearchSettings, run_search
from cogex.search.cost import counted_calls, nominal_calls
from cogex.tasks import get_task


class CountingModel(Backend):
    """Proposes a distinct, correct adder per reasoner prompt; emulates with the right sum."""

    identity = "counting"

    def __init__(self) -> None:
        self.calls = 0
        self.proposed = 0

    def generate(self, prompts: Sequence[str], config: GenerationConfig) -> list[Completion]:
        self.calls += len(prompts)
        return [Completion(text=cut_at_stop(self._reply(p), config.stop)[0]) for p in prompts]

    def _reply(self, prompt: str) -> str:
        text = re.findall(r"### Input:\n(.*)\n", prompt)[-1]
        total = sum(int(x) for x in re.findall(r"\d+", text))
        if prompt.endswith(fmt.PROGRAM_HEADER + "\n"):
            self.proposed += 1
            i = self.proposed
            program = (f"import re\n\ndef add_{i}(text):\n    \"\"\"Add the two numbers.\"\"\"\n    # Step 1: Parse and add.\n"
                       f"    a, b = re.findall(r'\\d+', text)\n    return {{'answer': int(a) + int(b) + 0 * {i}}}")
            instance = fmt.CogexInstance("Add.", text, program, f"add_{i}({text!r})", {"answer": total})
            return fmt.reasoner_completion(instance)
        name = re.findall(r"def (\w+)\(", prompt)[-1]
        return f"{name}({text!r})\n{fmt.OUTPUT_HEADER}\n{{'answer': {total}}}\n{fmt.END_MARKER}"


@pytest.mark.parametrize(("executor", "ranking", "bindings"), [
    ("emulate", "exhaustive", ("model",)),
    ("emulate", "halving", ("model",)),
    ("python", "exhaustive", ("model", "text")),
    ("hybrid", "halving", ("model", "text", "words")),
])
def test_nominal_and_counted_calls_equal_the_calls_the_model_got(executor: str, ranking: str, bindings: tuple[str, ...]) -> None:
    settings = SearchSettings(n_generate=4, n_rank=8, max_resamples=1, executor=executor, ranking=ranking,
                              halving_min_items=2, bindings=bindings)
    model = CountingModel()
    result = run_search(model, get_task("sum"), settings)
    entries = result.program.candidates
    runs: dict[str, int] = {}
    for entry in entries:
        runs[entry["binding"]] = runs.get(entry["binding"], 0) + entry["rank_items_evaluated"]
    attempts = sum(c["attempts"] for c in entries if c["binding"] == "model")
    fallbacks = sum(path == "emulate-fallback" for c in result.candidates for path in c.rank_paths)
    counted = counted_calls(settings, attempts=attempts, runs_by_binding=runs, fallbacks=fallbacks)
    assert counted.total == model.calls  # exact, from what the search records
    assert result.program.rank_accuracy == 1.0 and fallbacks == 0  # the scripted model is right every time
    if ranking == "exhaustive":  # every proposal valid, distinct, first try: the nominal count
        assert nominal_calls(settings) == counted
    assert nominal_calls(settings).total <= model.calls <= nominal_calls(settings, resample_all=True, failing_runs=True).total


def test_paper_scale_counts() -> None:
    """300 candidates x 700 ranking items, emulated (the numbers in docs/search.md)."""
    paper = SearchSettings(n_generate=300, n_rank=700, max_resamples=0)
    assert nominal_calls(paper).total == 300 + 210_000
    halving = SearchSettings(n_generate=300, n_rank=700, max_resamples=0, ranking="halving")
    assert nominal_calls(halving).rank == 6_040
    assert nominal_calls(SearchSettings(n_generate=300, n_rank=700, ranking="halving", k=3)).rank == 6_672
