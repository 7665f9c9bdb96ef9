"""Parse the teacher's replies: stage-1 values, the stage-2 plan, the stage-3 program text.

Only :mod:`ast` is used; nothing a teacher writes is evaluated."""

from __future__ import annotations

import ast
import re
from typing import Any

from cogex import format as fmt
from cogex.data.convert.limits import MAX_PLAN_STEPS

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
