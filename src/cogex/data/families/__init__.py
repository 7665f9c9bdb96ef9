"""Task families for breadth: training generators and the held-out evaluation families.

``training_families()`` are the generator families whose instances go into the training set;
``heldout_families()`` are withheld kinds that become evaluation tasks, ``dev_families()`` withheld
kinds to tune search and prompting against, so that nothing is tuned on the held-out ones (see
docs/data.md).
"""

from __future__ import annotations

from importlib import import_module

from .base import Example, Family, call_line, family_rng

__all__ = ["Example", "Family", "call_line", "dev_families", "family_rng", "heldout_families", "training_families"]

#: Modules holding training families (each defines FAMILIES).
TRAINING_MODULES = ("train_text", "train_numbers", "train_structures", "train_knowledge")


def training_families() -> list[Family]:
    """Every training family, in module order (names are unique)."""
    families: list[Family] = []
    for module in TRAINING_MODULES:
        families.extend(import_module(f"{__name__}.{module}").FAMILIES)
    names = [f.name for f in families]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"duplicate family names: {duplicates}")
    withheld = {f.name for f in heldout_families() + dev_families()}
    if withheld & set(names):
        raise ValueError(f"held-out or dev families listed for training: {sorted(withheld & set(names))}")
    return families


def heldout_families() -> list[Family]:
    """The withheld families (evaluation only)."""
    return list(import_module(f"{__name__}.heldout").FAMILIES)


def dev_families() -> list[Family]:
    """The development families (withheld from training; for tuning, never for reporting)."""
    return list(import_module(f"{__name__}.dev").FAMILIES)
