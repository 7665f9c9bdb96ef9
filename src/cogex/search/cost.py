"""What a CoTACS search costs in model calls, before running it (bounds) or after (exact).

A search makes three kinds of model calls:

- **propose**: one reasoner completion per generating item and attempt: ``n_generate`` to
  ``n_generate * (1 + max_resamples)``;
- **alpha**: with ``alpha > 0``, every valid proposal is run on all generating items (one
  evaluation each) to decide whether to resample;
- **rank**: every distinct valid program, once per input binding that applies, on the ranking
  items: ``n_rank`` evaluations each (exhaustive) or what successive halving schedules.

One evaluation (a program on an item) costs, by executor and binding: ``emulate`` 1 call (the
model writes call and output); ``python`` / ``hybrid`` with the ``model`` binding 1 call (the call
line) plus 1 more when the run fails and falls back to emulation; with ``text`` / ``words`` 0;
``hybrid`` adds one call per undefined-helper call the program makes. :func:`counted_calls`
counts exactly from what a search did (attempts, runs per binding, fallbacks, helper calls);
:func:`nominal_calls` estimates from the settings alone, and bounds them from above with every
resample and fallback (docs/search.md has the table and a paper-scale projection).
"""

from __future__ import annotations

from dataclasses import dataclass

from cogex.execute.binding import MODEL_BINDING
from cogex.execute.executors import executor_kind
from cogex.search.cotacs import SearchSettings
from cogex.search.selection import planned_evaluations


@dataclass(frozen=True)
class CallCount:
    """Model calls of a search, by kind (cache hits included: what the model would compute cold)."""

    propose: int
    alpha: int
    rank: int

    @property
    def total(self) -> int:
        return self.propose + self.alpha + self.rank


def rank_evaluations(settings: SearchSettings, n_entries: int) -> int:
    """(program, binding, item) runs for ``n_entries`` ranked (program, binding) pairs."""
    if settings.ranking == "halving" and n_entries:
        return planned_evaluations(settings.n_rank, n_entries, min_items=settings.halving_min_items,
                                   eta=settings.halving_eta, keep=settings.k)
    return n_entries * settings.n_rank


def _calls_per_run(settings: SearchSettings, binding: str) -> int:
    """Model calls of one run (a program on an item) that neither fails nor calls a helper."""
    if not executor_kind(settings.executor).sandboxed:
        return 1  # the emulator writes call and output
    return 1 if binding == MODEL_BINDING else 0  # the call line, or none for text/words


def counted_calls(settings: SearchSettings, *, attempts: int, runs_by_binding: dict[str, int], fallbacks: int = 0,
                  helper_calls: int = 0, alpha_runs: int = 0) -> CallCount:
    """The exact model calls of a search that made ``attempts`` proposals, ``runs_by_binding``
    ranking runs (``fallbacks`` of them fell back to emulation), ``helper_calls`` helper calls
    (hybrid) and ``alpha_runs`` runs to score proposals against alpha (their fallbacks and helper
    calls included in ``fallbacks`` / ``helper_calls``)."""
    rank = sum(count * _calls_per_run(settings, binding) for binding, count in runs_by_binding.items())
    alpha = alpha_runs * _calls_per_run(settings, MODEL_BINDING)
    return CallCount(propose=attempts, alpha=alpha, rank=rank + fallbacks + helper_calls)


def nominal_calls(settings: SearchSettings, *, helper_calls_per_run: int = 0, failing_runs: bool = False,
                  resample_all: bool = False) -> CallCount:
    """Model calls when every proposal is valid and distinct and every binding applies; with
    ``resample_all`` every item uses all its resamples, with ``failing_runs`` every model-bound
    sandbox run falls back to emulation (together: the most a search can make, for a given
    number of helper calls per hybrid run)."""
    settings.validate()
    n, bindings = settings.n_generate, settings.ranked_bindings()
    sandboxed = executor_kind(settings.executor).sandboxed
    helpers = helper_calls_per_run if settings.executor == "hybrid" else 0
    attempts = n * (1 + settings.max_resamples) if resample_all else n
    fallback = 1 if (failing_runs and sandboxed) else 0
    total_runs = rank_evaluations(settings, n * len(bindings))  # n distinct programs under each binding
    # Halving cuts across bindings; split its runs evenly between them (exact when exhaustive).
    runs = {binding: total_runs // len(bindings) for binding in bindings}
    model_runs = runs.get(MODEL_BINDING, 0) if sandboxed else 0
    alpha_runs = attempts * n if settings.alpha > 0 else 0
    return counted_calls(settings, attempts=attempts, runs_by_binding=runs,
                         fallbacks=fallback * (model_runs + alpha_runs), helper_calls=helpers * (sum(runs.values()) + alpha_runs),
                         alpha_runs=alpha_runs)
