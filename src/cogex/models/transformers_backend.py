"""Generation with transformers on CPU or GPU: continuous batching with KV-cache reuse of shared prefixes.

One decoding loop serves every path. Rows are laid out as ``[prefix][padding][suffix]``; the
padding is masked out and position ids continue the prefix, so a prefix computed once and
copied to every row of its group gives the same greedy result as recomputing it for every row.
At most ``batch_size`` rows are live; a finished row is replaced by a queued one, prefilled and
merged into the live cache (left-padded to its length), so the batch stays full. Sampling draws
from a per-row generator seeded by (seed, prompt), independent of batching.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from cogex.models.backend import Backend, Completion, GenerationConfig, cut_at_stop, prompt_seed, split_by_group
from cogex.models.kv_cache import new_cache, plain_layers
from cogex.models.loading import ModelSpec, load_model, model_identity


class TransformersBackend(Backend):
    """A transformers causal LM (optionally with a merged LoRA adapter)."""

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        *,
        identity: str = "transformers",
        batch_size: int = 8,
        max_prompt_tokens: int = 2048,
        continuous_batching: bool = True,
        kv_room: int = 0,
    ) -> None:
        import torch

        self.model = model
        self.tokenizer = tokenizer
        self.identity = identity
        self.batch_size = batch_size
        self.max_prompt_tokens = max_prompt_tokens
        #: refill finished rows from the queue (False: fixed batches, which shrink as their rows finish)
        self.continuous_batching = continuous_batching
        self.device = next(model.parameters()).device
        self.pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
        eos = tokenizer.eos_token_id
        self.eos_ids = {eos} if isinstance(eos, int) else set(eos or [])
        #: spare positions preallocated in each KV cache buffer; 0 (default): transformers' growth by
        #: concatenation, which measured as fast on CPU (benchmarks/decode_step.py: SDPA copies the
        #: strided views a preallocated buffer gives it, which costs what the concatenation saved)
        self.kv_room = kv_room
        self._torch = torch

        #: rows join a live batch, and prefix caches are copied, only where the model's cache layers
        #: are plain growing ones (not sliding windows)
        self._plain_cache = plain_layers(new_cache(model.config, room=0))
        #: counters (see usage()): forward passes and prompt tokens actually computed
        self.stats = {"prompt_tokens_computed": 0, "prompt_tokens_reused": 0, "generated_tokens": 0, "calls": 0, "decode_steps": 0}
        self._on_tokens: Callable[[int], None] | None = None

    @classmethod
    def from_spec(cls, spec: ModelSpec, **kwargs: Any) -> "TransformersBackend":
        model, tokenizer = load_model(spec)
        return cls(model, tokenizer, identity=model_identity(spec), **kwargs)

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "batch_size": self.batch_size, "device": str(self.device)}

    def usage(self) -> dict[str, int]:
        return dict(self.stats)

    def watch_tokens(self, callback: Callable[[int], None] | None) -> None:
        self._on_tokens = callback

    def chat_template(self) -> Callable[[str], str] | None:
        if not getattr(self.tokenizer, "chat_template", None):
            return None
        tokenizer = self.tokenizer

        def wrap(prompt: str) -> str:
            messages = [{"role": "user", "content": prompt}]
            return str(tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True))

        return wrap

    # ------------------------------------------------------------------ public API

    def _encode(self, text: str) -> list[int]:
        return list(self.tokenizer(text, add_special_tokens=False).input_ids)

    def generate(self, prompts: Sequence[str], config: GenerationConfig) -> list[Completion]:
        rows = [self._encode(p)[-self.max_prompt_tokens :] for p in prompts]
        return self._batched([], [0] * len(rows), rows, list(prompts), config)

    def generate_shared_prefix(
        self, prefix: str, suffixes: Sequence[str], config: GenerationConfig
    ) -> list[Completion]:
        return self.generate_grouped([(prefix, suffixes)], config)[0]

    def generate_grouped(
        self, groups: Sequence[tuple[str, Sequence[str]]], config: GenerationConfig
    ) -> list[list[Completion]]:
        prefixes = [self._encode(prefix) for prefix, _ in groups]
        row_groups = [g for g, (_, suffixes) in enumerate(groups) for _ in suffixes]
        rows = [self._encode(s) for _, suffixes in groups for s in suffixes]
        texts = [prefix + s for prefix, suffixes in groups for s in suffixes]
        return split_by_group(self._batched(prefixes, row_groups, rows, texts, config), groups)

    def generate_segments(
        self, prefix: str, suffixes: Sequence[str], config: GenerationConfig
    ) -> list[Completion]:
        """The no-reuse reference for :meth:`generate_shared_prefix`: identical tokenisation
        (prefix and suffix encoded separately), but the prefix is recomputed for every row."""
        prefix_ids = self._encode(prefix)
        rows = [prefix_ids + self._encode(s) for s in suffixes]
        return self._batched([], [0] * len(rows), rows, [prefix + s for s in suffixes], config)

    # ------------------------------------------------------------------ decoding

    def _batched(
        self,
        prefixes: list[list[int]],
        row_groups: list[int],
        rows: list[list[int]],
        texts: list[str],
        config: GenerationConfig,
    ) -> list[Completion]:
        """Decode every row with at most ``batch_size`` rows live at a time (continuous batching).

        Rows are queued by prefix group, then by length, so live rows span few prefixes and pad
        little. When rows finish, queued rows are prefilled and join the live batch, their cache
        left-padded to the batch's length (the padding is masked out; positions are per row), so
        the batch stays full instead of shrinking to its longest row. Each prefix is computed
        once and copied into the cache of every row of its group."""
        # Without plain cache layers (sliding windows) every row is prefilled whole and a batch is
        # decoded to its end before the next one starts.
        if prefixes and not self._plain_cache:
            rows = [prefixes[g] + row for g, row in zip(row_groups, rows)]
            prefixes = []
        refill = self._plain_cache and self.continuous_batching
        queue = deque(sorted(range(len(rows)), key=lambda i: (row_groups[i], len(rows[i]))))
        state = _DecodeState(prefixes, row_groups, rows, texts, config)
        pool: _Pool | None = None
        while queue or pool is not None:
            live = 0 if pool is None else len(pool.rows)
            free = self.batch_size - live
            # Admit a few rows at a time: a prefill costs about one decode step of the batch.
            if queue and free > 0 and (pool is None or (refill and free >= min(len(queue), max(1, self.batch_size // 4)))):
                chunk = [queue.popleft() for _ in range(min(free, len(queue)))]
                admitted, logits = self._prefill(state, chunk, queue)
                admitted = self._advance(state, admitted, logits)
                pool = admitted if pool is None else (_merge(self._torch, pool, admitted) if admitted is not None else pool)
                continue
            assert pool is not None
            live = len(pool.rows)
            pool = self._advance(state, pool, self._step(pool))
            if pool is not None and refill and len(pool.rows) < live:
                _trim(pool)  # only rows leaving can leave columns that are padding for every row
        return [state.finished[row] for row in range(len(rows))]

    def _left_pad(self, rows: list[list[int]], offsets: list[int]) -> tuple[Any, Any, Any]:
        """Token ids left-padded to a common width, their attention mask, and position ids that
        start at each row's offset (0 on padding)."""
        torch = self._torch
        width = max(len(r) for r in rows)
        ids = torch.full((len(rows), width), self.pad_id, dtype=torch.long)
        mask = torch.zeros((len(rows), width), dtype=torch.long)
        positions = torch.zeros((len(rows), width), dtype=torch.long)
        for i, (row, offset) in enumerate(zip(rows, offsets)):
            ids[i, width - len(row) :] = torch.tensor(row)
            mask[i, width - len(row) :] = 1
            positions[i, width - len(row) :] = torch.arange(offset, offset + len(row))
        return ids, mask, positions

    def _prefill(self, state: "_DecodeState", chunk: list[int], queue: deque[int]) -> tuple["_Pool", Any]:
        """The rows ``chunk`` prefilled (their group prefixes copied from ``state``'s prefix
        caches, computed once per group): a pool of them and the logits of their first token."""
        torch = self._torch
        self.stats["calls"] += 1
        plens = [state.prefix_len(i) for i in chunk]
        input_ids, suffix_mask, positions = self._left_pad([state.rows[i] for i in chunk], plens)
        cache = new_cache(self.model.config, room=self.kv_room)
        attention = suffix_mask
        if state.prefixes:
            width = max(plens)
            layers = [self._prefix_layers(state, state.row_groups[i]) for i in chunk]
            for layer_index in range(len(layers[0])):
                keys = torch.cat([_pad_left(torch, group[layer_index][0], width, 2) for group in layers])
                values = torch.cat([_pad_left(torch, group[layer_index][1], width, 2) for group in layers])
                cache.update(keys, values, layer_index)
            prefix_mask = torch.zeros((len(chunk), width), dtype=torch.long)
            for slot, plen in enumerate(plens):
                prefix_mask[slot, width - plen :] = 1
            attention = torch.cat([prefix_mask, suffix_mask], dim=1)
            for slot, i in enumerate(chunk):
                group = state.row_groups[i]
                if group in state.reused_groups:
                    self.stats["prompt_tokens_reused"] += plens[slot]
                state.reused_groups.add(group)
            # A group's prefix cache is freed once no queued row needs it.
            waiting = {state.row_groups[i] for i in queue}
            for group in list(state.prefix_layers):
                if group not in waiting:
                    del state.prefix_layers[group]
        self.stats["prompt_tokens_computed"] += sum(len(state.rows[i]) for i in chunk)
        attention = attention.to(self.device)
        with torch.inference_mode():
            logits = self.model(
                input_ids=input_ids.to(self.device),
                attention_mask=attention,
                position_ids=positions.to(self.device),
                past_key_values=cache,
                use_cache=True,
                logits_to_keep=1,
            ).logits[:, -1, :].float()
        self.stats["decode_steps"] += 1
        generators = [state.generator(i) for i in chunk] if state.config.temperature > 0 else []
        next_pos = torch.tensor([plen + len(state.rows[i]) for plen, i in zip(plens, chunk)], device=self.device)
        return _Pool(cache, attention, next_pos, None, list(chunk), generators), logits

    def _prefix_layers(self, state: "_DecodeState", group: int) -> list[tuple[Any, Any]]:
        """The (keys, values) of every layer for prefix ``group`` (batch 1), computed on first use."""
        if group not in state.prefix_layers:
            torch = self._torch
            ids = torch.tensor([state.prefixes[group]], dtype=torch.long, device=self.device)
            cache = new_cache(self.model.config, room=0)  # computed once, then copied into row caches
            with torch.inference_mode():
                self.model(input_ids=ids, past_key_values=cache, use_cache=True, logits_to_keep=1)
            self.stats["prompt_tokens_computed"] += len(state.prefixes[group])
            state.prefix_layers[group] = [(layer.keys, layer.values) for layer in cache.layers]
        return state.prefix_layers[group]

    def _step(self, pool: "_Pool") -> Any:
        """One decode step of every live row: feed its last token, return the next logits."""
        torch = self._torch
        pool.attention = torch.cat([pool.attention, torch.ones((len(pool.rows), 1), dtype=pool.attention.dtype, device=self.device)], dim=1)
        with torch.inference_mode():
            logits = self.model(
                input_ids=pool.tokens.view(-1, 1),
                attention_mask=pool.attention,
                position_ids=pool.next_pos.view(-1, 1),
                past_key_values=pool.cache,
                use_cache=True,
                logits_to_keep=1,
            ).logits[:, -1, :].float()
        self.stats["decode_steps"] += 1
        pool.next_pos = pool.next_pos + 1
        return logits

    def _advance(self, state: "_DecodeState", pool: "_Pool", logits: Any) -> "_Pool | None":
        """Pick each live row's next token; finished rows leave the pool (None when it empties)."""
        config = state.config
        tokens = self._pick(logits, pool.generators or None, config)
        if self._on_tokens is not None:
            self._on_tokens(len(pool.rows))  # one token per live row this step
        keep: list[int] = []
        for slot, row in enumerate(pool.rows):
            token = int(tokens[slot])
            generated = state.generated[row]
            plen = state.prefix_len(row)
            if token in self.eos_ids:
                state.finished[row] = self._completion(state.rows[row], generated, "stop", plen, config)
                continue
            generated.append(token)
            text = self.tokenizer.decode(generated[-24:], skip_special_tokens=True)
            if config.stop and any(s in text for s in config.stop):
                state.finished[row] = self._completion(state.rows[row], generated, "stop", plen, config)
                continue
            if len(generated) >= config.max_new_tokens:
                state.finished[row] = self._completion(state.rows[row], generated, "length", plen, config)
                continue
            keep.append(slot)
        if not keep:
            return None
        tokens = tokens.to(self.device)
        if len(keep) < len(pool.rows):
            index = self._torch.tensor(keep, device=self.device)
            pool.cache.batch_select_indices(index)
            pool.attention = pool.attention[index]
            pool.next_pos = pool.next_pos[index]
            tokens = tokens[index]
            pool.rows = [pool.rows[s] for s in keep]
            pool.generators = [pool.generators[s] for s in keep] if pool.generators else []
        pool.tokens = tokens
        return pool

    def _pick(self, logits: Any, generators: list[Any] | None, config: GenerationConfig) -> Any:
        torch = self._torch
        if config.temperature <= 0 or generators is None:
            return logits.argmax(dim=-1).cpu()
        probs = torch.softmax(logits / config.temperature, dim=-1).cpu()
        if config.top_p < 1.0:
            sorted_probs, sorted_idx = probs.sort(dim=-1, descending=True)
            cumulative = sorted_probs.cumsum(dim=-1)
            sorted_probs[(cumulative - sorted_probs) > config.top_p] = 0.0
            probs = torch.zeros_like(probs).scatter(-1, sorted_idx, sorted_probs)
        return torch.stack(
            [torch.multinomial(probs[i], 1, generator=gen)[0] for i, gen in enumerate(generators)]
        )

    def _completion(
        self, prompt: list[int], generated: list[int], reason: str, plen: int, config: GenerationConfig
    ) -> Completion:
        self.stats["generated_tokens"] += len(generated)
        text = self.tokenizer.decode(generated, skip_special_tokens=True)
        text, hit = cut_at_stop(text, config.stop)
        return Completion(
            text=text,
            finish_reason="stop" if hit or reason == "stop" else "length",
            prompt_tokens=plen + len(prompt),
            completion_tokens=len(generated),
        )


@dataclass
class _DecodeState:
    """What one ``_batched`` call decodes and what it has produced so far."""

    prefixes: list[list[int]]
    row_groups: list[int]
    rows: list[list[int]]
    texts: list[str]
    config: GenerationConfig
    generated: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    finished: dict[int, Completion] = field(default_factory=dict)
    prefix_layers: dict[int, list[tuple[Any, Any]]] = field(default_factory=dict)
    reused_groups: set[int] = field(default_factory=set)

    def prefix_len(self, row: int) -> int:
        """Tokens of row ``row``'s shared prefix (0 without prefixes)."""
        return len(self.prefixes[self.row_groups[row]]) if self.prefixes else 0

    def generator(self, row: int) -> Any:
        """Row ``row``'s sampling generator, seeded by (seed, prompt): independent of batching."""
        import torch

        gen = torch.Generator(device="cpu")
        gen.manual_seed(prompt_seed(self.config.seed, self.texts[row]))
        return gen


@dataclass
class _Pool:
    """The live rows: their KV cache and attention mask (one column per cached position), the
    position and token each feeds next, their row indices and sampling generators."""

    cache: Any
    attention: Any
    next_pos: Any
    tokens: Any
    rows: list[int]
    generators: list[Any]


def _pad_left(torch: Any, tensor: Any, width: int, dim: int) -> Any:
    """``tensor`` left-padded with zeros along ``dim`` to ``width`` (a cache tensor
    ``[batch, heads, length, dim]`` along 2, an attention mask ``[batch, length]`` along 1)."""
    missing = width - tensor.shape[dim]
    if missing <= 0:
        return tensor
    shape = list(tensor.shape)
    shape[dim] = missing
    return torch.cat([torch.zeros(shape, dtype=tensor.dtype, device=tensor.device), tensor], dim=dim)


def _merge(torch: Any, pool: _Pool, new: _Pool) -> _Pool:
    """One pool of both: caches and masks left-padded to the longer length, stacked by row."""
    width = max(pool.attention.shape[1], new.attention.shape[1])
    for mine, theirs in zip(pool.cache.layers, new.cache.layers):
        mine.keys = torch.cat([_pad_left(torch, mine.keys, width, 2), _pad_left(torch, theirs.keys, width, 2)])
        mine.values = torch.cat([_pad_left(torch, mine.values, width, 2), _pad_left(torch, theirs.values, width, 2)])
    pool.attention = torch.cat([_pad_left(torch, pool.attention, width, 1), _pad_left(torch, new.attention, width, 1)])
    pool.next_pos = torch.cat([pool.next_pos, new.next_pos])
    pool.tokens = torch.cat([pool.tokens, new.tokens])
    pool.rows = pool.rows + new.rows
    pool.generators = pool.generators + new.generators
    return pool


def _trim(pool: _Pool) -> None:
    """Drop the cache columns that are padding for every live row (left by rows that left)."""
    lead = int((pool.attention != 0).int().argmax(dim=1).min())
    if lead <= 0:
        return
    for layer in pool.cache.layers:
        layer.keys = layer.keys[:, :, lead:, :]
        layer.values = layer.values[:, :, lead:, :]
    pool.attention = pool.attention[:, lead:]
