"""Batched generation with transformers on CPU or GPU, with KV-cache reuse of a shared prefix.

One decoding loop serves every path. Rows are laid out as ``[prefix][padding][suffix]``; the
padding is masked out and position ids continue the prefix, so a prefix computed once and
copied across the batch gives the same greedy result as recomputing it for every row. Rows of
different prefixes (several programs, each over its items) share one batch: the prefixes are
computed together, left-padded, and each row gets a copy of its own prefix's cache.
Sampling draws from a per-row generator seeded by (seed, prompt), independent of batching.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from cogex.models.backend import Backend, Completion, GenerationConfig, cut_at_stop, prompt_seed, split_by_group
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
    ) -> None:
        import torch

        self.model = model
        self.tokenizer = tokenizer
        self.identity = identity
        self.batch_size = batch_size
        self.max_prompt_tokens = max_prompt_tokens
        self.device = next(model.parameters()).device
        self.pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
        eos = tokenizer.eos_token_id
        self.eos_ids = {eos} if isinstance(eos, int) else set(eos or [])
        self._torch = torch
        #: counters (see usage()): forward passes and prompt tokens actually computed
        self.stats = {"prompt_tokens_computed": 0, "prompt_tokens_reused": 0, "generated_tokens": 0, "calls": 0}
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
        """Decode in batches of ``batch_size`` rows. Rows are ordered by prefix group, then by
        length, so a batch spans few prefixes and pads little; the order is restored afterwards."""
        order = sorted(range(len(rows)), key=lambda i: (row_groups[i], len(rows[i])))
        results: dict[int, Completion] = {}
        for start in range(0, len(order), self.batch_size):
            chunk = order[start : start + self.batch_size]
            local: dict[int, int] = {}
            for i in chunk:
                local.setdefault(row_groups[i], len(local))
            chunk_prefixes = [prefixes[g] for g in local] if prefixes else []
            done = self._decode(
                chunk_prefixes, [local[row_groups[i]] for i in chunk], [rows[i] for i in chunk], [texts[i] for i in chunk], config
            )
            results.update(zip(chunk, done))
        return [results[i] for i in range(len(rows))]

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

    def _prefix_cache(self, prefixes: list[list[int]]) -> tuple[Any, Any]:
        """The KV cache of every prefix (left-padded to a common length when there are several)
        and the attention mask of the prefix part."""
        from transformers import DynamicCache

        torch = self._torch
        ids, mask, positions = self._left_pad(prefixes, [0] * len(prefixes))
        cache = DynamicCache(config=self.model.config)
        with torch.inference_mode():
            if len(prefixes) == 1:
                self.model(input_ids=ids.to(self.device), past_key_values=cache, use_cache=True, logits_to_keep=1)
            else:
                self.model(
                    input_ids=ids.to(self.device),
                    attention_mask=mask.to(self.device),
                    position_ids=positions.to(self.device),
                    past_key_values=cache,
                    use_cache=True,
                    logits_to_keep=1,
                )
        self.stats["prompt_tokens_computed"] += sum(len(p) for p in prefixes)
        return cache, mask

    def _decode(
        self,
        prefixes: list[list[int]],
        row_groups: list[int],
        rows: list[list[int]],
        texts: list[str],
        config: GenerationConfig,
    ) -> list[Completion]:
        from transformers import DynamicCache

        torch = self._torch
        self.stats["calls"] += 1
        batch = len(rows)
        plens = [len(prefixes[g]) for g in row_groups] if prefixes else [0] * batch
        input_ids, suffix_mask, positions = self._left_pad(rows, plens)
        if prefixes:
            cache, prefix_mask = self._prefix_cache(prefixes)
            index = torch.tensor(row_groups, device=self.device)
            cache.batch_select_indices(index)  # one copy of its group's prefix per row
            attention = torch.cat([prefix_mask[torch.tensor(row_groups)], suffix_mask], dim=1)
            self.stats["prompt_tokens_reused"] += sum(plens) - sum(len(p) for p in prefixes)
        else:
            cache = DynamicCache(config=self.model.config)
            attention = suffix_mask
        self.stats["prompt_tokens_computed"] += sum(len(r) for r in rows)

        generators = []
        if config.temperature > 0:
            for text in texts:
                gen = torch.Generator(device="cpu")
                gen.manual_seed(prompt_seed(config.seed, text))
                generators.append(gen)

        generated: list[list[int]] = [[] for _ in range(batch)]
        finished: dict[int, Completion] = {}
        alive = list(range(batch))  # original row index of each live cache row
        step_ids = input_ids.to(self.device)
        step_pos = positions.to(self.device)
        attention = attention.to(self.device)
        next_pos = torch.tensor([plens[i] + len(r) for i, r in enumerate(rows)], device=self.device)
        with torch.inference_mode():
            for step in range(config.max_new_tokens):
                logits = self.model(
                    input_ids=step_ids,
                    attention_mask=attention,
                    position_ids=step_pos,
                    past_key_values=cache,
                    use_cache=True,
                    logits_to_keep=1,
                ).logits[:, -1, :].float()
                tokens = self._pick(logits, [generators[i] for i in alive] if generators else None, config)
                if self._on_tokens is not None:
                    self._on_tokens(len(alive))  # one token per live row this step
                keep: list[int] = []
                for slot, row in enumerate(alive):
                    token = int(tokens[slot])
                    if token in self.eos_ids:
                        finished[row] = self._completion(rows[row], generated[row], "stop", plens[row], config)
                        continue
                    generated[row].append(token)
                    text = self.tokenizer.decode(generated[row][-24:], skip_special_tokens=True)
                    if config.stop and any(s in text for s in config.stop):
                        finished[row] = self._completion(rows[row], generated[row], "stop", plens[row], config)
                        continue
                    if step + 1 >= config.max_new_tokens:
                        finished[row] = self._completion(rows[row], generated[row], "length", plens[row], config)
                        continue
                    keep.append(slot)
                if not keep:
                    break
                if len(keep) < len(alive):
                    index = torch.tensor(keep, device=self.device)
                    cache.batch_select_indices(index)
                    attention = attention[index]
                    tokens = tokens[index]
                    next_pos = next_pos[index]
                    alive = [alive[s] for s in keep]
                step_ids = tokens.view(-1, 1)
                step_pos = next_pos.view(-1, 1)
                next_pos = next_pos + 1
                attention = torch.cat([attention, torch.ones((len(alive), 1), dtype=attention.dtype, device=self.device)], dim=1)
        for row in range(batch):
            if row not in finished:
                finished[row] = self._completion(rows[row], generated[row], "length", plens[row], config)
        return [finished[row] for row in range(batch)]

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
