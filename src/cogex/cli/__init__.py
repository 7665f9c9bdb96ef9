"""The ``cogex`` command line: one module per command, registered on one Typer app.

Exit codes: 0 = ran and produced an answer/result; 1 = the program, the model or the data failed;
2 = bad usage. Every error is one line on stderr (``error: ...``), never a traceback.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import typer
from typer.core import TyperGroup

from cogex.cli.common import EXIT_USAGE, click_exceptions, console, labelled, one_line

_NO_ARGS = getattr(click_exceptions, "NoArgsIsHelpError", ())


def usage_message(exc: Exception) -> str:
    """A usage error as one line, without the validation library's "Value error, " prefix."""
    message = one_line(exc.format_message()) if hasattr(exc, "format_message") else one_line(str(exc))
    return message.replace(": Value error, ", ": ").replace(": Input should be ", ": must be ")


class CogexGroup(TyperGroup):
    """The root command group: usage errors are printed as one line (``error: ... (see cogex
    CMD --help)``) with exit code 2, instead of a usage block and a boxed panel."""

    def main(self, args: Any = None, prog_name: Any = None, complete_var: Any = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except _NO_ARGS as exc:  # plain `cogex` or `cogex CMD`: show the help
            sys.stderr.write(exc.ctx.get_help() + "\n")
            sys.exit(EXIT_USAGE)
        except click_exceptions.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx is not None else "cogex"
            console.print(labelled("error:", f"{usage_message(exc)} (see {where} --help)", "bold red"), soft_wrap=True)
            sys.exit(exc.exit_code)
        except click_exceptions.ClickException as exc:
            console.print(labelled("error:", usage_message(exc), "bold red"), soft_wrap=True)
            sys.exit(exc.exit_code)
        except typer.Abort:
            console.print(labelled("error:", "aborted", "bold red"))
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


app = typer.Typer(
    name="cogex",
    cls=CogexGroup,
    help="Make language models reason by writing, emulating and searching programs (CoGEX + CoTACS).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            print(f"cogex {version('cogex')}")
        except PackageNotFoundError:  # running from a source tree without an install
            print("cogex (not installed)")
        raise typer.Exit()


@app.callback()
def _root(
    show_version: bool = typer.Option(False, "--version", help="Print the cogex version and exit.", callback=_print_version,
                                      is_eager=True),
) -> None:
    """Make language models reason by writing, emulating and searching programs (CoGEX + CoTACS)."""


# Each module defines `register(app)`.
for _name in ("ask", "exec_cmd", "convert", "train", "search", "apply", "eval_cmd", "export"):
    importlib.import_module(f"cogex.cli.{_name}").register(app)


def main() -> None:
    app()
