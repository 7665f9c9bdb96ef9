"""File helpers shared by the pipeline stages."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, Callable


def _read_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


#: mkstemp makes files private (0600); the result gets the mode a plain ``open`` would give it.
_FILE_MODE = 0o666 & ~_read_umask()


def portable_path(path: Path) -> str:
    """``path`` as recorded in result artifacts, without one machine's folders: a file shipped
    with cogex as ``cogex/...``, one under the current directory relative to it, one under the
    home directory from ``~``; anything else as given."""
    path = Path(path)
    package = Path(__file__).resolve().parent
    for base, prefix in ((package, Path(package.name)), (Path.cwd(), Path()), (Path.home(), Path("~"))):
        try:
            return str(prefix / path.resolve().relative_to(base.resolve()))
        except ValueError:
            continue
    return str(path)


def write_json_atomic(path: Path, data: Any, *, default: Callable[[Any], Any] = repr) -> None:
    """Write ``data`` as indented JSON through a temporary file, so readers (and a crash) never
    see half a file. The temporary file has a unique name in the same folder, so concurrent
    writers never share it: the last ``os.replace`` wins with a complete file."""
    path = Path(path)
    text = json.dumps(data, indent=2, ensure_ascii=False, default=default) + "\n"
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, _FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
