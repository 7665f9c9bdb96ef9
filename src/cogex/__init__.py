"""cogex: language models that reason by writing, emulating and searching programs (CoGEX + CoTACS).

The public API (see docs/api.md)::

    load_backend, load_task, search_program, run_evaluation, Program, SearchSettings

Names are imported on first use, so ``import cogex`` (and the command line) stays fast.
"""

from __future__ import annotations

from cogex._lazy import lazy_exports

__version__ = "0.1.0"

_EXPORTS = {
    "load_backend": "cogex.api",
    "load_task": "cogex.api",
    "search_program": "cogex.api",
    "run_evaluation": "cogex.api",
    "Program": "cogex.search.artifact",
    "ChosenProgram": "cogex.search.artifact",
    "SearchSettings": "cogex.search.cotacs",
    "GenerationConfig": "cogex.models.backend",
    "Backend": "cogex.models.backend",
    "Task": "cogex.tasks.base",
}

__all__ = ["__version__", *_EXPORTS]


__getattr__ = lazy_exports(__name__, _EXPORTS, globals())


def __dir__() -> list[str]:
    return sorted(__all__)
