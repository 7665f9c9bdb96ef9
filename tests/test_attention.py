"""cogex_sdpa: decode-step attention as matmuls, SDPA for everything else."""

from __future__ import annotations

import torch
from transformers.integrations.sdpa_attention import sdpa_attention_forward

from cogex import format as fmt
from cogex.models.attention import NAME, decode_attention, use_decode_attention
from cogex.models.backend import GenerationConfig


class _Module:
    num_key_value_groups = 3
    is_causal = True


def _qkv(q_length: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    return (torch.randn(4, 9, q_length, 16, generator=gen), torch.randn(4, 3, 20, 16, generator=gen),
            torch.randn(4, 3, 20, 16, generator=gen))


def test_a_decode_step_equals_sdpa_with_a_padding_mask() -> None:
    query, key, value = _qkv(1)
    mask = torch.ones(4, 1, 1, 20, dtype=torch.bool)
    mask[0, ..., :7] = False  # a left-padded row
    mask[2, ..., :3] = False
    ours, _ = decode_attention(_Module(), query, key, value, mask, scaling=0.25)
    reference, _ = sdpa_attention_forward(_Module(), query, key, value, mask, scaling=0.25)
    assert ours.shape == reference.shape == (4, 1, 9, 16)
    assert torch.allclose(ours, reference, atol=1e-5)
    unmasked, _ = decode_attention(_Module(), query, key, value, None, scaling=0.25)
    assert not torch.allclose(unmasked[0], ours[0], atol=1e-3)  # the mask really applies


def test_prefill_goes_to_sdpa_unchanged() -> None:
    query, key, value = _qkv(5, seed=1)
    ours, _ = decode_attention(_Module(), query, key, value, None, scaling=0.25, is_causal=True)
    reference, _ = sdpa_attention_forward(_Module(), query, key, value, None, scaling=0.25, is_causal=True)
    assert torch.equal(ours, reference)


def test_the_model_switches_and_float32_greedy_text_is_unchanged() -> None:
    from cogex.models.factory import create_backend

    backend = create_backend(dtype="float32", cache=False, batch_size=4, threads=1, adapter="none")
    prompts = [fmt.reasoner_prompt("Add the two numbers.", f"{100 + i} {200 + 3 * i}") for i in range(3)] + ["Hello"]
    config = GenerationConfig(max_new_tokens=16)
    assert backend.model.config._attn_implementation == "sdpa"
    reference = [c.text for c in backend.generate(prompts, config)]
    try:
        assert use_decode_attention(backend.model) is True
        assert backend.model.config._attn_implementation == NAME
        ours = [c.text for c in backend.generate(prompts, config)]
    finally:
        assert use_decode_attention(backend.model, False) is False
    assert backend.model.config._attn_implementation == "sdpa"
    assert ours == reference
