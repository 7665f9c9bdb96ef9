"""``cogex exec``: run one program on one call and print the output dict."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.pretty import Pretty

from cogex.cli import options as opt
from cogex.cli.common import build_backend, fail, out, print_json, read_text, user_errors


def exec_command(
    program_file: Annotated[Path, typer.Argument(help="A Python file holding the program.")],
    call: Annotated[str, typer.Option("--call", "-c", help="The call, e.g. \"sort_words(['b', 'a'])\" (literal arguments only).")],
    executor: Annotated[str, typer.Option("--executor", "-e", help="python (sandbox only), hybrid (sandbox + model for undefined helpers) or emulate (the model).")] = "python",
    instruction: Annotated[Optional[str], typer.Option("--instruction", help="Instruction shown to the model (default: the docstring).")] = None,
    no_fallback: Annotated[bool, typer.Option("--no-fallback", help="Do not fall back to emulation when execution fails.")] = False,
    model: opt.ModelOption = None,
    adapter: opt.AdapterOption = None,
    backend: opt.BackendOption = "transformers",
    base_url: opt.BaseUrlOption = None,
    api_key: opt.ApiKeyOption = None,
    no_cache: opt.NoCacheOption = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object: output, answer, error, path.")] = False,
) -> None:
    """Run a program on one call with a sandboxed interpreter, the model, or both."""
    from cogex import format as fmt
    from cogex.execute.single import exec_call

    program = read_text(program_file)
    if executor not in ("python", "hybrid", "emulate"):
        fail(f"unknown executor {executor!r}; choose python, hybrid or emulate")
    with user_errors():
        # python never calls a model (and so never falls back); hybrid and emulate do.
        model_backend = None if executor == "python" else build_backend(
            model, adapter, backend=backend, base_url=base_url, api_key=api_key, no_cache=no_cache)
        result = exec_call(program, call, executor=executor, backend=model_backend, instruction=instruction,
                           fallback=not no_fallback)
    if as_json:
        print_json({"output": fmt._jsonable(result.output), "answer": fmt._jsonable(result.answer),
                    "error": result.error, "path": result.path})
        return
    if result.output is not None:
        out.print(Pretty(result.output))
    status = f"[green]answer[/] {result.answer!r}" if result.ok else f"[red]error[/] {result.error}"
    out.print(f"{status}  (path: {result.path})")
    if not result.ok:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("exec")(exec_command)
