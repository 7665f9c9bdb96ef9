"""LoRA training on CoGEX data: data loading, example building, label masking, splitting, and a
REAL short training run on the embedded model (no mocks)."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any

import pytest

from cogex.format import CogexInstance, emulator_completion, emulator_prompt, reasoner_completion, reasoner_prompt
from cogex.train import (
    IGNORE_INDEX,
    CompletionCollator,
    TrainConfig,
    TrainConfigError,
    TrainDataError,
    build_examples,
    load_instances,
    resolve_precision,
    split_by_instance,
)

# ----------------------------------------------------------------------------- data


def _record(kind: int, a: int, b: int) -> dict[str, str]:
    """Short, regular CoGEX records in the public schema (plus extra keys that must be ignored)."""
    if kind == 0:
        instruction, inp = "Add the two numbers.", f"{a} and {b}"
        program = (
            "def add_numbers(a, b):\n    \"\"\"Add two numbers.\"\"\"\n    # Step 1: Add them.\n"
            "    total = a + b\n    return {'total': total, 'answer': total}"
        )
        call, output = f"add_numbers({a}, {b})", {"total": a + b, "answer": a + b}
    elif kind == 1:
        instruction, inp = "Multiply the two numbers.", f"{a} times {b}"
        program = (
            "def multiply(a, b):\n    \"\"\"Multiply two numbers.\"\"\"\n    # Step 1: Multiply them.\n"
            "    product = a * b\n    return {'product': product, 'answer': product}"
        )
        call, output = f"multiply({a}, {b})", {"product": a * b, "answer": a * b}
    elif kind == 2:
        word = ["apple", "banana", "cherry", "orange", "grape", "lemon"][(a + b) % 6]
        instruction, inp = "Reverse the word.", word
        program = (
            "def reverse_word(word):\n    \"\"\"Reverse a word.\"\"\"\n    # Step 1: Read it backwards.\n"
            "    backwards = word[::-1]\n    return {'backwards': backwards, 'answer': backwards}"
        )
        call, output = f"reverse_word({word!r})", {"backwards": word[::-1], "answer": word[::-1]}
    else:
        instruction, inp = "Is the first number larger than the second?", f"{a}, {b}"
        program = (
            "def is_larger(a, b):\n    \"\"\"Compare two numbers.\"\"\"\n    # Step 1: Compare them.\n"
            "    larger = a > b\n    return {'larger': larger, 'answer': 'yes' if larger else 'no'}"
        )
        call, output = f"is_larger({a}, {b})", {"larger": a > b, "answer": "yes" if a > b else "no"}
    return {
        "id": f"t-{kind}-{a}-{b}",
        "category": "test",
        "instruction": instruction,
        "input": inp,
        "code_prompt": f"{program}\n>>> {call}",
        "code_output": repr(output),
        "output": str(output["answer"]),
    }


RECORDS = [_record(kind, a, b) for kind in range(4) for a, b in ((3, 5), (12, 7), (41, 9))]


def _write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


@pytest.fixture(scope="module")
def tokenizer() -> Any:
    from transformers import AutoTokenizer

    from cogex.models.embedded import embedded_gguf_path
    from cogex.models.loading import convert_gguf

    tok = AutoTokenizer.from_pretrained(str(convert_gguf(embedded_gguf_path())))
    if tok.pad_token_id is None:  # as load_model does
        tok.pad_token = tok.eos_token
    return tok


# ----------------------------------------------------------------------------- loading


def test_load_file_folder_and_json(tmp_path: Path) -> None:
    data = _write_jsonl(tmp_path / "a.jsonl", RECORDS[:10])
    source = load_instances(data)
    assert len(source.instances) == 10 and source.skipped == []
    assert source.instances[0].call == "add_numbers(3, 5)" and source.instances[0].input == "3 and 5"
    assert source.data_hash == hashlib.sha256(data.read_bytes()).hexdigest()

    folder = tmp_path / "folder"
    folder.mkdir()
    _write_jsonl(folder / "one.jsonl", RECORDS[:4])
    bad = RECORDS[4:6] + [{"instruction": "no program"}, {"instruction": "x", "code_prompt": "def f(): pass", "code_output": "{}"}]
    _write_jsonl(folder / "two.jsonl", bad)
    (folder / "notes.json").write_text("{}")  # folders hold *.jsonl files only
    source = load_instances(folder)
    assert len(source.instances) == 6
    assert len(source.skipped) == 2 and source.skipped[0].startswith("two.jsonl:3")
    assert [p.name for p in source.files] == ["one.jsonl", "two.jsonl"]

    as_json = tmp_path / "list.json"
    as_json.write_text(json.dumps(RECORDS[:3]))
    assert len(load_instances(as_json).instances) == 3

    with pytest.raises(TrainDataError, match="not found"):
        load_instances(tmp_path / "missing.jsonl")
    (tmp_path / "broken.jsonl").write_text('{"instruction": \n')
    with pytest.raises(TrainDataError, match="broken.jsonl:1"):
        load_instances(tmp_path / "broken.jsonl")


def test_shipped_seed_set_loads() -> None:
    source = load_instances(None)
    assert len(source.instances) >= 600 and len(source.data_hash) == 64


def test_hub_name_fails_fast(monkeypatch: pytest.MonkeyPatch) -> None:
    # An endpoint that refuses connections: the reachability check must fail at once, network or not.
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("HF_DATASETS_OFFLINE", raising=False)
    started = time.monotonic()
    with pytest.raises(TrainDataError, match="Hub dataset 'mkhalifa/CoGEX'.*not reachable"):
        load_instances("mkhalifa/CoGEX")
    assert time.monotonic() - started < 10


def test_cli_reports_hub_failure(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import typer
    from typer.testing import CliRunner

    from cogex.cli.train import register

    app = typer.Typer()
    app.callback()(lambda: None)  # a command group, as in the real `cogex` app
    register(app)
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    result = CliRunner().invoke(app, ["train", "mkhalifa/CoGEX", "--output", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "mkhalifa/CoGEX" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


# ----------------------------------------------------------------------------- examples


def test_label_masking(tokenizer: Any) -> None:
    inst = CogexInstance.from_record(RECORDS[0])
    eos = tokenizer.eos_token_id
    assert eos == tokenizer.pad_token_id  # the SmolLM2 trap this code must survive
    built = build_examples([inst], tokenizer, max_length=768)
    assert built.dropped == 0 and [e.mode for e in built.examples] == ["reasoner", "emulator"]
    prompts = [reasoner_prompt(inst.instruction, inst.input), emulator_prompt(inst.instruction, inst.input, inst.program)]
    completions = [reasoner_completion(inst), emulator_completion(inst)]
    for example, prompt, completion in zip(built.examples, prompts, completions):
        p = tokenizer(prompt, add_special_tokens=False).input_ids
        c = tokenizer(completion, add_special_tokens=False).input_ids
        assert list(example.input_ids) == p + c + [eos]
        assert list(example.labels) == [IGNORE_INDEX] * len(p) + c + [eos]
        assert example.labels[-1] == eos == tokenizer.pad_token_id  # EOS is a target, not masked as "pad"

    # Collation: padding is masked by position; the EOS of the shorter row stays labelled.
    short, long_ = sorted(built.examples, key=len)
    batch = CompletionCollator(pad_id=tokenizer.pad_token_id)([short, long_])
    n = len(short)
    assert batch["input_ids"].shape == (2, len(long_))
    assert batch["labels"][0, n - 1].item() == eos and batch["labels"][1, -1].item() == eos
    assert (batch["labels"][0, n:] == IGNORE_INDEX).all() and (batch["attention_mask"][0, n:] == 0).all()
    assert (batch["input_ids"][0, n:] == tokenizer.pad_token_id).all()
    assert batch["attention_mask"][1].all()
    assert batch["labels"][1].tolist() == list(long_.labels)


def test_truncation_and_dropping(tokenizer: Any) -> None:
    inst = CogexInstance.from_record(RECORDS[1])
    full = build_examples([inst], tokenizer, modes=("reasoner",)).examples[0]
    n_completion = full.completion_tokens
    cut = build_examples([inst], tokenizer, modes=("reasoner",), max_length=n_completion + 3)
    assert cut.truncated == 1 and cut.dropped == 0
    example = cut.examples[0]
    assert len(example) == n_completion + 3
    assert example.input_ids == full.input_ids[-len(example) :]  # prompt cut from the left
    assert example.labels[-n_completion:] == full.labels[-n_completion:]
    dropped = build_examples([inst], tokenizer, modes=("reasoner",), max_length=n_completion)
    assert dropped.examples == [] and dropped.dropped == 1
    with pytest.raises(ValueError, match="mode"):
        build_examples([inst], tokenizer, modes=("teacher",))


def test_split_is_by_instance_and_deterministic(tokenizer: Any) -> None:
    train, val = split_by_instance(20, 0.2, seed=7)
    assert (train, val) == split_by_instance(20, 0.2, seed=7)
    assert len(val) == 4 and sorted(train + val) == list(range(20))
    assert any(split_by_instance(20, 0.2, seed=s)[1] != val for s in range(8, 12))
    assert split_by_instance(20, 0.0, seed=7) == (list(range(20)), [])
    assert len(split_by_instance(3, 0.01, seed=1)[1]) == 1 and split_by_instance(1, 0.5, seed=1)[1] == []

    instances = [CogexInstance.from_record(r) for r in RECORDS]
    train, val = split_by_instance(len(instances), 0.25, seed=3)
    train_ex = build_examples([instances[i] for i in train], tokenizer, indices=train).examples
    val_ex = build_examples([instances[i] for i in val], tokenizer, indices=val).examples
    assert {e.instance_index for e in train_ex}.isdisjoint({e.instance_index for e in val_ex})
    assert sorted(e.instance_index for e in val_ex) == sorted(val * 2)  # both views of each held-out instance


def test_continuing_with_a_new_data_seed_keeps_the_validation_split(tokenizer: Any) -> None:
    from cogex.train.examples import InstanceSource
    from cogex.train.lora import _prepare_data

    source = InstanceSource([CogexInstance.from_record(r) for r in RECORDS], "records")
    first = _prepare_data(TrainConfig(val_fraction=0.25, seed=0), tokenizer, source)
    again = _prepare_data(TrainConfig(val_fraction=0.25, seed=5), tokenizer, source)  # new order, same split
    moved = _prepare_data(TrainConfig(val_fraction=0.25, seed=5, split_seed=5), tokenizer, source)
    assert again.val_idx == first.val_idx == split_by_instance(len(RECORDS), 0.25, seed=0)[1]
    assert moved.val_idx == split_by_instance(len(RECORDS), 0.25, seed=5)[1] != first.val_idx


def test_config_and_precision() -> None:
    config = TrainConfig()
    assert (config.lora_r, config.lora_alpha, config.lora_dropout, config.epochs, config.lr) == (16, 32, 0.05, 5.0, 3e-4)
    assert config.target_modules == ("q_proj", "k_proj", "v_proj", "o_proj")
    assert config.gradient_accumulation() == 8 and config.gradient_accumulation(world_size=4) == 2
    assert TrainConfig(batch_size=5).gradient_accumulation() == 7
    assert TrainConfig(grad_accum=3).gradient_accumulation() == 3
    with pytest.raises(TrainConfigError, match="fp16"):
        resolve_precision("fp16", "cpu")
    assert resolve_precision("auto", "cpu") in ("bf16", "fp32")
    assert resolve_precision("float32", "cpu") == "fp32"
    with pytest.raises(TrainConfigError):
        TrainConfig(val_fraction=1.0).validate()


# ----------------------------------------------------------------------------- real training


@pytest.mark.model
def test_real_training_lowers_perplexity(tmp_path: Path) -> None:
    import torch

    # One thread: somewhat slower on an idle 2-core machine, but ~5x faster than two threads when other
    # processes share the cores (spin-waiting BLAS threads). Restored at the end.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        _train_and_check(tmp_path)
    finally:
        torch.set_num_threads(threads)


def _train_and_check(tmp_path: Path) -> None:
    from cogex.models.loading import NO_ADAPTER, ModelSpec, load_model
    from cogex.train import train_lora, validation_perplexity

    data = _write_jsonl(tmp_path / "train.jsonl", RECORDS)
    out = tmp_path / "adapter"
    config = TrainConfig(
        data=str(data),
        output_dir=str(out),
        epochs=2,
        batch_size=4,
        effective_batch=4,
        lr=2e-3,
        warmup=0,
        val_fraction=0.3,
        max_length=256,
        seed=0,
        group_by_length=True,
        merge=True,
        progress=False,
        threads=1,
    )
    result = train_lora(config)

    # training ran and the loss went down
    assert result.n_train_instances == 8 and result.n_val_instances == 4
    assert result.n_train_examples == 16 and result.n_val_examples == 8 and result.dropped_examples == 0
    assert result.steps == 8 and len(result.train_losses) == 8
    first, last = result.train_losses[0]["loss"], result.train_losses[-1]["loss"]
    assert last < first, result.train_losses
    assert result.tokens_seen > 0 and result.tokens_per_second > 0

    # the best (lowest validation perplexity) adapter is saved, with a summary
    assert (out / "adapter_config.json").is_file() and (out / "adapter_model.safetensors").is_file()
    assert not (out / "training_args.bin").exists()
    assert json.loads((out / "adapter_config.json").read_text())["base_model_name_or_path"] == "HuggingFaceTB/SmolLM2-135M-Instruct"
    summary = json.loads((out / "training_summary.json").read_text())
    assert summary["data_hash"] == hashlib.sha256(data.read_bytes()).hexdigest()
    val_ppls = [h["val_perplexity"] for h in summary["history"]]
    assert summary["history"][0]["step"] == 0 and val_ppls[0] == pytest.approx(result.base_val_perplexity)
    assert [h["epoch"] for h in summary["history"][1:]] == [1.0, 2.0]
    progress = json.loads((out / "training_progress.json").read_text())  # rewritten after every evaluation
    assert progress["finished"] is True and progress["history"] == summary["history"]
    assert result.best_val_perplexity == pytest.approx(min(val_ppls[1:]))
    assert result.best_val_perplexity < result.base_val_perplexity

    # the saved adapter reloads and beats the base model on the training examples
    source = load_instances(data)
    train_idx, _ = split_by_instance(len(source.instances), 0.3, seed=0)
    base, tok = load_model(ModelSpec(adapter=NO_ADAPTER))
    examples = build_examples([source.instances[i] for i in train_idx], tok, max_length=256).examples
    base_ppl = validation_perplexity(base, tok, examples, batch_size=8)
    del base
    tuned, tok = load_model(ModelSpec(adapter=str(out)))
    tuned_ppl = validation_perplexity(tuned, tok, examples, batch_size=8)
    assert tuned_ppl < base_ppl * 0.8, (tuned_ppl, base_ppl)

    # the merged copy loads with --model and matches the adapter
    assert result.merged_path == str(out / "merged")
    merged, tok = load_model(ModelSpec(model=result.merged_path, adapter=NO_ADAPTER))
    merged_ppl = validation_perplexity(merged, tok, examples[:4], batch_size=4)
    assert merged_ppl == pytest.approx(validation_perplexity(tuned, tok, examples[:4], batch_size=4), rel=1e-3)


def _train_cli(data: Path, out: Path) -> list[str]:
    return ["cogex", "train", str(data), "-o", str(out), "--max-steps", "4", "--save-steps", "1", "--batch-size", "4",
            "--effective-batch", "4", "--max-length", "256", "--val-fraction", "0.3", "--eval-steps", "2",
            "--threads", "1", "--no-progress", "--lr", "2e-3"]


def _kill_after_checkpoint_2(command: list[str], run_dir: Path, env: dict[str, str]) -> None:
    """Start a training run and SIGKILL it once it has written its step-2 checkpoint."""
    import os
    import signal
    import subprocess

    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    marker = run_dir / "checkpoints" / "checkpoint-2" / "trainer_state.json"
    deadline = time.time() + 600
    while not marker.exists() and proc.poll() is None and time.time() < deadline:
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert marker.exists(), "the run never wrote checkpoint-2"


def test_resume_after_kill_matches_uninterrupted_run(tmp_path: Path) -> None:
    """`cogex train --resume` continues a run killed with SIGKILL from its last checkpoint (weights,
    optimiser, scheduler, data position, step) and ends with the same adapter and loss curve."""
    import os
    import subprocess

    from safetensors.torch import load_file

    data = _write_jsonl(tmp_path / "train.jsonl", RECORDS)
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    full = tmp_path / "full"
    subprocess.run(_train_cli(data, full), check=True, env=env, capture_output=True, timeout=600)

    cut = tmp_path / "cut"
    _kill_after_checkpoint_2(_train_cli(data, cut), cut, env)
    assert not (cut / "training_summary.json").exists()  # it really was interrupted before the end

    resumed = subprocess.run(["cogex", "train", "--resume", str(cut), "--no-progress", "--json"], env=env,
                             capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    a, b = json.loads((full / "training_summary.json").read_text()), json.loads((cut / "training_summary.json").read_text())
    assert b["steps"] == a["steps"] == 4
    assert [round(x["loss"], 5) for x in b["train_losses"]] == [round(x["loss"], 5) for x in a["train_losses"]]
    assert b["best_val_perplexity"] == pytest.approx(a["best_val_perplexity"], rel=1e-5)
    wa, wb = load_file(full / "adapter_model.safetensors"), load_file(cut / "adapter_model.safetensors")
    assert wa.keys() == wb.keys()
    assert all(float((wa[k].float() - wb[k].float()).abs().max()) < 1e-6 for k in wa)


def test_resume_with_a_new_max_steps_ends_the_run_there_with_the_schedule_decayed(tmp_path: Path) -> None:
    """A run started for 8 steps, killed after its step-2 checkpoint and resumed with --max-steps 4
    stops at step 4, with the linear rate of a 4-step schedule from step 4 on (step 3, the first
    after the resume, still uses the rate the old schedule had set at the checkpoint)."""
    import os
    import subprocess

    data = _write_jsonl(tmp_path / "train.jsonl", RECORDS)
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    cut = tmp_path / "cut"
    command = _train_cli(data, cut)
    command[command.index("--max-steps") + 1] = "8"
    _kill_after_checkpoint_2(command, cut, env)

    resumed = subprocess.run(["cogex", "train", "--resume", str(cut), "--max-steps", "4", "--no-progress", "--json"],
                             env=env, capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    summary = json.loads((cut / "training_summary.json").read_text())
    assert summary["steps"] == 4
    lrs = {row["step"]: row["lr"] for row in summary["train_losses"]}  # the rate each step used
    peak, warmup = 2e-3, 1  # --lr 2e-3; warmup 0.03 of the steps, rounded up
    assert lrs[2] == pytest.approx(peak)
    assert lrs[3] == pytest.approx(peak * (8 - 2) / (8 - warmup))  # set before the resume
    assert lrs[4] == pytest.approx(peak * (4 - 3) / (4 - warmup)), lrs  # the new 4-step schedule, not 8


def test_resume_errors_are_one_line(tmp_path: Path) -> None:
    import subprocess

    missing = subprocess.run(["cogex", "train", "--resume", str(tmp_path / "nope")], capture_output=True, text=True)
    assert missing.returncode != 0 and "training_progress.json not found" in missing.stderr + missing.stdout
    assert "Traceback" not in missing.stderr
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "training_progress.json").write_text(json.dumps({"config": {"output_dir": "x"}}))
    empty = subprocess.run(["cogex", "train", "--resume", str(tmp_path / "run")], capture_output=True, text=True)
    assert empty.returncode != 0 and "no checkpoint" in empty.stderr + empty.stdout
    assert "Traceback" not in empty.stderr
