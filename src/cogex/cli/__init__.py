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


@app.callback()
def _root() -> None:
    """Make language models reason by writing, emulating and searching programs (CoGEX + CoTACS)."""


# Each module defines `register(app)`; modules that are missing in a partial install are skipped.
_COMMAND_MODULES = ("ask", "exec_cmd", "convert", "train", "search", "apply", "eval_cmd")

for _name in _COMMAND_MODULES:
    try:
        _module = importlib.import_module(f"cogex.cli.{_name}")
    except ModuleNotFoundError as _exc:  # pragma: no cover - only while a command is not written yet
        if _exc.name != f"cogex.cli.{_name}":
            raise
        continue
    _module.register(app)


def main() -> None:
    app()
