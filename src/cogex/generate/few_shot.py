"""Few-shot CoGEX: show a model that was never trained on the format what it looks like.

:class:`FewShotBackend` wraps any backend and puts ``k`` CoGEX demonstrations from the shipped
seed set in front of every CoGEX prompt, in the prompt's own mode: a reasoner prompt (instruction
[, input], ``### Program:``) gets whole demonstrations (program, call, output); an emulator or
helper prompt (instruction, program, input, ``>>> ``) gets demonstrations written the same way.
Demonstrations are the ``k`` seed instances whose instructions are most similar to the prompt's
(BM25) or a fixed diverse set (``retrieve=False``). For a chat backend (``--chat``) each
demonstration is an earlier exchange, its prompt a user turn and its completion the assistant's
reply, and the server's chat template renders them; otherwise they are text before the prompt.
Prompts that are not CoGEX prompts (the baselines' chat prompts) pass through unchanged, so one
backend serves every method.

Use it for a base or served model without a CoGEX adapter (``--prompting few-shot``, the
default then); a CoGEX-trained model needs no demonstrations (``--prompting trained``), though it
can be shown whole programs for the tasks it writes programs for (``--prompting few-shot-programs``:
demonstrations in front of reasoner prompts only; emulator and helper prompts stay as trained).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Sequence

from cogex import format as fmt
from cogex.models.backend import Backend, Completion, Conversation, GenerationConfig, WrapperBackend, split_by_group

#: Demonstrations longer than this (program + output, characters) are never shown: they would
#: crowd the prompt of a small model.
MAX_DEMO_CHARS = 900
PROMPTINGS: tuple[str, ...] = ("auto", "trained", "few-shot", "few-shot-programs")
_SEPARATOR = "\n\n"


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


@lru_cache(maxsize=1)
def seed_demonstrations() -> tuple[fmt.CogexInstance, ...]:
    """Short seed instances, one per instruction, in a fixed order (the candidate pool)."""
    from cogex.data.seed import load_seed_records

    seen: set[str] = set()
    pool: list[fmt.CogexInstance] = []
    for record in load_seed_records():
        try:
            instance = fmt.CogexInstance.from_record(record)
        except (KeyError, TypeError, ValueError):
            continue
        if instance.instruction in seen or len(instance.code_prompt) + len(instance.code_output) > MAX_DEMO_CHARS:
            continue
        seen.add(instance.instruction)
        pool.append(instance)
    return tuple(pool)


def _instruction_of(prompt: str) -> str | None:
    """The instruction of a CoGEX prompt, None for any other prompt."""
    if not prompt.startswith(fmt.INSTRUCTION_HEADER + "\n"):
        return None
    body = prompt[len(fmt.INSTRUCTION_HEADER) + 1 :]
    return body.split("\n### ", 1)[0].strip()


def _is_reasoner(prompt: str) -> bool:
    return prompt.endswith(fmt.PROGRAM_HEADER + "\n")


def exchange(demo: fmt.CogexInstance, reasoner: bool) -> tuple[str, str]:
    """One demonstration in reasoner or emulator form: (prompt, completion ending with the end marker)."""
    if reasoner:
        return fmt.reasoner_prompt(demo.instruction, demo.input), fmt.reasoner_completion(demo)
    return fmt.emulator_prompt(demo.instruction, demo.input, demo.program), fmt.emulator_completion(demo)


def render(demo: fmt.CogexInstance, reasoner: bool) -> str:
    """One demonstration as text: its prompt followed by its completion."""
    return "".join(exchange(demo, reasoner))


class FewShotBackend(WrapperBackend):
    """``inner`` with ``k`` CoGEX demonstrations in front of every CoGEX prompt."""

    def __init__(self, inner: Backend, *, k: int = 2, retrieve: bool = True,
                 pool: Sequence[fmt.CogexInstance] | None = None, reasoner_only: bool = False) -> None:
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        super().__init__(inner)
        self.k = k
        self.retrieve = retrieve
        self.reasoner_only = reasoner_only
        self.pool = list(pool if pool is not None else seed_demonstrations())
        if len(self.pool) < k:
            raise ValueError(f"few-shot prompting needs {k} demonstrations; the pool has {len(self.pool)}")
        self._index: Any = None
        self._chosen: dict[str, list[int]] = {}

    @property  # type: ignore[override]
    def identity(self) -> str:
        scope = ":programs" if self.reasoner_only else ""
        return f"{self.inner.identity}|few-shot:k={self.k}:{'bm25' if self.retrieve else 'fixed'}{scope}"

    def describe(self) -> dict[str, Any]:
        mode = "few-shot-programs" if self.reasoner_only else "few-shot"
        return {**self.inner.describe(), "prompting": {"mode": mode, "k": self.k, "retrieve": self.retrieve}}

    # ---- choosing demonstrations ----------------------------------------------------------
    def _fixed(self) -> list[int]:
        """``k`` demonstrations spread over the pool (different kinds of task)."""
        step = max(1, len(self.pool) // self.k)
        return [i * step for i in range(self.k)]

    def demonstrations(self, instruction: str) -> list[fmt.CogexInstance]:
        """The demonstrations shown with ``instruction`` (never the instruction itself)."""
        if instruction not in self._chosen:
            if not self.retrieve:
                picks = self._fixed()
            else:
                if self._index is None:
                    from rank_bm25 import BM25Okapi

                    self._index = BM25Okapi([_words(d.instruction) or ["_"] for d in self.pool])
                scores = self._index.get_scores(_words(instruction) or ["_"])
                order = sorted(range(len(self.pool)), key=lambda i: (-scores[i], i))
                picks = [i for i in order if self.pool[i].instruction.strip() != instruction.strip()][: self.k]
            self._chosen[instruction] = picks
        return [self.pool[i] for i in self._chosen[instruction]]

    def _with_demos(self, prompt: str) -> str:
        """``prompt`` with its demonstrations: as earlier chat turns for a chat backend, else as text before it."""
        instruction = _instruction_of(prompt)
        if instruction is None:
            return prompt
        reasoner = _is_reasoner(prompt)
        if self.reasoner_only and not reasoner:
            return prompt
        demos = self.demonstrations(instruction)
        if self.inner.takes_turns():
            return Conversation([turn for d in demos for turn in exchange(d, reasoner)] + [prompt])
        return _SEPARATOR.join(render(d, reasoner) for d in demos) + _SEPARATOR + prompt

    # ---- generation -------------------------------------------------------------------------
    def generate(self, prompts: Sequence[str], config: GenerationConfig) -> list[Completion]:
        return self.inner.generate([self._with_demos(p) for p in prompts], config)

    # A shared prefix (instruction + program) starts emulator prompts: it gets emulator demonstrations
    # (none with reasoner_only). A chat backend takes whole conversations, whose last turn is prefix + suffix.
    def generate_shared_prefix(self, prefix: str, suffixes: Sequence[str], config: GenerationConfig) -> list[Completion]:
        if self.reasoner_only:
            return self.inner.generate_shared_prefix(prefix, suffixes, config)
        if self.inner.takes_turns():
            return self.generate([prefix + s for s in suffixes], config)
        return self.inner.generate_shared_prefix(self._with_demos(prefix), suffixes, config)

    def generate_grouped(self, groups: Sequence[tuple[str, Sequence[str]]], config: GenerationConfig) -> list[list[Completion]]:
        if self.reasoner_only:
            return self.inner.generate_grouped(groups, config)
        if self.inner.takes_turns():
            return split_by_group(self.generate([p + s for p, suffixes in groups for s in suffixes], config), groups)
        return self.inner.generate_grouped([(self._with_demos(p), s) for p, s in groups], config)


def uses_few_shot(prompting: str, *, adapter_in_use: bool) -> bool:
    """Whether ``--prompting`` means demonstrations: ``auto`` = whenever no CoGEX adapter is used."""
    if prompting not in PROMPTINGS:
        raise ValueError(f"unknown prompting {prompting!r}; choose from {', '.join(PROMPTINGS)}")
    return prompting in ("few-shot", "few-shot-programs") or (prompting == "auto" and not adapter_in_use)
