"""Completion-only perplexity: ``exp(mean NLL over completion tokens)``.

Only positions whose label is not ``-100`` count (the completion and its EOS); prompt and padding
tokens are excluded. The mean is over *tokens* of the whole set, not a mean of per-batch means.
"""

from __future__ import annotations

import contextlib
import math
from typing import Any, Sequence

from cogex.train.examples import IGNORE_INDEX, CompletionCollator, TrainExample

__all__ = ["autocast_context", "batch_nll", "completion_nll", "validation_perplexity"]


def batch_nll(model: Any, batch: dict[str, Any], *, per_row: bool = False) -> tuple[Any, Any]:
    """NLL summed over the target tokens of one collated batch, and the number of those tokens.

    Returns float64 / int64 scalars, or per-row vectors when ``per_row`` (for distributed gathering).
    Logits are scored in float32 even under autocast.
    """
    import torch
    import torch.nn.functional as F

    outputs = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"], use_cache=False)
    logits = outputs.logits[:, :-1, :].float()
    targets = batch["labels"][:, 1:].to(logits.device)
    nll = F.cross_entropy(
        logits.reshape(-1, logits.size(-1)), targets.reshape(-1), ignore_index=IGNORE_INDEX, reduction="none"
    ).view(targets.shape)
    counts = (targets != IGNORE_INDEX).sum(dim=1)
    row_nll = nll.to(torch.float64).sum(dim=1)
    if per_row:
        return row_nll, counts.to(torch.int64)
    return row_nll.sum(), counts.sum().to(torch.int64)


def autocast_context(precision: str, device_type: str) -> Any:
    """An autocast context for ``precision`` (``fp32`` = no autocast)."""
    import torch

    if precision == "bf16":
        return torch.autocast(device_type=device_type, dtype=torch.bfloat16)
    if precision == "fp16":
        return torch.autocast(device_type=device_type, dtype=torch.float16)
    return contextlib.nullcontext()


def completion_nll(
    model: Any,
    tokenizer: Any,
    examples: Sequence[TrainExample],
    batch_size: int = 8,
    *,
    precision: str = "fp32",
) -> tuple[float, int]:
    """Total NLL and token count over the completion tokens of ``examples``."""
    import torch

    if not examples:
        raise ValueError("No examples to measure perplexity on.")
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    collate = CompletionCollator(pad_id=pad_id)
    device = next(model.parameters()).device
    # Length-sorted batches waste little padding; sums do not depend on the order.
    ordered = sorted(examples, key=len)
    was_training = model.training
    model.eval()
    total, count = 0.0, 0
    try:
        with torch.inference_mode(), autocast_context(precision, device.type):
            for start in range(0, len(ordered), max(1, batch_size)):
                batch = {k: v.to(device) for k, v in collate(ordered[start : start + batch_size]).items()}
                nll, n = batch_nll(model, batch)
                total += float(nll)
                count += int(n)
    finally:
        if was_training:
            model.train()
    return total, count


def validation_perplexity(
    model: Any,
    tokenizer: Any,
    examples: Sequence[TrainExample],
    batch_size: int = 8,
    *,
    precision: str = "fp32",
) -> float:
    """Completion-only token-level perplexity of ``model`` on ``examples``: exp(mean NLL)."""
    total, count = completion_nll(model, tokenizer, examples, batch_size, precision=precision)
    if count == 0:
        raise ValueError("The examples have no completion tokens.")
    return math.exp(total / count)
