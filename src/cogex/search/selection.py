"""Selection logic of CoTACS, free of any model: α resampling, top-k, voting (and combining the
kept programs' answers per item), successive halving."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable, Hashable, Sequence

from cogex.format import jsonable
from cogex.tasks import Example, Task


#: How ties in ranking accuracy are broken: ``answered`` prefers the program that gave a
#: well-formed answer on more ranking items (a wrong label over a crash), then at random;
#: ``random`` breaks them at random only (the behaviour before ``answered`` existed).
TIE_BREAKS: tuple[str, ...] = ("answered", "random")


def needs_resample(train_score: float | None, alpha: float, attempt: int, max_resamples: int, valid: bool) -> bool:
    """Algorithm 1's loop condition: resample while the candidate is invalid or its score on the
    generating items is below α, for at most ``max_resamples`` extra samples."""
    if attempt >= max_resamples:
        return False
    if not valid:
        return True
    return train_score is not None and train_score < alpha


def tie_break_rng(seed: int, key: str) -> random.Random:
    """A random generator for one tie-break decision, independent of evaluation order."""
    return random.Random(f"{seed}:{key}")


@dataclass(frozen=True)
class Scored:
    """A candidate's scores: rank accuracy first, then the generating-items score, then the
    fraction of ranking items it gave a well-formed answer on (0 when not used)."""

    index: int
    rank_score: float
    train_score: float | None = None
    answered: float = 0.0


def top_k(candidates: Sequence[Scored], k: int, seed: int) -> list[int]:
    """Indices of the k best candidates: by rank score, then train score, then answered
    fraction; remaining ties are broken at random with the run's seed (the same seed always
    picks the same candidates)."""
    rng = tie_break_rng(seed, "top_k")
    keyed = [(c, rng.random()) for c in candidates]
    keyed.sort(key=lambda pair: (-pair[0].rank_score, -(pair[0].train_score or 0.0), -pair[0].answered, pair[1]))
    return [c.index for c, _ in keyed[:k]]


def majority_vote(answers: Sequence[Hashable | None], *, seed: int, key: str) -> Hashable | None:
    """The most frequent non-None answer; ties broken at random with the seed (per item ``key``)."""
    votes = Counter(a for a in answers if a is not None)
    if not votes:
        return None
    best = max(votes.values())
    tied = sorted((a for a, count in votes.items() if count == best), key=repr)
    if len(tied) == 1:
        return tied[0]
    return tie_break_rng(seed, key).choice(tied)


def check_halving(n_items: int, n_candidates: int, *, min_items: int, eta: int, keep: int) -> None:
    """Raise ValueError unless the successive-halving sizes make sense (eta >= 2, sizes > 0)."""
    if isinstance(eta, bool) or not isinstance(eta, int) or eta < 2:
        raise ValueError(f"halving eta must be an integer >= 2 (keep 1/eta per round), got {eta!r}")
    if min_items < 1:
        raise ValueError(f"halving min_items must be at least 1, got {min_items}")
    if n_items < 1:
        raise ValueError(f"successive halving needs at least 1 ranking item, got {n_items}")
    if keep < 1:
        raise ValueError(f"keep must be at least 1, got {keep}")
    if n_candidates < 0:
        raise ValueError(f"n_candidates must be 0 or more, got {n_candidates}")


def halving_schedule(n_items: int, n_candidates: int, *, min_items: int = 4, eta: int = 2, keep: int = 1) -> list[tuple[int, int]]:
    """Successive halving rounds as (items evaluated so far, candidates kept after the round).

    Round r evaluates the survivors on the first ``min_items * eta**r`` items (capped at
    ``n_items``) and keeps the best ``1/eta`` of them, but never fewer than a final pool of
    ``max(keep + 1, eta)`` candidates. That pool is evaluated on every item and the top ``keep``
    are chosen from it, so the final choice is always a comparison on the full ranking set
    (halving only removes the clearly weaker candidates early).

    Finite by construction: with eta >= 2 (checked) the item count at least doubles every round,
    so there are at most ``log2(n_items) + 2`` rounds.
    """
    check_halving(n_items, n_candidates, min_items=min_items, eta=eta, keep=keep)
    pool = max(keep + 1, eta)
    rounds: list[tuple[int, int]] = []
    items, alive = min(min_items, n_items), n_candidates
    for _ in range(n_items.bit_length() + 1):  # items at least doubles per round: a hard bound
        if alive <= pool or items >= n_items:
            break
        alive = max(pool, -(-alive // eta))
        rounds.append((items, alive))
        items = min(n_items, items * eta)
    rounds.append((n_items, min(keep, alive)))
    return rounds


def planned_evaluations(n_items: int, n_candidates: int, *, min_items: int = 4, eta: int = 2, keep: int = 1) -> int:
    """How many (candidate, item) runs successive halving makes: each round runs the candidates
    alive at its start on the items it adds."""
    total, alive, done = 0, n_candidates, 0
    for items, keep_after in halving_schedule(n_items, n_candidates, min_items=min_items, eta=eta, keep=keep):
        total += alive * (items - done)
        alive, done = keep_after, items
    return total


def successive_halving(
    n_candidates: int,
    n_items: int,
    evaluate: Callable[[list[int], int, int], dict[int, list[bool]]],
    *,
    min_items: int = 4,
    eta: int = 2,
    keep: int = 1,
    seed: int = 0,
    answered: Callable[[int], float] | None = None,
) -> tuple[list[int], dict[int, list[bool]]]:
    """Run successive halving. ``evaluate(candidates, start, stop)`` returns, per candidate, the
    correctness on items ``start:stop``. Returns the survivors and all correctness seen.
    ``answered(candidate)`` (the fraction of items seen so far it answered) breaks ties in accuracy."""
    seen: dict[int, list[bool]] = {c: [] for c in range(n_candidates)}
    alive = list(range(n_candidates))
    for items, keep_after in halving_schedule(n_items, n_candidates, min_items=min_items, eta=eta, keep=keep):
        for cand, marks in evaluate(alive, len(seen[alive[0]]) if alive else 0, items).items():
            seen[cand].extend(marks)
        scored = [Scored(c, _mean(seen[c]), answered=answered(c) if answered else 0.0) for c in alive]
        alive = top_k(scored, keep_after, seed)
    return alive, seen


def _mean(values: Sequence[Any]) -> float:
    return sum(values) / len(values) if values else 0.0


def combine(task: Task, answers_per_program: Sequence[Sequence[Any]], items: Sequence[Example], seed: int) -> list[Any]:
    """The prediction per item: the answer of a single program, the vote of several, None without any."""
    if not answers_per_program:
        return [None] * len(items)
    if len(answers_per_program) == 1:
        return [None if a is None else jsonable(a) for a in answers_per_program[0]]
    return vote(task, answers_per_program, items, seed)


def vote(task: Task, answers_per_program: Sequence[Sequence[Any]], items: Sequence[Example], seed: int) -> list[Any]:
    """Majority vote over programs for every item (answers normalised by the task first)."""
    voted: list[Any] = []
    for j, ex in enumerate(items):
        normalised = [None if a[j] is None else task.normalize(a[j], ex) or None for a in answers_per_program]
        voted.append(majority_vote(normalised, seed=seed, key=ex.id))
    return voted
