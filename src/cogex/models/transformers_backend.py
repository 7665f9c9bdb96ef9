"""Batched generation with transformers on CPU or GPU, with KV-cache reuse of a shared prefix.

One decoding loop serves both paths. Rows are laid out as ``[prefix][padding][suffix]``; the
padding is masked out and position ids continue the prefix, so a prefix computed once and
copied across the batch gives the same greedy result as recomputing it for every row.
Sampling draws from a per-row generator seeded by (seed, prompt), independent of batching.
"""

from __future__ import annotations

from typing import Any, Sequence

from cogex.models.backend import Backend, Completion, GenerationConfig, cut_at_stop, prompt_seed
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
        #: counters for benchmarks: forward passes and prompt tokens actually computed
        self.stats = {"prompt_tokens_computed": 0, "prompt_tokens_reused": 0, "generated_tokens": 0, "calls": 0}

    @classmethod
    def from_spec(cls, spec: ModelSpec, **kwargs: Any) -> "TransformersBackend":
        model, tokenizer = load_model(spec)
        return cls(model, tokenizer, identity=model_identity(spec), **kwargs)

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "batch_size": self.batch_size, "device": str(self.device)}

    # ------------------------------------------------------------------ public API

    def _encode(self, text: str) -> list[int]:
        return list(self.tokenizer(text, add_special_tokens=False).input_ids)

    def generate(self, prompts: Sequence[str], config: GenerationConfig) -> list[Completion]:
        rows = [self._encode(p)[-self.max_prompt_tokens :] for p in prompts]
        return self._batched(None, rows, list(prompts), config)

    def generate_shared_prefix(
        self, prefix: str, suffixes: Sequence[str], config: GenerationConfig
    ) -> list[Completion]:
        prefix_ids = self._encode(prefix)
        rows = [self._encode(s) for s in suffixes]
        return self._batched(prefix_ids, rows, [prefix + s for s in suffixes], config)

    def generate_segments(
        self, prefix: str, suffixes: Sequence[str], config: GenerationConfig
    ) -> list[Completion]:
        """The no-reuse reference for :meth:`generate_shared_prefix`: identical tokenisation
        (prefix and suffix encoded separately), but the prefix is recomputed for every row."""
        prefix_ids = self._encode(prefix)
        rows = [prefix_ids + self._encode(s) for s in suffixes]
        return self._batched(None, rows, [prefix + s for s in suffixes], config)

    # ------------------------------------------------------------------ decoding

    def _batched(
        self, prefix_ids: list[int] | None, rows: list[list[int]], texts: list[str], config: GenerationConfig
    ) -> list[Completion]:
        out: list[Completion] = []
        # Sort by length so batches pad little; restore order afterwards.
        order = sorted(range(len(rows)), key=lambda i: len(rows[i]))
        results: dict[int, Completion] = {}
        for start in range(0, len(order), self.batch_size):
            chunk = order[start : start + self.batch_size]
            done = self._decode(prefix_ids, [rows[i] for i in chunk], [texts[i] for i in chunk], config)
            results.update(zip(chunk, done))
        out = [results[i] for i in range(len(rows))]
        return out

    def _prefix_cache(self, prefix_ids: list[int]) -> Any:
        from transformers import DynamicCache

        torch = self._torch
        cache = DynamicCache(config=self.model.config)
        ids = torch.tensor([prefix_ids], device=self.device)
        with torch.inference_mode():
            self.model(input_ids=ids, past_key_values=cache, use_cache=True)
        self.stats["prompt_tokens_computed"] += len(prefix_ids)
        return cache

    def _decode(
        self, prefix_ids: list[int] | None, rows: list[list[int]], texts: list[str], config: GenerationConfig
    ) -> list[Completion]:
        from transformers import DynamicCache

        torch = self._torch
        self.stats["calls"] += 1
        batch = len(rows)
        plen = len(prefix_ids) if prefix_ids else 0
        width = max(len(r) for r in rows)
        input_ids = torch.full((batch, width), self.pad_id, dtype=torch.long)
        suffix_mask = torch.zeros((batch, width), dtype=torch.long)
        positions = torch.zeros((batch, width), dtype=torch.long)
        for i, row in enumerate(rows):
            input_ids[i, width - len(row) :] = torch.tensor(row)
            suffix_mask[i, width - len(row) :] = 1
            positions[i, width - len(row) :] = torch.arange(plen, plen + len(row))
        if prefix_ids:
            cache = self._prefix_cache(prefix_ids)
            cache.batch_repeat_interleave(batch)
            attention = torch.cat([torch.ones((batch, plen), dtype=torch.long), suffix_mask], dim=1)
            self.stats["prompt_tokens_reused"] += plen * (batch - 1)
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
        next_pos = torch.tensor([plen + len(r) for r in rows], device=self.device)
        with torch.inference_mode():
            for step in range(config.max_new_tokens):
                logits = self.model(
                    input_ids=step_ids,
                    attention_mask=attention,
                    position_ids=step_pos,
                    past_key_values=cache,
                    use_cache=True,
                ).logits[:, -1, :].float()
                tokens = self._pick(logits, [generators[i] for i in alive] if generators else None, config)
                keep: list[int] = []
                for slot, row in enumerate(alive):
                    token = int(tokens[slot])
                    if token in self.eos_ids:
                        finished[row] = self._completion(rows[row], generated[row], "stop", plen, config)
                        continue
                    generated[row].append(token)
                    text = self.tokenizer.decode(generated[row][-24:], skip_special_tokens=True)
                    if config.stop and any(s in text for s in config.stop):
                        finished[row] = self._completion(rows[row], generated[row], "stop", plen, config)
                        continue
                    if step + 1 >= config.max_new_tokens:
                        finished[row] = self._completion(rows[row], generated[row], "length", plen, config)
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
                finished[row] = self._completion(rows[row], generated[row], "length", plen, config)
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
