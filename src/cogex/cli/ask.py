"""``cogex ask``: answer one instruction in reasoner mode, or emulate a given program."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.panel import Panel
from rich.pretty import Pretty
from rich.syntax import Syntax

from cogex.cli import options as opt
from cogex.cli.common import (
    EXIT_FAILED,
    backend_from,
    check_cache_location,
    console,
    labelled,
    out,
    plain,
    print_json,
    read_text,
    usage_error,
    user_errors,
)

#: Retries `cogex ask` makes by default for a malformed reasoner output (scripts/adapter_report.py
#: reports the parseable share at this setting).
DEFAULT_RETRIES = 2


@opt.backend_options
def ask(
    instruction: Annotated[str, typer.Argument(help="The instruction I.")],
    input_text: Annotated[str, typer.Option("--input", "-i", help="The optional input A.")] = "",
    program: Annotated[Optional[Path], typer.Option("--program", "-p", help="Emulator mode: run this program file instead of writing one.")] = None,
    max_new_tokens: Annotated[int, typer.Option("--max-new-tokens", min=1, help="Generation budget.")] = 384,
    temperature: Annotated[float, typer.Option("--temperature", min=0.0, help="0 = greedy.")] = 0.0,
    seed: opt.SeedOption = 0,
    retries: Annotated[int, typer.Option("--retries", min=0, help="Reasoner mode: sample again (t=0.7, new seed) when the output does not parse, at most this many times; 0 = one greedy answer only.")] = DEFAULT_RETRIES,
    executor: Annotated[opt.ExecutorName, typer.Option("--executor", "-e", help="emulate (the model writes the output, as in the paper), python (run the program in the sandbox) or hybrid (sandbox + model for undefined helpers); execution failures fall back to the emulated output.")] = "emulate",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object: program, call, output, answer, error, path, attempts.")] = False,
    *,
    backend_args: opt.BackendArgs,
) -> None:
    """Reasoner mode f(I, A) -> program, call, output dict; with --program, emulator mode f(I, A, P).

    Exit code 0 with an answer, 1 when the model's output has none (also with --json)."""
    from cogex.cli.progress import working
    from cogex.generate import EMULATOR_CONFIG, REASONER_CONFIG, emulate, reason_with_retries
    from cogex.execute.single import execute_written_call

    if not instruction.strip():
        usage_error("the instruction is empty: cogex ask \"INSTRUCTION\" [--input TEXT]")
    program_text = read_text(program, "program file") if program is not None else None
    if program_text is not None and not program_text.strip():
        usage_error(f"program file {program} is empty")
    check_cache_location(backend_args.no_cache)
    with user_errors():
        model_backend = backend_from(backend_args)
        base = EMULATOR_CONFIG if program_text is not None else REASONER_CONFIG
        config = base.with_(max_new_tokens=max_new_tokens, temperature=temperature, seed=seed)
        attempts = 1
        with working("emulating the program…" if program_text is not None else "writing a program…"):
            if program_text is not None:
                result = emulate(model_backend, instruction, program_text, [input_text], config)[0]
            else:
                result, attempts = reason_with_retries(model_backend, [(instruction, input_text)], config, retries=retries)[0]
            result, path = execute_written_call(result, executor, model_backend, instruction)
    if as_json:
        print_json({**result.to_json(), "path": path, "attempts": attempts})
    else:
        _show(result)
        console.print(plain(f"path: {path}" + (f"   attempts: {attempts}" if attempts > 1 else "")))
    if not result.ok:
        raise typer.Exit(EXIT_FAILED)


def _show(result) -> None:  # type: ignore[no-untyped-def]
    """Print a result for a person; everything the model wrote is plain text, never markup."""
    if result.program:
        out.print(Panel(Syntax(result.program, "python", word_wrap=True), title="program", expand=False))
    if result.call:
        out.print(labelled("call:", f">>> {result.call}"))
    if result.output is not None:
        out.print(Panel(Pretty(result.output), title="output", expand=False))
    if result.ok:
        out.print(labelled("answer:", repr(result.answer), "bold green"))
    else:
        out.print(labelled("no answer:", f"{result.error.value} ({result.detail})", "bold red"))
        if not result.program and result.raw:
            out.print(Panel(plain(result.raw[:1500]), title="raw completion", expand=False))


def register(app: typer.Typer) -> None:
    app.command("ask")(ask)
