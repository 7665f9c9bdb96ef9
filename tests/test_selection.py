"""CoTACS selection logic on fixed scores: α resampling, top-k, voting, tie-breaking, halving."""

from __future__ import annotations

from collections import Counter

import pytest

from cogex.search.selection import (
    Scored,
    halving_schedule,
    majority_vote,
    needs_resample,
    successive_halving,
    top_k,
)


@pytest.mark.parametrize(
    ("score", "alpha", "attempt", "max_resamples", "valid", "expected"),
    [
        (0.2, 0.5, 0, 2, True, True),  # below alpha, attempts left
        (0.5, 0.5, 0, 2, True, False),  # at alpha: keep
        (0.9, 0.5, 0, 2, True, False),
        (0.2, 0.5, 2, 2, True, False),  # no attempts left
        (None, 0.0, 0, 2, False, True),  # invalid program: resample
        (None, 0.0, 1, 1, False, False),  # invalid but out of attempts
        (0.0, 0.0, 0, 3, True, False),  # alpha 0 never resamples a valid program
    ],
)
def test_alpha_resampling_rule(score, alpha, attempt, max_resamples, valid, expected) -> None:
    assert needs_resample(score, alpha, attempt, max_resamples, valid) is expected


def test_top_k_orders_by_rank_then_train_score() -> None:
    cands = [Scored(0, 0.5, 0.1), Scored(1, 0.8, 0.0), Scored(2, 0.5, 0.9), Scored(3, 0.2, 1.0)]
    assert top_k(cands, 1, seed=0) == [1]
    assert top_k(cands, 3, seed=0) == [1, 2, 0]


def test_top_k_ties_are_random_but_reproducible() -> None:
    cands = [Scored(i, 0.5) for i in range(6)]
    first = top_k(cands, 2, seed=1)
    assert first == top_k(cands, 2, seed=1)
    picks = {tuple(top_k(cands, 2, seed=s)) for s in range(30)}
    assert len(picks) > 3  # different seeds break the tie differently
    assert all(len(set(p)) == 2 for p in picks)


def test_majority_vote() -> None:
    assert majority_vote(["a", "b", "a"], seed=0, key="x") == "a"
    assert majority_vote([None, None, "c"], seed=0, key="x") == "c"
    assert majority_vote([None, None, None], seed=0, key="x") is None


def test_majority_vote_tie_break_uses_seed_and_item() -> None:
    answers = ["a", "b", "c"]
    assert majority_vote(answers, seed=3, key="item1") == majority_vote(answers, seed=3, key="item1")
    outcomes = Counter(majority_vote(answers, seed=s, key="item1") for s in range(60))
    assert set(outcomes) == {"a", "b", "c"}  # every tied answer can win
    assert majority_vote(["a", "b", "a", "b", None], seed=0, key="k") in {"a", "b"}


def test_halving_schedule_ends_on_all_items() -> None:
    rounds = halving_schedule(24, 8, min_items=4, eta=2, keep=1)
    assert rounds == [(4, 4), (8, 2), (24, 1)]  # the last two are compared on every item
    assert halving_schedule(10, 1, keep=1) == [(10, 1)]
    assert halving_schedule(24, 8, keep=3) == [(4, 4), (24, 3)]  # final pool keep + 1
    assert halving_schedule(48, 16, min_items=6, eta=2) == [(6, 8), (12, 4), (24, 2), (48, 1)]
    assert halving_schedule(48, 9, min_items=4, eta=3) == [(4, 3), (48, 1)]
    assert halving_schedule(5, 8, min_items=4, eta=2) == [(4, 4), (5, 1)]  # capped at n_items


def test_halving_final_choice_is_made_on_every_item() -> None:
    # Candidate 1 is best overall but trails candidate 0 on the first 4 items; with a final pool of
    # two, both reach the full set and the overall best wins.
    def marks(c: int, i: int) -> bool:
        return (i < 8) if c == 0 else (i >= 2) if c == 1 else False

    def evaluate(cands, start, stop):
        return {c: [marks(c, i) for i in range(start, stop)] for c in cands}

    survivors, seen = successive_halving(4, 32, evaluate, min_items=4, eta=2, keep=1, seed=0)
    assert survivors == [1]
    assert len(seen[0]) == len(seen[1]) == 32


def test_successive_halving_finds_the_best_with_fewer_evaluations() -> None:
    # Candidate c is correct on item i iff (i * 7 + c) % 10 < quality[c]: fixed, known accuracies.
    quality = [2, 9, 4, 6, 1, 3, 8, 5]
    n_items = 40
    calls = Counter()

    def evaluate(cands, start, stop):
        out = {}
        for c in cands:
            calls[c] += stop - start
            out[c] = [((i * 7 + c) % 10) < quality[c] for i in range(start, stop)]
        return out

    survivors, seen = successive_halving(len(quality), n_items, evaluate, min_items=5, eta=2, keep=1, seed=0)
    assert survivors == [1]
    assert len(seen[1]) == n_items
    assert sum(calls.values()) < len(quality) * n_items / 2  # far fewer than exhaustive



def test_top_k_breaks_equal_accuracy_by_answered_fraction_before_chance() -> None:
    cands = [Scored(0, 0.0, answered=0.0), Scored(1, 0.0, answered=0.75), Scored(2, 0.25, answered=0.5), Scored(3, 0.0, answered=0.5)]
    for seed in range(10):
        assert top_k(cands, 3, seed=seed) == [2, 1, 3]  # accuracy first, then answers given


def test_successive_halving_keeps_the_programs_that_answer_when_all_score_zero() -> None:
    # Every candidate is wrong everywhere; candidate c answers (wrongly) on items with i % 4 < answers[c].
    answers = [0, 0, 4, 0, 1, 0, 3, 0]
    given: dict[int, list[bool]] = {c: [] for c in range(len(answers))}

    def evaluate(cands, start, stop):
        for c in cands:
            given[c].extend(i % 4 < answers[c] for i in range(start, stop))
        return {c: [False] * (stop - start) for c in cands}

    def answered(c: int) -> float:
        return sum(given[c]) / len(given[c])

    for seed in range(5):
        for c in given:
            given[c].clear()
        survivors, _ = successive_halving(len(answers), 16, evaluate, min_items=4, eta=2, keep=1, seed=seed, answered=answered)
        assert survivors == [2]


@pytest.mark.parametrize("eta", [1, 0, -2])
def test_halving_rejects_an_eta_below_two(eta: int) -> None:
    # eta=1 used to loop for ever (the item count never grew), eta=0 divided by zero.
    with pytest.raises(ValueError, match="eta must be an integer >= 2"):
        halving_schedule(24, 6, eta=eta)
    with pytest.raises(ValueError, match="eta"):
        successive_halving(6, 24, lambda c, a, b: {i: [] for i in c}, eta=eta)


@pytest.mark.parametrize(("n_items", "min_items", "keep"), [(0, 4, 1), (24, 0, 1), (24, 4, 0), (-1, 4, 1)])
def test_halving_rejects_sizes_that_are_not_positive(n_items: int, min_items: int, keep: int) -> None:
    with pytest.raises(ValueError):
        halving_schedule(n_items, 6, min_items=min_items, keep=keep)


def test_halving_schedule_is_short_and_ends_on_every_item_for_any_sizes() -> None:
    for n_items in (1, 2, 3, 7, 24, 1000, 2**20):
        for n_candidates in (0, 1, 2, 5, 300, 10**6):
            for eta in (2, 3, 10):
                for min_items in (1, 4, 5000):
                    rounds = halving_schedule(n_items, n_candidates, min_items=min_items, eta=eta, keep=3)
                    assert len(rounds) <= n_items.bit_length() + 2
                    assert rounds[-1][0] == n_items  # the final choice sees every item
                    sizes = [items for items, _ in rounds]
                    assert sizes == sorted(sizes) and len(set(sizes)) == len(sizes)


def test_search_settings_validate_names_the_setting() -> None:
    from cogex.search import SearchSettings

    assert SearchSettings().validate() == SearchSettings()
    bad = {"k": 0, "n_generate": -3, "n_rank": 0, "max_resamples": -1, "alpha": 1.5, "halving_eta": 1,
           "executor": "hybird", "ranking": "best", "bindings": ("telepathy",), "tie_break": "coin"}
    for name, value in bad.items():
        settings = SearchSettings(**{name: value, **({"ranking": "halving"} if name == "halving_eta" else {})})
        with pytest.raises(ValueError, match=name.split("_")[-1] if name != "bindings" else "binding"):
            settings.validate()


@pytest.mark.parametrize("n_items,n_candidates,min_items,eta,keep", [(24, 8, 4, 2, 1), (48, 16, 4, 3, 3), (10, 3, 2, 2, 1), (5, 1, 4, 2, 1)])
def test_planned_evaluations_counts_exactly_what_halving_runs(n_items, n_candidates, min_items, eta, keep) -> None:
    from cogex.search.selection import planned_evaluations

    ran = [0]

    def evaluate(candidates, start, stop):
        ran[0] += len(candidates) * (stop - start)
        return {c: [c % 2 == 0] * (stop - start) for c in candidates}

    successive_halving(n_candidates, n_items, evaluate, min_items=min_items, eta=eta, keep=keep)
    assert planned_evaluations(n_items, n_candidates, min_items=min_items, eta=eta, keep=keep) == ran[0]
    assert ran[0] <= n_candidates * n_items
