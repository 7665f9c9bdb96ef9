"""The ``cogex`` command line: one module per command, registered on one Typer app."""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="cogex",
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
