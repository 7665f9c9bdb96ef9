"""Export a CoGEX adapter (a PEFT LoRA folder) as a GGUF LoRA, so llama.cpp can serve it.

llama.cpp loads a LoRA next to a GGUF base model (``llama-server --lora FILE``, or
``llama_cpp.server`` with ``lora_path``); the server then answers as the CoGEX model. The file
holds each LoRA pair under the base tensor's GGUF name (``blk.N.attn_q.weight.lora_a`` / ``.lora_b``)
and the adapter's alpha. One detail is not a renaming: GGUF stores the query and key projections
of llama models with their rows permuted for llama.cpp's rotary layout, so the B matrix (the
output side) of those two is permuted the same way. Only llama-architecture bases are handled
(SmolLM2, Llama, Mistral and their kin).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

#: PEFT module name -> GGUF tensor name inside block N (llama architecture).
LLAMA_MODULES: dict[str, str] = {
    "q_proj": "attn_q", "k_proj": "attn_k", "v_proj": "attn_v", "o_proj": "attn_output",
    "gate_proj": "ffn_gate", "up_proj": "ffn_up", "down_proj": "ffn_down",
}
_LORA_KEY = re.compile(r"layers\.(\d+)\.(?:self_attn|mlp)\.(\w+)\.lora_([AB])(?:\.default)?\.weight$")


class GGUFLoraError(ValueError):
    """The adapter or the base model cannot be exported to a GGUF LoRA."""


def rotary_permute(rows: np.ndarray, n_head: int) -> np.ndarray:
    """Reorder the output rows of a query/key matrix the way GGUF's llama converter does."""
    return rows.reshape(n_head, 2, rows.shape[0] // n_head // 2, *rows.shape[1:]).swapaxes(1, 2).reshape(rows.shape)


def _base_heads(base_gguf: Path) -> tuple[int, int]:
    from gguf import GGUFReader

    fields = GGUFReader(str(base_gguf)).fields
    arch = fields["general.architecture"].contents()
    if arch != "llama":
        raise GGUFLoraError(f"{base_gguf} is a {arch!r} model; GGUF LoRA export handles llama-architecture bases only")
    n_head = int(fields["llama.attention.head_count"].contents())
    n_kv = int(fields.get("llama.attention.head_count_kv", fields["llama.attention.head_count"]).contents())
    return n_head, n_kv


def export_gguf_lora(adapter_dir: str | Path, out_path: str | Path, base_gguf: str | Path) -> Path:
    """Write the PEFT LoRA in ``adapter_dir`` as a GGUF LoRA for ``base_gguf``; return ``out_path``."""
    import gguf
    from safetensors.numpy import load_file

    adapter_dir, out_path, base_gguf = Path(adapter_dir), Path(out_path), Path(base_gguf)
    config_file, weights_file = adapter_dir / "adapter_config.json", adapter_dir / "adapter_model.safetensors"
    if not config_file.is_file() or not weights_file.is_file():
        raise GGUFLoraError(f"{adapter_dir} is not a PEFT LoRA folder (adapter_config.json + adapter_model.safetensors)")
    config = json.loads(config_file.read_text(encoding="utf-8"))
    if config.get("peft_type") != "LORA" or config.get("use_dora") or config.get("use_rslora"):
        raise GGUFLoraError(f"{adapter_dir}: only plain LoRA adapters can be exported (no DoRA, no rsLoRA)")
    n_head, n_kv = _base_heads(base_gguf)
    heads = {"q_proj": n_head, "k_proj": n_kv}

    writer = gguf.GGUFWriter(str(out_path), arch="llama")
    writer.add_type(gguf.GGUFType.ADAPTER)
    writer.add_string(gguf.Keys.Adapter.TYPE, "lora")
    writer.add_float32(gguf.Keys.Adapter.LORA_ALPHA, float(config["lora_alpha"]))
    pairs = 0
    for key, weight in sorted(load_file(str(weights_file)).items()):
        match = _LORA_KEY.search(key)
        if match is None:
            raise GGUFLoraError(f"{adapter_dir}: tensor {key!r} is not a LoRA matrix of a llama layer")
        layer, module, side = match.groups()
        if module not in LLAMA_MODULES:
            raise GGUFLoraError(f"{adapter_dir}: module {module!r} has no llama.cpp counterpart")
        array = weight.astype(np.float32)
        if side == "B" and module in heads:
            array = rotary_permute(array, heads[module])
        writer.add_tensor(f"blk.{layer}.{LLAMA_MODULES[module]}.weight.lora_{side.lower()}", array)
        pairs += side == "A"
    if not pairs:
        raise GGUFLoraError(f"{adapter_dir} holds no LoRA matrices")
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return out_path
