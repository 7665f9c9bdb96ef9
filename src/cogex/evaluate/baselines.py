"""Baselines: the paper's 0-shot with the instruction-tuned model and 2-shot in-context learning
with examples retrieved by BM25 from the search items; plus zero-shot chain of thought ("think step
by step", answer after a final 'Answer:' marker) and the majority-class answer (no model)."""

from __future__ import annotations

import re
from collections import Counter
from typing import Sequence

from rank_bm25 import BM25Okapi

from cogex.models.backend import Backend, Completion, GenerationConfig
from cogex.tasks import Example, Task

BASELINE_CONFIG = GenerationConfig(max_new_tokens=48, temperature=0.0, stop=("\n\n",))
#: Chain of thought needs room to reason; a new "Input:" means the model started another item.
COT_CONFIG = GenerationConfig(max_new_tokens=256, temperature=0.0, stop=("\nInput:",))
COT_REQUEST = "Think step by step, then write the final answer alone on the last line, starting with 'Answer:'."
#: Opens the model's reply, after the chat template's assistant header (Kojima et al., 2022).
COT_OPENING = "Let's think step by step."
#: "Answer:" (also "Final answer:") or "the answer is"; the reply's last such marker counts.
_ANSWER_MARKER = re.compile(r"(?:final\s+)?answer\s*:|\banswer\s+is\b\s*:?", re.IGNORECASE)


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


def answer_after_marker(text: str) -> str:
    """A reasoning reply's answer: the first non-empty text after its final 'Answer:' (or 'the
    answer is') marker, else its last non-empty line."""
    markers = list(_ANSWER_MARKER.finditer(text))
    if markers:
        for line in text[markers[-1].end():].splitlines():
            if line.strip():
                return line.strip()
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


def _complete(backend: Backend, prompts: list[str], config: GenerationConfig, opening: str = "") -> list[Completion]:
    """The model's replies, each prompt as a chat user turn when the model has a chat template;
    ``opening`` starts the reply."""
    wrap = backend.chat_template()
    if wrap is not None:
        prompts = [wrap(p) for p in prompts]
    elif opening:
        opening = "\n" + opening  # a plain prompt: the reply starts on a new line
    return backend.generate([p + opening for p in prompts], config)


def _run(backend: Backend, prompts: list[str], config: GenerationConfig) -> list[str]:
    return [answer_from_text(c.text) for c in _complete(backend, prompts, config)]


def cot_answer(completion: Completion) -> str:
    """The answer of a reasoning reply; none ('') when it hit the token limit before any
    answer marker (its last line is then a cut-off sentence, not an answer)."""
    if completion.truncated and not _ANSWER_MARKER.search(completion.text):
        return ""
    return answer_after_marker(completion.text)


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


def cot_prompt(task: Task, item: Example) -> str:
    """The zero-shot chain-of-thought user prompt (the reply then opens with :data:`COT_OPENING`)."""
    return "\n".join([task.instruction, "", f"Input: {item.input}", "", COT_REQUEST])


def zero_shot_cot(backend: Backend, task: Task, items: Sequence[Example], config: GenerationConfig = COT_CONFIG) -> list[str]:
    """Zero-shot chain of thought: reason step by step, answer after the final 'Answer:' marker
    ('' when the reply was cut off before any; scored, like every method, with the task's normaliser)."""
    prompts = [cot_prompt(task, item) for item in items]
    return [cot_answer(c) for c in _complete(backend, prompts, config, COT_OPENING)]


def majority_answer(task: Task, pool: Sequence[Example]) -> str:
    """The most frequent target among the search items (compared after the task's normaliser;
    ties go to the target seen first). Raises ValueError when no search item has a target."""
    normalised = [(task.normalize(e.target, e), e.target) for e in pool if e.target]
    counts = Counter(norm for norm, _ in normalised if norm)
    if not counts:
        raise ValueError(f"majority: task {task.name!r} has no labelled search items")
    top = counts.most_common(1)[0][0]
    return next(target for norm, target in normalised if norm == top)


def majority(task: Task, items: Sequence[Example], pool: Sequence[Example]) -> list[str]:
    """Answer every item with the majority search target (a floor any method should beat)."""
    return [majority_answer(task, pool)] * len(items)
