"""Guarded access to the Hugging Face Hub through ``datasets.load_dataset``.

The Hub is only tried after a short reachability check (a TCP connect in a background
thread, 2 s at most), so machines without network never wait on library retries. With
``HF_HUB_OFFLINE=1`` / ``HF_DATASETS_OFFLINE=1`` the check is skipped and ``datasets`` is
asked for its local cache only. ``COGEX_NO_HUB=1`` disables the Hub entirely.
"""

from __future__ import annotations

import os
from typing import Any

from cogex.hub import hub_disabled, hub_offline, hub_reachable

__all__ = ["HubUnavailable", "hub_disabled", "hub_offline", "hub_reachable", "load_hub_dataset"]

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
