"""The model backend interface: batched text generation with stop strings, temperature and seeds.

Every backend (transformers, OpenAI-compatible servers, vLLM) implements :class:`Backend`.
Sampling is a function of (prompt, config) only, never of how prompts are batched, so a result
can be cached and a resumed run reproduces an uninterrupted one.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Callable, Literal, Sequence

FinishReason = Literal["stop", "length"]


@dataclass(frozen=True)
class GenerationConfig:
    """Decoding settings for one batch of prompts."""

    max_new_tokens: int = 256
    temperature: float = 0.0  # 0 = greedy
    top_p: float = 1.0
    stop: tuple[str, ...] = ()
    seed: int = 0

    def with_(self, **changes: Any) -> "GenerationConfig":
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["stop"] = list(self.stop)
        return data


@dataclass(frozen=True)
class Completion:
    """One generated continuation."""

    text: str
    finish_reason: FinishReason = "stop"
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached: bool = field(default=False, compare=False)

    @property
    def truncated(self) -> bool:
        return self.finish_reason == "length"


class Conversation(str):
    """A prompt that is a chat conversation: user and assistant turns alternating, ending with a
    user turn (e.g. few-shot demonstrations as earlier exchanges). A backend whose
    :meth:`Backend.takes_turns` is true sends :attr:`turns` as chat messages; as a string (cache
    keys, seeds, plain-prompt backends) it is the turns under role headers."""

    turns: tuple[str, ...]

    def __new__(cls, turns: Sequence[str]) -> "Conversation":
        turns = tuple(turns)
        if len(turns) % 2 != 1:
            raise ValueError(f"a conversation alternates user/assistant turns and ends with a user turn; got {len(turns)} turns")
        text = "".join(f"<|{role}|>\n{turn}\n" for role, turn in zip(cls.roles(len(turns)), turns))
        made = super().__new__(cls, text)
        made.turns = turns
        return made

    @staticmethod
    def roles(n: int) -> list[str]:
        return ["user" if i % 2 == 0 else "assistant" for i in range(n)]

    def messages(self) -> list[dict[str, str]]:
        """The turns as OpenAI-style chat messages."""
        return [{"role": role, "content": turn} for role, turn in zip(self.roles(len(self.turns)), self.turns)]


def prompt_seed(seed: int, prompt: str) -> int:
    """A per-prompt sampling seed that does not depend on batch composition."""
    digest = hashlib.sha256(f"{seed}\x00{prompt}".encode()).digest()
    return int.from_bytes(digest[:8], "little") & 0x7FFF_FFFF_FFFF_FFFF


def cut_at_stop(text: str, stop: Sequence[str]) -> tuple[str, bool]:
    """Cut ``text`` at the earliest stop string; returns (text, whether a stop was found)."""
    cut = min((i for i in (text.find(s) for s in stop if s) if i >= 0), default=-1)
    return (text[:cut], True) if cut >= 0 else (text, False)


def split_by_group(flat: Sequence[Completion], groups: Sequence[tuple[str, Sequence[str]]]) -> list[list[Completion]]:
    """Cut completions listed group after group back into one list per (prefix, suffixes) group."""
    out: list[list[Completion]] = []
    start = 0
    for _, suffixes in groups:
        out.append(list(flat[start : start + len(suffixes)]))
        start += len(suffixes)
    return out


class Backend(ABC):
    """A language model that continues text prompts in batches."""

    #: Stable identity of the model (and adapter) for caching and run records.
    identity: str = "unknown"

    @abstractmethod
    def generate(self, prompts: Sequence[str], config: GenerationConfig) -> list[Completion]:
        """Continue every prompt; one completion per prompt, in order."""

    def generate_shared_prefix(
        self, prefix: str, suffixes: Sequence[str], config: GenerationConfig
    ) -> list[Completion]:
        """Continue ``prefix + suffix`` for every suffix. Backends that can reuse the prefix's
        computation (KV cache) override this; the result must equal the plain path."""
        return self.generate([prefix + suffix for suffix in suffixes], config)

    def generate_grouped(
        self, groups: Sequence[tuple[str, Sequence[str]]], config: GenerationConfig
    ) -> list[list[Completion]]:
        """:meth:`generate_shared_prefix` for several prefixes at once (e.g. every candidate
        program over its items), so a backend can fill its batches across groups."""
        return [self.generate_shared_prefix(prefix, suffixes, config) for prefix, suffixes in groups]

    def describe(self) -> dict[str, Any]:
        """What to record about this backend in a run directory."""
        return {"identity": self.identity, "backend": type(self).__name__}

    def usage(self) -> dict[str, int]:
        """Counters of the work done so far (calls, tokens, cache hits); {} when not counted."""
        return {}

    def chat_template(self) -> Callable[[str], str] | None:
        """Wrap a prompt as one chat user turn (with the generation prompt) for a model whose
        tokenizer has a chat template; None for backends that take plain prompts."""
        return None

    def takes_turns(self) -> bool:
        """Whether this backend sends prompts as chat messages, so a :class:`Conversation` prompt
        reaches the model as separate turns (an OpenAI-compatible server in chat mode)."""
        return False

    def watch_tokens(self, callback: Callable[[int], None] | None) -> None:  # noqa: B027 - optional hook
        """Have ``callback(n)`` told about every ``n`` tokens generated, as they are generated
        (a decode step, a finished request), so progress moves inside a long batch. Backends
        that cannot tell ignore it."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources (threads, connections)."""


class WrapperBackend(Backend):
    """A backend that adds behaviour around ``inner`` (a cache, progress, lazy loading) and
    forwards everything else, so callers never look inside it."""

    def __init__(self, inner: Backend) -> None:
        self._wrapped = inner

    @property
    def inner(self) -> Backend:
        return self._wrapped

    @property  # type: ignore[override]
    def identity(self) -> str:
        return self.inner.identity

    def describe(self) -> dict[str, Any]:
        return self.inner.describe()

    def generate(self, prompts: Sequence[str], config: GenerationConfig) -> list[Completion]:
        return self.inner.generate(prompts, config)

    def generate_shared_prefix(self, prefix: str, suffixes: Sequence[str], config: GenerationConfig) -> list[Completion]:
        return self.inner.generate_shared_prefix(prefix, suffixes, config)

    def generate_grouped(self, groups: Sequence[tuple[str, Sequence[str]]], config: GenerationConfig) -> list[list[Completion]]:
        return self.inner.generate_grouped(groups, config)

    def usage(self) -> dict[str, int]:
        return self.inner.usage()

    def chat_template(self) -> Callable[[str], str] | None:
        return self.inner.chat_template()

    def takes_turns(self) -> bool:
        return self.inner.takes_turns()

    def watch_tokens(self, callback: Callable[[int], None] | None) -> None:
        self.inner.watch_tokens(callback)

    def close(self) -> None:
        self.inner.close()
