"""LoRA fine-tuning on CoGEX data: examples, perplexity, and the training loop.

Importing this package is cheap; torch/transformers/peft load on first use.
"""

from __future__ import annotations

from cogex.train.examples import (
    IGNORE_INDEX,
    MODES,
    CompletionCollator,
    ExampleSet,
    InstanceSource,
    TrainDataError,
    TrainExample,
    build_examples,
    load_instances,
    seed_data_dir,
    split_by_instance,
)
from cogex.train.lora import (
    PAPER_TARGET_MODULES,
    TrainConfig,
    TrainConfigError,
    TrainResult,
    cpu_supports_bf16,
    resolve_precision,
    train_lora,
)
from cogex.train.perplexity import completion_nll, validation_perplexity

__all__ = [
    "IGNORE_INDEX",
    "MODES",
    "PAPER_TARGET_MODULES",
    "CompletionCollator",
    "ExampleSet",
    "InstanceSource",
    "TrainConfig",
    "TrainConfigError",
    "TrainDataError",
    "TrainExample",
    "TrainResult",
    "build_examples",
    "completion_nll",
    "cpu_supports_bf16",
    "load_instances",
    "resolve_precision",
    "seed_data_dir",
    "split_by_instance",
    "train_lora",
    "validation_perplexity",
]
