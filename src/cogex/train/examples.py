"""Training data for CoGEX LoRA fine-tuning: loading instances, splitting, tokenising, collating.

Every CoGEX instance yields up to two causal-LM examples (the paper trains both views):

* reasoner: prompt = ``reasoner_prompt(I, A)``, completion = ``reasoner_completion(inst)``
* emulator: prompt = ``emulator_prompt(I, A, P)``, completion = ``emulator_completion(inst)``

Prompt and completion are tokenised *separately* (no special tokens, exactly as inference tokenises
the prompt) and concatenated; the EOS token id follows the completion. Labels are ``-100`` on the
prompt and the real ids on completion + EOS. Labels are never derived from the pad id: for
SmolLM2 the pad token *is* the EOS token, so masking "labels == pad" would erase the EOS target.
Padding is masked by the collator from each example's true length.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from cogex.format import (
    CogexInstance,
    emulator_completion,
    emulator_prompt,
    reasoner_completion,
    reasoner_prompt,
)

__all__ = [
    "IGNORE_INDEX",
    "MODES",
    "CompletionCollator",
    "ExampleSet",
    "InstanceSource",
    "TrainDataError",
    "TrainExample",
    "build_examples",
    "load_instances",
    "seed_data_dir",
    "split_by_instance",
]

#: Label value ignored by the cross-entropy loss.
IGNORE_INDEX = -100

#: The two CoGEX training views of an instance.
MODES: tuple[str, ...] = ("reasoner", "emulator")

_HUB_NAME = re.compile(r"^(hub:)?[A-Za-z0-9][\w.-]*/[\w.-]+$")


class TrainDataError(ValueError):
    """Training data could not be found, read or used; the message says why."""


# ----------------------------------------------------------------------------- loading


@dataclass(frozen=True)
class InstanceSource:
    """Instances loaded from files or a Hub dataset, with provenance."""

    instances: list[CogexInstance]
    description: str  # what was loaded (path or hub name)
    files: list[Path] = field(default_factory=list)  # empty for Hub datasets
    data_hash: str = ""  # sha256 of the data files' content (Hub: of the canonical records)
    skipped: list[str] = field(default_factory=list)  # "file:line: reason" of unusable records


def seed_data_dir() -> Path:
    """The shipped seed set: every ``*.jsonl`` file in ``cogex/resources/seed``."""
    return Path(str(resources.files("cogex") / "resources" / "seed"))


def _records_from_json(path: Path, text: str) -> list[tuple[int, Any]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TrainDataError(f"{path}: not valid JSON ({exc})") from exc
    if isinstance(data, dict):
        lists = [data[k] for k in ("data", "train", "instances", "records") if isinstance(data.get(k), list)]
        if not lists:
            raise TrainDataError(f"{path}: expected a list of records (or an object with a 'data' list)")
        data = lists[0]
    if not isinstance(data, list):
        raise TrainDataError(f"{path}: expected a list of records")
    return [(index + 1, record) for index, record in enumerate(data)]


def _records_from_jsonl(path: Path, text: str) -> list[tuple[int, Any]]:
    records = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append((number, json.loads(line)))
        except json.JSONDecodeError as exc:
            raise TrainDataError(f"{path}:{number}: not valid JSON ({exc.msg})") from exc
    return records


def _parse_records(
    numbered: Iterable[tuple[str, Any]], instances: list[CogexInstance], skipped: list[str]
) -> None:
    for where, record in numbered:
        if not isinstance(record, Mapping):
            skipped.append(f"{where}: not a JSON object")
            continue
        try:
            instances.append(CogexInstance.from_record(record))
        except ValueError as exc:
            skipped.append(f"{where}: {exc}")


def _load_files(files: list[Path], description: str) -> InstanceSource:
    digest = hashlib.sha256()
    instances: list[CogexInstance] = []
    skipped: list[str] = []
    for path in files:
        raw = path.read_bytes()
        digest.update(raw)
        text = raw.decode("utf-8-sig")
        if path.suffix == ".json":
            numbered = _records_from_json(path, text)
        else:
            numbered = _records_from_jsonl(path, text)
        _parse_records(((f"{path.name}:{n}", r) for n, r in numbered), instances, skipped)
    return InstanceSource(instances, description, files, digest.hexdigest(), skipped)


def _load_hub(name: str, split: str) -> InstanceSource:
    from cogex.hub import HubUnavailable, load_hub_dataset

    try:
        dataset = load_hub_dataset(name, split=split)
    except HubUnavailable as exc:
        raise TrainDataError(
            f"Could not load the Hub dataset {name!r} ({exc}); there is no local file or folder of that name "
            "either. Download it where the Hub is reachable and pass the JSONL file or folder instead."
        ) from exc
    instances: list[CogexInstance] = []
    skipped: list[str] = []
    digest = hashlib.sha256()
    records = []
    for index, record in enumerate(dataset):
        records.append((f"{name}[{index}]", record))
        digest.update(json.dumps(record, sort_keys=True, default=str).encode())
        digest.update(b"\n")
    _parse_records(records, instances, skipped)
    return InstanceSource(instances, f"hub:{name}[{split}]", [], digest.hexdigest(), skipped)


def load_instances(source: str | Path | None = None, *, split: str = "train") -> InstanceSource:
    """Load CoGEX instances in the public schema (``instruction, input, code_prompt, code_output``).

    ``source`` is ``None`` (the shipped seed set), a ``.jsonl``/``.json`` file, a folder of
    ``*.jsonl`` files, or a Hugging Face Hub dataset name such as ``mkhalifa/CoGEX`` (optionally
    written ``hub:mkhalifa/CoGEX``). Extra keys in records are ignored; records that are not
    CoGEX instances are skipped and listed in :attr:`InstanceSource.skipped`. The Hub is only
    contacted after a 2-second reachability check, so offline machines fail fast with
    :class:`TrainDataError`.
    """
    if source is None:
        folder = seed_data_dir()
        files = sorted(folder.glob("*.jsonl"))
        if not files:
            raise TrainDataError(f"The shipped seed set is empty: no *.jsonl files in {folder}.")
        return _require(_load_files(files, f"seed set ({folder})"))
    text = str(source)
    path = Path(text).expanduser()
    if path.is_dir():
        files = sorted(p for p in path.glob("*.jsonl") if p.is_file())
        if not files:
            raise TrainDataError(f"{path} contains no *.jsonl files.")
        return _require(_load_files(files, str(path)))
    if path.is_file():
        if path.suffix not in (".jsonl", ".json"):
            raise TrainDataError(f"{path}: expected a .jsonl or .json file in the CoGEX schema.")
        return _require(_load_files([path], str(path)))
    if _HUB_NAME.match(text) and not text.startswith((".", "/", "~")) and not text.endswith((".jsonl", ".json")):
        return _require(_load_hub(text.removeprefix("hub:"), split))
    raise TrainDataError(f"Training data not found: {path} (expected a .jsonl/.json file, a folder, or a Hub dataset name).")


def _require(source: InstanceSource) -> InstanceSource:
    if not source.instances:
        reasons = "; ".join(source.skipped[:3])
        raise TrainDataError(f"No usable CoGEX instances in {source.description}" + (f" ({reasons})" if reasons else "."))
    return source


# ----------------------------------------------------------------------------- splitting


def split_by_instance(n_instances: int, val_fraction: float, seed: int) -> tuple[list[int], list[int]]:
    """Seeded split of instance indices into (train, validation).

    The split is by *instance*, so the reasoner and emulator views of one instance always fall on
    the same side. The validation side gets ``round(n * fraction)`` instances (at least one when
    the fraction is positive and there are two or more instances, never all of them).
    """
    if not 0.0 <= val_fraction < 1.0:
        raise ValueError(f"val_fraction must be in [0, 1), got {val_fraction}")
    order = list(range(n_instances))
    random.Random(seed).shuffle(order)
    n_val = 0
    if val_fraction > 0 and n_instances >= 2:
        n_val = min(n_instances - 1, max(1, round(n_instances * val_fraction)))
    return sorted(order[n_val:]), sorted(order[:n_val])


# ----------------------------------------------------------------------------- examples


@dataclass(frozen=True)
class TrainExample:
    """One tokenised training example."""

    input_ids: tuple[int, ...]
    labels: tuple[int, ...]
    instance_index: int
    mode: str
    truncated: bool = False  # prompt was cut from the left to fit max_length

    def __len__(self) -> int:
        return len(self.input_ids)

    @property
    def completion_tokens(self) -> int:
        return sum(1 for label in self.labels if label != IGNORE_INDEX)


@dataclass(frozen=True)
class ExampleSet:
    """Examples built from instances, with what did not fit."""

    examples: list[TrainExample]
    dropped: int = 0  # completion (+ EOS) longer than max_length - 1
    truncated: int = 0  # prompt shortened from the left

    @property
    def tokens(self) -> int:
        return sum(len(e) for e in self.examples)


def _texts(instance: CogexInstance, mode: str) -> tuple[str, str]:
    if mode == "reasoner":
        return reasoner_prompt(instance.instruction, instance.input), reasoner_completion(instance)
    if mode == "emulator":
        return emulator_prompt(instance.instruction, instance.input, instance.program), emulator_completion(instance)
    raise ValueError(f"Unknown training mode {mode!r}; use one of {', '.join(MODES)}.")


def build_examples(
    instances: Sequence[CogexInstance],
    tokenizer: Any,
    *,
    modes: Sequence[str] = MODES,
    max_length: int = 768,
    indices: Sequence[int] | None = None,
) -> ExampleSet:
    """Tokenise every (instance, mode) pair into a :class:`TrainExample`.

    Sequences longer than ``max_length`` lose prompt tokens from the left; an example whose
    completion + EOS does not fit next to at least one prompt token is dropped (counted in
    :attr:`ExampleSet.dropped`). ``indices`` are the instance ids to record (default 0..n-1).
    """
    modes = tuple(modes)
    for mode in modes:
        if mode not in MODES:
            raise ValueError(f"Unknown training mode {mode!r}; use one of {', '.join(MODES)}.")
    if not modes:
        raise ValueError("At least one training mode is needed.")
    if max_length < 8:
        raise ValueError(f"max_length={max_length} is too small.")
    eos = tokenizer.eos_token_id
    if eos is None:
        raise ValueError("The tokenizer has no EOS token.")
    ids = list(indices) if indices is not None else list(range(len(instances)))
    pairs = [(index, inst, mode) for index, inst in zip(ids, instances) for mode in modes]
    texts = [_texts(inst, mode) for _, inst, mode in pairs]
    if not texts:
        return ExampleSet([])
    prompts = tokenizer([p for p, _ in texts], add_special_tokens=False).input_ids
    completions = tokenizer([c for _, c in texts], add_special_tokens=False).input_ids
    examples: list[TrainExample] = []
    dropped = truncated = 0
    for (index, _, mode), prompt, completion in zip(pairs, prompts, completions):
        target = list(completion) + [eos]
        room = max_length - len(target)
        if room < 1:
            dropped += 1
            continue
        cut = len(prompt) > room
        if cut:
            prompt = prompt[-room:]
            truncated += 1
        examples.append(
            TrainExample(
                input_ids=tuple(prompt) + tuple(target),
                labels=(IGNORE_INDEX,) * len(prompt) + tuple(target),
                instance_index=index,
                mode=mode,
                truncated=cut,
            )
        )
    return ExampleSet(examples, dropped, truncated)


# ----------------------------------------------------------------------------- collation


@dataclass
class CompletionCollator:
    """Right-pads a batch; padding gets attention 0 and label -100 by *position* (not by id)."""

    pad_id: int
    pad_to_multiple_of: int | None = None

    def __call__(self, features: Sequence[Any]) -> dict[str, Any]:
        import torch

        ids = [list(_field(f, "input_ids")) for f in features]
        labels = [list(_field(f, "labels")) for f in features]
        width = max(len(x) for x in ids)
        if self.pad_to_multiple_of:
            width = -(-width // self.pad_to_multiple_of) * self.pad_to_multiple_of
        input_ids = torch.full((len(ids), width), self.pad_id, dtype=torch.long)
        label_ids = torch.full((len(ids), width), IGNORE_INDEX, dtype=torch.long)
        attention = torch.zeros((len(ids), width), dtype=torch.long)
        for row, (seq, lab) in enumerate(zip(ids, labels)):
            if len(seq) != len(lab):
                raise ValueError("input_ids and labels differ in length")
            input_ids[row, : len(seq)] = torch.tensor(seq, dtype=torch.long)
            label_ids[row, : len(lab)] = torch.tensor(lab, dtype=torch.long)
            attention[row, : len(seq)] = 1
        return {"input_ids": input_ids, "attention_mask": attention, "labels": label_ids}


def _field(feature: Any, name: str) -> Any:
    if isinstance(feature, Mapping):
        return feature[name]
    return getattr(feature, name)
