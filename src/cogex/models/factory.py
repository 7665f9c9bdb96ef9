"""Build the backend a command asked for (``--backend``, ``--model``, ``--adapter``, ...),
wrapped in the persistent model-call cache unless ``--no-cache``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from cogex.models.backend import Backend
from cogex.models.embedded import ModelLoadError
from cogex.models.loading import NO_ADAPTER

BACKENDS = ("transformers", "openai", "vllm")


def cpu_threads() -> int:
    """CPUs this process may run on (respects affinity masks / container limits where visible)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def configure_torch_threads() -> None:
    """Use every available CPU for torch's intra-op pool, unless the user chose a number
    (``OMP_NUM_THREADS``)."""
    if os.environ.get("OMP_NUM_THREADS"):
        return
    import torch

    torch.set_num_threads(cpu_threads())


def create_backend(
    model: str | None = None,
    adapter: str | None = None,
    *,
    backend: Literal["transformers", "openai", "vllm"] = "transformers",
    base_url: str | None = None,
    api_key: str | None = None,
    dtype: str = "float32",
    batch_size: int = 8,
    tensor_parallel_size: int = 1,
    cache: bool = True,
    cache_path: Path | None = None,
    openai_mode: Literal["completions", "chat"] = "completions",
    concurrency: int = 8,
) -> Backend:
    """Create a backend. ``model`` is a Hub id / folder / .gguf (``None`` = embedded model) for the
    local backends, and the server's model name for ``openai``. Raises :class:`ModelLoadError`
    (a RuntimeError) with an actionable message on bad arguments or loading failures."""
    inner: Backend
    if backend == "transformers":
        from cogex.models.loading import ModelSpec
        from cogex.models.transformers_backend import TransformersBackend

        configure_torch_threads()
        inner = TransformersBackend.from_spec(ModelSpec(model, adapter, dtype), batch_size=batch_size)
    elif backend == "openai":
        if not model:
            raise ModelLoadError(
                "--backend openai needs --model: the model name the server serves (e.g. the name"
                " passed to `vllm serve`, or listed by GET <base-url>/models)."
            )
        if adapter is not None and adapter.lower() != NO_ADAPTER:
            raise ModelLoadError(
                "--adapter is not used with --backend openai: load the adapter in the server"
                " (e.g. vllm serve --enable-lora --lora-modules name=path) and pass its name as --model."
            )
        from cogex.models.openai_backend import OpenAIBackend

        inner = OpenAIBackend(model, base_url=base_url, api_key=api_key, mode=openai_mode, concurrency=concurrency)
    elif backend == "vllm":
        from cogex.models.vllm_backend import VLLMBackend

        inner = VLLMBackend(model, adapter, dtype=dtype, tensor_parallel_size=tensor_parallel_size)
    else:
        raise ModelLoadError(f"Unknown backend {backend!r}; choose one of: {', '.join(BACKENDS)}.")
    if not cache:
        return inner
    from cogex.models.call_cache import CachedBackend

    return CachedBackend(inner, cache_path, chunk_size=max(8, concurrency if backend == "openai" else batch_size))
