"""Reachability of the Hugging Face Hub, checked fast so offline machines never wait on retries.

The check is a TCP connect in a background thread (2 s at most). ``HF_HUB_OFFLINE=1`` /
``HF_DATASETS_OFFLINE=1`` mean "local cache only"; ``COGEX_NO_HUB=1`` disables the Hub entirely.
Datasets are read through :func:`load_hub_dataset` (``datasets.load_dataset`` behind the check).
"""

from __future__ import annotations

import os
import socket
import threading
from typing import Any
from urllib.parse import urlparse

__all__ = ["HubUnavailable", "hub_disabled", "hub_offline", "hub_reachable", "load_hub_dataset"]

_TRUE = {"1", "true", "yes", "on"}


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in _TRUE


def hub_disabled() -> bool:
    """``COGEX_NO_HUB=1``: never touch the Hub."""
    return _flag("COGEX_NO_HUB")


def hub_offline() -> bool:
    """Hugging Face offline mode (cache only)."""
    return _flag("HF_HUB_OFFLINE") or _flag("HF_DATASETS_OFFLINE")


def hub_reachable(timeout: float = 2.0) -> bool:
    """Can we open a TCP connection to the Hub endpoint within *timeout* seconds?"""
    endpoint = os.environ.get("HF_ENDPOINT", "https://huggingface.co")
    parsed = urlparse(endpoint)
    host = parsed.hostname or "huggingface.co"
    port = parsed.port or (80 if parsed.scheme == "http" else 443)
    result: list[bool] = []

    def probe() -> None:
        try:
            with socket.create_connection((host, port), timeout=timeout):
                result.append(True)
        except OSError:
            result.append(False)

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(timeout)
    return bool(result and result[0])


class HubUnavailable(RuntimeError):
    """``datasets.load_dataset`` could not provide the data (reason in the message)."""


def load_hub_dataset(path: str, name: str | None = None, split: str | None = None) -> Any:
    """``datasets.load_dataset(path, name, split=split)``; every failure becomes :class:`HubUnavailable`."""
    if hub_disabled():
        raise HubUnavailable("the Hub is disabled (COGEX_NO_HUB=1)")
    if not hub_offline() and not hub_reachable():
        endpoint = os.environ.get("HF_ENDPOINT", "https://huggingface.co")
        raise HubUnavailable(f"{endpoint} is not reachable (no network?)")
    try:
        import datasets  # noqa: PLC0415 - heavy import, only on this path
    except ImportError as exc:
        raise HubUnavailable(f"the `datasets` library is not installed ({exc})") from exc
    try:
        return datasets.load_dataset(path, name, split=split)
    except Exception as exc:  # noqa: BLE001 - any library/network error
        first_line = (str(exc).strip().splitlines() or [""])[0][:300]
        raise HubUnavailable(f"{type(exc).__name__}: {first_line}") from exc
