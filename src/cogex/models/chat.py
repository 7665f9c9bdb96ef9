"""Wrap a plain prompt as a chat user turn for backends whose tokenizer has a chat template."""

from __future__ import annotations

from typing import Any, Callable

from cogex.models.backend import Backend


def chat_formatter(backend: Backend) -> Callable[[str], str] | None:
    """For a local backend whose tokenizer has a chat template: wrap a prompt as one user turn
    (with the generation prompt). None when there is no such tokenizer (e.g. server backends,
    which get plain prompts)."""
    seen: set[int] = set()
    current: Any = backend
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        tokenizer = getattr(current, "tokenizer", None)
        if tokenizer is not None and getattr(tokenizer, "chat_template", None):

            def wrap(prompt: str, _tok: Any = tokenizer) -> str:
                messages = [{"role": "user", "content": prompt}]
                return str(_tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True))

            return wrap
        current = getattr(current, "inner", None) or getattr(current, "backend", None)
    return None
