"""The embedded model and the transformers backend, with the real weights (short generations)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cogex import format as fmt
from cogex.models.backend import GenerationConfig, cut_at_stop, prompt_seed
from cogex.models.embedded import ModelLoadError, embedded_gguf_path
from cogex.models.loading import ModelSpec, load_model, model_identity

pytestmark = pytest.mark.model

PROGRAM = "def sort_words(words):\n    # Step 1: Sort the words.\n    s = sorted(words)\n    return {'sorted': s, 'answer': ' '.join(s)}"


def test_embedded_gguf_is_found() -> None:
    path = embedded_gguf_path()
    assert path.name == "SmolLM2-135M-Instruct.Q4_1.gguf" and path.stat().st_size > 50_000_000


def test_model_errors_are_clear(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="GGUF file not found"):
        load_model(ModelSpec(model=str(tmp_path / "missing.gguf")))
    with pytest.raises(ModelLoadError, match="not a model folder"):
        load_model(ModelSpec(model=str(tmp_path)))
    with pytest.raises(ModelLoadError, match="Adapter not found"):
        load_model(ModelSpec(adapter=str(tmp_path)))
    with pytest.raises(ModelLoadError, match="Model path not found"):
        load_model(ModelSpec(model="./no/such/model"))
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "bert"}))
    with pytest.raises(ModelLoadError):
        load_model(ModelSpec(model=str(tmp_path)))


def test_unreachable_hub_fails_fast(monkeypatch) -> None:
    import time

    monkeypatch.setenv("COGEX_NO_HUB", "1")
    start = time.monotonic()
    with pytest.raises(ModelLoadError, match="Hub is not reachable"):
        load_model(ModelSpec(model="someorg/no-such-model"))
    assert time.monotonic() - start < 10


def test_identity_names_model_and_adapter() -> None:
    assert model_identity(ModelSpec(adapter="none")).startswith("SmolLM2-135M-Instruct|float32")
    assert "adapter" not in model_identity(ModelSpec(adapter="none"))


def test_adapter_identity_ignores_the_model_card(tmp_path: Path) -> None:
    adapter = tmp_path / "adapter"
    adapter.mkdir()
    (adapter / "adapter_config.json").write_text("{}")
    (adapter / "adapter_model.safetensors").write_bytes(b"weights")
    (adapter / "README.md").write_text("card v1")
    before = model_identity(ModelSpec(adapter=str(adapter)))
    (adapter / "README.md").write_text("card v2, with new numbers")
    (adapter / "report.json").write_text("{}")
    assert model_identity(ModelSpec(adapter=str(adapter))) == before
    (adapter / "adapter_model.safetensors").write_bytes(b"other weights")
    assert model_identity(ModelSpec(adapter=str(adapter))) != before


def test_greedy_matches_transformers_generate(embedded_backend) -> None:
    prompt = fmt.reasoner_prompt("Sort the words alphabetically.", "pear apple fig")
    ours = embedded_backend.generate([prompt], GenerationConfig(max_new_tokens=24))[0]
    tok, model = embedded_backend.tokenizer, embedded_backend.model
    ids = tok(prompt, return_tensors="pt", add_special_tokens=False)
    ref = model.generate(**ids, max_new_tokens=24, do_sample=False, pad_token_id=tok.pad_token_id)
    assert ours.text == tok.decode(ref[0, ids.input_ids.shape[1]:], skip_special_tokens=True)
    assert ours.completion_tokens == 24 and ours.finish_reason == "length"


def test_batched_left_padding_matches_single(embedded_backend) -> None:
    prompts = ["### Instruction:\nName a fruit.\n### Program:\n", "### Instruction:\nWhat is two plus two? Think about it carefully.\n### Program:\n"]
    config = GenerationConfig(max_new_tokens=16)
    batched = embedded_backend.generate(prompts, config)
    single = [embedded_backend.generate([p], config)[0] for p in prompts]
    assert [c.text for c in batched] == [c.text for c in single]


def test_sampling_depends_on_prompt_and_seed_not_batch(embedded_backend) -> None:
    prompts = ["### Instruction:\nWrite a word.\n### Program:\n", "### Instruction:\nCount to three.\n### Program:\n"]
    config = GenerationConfig(max_new_tokens=12, temperature=0.9, seed=7)
    forward = embedded_backend.generate(prompts, config)
    backward = embedded_backend.generate(prompts[::-1], config)
    assert [c.text for c in forward] == [c.text for c in backward[::-1]]
    other_seed = embedded_backend.generate(prompts, config.with_(seed=8))
    assert [c.text for c in other_seed] != [c.text for c in forward]
    assert prompt_seed(7, prompts[0]) != prompt_seed(8, prompts[0])


def test_shared_prefix_reuse_gives_identical_greedy_outputs(embedded_backend) -> None:
    prefix = fmt.emulator_prefix("Sort the words alphabetically.", PROGRAM)
    suffixes = [fmt.emulator_suffix(x) for x in ["pear apple", "zebra dog cat mouse owl", "b a"]]
    config = GenerationConfig(max_new_tokens=20, stop=fmt.STOP_STRINGS)
    before = embedded_backend.usage()
    reused = embedded_backend.generate_shared_prefix(prefix, suffixes, config)
    reused_tokens = embedded_backend.usage()["prompt_tokens_reused"] - before["prompt_tokens_reused"]
    plain = embedded_backend.generate_segments(prefix, suffixes, config)
    assert [c.text for c in reused] == [c.text for c in plain]
    assert reused_tokens > 0


def test_grouped_prefixes_in_one_batch_give_the_same_greedy_outputs(embedded_backend) -> None:
    # Two programs (prefixes of different lengths) over their items, decoded in shared batches,
    # must give what each program gives on its own.
    other = "def count_words(text):\n    # Step 1: Split and count.\n    return {'answer': len(text.split())}"
    groups = [
        (fmt.emulator_prefix("Sort the words alphabetically.", PROGRAM), [fmt.emulator_suffix(x) for x in ["pear apple", "b a"]]),
        (fmt.emulator_prefix("Count the words.", other), [fmt.emulator_suffix(x) for x in ["one two three", "a b", "x"]]),
    ]
    config = GenerationConfig(max_new_tokens=16, stop=fmt.STOP_STRINGS)
    grouped = embedded_backend.generate_grouped(groups, config)
    alone = [embedded_backend.generate_shared_prefix(prefix, suffixes, config) for prefix, suffixes in groups]
    assert [[c.text for c in g] for g in grouped] == [[c.text for c in g] for g in alone]
    assert [len(g) for g in grouped] == [2, 3]


def test_finished_rows_are_replaced_at_once_and_outputs_do_not_change(embedded_backend) -> None:
    """Continuous batching: with 2 live rows and 6 queued, a row that finishes is replaced before
    the next decode step (every decode step before the last admission runs 2 rows), and each
    row's text is what it gives alone, with and without shared prefixes."""
    from cogex.models.transformers_backend import TransformersBackend

    backend = TransformersBackend(embedded_backend.model, embedded_backend.tokenizer, batch_size=2)
    forwards: list[tuple[int, int]] = []  # (rows, tokens per row) of every forward pass
    real_model = backend.model

    class Recording:
        config = real_model.config

        def __call__(self, **kwargs):
            forwards.append(tuple(kwargs["input_ids"].shape))
            return real_model(**kwargs)

    prompts = ["The capital of France is", "1, 2, 3,", "def add(a, b):\n", "A list of colours: red,", "Hello", "x = [1, 2"]
    config = GenerationConfig(max_new_tokens=14, stop=("\n", "."))
    alone = [backend.generate([p], config)[0] for p in prompts]
    assert len({c.completion_tokens for c in alone}) > 1  # rows really finish at different steps
    backend.model = Recording()
    try:
        together = backend.generate(prompts, config)
        prefill_at = [i for i, (_, width) in enumerate(forwards) if width > 1]
        decode_rows = [rows for i, (rows, width) in enumerate(forwards) if width == 1 and i < prefill_at[-1]]
        assert len(prefill_at) >= 3 and decode_rows and all(rows == 2 for rows in decode_rows)
        prefix = fmt.emulator_prefix("Sort the words alphabetically.", PROGRAM)
        suffixes = [fmt.emulator_suffix(x) for x in ["pear apple", "zebra dog cat mouse owl", "b a", "fig", "c b a d"]]
        emulate = GenerationConfig(max_new_tokens=20, stop=fmt.STOP_STRINGS)
        shared = backend.generate_shared_prefix(prefix, suffixes, emulate)
    finally:
        backend.model = real_model
    assert [c.text for c in together] == [c.text for c in alone]
    assert [(c.finish_reason, c.completion_tokens) for c in together] == [(c.finish_reason, c.completion_tokens) for c in alone]
    assert [c.text for c in shared] == [c.text for c in backend.generate_segments(prefix, suffixes, emulate)]


def test_stop_strings_cut_the_text(embedded_backend) -> None:
    config = GenerationConfig(max_new_tokens=40, stop=("\n",))
    completion = embedded_backend.generate(["Here is a list of three colours:\n1."], config)[0]
    assert "\n" not in completion.text
    assert cut_at_stop("abc### Endxyz", ("### End",)) == ("abc", True)


def test_cli_ask_json_returns_parsed_result_or_named_failure(tmp_path: Path) -> None:
    env = {**os.environ, "COGEX_CALL_CACHE": str(tmp_path / "calls.sqlite")}
    cmd = [sys.executable, "-m", "cogex", "ask", "Sort the words alphabetically.", "--input", "pear apple fig",
           "--json", "--max-new-tokens", "96"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env)
    assert done.returncode in (0, 1), done.stderr[-2000:]
    data = json.loads(done.stdout)
    assert done.returncode == (0 if data["error"] is None else 1)  # exit 1 = no answer, JSON still printed
    assert set(data) == {"program", "call", "output", "answer", "error", "path", "attempts"}
    valid = {None} | {f.value for f in fmt.Failure}
    assert data["error"] in valid
    assert 1 <= data["attempts"] <= 3  # default --retries 2
    if data["attempts"] > 1:
        assert data["error"] is None or data["attempts"] == 3  # retried only while malformed
    if data["error"] is None:
        assert isinstance(data["output"], dict) and "answer" in data["output"]
    assert "Traceback" not in done.stderr


def test_cli_ask_with_program_runs_emulator_mode(tmp_path: Path) -> None:
    program = tmp_path / "prog.py"
    program.write_text(PROGRAM)
    env = {**os.environ, "COGEX_CALL_CACHE": str(tmp_path / "calls.sqlite")}
    cmd = [sys.executable, "-m", "cogex", "ask", "Sort the words alphabetically.", "--input", "pear apple",
           "--program", str(program), "--json", "--max-new-tokens", "64"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env)
    assert done.returncode in (0, 1), done.stderr[-2000:]
    data = json.loads(done.stdout)
    assert done.returncode == (0 if data["error"] is None else 1)
    assert data["program"] == PROGRAM
    assert data["error"] in {None} | {f.value for f in fmt.Failure}


def test_cli_reports_missing_model_without_traceback(tmp_path: Path) -> None:
    cmd = [sys.executable, "-m", "cogex", "ask", "hi", "--model", str(tmp_path / "nope.gguf"), "--no-cache"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1
    assert "GGUF file not found" in done.stderr and "Traceback" not in done.stderr


def test_watch_tokens_reports_every_decode_step_as_it_happens(embedded_backend) -> None:
    steps: list[int] = []
    embedded_backend.watch_tokens(steps.append)
    try:
        out = embedded_backend.generate(["Count: 1, 2, 3,", "The capital of France is"], GenerationConfig(max_new_tokens=12))
    finally:
        embedded_backend.watch_tokens(None)
    generated = sum(c.completion_tokens for c in out)
    assert len(steps) >= max(c.completion_tokens for c in out)  # at least one report per decode step
    assert generated <= sum(steps) <= generated + len(out)  # a row's final end-of-text step counts too
    assert steps[0] == 2  # both rows were generating at the first step
