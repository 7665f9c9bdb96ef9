"""Resolve ``--model`` / ``--adapter`` into a loaded transformers model and tokenizer.

``--model`` accepts: nothing (the embedded default), a Hub id, a local folder, or a ``.gguf`` path.
GGUF files are dequantised once and cached as safetensors, so later loads take well under a second.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from cogex.models.embedded import (
    EMBEDDED_MODEL_NAME,
    ModelLoadError,
    cache_dir,
    embedded_gguf_path,
)

#: ``--adapter`` value that disables the shipped default adapter.
NO_ADAPTER = "none"


@dataclass(frozen=True)
class ModelSpec:
    """What to load: model reference, optional adapter, dtype."""

    model: str | None = None  # None = embedded default
    adapter: str | None = None  # None = the shipped CoGEX adapter for the embedded model
    dtype: str = "float32"

    @property
    def is_embedded(self) -> bool:
        return self.model is None


def shipped_adapter_path() -> Path | None:
    """The CoGEX LoRA adapter shipped with the package for the embedded model, if present."""
    path = Path(str(resources.files("cogex") / "resources" / "adapter"))
    return path if (path / "adapter_config.json").is_file() else None


def resolve_adapter(spec: ModelSpec) -> Path | None:
    """The adapter folder to apply, or None."""
    if spec.adapter is None:
        return shipped_adapter_path() if spec.is_embedded else None
    if spec.adapter.lower() == NO_ADAPTER:
        return None
    path = Path(spec.adapter).expanduser()
    if (path / "adapter_config.json").is_file():
        return path
    if not path.exists() and _looks_like_hub_id(spec.adapter):
        return _hub_adapter(spec.adapter)
    raise ModelLoadError(f"Adapter not found: {path} has no adapter_config.json (a PEFT LoRA adapter folder).")


def _looks_like_hub_id(ref: str) -> bool:
    return ref.count("/") == 1 and not ref.startswith((".", "/", "~")) and all(ref.split("/"))


def _hub_adapter(ref: str) -> Path:
    """A Hub adapter (``user/name``) downloaded to (or found in) the Hugging Face cache; the same
    fast, clear failure as a Hub model when the Hub cannot be reached."""
    from cogex.hub import hub_disabled, hub_offline, hub_reachable

    try:
        from huggingface_hub import snapshot_download
    except ImportError as exc:  # pragma: no cover - a dependency of transformers
        raise ModelLoadError(f"Adapter {ref!r} looks like a Hub id, but huggingface_hub is missing: {exc}") from exc
    offline = hub_offline() or hub_disabled() or not hub_reachable()
    try:
        folder = Path(snapshot_download(ref, local_files_only=offline,
                                        allow_patterns=["adapter_config.json", "*.safetensors", "*.bin"]))
    except Exception as exc:  # noqa: BLE001 - not cached, unknown repo, network errors
        where = "is not in the Hugging Face cache and the Hub is not reachable from this machine" if offline \
            else f"could not be downloaded from the Hub ({type(exc).__name__})"
        raise ModelLoadError(f"Adapter {ref!r} is neither a local folder nor usable from the Hub: it {where}. "
                             "Pass a local PEFT adapter folder, or --adapter none.") from None
    if not (folder / "adapter_config.json").is_file():
        raise ModelLoadError(f"Hub repository {ref!r} holds no adapter_config.json (not a PEFT LoRA adapter).")
    return folder


def model_identity(spec: ModelSpec) -> str:
    """A stable string naming model + adapter (+ adapter content hash) for caches and run records."""
    name = EMBEDDED_MODEL_NAME if spec.is_embedded else str(spec.model)
    adapter = resolve_adapter(spec)
    if adapter is None:
        return f"{name}|{spec.dtype}"
    digest = hashlib.sha256()
    # Only what changes the model's outputs: its config and weights, not the model card or reports.
    for file in sorted(adapter.glob("*")):
        if file.is_file() and (file.name == "adapter_config.json" or file.suffix in WEIGHT_SUFFIXES):
            digest.update(file.name.encode())
            digest.update(file.read_bytes())
    return f"{name}|{spec.dtype}|adapter:{digest.hexdigest()[:16]}"


#: Adapter files that hold weights (hashed into the model identity).
WEIGHT_SUFFIXES = frozenset({".safetensors", ".bin", ".pt"})


def _torch_dtype(name: str) -> Any:
    import torch

    from cogex.models.hardware import resolve_dtype

    try:
        return {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}[resolve_dtype(name)]
    except KeyError as exc:
        raise ModelLoadError(f"Unknown dtype {name!r}; use auto, float32, bfloat16 or float16.") from exc


def _gguf_cache_folder(gguf: Path) -> Path:
    stat = gguf.stat()
    key = hashlib.sha256(f"{gguf.resolve()}|{stat.st_size}|{int(stat.st_mtime)}".encode()).hexdigest()[:16]
    return cache_dir() / "models" / f"{gguf.stem}-{key}"


def convert_gguf(gguf: Path) -> Path:
    """Dequantise a GGUF file to a cached safetensors folder (once); return that folder."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    target = _gguf_cache_folder(gguf)
    if (target / "config.json").is_file():
        return target
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
        model = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name, dtype=_torch_dtype("float32"))
    except Exception as exc:  # noqa: BLE001 - report any loader failure with the file named
        raise ModelLoadError(f"Could not load GGUF file {gguf}: {exc}") from exc
    # A GGUF-loaded model refuses save_pretrained while it still looks quantised.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".tmp-", dir=target.parent))
    try:
        model.save_pretrained(staging)
        tokenizer.save_pretrained(staging)
        try:
            os.replace(staging, target)  # atomic: concurrent converters cannot leave half a folder
        except OSError:
            if not (target / "config.json").is_file():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _local_folder(spec: ModelSpec) -> str:
    """Map the model reference to something ``from_pretrained`` takes."""
    if spec.is_embedded:
        return str(convert_gguf(embedded_gguf_path()))
    ref = str(spec.model)
    path = Path(ref).expanduser()
    if ref.endswith(".gguf"):
        if not path.is_file():
            raise ModelLoadError(f"GGUF file not found: {path}")
        return str(convert_gguf(path))
    if path.exists():
        if not (path / "config.json").is_file():
            raise ModelLoadError(f"{path} is not a model folder (no config.json).")
        return str(path)
    if ref.startswith((".", "/", "~")) or ref.count("/") > 1:
        raise ModelLoadError(f"Model path not found: {path}")
    _check_hub(ref)
    return ref  # a Hub id


def _check_hub(ref: str) -> None:
    """Fail fast (instead of after minutes of retries) when a Hub id cannot be fetched here."""
    from cogex.hub import hub_disabled, hub_offline, hub_reachable

    if hub_offline():
        return  # transformers will look in the local cache only
    if hub_disabled() or not hub_reachable():
        try:
            from huggingface_hub import try_to_load_from_cache

            if isinstance(try_to_load_from_cache(ref, "config.json"), str):
                os.environ["HF_HUB_OFFLINE"] = "1"  # cached: load it without touching the network
                return
        except Exception:  # noqa: BLE001 - a malformed id is reported below
            pass
        raise ModelLoadError(
            f"Model {ref!r} is neither a local path nor in the Hugging Face cache, and the Hub is not "
            "reachable from this machine. Pass a local folder or a .gguf file, or omit --model for the "
            "embedded model."
        )


def load_model(spec: ModelSpec, *, merge_adapter: bool = True, trainable: bool = False) -> tuple[Any, Any]:
    """Load (model, tokenizer) for ``spec``; the adapter is merged for fast inference unless
    ``merge_adapter`` is False. Raises :class:`ModelLoadError` with an actionable message."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    source = _local_folder(spec)
    dtype = _torch_dtype(spec.dtype)
    try:
        tokenizer = AutoTokenizer.from_pretrained(source)
        model = AutoModelForCausalLM.from_pretrained(source, dtype=dtype)
    except ValueError as exc:
        raise ModelLoadError(f"{source} is not a causal language model this transformers version supports: {exc}") from exc
    except OSError as exc:
        hint = " The Hugging Face Hub may be unreachable from this machine; pass a local folder or a .gguf file." if source == spec.model else ""
        raise ModelLoadError(f"Could not load model {source!r}: {exc}.{hint}") from exc
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    adapter = resolve_adapter(spec)
    if adapter is not None:
        from peft import PeftModel

        try:
            model = PeftModel.from_pretrained(model, str(adapter), is_trainable=trainable)
        except Exception as exc:  # noqa: BLE001 - wrong base model, corrupt files, ...
            raise ModelLoadError(f"Could not apply adapter {adapter} to {source}: {exc}") from exc
        if merge_adapter and not trainable:
            model = model.merge_and_unload()
    if not trainable:
        model.eval()
    return model, tokenizer
