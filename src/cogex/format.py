"""The CoGEX format: instances, prompts for reasoner and emulator mode, and parsing of completions.

A CoGEX instance is an instruction ``I``, an optional input ``A``, a Python pseudo-program ``P``
(a function with a docstring and ``# Step N:`` comments that may call undefined helpers), a call
``C`` (``>>> f(args)``) and the emulated output dict ``O`` with the final result under ``'answer'``.

Prompt layouts (plain text, shared by training and inference):

* reasoner mode, f(I, A) -> P, C, O::

      ### Instruction:
      {I}
      ### Input:            (omitted when A is empty)
      {A}
      ### Program:
      {P}                   <- completion starts here
      >>> {C}
      ### Output:
      {O}
      ### End

* emulator mode, f(I, A, P) -> C, O. The program comes *before* the input so that every item
  emulated with one program shares the instruction + program prefix (its KV cache is reused)::

      ### Instruction:
      {I}
      ### Program:
      {P}
      ### Input:
      {A}
      >>> {C}               <- completion starts after ">>> "
      ### Output:
      {O}
      ### End

Completions are parsed with ``ast`` only; nothing from a completion is ever evaluated.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Mapping

INSTRUCTION_HEADER = "### Instruction:"
INPUT_HEADER = "### Input:"
PROGRAM_HEADER = "### Program:"
OUTPUT_HEADER = "### Output:"
END_MARKER = "### End"
CALL_PROMPT = ">>> "

#: Stop strings for every CoGEX generation.
STOP_STRINGS: tuple[str, ...] = (END_MARKER,)

#: Texts longer than this are never handed to the Python parser.
MAX_LITERAL_CHARS = 20_000
MAX_PROGRAM_CHARS = 20_000


class Failure(str, Enum):
    """Why a completion could not be parsed into a CoGEX result."""

    NO_PROGRAM = "no_program"
    SYNTAX_ERROR = "syntax_error"
    NO_CALL = "no_call"
    NO_DICT = "no_dict"
    NO_ANSWER = "no_answer"
    TRUNCATED = "truncated"


@dataclass(frozen=True)
class CogexInstance:
    """One CoGEX training/inference instance."""

    instruction: str
    input: str
    program: str
    call: str  # without the leading ">>> "
    output: Mapping[str, Any] | None = None
    output_text: str | None = None  # the dict as written in the data (kept verbatim for training)

    @property
    def code_prompt(self) -> str:
        return f"{self.program.rstrip()}\n{CALL_PROMPT}{self.call}"

    @property
    def code_output(self) -> str:
        if self.output_text is not None:
            return self.output_text
        return repr(dict(self.output or {}))

    def to_record(self) -> dict[str, str]:
        """The public CoGEX schema (mkhalifa/CoGEX): instruction, input, code_prompt, code_output."""
        return {
            "instruction": self.instruction,
            "input": self.input,
            "code_prompt": self.code_prompt,
            "code_output": self.code_output,
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> "CogexInstance":
        """Read a public-schema record; raises ``ValueError`` naming what is wrong."""
        for key in ("instruction", "code_prompt", "code_output"):
            if key not in record:
                raise ValueError(f"CoGEX record lacks the field {key!r}")
        program, call = split_code_prompt(str(record["code_prompt"]))
        if call is None:
            raise ValueError("code_prompt has no '>>> ' call line")
        output_text = str(record["code_output"]).strip()
        output = safe_literal(output_text)
        return cls(
            instruction=str(record["instruction"]),
            input=str(record.get("input") or ""),
            program=program,
            call=call,
            output=output if isinstance(output, dict) else None,
            output_text=output_text,
        )


@dataclass(frozen=True)
class ParseResult:
    """A parsed completion: the program, call and output dict, or a named failure."""

    program: str | None = None
    call: str | None = None
    output: dict[str, Any] | None = None
    error: Failure | None = None
    detail: str = ""
    raw: str = field(default="", repr=False)

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def answer(self) -> Any:
        return None if self.output is None else self.output.get("answer")

    def to_json(self) -> dict[str, Any]:
        """The stable JSON shape used by ``cogex ask --json`` and run files."""
        return {
            "program": self.program,
            "call": self.call,
            "output": jsonable(self.output),
            "answer": jsonable(self.answer),
            "error": None if self.error is None else self.error.value,
        }


# ----------------------------------------------------------------------------- prompts


def _section(header: str, body: str) -> str:
    return f"{header}\n{body.strip()}\n"


def reasoner_prompt(instruction: str, input_text: str = "") -> str:
    """Prompt for reasoner mode: the model continues with program, call and output."""
    parts = [_section(INSTRUCTION_HEADER, instruction)]
    if input_text.strip():
        parts.append(_section(INPUT_HEADER, input_text))
    parts.append(PROGRAM_HEADER + "\n")
    return "".join(parts)


def reasoner_completion(instance: CogexInstance) -> str:
    """Target completion for reasoner mode (training)."""
    return f"{instance.code_prompt}\n{OUTPUT_HEADER}\n{instance.code_output}\n{END_MARKER}"


def emulator_prefix(instruction: str, program: str) -> str:
    """The part of an emulator prompt shared by every item emulated with one program."""
    return _section(INSTRUCTION_HEADER, instruction) + _section(PROGRAM_HEADER, program)


def emulator_suffix(input_text: str) -> str:
    """The item-specific part of an emulator prompt; the model continues with the call."""
    return _section(INPUT_HEADER, input_text or "(none)") + CALL_PROMPT


def emulator_prompt(instruction: str, input_text: str, program: str) -> str:
    """Prompt for emulator mode: the model continues with the call and the output dict."""
    return emulator_prefix(instruction, program) + emulator_suffix(input_text)


def emulator_completion(instance: CogexInstance) -> str:
    """Target completion for emulator mode (training)."""
    return f"{instance.call}\n{OUTPUT_HEADER}\n{instance.code_output}\n{END_MARKER}"


# ----------------------------------------------------------------------------- parsing


def safe_literal(text: str) -> Any:
    """Parse a Python literal without evaluating anything; ``None`` when it is not one.

    Only literals (str, bytes, numbers, tuples, lists, dicts, sets, booleans, None) are accepted,
    oversized texts are rejected before parsing, and parser errors of every kind are contained.
    """
    if len(text) > MAX_LITERAL_CHARS:
        return None
    try:
        node = ast.parse(text.strip(), mode="eval")
        return ast.literal_eval(node)
    except (SyntaxError, ValueError, TypeError, MemoryError, RecursionError, OverflowError):
        return None
    except Exception:  # noqa: BLE001 - untrusted input: any parser failure is "not a literal"
        return None


def _strip_fences(text: str) -> str:
    return re.sub(r"^\s*```[a-zA-Z]*\s*$", "", text, flags=re.MULTILINE)


def split_code_prompt(code_prompt: str) -> tuple[str, str | None]:
    """Split ``program + '\\n>>> call'`` into (program, call); call is None when absent."""
    lines = code_prompt.rstrip().splitlines()
    for index in range(len(lines) - 1, -1, -1):
        if lines[index].lstrip().startswith(">>>"):
            call = lines[index].lstrip()[3:].strip()
            return "\n".join(lines[:index]).rstrip(), call
    return code_prompt.rstrip(), None


def _extract_dict_text(text: str) -> str:
    """The dict literal in ``text``: from the first '{' to its balanced closing brace."""
    start = text.find("{")
    if start < 0:
        return text.strip()
    depth, quote, escaped = 0, "", False
    for pos in range(start, min(len(text), start + MAX_LITERAL_CHARS + 1)):
        char = text[pos]
        if quote:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char in "{[(":
            depth += 1
        elif char in "}])":
            depth -= 1
            if depth == 0:
                return text[start : pos + 1]
    return text[start:].strip()


def parse_call(call: str) -> ast.Call | None:
    """The ``ast.Call`` of a call line like ``f(1, 'a')`` (never evaluated), or None."""
    if not call or len(call) > MAX_LITERAL_CHARS:
        return None
    try:
        node = ast.parse(call.strip(), mode="eval").body
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return node
    return None


def defined_functions(program: str) -> list[str]:
    """Names of the top-level functions a program defines (empty if it does not parse)."""
    try:
        tree = ast.parse(program)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return []
    return [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]


def _parse_output(text: str, *, truncated: bool, base: dict[str, Any]) -> ParseResult:
    body = text.split(END_MARKER, 1)[0]
    output = safe_literal(_extract_dict_text(body))
    if not isinstance(output, dict):
        kind = Failure.TRUNCATED if truncated else Failure.NO_DICT
        return ParseResult(error=kind, detail="output is not a dict literal", **base)
    if "answer" not in output:
        return ParseResult(output=output, error=Failure.NO_ANSWER, detail="dict has no 'answer'", **base)
    return ParseResult(output=output, **base)


def _split_output(text: str) -> tuple[str, str | None]:
    """Split at the output header, or at the first line starting with '{' after the call."""
    if OUTPUT_HEADER in text:
        before, after = text.split(OUTPUT_HEADER, 1)
        return before, after
    match = re.search(r"^\s*\{", text, flags=re.MULTILINE)
    if match and ">>>" in text[: match.start()]:
        return text[: match.start()], text[match.start() :]
    return text, None


def parse_reasoner(completion: str, *, truncated: bool = False) -> ParseResult:
    """Parse a reasoner-mode completion (program, call, output dict)."""
    raw = completion
    if len(completion) > MAX_PROGRAM_CHARS + MAX_LITERAL_CHARS:
        completion = completion[: MAX_PROGRAM_CHARS + MAX_LITERAL_CHARS]
        truncated = True
    text = _strip_fences(completion.split(END_MARKER, 1)[0])
    before, after = _split_output(text)
    program, call = split_code_prompt(before)
    if "def " not in program:
        return ParseResult(error=Failure.TRUNCATED if truncated and not program.strip() else Failure.NO_PROGRAM,
                           detail="no function definition", raw=raw)
    try:
        tree = ast.parse(program)
    except (SyntaxError, ValueError) as exc:
        kind = Failure.TRUNCATED if truncated and call is None else Failure.SYNTAX_ERROR
        return ParseResult(program=program, error=kind, detail=str(exc)[:200], raw=raw)
    except (MemoryError, RecursionError):
        return ParseResult(program=program, error=Failure.SYNTAX_ERROR, detail="program too deeply nested", raw=raw)
    if not any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) for n in tree.body):
        return ParseResult(program=program, error=Failure.NO_PROGRAM, detail="no top-level function", raw=raw)
    if call is None or parse_call(call) is None:
        kind = Failure.TRUNCATED if truncated and after is None else Failure.NO_CALL
        return ParseResult(program=program, call=call, error=kind, detail="no '>>> f(args)' call line", raw=raw)
    if after is None:
        kind = Failure.TRUNCATED if truncated else Failure.NO_DICT
        return ParseResult(program=program, call=call, error=kind, detail="no output after the call", raw=raw)
    return _parse_output(after, truncated=truncated, base={"program": program, "call": call, "raw": raw})


def parse_emulator(completion: str, *, program: str, truncated: bool = False) -> ParseResult:
    """Parse an emulator-mode completion (call line, then the output dict)."""
    raw = completion
    text = completion[: MAX_LITERAL_CHARS * 2]
    first, _, rest = text.partition("\n")
    call = first.strip()
    if call.startswith(">>>"):
        call = call[3:].strip()
    if parse_call(call) is None:
        kind = Failure.TRUNCATED if truncated and not rest else Failure.NO_CALL
        return ParseResult(program=program, call=call or None, error=kind, detail="no call", raw=raw)
    after = rest.split(OUTPUT_HEADER, 1)[1] if OUTPUT_HEADER in rest else rest
    return _parse_output(after, truncated=truncated, base={"program": program, "call": call, "raw": raw})


def jsonable(value: Any) -> Any:
    """Make parsed literals JSON-friendly (tuples/sets -> lists, bytes/complex -> str)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    if isinstance(value, (bytes, complex)):
        return repr(value)
    if isinstance(value, float) and value != value:  # NaN
        return None
    return value
