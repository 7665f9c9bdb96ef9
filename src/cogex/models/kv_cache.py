"""A KV cache that writes each new position into preallocated room instead of concatenating.

transformers' ``DynamicLayer`` grows its key and value tensors with ``torch.cat`` on every
decode step: a copy of the whole cache per token, which a batch-32 profile showed at 11-13% of
the time. :class:`RoomyLayer` keeps each tensor as a view of a larger buffer and writes new
positions into the spare room; the buffer is reallocated (with new room) only when it is full or
when the cache tensors were replaced from outside (a merge of two batches, a trim of padding
columns). Dropping finished rows moves the kept rows to the front of the same buffer.
The values a model sees are the same as with ``DynamicLayer``; only the copies differ. For
inference only: the buffers are written in place under ``torch.inference_mode``.

Opt-in (``TransformersBackend(kv_room=256)``): measured on this project's CPU at 32 rows x 128
tokens, bf16, it was not faster end to end (0.98x; ``benchmarks/decode_step.py``), because the
attention kernels copy the strided views of a preallocated buffer into contiguous tensors, which
costs about what the concatenation did.
"""

from __future__ import annotations

from typing import Any

from transformers.cache_utils import DynamicCache, DynamicLayer

#: positions of spare room added whenever a buffer is (re)allocated
DEFAULT_ROOM = 256


class RoomyLayer(DynamicLayer):
    """A plain growing cache layer (``DynamicLayer``'s semantics) backed by buffers with room."""

    def __init__(self, room: int = DEFAULT_ROOM) -> None:
        super().__init__()
        self.room = room
        self._key_buffer: Any = None
        self._value_buffer: Any = None

    def update(self, key_states: Any, value_states: Any, *args: Any, **kwargs: Any) -> tuple[Any, Any]:
        import torch

        with torch.inference_mode():  # an inference cache: its buffers are written in place
            return self._update(key_states, value_states)

    def _update(self, key_states: Any, value_states: Any) -> tuple[Any, Any]:
        if not self.is_initialized:
            self.lazy_initialization(key_states, value_states)
        length = self.get_seq_length()
        end = length + key_states.shape[-2]
        owned = _is_prefix_view(self.keys, self._key_buffer) and _is_prefix_view(self.values, self._value_buffer)
        if not owned or end > self._key_buffer.shape[-2] or self._key_buffer.shape[0] != key_states.shape[0]:
            self._key_buffer = self._allocate(self.keys if length else None, key_states, end)
            self._value_buffer = self._allocate(self.values if length else None, value_states, end)
        self._key_buffer[:, :, length:end] = key_states
        self._value_buffer[:, :, length:end] = value_states
        self.keys = self._key_buffer[:, :, :end]
        self.values = self._value_buffer[:, :, :end]
        return self.keys, self.values

    def _allocate(self, cached: Any, new: Any, end: int) -> Any:
        """A buffer for ``end`` positions plus room, holding ``cached`` (None: nothing yet)."""
        import torch

        batch, heads, _, dim = new.shape
        buffer = torch.empty((batch, heads, end + self.room, dim), dtype=new.dtype, device=new.device)
        if cached is not None:
            buffer[:, :, : cached.shape[-2]] = cached
        return buffer

    def batch_select_indices(self, indices: Any) -> None:
        """Keep the rows ``indices`` (ascending): moved to the front of the same buffers."""
        import torch

        with torch.inference_mode():
            self._select(indices)

    def _select(self, indices: Any) -> None:
        if self.get_seq_length() == 0:
            return
        if not (_is_prefix_view(self.keys, self._key_buffer) and _is_prefix_view(self.values, self._value_buffer)):
            super().batch_select_indices(indices)
            return
        rows = [int(i) for i in indices]
        if any(b <= a for a, b in zip(rows, rows[1:])):
            super().batch_select_indices(indices)  # not ascending: moving in place could overwrite a kept row
            return
        length = self.keys.shape[-2]
        for slot, row in enumerate(rows):
            if slot != row:
                self._key_buffer[slot, :, :length] = self._key_buffer[row, :, :length]
                self._value_buffer[slot, :, :length] = self._value_buffer[row, :, :length]
        self._key_buffer = self._key_buffer[: len(rows)]
        self._value_buffer = self._value_buffer[: len(rows)]
        self.keys = self._key_buffer[:, :, :length]
        self.values = self._value_buffer[:, :, :length]


def _is_prefix_view(tensor: Any, buffer: Any) -> bool:
    """True when ``tensor`` is ``buffer[:, :, :n]`` for some n (the layer's own view of it)."""
    return (
        buffer is not None
        and tensor is not None
        and tensor.dim() == 4
        and tensor.data_ptr() == buffer.data_ptr()
        and tensor.shape[0] == buffer.shape[0]
        and tensor.stride() == buffer.stride()
    )


def plain_layers(cache: Any) -> bool:
    """True when every layer of ``cache`` is a plain growing one (``DynamicLayer`` or
    :class:`RoomyLayer`), whose tensors can be padded, merged and trimmed, not a sliding window."""
    return bool(cache.layers) and all(type(layer) in (DynamicLayer, RoomyLayer) for layer in cache.layers)


def new_cache(config: Any, *, room: int = DEFAULT_ROOM) -> Any:
    """An empty ``DynamicCache`` for ``config``; its plain layers replaced by :class:`RoomyLayer`
    (room 0: ``DynamicLayer``'s concatenation, the reference)."""
    cache = DynamicCache(config=config)
    if room > 0 and plain_layers(cache):
        cache.layers = [RoomyLayer(room) for _ in cache.layers]
    return cache
