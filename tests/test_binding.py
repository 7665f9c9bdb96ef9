"""Input bindings: which function a program is called through, the calls they build, and that the
built calls really run in the sandbox with no model call."""

from __future__ import annotations

import ast
from dataclasses import replace
from typing import Sequence

import pytest

from cogex.execute.binding import applies, bound_calls, check_bindings, entry_function, takes_one_argument
from cogex.execute.executors import EmulateExecutor, SandboxExecutor, make_executor, with_binding
from cogex.models.backend import Backend, Completion, GenerationConfig
from cogex.search import Program
from cogex.search.apply import apply_program
from cogex.search.cotacs import Candidate, SearchSettings, choose
from cogex.tasks import Example
from cogex.tasks.base import Task

SORT_TEXT = '''def alphabet_sort(words):
    """Sort the words of a text."""
    # Step 1: Split the text.
    parts = words.split()
    # Step 2: Sort them.
    ordered = sorted(parts)
    return {'ordered': ordered, 'answer': ' '.join(ordered)}'''

SORT_LIST = '''def sort_words(words):
    """Sort a list of words."""
    # Step 1: Sort.
    ordered = sorted(words, key=lambda w: w.lower())
    return {'answer': ' '.join(ordered)}'''


class NoModel(Backend):
    """A backend that fails the test if anything asks it for text."""

    identity = "no-model"

    def generate(self, prompts: Sequence[str], config: GenerationConfig) -> list[Completion]:
        raise AssertionError(f"unexpected model call: {prompts[:1]}")


def _fn(src: str) -> ast.FunctionDef:
    node = ast.parse(src).body[0]
    assert isinstance(node, ast.FunctionDef)
    return node


def test_entry_function_skips_helpers_the_main_function_calls() -> None:
    program = "def helper(x):\n    return x\n\ndef main(text):\n    return {'answer': helper(text)}"
    assert entry_function(program).name == "main"  # type: ignore[union-attr]
    assert entry_function(SORT_TEXT).name == "alphabet_sort"  # type: ignore[union-attr]
    assert entry_function("import re\nx = 1") is None
    assert entry_function("def broken(:\n") is None
    recursive = "def walk(n):\n    return walk(n - 1) if n else {'answer': 0}"
    assert entry_function(recursive).name == "walk"  # type: ignore[union-attr]


@pytest.mark.parametrize(("signature", "expected"), [
    ("def f(a): pass", True),
    ("def f(a, b=2): pass", True),
    ("def f(a=1, b=2): pass", True),
    ("def f(*args): pass", True),
    ("def f(): pass", False),
    ("def f(a, b): pass", False),
    ("def f(a, *, key): pass", False),
    ("def f(a, *, key=1): pass", True),
])
def test_takes_one_argument(signature: str, expected: bool) -> None:
    assert takes_one_argument(_fn(signature)) is expected


def test_bound_calls_are_exact_python_literals_of_the_input() -> None:
    text = "it's \"quoted\"\\ and\nnew line"
    [call] = bound_calls(SORT_TEXT, [text], "text")
    node = ast.parse(call, mode="eval").body  # type: ignore[arg-type]
    assert isinstance(node, ast.Call) and ast.literal_eval(node.args[0]) == text
    [words] = bound_calls(SORT_LIST, ["b  a\tc"], "words")
    assert words == "sort_words(['b', 'a', 'c'])"
    assert bound_calls("def f(a, b):\n    return a", ["x", "y"], "text") == [None, None]
    assert applies("def f(a, b):\n    return a", "model") and not applies("def f(a, b):\n    return a", "words")
    with pytest.raises(ValueError):
        bound_calls(SORT_TEXT, ["x"], "model")


def test_check_bindings_rejects_unknown_and_empty() -> None:
    assert check_bindings(["text", "model", "text"]) == ("text", "model")
    with pytest.raises(ValueError, match="unknown binding"):
        check_bindings(["text", "tokens"])
    with pytest.raises(ValueError):
        check_bindings([])


def test_text_and_words_bindings_run_in_the_sandbox_without_the_model() -> None:
    inputs = ["thrill splutter panicking", "it's quoted \"so\" b a"]
    text = SandboxExecutor(NoModel(), hybrid=False, fallback=False, binding="text").run("Sort.", SORT_TEXT, inputs)
    assert [r.answer for r in text] == ["panicking splutter thrill", "\"so\" a b it's quoted"]
    assert all(r.path == "python" and r.call.startswith("alphabet_sort(") for r in text)  # type: ignore[union-attr]
    words = SandboxExecutor(NoModel(), hybrid=False, fallback=False, binding="words").run("Sort.", SORT_LIST, inputs[:1])
    assert words[0].answer == "panicking splutter thrill"
    # A program the binding cannot call is a counted failure, not a crash.
    two = SandboxExecutor(NoModel(), hybrid=False, fallback=False, binding="text").run("Sort.", "def f(a, b):\n    return a", ["x"])
    assert not two[0].ok and two[0].error == "no_call"


def test_with_binding_and_make_executor() -> None:
    sandbox = make_executor("python", NoModel(), binding="words")
    assert isinstance(sandbox, SandboxExecutor) and sandbox.binding == "words" and sandbox.name == "python"
    text = with_binding(sandbox, "text")
    assert isinstance(text, SandboxExecutor) and text.binding == "text" and not text.hybrid and sandbox.binding == "words"
    emulate = make_executor("emulate", NoModel())
    assert with_binding(emulate, "model") is emulate and isinstance(emulate, EmulateExecutor)
    with pytest.raises(ValueError, match="writes its own call"):
        with_binding(emulate, "text")
    with pytest.raises(ValueError, match="unknown binding"):
        SandboxExecutor(NoModel(), binding="tokens")


def test_choose_keeps_distinct_programs_each_with_its_best_binding() -> None:
    def cand(program: str, binding: str, score: float) -> Candidate:
        c = Candidate(0, program, "item", 1, "Sort.", binding=binding)
        c.rank_correct, c.rank_score = [score > 0.5] * 2, score
        return c

    ranked = [cand("A", "model", 0.2), cand("A", "text", 0.9), cand("B", "words", 0.8), cand("B", "text", 0.7),
              cand("C", "model", 0.1)]
    chosen = choose(ranked, SearchSettings(k=3, executor="python"), n_rank=2)
    assert [(c.program, c.binding) for c in chosen] == [("A", "text"), ("B", "words"), ("C", "model")]
    assert SearchSettings(executor="emulate").ranked_bindings() == ("model",)
    assert SearchSettings(executor="hybrid").ranked_bindings() == ("model", "text", "words")


def test_apply_uses_each_programs_binding() -> None:
    task = Task(name="sorting", instruction="Sort the words.", answer_format="text", labels=None, search_note="",
                loader=lambda split: [])
    program = Program.from_json({"task": "sorting", "instruction": task.instruction, "settings": {"executor": "python"},
                                 "programs": [{"program": SORT_TEXT, "binding": "text"}]})
    items = [Example("0", "pear apple fig", "apple fig pear"), Example("1", "b a", "a b")]
    applied = apply_program(NoModel(), program, items, task)
    assert applied["accuracy"] == 1.0 and applied["bindings"] == ["text"]
    assert applied["paths"] == {"python": 2}


@pytest.mark.parametrize("command", ["search", "eval"])
def test_cli_rejects_an_unknown_binding_before_loading_a_model(command: str) -> None:
    import subprocess
    import sys

    args = [sys.executable, "-m", "cogex", command] + (["sum"] if command == "search" else ["--tasks", "sum"])
    done = subprocess.run(args + ["--bindings", "model,tokens"], capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "unknown binding(s) 'tokens'" in done.stdout + done.stderr


def test_a_failed_run_under_a_built_binding_is_not_emulated() -> None:
    # With fallback on, the model binding would emulate a failed item; a built binding must not
    # (NoModel fails the test on any model call).
    failing = "def f(text):\n    return {'answer': text.nope()}"
    [result] = SandboxExecutor(NoModel(), hybrid=False, fallback=True, binding="text").run("Do.", failing, ["x"])
    assert not result.ok and result.path == "python" and result.error == "runtime_error"


def test_rank_scores_every_program_with_every_binding_that_applies() -> None:
    from cogex.search.cotacs import rank

    task = Task(name="sorting", instruction="Sort the words.", answer_format="text", labels=None, search_note="",
                loader=lambda split: [])
    items = [Example("0", "pear apple fig", "apple fig pear"), Example("1", "bee cat ant", "ant bee cat")]
    two_args = "def f(a, b):\n    return {'answer': a}"
    candidates = [Candidate(i, p, "item", 1, task.instruction) for i, p in enumerate([SORT_TEXT, SORT_LIST, two_args])]
    settings = SearchSettings(executor="python", bindings=("text", "words"), k=2)
    seen: list[tuple[str, int, int]] = []
    ranked = rank(task, candidates, items, settings, SandboxExecutor(NoModel(), hybrid=False),
                  progress=lambda stage, done, total: seen.append((stage, done, total)))
    # Progress counts (program, binding) x item runs: 4 pairs x 2 items, from 0 to the plan.
    runs = [row for row in seen if row[0] == "rank"]
    assert runs[0] == ("rank", 0, 8) and runs[-1] == ("rank", 8, 8)
    assert [done for _, done, _ in runs] == sorted(done for _, done, _ in runs)
    assert ("alive", 4, 4) in seen  # exhaustive ranking keeps every (program, binding) pair
    scores = {(c.program, c.binding): c.rank_score for c in ranked}
    assert scores == {(SORT_TEXT, "text"): 1.0, (SORT_TEXT, "words"): 0.0, (SORT_LIST, "text"): 0.0, (SORT_LIST, "words"): 1.0}
    chosen = choose(ranked, settings, n_rank=2)
    assert {(c.program, c.binding) for c in chosen} == {(SORT_TEXT, "text"), (SORT_LIST, "words")}


def test_equal_accuracy_goes_to_the_program_that_answers_with_a_label() -> None:
    from cogex.search.cotacs import rank

    task = Task(name="mood", instruction="Is the review positive or negative?", answer_format="label",
                labels=("positive", "negative"), search_note="", loader=lambda split: [])
    items = [Example(str(i), f"review {i}", "positive") for i in range(4)]
    crash = "def f(text):\n    return {'answer': text.nope()}"
    wrong_label = "def f(text):\n    return {'answer': 'negative'}"
    not_a_label = "def f(text):\n    return {'answer': 'banana'}"
    candidates = [Candidate(i, p, "item", 1, task.instruction) for i, p in enumerate([crash, wrong_label, not_a_label])]
    picks = {}
    for tie_break in ("answered", "random"):
        settings = SearchSettings(executor="python", bindings=("text",), tie_break=tie_break)
        ranked = rank(task, candidates, items, settings, SandboxExecutor(NoModel(), hybrid=False))
        assert {c.rank_score for c in ranked} == {0.0}  # all wrong on every item
        answered = {c.program: c.rank_answered for c in ranked}
        assert answered == {crash: [False] * 4, wrong_label: [True] * 4, not_a_label: [False] * 4}
        picks[tie_break] = {choose(ranked, replace(settings, seed=s), n_rank=4)[0].program for s in range(12)}
    assert picks["answered"] == {wrong_label}
    assert len(picks["random"]) > 1  # without the tie-break the choice is left to chance
