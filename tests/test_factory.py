"""create_backend: backend selection, cache wrapping, and its error messages."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from cogex.models.call_cache import CachedBackend
from cogex.models.embedded import ModelLoadError
from cogex.models.factory import cpu_threads, create_backend


@pytest.fixture
def no_vllm(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``import vllm`` fail even on a machine that has it (None in sys.modules blocks it)."""
    monkeypatch.setitem(sys.modules, "vllm", None)


def test_vllm_missing_extra_names_the_extra(no_vllm: None) -> None:
    from cogex.models.vllm_backend import VLLMBackend, VLLMNotInstalledError

    with pytest.raises(VLLMNotInstalledError) as info:
        VLLMBackend("some/model")
    message = str(info.value)
    assert "pip install 'cogex[vllm]'" in message and "vllm" in message
    assert isinstance(info.value, ModelLoadError) and isinstance(info.value, RuntimeError)


def test_create_backend_vllm_without_extra(no_vllm: None, tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match=r"cogex\[vllm\]"):
        create_backend(backend="vllm", cache_path=tmp_path / "c.sqlite")
    assert not (tmp_path / "c.sqlite").exists()  # failed before any cache was opened


def test_openai_requires_model(tmp_path: Path) -> None:
    for model in (None, ""):
        with pytest.raises(ModelLoadError, match="--backend openai needs --model"):
            create_backend(model, backend="openai", base_url="http://127.0.0.1:9/v1", cache_path=tmp_path / "c.sqlite")


def test_openai_adapter_names_the_served_adapter(tmp_path: Path) -> None:
    served = create_backend("base-model", "cogex-lora", backend="openai", base_url="http://127.0.0.1:9/v1", cache=False)
    assert served.model == "cogex-lora" and served.identity.endswith("|cogex-lora")  # the adapter's name on the server
    # "none" (no adapter) asks for the base model
    assert create_backend("m", "none", backend="openai", base_url="http://127.0.0.1:9/v1", cache=False).model == "m"


def test_unknown_backend() -> None:
    with pytest.raises(ModelLoadError, match="Unknown backend 'tgi'.*transformers, openai, vllm"):
        create_backend(backend="tgi", cache=False)  # type: ignore[arg-type]


def test_openai_backend_is_cached_by_default_at_the_given_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COGEX_CALL_CACHE", str(tmp_path / "env.sqlite"))
    via_env = create_backend("m", backend="openai", base_url="http://127.0.0.1:9/v1")
    assert isinstance(via_env, CachedBackend) and via_env.path == tmp_path / "env.sqlite"
    explicit = create_backend("m", backend="openai", base_url="http://127.0.0.1:9/v1", cache_path=tmp_path / "x.sqlite")
    assert isinstance(explicit, CachedBackend) and explicit.path == tmp_path / "x.sqlite"
    assert explicit.describe()["cache"]["path"] == str(tmp_path / "x.sqlite")


@pytest.mark.model
def test_transformers_backend_through_factory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    from cogex.models.backend import GenerationConfig
    from cogex.models.transformers_backend import TransformersBackend

    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.setattr(os, "getloadavg", lambda: (0.0, 0.0, 0.0))  # an idle machine: every CPU
    previous = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        backend = create_backend(adapter="none", batch_size=3, cache_path=tmp_path / "c.sqlite")
        assert torch.get_num_threads() == cpu_threads()
    finally:
        torch.set_num_threads(previous)
    assert isinstance(backend, CachedBackend) and isinstance(backend.inner, TransformersBackend)
    assert backend.inner.batch_size == 3
    from cogex.models.hardware import resolve_dtype

    assert backend.identity == f"SmolLM2-135M-Instruct|{resolve_dtype('auto')}"  # the default dtype, resolved
    out = backend.generate(["1, 2, 3,"], GenerationConfig(max_new_tokens=2))
    assert out[0].completion_tokens > 0 and not out[0].cached


def test_wrappers_forward_usage_and_chat_template_without_callers_looking_inside(tmp_path: Path) -> None:
    from cogex.models.backend import Backend, Completion, GenerationConfig
    from cogex.models.factory import LazyBackend, ObservedBackend

    class Counting(Backend):
        identity = "counting"

        def __init__(self) -> None:
            self.calls = 0

        def generate(self, prompts, config):  # type: ignore[no-untyped-def]
            self.calls += 1
            return [Completion(text=p[::-1]) for p in prompts]

        def usage(self) -> dict[str, int]:
            return {"calls": self.calls}

        def chat_template(self):  # type: ignore[no-untyped-def]
            return lambda prompt: f"<user>{prompt}</user>"

    inner = Counting()
    built: list[bool] = []
    seen: list[int] = []
    lazy = LazyBackend(lambda: built.append(True) or inner)  # type: ignore[func-returns-value]
    assert lazy.usage() == {} and not built  # asking for counters does not load the model
    stack = ObservedBackend(CachedBackend(lazy, tmp_path / "cache.sqlite"), seen.append)
    config = GenerationConfig(max_new_tokens=4)
    assert [c.text for c in stack.generate(["ab", "cd", "ab"], config)] == ["ba", "dc", "ba"]
    stack.generate(["ab"], config)
    assert stack.usage() == {"calls": 1, "cache_hits": 1, "cache_misses": 3}
    assert seen == [3, 1] and stack.identity == "counting"
    wrap = stack.chat_template()
    assert wrap is not None and wrap("hi") == "<user>hi</user>"


def test_vllm_backend_passes_the_cli_options_and_never_float32_to_a_fake_vllm(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The engine arguments and the LoRA request vLLM gets (a stand-in module: no GPU here)."""
    import json
    import types

    seen: dict = {}

    class LLM:
        def __init__(self, **kwargs):  # type: ignore[no-untyped-def]
            seen["llm"] = kwargs

    class LoRARequest:
        def __init__(self, *, lora_name: str, lora_int_id: int, lora_path: str) -> None:  # keywords only
            seen["lora"] = (lora_name, lora_int_id, lora_path)

    fake = types.ModuleType("vllm")
    fake.LLM, fake.SamplingParams = LLM, dict  # type: ignore[attr-defined]
    lora_module = types.ModuleType("vllm.lora.request")
    lora_module.LoRARequest = LoRARequest  # type: ignore[attr-defined]
    for name, module in (("vllm", fake), ("vllm.lora", types.ModuleType("vllm.lora")), ("vllm.lora.request", lora_module)):
        monkeypatch.setitem(sys.modules, name, module)
    model_dir, adapter_dir = tmp_path / "model", tmp_path / "adapter"
    model_dir.mkdir()
    (model_dir / "config.json").write_text("{}")
    adapter_dir.mkdir()
    (adapter_dir / "adapter_config.json").write_text(json.dumps({"r": 16}))
    (adapter_dir / "adapter_model.safetensors").write_bytes(b"x")
    backend = create_backend(str(model_dir), str(adapter_dir), backend="vllm", dtype="float32", tensor_parallel_size=2,
                             gpu_memory_utilization=0.5, max_model_len=4096, data_parallel_size=3, cache=False)
    llm = seen["llm"]
    assert llm["dtype"] == "auto"  # float32 (the CPU default) never reaches vLLM's LoRA kernels
    assert (llm["tensor_parallel_size"], llm["gpu_memory_utilization"], llm["max_model_len"], llm["data_parallel_size"]) == (2, 0.5, 4096, 3)
    assert llm["enable_prefix_caching"] and llm["enable_lora"] and llm["max_lora_rank"] == 16
    assert seen["lora"] == ("cogex-adapter", 1, str(adapter_dir))
    assert backend.describe()["llm_kwargs"]["max_model_len"] == 4096


def test_watch_tokens_reaches_a_lazily_built_backend_through_every_wrapper(tmp_path: Path) -> None:
    from cogex.cli.progress import StageProgress
    from cogex.models.backend import Backend, Completion
    from cogex.models.factory import LazyBackend, ObservedBackend

    class Streaming(Backend):
        identity = "streaming"
        callback = None

        def watch_tokens(self, callback):  # type: ignore[no-untyped-def]
            self.callback = callback

        def generate(self, prompts, config):  # type: ignore[no-untyped-def]
            for _ in range(3):
                if self.callback:
                    self.callback(len(prompts))
            return [Completion(text="x") for _ in prompts]

    inner = Streaming()
    progress = StageProgress(quiet=True)
    stack = ObservedBackend(CachedBackend(LazyBackend(lambda: inner), tmp_path / "c.sqlite"), progress.model_calls)
    stack.watch_tokens(progress.tokens)  # before the model is built
    from cogex.models.backend import GenerationConfig

    stack.generate(["a", "b"], GenerationConfig())
    assert progress.generated == 6 and progress.calls == 2


def test_a_hub_adapter_id_fails_fast_and_clearly_when_the_hub_is_unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from cogex import hub
    from cogex.models.loading import ModelSpec, resolve_adapter

    monkeypatch.setattr(hub, "hub_reachable", lambda timeout=2.0: False)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    started = time.monotonic()
    with pytest.raises(ModelLoadError, match=r"'someone/cogex-lora' is neither a local folder nor usable from the Hub.*not reachable"):
        resolve_adapter(ModelSpec(adapter="someone/cogex-lora"))
    assert time.monotonic() - started < 10
    with pytest.raises(ModelLoadError, match="has no adapter_config.json"):
        resolve_adapter(ModelSpec(adapter="./no/such/folder"))


def test_auto_dtype_is_bf16_exactly_where_the_cpu_computes_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    from cogex.models import hardware

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(hardware, "cpu_supports_bf16", lambda: True)
    assert hardware.resolve_dtype("auto") == "bfloat16"
    monkeypatch.setattr(hardware, "cpu_supports_bf16", lambda: False)
    assert hardware.resolve_dtype("auto") == "float32"
    assert hardware.resolve_dtype("float16") == "float16"  # a named dtype is itself


def test_bf16_asked_for_on_a_cpu_without_it_warns_and_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    import warnings

    import torch

    from cogex.models import hardware
    from cogex.train.lora import resolve_precision

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(hardware, "cpu_supports_bf16", lambda: False)
    with pytest.warns(hardware.SlowDtypeWarning, match="no native bf16"):
        assert hardware.resolve_dtype("bfloat16") == "bfloat16"
    with pytest.warns(hardware.SlowDtypeWarning, match="--precision bf16"):
        assert resolve_precision("bf16", "cpu") == "bf16"
    monkeypatch.setattr(hardware, "cpu_supports_bf16", lambda: True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert hardware.resolve_dtype("bfloat16") == "bfloat16"
        assert resolve_precision("bf16", "cpu") == "bf16"
        assert hardware.resolve_dtype("auto") == "bfloat16"


def test_cpu_bf16_detection_reads_the_cpu_flags(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from cogex.models import hardware

    real_read = Path.read_text

    def fake_cpuinfo(flags: str) -> None:
        monkeypatch.setattr(Path, "read_text", lambda self, *a, **k: f"processor\t: 0\nflags\t\t: {flags}\n"
                            if str(self) == "/proc/cpuinfo" else real_read(self, *a, **k))

    fake_cpuinfo("fpu sse avx2 avx512f amx_bf16 amx_tile")
    assert hardware.cpu_supports_bf16()
    fake_cpuinfo("fpu sse avx2 fma")
    assert not hardware.cpu_supports_bf16()


def test_the_cli_default_dtype_is_auto() -> None:
    from cogex.cli.options import DEFAULT_DTYPE, DTYPES

    assert DEFAULT_DTYPE == "auto" and DTYPES[0] == "auto"


def test_default_threads_leave_busy_cpus_alone_and_threads_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    from cogex.models import factory

    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.setattr(factory, "cpu_threads", lambda: 2)
    monkeypatch.setattr(os, "getloadavg", lambda: (1.3, 1.0, 1.0))  # another job holds a core
    assert factory.idle_cpus() == 1
    monkeypatch.setattr(os, "getloadavg", lambda: (5.0, 5.0, 5.0))
    assert factory.idle_cpus() == 1  # never 0
    monkeypatch.setattr(os, "getloadavg", lambda: (0.2, 0.1, 0.1))
    assert factory.idle_cpus() == 2
    previous = torch.get_num_threads()
    try:
        factory.configure_torch_threads(1)
        assert torch.get_num_threads() == 1
        monkeypatch.setenv("OMP_NUM_THREADS", "2")
        factory.configure_torch_threads(1)  # --threads wins over the environment
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(previous)


def test_threads_is_a_shared_backend_option() -> None:
    from cogex.cli.options import BackendArgs

    assert BackendArgs(threads=3).to_kwargs()["threads"] == 3
