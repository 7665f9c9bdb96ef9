"""Helpers shared by command implementations: backend construction, error reporting, console.

Exit codes of every command: 0 = it ran and produced an answer/result; 1 = the program, the
model or the data failed (a parse failure, an execution error, no items, an unreachable server);
2 = bad usage (an unknown option value, a size out of range, an empty instruction). ``--json``
does not change them: the JSON is still printed.
"""

from __future__ import annotations

import json
import math
import sys
import warnings
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any, Iterator, NoReturn

import typer
from rich.console import Console
from rich.text import Text

try:  # typer >= 0.2x ships its own copy of click
    from typer._click import exceptions as click_exceptions
except ImportError:  # pragma: no cover - typer on top of the click package
    from click import exceptions as click_exceptions  # type: ignore[no-redef]  # noqa: F401 (re-exported for cogex.cli)

#: Human output goes to stderr so that stdout stays clean for --json and pipes.
console = Console(stderr=True)
out = Console()

#: Exit code of a command that ran but produced no answer / result.
EXIT_FAILED = 1
#: Exit code of bad usage (the same code click uses for its own usage errors).
EXIT_USAGE = 2
#: Program files larger than this are refused (a CoGEX program is a few hundred lines at most).
MAX_PROGRAM_BYTES = 1_000_000


def one_line(message: str) -> str:
    """``message`` on a single line (newlines and runs of blanks become one space)."""
    return " ".join(str(message).split())


def fail(message: str, code: int = EXIT_FAILED) -> NoReturn:
    """Print a clear one-line error (no traceback) and exit."""
    console.print(Text.assemble(("error:", "bold red"), " ", one_line(message)), soft_wrap=True)
    raise typer.Exit(code)


def usage_error(message: str) -> NoReturn:
    """Fail with the bad-usage exit code."""
    fail(message, EXIT_USAGE)


def plain(text: Any) -> Text:
    """Model output (or anything not written by us) as plain text: never read as rich markup."""
    return Text(str(text))


def labelled(label: str, value: Any, style: str = "bold") -> Text:
    """``label value`` with a styled label and a plain-text value."""
    return Text.assemble((label, style), " ", str(value))


def describe_error(exc: BaseException) -> str:
    """A one-line, user-facing message for an expected failure."""
    if isinstance(exc, UnicodeDecodeError):
        return f"the file is not UTF-8 text (invalid byte at offset {exc.start})"
    if isinstance(exc, PermissionError):
        return f"permission denied: {exc.filename}" if exc.filename else f"permission denied ({exc})"
    if isinstance(exc, IsADirectoryError):
        return f"is a directory, not a file: {exc.filename}" if exc.filename else str(exc)
    if isinstance(exc, json.JSONDecodeError):
        return f"invalid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
    if isinstance(exc, KeyError):
        return str(exc.args[0]) if exc.args else "missing key"
    if isinstance(exc, FileNotFoundError) and exc.filename and exc.strerror:
        return f"file not found: {exc.filename}"
    return str(exc) or type(exc).__name__


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn expected failures (missing files, bad data, unreachable servers, bad models) into
    one-line errors with exit code 1; exits and usage errors raised inside pass through."""
    from cogex.models.embedded import ModelLoadError

    try:
        yield
    except (typer.Exit, typer.Abort, typer.TyperException):
        raise  # typer.Exit and typer.Abort are RuntimeErrors too: never report them twice
    except (ModelLoadError, ValueError, KeyError, RuntimeError, OSError) as exc:
        fail(describe_error(exc))


def build_backend(
    model: str | None,
    adapter: str | None,
    *,
    no_cache: bool = False,
    request_timeout: float | None = None,
    max_retries: int | None = None,
    batch_size: int = 8,
    status: bool = True,
    **options: Any,
) -> Any:
    """Create the model backend for a command (with the persistent call cache unless disabled).
    ``options`` are :func:`~cogex.models.factory.create_backend`'s (``backend``, ``dtype``,
    ``threads``, ``on_calls`` for progress, ...); ``status`` shows a "Loading model…" spinner
    (not while progress bars are live). ``batch_size`` is also an openai server's concurrency."""
    from cogex.cli.options import DEFAULT_MAX_RETRIES, DEFAULT_REQUEST_TIMEOUT
    from cogex.models.factory import create_backend

    if options.get("backend", "transformers") in ("transformers", "vllm"):
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        hf_logging.set_verbosity_error()
    warnings.filterwarnings("ignore", category=FutureWarning)  # library deprecation notices, not ours
    with console.status("Loading model…") if status else nullcontext():
        return create_backend(
            model,
            adapter,
            batch_size=batch_size,
            concurrency=batch_size,
            cache=not no_cache,
            request_timeout=DEFAULT_REQUEST_TIMEOUT if request_timeout is None else request_timeout,
            max_retries=DEFAULT_MAX_RETRIES if max_retries is None else max_retries,
            **options,
        )


def backend_from(args: Any, *, adapter: str | None = None, on_calls: Any = None, on_tokens: Any = None,
                 lazy: bool = False, openai_mode: str = "completions") -> Any:
    """:func:`build_backend` from a command's parsed :class:`~cogex.cli.options.BackendArgs`.
    ``on_calls(n)`` hears of finished completions, ``on_tokens(n)`` of generated tokens as they
    come (progress displays); ``lazy``: load the model only when it is first asked for a
    completion (python / hybrid execution may never need it)."""
    kwargs = args.to_kwargs()
    model = kwargs.pop("model")
    given = kwargs.pop("adapter")
    if kwargs.pop("chat"):
        openai_mode = "chat"
    chosen = given if adapter is None else adapter
    if lazy:
        from cogex.models.factory import LazyBackend

        backend = LazyBackend(lambda: build_backend(model, chosen, **kwargs, on_calls=on_calls, status=False,
                                                    openai_mode=openai_mode))
    else:
        backend = build_backend(model, chosen, **kwargs, on_calls=on_calls, openai_mode=openai_mode)
    if on_tokens is not None:
        backend.watch_tokens(on_tokens)
    return backend


def check_cache_location(no_cache: bool) -> None:
    """Fail before any model loads when the call cache cannot be opened where it is configured."""
    if no_cache:
        return
    from cogex.models.call_cache import check_cache_path, default_cache_path

    with user_errors():
        check_cache_path(default_cache_path())


def strict_json(data: Any) -> Any:
    """``data`` with every non-finite float replaced (NaN -> null, ±inf -> "inf"/"-inf"), so the
    JSON printed is strict (no ``NaN`` / ``Infinity`` tokens)."""
    if isinstance(data, float) and not math.isfinite(data):
        return None if math.isnan(data) else ("inf" if data > 0 else "-inf")
    if isinstance(data, dict):
        return {str(k) if not isinstance(k, str) else k: strict_json(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [strict_json(v) for v in data]
    return data


def dumps_strict(data: Any, **kwargs: Any) -> str:
    """Strict JSON text of ``data`` (non-finite floats converted, unknown objects as repr)."""
    return json.dumps(strict_json(data), ensure_ascii=False, allow_nan=False, default=repr, **kwargs)


def print_json(data: Any) -> None:
    """One strict JSON object on stdout."""
    sys.stdout.write(dumps_strict(data) + "\n")
    sys.stdout.flush()


def read_text(path: Path, what: str = "file", *, max_bytes: int = MAX_PROGRAM_BYTES) -> str:
    """The UTF-8 text of a user file, or a one-line error (exit 1) saying what is wrong with it."""
    if path.is_dir():
        fail(f"{what} {path} is a directory, not a file")
    if not path.is_file():
        fail(f"{what} not found: {path}")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            fail(f"{what} {path} is {size / 1e6:.1f} MB; at most {max_bytes / 1e6:.1f} MB is accepted")
        data = path.read_bytes()
    except PermissionError:
        fail(f"cannot read {what} {path}: permission denied")
    except OSError as exc:
        fail(f"cannot read {what} {path}: {exc.strerror or exc}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        fail(f"{what} {path} is not UTF-8 text (invalid byte at offset {exc.start})")


