"""``cogex ask``: answer one instruction in reasoner mode, or emulate a given program."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.panel import Panel
from rich.pretty import Pretty
from rich.syntax import Syntax

from cogex.cli import options as opt
from cogex.cli.common import build_backend, console, fail, out, print_json, read_text, user_errors

#: Retries `cogex ask` makes by default for a malformed reasoner output (scripts/adapter_report.py
#: reports the parseable share at this setting).
DEFAULT_RETRIES = 2


def ask(
    instruction: Annotated[str, typer.Argument(help="The instruction I.")],
    input_text: Annotated[str, typer.Option("--input", "-i", help="The optional input A.")] = "",
    program: Annotated[Optional[Path], typer.Option("--program", "-p", help="Emulator mode: run this program file instead of writing one.")] = None,
    model: opt.ModelOption = None,
    adapter: opt.AdapterOption = None,
    backend: opt.BackendOption = "transformers",
    base_url: opt.BaseUrlOption = None,
    api_key: opt.ApiKeyOption = None,
    dtype: opt.DtypeOption = "float32",
    max_new_tokens: Annotated[int, typer.Option("--max-new-tokens", help="Generation budget.")] = 384,
    temperature: Annotated[float, typer.Option("--temperature", help="0 = greedy.")] = 0.0,
    seed: opt.SeedOption = 0,
    retries: Annotated[int, typer.Option("--retries", min=0, help="Reasoner mode: sample again (t=0.7, new seed) when the output does not parse, at most this many times; 0 = one greedy answer only.")] = DEFAULT_RETRIES,
    executor: Annotated[str, typer.Option("--executor", "-e", help="emulate (the model writes the output, as in the paper), python (run the program in the sandbox) or hybrid (sandbox + model for undefined helpers); execution failures fall back to the emulated output.")] = "emulate",
    no_cache: opt.NoCacheOption = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object: program, call, output, answer, error, path, attempts.")] = False,
) -> None:
    """Reasoner mode f(I, A) -> program, call, output dict; with --program, emulator mode f(I, A, P)."""
    from cogex import format as fmt
    from cogex.generate import EMULATOR_CONFIG, REASONER_CONFIG, emulate, reason_with_retries

    program_text = read_text(program) if program is not None else None
    with user_errors():
        model_backend = build_backend(
            model, adapter, backend=backend, base_url=base_url, api_key=api_key, dtype=dtype, no_cache=no_cache
        )
        base = EMULATOR_CONFIG if program_text is not None else REASONER_CONFIG
        config = base.with_(max_new_tokens=max_new_tokens, temperature=temperature, seed=seed)
        attempts = 1
        if program_text is not None:
            result = emulate(model_backend, instruction, program_text, [input_text], config)[0]
        else:
            result, attempts = reason_with_retries(model_backend, [(instruction, input_text)], config, retries=retries)[0]
        result, path = _execute(result, executor, model_backend, instruction)
    if as_json:
        print_json({**result.to_json(), "path": path, "attempts": attempts})
        return
    _show(result, fmt)
    console.print(f"path: {path}" + (f"   attempts: {attempts}" if attempts > 1 else ""))


def _execute(result, executor: str, backend, instruction: str):  # type: ignore[no-untyped-def]
    """Replace the emulated output by real execution of the written call (python / hybrid)."""
    from dataclasses import replace

    from cogex.execute.single import exec_call
    from cogex.format import parse_call

    if executor not in ("emulate", "python", "hybrid"):
        fail(f"unknown executor {executor!r}; choose emulate, python or hybrid")
    if executor == "emulate" or result.program is None or result.call is None or parse_call(result.call) is None:
        return result, "emulate"
    ran = exec_call(result.program, result.call, executor=executor, backend=backend, instruction=instruction, fallback=False)
    if not ran.ok or not isinstance(ran.output, dict):
        return result, "emulate-fallback"
    return replace(result, output=ran.output, error=None, detail=""), ran.path



def _show(result, fmt) -> None:  # type: ignore[no-untyped-def]
    if result.program:
        out.print(Panel(Syntax(result.program, "python", word_wrap=True), title="program", expand=False))
    if result.call:
        out.print(f"[bold]call:[/] >>> {result.call}")
    if result.output is not None:
        out.print(Panel(Pretty(result.output), title="output", expand=False))
    if result.ok:
        out.print(f"[bold green]answer:[/] {result.answer!r}")
    else:
        out.print(f"[bold red]no answer:[/] {result.error.value} ({result.detail})")
        if not result.program and result.raw:
            out.print(Panel(result.raw[:1500], title="raw completion", expand=False))


def register(app: typer.Typer) -> None:
    app.command("ask")(ask)
