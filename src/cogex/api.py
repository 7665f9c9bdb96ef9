"""The Python API: load a model and a task, search for a program, save it, apply it, evaluate.

    import cogex

    backend = cogex.load_backend()                      # the embedded model (+ shipped adapter)
    task = cogex.load_task("tasks/my_task.yaml")        # a paper task name, a YAML config, or a file
    program = cogex.search_program(backend, task, n_generate=4, n_rank=8)
    program.save("runs/my_task")
    answers = cogex.Program.load("runs/my_task").apply(backend, ["an input"])

Every function here is a thin, documented entry to the library modules it names.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any, Sequence

from cogex.models.backend import Backend
from cogex.search.artifact import Program
from cogex.search.cotacs import SearchSettings
from cogex.tasks.base import Task


def load_backend(model: str | None = None, adapter: str | None = None, **options: Any) -> Backend:
    """A model backend (:func:`cogex.models.factory.create_backend`): by default the embedded
    SmolLM2-135M-Instruct with the shipped CoGEX adapter; ``adapter="none"`` for the base model;
    ``backend="openai", base_url=..., model=...`` for a server."""
    from cogex.models.factory import create_backend

    return create_backend(model, adapter, **options)


def load_task(spec: str | Path, *, instruction: str | None = None, **columns: Any) -> Task:
    """A task: a paper or shipped task name, a task config ``.yaml``, or a JSONL/CSV file (then
    ``instruction`` is required; ``input_column``, ``target_column``, ``answer_format``, ``labels``
    and ``search_fraction`` go to :func:`cogex.tasks.load_user_task`)."""
    from cogex.tasks import get_task, load_user_task

    if instruction is None and not columns:
        try:
            return get_task(str(spec))
        except KeyError:
            if not Path(spec).is_file():
                raise
            raise ValueError(f"{spec} is a data file: pass instruction=... to load it as a task") from None
    if instruction is None:
        raise ValueError("a data file task needs instruction=...")
    return load_user_task(spec, instruction=instruction, **columns)


def search_program(backend: Backend, task: Task, settings: SearchSettings | None = None, *,
           out_dir: str | Path | None = None, **overrides: Any) -> Program:
    """CoTACS on ``task`` (:func:`cogex.search.cotacs.run_search`); ``overrides`` change single
    settings (e.g. ``n_generate=4, executor="hybrid"``). With ``out_dir`` the artifact and every
    candidate are written there as well."""
    from cogex.search.cotacs import run_search

    chosen = replace(settings or SearchSettings(), **overrides)
    return run_search(backend, task, chosen, out_dir=Path(out_dir) if out_dir is not None else None).program


def run_evaluation(tasks: Sequence[str], methods: Sequence[str], *, backend: Backend | None = None,
             base_backend: Backend | None = None, run_dir: str | Path, test_items: int = 100,
             search: SearchSettings | None = None, seed: int = 0) -> dict[str, Any]:
    """Methods x tasks on the same test items (:func:`cogex.evaluate.run.evaluate`); writes the
    run directory (results.json, results.md, plots) and returns the results.json content.
    ``backend`` runs the CoGEX methods, ``base_backend`` the prompting baselines."""
    from cogex.evaluate.report import write_report
    from cogex.evaluate.results import build_results
    from cogex.evaluate.run import EvalSettings, evaluate, needs_models

    settings = EvalSettings(tasks=tuple(tasks), methods=tuple(methods), test_items=test_items, seed=seed,
                            search=search or SearchSettings(k=3))
    need_base, need_cogex = needs_models(settings.methods)
    if need_base and base_backend is None:
        raise ValueError("these methods run the base model: pass base_backend=load_backend(adapter='none')")
    if need_cogex and backend is None:
        raise ValueError("these methods run the CoGEX model: pass backend=load_backend()")
    out = Path(run_dir)
    cells = evaluate(settings, base=base_backend, cogex=backend, run_dir=out)
    results = build_results(out, cells)
    write_report(results, out)
    return results
