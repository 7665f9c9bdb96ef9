"""Build the backend a command asked for (``--backend``, ``--model``, ``--adapter``, ...),
wrapped in the persistent model-call cache unless ``--no-cache``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Literal, Sequence

from cogex.models.backend import Backend, Completion, GenerationConfig, WrapperBackend
from cogex.models.embedded import ModelLoadError
from cogex.models.loading import NO_ADAPTER

#: Seconds one request to an OpenAI-compatible server may take, and retries after a failure.
DEFAULT_REQUEST_TIMEOUT = 60.0
DEFAULT_MAX_RETRIES = 2


class ObservedBackend(WrapperBackend):
    """Pass every call through to ``inner`` and report how many completions it computed
    (``on_calls(n)`` after each call), so a command can show real progress and rates."""

    def __init__(self, inner: Backend, on_calls: Callable[[int], None]) -> None:
        super().__init__(inner)
        self.on_calls = on_calls

    def generate(self, prompts: Sequence[str], config: GenerationConfig) -> list[Completion]:
        done = self.inner.generate(prompts, config)
        self.on_calls(len(done))
        return done

    def generate_shared_prefix(self, prefix: str, suffixes: Sequence[str], config: GenerationConfig) -> list[Completion]:
        done = self.inner.generate_shared_prefix(prefix, suffixes, config)
        self.on_calls(len(done))
        return done

    def generate_grouped(self, groups: Sequence[tuple[str, Sequence[str]]], config: GenerationConfig) -> list[list[Completion]]:
        done = self.inner.generate_grouped(groups, config)
        self.on_calls(sum(len(g) for g in done))
        return done


class LazyBackend(WrapperBackend):
    """A backend built on first use: ``build()`` runs when a completion (or the identity) is first
    needed, so a command whose programs run in the sandbox never loads a model it does not use."""

    def __init__(self, build: Callable[[], Backend]) -> None:
        self._build = build
        self._inner: Backend | None = None
        self._token_callback: Callable[[int], None] | None = None

    @property
    def loaded(self) -> bool:
        return self._inner is not None

    @property
    def inner(self) -> Backend:
        if self._inner is None:
            self._inner = self._build()
            if self._token_callback is not None:
                self._inner.watch_tokens(self._token_callback)
        return self._inner

    def watch_tokens(self, callback: Callable[[int], None] | None) -> None:
        self._token_callback = callback
        if self._inner is not None:
            self._inner.watch_tokens(callback)

    def describe(self) -> dict[str, Any]:
        return self.inner.describe() if self._inner is not None else {"backend": "not loaded (no model call was needed)"}

    def usage(self) -> dict[str, int]:
        return self._inner.usage() if self._inner is not None else {}

    def generate(self, prompts: Sequence[str], config: GenerationConfig) -> list[Completion]:
        return self.inner.generate(prompts, config) if prompts else []

    def generate_shared_prefix(self, prefix: str, suffixes: Sequence[str], config: GenerationConfig) -> list[Completion]:
        return self.inner.generate_shared_prefix(prefix, suffixes, config) if suffixes else []

    def generate_grouped(self, groups: Sequence[tuple[str, Sequence[str]]], config: GenerationConfig) -> list[list[Completion]]:
        if not any(suffixes for _, suffixes in groups):
            return [[] for _ in groups]
        return self.inner.generate_grouped(groups, config)

    def close(self) -> None:
        if self._inner is not None:
            self._inner.close()


def cpu_threads() -> int:
    """CPUs this process may run on (respects affinity masks / container limits where visible)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def idle_cpus() -> int:
    """CPUs not busy with other work right now: usable CPUs minus the 1-minute load average
    (rounded), at least 1. Two torch threads on a machine where another job holds a core run
    several times slower than one (measured: docs/backends.md), so a shared machine gets fewer."""
    usable = cpu_threads()
    try:
        busy = round(os.getloadavg()[0])
    except (AttributeError, OSError):
        busy = 0
    return max(1, usable - busy)


def configure_torch_threads(threads: int | None = None) -> None:
    """Size torch's intra-op pool: ``threads`` if given, else ``OMP_NUM_THREADS`` if set, else
    :func:`idle_cpus`."""
    if threads is None and os.environ.get("OMP_NUM_THREADS"):
        return
    import torch

    torch.set_num_threads(threads if threads is not None else idle_cpus())


def _transformers(*, model: str | None, adapter: str | None, dtype: str, batch_size: int, threads: int | None = None,
                  **_: Any) -> Backend:
    from cogex.models.hardware import resolve_dtype
    from cogex.models.loading import ModelSpec
    from cogex.models.transformers_backend import TransformersBackend

    configure_torch_threads(threads)
    return TransformersBackend.from_spec(ModelSpec(model, adapter, resolve_dtype(dtype)), batch_size=batch_size)


def _openai(*, model: str | None, adapter: str | None, base_url: str | None, api_key: str | None,
            openai_mode: Literal["completions", "chat"], concurrency: int, request_timeout: float, max_retries: int,
            **_: Any) -> Backend:
    if not model:
        raise ModelLoadError(
            "--backend openai needs --model: the model name the server serves (e.g. the name"
            " passed to `vllm serve`, or listed by GET <base-url>/models)."
        )
    # A served adapter (vLLM --lora-modules name=path, llama.cpp --lora) is its own model name on
    # the server: --adapter NAME asks for it; --model stays the base model's name.
    served = adapter if adapter is not None and adapter.lower() != NO_ADAPTER else model
    from cogex.models.openai_backend import OpenAIBackend

    return OpenAIBackend(served, base_url=base_url, api_key=api_key, mode=openai_mode, concurrency=concurrency,
                         timeout=request_timeout, max_retries=max_retries)


def _vllm(*, model: str | None, adapter: str | None, dtype: str, tensor_parallel_size: int,
          gpu_memory_utilization: float = 0.9, max_model_len: int | None = None, data_parallel_size: int = 1,
          **_: Any) -> Backend:
    from cogex.models.vllm_backend import VLLMBackend

    return VLLMBackend(model, adapter, dtype=dtype, tensor_parallel_size=tensor_parallel_size,
                       gpu_memory_utilization=gpu_memory_utilization, max_model_len=max_model_len,
                       data_parallel_size=data_parallel_size)


#: Every backend by name (the CLI's --backend choices); each builder takes create_backend's options.
BACKEND_BUILDERS: dict[str, Callable[..., Backend]] = {"transformers": _transformers, "openai": _openai, "vllm": _vllm}
BACKENDS: tuple[str, ...] = tuple(BACKEND_BUILDERS)


def create_backend(
    model: str | None = None,
    adapter: str | None = None,
    *,
    backend: Literal["transformers", "openai", "vllm"] = "transformers",
    base_url: str | None = None,
    api_key: str | None = None,
    dtype: str = "auto",
    batch_size: int = 8,
    tensor_parallel_size: int = 1,
    gpu_memory_utilization: float = 0.9,
    max_model_len: int | None = None,
    data_parallel_size: int = 1,
    threads: int | None = None,
    cache: bool = True,
    cache_path: Path | None = None,
    openai_mode: Literal["completions", "chat"] = "completions",
    concurrency: int = 8,
    request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
    max_retries: int = DEFAULT_MAX_RETRIES,
    on_calls: Callable[[int], None] | None = None,
    prompting: str = "trained",
) -> Backend:
    """Create a backend. ``model`` is a Hub id / folder / .gguf (``None`` = embedded model) for the
    local backends, and the server's model name for ``openai``. Raises :class:`ModelLoadError`
    (a RuntimeError) with an actionable message on bad arguments or loading failures.
    ``request_timeout`` (seconds) and ``max_retries`` bound each request of ``openai``;
    ``on_calls(n)`` is told about the completions the model computes (cache hits excluded);
    ``prompting`` ``few-shot`` (or ``auto`` without a CoGEX adapter) puts CoGEX demonstrations in
    front of every CoGEX prompt, ``few-shot-programs`` in front of reasoner prompts only
    (:mod:`cogex.generate.few_shot`)."""
    from cogex.generate.few_shot import FewShotBackend, uses_few_shot

    few_shot = uses_few_shot(prompting, adapter_in_use=adapter_in_use(model, adapter, backend))
    if backend not in BACKENDS:
        raise ModelLoadError(f"Unknown backend {backend!r}; choose one of: {', '.join(BACKENDS)}.")
    if batch_size < 1 or concurrency < 1:
        raise ModelLoadError(f"batch_size and concurrency must be at least 1 (got {batch_size}, {concurrency})")
    if cache:  # a cache that cannot be opened fails here, before a model is loaded
        from cogex.models.call_cache import check_cache_path, default_cache_path

        check_cache_path(Path(cache_path).expanduser() if cache_path is not None else default_cache_path())
    inner = BACKEND_BUILDERS[backend](model=model, adapter=adapter, base_url=base_url, api_key=api_key, dtype=dtype,
                                      batch_size=batch_size, tensor_parallel_size=tensor_parallel_size,
                                      gpu_memory_utilization=gpu_memory_utilization, max_model_len=max_model_len,
                                      data_parallel_size=data_parallel_size, threads=threads,
                                      openai_mode=openai_mode, concurrency=concurrency,
                                      request_timeout=request_timeout, max_retries=max_retries)
    if on_calls is not None:
        inner = ObservedBackend(inner, on_calls)
    if cache:
        from cogex.models.call_cache import CachedBackend

        inner = CachedBackend(inner, cache_path, chunk_size=max(8, concurrency if backend == "openai" else batch_size))
    return FewShotBackend(inner, reasoner_only=prompting == "few-shot-programs") if few_shot else inner


def adapter_in_use(model: str | None, adapter: str | None, backend: str) -> bool:
    """Whether a CoGEX adapter shapes the model's outputs: a named adapter, or the shipped one
    that the embedded model gets by default (a server's model has none unless --adapter names it)."""
    if adapter is not None:
        return adapter.lower() != NO_ADAPTER
    return backend != "openai" and model is None
