"""LoRA fine-tuning of a causal LM on CoGEX data (reasoner + emulator views), with the paper's
recipe as defaults and the checkpoint of lowest validation perplexity kept.

Built on the transformers ``Trainer``, so the same code runs on one CPU or under
``accelerate launch`` on several GPUs. Validation perplexity is completion-only and token-level
(see :mod:`cogex.train.perplexity`); it is measured once before training (the base model, or the
starting adapter) and after every epoch (or every ``eval_steps`` steps). Whenever it improves, the
adapter is written to ``output_dir``; ``training_summary.json`` records the run.
"""

from __future__ import annotations

import json
import math
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

from cogex.files import write_json_atomic
from cogex.models.hardware import cpu_supports_bf16, warn_if_cpu_lacks_bf16
from cogex.train.examples import (
    MODES,
    CompletionCollator,
    ExampleSet,
    InstanceSource,
    TrainDataError,
    build_examples,
    load_instances,
    split_by_instance,
)

__all__ = [
    "PAPER_TARGET_MODULES",
    "TrainConfig",
    "TrainConfigError",
    "TrainResult",
    "cpu_supports_bf16",
    "resolve_precision",
    "resume_config",
    "train_lora",
]

#: The attention projections the CoGEX paper adapts.
PAPER_TARGET_MODULES: tuple[str, ...] = ("q_proj", "k_proj", "v_proj", "o_proj")

#: Name recorded as the base model of adapters trained on the embedded model.
EMBEDDED_HUB_ID = "HuggingFaceTB/SmolLM2-135M-Instruct"

SUMMARY_FILE = "training_summary.json"
#: Full Trainer checkpoints (for --resume) live here inside the run folder.
CHECKPOINT_DIR = "checkpoints"
#: Rewritten after every evaluation, so an interrupted run keeps its history.
PROGRESS_FILE = "training_progress.json"
MERGED_DIR = "merged"

_PRECISION_ALIASES = {
    "auto": "auto",
    "fp32": "fp32",
    "float32": "fp32",
    "no": "fp32",
    "bf16": "bf16",
    "bfloat16": "bf16",
    "fp16": "fp16",
    "float16": "fp16",
}


class TrainConfigError(ValueError):
    """An impossible training configuration (message says which option and why)."""


@dataclass
class TrainConfig:
    """Everything :func:`train_lora` needs; defaults follow the CoGEX paper (Weir et al., 2024)."""

    data: str | None = None  # JSONL/JSON file, folder of *.jsonl, Hub name; None = shipped seed set
    output_dir: str = "cogex-lora"
    model: str | None = None  # None = embedded SmolLM2-135M-Instruct
    adapter: str | None = None  # continue training this LoRA adapter; None/"none" = fresh LoRA
    modes: tuple[str, ...] = MODES
    # LoRA (paper: r=16, alpha=32, dropout 0.05 on q,k,v,o)
    lora_r: int = 16
    lora_alpha: int = 32
    lora_dropout: float = 0.05
    target_modules: tuple[str, ...] = PAPER_TARGET_MODULES
    # optimisation (paper: 5 epochs, batch 32, lr 3e-4, linear schedule)
    epochs: float = 5.0
    batch_size: int = 4  # per device
    effective_batch: int = 32  # batch_size x grad_accum x devices
    grad_accum: int | None = None  # None = computed from effective_batch
    lr: float = 3e-4
    lr_scheduler: str = "linear"
    warmup: float = 0.03  # < 1: fraction of the optimiser steps; >= 1: a number of steps
    weight_decay: float = 0.0
    max_grad_norm: float = 1.0
    # validation / checkpoint selection (paper: lowest validation perplexity)
    val_fraction: float = 0.1
    eval_steps: int | None = None  # None = evaluate after every epoch
    eval_batch_size: int | None = None  # None = 2 x batch_size
    # data
    max_length: int = 768
    limit: int | None = None  # use only the first N instances (quick runs)
    hub_split: str = "train"
    # runtime
    precision: str = "auto"  # auto | fp32 | bf16 | fp16
    seed: int = 0  # LoRA init and data order
    split_seed: int = 0  # validation split: keep it when continuing an adapter, so held-out stays held out
    max_steps: int | None = None  # stop after this many optimiser steps (overrides epochs)
    merge: bool = False  # also write merged full weights to output_dir/merged
    threads: int | None = None  # torch CPU threads (process-wide); None = torch's default
    group_by_length: bool = False  # batch similar lengths together (less padding: faster on CPU)
    logging_steps: int = 1
    progress: bool = True
    # interruption: a full checkpoint (weights, optimiser, scheduler, RNG, data position, step)
    # every ``save_steps`` optimiser steps under output_dir/checkpoints; resume_run continues it
    save_steps: int | None = 20
    resume: bool = False

    def gradient_accumulation(self, world_size: int = 1) -> int:
        """Accumulation steps: explicit ``grad_accum``, else ceil(effective / (batch x devices))."""
        if self.grad_accum is not None:
            return self.grad_accum
        return max(1, math.ceil(self.effective_batch / (self.batch_size * max(1, world_size))))

    def validate(self) -> None:
        """Raise :class:`TrainConfigError` for impossible values."""
        checks = [
            (self.lora_r >= 1, "lora_r must be >= 1"),
            (self.lora_alpha > 0, "lora_alpha must be > 0"),
            (0.0 <= self.lora_dropout < 1.0, "lora_dropout must be in [0, 1)"),
            (bool(self.target_modules), "target_modules must name at least one module"),
            (self.epochs > 0, "epochs must be > 0"),
            (self.batch_size >= 1, "batch_size must be >= 1"),
            (self.effective_batch >= 1, "effective_batch must be >= 1"),
            (self.grad_accum is None or self.grad_accum >= 1, "grad_accum must be >= 1"),
            (self.lr > 0, "lr must be > 0"),
            (self.warmup >= 0, "warmup must be >= 0"),
            (0.0 <= self.val_fraction < 1.0, "val_fraction must be in [0, 1)"),
            (self.eval_steps is None or self.eval_steps >= 1, "eval_steps must be >= 1"),
            (self.max_length >= 16, "max_length must be >= 16"),
            (self.max_steps is None or self.max_steps >= 1, "max_steps must be >= 1"),
            (self.limit is None or self.limit >= 1, "limit must be >= 1"),
            (self.logging_steps >= 1, "logging_steps must be >= 1"),
            (self.threads is None or self.threads >= 1, "threads must be >= 1"),
            (self.save_steps is None or self.save_steps >= 1, "save_steps must be >= 1"),
            (bool(self.modes) and all(m in MODES for m in self.modes), f"modes must be a non-empty subset of {MODES}"),
            (self.precision.lower() in _PRECISION_ALIASES, "precision must be auto, fp32, bf16 or fp16"),
        ]
        for ok, message in checks:
            if not ok:
                raise TrainConfigError(message)


@dataclass
class TrainResult:
    """What a training run produced (also written to ``training_summary.json``)."""

    output_dir: str
    adapter_path: str
    base_val_perplexity: float | None  # before training, same validation split
    best_val_perplexity: float | None  # of the saved adapter
    best_epoch: float | None
    best_step: int | None
    steps: int
    epochs: float
    train_time_s: float  # trainer.train() wall time, including per-epoch evaluations
    eval_time_s: float
    tokens_seen: int  # non-padding training tokens
    tokens_per_second: float  # training tokens per second of training (evaluation excluded)
    precision: str
    data: str
    data_hash: str
    data_files: list[str]
    n_instances: int
    n_train_instances: int
    n_val_instances: int
    n_train_examples: int
    n_val_examples: int
    dropped_examples: int  # completion did not fit max_length
    truncated_examples: int  # prompt cut from the left
    skipped_records: list[str]
    history: list[dict[str, Any]]  # per evaluation: epoch, step, train_loss, val_perplexity
    train_losses: list[dict[str, float]]  # every logged loss: step, epoch, loss, lr (the rate that step used)
    merged_path: str | None
    config: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


# ----------------------------------------------------------------------------- precision


def _device_type() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def resolve_precision(precision: str, device_type: str | None = None) -> str:
    """Map ``auto|fp32|bf16|fp16`` (or dtype names) to the autocast mode used on this device."""
    name = _PRECISION_ALIASES.get(precision.lower())
    if name is None:
        raise TrainConfigError(f"Unknown precision {precision!r}; use auto, fp32, bf16 or fp16.")
    device_type = device_type or _device_type()
    if device_type == "cuda":
        import torch

        if name == "auto":
            return "bf16" if torch.cuda.is_bf16_supported() else "fp16"
        if name == "bf16" and not torch.cuda.is_bf16_supported():
            raise TrainConfigError("This GPU does not support bf16; use --precision fp16 or fp32.")
        return name
    if name == "auto":
        return "bf16" if cpu_supports_bf16() else "fp32"
    if name == "fp16":
        raise TrainConfigError("fp16 autocast needs a GPU; on CPU use --precision bf16 or fp32.")
    if name == "bf16":
        warn_if_cpu_lacks_bf16("--precision bf16")
    return name


# ----------------------------------------------------------------------------- trainer pieces


def _make_trainer_class() -> type:
    """The Trainer subclass (built lazily so importing cogex.train stays light)."""
    import torch
    from transformers import Trainer

    class CogexTrainer(Trainer):
        """Evaluates completion-only token perplexity and keeps the best adapter."""

        def __init__(self, *args: Any, on_eval: Callable[["CogexTrainer", dict[str, float]], None], **kwargs: Any):
            super().__init__(*args, **kwargs)
            self._on_eval = on_eval
            self.eval_time = 0.0
            self.last_eval_step: int | None = None

        def evaluate(self, eval_dataset: Any = None, ignore_keys: Any = None, metric_key_prefix: str = "eval") -> dict[str, float]:
            from cogex.train.perplexity import batch_nll

            started = time.perf_counter()
            dataloader = self.get_eval_dataloader(eval_dataset)
            model = self.model
            was_training = model.training
            model.eval()
            nll_parts, count_parts = [], []
            with torch.inference_mode(), self.accelerator.autocast():
                for batch in dataloader:
                    batch = self._prepare_inputs(batch)
                    row_nll, row_count = batch_nll(model, batch, per_row=True)
                    # gather_for_metrics drops the samples duplicated to even out the last batch
                    row_nll, row_count = self.accelerator.gather_for_metrics((row_nll, row_count))
                    nll_parts.append(row_nll.cpu())
                    count_parts.append(row_count.cpu())
            if was_training:
                model.train()
            total = float(torch.cat(nll_parts).sum()) if nll_parts else 0.0
            count = int(torch.cat(count_parts).sum()) if count_parts else 0
            mean = total / count if count else float("nan")
            metrics = {
                f"{metric_key_prefix}_loss": mean,
                f"{metric_key_prefix}_perplexity": math.exp(mean) if count else float("nan"),
                f"{metric_key_prefix}_tokens": float(count),
            }
            self.log(metrics)
            self.control = self.callback_handler.on_evaluate(self.args, self.state, self.control, metrics)
            self.last_eval_step = self.state.global_step
            self._on_eval(self, metrics)
            self.eval_time += time.perf_counter() - started
            return metrics

    return CogexTrainer


def _make_callbacks(show_progress: bool, losses: list[dict[str, float]]) -> list[Any]:
    from transformers import TrainerCallback

    class LossRecorder(TrainerCallback):
        def on_log(self, args: Any, state: Any, control: Any, logs: dict | None = None, **kwargs: Any) -> None:
            if logs and "loss" in logs:
                row = {"step": state.global_step, "epoch": round(state.epoch or 0.0, 4), "loss": float(logs["loss"])}
                if "learning_rate" in logs:  # the rate this step used
                    row["lr"] = float(logs["learning_rate"])
                losses.append(row)

    class LossProgress(TrainerCallback):
        """A tqdm bar over optimiser steps showing the latest loss and validation perplexity."""

        def __init__(self) -> None:
            self.bar: Any = None
            self.postfix: dict[str, str] = {}

        def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            if state.is_world_process_zero:
                from tqdm.auto import tqdm

                self.bar = tqdm(total=state.max_steps, desc="cogex train", unit="step", dynamic_ncols=True)

        def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            if self.bar is not None:
                self.bar.update(state.global_step - self.bar.n)

        def on_log(self, args: Any, state: Any, control: Any, logs: dict | None = None, **kwargs: Any) -> None:
            if self.bar is None or not logs:
                return
            if "loss" in logs:
                self.postfix["loss"] = f"{logs['loss']:.4f}"
            if "eval_perplexity" in logs:
                self.postfix["val_ppl"] = f"{logs['eval_perplexity']:.3f}"
            if "epoch" in logs:
                self.postfix["epoch"] = f"{logs['epoch']:.2f}"
            self.bar.set_postfix(self.postfix, refresh=True)

        def on_train_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            if self.bar is not None:
                self.bar.close()
                self.bar = None

    callbacks: list[Any] = [LossRecorder()]
    if show_progress:
        callbacks.append(LossProgress())
    return callbacks


def _world_size() -> int:
    try:
        return int(os.environ.get("WORLD_SIZE", "1"))
    except ValueError:
        return 1


def _clean_saved_adapter(folder: Path, local_base: str | None = None) -> None:
    """Tidy an adapter folder written by ``Trainer.save_model``.

    The pickled TrainingArguments are removed, and for the embedded model the local cache path
    recorded as base model (in adapter_config.json and PEFT's model card) becomes the public Hub
    id. This is done after saving: PEFT would otherwise try to reach the Hub while saving.
    """
    (folder / "training_args.bin").unlink(missing_ok=True)
    if not local_base:
        return
    config_file = folder / "adapter_config.json"
    if config_file.is_file():
        data = json.loads(config_file.read_text())
        if data.get("base_model_name_or_path") == local_base:
            data["base_model_name_or_path"] = EMBEDDED_HUB_ID
            config_file.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    card = folder / "README.md"
    if card.is_file():
        text = card.read_text()
        if local_base in text:
            card.write_text(text.replace(local_base, EMBEDDED_HUB_ID))


# ----------------------------------------------------------------------------- main entry


@dataclass
class _Prepared:
    source: InstanceSource
    train_idx: list[int]
    val_idx: list[int]
    train_set: ExampleSet
    val_set: ExampleSet
    n_instances: int


def _as_records(examples: ExampleSet) -> list[dict[str, list[int]]]:
    """The Trainer's dataset: plain dicts (what its length-grouped sampler can read)."""
    return [{"input_ids": list(e.input_ids), "labels": list(e.labels)} for e in examples.examples]


def _prepare_data(config: TrainConfig, tokenizer: Any, source: InstanceSource) -> _Prepared:
    instances = source.instances[: config.limit] if config.limit else source.instances
    train_idx, val_idx = split_by_instance(len(instances), config.val_fraction, config.split_seed)
    kwargs = {"modes": config.modes, "max_length": config.max_length}
    train_set = build_examples([instances[i] for i in train_idx], tokenizer, indices=train_idx, **kwargs)
    val_set = build_examples([instances[i] for i in val_idx], tokenizer, indices=val_idx, **kwargs)
    if not train_set.examples:
        raise TrainDataError(
            f"No training example fits max_length={config.max_length} "
            f"({train_set.dropped} dropped); raise --max-length."
        )
    return _Prepared(source, train_idx, val_idx, train_set, val_set, len(instances))


def _model_for_training(config: TrainConfig) -> tuple[Any, Any, str | None]:
    """The model with a fresh LoRA adapter (or the one to continue), its tokenizer, and the
    local folder of an embedded base (recorded while training, see _clean_saved_adapter)."""
    from cogex.models.loading import NO_ADAPTER, ModelSpec, load_model

    fresh = config.adapter is None or config.adapter.lower() == NO_ADAPTER
    spec = ModelSpec(model=config.model, adapter=NO_ADAPTER if fresh else config.adapter, dtype="float32")
    model, tokenizer = load_model(spec, merge_adapter=False, trainable=True)
    if fresh:
        from peft import LoraConfig, get_peft_model

        lora = LoraConfig(r=config.lora_r, lora_alpha=config.lora_alpha, lora_dropout=config.lora_dropout,
                          target_modules=list(config.target_modules), bias="none", task_type="CAUSAL_LM")
        try:
            model = get_peft_model(model, lora)
        except ValueError as exc:
            raise TrainConfigError(f"Cannot apply LoRA to target modules {list(config.target_modules)}: {exc}") from exc
    local_base: str | None = None
    if spec.is_embedded:
        # PEFT checks a Hub id over the network when saving: record the local folder while
        # training; the saved files get the public id afterwards.
        local_base = str(model.get_base_model().config._name_or_path)
        for peft_config in model.peft_config.values():
            peft_config.base_model_name_or_path = local_base
    model.config.use_cache = False
    return model, tokenizer, local_base


def _training_arguments(config: TrainConfig, output_dir: Path, precision: str, device_type: str, has_val: bool) -> Any:
    """The Trainer's arguments: the paper's recipe from ``config``, checkpoints under the run."""
    from transformers import TrainingArguments

    args = TrainingArguments(
        output_dir=str(output_dir / CHECKPOINT_DIR),
        per_device_train_batch_size=config.batch_size,
        per_device_eval_batch_size=config.eval_batch_size or 2 * config.batch_size,
        gradient_accumulation_steps=config.gradient_accumulation(_world_size()),
        num_train_epochs=config.epochs,
        max_steps=config.max_steps or -1,
        learning_rate=config.lr,
        lr_scheduler_type=config.lr_scheduler,
        warmup_steps=config.warmup,
        weight_decay=config.weight_decay,
        max_grad_norm=config.max_grad_norm,
        bf16=precision == "bf16",
        fp16=precision == "fp16",
        use_cpu=device_type == "cpu",
        eval_strategy=("steps" if config.eval_steps else "epoch") if has_val else "no",
        eval_steps=config.eval_steps,
        save_strategy="steps" if config.save_steps else "no",
        save_steps=config.save_steps or 500,
        save_total_limit=1,
        save_only_model=False,
        logging_strategy="steps",
        logging_steps=config.logging_steps,
        report_to="none",
        seed=config.seed,
        data_seed=config.seed,
        remove_unused_columns=False,
        label_names=["labels"],
        include_num_input_tokens_seen="non_padding",
        dataloader_num_workers=0,
        train_sampling_strategy="group_by_length" if config.group_by_length else "random",
        log_level="warning",
        ddp_find_unused_parameters=False,  # every LoRA parameter is used in each forward pass
        disable_tqdm=True,  # our own bar (LossProgress) replaces Trainer's
    )
    # `accelerate launch --mixed_precision ...` exports ACCELERATE_MIXED_PRECISION, which the Trainer
    # would otherwise prefer for fp32 runs: cogex's --precision decides.
    args.mixed_precision = {"bf16": "bf16", "fp16": "fp16"}.get(precision, "no")
    return args


@dataclass
class RunLog:
    """What a run has learnt so far (validation curve, best checkpoint, losses), saved to
    ``training_progress.json`` after every evaluation and checkpoint so a killed run keeps it."""

    output_dir: Path
    config: TrainConfig
    data_hash: str
    local_base: str | None = None
    best: dict[str, Any] = field(default_factory=lambda: {"ppl": None, "epoch": None, "step": None})
    history: list[dict[str, Any]] = field(default_factory=list)
    losses: list[dict[str, float]] = field(default_factory=list)
    base_ppl: float | None = None
    _reported: int = 0  # losses already averaged into a history row

    def resume(self) -> str:
        """Continue the saved run: its log is restored; returns the checkpoint to start from."""
        previous = _read_progress(self.output_dir)
        if previous.get("data_hash") not in (None, self.data_hash):
            raise TrainConfigError(
                f"--resume {self.output_dir}: the training data changed since the run started "
                f"(hash {previous.get('data_hash')} then, {self.data_hash} now)."
            )
        checkpoint = latest_checkpoint(self.output_dir)
        assert checkpoint is not None
        self.best.update(previous.get("best") or {})
        self.history.extend(previous.get("history") or [])
        self.losses.extend(previous.get("train_losses") or [])
        self._reported = len(self.losses)
        self.base_ppl = previous.get("base_val_perplexity")
        return checkpoint

    def add_row(self, trainer: Any, ppl: float | None) -> None:
        """One history row: the mean training loss since the last row and the validation ppl."""
        new = self.losses[self._reported :]
        self._reported = len(self.losses)
        self.history.append({"epoch": round(trainer.state.epoch or 0.0, 4), "step": trainer.state.global_step,
                             "train_loss": sum(x["loss"] for x in new) / len(new) if new else None,
                             "val_perplexity": ppl})

    def save_adapter(self, trainer: Any) -> None:
        trainer.save_model(str(self.output_dir))
        if trainer.is_world_process_zero():
            _clean_saved_adapter(self.output_dir, self.local_base)

    def on_eval(self, trainer: Any, metrics: dict[str, float]) -> None:
        """After each evaluation: log it, keep the adapter when it is the best so far."""
        ppl = metrics["eval_perplexity"]
        self.add_row(trainer, ppl)
        step = trainer.state.global_step
        if step > 0 and (self.best["ppl"] is None or ppl < self.best["ppl"]):  # step 0 (the base) is a reference only
            self.best.update(ppl=ppl, epoch=round(trainer.state.epoch or 0.0, 4), step=step)
            self.save_adapter(trainer)
        if trainer.is_world_process_zero():
            self.write(finished=False)

    def write(self, finished: bool) -> None:
        self.output_dir.mkdir(parents=True, exist_ok=True)
        write_json_atomic(self.output_dir / PROGRESS_FILE, {
            "finished": finished, "best": self.best, "history": self.history, "train_losses": self.losses,
            "base_val_perplexity": self.base_ppl, "data_hash": self.data_hash,
            "checkpoint": latest_checkpoint(self.output_dir, required=False), "config": asdict(self.config)}, default=str)


def train_lora(config: TrainConfig) -> TrainResult:
    """Fine-tune a LoRA adapter on CoGEX data; save the lowest-validation-perplexity adapter.

    Raises :class:`TrainConfigError`, :class:`~cogex.train.examples.TrainDataError` or
    :class:`~cogex.models.embedded.ModelLoadError` with actionable messages.
    """
    config.validate()
    from transformers import set_seed
    from transformers.trainer_callback import PrinterCallback, ProgressCallback

    device_type = _device_type()
    precision = resolve_precision(config.precision, device_type)
    output_dir = Path(config.output_dir).expanduser()
    if output_dir.exists() and not output_dir.is_dir():
        raise TrainConfigError(f"--output {output_dir} exists and is not a folder.")

    # 1. Data first (fail fast on bad data), then the model and its tokenised examples.
    source = load_instances(config.data, split=config.hub_split)
    if config.threads:
        import torch

        torch.set_num_threads(config.threads)
    set_seed(config.seed)
    model, tokenizer, local_base = _model_for_training(config)
    data = _prepare_data(config, tokenizer, source)
    has_val = bool(data.val_set.examples)

    # 2. The Trainer, with the run's log (restored when resuming) behind its evaluations.
    args = _training_arguments(config, output_dir, precision, device_type, has_val)
    log = RunLog(output_dir, config, data.source.data_hash, local_base)
    checkpoint = log.resume() if config.resume else None
    trainer = _make_trainer_class()(
        model=model,
        args=args,
        train_dataset=_as_records(data.train_set),
        eval_dataset=_as_records(data.val_set) if has_val else None,
        data_collator=CompletionCollator(pad_id=tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id),
        callbacks=[*_make_callbacks(config.progress, log.losses), _progress_on_save(lambda: log.write(finished=False))],
        on_eval=log.on_eval,
    )
    trainer.remove_callback(PrinterCallback)  # it prints every log dict
    trainer.remove_callback(ProgressCallback)

    # 3. Train: the base model's perplexity first (a fresh run), the final weights evaluated too.
    if has_val and not config.resume:
        log.base_ppl = trainer.evaluate()["eval_perplexity"]
    started = time.perf_counter()
    trainer.eval_time = 0.0
    trainer.train(resume_from_checkpoint=checkpoint)
    if has_val and trainer.last_eval_step != trainer.state.global_step:
        trainer.evaluate()  # the final weights are a candidate too
    train_time = time.perf_counter() - started
    if not has_val:  # nothing to choose by: the final adapter is the result
        log.save_adapter(trainer)
        log.add_row(trainer, None)
    trainer.accelerator.wait_for_everyone()

    # 4. The result: summary file, final progress, and the merged model when asked for.
    merged_path = str(_merge(config, output_dir)) if config.merge and trainer.is_world_process_zero() else None
    result = _result(config, trainer, log, data, precision, train_time, merged_path)
    if trainer.is_world_process_zero():
        (output_dir / SUMMARY_FILE).write_text(json.dumps(result.to_json(), indent=2, default=str) + "\n")
        log.write(finished=True)
    return result


def _result(config: TrainConfig, trainer: Any, log: RunLog, data: _Prepared, precision: str, train_time: float,
            merged_path: str | None) -> TrainResult:
    tokens = int(trainer.state.num_input_tokens_seen or 0)
    pure_train = max(1e-9, train_time - trainer.eval_time)
    return TrainResult(
        output_dir=str(log.output_dir),
        adapter_path=str(log.output_dir),
        base_val_perplexity=log.base_ppl,
        best_val_perplexity=log.best["ppl"],
        best_epoch=log.best["epoch"],
        best_step=log.best["step"],
        steps=trainer.state.global_step,
        epochs=round(trainer.state.epoch or 0.0, 4),
        train_time_s=round(train_time, 3),
        eval_time_s=round(trainer.eval_time, 3),
        tokens_seen=tokens,
        tokens_per_second=round(tokens / pure_train, 2),
        precision=precision,
        data=data.source.description,
        data_hash=data.source.data_hash,
        data_files=[str(p) for p in data.source.files],
        n_instances=data.n_instances,
        n_train_instances=len(data.train_idx),
        n_val_instances=len(data.val_idx),
        n_train_examples=len(data.train_set.examples),
        n_val_examples=len(data.val_set.examples),
        dropped_examples=data.train_set.dropped + data.val_set.dropped,
        truncated_examples=data.train_set.truncated + data.val_set.truncated,
        skipped_records=list(data.source.skipped),
        history=log.history,
        train_losses=log.losses,
        merged_path=merged_path,
        config={**asdict(config), "gradient_accumulation": trainer.args.gradient_accumulation_steps},
    )


def latest_checkpoint(run_dir: Path, *, required: bool = True) -> str | None:
    """The newest full Trainer checkpoint of a run folder (``checkpoints/checkpoint-N``)."""
    folder = Path(run_dir) / CHECKPOINT_DIR
    found = sorted(
        (p for p in folder.glob("checkpoint-*") if p.is_dir() and p.name.split("-")[-1].isdigit()),
        key=lambda p: int(p.name.split("-")[-1]),
    )
    if found:
        return str(found[-1])
    if required:
        raise TrainConfigError(
            f"--resume {run_dir}: no checkpoint under {folder} (the run stopped before its first "
            "checkpoint; start it again, or lower --save-steps)."
        )
    return None


def _read_progress(run_dir: Path) -> dict[str, Any]:
    path = Path(run_dir) / PROGRESS_FILE
    if not path.is_file():
        raise TrainConfigError(f"--resume {run_dir}: {PROGRESS_FILE} not found; is this a cogex train output folder?")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise TrainConfigError(f"--resume {run_dir}: cannot read {path.name}: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("config"), dict):
        raise TrainConfigError(f"--resume {run_dir}: {path.name} has no training config")
    return data


def resume_config(run_dir: str | Path, **overrides: Any) -> TrainConfig:
    """The configuration a run in ``run_dir`` was started with, marked to resume from its last
    checkpoint. Only runtime settings (``threads``, ``progress``) and the run's length
    (``max_steps``: the linear schedule then decays to the new last step) may be overridden."""
    allowed = {"threads", "progress", "max_steps"}
    unknown = set(overrides) - allowed
    if unknown:
        raise TrainConfigError(f"--resume keeps the run's settings; cannot change {', '.join(sorted(unknown))}")
    saved = _read_progress(Path(run_dir))["config"]
    fields = {f for f in TrainConfig.__dataclass_fields__}
    values = {k: v for k, v in saved.items() if k in fields}
    values.setdefault("split_seed", values.get("seed", 0))  # runs recorded before the two seeds were separate
    for key in ("modes", "target_modules"):
        if key in values and values[key] is not None:
            values[key] = tuple(values[key])
    values.update({k: v for k, v in overrides.items() if v is not None})
    values.update(output_dir=str(run_dir), resume=True)
    return TrainConfig(**values)


def _progress_on_save(write: Callable[[], None]) -> Any:
    """A callback that rewrites training_progress.json after every checkpoint."""
    from transformers import TrainerCallback

    class ProgressOnSave(TrainerCallback):
        def on_save(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            if state.is_world_process_zero:
                write()

    return ProgressOnSave()


def _merge(config: TrainConfig, adapter_dir: Path) -> Path:
    """Write base + best adapter as full weights (loadable with ``--model``)."""
    from cogex.models.loading import ModelSpec, load_model

    target = adapter_dir / MERGED_DIR
    model, tokenizer = load_model(ModelSpec(model=config.model, adapter=str(adapter_dir), dtype="float32"), merge_adapter=True)
    target.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(target))
    tokenizer.save_pretrained(str(target))
    return target
