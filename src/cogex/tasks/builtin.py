"""The paper's nine tasks, read from the benchmark data directory (or, failing that, the Hub).

Local files: ``<data_dir>/<task>/<file split>.jsonl`` with ``input``/``target`` per line
(see the data directory's README.md). Split rules:

* tasks with a train file: search = ``train.jsonl`` (1000 rows), test = ``validation.jsonl``
  (emotion: ``test.jsonl``);
* word_sorting / coin_flip / svamp have a single file: it is carved deterministically into
  disjoint halves (:func:`cogex.tasks.base.carve`, seed 0, grouped by input text);
* sum is generated (:mod:`cogex.tasks.sum`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from . import normalize as N
from .base import (
    Example,
    Task,
    TaskDataNotFoundError,
    candidate_data_dirs,
    carve,
    read_jsonl,
    resolve_data_dir,
    sample_indices,
)
from cogex.hub import HubUnavailable, load_hub_dataset
from .sum import sum_task

__all__ = ["BUILTIN_TASKS", "CARVE_FRACTION", "CARVE_SEED", "builtin_task", "load_rows"]

CARVE_FRACTION = 0.5
CARVE_SEED = 0

Row = dict[str, Any]


# ---- Hub converters (to the same row format as the local files) ------------------------


@dataclass(frozen=True)
class HubSource:
    """How to rebuild one task's files from a Hub dataset."""

    path: str
    config: str | None
    splits: Mapping[str, tuple[str, ...]]  # file split -> Hub split(s), concatenated
    convert: Callable[[Mapping[str, Any], int], Row]
    sort_key: Callable[[Row], Any] | None = None

    def describe(self, file_split: str) -> str:
        hub_splits = self.splits.get(file_split, ("?",))
        cfg = f", {self.config!r}" if self.config else ""
        return " + ".join(f"datasets.load_dataset({self.path!r}{cfg}, split={s!r})" for s in hub_splits)

    def rows(self, file_split: str) -> list[Row]:
        rows: list[Row] = []
        for hub_split in self.splits[file_split]:
            ds = load_hub_dataset(self.path, self.config, split=hub_split)
            rows.extend(self.convert(ds[i], i) for i in range(len(ds)))
        if self.sort_key is not None:
            rows.sort(key=self.sort_key)
        if file_split == "train":  # same subsampling rule as the local files
            rows = [rows[i] for i in sample_indices(len(rows))]
        for r in rows:
            r["source"] = "hub"
        return rows


def _cola(r: Mapping[str, Any], i: int) -> Row:
    return {"input": r["sentence"], "target": "acceptable" if r["label"] == 1 else "unacceptable",
            "label": r["label"], "orig_index": i}


def _sst2(r: Mapping[str, Any], i: int) -> Row:
    return {"input": r["sentence"].strip(), "target": "positive" if r["label"] == 1 else "negative",
            "label": r["label"], "sentence": r["sentence"], "orig_index": i}


_EMOTIONS = ("sadness", "joy", "love", "anger", "fear", "surprise")  # HF class ids 0..5


def _emotion(r: Mapping[str, Any], i: int) -> Row:
    return {"input": r["text"], "target": _EMOTIONS[r["label"]], "label": r["label"], "orig_index": i}


def _csqa(r: Mapping[str, Any], i: int) -> Row:
    labels, texts = r["choices"]["label"], r["choices"]["text"]
    options = " ".join(f"({lab}) {txt}" for lab, txt in zip(labels, texts))
    gold = dict(zip(labels, texts)).get(r["answerKey"], "")
    return {"input": f"{r['question']}\nAnswer Choices: {options}", "target": r["answerKey"],
            "answer_text": gold, "id": r["id"], "question": r["question"],
            "question_concept": r.get("question_concept"),
            "choices": [{"label": lab, "text": txt} for lab, txt in zip(labels, texts)],
            "answerKey": r["answerKey"], "orig_index": i}


def _siqa(r: Mapping[str, Any], i: int) -> Row:
    letter = "ABC"[int(r["label"]) - 1]
    return {"input": f"{r['context']}\n{r['question']}\nAnswer Choices: (A) {r['answerA']} "
                     f"(B) {r['answerB']} (C) {r['answerC']}",
            "target": letter, "answer_text": r[f"answer{letter}"], "context": r["context"],
            "question": r["question"], "answerA": r["answerA"], "answerB": r["answerB"],
            "answerC": r["answerC"], "label": int(r["label"]), "orig_index": i}


def _svamp(r: Mapping[str, Any], i: int) -> Row:
    row = {k: v for k, v in r.items() if k not in ("ID", "question_concat")}
    row.update(input=f"{r['Body']} {r['Question']}", target=N.format_number(float(r["Answer"])) or "",
               id=r["ID"], orig_index=i)
    return row


def _svamp_order(row: Row) -> Any:
    digits = "".join(ch for ch in str(row.get("id", "")) if ch.isdigit())
    return int(digits) if digits else 0


#: BIG-Bench Hard's word-sorting inputs repeat the instruction before the words.
_WORD_SORTING_PREFIX = "Sort the following words alphabetically: List:"


def _word_sorting(r: Mapping[str, Any], i: int) -> Row:
    return {"input": r["input"], "target": r["target"], "orig_index": i}


def _word_list_input(row: Row) -> Row:
    """The input is the word list itself (the task instruction replaces BBH's prefix); the
    original input is kept as ``bbh_input``."""
    text = str(row["input"])
    if not text.startswith(_WORD_SORTING_PREFIX):
        return row
    return {**row, "input": text[len(_WORD_SORTING_PREFIX):].strip(), "bbh_input": text}


# ---- task specifications ----------------------------------------------------------------


@dataclass(frozen=True)
class TaskSpec:
    name: str
    instruction: str
    answer_format: str
    labels: tuple[str, ...] | None
    search_file: str | None  # None: carved from test_file
    test_file: str
    search_note: str
    description: str
    hub: HubSource | None = None
    synonyms: Mapping[str, str] = field(default_factory=dict)
    complements: Mapping[str, str] = field(default_factory=dict)
    tidy: Callable[[Row], Row] | None = None  # applied to every row, local or from the Hub

    @property
    def carved(self) -> bool:
        return self.search_file is None


def _binary(a: str, b: str) -> dict[str, str]:
    return {a: b, b: a}


_TRAIN_NOTE = "search = {task}/train.jsonl (1000 rows sampled from the original train split, seed 0); test = {task}/{test}.jsonl ({n} rows, complete)"
_CARVE_NOTE = ("carved from {task}/test.jsonl ({n} rows, no train split): seeded shuffle (random.Random(0)); "
               "search = the first {h} shuffled items, test = the other {h}; disjoint by input text")

_SPECS: dict[str, TaskSpec] = {}


def _add(spec: TaskSpec) -> None:
    _SPECS[spec.name] = spec


_add(TaskSpec(
    name="cola",
    instruction="Decide whether the sentence is grammatically acceptable English. "
                "Answer 'acceptable' or 'unacceptable'.",
    answer_format="label", labels=("acceptable", "unacceptable"),
    search_file="train", test_file="validation",
    search_note=_TRAIN_NOTE.format(task="cola", test="validation", n=1043),
    description="CoLA (GLUE) grammatical acceptability.",
    hub=HubSource("glue", "cola", {"train": ("train",), "validation": ("validation",)}, _cola),
    synonyms={"1": "acceptable", "0": "unacceptable", "true": "acceptable", "false": "unacceptable",
              "yes": "acceptable", "no": "unacceptable", "grammatical": "acceptable",
              "ungrammatical": "unacceptable", "correct": "acceptable", "incorrect": "unacceptable",
              "grammatically correct": "acceptable", "grammatically incorrect": "unacceptable",
              "valid": "acceptable", "invalid": "unacceptable", "inacceptable": "unacceptable",
              "not acceptable": "unacceptable", "unaccceptable": "unacceptable"},
    complements=_binary("acceptable", "unacceptable"),
))
_add(TaskSpec(
    name="emotion",
    instruction="Classify the emotion expressed in the text. Answer with exactly one of: "
                "'sadness', 'joy', 'love', 'anger', 'fear', 'surprise'.",
    answer_format="label", labels=_EMOTIONS,
    search_file="train", test_file="test",
    search_note=_TRAIN_NOTE.format(task="emotion", test="test", n=2000),
    description="Emotion (dair-ai/emotion, 'split' configuration), six classes.",
    hub=HubSource("dair-ai/emotion", "split", {"train": ("train",), "validation": ("validation",),
                                               "test": ("test",)}, _emotion),
    synonyms={"sad": "sadness", "sorrow": "sadness", "unhappy": "sadness", "depressed": "sadness",
              "grief": "sadness", "happy": "joy", "happiness": "joy", "joyful": "joy", "glad": "joy",
              "loving": "love", "affection": "love", "angry": "anger", "annoyed": "anger",
              "rage": "anger", "furious": "anger", "afraid": "fear", "scared": "fear",
              "fearful": "fear", "frightened": "fear", "surprised": "surprise", "amazed": "surprise",
              "astonished": "surprise", "shocked": "surprise"},
))
_add(TaskSpec(
    name="sst2",
    instruction="Classify the sentiment of the movie-review phrase. Answer 'positive' or 'negative'.",
    answer_format="label", labels=("positive", "negative"),
    search_file="train", test_file="validation",
    search_note=_TRAIN_NOTE.format(task="sst2", test="validation", n=872),
    description="SST-2 (GLUE) binary sentiment.",
    hub=HubSource("glue", "sst2", {"train": ("train",), "validation": ("validation",)}, _sst2),
    synonyms={"pos": "positive", "neg": "negative", "1": "positive", "0": "negative",
              "good": "positive", "bad": "negative", "favorable": "positive",
              "favourable": "positive", "unfavorable": "negative", "unfavourable": "negative"},
    complements=_binary("positive", "negative"),
))
_add(TaskSpec(
    name="coin_flip",
    instruction="Work out whether the coin is still heads up after the people described have or "
                "have not flipped it. Answer 'yes' or 'no'.",
    answer_format="label", labels=("yes", "no"),
    search_file=None, test_file="test",
    search_note=_CARVE_NOTE.format(task="coin_flip", n=500, h=250),
    description="Coin flip (Kojima et al. 2022 set: 4 people each flip or not).",
    hub=None,
    synonyms={"true": "yes", "false": "no", "heads": "yes", "heads up": "yes",
              "still heads up": "yes", "head": "yes", "tails": "no", "tails up": "no",
              "tail": "no", "heads down": "no", "y": "yes", "n": "no"},
))
_add(TaskSpec(
    name="word_sorting",
    instruction="Sort the words alphabetically and return them as one string, separated by single spaces.",
    answer_format="text", labels=None,
    search_file=None, test_file="test",
    search_note=_CARVE_NOTE.format(task="word_sorting", n=250, h=125),
    description="BIG-Bench Hard word sorting.",
    hub=HubSource("lukaemon/bbh", "word_sorting", {"test": ("test",)}, _word_sorting),
    tidy=_word_list_input,
))
_add(TaskSpec(
    name="svamp",
    instruction="Solve the math word problem. Answer with the final number only (digits, no units).",
    answer_format="number", labels=None,
    search_file=None, test_file="test",
    search_note=_CARVE_NOTE.format(task="svamp", n=1000, h=500),
    description="SVAMP challenge set (1000 one-step arithmetic word problems).",
    hub=HubSource("ChilleD/SVAMP", None, {"test": ("train", "test")}, _svamp, sort_key=_svamp_order),
))
_add(TaskSpec(
    name="commonsense_qa",
    instruction="Answer the multiple-choice question with the letter of the best choice (A, B, C, D or E).",
    answer_format="letter", labels=("A", "B", "C", "D", "E"),
    search_file="train", test_file="validation",
    search_note=_TRAIN_NOTE.format(task="commonsense_qa", test="validation", n=1221),
    description="CommonsenseQA v1.11 (random split); scored by letter.",
    hub=HubSource("tau/commonsense_qa", None, {"train": ("train",), "validation": ("validation",)}, _csqa),
))
_add(TaskSpec(
    name="social_iqa",
    instruction="Answer the multiple-choice question about the social situation with the letter of "
                "the best choice (A, B or C).",
    answer_format="letter", labels=("A", "B", "C"),
    search_file="train", test_file="validation",
    search_note=_TRAIN_NOTE.format(task="social_iqa", test="validation", n=1954),
    description="Social IQa; scored by letter.",
    hub=HubSource("allenai/social_i_qa", None, {"train": ("train",), "validation": ("validation",)}, _siqa),
))

#: Names of the paper's nine tasks, in the paper's order.
BUILTIN_TASKS: tuple[str, ...] = (
    "cola", "emotion", "sst2", "coin_flip", "word_sorting", "sum", "svamp", "commonsense_qa", "social_iqa",
)


# ---- loading ------------------------------------------------------------------------------


def _not_found(spec: TaskSpec, file_split: str, data_dir: Path | None, hub_error: str | None) -> TaskDataNotFoundError:
    rel = f"{spec.name}/{file_split}.jsonl"
    looked = []
    for origin, base in candidate_data_dirs(data_dir):
        state = "missing file" if base.is_dir() else "directory does not exist"
        looked.append(f"  - {base / rel}  ({origin}; {state})")
    if spec.hub is None:
        hub_line = "No Hugging Face Hub fallback is defined for this task."
    else:
        hub_line = f"Tried the Hugging Face Hub: {spec.hub.describe(file_split)} failed: {hub_error}"
    return TaskDataNotFoundError(
        f"Data for task {spec.name!r} not found ({rel}).\nLooked in:\n" + "\n".join(looked) + "\n"
        f"Set COGEX_DATA_DIR (or pass data_dir=...) to the benchmark data directory, the one that "
        f"holds {rel} and a README.md describing the files.\n{hub_line}"
    )


def load_rows(spec: TaskSpec, file_split: str, data_dir: Path | None = None) -> list[Row]:
    """Rows of ``<data_dir>/<task>/<file_split>.jsonl``; Hub fallback; else a clear error."""
    rows = _raw_rows(spec, file_split, data_dir)
    return [spec.tidy(row) for row in rows] if spec.tidy else rows


def _raw_rows(spec: TaskSpec, file_split: str, data_dir: Path | None) -> list[Row]:
    base = resolve_data_dir(data_dir)
    if base is not None:
        path = base / spec.name / f"{file_split}.jsonl"
        if path.is_file():
            return read_jsonl(path)
    hub_error = None
    if spec.hub is not None:
        try:
            return spec.hub.rows(file_split)
        except HubUnavailable as exc:
            hub_error = str(exc)
    raise _not_found(spec, file_split, data_dir, hub_error)


def _to_examples(task: str, file_split: str, rows: list[Row]) -> list[Example]:
    out = []
    for i, row in enumerate(rows):
        meta = {k: v for k, v in row.items() if k not in ("input", "target")}
        out.append(Example(id=f"{task}/{file_split}/{i}", input=str(row["input"]), target=str(row["target"]), meta=meta))
    return out


def _loader(spec: TaskSpec, data_dir: Path | None) -> Callable[[str], list[Example]]:
    def load(split: str) -> list[Example]:
        if spec.carved:
            items = _to_examples(spec.name, spec.test_file, load_rows(spec, spec.test_file, data_dir))
            search, test = carve(items, CARVE_FRACTION, CARVE_SEED)
            return search if split == "search" else test
        file_split = spec.search_file if split == "search" else spec.test_file
        assert file_split is not None
        return _to_examples(spec.name, file_split, load_rows(spec, file_split, data_dir))

    return load


def _normalizer(spec: TaskSpec) -> Callable[[Any, Example | None], str] | None:
    if spec.name == "word_sorting":
        return lambda answer, example=None: N.normalize_word_list(answer)
    if spec.answer_format == "label" and spec.labels:
        fn = partial(N.normalize_label, labels=spec.labels, synonyms=spec.synonyms, complements=spec.complements)
        return lambda answer, example=None: fn(answer)
    return None  # number / letter: the format defaults


def builtin_task(name: str, data_dir: Path | None = None) -> Task:
    """Build one of the nine paper tasks."""
    if name == "sum":
        return sum_task()
    spec = _SPECS[name]
    return Task(
        name=spec.name,
        instruction=spec.instruction,
        answer_format=spec.answer_format,  # type: ignore[arg-type]
        labels=spec.labels,
        search_note=spec.search_note,
        loader=_loader(spec, data_dir),
        normalizer=_normalizer(spec),
        description=spec.description,
    )


def task_spec(name: str) -> TaskSpec:
    """The static specification of a data-backed builtin task."""
    return _SPECS[name]
