"""Size limits and the reasons an item is dropped."""

from __future__ import annotations

from enum import Enum

from cogex import format as fmt

#: Items whose instruction + input + output are longer than this are not sent to the teacher.
MAX_ITEM_CHARS = 8_000
#: Kept programs / output dicts longer than this are dropped as ``too_long``.
MAX_KEPT_PROGRAM_CHARS = 6_000
MAX_KEPT_OUTPUT_CHARS = 8_000
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
