"""The paper's baselines: 0-shot with the instruction-tuned model, and 2-shot in-context learning
with examples retrieved by BM25 from the search items."""

from __future__ import annotations

import re
from typing import Sequence

from rank_bm25 import BM25Okapi

from cogex.models.backend import Backend, GenerationConfig
from cogex.models.chat import chat_formatter
from cogex.tasks import Example, Task

BASELINE_CONFIG = GenerationConfig(max_new_tokens=48, temperature=0.0, stop=("\n\n",))


def _tokens(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


class BM25Retriever:
    """Retrieve the most similar search items for a query (Okapi BM25 from ``rank_bm25``)."""

    def __init__(self, pool: Sequence[Example]) -> None:
        self.pool = list(pool)
        self.index = BM25Okapi([_tokens(e.input) or ["_"] for e in self.pool])

    def top(self, query: str, n: int) -> list[Example]:
        scores = self.index.get_scores(_tokens(query) or ["_"])
        order = sorted(range(len(self.pool)), key=lambda i: (-scores[i], i))
        return [self.pool[i] for i in order[:n]]


def _user_prompt(task: Task, item: Example, shots: Sequence[Example] = ()) -> str:
    parts = [task.instruction, ""]
    for shot in shots:
        parts += [f"Input: {shot.input}", f"Answer: {shot.target}", ""]
    parts += [f"Input: {item.input}", "Answer:"]
    return "\n".join(parts)


def answer_from_text(text: str) -> str:
    """The first non-empty line of a free-text reply, without an 'Answer:' prefix."""
    for line in text.strip().splitlines():
        line = re.sub(r"^\s*(final\s+)?answer\s*[:\-]\s*", "", line.strip(), flags=re.IGNORECASE)
        if line:
            return line
    return ""


def _run(backend: Backend, prompts: list[str], config: GenerationConfig) -> list[str]:
    wrap = chat_formatter(backend)
    if wrap is not None:
        prompts = [wrap(p) for p in prompts]
    return [answer_from_text(c.text) for c in backend.generate(prompts, config)]


def zero_shot(backend: Backend, task: Task, items: Sequence[Example], config: GenerationConfig = BASELINE_CONFIG) -> list[str]:
    """Answer each item directly from the instruction (chat template when the model has one)."""
    return _run(backend, [_user_prompt(task, item) for item in items], config)


def few_shot_bm25(
    backend: Backend,
    task: Task,
    items: Sequence[Example],
    pool: Sequence[Example],
    *,
    shots: int = 2,
    config: GenerationConfig = BASELINE_CONFIG,
) -> list[str]:
    """In-context learning with the ``shots`` most BM25-similar search items as examples."""
    retriever = BM25Retriever(pool)
    prompts = [_user_prompt(task, item, retriever.top(item.input, shots)) for item in items]
    return _run(backend, prompts, config)
