"""``cogex exec``: run one program on one call and print the output dict."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal, Optional

import typer
from rich.text import Text
from rich.pretty import Pretty

from cogex.cli import options as opt
from cogex.cli.common import (
    EXIT_FAILED,
    backend_from,
    check_cache_location,
    labelled,
    out,
    print_json,
    read_text,
    usage_error,
    user_errors,
)

#: The prompt ``cogex ask`` prints before a call line (accepted, and removed, by ``--call``).
CALL_PROMPT = ">>>"


def clean_call(call: str) -> str:
    """The call line without surrounding blanks and without a leading ``>>> `` prompt."""
    call = call.strip()
    if call.startswith(CALL_PROMPT):
        call = call[len(CALL_PROMPT):].strip()
    return call


@opt.backend_options
def exec_command(
    program_file: Annotated[Path, typer.Argument(help="A Python file holding the program.")],
    call: Annotated[str, typer.Option("--call", "-c", help="The call, e.g. \"sort_words(['b', 'a'])\" (literal arguments only; a leading '>>> ' as printed by cogex ask is accepted).")],
    executor: Annotated[Literal["python", "hybrid", "emulate"], typer.Option("--executor", "-e", help="python (sandbox only), hybrid (sandbox + model for undefined helpers) or emulate (the model).")] = "python",
    instruction: Annotated[Optional[str], typer.Option("--instruction", help="Instruction shown to the model (default: the docstring).")] = None,
    no_fallback: Annotated[bool, typer.Option("--no-fallback", help="Do not fall back to emulation when execution fails.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object: output, answer, error, path, exec_error (why hybrid fell back), detail.")] = False,
    *,
    backend_args: opt.BackendArgs,
) -> None:
    """Run a program on one call with a sandboxed interpreter, the model, or both.

    Exit code 0 with an answer, 1 when the program fails or gives none (also with --json)."""
    from cogex import format as fmt
    from cogex.execute.single import exec_call

    program = read_text(program_file, "program file")
    if not program.strip():
        usage_error(f"program file {program_file} is empty")
    call = clean_call(call)
    if fmt.parse_call(call) is None:
        usage_error(f"--call must be one function call with literal arguments, e.g. f('a', 1); got {call[:80]!r}")
    if executor != "python":
        check_cache_location(backend_args.no_cache)
    with user_errors():
        # python never calls a model (and so never falls back); hybrid and emulate do.
        # hybrid needs the model only when the program calls an undefined helper (or falls back).
        model_backend = None if executor == "python" else backend_from(backend_args, lazy=executor == "hybrid")
        result = exec_call(program, call, executor=executor, backend=model_backend, instruction=instruction,
                           fallback=not no_fallback)
    if as_json:
        print_json({"output": fmt.jsonable(result.output), "answer": fmt.jsonable(result.answer),
                    "error": result.error, "path": result.path, "exec_error": result.exec_error,
                    "detail": result.detail or None})
    else:
        if result.output is not None:
            out.print(Pretty(result.output))
        status = labelled("answer", repr(result.answer), "green") if result.ok else labelled("error", result.error, "red")
        status.append(f"  (path: {result.path})")
        out.print(status)
        if result.exec_error:  # hybrid fell back to emulation: say why
            out.print(Text(f"real execution failed ({result.exec_error}); the answer was emulated"))
        if result.detail and not result.ok:
            out.print(Text(result.detail))
    if not result.ok:
        raise typer.Exit(EXIT_FAILED)


def register(app: typer.Typer) -> None:
    app.command("exec")(exec_command)
