"""The preallocated KV cache layer: DynamicLayer's values, without a copy per decode step."""

from __future__ import annotations

import torch
from transformers.cache_utils import DynamicLayer

from cogex import format as fmt
from cogex.models.backend import GenerationConfig
from cogex.models.kv_cache import RoomyLayer, new_cache, plain_layers


def _states(batch: int, length: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    return torch.randn(batch, 2, length, 4, generator=gen), torch.randn(batch, 2, length, 4, generator=gen)


def test_roomy_layer_holds_what_dynamic_layer_holds_through_steps_drops_and_replacements() -> None:
    roomy, plain = RoomyLayer(room=3), DynamicLayer()
    pointers = []

    def step(length: int, seed: int) -> None:
        keys, values = _states(roomy.keys.shape[0] if roomy.is_initialized and roomy.get_seq_length() else 4, length, seed)
        got = roomy.update(keys, values)
        want = plain.update(keys, values)
        assert torch.equal(got[0], want[0]) and torch.equal(got[1], want[1])
        pointers.append(roomy.keys.data_ptr())

    step(5, 0)  # prefill: 5 positions, room for 3 more
    step(1, 1)
    step(1, 2)
    assert len(set(pointers)) == 1  # decode steps wrote into the same buffer, no copy
    step(1, 3)
    step(1, 4)  # 9 > 5 + 3: reallocated once, with new room
    assert len(set(pointers)) == 2
    keep = torch.tensor([0, 2, 3])
    roomy.batch_select_indices(keep)
    plain.batch_select_indices(keep)
    assert torch.equal(roomy.keys, plain.keys) and torch.equal(roomy.values, plain.values)
    assert roomy.keys.data_ptr() == pointers[-1]  # kept rows moved inside the same buffer
    step(1, 5)
    # replaced from outside (a trim of leading padding columns), then updated again
    roomy.keys, roomy.values = roomy.keys[:, :, 2:], roomy.values[:, :, 2:]
    plain.keys, plain.values = plain.keys[:, :, 2:], plain.values[:, :, 2:]
    step(1, 6)
    step(1, 7)
    assert roomy.get_seq_length() == plain.get_seq_length() == 10


def test_new_cache_uses_roomy_layers_and_room_zero_the_reference(embedded_backend) -> None:
    config = embedded_backend.model.config
    roomy, reference = new_cache(config), new_cache(config, room=0)
    assert plain_layers(roomy) and plain_layers(reference)
    assert all(type(layer) is RoomyLayer for layer in roomy.layers)
    assert all(type(layer) is DynamicLayer for layer in reference.layers)


def test_greedy_outputs_do_not_depend_on_the_cache_room(embedded_backend) -> None:
    """Continuous batching (2 live rows, rows finishing, joining and being trimmed) gives the same
    text with concatenation (room 0), a room that forces reallocations (3) and the default."""
    from cogex.models.transformers_backend import TransformersBackend

    prompts = ["The capital of France is", "1, 2, 3,", "def add(a, b):\n", "A list of colours: red,", "Hello"]
    config = GenerationConfig(max_new_tokens=14, stop=("\n", "."))
    prefix = fmt.emulator_prefix("Sort the words alphabetically.", "def sort_words(words):\n    return {'answer': sorted(words.split())}")
    suffixes = [fmt.emulator_suffix(x) for x in ["pear apple", "zebra dog cat mouse owl", "b a"]]
    emulate = GenerationConfig(max_new_tokens=20, stop=fmt.STOP_STRINGS)
    texts = []
    for room in (0, 3, 256):  # 0 is the default
        backend = TransformersBackend(embedded_backend.model, embedded_backend.tokenizer, batch_size=2, kv_room=room)
        plain = [c.text for c in backend.generate(prompts, config)]
        shared = [c.text for c in backend.generate_shared_prefix(prefix, suffixes, emulate)]
        texts.append((plain, shared))
    assert texts[0] == texts[1] == texts[2]
    assert len(set(texts[0][0])) == len(prompts)


def test_the_embedded_model_attends_through_sdpa(embedded_backend) -> None:
    # scaled_dot_product_attention: fused attention kernels instead of eager matmul + softmax
    assert embedded_backend.model.config._attn_implementation == "sdpa"
