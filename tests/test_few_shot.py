"""Few-shot CoGEX prompting: demonstrations in the prompt's own mode, retrieval, pass-through."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import pytest

from cogex import format as fmt
from cogex.generate.few_shot import FewShotBackend, seed_demonstrations, uses_few_shot
from cogex.generate.modes import emulate, reason
from cogex.models.backend import Backend, Completion, Conversation, GenerationConfig
from cogex.models.factory import adapter_in_use

DEMOS = [
    fmt.CogexInstance("Add the two numbers.", "2 3", "def add(a, b):\n    # Step 1: Add.\n    return {'answer': a + b}",
                      "add(2, 3)", {"answer": 5}),
    fmt.CogexInstance("Reverse the word.", "cat", "def rev(w):\n    # Step 1: Reverse.\n    return {'answer': w[::-1]}",
                      "rev('cat')", {"answer": "tac"}),
    fmt.CogexInstance("Count the vowels in the word.", "apple", "def vowels(w):\n    # Step 1: Count.\n    return {'answer': sum(c in 'aeiou' for c in w)}",
                      "vowels('apple')", {"answer": 2}),
]


class Recorder(Backend):
    identity = "recorder"

    def __init__(self) -> None:
        self.prompts: list[str] = []

    def generate(self, prompts: Sequence[str], config: GenerationConfig) -> list[Completion]:
        self.prompts.extend(prompts)
        return [Completion(text="") for _ in prompts]


def test_a_reasoner_prompt_gets_whole_demonstrations_chosen_by_its_instruction() -> None:
    inner = Recorder()
    reason(FewShotBackend(inner, k=1, pool=DEMOS), "Reverse the letters of the word.", ["dog"])
    (prompt,) = inner.prompts
    target = fmt.reasoner_prompt("Reverse the letters of the word.", "dog")
    assert prompt.endswith(target)
    shown = prompt[: -len(target)]
    assert "def rev(w)" in shown and ">>> rev('cat')" in shown and fmt.END_MARKER in shown  # the closest demo, whole
    assert "def add" not in shown


def test_an_emulator_prompt_gets_emulator_demonstrations() -> None:
    inner = Recorder()
    emulate(FewShotBackend(inner, k=2, pool=DEMOS), "Add the numbers.", "def f(a, b):\n    return {'answer': a + b}", ["4 5"])
    (prompt,) = inner.prompts
    first = prompt.split("\n\n")[0]
    assert first == fmt.emulator_prompt(DEMOS[0].instruction, DEMOS[0].input, DEMOS[0].program) + fmt.emulator_completion(DEMOS[0])
    assert prompt.endswith(fmt.emulator_prompt("Add the numbers.", "4 5", "def f(a, b):\n    return {'answer': a + b}"))


def test_programs_only_prompting_shows_demonstrations_to_the_reasoner_and_not_the_emulator() -> None:
    inner = Recorder()
    backend = FewShotBackend(inner, k=1, pool=DEMOS, reasoner_only=True)
    reason(backend, "Reverse the letters of the word.", ["dog"])
    program = "def f(a, b):\n    return {'answer': a + b}"
    emulate(backend, "Add the numbers.", program, ["4 5"])
    reasoner_prompt, emulator_prompt = inner.prompts
    assert "def rev(w)" in reasoner_prompt and reasoner_prompt.endswith(fmt.reasoner_prompt("Reverse the letters of the word.", "dog"))
    assert emulator_prompt == fmt.emulator_prompt("Add the numbers.", "4 5", program)  # exactly as trained
    assert backend.identity == "recorder|few-shot:k=1:bm25:programs"
    assert uses_few_shot("few-shot-programs", adapter_in_use=True)


def test_other_prompts_pass_through_and_the_identity_says_few_shot() -> None:
    inner = Recorder()
    backend = FewShotBackend(inner, k=2, pool=DEMOS, retrieve=False)
    backend.generate(["<|im_start|>user\nIs this positive?<|im_end|>"], GenerationConfig())
    assert inner.prompts == ["<|im_start|>user\nIs this positive?<|im_end|>"]
    assert backend.identity == "recorder|few-shot:k=2:fixed" != inner.identity
    # never the instruction itself as its own demonstration
    assert all(d.instruction != "Reverse the word." for d in FewShotBackend(inner, k=2, pool=DEMOS).demonstrations("Reverse the word."))


def test_auto_prompting_is_few_shot_exactly_without_a_cogex_adapter() -> None:
    assert adapter_in_use(None, None, "transformers")  # the embedded model gets the shipped adapter
    assert not adapter_in_use(None, "none", "transformers") and not adapter_in_use("org/model", None, "transformers")
    assert not adapter_in_use("served", None, "openai") and adapter_in_use("served", "cogex-lora", "openai")
    assert uses_few_shot("auto", adapter_in_use=False) and not uses_few_shot("auto", adapter_in_use=True)
    assert uses_few_shot("few-shot", adapter_in_use=True) and not uses_few_shot("trained", adapter_in_use=False)
    with pytest.raises(ValueError, match="unknown prompting"):
        uses_few_shot("zero", adapter_in_use=False)


def test_the_seed_pool_holds_short_parseable_demonstrations() -> None:
    pool = seed_demonstrations()
    assert len(pool) >= 100
    for demo in pool[:50]:
        parsed = fmt.parse_reasoner(fmt.reasoner_completion(demo))
        assert parsed.ok and parsed.answer == fmt.safe_literal(demo.code_output)["answer"]


class ChatRecorder(Recorder):
    """A chat backend (an OpenAI-compatible server in chat mode) that records what it is sent."""

    identity = "chat-recorder"

    def takes_turns(self) -> bool:
        return True


def test_a_chat_backend_gets_the_demonstrations_as_earlier_exchanges() -> None:
    inner = ChatRecorder()
    reason(FewShotBackend(inner, k=2, pool=DEMOS), "Reverse the letters of the word.", ["dog"])
    (prompt,) = inner.prompts
    assert isinstance(prompt, Conversation)
    assert [m["role"] for m in prompt.messages()] == ["user", "assistant", "user", "assistant", "user"]
    demo = DEMOS[1]  # the closest instruction comes first
    assert prompt.turns[:2] == (fmt.reasoner_prompt(demo.instruction, demo.input), fmt.reasoner_completion(demo))
    assert prompt.turns[-1] == fmt.reasoner_prompt("Reverse the letters of the word.", "dog")


def test_shared_prefix_emulation_on_a_chat_backend_sends_whole_conversations() -> None:
    inner = ChatRecorder()
    program = "def f(a, b):\n    return {'answer': a + b}"
    emulate(FewShotBackend(inner, k=1, pool=DEMOS), "Add the numbers.", program, ["4 5", "1 2"])
    assert len(inner.prompts) == 2 and all(isinstance(p, Conversation) for p in inner.prompts)
    assert [p.turns[-1] for p in inner.prompts] == [fmt.emulator_prompt("Add the numbers.", x, program) for x in ("4 5", "1 2")]
    assert inner.prompts[0].turns[1] == fmt.emulator_completion(DEMOS[0])  # an emulator demonstration
    # As a string (cache key) a conversation differs from the same text sent as one prompt.
    assert str(inner.prompts[0]) != "".join(inner.prompts[0].turns)


def test_a_conversation_must_end_with_a_user_turn() -> None:
    with pytest.raises(ValueError, match="ends with a user turn"):
        Conversation(["question", "answer"])


def test_conversations_pass_through_the_call_cache_as_turns(tmp_path: Path) -> None:
    """The cache sits between few-shot and the server: it must hand the Conversation itself on
    (not its text), and a second identical request must come from the cache."""
    from cogex.models.call_cache import CachedBackend

    inner = ChatRecorder()
    backend = FewShotBackend(CachedBackend(inner, tmp_path / "calls.sqlite"), k=1, pool=DEMOS)
    assert backend.takes_turns()  # forwarded through both wrappers
    reason(backend, "Reverse the letters of the word.", ["dog"])
    reason(backend, "Reverse the letters of the word.", ["dog"])
    assert len(inner.prompts) == 1 and isinstance(inner.prompts[0], Conversation)
