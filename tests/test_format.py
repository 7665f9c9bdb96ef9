"""The CoGEX format: prompts, schema round trips and parsing of well-formed, broken and hostile completions."""

from __future__ import annotations

import time

import pytest

from cogex import format as fmt
from cogex.format import Failure

PROGRAM = '''def sort_words(words):
    """Sort words alphabetically."""
    # Step 1: Sort the words.
    sorted_words = sorted(words)
    # Step 2: Join them.
    return {'sorted_words': sorted_words, 'answer': ' '.join(sorted_words)}'''

GOOD = f"""{PROGRAM}
>>> sort_words(['pear', 'apple'])
### Output:
{{'sorted_words': ['apple', 'pear'], 'answer': 'apple pear'}}
### End"""


def test_reasoner_prompt_layout_and_completion_round_trip() -> None:
    prompt = fmt.reasoner_prompt("Sort the words.", "pear apple")
    assert prompt == "### Instruction:\nSort the words.\n### Input:\npear apple\n### Program:\n"
    assert "### Input" not in fmt.reasoner_prompt("Name a colour.")
    inst = fmt.CogexInstance("Sort the words.", "pear apple", PROGRAM, "sort_words(['pear', 'apple'])",
                             {"sorted_words": ["apple", "pear"], "answer": "apple pear"})
    parsed = fmt.parse_reasoner(fmt.reasoner_completion(inst))
    assert parsed.ok and parsed.answer == "apple pear" and parsed.program == PROGRAM


def test_emulator_prompt_puts_program_before_input() -> None:
    prompt = fmt.emulator_prompt("Sort.", "b a", PROGRAM)
    assert prompt.index("### Program:") < prompt.index("### Input:")
    assert prompt.startswith(fmt.emulator_prefix("Sort.", PROGRAM))
    assert prompt.endswith(">>> ")


def test_public_schema_round_trip() -> None:
    record = {
        "instruction": "Sort the words.",
        "input": "pear apple",
        "code_prompt": PROGRAM + "\n>>> sort_words(['pear', 'apple'])",
        "code_output": "{'sorted_words': ['apple', 'pear'], 'answer': 'apple pear'}",
    }
    inst = fmt.CogexInstance.from_record(record)
    assert inst.call == "sort_words(['pear', 'apple'])"
    assert inst.output == {"sorted_words": ["apple", "pear"], "answer": "apple pear"}
    assert inst.to_record() == record
    with pytest.raises(ValueError, match="code_prompt"):
        fmt.CogexInstance.from_record({"instruction": "x", "code_output": "{}"})


def test_well_formed_completion() -> None:
    parsed = fmt.parse_reasoner(GOOD)
    assert parsed.ok
    assert parsed.call == "sort_words(['pear', 'apple'])"
    assert parsed.output == {"sorted_words": ["apple", "pear"], "answer": "apple pear"}
    assert parsed.to_json()["error"] is None


def test_nested_output_and_code_fences() -> None:
    text = "```python\n" + PROGRAM + "\n>>> sort_words(['b'])\n```\n### Output:\n{'answer': {'a': [1, (2, 3)], 'b': {'c': None}}, 'n': -1.5}\n### End"
    parsed = fmt.parse_reasoner(text)
    assert parsed.ok
    assert parsed.answer == {"a": [1, (2, 3)], "b": {"c": None}}
    assert parsed.to_json()["answer"] == {"a": [1, [2, 3]], "b": {"c": None}}


def test_multi_function_program_and_call_to_second_function() -> None:
    program = "def helper(x):\n    return x * 2\n\ndef main(n):\n    # Step 1: double\n    d = helper(n)\n    return {'d': d, 'answer': d + 1}"
    parsed = fmt.parse_reasoner(program + "\n>>> main(4)\n### Output:\n{'d': 8, 'answer': 9}")
    assert parsed.ok and parsed.answer == 9
    assert fmt.defined_functions(program) == ["helper", "main"]


def test_output_without_header_is_found_after_call() -> None:
    parsed = fmt.parse_reasoner(PROGRAM + "\n>>> sort_words(['a'])\n{'answer': 'a'}\n")
    assert parsed.ok and parsed.answer == "a"


def test_trailing_text_after_dict_is_ignored() -> None:
    parsed = fmt.parse_reasoner(PROGRAM + "\n>>> sort_words(['a'])\n### Output:\n{'answer': 'a'} and then some chatter {")
    assert parsed.ok and parsed.answer == "a"


@pytest.mark.parametrize(
    ("completion", "truncated", "kind"),
    [
        ("I think the answer is 42.", False, Failure.NO_PROGRAM),
        ("", True, Failure.TRUNCATED),
        ("x = 1\n>>> f(1)\n### Output:\n{'answer': 1}", False, Failure.NO_PROGRAM),
        ("def f(x)\n    return {'answer': x}\n>>> f(1)\n### Output:\n{'answer': 1}", False, Failure.SYNTAX_ERROR),
        ("def f(x):\n    return {'answer': x}\n### Output:\n{'answer': 1}", False, Failure.NO_CALL),
        ("def f(x):\n    return {'answer': x}\n>>> 1 + 2\n### Output:\n{'answer': 1}", False, Failure.NO_CALL),
        ("def f(x):\n    return {'answer': x}\n>>> f(1)\n### Output:\nthe answer is one", False, Failure.NO_DICT),
        ("def f(x):\n    return {'answer': x}\n>>> f(1)\n### Output:\n{'result': 1}", False, Failure.NO_ANSWER),
        ("def f(x):\n    return {'answer': x}\n>>> f(1)\n### Output:\n{'answer': [1, 2,", True, Failure.TRUNCATED),
        ("def f(x):\n    # Step 1: loop\n    for i in range(", True, Failure.TRUNCATED),
        ("def f(x):\n    return {'answer': x}\n>>> f(1)", True, Failure.TRUNCATED),
        ("def f(x):\n    return {'answer': x}\n>>> f(1)", False, Failure.NO_DICT),
    ],
)
def test_failure_kinds(completion: str, truncated: bool, kind: Failure) -> None:
    parsed = fmt.parse_reasoner(completion, truncated=truncated)
    assert parsed.error is kind
    assert parsed.to_json()["error"] == kind.value


def test_emulator_completion_parsing() -> None:
    ok = fmt.parse_emulator("sort_words(['b', 'a'])\n### Output:\n{'answer': 'a b'}\n", program=PROGRAM)
    assert ok.ok and ok.call == "sort_words(['b', 'a'])" and ok.answer == "a b"
    assert fmt.parse_emulator("not a call at all\n{'answer': 1}", program=PROGRAM).error is Failure.NO_CALL
    assert fmt.parse_emulator("f(1)\n### Output:\n{'answer': ", program=PROGRAM, truncated=True).error is Failure.TRUNCATED
    assert fmt.parse_emulator("f(1)\n### Output:\n{'x': 1}", program=PROGRAM).error is Failure.NO_ANSWER


HOSTILE_OUTPUTS = [
    "{'answer': __import__('os').system('touch /tmp/cogex_pwned')}",
    "{'answer': open('/etc/passwd').read()}",
    "{'answer': (lambda: 1)()}",
    "{'answer': [x for x in ().__class__.__base__.__subclasses__()]}",
    "{'answer': 9**9**9**9}",
    "{'answer': 10 ** 100000000}",
    "{'answer': '" + "a" * 50_000 + "'}",
    "{'answer': " + "9" * 100_000 + "}",
    "{'answer': " + "[" * 100_000 + "]" * 100_000 + "}",
    "{'answer': " + "(" * 5000 + "1" + ")" * 5000 + "}",
    "{'answer': 1e999999}",
]


@pytest.mark.parametrize("payload", HOSTILE_OUTPUTS, ids=range(len(HOSTILE_OUTPUTS)))
def test_hostile_outputs_are_never_executed_and_never_hang(payload: str, tmp_path) -> None:
    start = time.monotonic()
    completion = PROGRAM + "\n>>> sort_words(['a'])\n### Output:\n" + payload + "\n### End"
    parsed = fmt.parse_reasoner(completion)
    assert time.monotonic() - start < 2.0
    assert parsed.error in {None, Failure.NO_DICT, Failure.TRUNCATED}
    if parsed.ok:  # only harmless literals survive (e.g. 1e999999 is the float inf)
        assert isinstance(parsed.answer, (int, float, str))
    import os

    assert not os.path.exists("/tmp/cogex_pwned")


def test_hostile_call_and_program_are_not_executed() -> None:
    text = "def f(x):\n    import os\n    os.system('touch /tmp/cogex_pwned2')\n    return {'answer': 1}\n>>> f(__import__('os').system('touch /tmp/cogex_pwned3'))\n### Output:\n{'answer': 1}"
    parsed = fmt.parse_reasoner(text)
    assert parsed.ok  # parsing only; nothing ran
    import os

    assert not os.path.exists("/tmp/cogex_pwned2") and not os.path.exists("/tmp/cogex_pwned3")


def test_huge_completion_is_bounded() -> None:
    start = time.monotonic()
    parsed = fmt.parse_reasoner("def f(x):\n" + "    y = 1\n" * 200_000)
    assert time.monotonic() - start < 5.0
    assert parsed.error is not None


def test_safe_literal() -> None:
    assert fmt.safe_literal("{'a': [1, 2.5, None, True, 'x']}") == {"a": [1, 2.5, None, True, "x"]}
    assert fmt.safe_literal("__import__('os')") is None
    assert fmt.safe_literal("x" * (fmt.MAX_LITERAL_CHARS + 1)) is None
    assert fmt.safe_literal("{'a': 1") is None
