"""Convert Alpaca items into CoGEX instances with a teacher LLM, in three chained prompts.

For every item (instruction ``I``, input ``A``, output ``Y``) the teacher is asked, one stage at a
time across a batch of items:

1. **values** -- write ``A`` and ``Y`` as clean Python values (lists, dicts, numbers, clean
   strings); the reply is two lines ``INPUT = <literal>`` / ``OUTPUT = <literal>``;
2. **plan** -- a high-level plan of at most 3 general steps that would work on new inputs;
   the reply is a numbered list;
3. **program** -- a function carrying out the steps with ``# Step N:`` comments, returning a
   dict with ``'answer'`` and the intermediate values, free to call undefined helpers whose
   names say what they do, followed by ``>>> f(<the stage-1 input values>)`` and the dict the
   call returns.

Replies are parsed with :mod:`ast` only (:mod:`cogex.format`); nothing a teacher writes is ever
evaluated. Every instance is validated (:func:`validate_program`) and kept only when its
``'answer'`` matches ``Y`` after normalisation (:func:`answer_matches`).

Conversion is resumable: kept instances (public CoGEX schema + ``id`` + ``source``) and rejects
(``id``, ``reason``, teacher replies) are appended to two JSONL files and flushed as soon as an
item is finished; a rerun skips every id found in either file.
"""

from __future__ import annotations

import ast
import json
import math
import os
import re
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from enum import Enum
from fractions import Fraction
from pathlib import Path
from typing import IO, Any, Callable, Iterable, Mapping, Sequence

from cogex import format as fmt
from cogex.data.alpaca import AlpacaItem, coerce_items
from cogex.models.chat import chat_formatter
from cogex.models.backend import Backend, Completion, GenerationConfig

#: Items whose instruction + input + output are longer than this are not sent to the teacher.
MAX_ITEM_CHARS = 8_000
#: Kept programs / output dicts longer than this are dropped as ``too_long``.
MAX_PROGRAM_CHARS = 6_000
MAX_OUTPUT_CHARS = 8_000
#: A plan has at most this many steps.
MAX_PLAN_STEPS = 3


class DropReason(str, Enum):
    """Why an item was not turned into a CoGEX instance."""

    TEACHER_ERROR = "teacher_error"  # the teacher rejected the request (e.g. prompt too long for it)
    BAD_VALUES = "bad_values"  # stage 1 reply is not two Python literals
    BAD_PLAN = "bad_plan"  # stage 2 reply is not a numbered list of 1..3 steps
    NO_PROGRAM = "no_program"  # stage 3 reply has no function definition
    SYNTAX_ERROR = "syntax_error"  # the program does not parse
    NO_CALL = "no_call"  # no '>>> f(args)' line
    CALL_MISMATCH = "call_mismatch"  # the call names no defined function, has non-literal args or not the input
    NO_DICT = "no_dict"  # no output dict literal after the call
    NO_ANSWER = "no_answer"  # the output dict has no 'answer'
    ANSWER_MISMATCH = "answer_mismatch"  # the 'answer' does not match the Alpaca output
    TOO_LONG = "too_long"  # item, reply (hit max_new_tokens), program or output too long


_FAILURE_TO_REASON = {
    fmt.Failure.NO_PROGRAM: DropReason.NO_PROGRAM,
    fmt.Failure.SYNTAX_ERROR: DropReason.SYNTAX_ERROR,
    fmt.Failure.NO_CALL: DropReason.NO_CALL,
    fmt.Failure.NO_DICT: DropReason.NO_DICT,
    fmt.Failure.NO_ANSWER: DropReason.NO_ANSWER,
    fmt.Failure.TRUNCATED: DropReason.TOO_LONG,
}


class TeacherUnavailable(RuntimeError):
    """The teacher failed in a way that is not the item's fault (server down, retries exhausted).

    Raised by :func:`convert` after every item finished so far has been written; ``report``
    holds the counts of this partial run. Rerunning the same conversion resumes.
    """

    def __init__(self, message: str, report: "ConversionReport") -> None:
        super().__init__(message)
        self.report = report


# ============================================================================ prompts

_PREAMBLE = "You are helping to turn a task into a short Python program that solves it."

_VALUES_PROMPT = """{preamble} First, write the task's input and output as clean Python values.

Rules:
- Use a list for several items, a dict for named parts, a number for a number, and a clean string for text (no labels such as "Input:", no bullets, no extra quotes).
- If the task has no input, use what the instruction is about (for example a topic string), or None when there is nothing.
- Keep the content of the output; change only its form.
- Reply with exactly two lines and nothing else:
INPUT = <Python literal>
OUTPUT = <Python literal>

Example
Instruction: Sort the numbers from smallest to largest.
Input: 5, 2, 9
Output: 2, 5, 9
Reply:
INPUT = [5, 2, 9]
OUTPUT = [2, 5, 9]

Now the task
Instruction: {instruction}
Input: {input}
Output: {output}
Reply:
"""

_PLAN_PROMPT = """{preamble} Write a high-level plan for solving tasks like the one below.

Rules:
- At most {max_steps} numbered steps, one short sentence each.
- The steps must be general: they must work for any new input of the same kind, so do not mention the values of this example.
- Reply with the numbered list only.

Example
Instruction: Classify the sentiment of the review as positive or negative.
Input: 'The food was cold and the staff were rude.'
Output: 'negative'
Reply:
1. Find the words in the review that express an opinion.
2. Decide whether each opinion word is positive or negative.
3. Choose the label that most opinion words agree with.

Now the task
Instruction: {instruction}
Input: {input}
Output: {output}
Reply:
"""

_PROGRAM_PROMPT = """{preamble} Write one Python function that carries out the plan, then a call of it and the dict it returns.

Rules:
- Give the function a descriptive name and a one-line docstring; its parameters take the input values.
- Before the code of each plan step, write the comment "# Step N: <the step>".
- You may call helper functions that are not defined when their names say what they do (for example extract_keywords(text)); do not define them.
- Do not hard-code this example's input or output in the function: it must work for new inputs of the same kind.
- Return a dict with the intermediate values and the final result under the key 'answer'.
- After the function, write one line ">>> function_name(<the input values>)" and on the next line the dict the call returns, as a Python literal. Its 'answer' must be the output given below.

Example
Instruction: Classify the sentiment of the review as positive or negative.
Input: 'The food was cold and the staff were rude.'
Output: 'negative'
Plan:
1. Find the words in the review that express an opinion.
2. Decide whether each opinion word is positive or negative.
3. Choose the label that most opinion words agree with.
Reply:
def classify_sentiment(review):
    \"\"\"Classify the sentiment of a review as positive or negative.\"\"\"
    # Step 1: Find the words in the review that express an opinion.
    opinion_words = extract_opinion_words(review)
    # Step 2: Decide whether each opinion word is positive or negative.
    polarities = [word_polarity(word) for word in opinion_words]
    # Step 3: Choose the label that most opinion words agree with.
    positive = polarities.count('positive')
    answer = 'positive' if positive > len(polarities) - positive else 'negative'
    return {{'opinion_words': opinion_words, 'polarities': polarities, 'answer': answer}}
>>> classify_sentiment('The food was cold and the staff were rude.')
{{'opinion_words': ['cold', 'rude'], 'polarities': ['negative', 'negative'], 'answer': 'negative'}}

Now the task
Instruction: {instruction}
Input: {input}
Output: {output}
Plan:
{plan}
Reply:
"""


def _show_text(text: str) -> str:
    return text.strip() or "(none)"


def _show_value(value: Any) -> str:
    return "(none)" if value is None else repr(value)


def values_prompt(item: AlpacaItem) -> str:
    """Stage 1: ask for the input and output as Python literals."""
    return _VALUES_PROMPT.format(
        preamble=_PREAMBLE, instruction=item.instruction.strip(), input=_show_text(item.input), output=_show_text(item.output)
    )


def plan_prompt(item: AlpacaItem, input_value: Any, output_value: Any) -> str:
    """Stage 2: ask for a general plan of at most 3 steps."""
    return _PLAN_PROMPT.format(
        preamble=_PREAMBLE,
        max_steps=MAX_PLAN_STEPS,
        instruction=item.instruction.strip(),
        input=_show_value(input_value),
        output=_show_value(output_value),
    )


def program_prompt(item: AlpacaItem, input_value: Any, output_value: Any, steps: Sequence[str]) -> str:
    """Stage 3: ask for the program, the call and the output dict."""
    return _PROGRAM_PROMPT.format(
        preamble=_PREAMBLE,
        instruction=item.instruction.strip(),
        input=_show_value(input_value),
        output=_show_value(output_value),
        plan="\n".join(f"{n}. {step}" for n, step in enumerate(steps, start=1)),
    )


# ============================================================================ reply parsers

_FENCE = re.compile(r"^\s*```[\w+-]*\s*$", re.MULTILINE)
_VALUE_LABEL = re.compile(
    r"^[ \t>*_`#-]*(?P<name>input|output)(?:[ _](?:value|values|data))?[*_`]*[ \t]*(?:=|:)[*_`]*[ \t]*",
    re.IGNORECASE | re.MULTILINE,
)
_NOT_GIVEN = {"", "(none)", "none", "n/a", "(empty)", "null", "nothing", "-"}


def _literal_prefix(text: str) -> tuple[Any, bool]:
    """The longest leading run of lines of ``text`` that is a Python literal (parse, never eval)."""
    lines = text.strip().splitlines()
    for end in range(len(lines), 0, -1):
        chunk = "\n".join(lines[:end]).strip().rstrip(",;")
        if not chunk:
            continue
        value = fmt.safe_literal(chunk)
        if value is not None or chunk == "None":
            return value, True
    return None, False


def _parse_value(text: str) -> tuple[Any, bool]:
    """One value from a reply fragment: a literal, else a bare one-line string."""
    text = text.strip().strip("`").strip()
    if text.lower() in _NOT_GIVEN:
        return None, True
    value, ok = _literal_prefix(text)
    if ok:
        return value, True
    first = text.splitlines()[0].strip() if text else ""
    # A bare phrase such as  OUTPUT = Paris  is a clean string; a broken literal is not.
    if first and first[0] not in "[{(\"'" and "\n" not in text.strip():
        return first, True
    return None, False


def parse_values(reply: str) -> tuple[Any, Any] | None:
    """Stage-1 reply -> (input value, output value), or None when it is not two values.

    Both lines must be there and the output must not be None. Tolerates code fences, markdown,
    ``Input:`` instead of ``INPUT =``, multi-line literals and prose around the two lines.
    ``INPUT = None`` (or ``(none)``) means the task has no input.
    """
    text = _FENCE.sub("", reply)
    labels = list(_VALUE_LABEL.finditer(text))
    found: dict[str, tuple[Any, bool]] = {}
    for index, match in enumerate(labels):
        name = match.group("name").lower()
        if name in found:
            continue
        end = labels[index + 1].start() if index + 1 < len(labels) else len(text)
        found[name] = _parse_value(text[match.end() : end])
    if "input" not in found or "output" not in found:
        return None
    (input_value, input_ok), (output_value, output_ok) = found["input"], found["output"]
    if not input_ok or not output_ok or output_value is None:
        return None
    return input_value, output_value


_STEP_LINE = re.compile(r"^\s*(?:[*_#]+\s*)?(?:step\s*)?(\d{1,2})\s*[.):\]-]\s*(?:[*_]+\s*)?(.*)$", re.IGNORECASE)
_BULLET_LINE = re.compile(r"^\s*[-*\u2022]\s+(.*)$")


def _clean_step(text: str) -> str:
    text = re.sub(r"^(?:step\s*\d+\s*[:.)-]\s*)", "", text.strip(), flags=re.IGNORECASE)
    text = text.replace("**", "").replace("__", "").strip().strip("`").strip()
    return " ".join(text.split())


def parse_plan(reply: str, *, max_steps: int = MAX_PLAN_STEPS) -> list[str] | None:
    """Stage-2 reply -> the plan's steps (1..max_steps), or None when it is not such a list.

    Numbered lines (``1.``, ``2)``, ``Step 3:``, ``**1.**``) start steps; indented or unnumbered
    lines right after a step continue it; prose before the list and after a blank line that
    ends it is ignored. A reply without numbers but with bullet lines uses the bullets.
    """
    text = _FENCE.sub("", reply)
    steps: list[str] = []
    numbers: list[int] = []
    in_list = False
    for line in text.splitlines():
        match = _STEP_LINE.match(line)
        if match and _clean_step(match.group(2)):
            numbers.append(int(match.group(1)))
            steps.append(_clean_step(match.group(2)))
            in_list = True
        elif not line.strip():
            in_list = False  # a blank line ends a step; a later numbered line starts the next
        elif in_list and steps:
            steps[-1] = _clean_step(steps[-1] + " " + _BULLET_LINE.sub(r"\1", line))
    if not steps:
        steps = [_clean_step(m.group(1)) for m in map(_BULLET_LINE.match, text.splitlines()) if m]
        steps = [s for s in steps if s]
        numbers = list(range(1, len(steps) + 1))
    if not steps or len(steps) > max_steps:
        return None
    if numbers != list(range(numbers[0], numbers[0] + len(numbers))) or numbers[0] not in (0, 1):
        return None  # e.g. two lists, or a list that skips numbers
    return steps


def _program_start(lines: list[str]) -> int | None:
    for index, line in enumerate(lines):
        if re.match(r"^(def |async def |import |from \w[\w.]* import |@\w)", line):
            return index
    return None


def _clean_call(call: str) -> str:
    """``>>> result = f(x)`` / ``print(f(x))`` -> ``f(x)``."""
    call = call.strip().rstrip(";").strip("`").strip()
    if call.startswith(">>>"):
        call = call[3:].strip()
    match = re.match(r"^print\((.*)\)$", call)
    if match and fmt.parse_call(match.group(1)) is not None:
        call = match.group(1)
    match = re.match(r"^[A-Za-z_]\w*\s*=\s*(.*)$", call)
    if match and fmt.parse_call(match.group(1)) is not None:
        call = match.group(1)
    return call.strip()


def _parses(code: str) -> bool:
    try:
        ast.parse(code)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return False
    return True


def _trim_trailing_prose(lines: list[str], *, max_lines: int = 12) -> list[str]:
    """Drop unindented prose lines (``Example usage:``) after the code, when that makes it parse."""
    if _parses("\n".join(lines)):
        return lines
    trimmed = list(lines)
    for _ in range(max_lines):
        while trimmed and not trimmed[-1].strip():
            trimmed.pop()
        if not trimmed or trimmed[-1][:1].isspace() or re.match(r"^(def|async|class|return|@)\b", trimmed[-1]):
            break
        trimmed.pop()
        if _parses("\n".join(trimmed)) and fmt.defined_functions("\n".join(trimmed)):
            return trimmed
    return lines


def normalise_program_reply(reply: str) -> str:
    """Rewrite a stage-3 reply into the ``program / >>> call / ### Output: / dict`` layout.

    Drops prose before the program and code fences, finds the call line (``>>> f(x)``; failing
    that, a top-level ``f(x)`` or ``print(f(x))`` of a defined function after the program),
    and puts the first ``{`` after the call under the output header, so that labels such as
    ``Output:`` or ``# Returns:`` in front of the dict do not matter.
    """
    text = _FENCE.sub("", reply.split(fmt.END_MARKER, 1)[0])
    lines = text.splitlines()
    start = _program_start(lines)
    if start is None:
        return text
    lines = lines[start:]
    # The last '>>>' line: earlier ones may be doctest examples inside the docstring.
    call_index = next((i for i in range(len(lines) - 1, -1, -1) if lines[i].lstrip().startswith(">>>")), None)
    if call_index is None:
        # A bare top-level call of a defined function stands in for the '>>>' line.
        for index in range(len(lines) - 1, 0, -1):
            line = lines[index]
            if line and not line[0].isspace() and fmt.parse_call(_clean_call(line)) is not None:
                name = fmt.parse_call(_clean_call(line)).func.id  # type: ignore[union-attr]
                if name in fmt.defined_functions("\n".join(lines[:index])):
                    call_index = index
                    break
    if call_index is None:
        return "\n".join(_trim_trailing_prose(lines))
    program = "\n".join(_trim_trailing_prose(lines[:call_index])).rstrip()
    call = _clean_call(lines[call_index])
    rest = "\n".join(lines[call_index + 1 :])
    brace = rest.find("{")
    body = rest[brace:] if brace >= 0 else ""
    output = f"\n{fmt.OUTPUT_HEADER}\n{body}" if body else ""
    return f"{program}\n{fmt.CALL_PROMPT}{call}{output}"


# ============================================================================ answer normalisation

_EXTRA_PUNCT = set("`´")  # quote-like symbols; other symbols (+ = < > ^) stay


def normalise_answer(text: Any) -> str:
    """Lowercase, NFKC, punctuation and quotes replaced by spaces, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", _to_text(text)).lower()
    chars = [" " if unicodedata.category(c).startswith("P") or c in _EXTRA_PUNCT else c for c in text]
    return " ".join("".join(chars).split())


def _to_text(value: Any, depth: int = 0) -> str:
    """A value's plain text: containers joined with spaces, numbers without '.0'."""
    if depth > 8:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, Mapping):
        return " ".join(_to_text(v, depth + 1) for v in value.values())
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        return " ".join(_to_text(v, depth + 1) for v in items)
    try:
        return str(value)
    except Exception:  # noqa: BLE001 - any object: fall back to its repr
        return repr(value)


_NUMBER = re.compile(r"^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?$", re.IGNORECASE)


def parse_number(value: Any) -> float | None:
    """A number from an int/float or a numeric string (``1,000``, ``$5``, ``12%``, ``3/4``, ``42.``)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float, Fraction)):
        try:
            number = float(value)
        except OverflowError:
            return None
        return number if math.isfinite(number) else None
    if not isinstance(value, str) or len(value) > 100:
        return None
    text = value.strip().rstrip(".").strip()
    text = re.sub(r"^[$€£¥]\s*", "", text)
    text = re.sub(r"^([-+])\s*[$€£¥]\s*", r"\1", text)
    text = re.sub(r"\s*%$", "", text)
    if re.fullmatch(r"[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?", text):
        text = text.replace(",", "")
    if _NUMBER.match(text):
        number = float(text)
        return number if math.isfinite(number) else None
    match = re.fullmatch(r"([-+]?\d+)\s*/\s*(\d+)", text)
    if match and int(match.group(2)) != 0:
        return int(match.group(1)) / int(match.group(2))
    return None


def _answer_forms(answer: Any) -> list[str]:
    """The string forms an answer may legitimately take in the Alpaca output."""
    forms = [_to_text(answer)]
    if isinstance(answer, bool):
        forms.append("yes" if answer else "no")
    if isinstance(answer, (list, tuple)) and len(answer) >= 2:
        items = [_to_text(v) for v in answer]
        forms.append(", ".join(items[:-1]) + " and " + items[-1])  # "6, 28, 496, and 8128"
    if isinstance(answer, Mapping):
        forms.append(" ".join(f"{_to_text(k)} = {_to_text(v)}" for k, v in answer.items()))  # "x = 3, y = 2"
    if not isinstance(answer, str):
        try:
            forms.append(str(answer))  # the answer's string form, e.g. "{'a': 1}" or "True"
        except Exception:  # noqa: BLE001
            pass
    return forms


def answer_matches(answer: Any, expected: str) -> bool:
    """Does the program's ``'answer'`` match the Alpaca output?

    Both sides are normalised (lowercase, whitespace collapsed, punctuation and quotes
    stripped); numbers are compared numerically; a list answer is joined (with spaces, or as
    an English list with "and"); the answer's string form is also accepted.
    """
    target = normalise_answer(expected)
    expected_number = parse_number(expected)
    if expected_number is not None:
        for candidate in (answer, *(answer if isinstance(answer, (list, tuple)) and len(answer) == 1 else ())):
            number = parse_number(candidate)
            if number is not None:
                return math.isclose(number, expected_number, rel_tol=1e-6, abs_tol=1e-9)
    return any(normalise_answer(form) == target for form in _answer_forms(answer))


def _same_value(a: Any, b: Any) -> bool:
    if a == b:
        return True
    na, nb = parse_number(a), parse_number(b)
    if na is not None and nb is not None:
        return math.isclose(na, nb, rel_tol=1e-6, abs_tol=1e-9)
    return normalise_answer(a) == normalise_answer(b) and normalise_answer(a) != ""


# ============================================================================ validation


@dataclass(frozen=True)
class Verdict:
    """The outcome of validating one stage-3 reply."""

    instance: fmt.CogexInstance | None = None
    reason: DropReason | None = None
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.reason is None


def _call_uses_input(call: ast.Call, input_value: Any) -> bool:
    """Do the call's literal arguments carry the stage-1 input values?"""
    if input_value is None:
        return True
    positional = [ast.literal_eval(arg) for arg in call.args]
    keywords = {kw.arg: ast.literal_eval(kw.value) for kw in call.keywords if kw.arg}
    every = positional + list(keywords.values())
    if any(_same_value(arg, input_value) for arg in every):
        return True
    if isinstance(input_value, (list, tuple)) and positional and _same_value(list(positional), list(input_value)):
        return True
    if isinstance(input_value, Mapping) and input_value:
        if keywords and _same_value(keywords, dict(input_value)):
            return True
        # every input value is passed somewhere (positionally, by keyword, in any order)
        return all(any(_same_value(arg, value) for arg in every) for value in input_value.values())
    return False


def validate_program(
    item: AlpacaItem, input_value: Any, reply: str, *, truncated: bool = False
) -> Verdict:
    """Validate a stage-3 reply against the item; the instance when every check passes.

    Checks, in order: a function definition exists and the program parses; a ``>>> f(args)``
    call names a function the program defines, with literal arguments carrying the input
    values; the output is a dict literal with ``'answer'``; the answer matches the Alpaca
    output (:func:`answer_matches`); program and output stay within the size limits.
    """
    parsed = fmt.parse_reasoner(normalise_program_reply(reply), truncated=truncated)
    if not parsed.ok:
        assert parsed.error is not None
        return Verdict(reason=_FAILURE_TO_REASON[parsed.error], detail=parsed.detail)
    assert parsed.program is not None and parsed.call is not None and parsed.output is not None
    call = fmt.parse_call(parsed.call)
    assert call is not None
    defined = fmt.defined_functions(parsed.program)
    name = call.func.id  # type: ignore[attr-defined]
    if name not in defined:
        return Verdict(reason=DropReason.CALL_MISMATCH, detail=f"the call names {name!r}, the program defines {defined}")
    if any(isinstance(arg, ast.Starred) for arg in call.args) or any(kw.arg is None for kw in call.keywords):
        return Verdict(reason=DropReason.CALL_MISMATCH, detail="the call unpacks arguments (* or **)")
    try:
        uses_input = _call_uses_input(call, input_value)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return Verdict(reason=DropReason.CALL_MISMATCH, detail="the call has non-literal arguments")
    if not uses_input:
        return Verdict(reason=DropReason.CALL_MISMATCH, detail="the call's arguments are not the input values")
    answer = parsed.output["answer"]
    if not answer_matches(answer, item.output):
        return Verdict(reason=DropReason.ANSWER_MISMATCH, detail=f"answer {fmt._jsonable(answer)!r:.200}")
    instance = fmt.CogexInstance(
        instruction=item.instruction, input=item.input, program=parsed.program, call=parsed.call, output=parsed.output
    )
    if len(instance.program) > MAX_PROGRAM_CHARS or len(instance.code_output) > MAX_OUTPUT_CHARS:
        return Verdict(reason=DropReason.TOO_LONG, detail=f"program {len(instance.program)} / output {len(instance.code_output)} chars")
    return Verdict(instance=instance)


# ============================================================================ resumable output


def rejects_path_for(output: Path) -> Path:
    """``out.jsonl`` -> ``out.rejects.jsonl`` beside it."""
    name = output.name[: -len(".jsonl")] if output.name.endswith(".jsonl") else output.name
    return output.with_name(f"{name}.rejects.jsonl")


def _repair_tail(path: Path) -> None:
    """Cut a half-written last line (left by a crash mid-write) so appends stay valid JSONL."""
    if not path.is_file() or path.stat().st_size == 0:
        return
    with path.open("rb+") as handle:
        handle.seek(-1, os.SEEK_END)
        if handle.read(1) == b"\n":
            return
        handle.seek(0)
        content = handle.read()
        handle.truncate(content.rfind(b"\n") + 1)


def finished_ids(*paths: Path) -> set[str]:
    """Ids recorded in JSONL files (unparseable lines are ignored)."""
    ids: set[str] = set()
    for path in paths:
        if not path.is_file():
            continue
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if isinstance(record, dict) and record.get("id") is not None:
                    ids.add(str(record["id"]))
    return ids


class _Appender:
    """Append JSON lines, flushed and synced to disk one record at a time."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        _repair_tail(path)
        self.path = path
        self._handle: IO[str] = path.open("a", encoding="utf-8")

    def write(self, record: Mapping[str, Any]) -> None:
        self._handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def close(self) -> None:
        self._handle.close()


# ============================================================================ the conversion


@dataclass
class ConversionReport:
    """Counts of one :func:`convert` run."""

    output: Path
    rejects: Path
    total: int = 0  # items considered (after --limit)
    skipped: int = 0  # finished by an earlier run (id already in output or rejects)
    kept: int = 0
    dropped: Counter = field(default_factory=Counter)  # DropReason -> count
    teacher_calls: int = 0  # prompts sent to the teacher (cache hits included)
    elapsed: float = 0.0

    @property
    def dropped_total(self) -> int:
        return sum(self.dropped.values())

    @property
    def processed(self) -> int:
        return self.kept + self.dropped_total

    @property
    def pending(self) -> int:
        """Items neither finished before nor in this run (non-zero only after an interruption)."""
        return self.total - self.skipped - self.processed

    def to_dict(self) -> dict[str, Any]:
        return {
            "output": str(self.output),
            "rejects": str(self.rejects),
            "total": self.total,
            "skipped": self.skipped,
            "kept": self.kept,
            "dropped": {reason.value: self.dropped.get(reason, 0) for reason in DropReason},
            "dropped_total": self.dropped_total,
            "pending": self.pending,
            "teacher_calls": self.teacher_calls,
            "elapsed_s": round(self.elapsed, 3),
        }


@dataclass(frozen=True)
class ItemOutcome:
    """One finished item, as reported to the progress callback."""

    id: str
    reason: DropReason | None  # None = kept
    detail: str = ""


@dataclass
class _Work:
    item: AlpacaItem
    replies: dict[str, str] = field(default_factory=dict)
    input_value: Any = None
    output_value: Any = None
    steps: list[str] = field(default_factory=list)


def _status_code(exc: BaseException) -> int | None:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        code = getattr(current, "status_code", None)
        if isinstance(code, int):
            return code
        current = current.__cause__ or current.__context__
    return None


def _is_item_error(exc: BaseException) -> bool:
    """A rejection of this request (HTTP 4xx other than 408/409/429), not an outage."""
    code = _status_code(exc)
    return code is not None and 400 <= code < 500 and code not in (408, 409, 429)


def convert(
    records: Iterable[AlpacaItem | Mapping[str, Any]],
    teacher: Backend,
    output: str | Path,
    *,
    batch_size: int = 8,
    max_new_tokens: int = 512,
    temperature: float = 0.0,
    seed: int = 0,
    limit: int | None = None,
    rejects: str | Path | None = None,
    chat: bool | None = None,
    on_start: Callable[[ConversionReport], None] | None = None,
    on_item: Callable[[ItemOutcome], None] | None = None,
) -> ConversionReport:
    """Convert Alpaca items into validated CoGEX instances with ``teacher``.

    ``records`` are :class:`AlpacaItem` objects or raw Alpaca / seed-task dicts; ``limit`` keeps
    the first N items. Kept instances go to ``output`` (public CoGEX schema + ``id`` +
    ``source``), dropped items to ``rejects`` (default ``<output>.rejects.jsonl``); ids already
    in either file are skipped. Items go through the teacher ``batch_size`` at a time, one
    prompt stage at a time across the batch. ``chat`` wraps prompts in the local teacher's chat
    template (default: whenever its tokenizer has one). Raises :class:`TeacherUnavailable`
    (after writing everything finished) when the teacher fails for reasons not tied to an item.
    """
    started = time.monotonic()
    output = Path(output)
    rejects_path = Path(rejects) if rejects is not None else rejects_path_for(output)
    items = coerce_items(records)
    if limit is not None:
        items = items[: max(0, limit)]
    done = finished_ids(output, rejects_path)
    report = ConversionReport(output=output, rejects=rejects_path, total=len(items))
    todo = [item for item in items if item.id not in done]
    report.skipped = len(items) - len(todo)
    wrap = chat_formatter(teacher) if chat is not False else None
    if chat and wrap is None:
        raise ValueError("chat=True but the teacher has no tokenizer chat template")
    config = GenerationConfig(max_new_tokens=max_new_tokens, temperature=temperature, seed=seed)
    if on_start is not None:
        on_start(report)
    kept_file, rejects_file = _Appender(output), _Appender(rejects_path)

    def finish(work: _Work, instance: fmt.CogexInstance | None, reason: DropReason | None, detail: str = "") -> None:
        if instance is not None:
            kept_file.write({**instance.to_record(), "id": work.item.id, "source": work.item.source})
            report.kept += 1
        else:
            assert reason is not None
            rejects_file.write(
                {
                    "id": work.item.id,
                    "source": work.item.source,
                    "reason": reason.value,
                    "detail": detail,
                    "instruction": work.item.instruction,
                    "replies": work.replies,
                }
            )
            report.dropped[reason] += 1
        if on_item is not None:
            on_item(ItemOutcome(work.item.id, reason, detail))

    def ask(stage: str, batch: list[_Work], prompts: list[str]) -> list[Completion | None]:
        """One stage across the batch; None for items whose request the teacher rejected."""
        texts = [wrap(p) if wrap else p for p in prompts]
        report.teacher_calls += len(texts)
        try:
            completions: list[Completion | None] = list(teacher.generate(texts, config))
        except Exception as exc:  # noqa: BLE001 - classified below
            if not _is_item_error(exc):
                raise _abort(exc, stage) from exc
            completions = []
            for text in texts:  # find the items the teacher rejects; the others go on
                try:
                    completions.append(teacher.generate([text], config)[0])
                except Exception as item_exc:  # noqa: BLE001
                    if not _is_item_error(item_exc):
                        raise _abort(item_exc, stage) from item_exc
                    completions.append(None)
                    work = batch[len(completions) - 1]
                    work.replies[stage] = f"<teacher error: {item_exc}>"
        if len(completions) != len(texts):
            raise _abort(RuntimeError(f"the teacher returned {len(completions)} replies for {len(texts)} prompts"), stage)
        for work, completion in zip(batch, completions):
            if completion is not None:
                work.replies[stage] = completion.text
        return completions

    def _abort(exc: BaseException, stage: str) -> TeacherUnavailable:
        report.elapsed = time.monotonic() - started
        return TeacherUnavailable(f"teacher failed during the {stage} stage: {exc}", report)

    try:
        for start in range(0, len(todo), max(1, batch_size)):
            batch = []
            for item in todo[start : start + max(1, batch_size)]:
                work = _Work(item)
                if len(item.instruction) + len(item.input) + len(item.output) > MAX_ITEM_CHARS:
                    finish(work, None, DropReason.TOO_LONG, f"item longer than {MAX_ITEM_CHARS} chars")
                else:
                    batch.append(work)

            # Stage 1: values.
            survivors = []
            for work, completion in zip(batch, ask("values", batch, [values_prompt(w.item) for w in batch]) if batch else []):
                if completion is None:
                    finish(work, None, DropReason.TEACHER_ERROR, work.replies.get("values", ""))
                    continue
                values = parse_values(completion.text)
                if values is None:
                    reason = DropReason.TOO_LONG if completion.truncated else DropReason.BAD_VALUES
                    finish(work, None, reason, "reply is not 'INPUT = <literal>' / 'OUTPUT = <literal>'")
                    continue
                work.input_value, work.output_value = values
                survivors.append(work)
            batch = survivors

            # Stage 2: plan.
            survivors = []
            prompts = [plan_prompt(w.item, w.input_value, w.output_value) for w in batch]
            for work, completion in zip(batch, ask("plan", batch, prompts) if batch else []):
                if completion is None:
                    finish(work, None, DropReason.TEACHER_ERROR, work.replies.get("plan", ""))
                    continue
                steps = parse_plan(completion.text)
                if steps is None:
                    reason = DropReason.TOO_LONG if completion.truncated else DropReason.BAD_PLAN
                    finish(work, None, reason, f"reply is not a numbered list of 1-{MAX_PLAN_STEPS} steps")
                    continue
                work.steps = steps
                survivors.append(work)
            batch = survivors

            # Stage 3: program, call and output dict.
            prompts = [program_prompt(w.item, w.input_value, w.output_value, w.steps) for w in batch]
            for work, completion in zip(batch, ask("program", batch, prompts) if batch else []):
                if completion is None:
                    finish(work, None, DropReason.TEACHER_ERROR, work.replies.get("program", ""))
                    continue
                verdict = validate_program(work.item, work.input_value, completion.text, truncated=completion.truncated)
                finish(work, verdict.instance, verdict.reason, verdict.detail)
    finally:
        kept_file.close()
        rejects_file.close()
        report.elapsed = time.monotonic() - started
    return report
