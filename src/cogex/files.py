"""File helpers shared by the pipeline stages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable


def write_json_atomic(path: Path, data: Any, *, default: Callable[[Any], Any] = repr) -> None:
    """Write ``data`` as indented JSON through a temporary file, so readers (and a crash) never
    see half a file."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=default) + "\n", encoding="utf-8")
    tmp.replace(path)
