"""Run one program on one given call with any executor (used by ``cogex exec``)."""

from __future__ import annotations

import ast
from typing import Any

from cogex import format as fmt
from cogex.execute.executors import (
    executor_kind,
    NO_FALLBACK_ERRORS,
    PATH_EMULATE,
    PATH_FALLBACK,
    PATH_HYBRID,
    PATH_PYTHON,
    ItemResult,
    _answer_from_value,
    _from_parse,
    answer_helper_calls,
)
from cogex.generate.modes import EMULATOR_CONFIG
from cogex.models.backend import Backend, GenerationConfig

DEFAULT_INSTRUCTION = "Run the program on the call and report its output."


def program_instruction(program: str) -> str:
    """The docstring of the program's first function, else a generic instruction."""
    try:
        tree = ast.parse(program)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return DEFAULT_INSTRUCTION
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and ast.get_docstring(node):
            return str(ast.get_docstring(node)).strip().splitlines()[0]
    return DEFAULT_INSTRUCTION


def emulate_call(backend: Backend, instruction: str, program: str, call: str, config: GenerationConfig) -> ItemResult:
    """The model emulates the program on a call it is given (no input text)."""
    prefix = fmt.emulator_prefix(instruction, program)
    suffix = fmt.emulator_suffix("(see the call)") + f"{call}\n{fmt.OUTPUT_HEADER}\n"
    completion = backend.generate_shared_prefix(prefix, [suffix], config)[0]
    parsed = fmt.parse_emulator(f"{call}\n{fmt.OUTPUT_HEADER}\n{completion.text}", program=program, truncated=completion.truncated)
    return _from_parse(parsed, PATH_EMULATE)


def exec_call(
    program: str,
    call: str,
    *,
    executor: str = "python",
    backend: Backend | None = None,
    instruction: str | None = None,
    config: GenerationConfig = EMULATOR_CONFIG,
    fallback: bool = True,
) -> ItemResult:
    """Run ``program`` on ``call``. ``python`` needs no model; ``hybrid`` and ``emulate`` do."""
    from cogex.sandbox import PendingCall, run_call

    if fmt.parse_call(call) is None:
        return ItemResult(error="bad_call", path=executor, call=call)
    instruction = instruction or program_instruction(program)
    if executor == "emulate":
        if backend is None:
            raise ValueError("the emulate executor needs a model")
        return emulate_call(backend, instruction, program, call, config)
    if not executor_kind(executor).sandboxed:
        raise ValueError(f"executor {executor!r} does not run programs; choose python, hybrid or emulate")
    if executor == "hybrid" and backend is None:
        raise ValueError("the hybrid executor needs a model for undefined helpers")

    def on_undefined(pending: PendingCall) -> Any:
        assert backend is not None
        return answer_helper_calls(backend, instruction, program, {pending.key: ("(see the call)", pending.name)}, config)[pending.key]

    outcome = run_call(program, call, on_undefined=on_undefined if executor == "hybrid" else None)
    path = PATH_HYBRID if executor == "hybrid" else PATH_PYTHON
    if outcome.status == "ok":
        return _answer_from_value(outcome.value, path, call, len(outcome.undefined_calls))
    detail = outcome.detail
    if executor == "python" and outcome.error == "undefined_name" and detail.startswith("undefined function"):
        detail += " (run with --executor hybrid to let the model answer it)"
    failed = ItemResult(error=outcome.error or "runtime_error", path=path, call=call, exec_error=outcome.error,
                        helper_calls=len(outcome.undefined_calls), detail=detail)
    if fallback and backend is not None and outcome.error not in NO_FALLBACK_ERRORS:
        emulated = emulate_call(backend, instruction, program, call, config)
        return ItemResult(answer=emulated.answer, error=emulated.error, path=PATH_FALLBACK, call=call,
                          output=emulated.output, exec_error=outcome.error, detail=detail)
    return failed


def execute_written_call(result: fmt.ParseResult, executor: str, backend: Backend | None,
                         instruction: str) -> tuple[fmt.ParseResult, str]:
    """Replace a reasoner result's emulated output by real execution of the call it wrote
    (``python`` / ``hybrid``); keep the emulated output when there is nothing to run or the run
    fails. Returns the result and the path that produced its output."""
    from dataclasses import replace

    if executor == "emulate" or result.program is None or result.call is None or fmt.parse_call(result.call) is None:
        return result, PATH_EMULATE
    ran = exec_call(result.program, result.call, executor=executor, backend=backend, instruction=instruction, fallback=False)
    if not ran.ok or not isinstance(ran.output, dict):
        return result, PATH_FALLBACK
    return replace(result, output=ran.output, error=None, detail=""), ran.path
