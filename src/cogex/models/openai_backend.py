"""A backend for any OpenAI-compatible server: vLLM, SGLang, llama.cpp server, Ollama, hosted APIs.

CoGEX prompts are raw text continuations, so the default ``completions`` mode posts them to
``/v1/completions``; ``chat`` mode wraps each prompt as one user message for chat-only APIs (a
:class:`~cogex.models.backend.Conversation` prompt, such as few-shot demonstrations, as its turns).
Requests run concurrently on a thread pool; transient failures (connection errors, timeouts,
429 and 5xx) are retried with exponential backoff. Every request is bounded: at most ``timeout``
seconds per attempt and ``max_retries`` retries, so a server that accepts connections and never
answers fails after about ``timeout * (max_retries + 1)`` seconds, not hangs.
"""

from __future__ import annotations

import os
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Literal, Sequence

from cogex.models.backend import Backend, Completion, Conversation, GenerationConfig, cut_at_stop, prompt_seed

DEFAULT_BASE_URL = "https://api.openai.com/v1"
#: Seconds one attempt may take, and retries after a transient failure (``--request-timeout``,
#: ``--max-retries``).
DEFAULT_TIMEOUT = 60.0
DEFAULT_MAX_RETRIES = 2
#: The OpenAI API accepts at most this many stop strings; the rest are applied locally.
MAX_API_STOPS = 4
_SEED_MASK = 0x7FFF_FFFF  # 31 bits: accepted by every server that takes a seed


class OpenAIBackendError(RuntimeError):
    """An OpenAI-compatible server could not be reached or rejected a request."""


#: Sampling parameters beyond the OpenAI API that local servers apply by default; these values
#: switch each off (llama.cpp: top_k <= 0, min_p 0, repeat_penalty 1; vLLM: top_k 0 or -1, min_p 0,
#: repetition_penalty 1), so the request's temperature and top_p alone decide.
NEUTRAL_SAMPLING: dict[str, float] = {"top_k": 0, "min_p": 0.0, "repeat_penalty": 1.0, "repetition_penalty": 1.0}
#: "top_k off" is 0 on llama.cpp (llama-cpp-python refuses -1) and on recent vLLM, -1 on SGLang and
#: older vLLM (which refuse 0): a server that rejects one gets the other from then on.
TOP_K_OFF: tuple[int, int] = (0, -1)


class OpenAIBackend(Backend):
    """Generate through an OpenAI-compatible HTTP server with the official ``openai`` client."""

    def __init__(
        self,
        model: str,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        mode: Literal["completions", "chat"] = "completions",
        concurrency: int = 8,
        max_retries: int = DEFAULT_MAX_RETRIES,
        timeout: float = DEFAULT_TIMEOUT,
        retry_backoff: float = 0.5,
        neutral_sampling: bool | None = None,
    ) -> None:
        if not model:
            raise ValueError("OpenAIBackend needs the server's model name")
        if not timeout or timeout <= 0 or timeout != timeout:
            raise ValueError(f"the request timeout must be a positive number of seconds, got {timeout!r}")
        if int(max_retries) < 0:
            raise ValueError(f"max_retries must be 0 or more, got {max_retries!r}")
        if mode not in ("completions", "chat"):
            raise ValueError(f"mode must be 'completions' or 'chat', not {mode!r}")
        from openai import OpenAI

        self.model = model
        self.base_url = (base_url or os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
        self.mode = mode
        self.concurrency = max(1, int(concurrency))
        self.max_retries = int(max_retries)
        self.timeout = float(timeout)
        self.retry_backoff = retry_backoff
        #: send NEUTRAL_SAMPLING with every request (default: for every server but api.openai.com,
        #: which refuses parameters it does not know)
        self.neutral_sampling = ("api.openai.com" not in self.base_url) if neutral_sampling is None else neutral_sampling
        key = api_key or os.environ.get("OPENAI_API_KEY") or "EMPTY"  # local servers need no key
        # Retries are ours (so the policy is explicit and testable), not the client's.
        self.client = OpenAI(base_url=self.base_url, api_key=key, timeout=self.timeout, max_retries=0)
        # Chat mode wraps prompts in a template, so its outputs differ from raw completions.
        self.identity = f"openai:{self.base_url}|{model}" + ("|chat" if mode == "chat" else "")
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()
        #: counters: requests sent (including retried attempts) and retries
        self.requests = 0
        self.retries = 0
        self._on_tokens: Callable[[int], None] | None = None
        self._top_k_off = TOP_K_OFF[0]

    def describe(self) -> dict[str, Any]:
        return {
            **super().describe(),
            "base_url": self.base_url,
            "model": self.model,
            "mode": self.mode,
            "concurrency": self.concurrency,
            "timeout": self.timeout,
            "max_retries": self.max_retries,
        }

    def usage(self) -> dict[str, int]:
        return {"requests": self.requests, "retries": self.retries}

    def watch_tokens(self, callback: Callable[[int], None] | None) -> None:
        self._on_tokens = callback

    def takes_turns(self) -> bool:
        return self.mode == "chat"

    def close(self) -> None:
        with self._pool_lock:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
                self._pool = None
        self.client.close()

    # ------------------------------------------------------------------ generation

    def generate(self, prompts: Sequence[str], config: GenerationConfig) -> list[Completion]:
        prompts = list(prompts)
        if not prompts:
            return []
        if len(prompts) == 1 or self.concurrency == 1:
            return [self._one(p, config) for p in prompts]
        return list(self._executor().map(lambda p: self._one(p, config), prompts))

    def _executor(self) -> ThreadPoolExecutor:
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="cogex-openai")
            return self._pool

    def _request(self, prompt: str, config: GenerationConfig) -> dict[str, Any]:
        request: dict[str, Any] = {
            "model": self.model,
            "max_tokens": config.max_new_tokens,
            "temperature": config.temperature,
            "top_p": config.top_p,
            "seed": prompt_seed(config.seed, prompt) & _SEED_MASK,
            "frequency_penalty": 0.0,
            "presence_penalty": 0.0,
        }
        if self.neutral_sampling:
            # Servers fill in their own defaults for what a request omits (llama.cpp: top_k 40,
            # min_p 0.05, repeat_penalty 1.1), so greedy would not be greedy: say "off" for each.
            request["extra_body"] = {**NEUTRAL_SAMPLING, "top_k": self._top_k_off}
        stops = [s for s in config.stop if s][:MAX_API_STOPS]
        if stops:
            request["stop"] = stops
        if self.mode == "chat":
            single = [{"role": "user", "content": prompt}]
            request["messages"] = prompt.messages() if isinstance(prompt, Conversation) else single
        else:
            request["prompt"] = prompt
        return request

    def _one(self, prompt: str, config: GenerationConfig) -> Completion:
        endpoint = self.client.chat.completions if self.mode == "chat" else self.client.completions
        response = self._call_with_retries(lambda: endpoint.create(**self._request(prompt, config)))
        if not response.choices:
            raise OpenAIBackendError(f"{self.base_url} returned no choices for model {self.model!r}")
        choice = response.choices[0]
        if self.mode == "chat":
            text = (choice.message.content if choice.message is not None else None) or ""
        else:
            text = choice.text or ""
        text, hit = cut_at_stop(text, config.stop)
        reason = "length" if choice.finish_reason == "length" and not hit else "stop"
        usage = getattr(response, "usage", None)
        done = Completion(
            text=text,
            finish_reason=reason,
            prompt_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
            completion_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
        )
        if self._on_tokens is not None:
            self._on_tokens(done.completion_tokens)
        return done

    def _refuses_top_k_off(self, exc: Exception) -> bool:
        """A validation error about top_k while we still send the first spelling of "off"."""
        return self.neutral_sampling and self._top_k_off == TOP_K_OFF[0] and "top_k" in str(exc)

    def _call_with_retries(self, call: Any) -> Any:
        import openai

        last: Exception | None = None
        attempt = 0
        while attempt <= self.max_retries:
            if attempt:
                self.retries += 1
                delay = self.retry_backoff * (2 ** (attempt - 1))
                time.sleep(min(delay, 30.0) * (1 + 0.25 * random.random()))
            self.requests += 1
            try:
                return call()
            except openai.APIConnectionError as exc:  # includes APITimeoutError
                last = exc
            except openai.APIStatusError as exc:
                if self._refuses_top_k_off(exc):
                    # Resent at once with the other spelling of "off", kept from now on (not a retry).
                    self._top_k_off = TOP_K_OFF[1]
                    continue
                if not (exc.status_code == 429 or exc.status_code >= 500):
                    raise OpenAIBackendError(
                        f"The server at {self.base_url} rejected the request for model {self.model!r}"
                        f" (HTTP {exc.status_code}): {exc.message}"
                    ) from exc
                last = exc
            attempt += 1
        attempts = self.max_retries + 1
        if isinstance(last, openai.APIStatusError):
            raise OpenAIBackendError(
                f"The server at {self.base_url} kept failing for model {self.model!r} after {attempts}"
                f" attempts (HTTP {last.status_code}): {last.message}"
            ) from last
        raise OpenAIBackendError(
            f"Cannot reach the OpenAI-compatible server at {self.base_url} (model {self.model!r}) after"
            f" {attempts} attempts ({self.timeout:g} s timeout each): {str(last).rstrip('.')}. Is the server running?"
            " Check --base-url / OPENAI_BASE_URL (and --request-timeout / --max-retries)."
        ) from last
