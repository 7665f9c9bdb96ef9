"""The sandbox executor's orchestration with a scripted model: call lines, oracle rounds for
helper calls, fallback emulation and the round budget, all deterministic."""

from __future__ import annotations

from typing import Sequence

from cogex import format as fmt
from cogex.execute.executors import PATH_FALLBACK, PATH_HYBRID, SandboxExecutor, make_executor
from cogex.models.backend import Backend, Completion, GenerationConfig

PROGRAM = (
    "def describe(word):\n"
    "    # Step 1: ask two helpers, one after the other.\n"
    "    kind = classify_word(word)\n"
    "    size = count_letters(word)\n"
    "    return {'kind': kind, 'size': size, 'answer': f'{kind}-{size}'}\n"
)


class Scripted(Backend):
    """Writes call lines, helper values and emulations from fixed rules; records every request."""

    identity = "scripted"

    def __init__(self) -> None:
        self.requests: list[tuple[str, int]] = []  # (kind, prompts)

    def generate(self, prompts: Sequence[str], config: GenerationConfig) -> list[Completion]:
        out = []
        for prompt in prompts:
            if prompt.endswith("{'answer': "):  # a helper call put to the model
                kind = "helper"
                call = prompt.rsplit(fmt.OUTPUT_HEADER, 1)[0].strip().splitlines()[-1].removeprefix(fmt.CALL_PROMPT)
                word = call.split("'")[1]
                text = "'fruit'}" if call.startswith("classify_word") else f"{len(word) * 10}}}"
            elif config.stop == ("\n",):  # a call line
                kind = "call"
                word = prompt.rsplit(fmt.CALL_PROMPT, 1)[0].strip().splitlines()[-1]
                text = "no call here" if word == "broken" else f"describe({word!r})"
            else:  # a whole emulation (the fallback)
                kind = "emulate"
                text = f"describe('broken')\n{fmt.OUTPUT_HEADER}\n{{'answer': 'emulated'}}\n{fmt.END_MARKER}"
            out.append(Completion(text=text))
        self.requests.append((kind, len(prompts)))
        return out


def test_helper_calls_are_answered_round_by_round_and_flow_through_real_execution() -> None:
    model = Scripted()
    results = SandboxExecutor(model, hybrid=True).run("Describe the word.", PROGRAM, ["apple", "fig", "broken"])
    apple, fig, broken = results
    # The sandbox really ran: the helper values the model gave were combined by the program.
    assert (apple.answer, apple.path, apple.helper_calls) == ("fruit-50", PATH_HYBRID, 2)
    assert fig.output == {"kind": "fruit", "size": 30, "answer": "fruit-30"}
    # No call line for the third item: it falls back to emulation, and says why.
    assert (broken.answer, broken.path, broken.exec_error) == ("emulated", PATH_FALLBACK, "no_call")
    # One batched request per step: call lines, then one round per helper (both items together),
    # then the fallback; a known helper value is never asked for twice.
    assert model.requests == [("call", 3), ("helper", 2), ("helper", 2), ("emulate", 1)]


def test_a_program_still_waiting_after_the_last_round_is_over_budget_and_never_emulated() -> None:
    model = Scripted()
    (result,) = SandboxExecutor(model, hybrid=True, max_rounds=1).run("Describe the word.", PROGRAM, ["apple"])
    assert result.error == "budget_exceeded" and "after 1 rounds" in result.detail
    assert [kind for kind, _ in model.requests] == ["call", "helper"]  # no emulation of a budget failure


def test_the_python_executor_fails_an_undefined_helper_and_falls_back_only_with_fallback_on() -> None:
    model = Scripted()
    (strict,) = make_executor("python", model, fallback=False).run("Describe the word.", PROGRAM, ["apple"])
    assert (strict.error, strict.exec_error) == ("undefined_name", "undefined_name") and "classify_word" in strict.detail
    (fallen,) = make_executor("python", model).run("Describe the word.", PROGRAM, ["apple"])
    assert (fallen.path, fallen.answer, fallen.exec_error) == (PATH_FALLBACK, "emulated", "undefined_name")


class Resampled(Backend):
    """First attempt: a program that does not parse; every later attempt: a good one."""

    identity = "resampled"
    GOOD = "def f(text):\n    # Step 1: Echo.\n    return {'answer': text}\n>>> f('x')\n### Output:\n{'answer': 'x'}\n### End"
    BAD = "def f(text:\n    return {'answer': text}\n>>> f('x')\n### Output:\n{'answer': 'x'}\n### End"

    def generate(self, prompts: Sequence[str], config: GenerationConfig) -> list[Completion]:
        first = config.seed % 1000 == 0
        return [Completion(text=self.BAD if first else self.GOOD) for _ in prompts]


def test_a_resampled_valid_program_replaces_an_unparseable_first_attempt_and_only_valid_ones_are_ranked() -> None:
    from cogex.search.cotacs import SearchSettings, propose, rank
    from cogex.tasks import Example, Task

    task = Task(name="echo", instruction="Repeat the text.", answer_format="text", labels=None, search_note="",
                loader=lambda split: [])
    items = [Example(str(i), f"w{i}", f"w{i}") for i in range(3)]
    model = Resampled()
    once = propose(model, task, items[:2], SearchSettings(n_generate=2, max_resamples=0), make_executor("python", model))
    assert [c.valid for c in once] == [False, False] and all(c.program for c in once)  # the text is kept to inspect
    assert rank(task, once, items[2:], SearchSettings(executor="python"), make_executor("python", model)) == []
    twice = propose(model, task, items[:2], SearchSettings(n_generate=2, max_resamples=1), make_executor("python", model))
    assert [(c.valid, c.attempts) for c in twice] == [(True, 2), (True, 2)]
    ranked = rank(task, twice, items[2:], SearchSettings(executor="python", bindings=("text",)), make_executor("python", model))
    assert [c.rank_score for c in ranked] == [1.0]  # one distinct program, right on the ranking item


def test_propose_reports_progress_per_batch_and_its_candidates_do_not_depend_on_the_batching() -> None:
    from cogex.search.cotacs import SearchSettings, propose
    from cogex.tasks import Example, Task

    task = Task(name="echo", instruction="Repeat the text.", answer_format="text", labels=None, search_note="",
                loader=lambda split: [])
    items = [Example(str(i), f"w{i}", f"w{i}") for i in range(5)]
    model = Resampled()
    settings = SearchSettings(n_generate=5, max_resamples=1)
    seen: list[tuple[str, int, int]] = []
    small = propose(model, task, items, settings, make_executor("python", model), progress=lambda *a: seen.append(a),
                    prompts_per_call=2)
    whole = propose(model, task, items, settings, make_executor("python", model), prompts_per_call=16)
    assert [c.to_json() for c in small] == [c.to_json() for c in whole]
    # attempt 1: three calls (2+2+1 items), nothing final; attempt 2: three calls finish 2, 4, 5 items
    assert seen == [("propose", 0, 5)] * 3 + [("propose", 2, 5), ("propose", 4, 5), ("propose", 5, 5)]
