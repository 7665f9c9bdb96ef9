"""Helpers shared by command implementations: backend construction, error reporting, console."""

from __future__ import annotations

import json
import sys
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import typer
from rich.console import Console

#: Human output goes to stderr so that stdout stays clean for --json and pipes.
console = Console(stderr=True)
out = Console()


def fail(message: str, code: int = 1) -> None:
    """Print a clear error (no traceback) and exit."""
    console.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn expected failures (missing files, unreachable servers, bad models) into clean errors."""
    from cogex.models.embedded import ModelLoadError

    try:
        yield
    except (ModelLoadError, FileNotFoundError, ValueError, RuntimeError, OSError) as exc:
        fail(str(exc) or type(exc).__name__)


def build_backend(
    model: str | None,
    adapter: str | None,
    *,
    backend: str = "transformers",
    base_url: str | None = None,
    api_key: str | None = None,
    dtype: str = "float32",
    batch_size: int = 8,
    no_cache: bool = False,
) -> Any:
    """Create the model backend for a command (with the persistent call cache unless disabled)."""
    from transformers.utils import logging as hf_logging

    from cogex.models.factory import create_backend

    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
    warnings.filterwarnings("ignore", category=FutureWarning)  # library deprecation notices, not ours
    with console.status("Loading model…"):
        return create_backend(
            model,
            adapter,
            backend=backend,  # type: ignore[arg-type]
            base_url=base_url,
            api_key=api_key,
            dtype=dtype,
            batch_size=batch_size,
            cache=not no_cache,
        )


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, default=repr) + "\n")
    sys.stdout.flush()


def read_text(path: Path) -> str:
    if not path.is_file():
        fail(f"file not found: {path}")
    return path.read_text(encoding="utf-8")
