"""Validate a stage-3 reply against its Alpaca item: the CoGEX instance, or why it is dropped."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any, Mapping

from cogex import format as fmt
from cogex.data.alpaca import AlpacaItem
from cogex.data.convert.answers import _same_value, answer_matches
from cogex.data.convert.limits import (
    _FAILURE_TO_REASON,
    MAX_KEPT_OUTPUT_CHARS,
    MAX_KEPT_PROGRAM_CHARS,
    DropReason,
)
from cogex.data.convert.replies import normalise_program_reply


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
        return Verdict(reason=DropReason.ANSWER_MISMATCH, detail=f"answer {fmt.jsonable(answer)!r:.200}")
    instance = fmt.CogexInstance(
        instruction=item.instruction, input=item.input, program=parsed.program, call=parsed.call, output=parsed.output
    )
    if len(instance.program) > MAX_KEPT_PROGRAM_CHARS or len(instance.code_output) > MAX_KEPT_OUTPUT_CHARS:
        return Verdict(reason=DropReason.TOO_LONG, detail=f"program {len(instance.program)} / output {len(instance.code_output)} chars")
    return Verdict(instance=instance)
