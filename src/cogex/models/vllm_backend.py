"""vLLM in-process backend for GPU machines (optional extra: ``pip install 'cogex[vllm]'``).

vLLM batches continuously and caches KV blocks of shared prefixes automatically
(``enable_prefix_caching=True``), so :meth:`generate_shared_prefix` needs no special path: the
prompts of a CoTACS candidate share the prefix, and vLLM computes it once.
Each prompt gets its own sampling seed derived from (seed, prompt), so results do not depend on
how prompts are batched.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Sequence

from cogex.models.backend import Backend, Completion, GenerationConfig, cut_at_stop, prompt_seed
from cogex.models.embedded import ModelLoadError
from cogex.models.loading import ModelSpec, _local_folder, model_identity, resolve_adapter

VLLM_EXTRA_HINT = "pip install 'cogex[vllm]'"
_SEED_MASK = 0x7FFF_FFFF
#: LoRA ranks vLLM accepts for ``max_lora_rank``.
_VLLM_LORA_RANKS = (8, 16, 32, 64, 128, 256, 320, 512)


class VLLMNotInstalledError(ModelLoadError):
    """The optional ``vllm`` extra is not installed."""


def import_vllm() -> Any:
    """Import vllm, or raise :class:`VLLMNotInstalledError` naming the extra to install."""
    try:
        import vllm
    except ImportError as exc:
        raise VLLMNotInstalledError(
            "The vllm backend needs the optional vllm extra, which is not installed. Install it on a machine"
            f" with a CUDA GPU with: {VLLM_EXTRA_HINT} (or use --backend transformers, or --backend openai"
            f" against a running vLLM server). Import error: {exc}"
        ) from exc
    return vllm


def _lora_rank(adapter: Path) -> int:
    """The smallest rank vLLM accepts that fits the adapter's ``r``."""
    try:
        rank = int(json.loads((adapter / "adapter_config.json").read_text()).get("r", 16))
    except (OSError, ValueError, TypeError):
        rank = 16
    return next((r for r in _VLLM_LORA_RANKS if r >= rank), rank)


class VLLMBackend(Backend):
    """Generate with an in-process ``vllm.LLM`` (one or more GPUs)."""

    def __init__(
        self,
        model: str | None = None,
        adapter: str | None = None,
        *,
        dtype: str = "auto",
        tensor_parallel_size: int = 1,
        gpu_memory_utilization: float = 0.9,
        max_model_len: int | None = None,
        data_parallel_size: int = 1,
        **llm_kwargs: Any,
    ) -> None:
        vllm = import_vllm()
        spec = ModelSpec(model, adapter, dtype)
        source = _local_folder(spec)  # embedded model / .gguf -> cached safetensors folder
        adapter_path = resolve_adapter(spec)
        self.spec = spec
        self.source = source
        self.adapter_path = adapter_path
        self.tensor_parallel_size = tensor_parallel_size
        self.identity = f"vllm:{model_identity(spec)}"
        kwargs: dict[str, Any] = {
            "model": source,
            # vLLM's LoRA kernels have no float32 path: float32 (the CPU default) means the model's
            # own dtype here (bf16 / fp16), as does "auto".
            "dtype": "auto" if dtype in ("float32", "auto") else dtype,
            "tensor_parallel_size": tensor_parallel_size,
            "gpu_memory_utilization": gpu_memory_utilization,
            "enable_prefix_caching": True,
            "enable_lora": adapter_path is not None,
        }
        if max_model_len is not None:
            kwargs["max_model_len"] = max_model_len
        if data_parallel_size > 1:
            kwargs["data_parallel_size"] = data_parallel_size
        if adapter_path is not None:
            kwargs["max_lora_rank"] = _lora_rank(adapter_path)
        kwargs.update(llm_kwargs)
        self._engine_kwargs = kwargs
        try:
            self.llm = vllm.LLM(**kwargs)
        except Exception as exc:  # noqa: BLE001 - CUDA missing, OOM, unsupported architecture, ...
            raise ModelLoadError(f"vLLM could not load {source}: {exc}") from exc
        self._lora = None
        if adapter_path is not None:
            from vllm.lora.request import LoRARequest

            self._lora = LoRARequest(lora_name="cogex-adapter", lora_int_id=1, lora_path=str(adapter_path))
        self._sampling_params = vllm.SamplingParams

    def describe(self) -> dict[str, Any]:
        return {
            **super().describe(),
            "model": self.source,
            "adapter": str(self.adapter_path) if self.adapter_path else None,
            "tensor_parallel_size": self.tensor_parallel_size,
            "llm_kwargs": {k: v for k, v in self._engine_kwargs.items() if k != "model"},
            "prefix_caching": True,
        }

    def _params(self, prompt: str, config: GenerationConfig) -> Any:
        return self._sampling_params(
            temperature=config.temperature,
            top_p=config.top_p if config.temperature > 0 else 1.0,
            max_tokens=config.max_new_tokens,
            stop=[s for s in config.stop if s] or None,
            seed=prompt_seed(config.seed, prompt) & _SEED_MASK if config.temperature > 0 else None,
        )

    def generate(self, prompts: Sequence[str], config: GenerationConfig) -> list[Completion]:
        prompts = list(prompts)
        if not prompts:
            return []
        params = [self._params(p, config) for p in prompts]
        outputs = self.llm.generate(prompts, params, use_tqdm=False, lora_request=self._lora)
        completions: list[Completion] = []
        for request in outputs:  # vLLM returns outputs in input order
            out = request.outputs[0]
            text, hit = cut_at_stop(out.text, config.stop)
            completions.append(
                Completion(
                    text=text,
                    finish_reason="length" if out.finish_reason == "length" and not hit else "stop",
                    prompt_tokens=len(request.prompt_token_ids or []),
                    completion_tokens=len(out.token_ids),
                )
            )
        return completions

    # generate_shared_prefix: the base class concatenates; vLLM's automatic prefix caching then
    # reuses the shared prefix's KV blocks across the batch.

    def close(self) -> None:
        self.llm = None
        try:
            import gc

            import torch

            gc.collect()
            if torch.cuda.is_available():
                torch.cuda.empty_cache()
        except Exception:  # noqa: BLE001 - best effort
            pass
