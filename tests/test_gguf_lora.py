"""GGUF LoRA export: llama.cpp names, alpha, and the rotary row order of the query/key B matrices."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import load_file

from cogex.models.embedded import embedded_gguf_path
from cogex.models.gguf_lora import GGUFLoraError, export_gguf_lora, rotary_permute
from cogex.models.loading import shipped_adapter_path


def test_rotary_permute_is_undone_by_the_transformers_gguf_loader() -> None:
    """transformers un-permutes q/k when it reads a llama GGUF; our permute must be its inverse."""
    from transformers.modeling_gguf_pytorch_utils import LlamaTensorProcessor

    rows = np.random.default_rng(0).normal(size=(192, 16)).astype(np.float32)
    permuted = rotary_permute(rows, 3)
    assert not np.array_equal(permuted, rows)
    undone = LlamaTensorProcessor()._reverse_permute_weights(permuted, 9, 3)  # k_proj: 3 KV heads of 9
    np.testing.assert_array_equal(undone, rows)


def test_the_shipped_adapter_exports_every_pair_under_llama_cpp_names(tmp_path: Path) -> None:
    from gguf import GGUFReader

    adapter = shipped_adapter_path()
    assert adapter is not None
    out = export_gguf_lora(adapter, tmp_path / "lora.gguf", embedded_gguf_path())
    reader = GGUFReader(str(out))
    assert reader.fields["general.type"].contents() == "adapter"
    assert reader.fields["adapter.type"].contents() == "lora"
    assert reader.fields["adapter.lora.alpha"].contents() == 32.0
    tensors = {t.name: np.asarray(t.data) for t in reader.tensors}
    assert len(tensors) == 30 * 4 * 2  # 30 blocks x q/k/v/o x (A, B)
    source = load_file(str(adapter / "adapter_model.safetensors"))
    prefix = "base_model.model.model.layers.7.self_attn."
    np.testing.assert_array_equal(tensors["blk.7.attn_v.weight.lora_a"], source[prefix + "v_proj.lora_A.weight"])
    np.testing.assert_array_equal(tensors["blk.7.attn_v.weight.lora_b"], source[prefix + "v_proj.lora_B.weight"])
    np.testing.assert_array_equal(tensors["blk.7.attn_q.weight.lora_b"], rotary_permute(source[prefix + "q_proj.lora_B.weight"], 9))
    np.testing.assert_array_equal(tensors["blk.7.attn_k.weight.lora_b"], rotary_permute(source[prefix + "k_proj.lora_B.weight"], 3))


def test_a_folder_that_is_not_a_lora_adapter_is_refused(tmp_path: Path) -> None:
    with pytest.raises(GGUFLoraError, match="not a PEFT LoRA folder"):
        export_gguf_lora(tmp_path, tmp_path / "x.gguf", embedded_gguf_path())
