"""CoTACS (Algorithm 1 of the paper): adapt a frozen CoGEX model to a task by program search.

1. Split the labelled items into ``n_generate`` items that each propose one candidate program
   (reasoner mode, t=0.7) and ``n_rank`` items used to rank the candidates.
2. A candidate is resampled (at most ``max_resamples`` times) while it is unparseable or its score
   on the generating items is below α.
3. Every candidate is run on the ranking items with an executor (the paper: emulation at t=0.05)
   and scored by exact match; ranking is exhaustive (the paper) or by successive halving. With
   the python/hybrid executors each program is ranked once per input binding that applies to it
   (:mod:`cogex.execute.binding`), and a kept program keeps its binding.
4. The top k programs are kept; with k = 3 the answer is their majority vote.

The product is a small JSON artifact (``program.json``) that ``cogex apply`` runs on new data.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Sequence

from cogex import format as fmt
from cogex.execute.binding import BINDINGS, MODEL_BINDING, applies, check_bindings
from cogex.execute.executors import Executor, ItemResult, executor_kind, make_executor, with_binding
from cogex.generate.modes import EMULATOR_CONFIG, REASONER_CONFIG
from cogex.models.backend import Backend
from cogex.search.artifact import PROGRAM_FILE, ChosenProgram, Program, RankPrediction
from cogex.search.selection import (
    TIE_BREAKS,
    Scored,
    check_halving,
    combine,
    needs_resample,
    planned_evaluations,
    successive_halving,
    top_k,
)
from cogex.tasks import Example, Task
from cogex.tasks.metrics import correctness

CANDIDATES_FILE = "candidates.jsonl"


@dataclass(frozen=True)
class SearchSettings:
    """Every CoTACS setting. Defaults fit a 2-core CPU; the paper uses n=300 of at most 1000
    items (the rest rank), k in {1, 3}, t=0.7 to generate and t=0.05 to emulate."""

    n_generate: int = 6
    n_rank: int = 24
    k: int = 1
    alpha: float = 0.0
    max_resamples: int = 1
    gen_temperature: float = 0.7
    emu_temperature: float = 0.05
    gen_max_new_tokens: int = 384
    emu_max_new_tokens: int = 192
    executor: str = "emulate"
    ranking: str = "exhaustive"  # or "halving"
    halving_min_items: int = 4
    halving_eta: int = 2
    bindings: tuple[str, ...] = BINDINGS  # python/hybrid only; emulate always uses "model"
    tie_break: str = "answered"  # equal ranking accuracy: prefer more well-formed answers ("random": none)
    seed: int = 0

    def validate(self) -> "SearchSettings":
        """Raise ValueError naming the first setting out of range (before any model call)."""
        for name in ("n_generate", "n_rank", "k", "gen_max_new_tokens", "emu_max_new_tokens"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a whole number of at least 1, got {value!r}")
        if self.max_resamples < 0:
            raise ValueError(f"max_resamples must be 0 or more, got {self.max_resamples}")
        if not 0.0 <= self.alpha <= 1.0:
            raise ValueError(f"alpha must be between 0 and 1, got {self.alpha}")
        for name in ("gen_temperature", "emu_temperature"):
            value = getattr(self, name)
            if not value >= 0.0:  # also rejects NaN
                raise ValueError(f"{name} must be 0 or more, got {value}")
        executor_kind(self.executor)
        if self.ranking not in ("exhaustive", "halving"):
            raise ValueError(f"unknown ranking {self.ranking!r}; use exhaustive or halving")
        if self.ranking == "halving":
            check_halving(self.n_rank, 0, min_items=self.halving_min_items, eta=self.halving_eta, keep=self.k)
        check_bindings(self.bindings)
        if self.tie_break not in TIE_BREAKS:
            raise ValueError(f"unknown tie_break {self.tie_break!r}; use {' or '.join(TIE_BREAKS)}")
        return self

    def ranked_bindings(self) -> tuple[str, ...]:
        """The input bindings ranked: all of ``bindings`` for python/hybrid, ``model`` for emulate."""
        return check_bindings(self.bindings) if executor_kind(self.executor).sandboxed else (MODEL_BINDING,)


@dataclass
class Candidate:
    """One proposed program and what is known about it."""

    index: int
    program: str
    source_item: str
    attempts: int
    instruction: str
    self_answer: Any = None
    train_score: float | None = None
    rank_score: float | None = None
    rank_correct: list[bool] = field(default_factory=list)
    rank_answers: list[Any] = field(default_factory=list)
    rank_paths: list[str] = field(default_factory=list)
    rank_answered: list[bool] = field(default_factory=list)  # a well-formed answer per ranking item
    binding: str = MODEL_BINDING
    valid: bool = True  # parseable enough to rank (False: kept only to show what the model wrote)

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "program": self.program,
            "binding": self.binding,
            "source_item": self.source_item,
            "attempts": self.attempts,
            "train_score": self.train_score,
            "rank_score": self.rank_score,
            "rank_items_evaluated": len(self.rank_correct),
            "rank_answered": _mean(self.rank_answered) if self.rank_answered else None,
            "valid": self.valid,
        }


@dataclass
class SearchResult:
    """The artifact (the chosen programs and how they were found) and every ranked candidate."""

    program: Program
    candidates: list[Candidate]


Progress = Callable[[str, int, int], None]


def _noop(_stage: str, _done: int, _total: int) -> None:
    pass


def split_items(task: Task, settings: SearchSettings) -> tuple[list[Example], list[Example]]:
    """Generating items and ranking items: disjoint, deterministic for the seed."""
    items = task.examples("search", limit=settings.n_generate + settings.n_rank, seed=settings.seed)
    if len(items) < settings.n_generate + 1:
        raise ValueError(f"task {task.name!r} has {len(items)} search items; need more than n_generate={settings.n_generate}")
    return items[: settings.n_generate], items[settings.n_generate :]


def score(task: Task, results: Sequence[ItemResult], items: Sequence[Example]) -> list[bool]:
    """Exact-match correctness of each result (a failed item is wrong)."""
    return correctness(task, [r.answer if r.ok else None for r in results], items)


def well_formed(task: Task, results: Sequence[ItemResult], items: Sequence[Example]) -> list[bool]:
    """Whether each result is an answer of the task's kind, right or wrong: the run succeeded and
    its answer normalises to something non-empty (one of the labels, for a task that has them)."""
    labels = {x.lower() for x in task.labels} if task.labels else None
    marks = []
    for result, item in zip(results, items):
        answer = task.normalize(result.answer, item) if result.ok and result.answer is not None else ""
        marks.append(bool(answer) and (labels is None or answer.lower() in labels))
    return marks


def propose(
    backend: Backend,
    task: Task,
    gen_items: Sequence[Example],
    settings: SearchSettings,
    executor: Executor,
    progress: Progress = _noop,
    prompts_per_call: int = 16,
) -> list[Candidate]:
    """One candidate per generating item, resampled while invalid or below α (Algorithm 1).

    Prompts go to the backend ``prompts_per_call`` at a time so progress moves per batch of
    items (sampling depends on the prompt and seed only, so results do not depend on it)."""
    instruction = task.instruction
    best: dict[int, Candidate] = {}
    pending = list(range(len(gen_items)))
    finished = 0  # items whose candidate is final
    attempt = 0
    while pending:
        config = REASONER_CONFIG.with_(
            temperature=settings.gen_temperature,
            max_new_tokens=settings.gen_max_new_tokens,
            seed=settings.seed * 1000 + attempt,
        )
        retry: list[int] = []
        for start in range(0, len(pending), max(1, prompts_per_call)):
            part = pending[start : start + max(1, prompts_per_call)]
            completions = backend.generate([fmt.reasoner_prompt(instruction, gen_items[i].input) for i in part], config)
            for i, completion in zip(part, completions):
                cand = _candidate(task, gen_items, i, attempt, completion, settings, executor)
                if i not in best or (cand.valid and (not best[i].valid or (cand.train_score or 0) > (best[i].train_score or 0))):
                    best[i] = cand
                if needs_resample(cand.train_score, settings.alpha, attempt, settings.max_resamples, cand.valid):
                    retry.append(i)
                else:
                    finished += 1
            progress("propose", finished, len(gen_items))
        pending = retry
        attempt += 1
    return [best[i] for i in range(len(gen_items))]


def _candidate(task: Task, gen_items: Sequence[Example], i: int, attempt: int, completion: Any,
               settings: SearchSettings, executor: Executor) -> Candidate:
    """Item ``i``'s proposal from one completion: parsed, judged rankable or not, and scored on
    the generating items when α is in use."""
    parsed = fmt.parse_reasoner(completion.text, truncated=completion.truncated)
    valid = parsed.program is not None and parsed.error not in {
        fmt.Failure.NO_PROGRAM, fmt.Failure.SYNTAX_ERROR
    } and not (parsed.error is fmt.Failure.TRUNCATED and parsed.call is None)
    cand = Candidate(i, parsed.program or "", gen_items[i].id, attempt + 1, task.instruction, parsed.answer, valid=valid)
    if valid and settings.alpha > 0:
        cand.train_score = _mean(score(task, executor.run(task.instruction, cand.program, [e.input for e in gen_items]), gen_items))
    return cand


def rank(
    task: Task,
    candidates: list[Candidate],
    rank_items: Sequence[Example],
    settings: SearchSettings,
    executor: Executor,
    progress: Progress = _noop,
    programs_per_batch: int = 4,
) -> list[Candidate]:
    """Score the valid, distinct candidates on the ranking items (exhaustive or halving), each
    once per input binding that applies to it (one entry per program and binding).

    ``programs_per_batch`` programs go to the executor together, so the backend can fill its
    batches across programs (results do not depend on it)."""
    by_text: dict[str, Candidate] = {}
    for cand in candidates:
        if cand.valid and cand.program and cand.program not in by_text:
            by_text[cand.program] = cand
    bindings = settings.ranked_bindings()
    unique = [
        cand if binding == MODEL_BINDING
        else replace(cand, binding=binding, rank_correct=[], rank_answers=[], rank_paths=[], rank_answered=[])
        for cand in by_text.values()
        for binding in bindings
        if applies(cand.program, binding)
    ]
    runners = {binding: with_binding(executor, binding) for binding in bindings}
    inputs = [e.input for e in rank_items]
    if settings.ranking == "halving" and unique:
        planned = planned_evaluations(len(rank_items), len(unique), min_items=settings.halving_min_items,
                                      eta=settings.halving_eta, keep=settings.k)
    else:
        planned = len(unique) * len(rank_items)
    done = [0]  # (program, item) runs finished
    progress("rank", 0, planned)

    def evaluate(indices: list[int], start: int, stop: int) -> dict[int, list[bool]]:
        progress("alive", len(indices), len(unique))  # programs still in the race (halving drops some)
        marks: dict[int, list[bool]] = {}
        step = max(1, programs_per_batch)
        for binding, runner in runners.items():
            same = [idx for idx in indices if unique[idx].binding == binding]
            for first in range(0, len(same), step):
                group = same[first : first + step]
                jobs = [(unique[idx].program, inputs[start:stop]) for idx in group]
                for idx, results in zip(group, runner.run_many(task.instruction, jobs)):
                    cand = unique[idx]
                    cand.rank_answers.extend(fmt.jsonable(r.answer) for r in results)
                    cand.rank_paths.extend(r.path for r in results)
                    cand.rank_answered.extend(well_formed(task, results, rank_items[start:stop]))
                    marks[idx] = score(task, results, rank_items[start:stop])
                    done[0] += len(results)
                    progress("rank", done[0], planned)
        return marks

    if settings.ranking == "halving":
        _, seen = successive_halving(len(unique), len(rank_items), evaluate, min_items=settings.halving_min_items,
                                     eta=settings.halving_eta, keep=settings.k, seed=settings.seed,
                                     answered=lambda idx: answered_fraction(unique[idx], settings))
    elif settings.ranking == "exhaustive":
        seen = evaluate(list(range(len(unique))), 0, len(rank_items))
    else:
        raise ValueError(f"unknown ranking {settings.ranking!r}; use exhaustive or halving")
    for idx, cand in enumerate(unique):
        cand.rank_correct = seen.get(idx, [])
        cand.rank_score = _mean(cand.rank_correct) if cand.rank_correct else 0.0
    return unique


def answered_fraction(cand: Candidate, settings: SearchSettings) -> float:
    """The tie-break score of a candidate: its well-formed answers so far (0 with ``random``)."""
    return _mean(cand.rank_answered) if settings.tie_break == "answered" and cand.rank_answered else 0.0


def choose(candidates: list[Candidate], settings: SearchSettings, n_rank: int) -> list[Candidate]:
    """The top k programs, preferring candidates evaluated on every ranking item (halving
    survivors); a program ranked with several bindings counts once, with its best one."""
    full = [c for c in candidates if len(c.rank_correct) == n_rank] or candidates
    scored = [Scored(i, c.rank_score or 0.0, c.train_score, answered_fraction(c, settings)) for i, c in enumerate(full)]
    order = top_k(scored, len(full), settings.seed)
    best: dict[str, Candidate] = {}
    for i in order:
        best.setdefault(full[i].program, full[i])
    return list(best.values())[: settings.k]


def run_search(
    backend: Backend,
    task: Task,
    settings: SearchSettings,
    *,
    out_dir: Path | None = None,
    progress: Progress = _noop,
    executor: Executor | None = None,
    programs_per_batch: int = 4,
    task_source: dict[str, Any] | None = None,
) -> SearchResult:
    """Run CoTACS end to end; writes ``program.json`` (and ``candidates.jsonl``) to ``out_dir``.
    ``task_source`` (where a user task's data came from) is recorded in the artifact."""
    started = time.time()
    settings.validate()
    settings = replace(settings, bindings=settings.ranked_bindings())  # the record names only what was ranked
    gen_items, rank_items = split_items(task, settings)
    emu_config = EMULATOR_CONFIG.with_(temperature=settings.emu_temperature, max_new_tokens=settings.emu_max_new_tokens, seed=settings.seed)
    executor = executor or make_executor(settings.executor, backend, config=emu_config)
    calls_before = _call_stats(backend)
    candidates = propose(backend, task, gen_items, settings, executor, progress)
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        _write_jsonl(out_dir / CANDIDATES_FILE, [c.to_json() for c in candidates])
    ranked = rank(task, candidates, rank_items, settings, executor, progress, programs_per_batch)
    if out_dir is not None:  # again, now with the rank scores
        _write_jsonl(out_dir / CANDIDATES_FILE, candidate_rows(candidates, ranked))
    # No parseable candidate is a counted failure, not a crash: the artifact says so (no programs).
    chosen = choose(ranked, settings, len(rank_items)) if ranked else []
    voted = combine(task, [c.rank_answers for c in chosen], rank_items, settings.seed)
    correct = correctness(task, voted, rank_items)
    program = Program(
        task=task.name,
        instruction=task.instruction,
        k=settings.k,
        programs=[ChosenProgram(program=c.program, binding=c.binding, rank_score=c.rank_score,
                                train_score=c.train_score, source_item=c.source_item) for c in chosen],
        rank_accuracy=_mean(correct),
        model=_plain(backend.describe()),
        settings=_plain(asdict(settings)),
        seed=settings.seed,
        search_note=task.search_note,
        items={"generate": [e.id for e in gen_items], "rank": [e.id for e in rank_items]},
        n_candidates=len(candidates),
        n_distinct_valid=len({c.program for c in ranked}),
        n_ranked=len(ranked),  # (program, binding) pairs
        candidates=[c.to_json() for c in ranked],
        predictions=[
            RankPrediction(id=ex.id, target=ex.target, answers=[c.rank_answers[j] for c in chosen],
                           paths=[c.rank_paths[j] for c in chosen], prediction=voted[j], correct=correct[j])
            for j, ex in enumerate(rank_items)
        ],
        calls=_diff_stats(calls_before, _call_stats(backend)),
        seconds=round(time.time() - started, 2),
        task_source=task_source,
    )
    if out_dir is not None:
        program.save(out_dir / PROGRAM_FILE)
    return SearchResult(program, ranked)


def candidate_rows(candidates: Sequence[Candidate], ranked: Sequence[Candidate]) -> list[dict[str, Any]]:
    """One row per proposed candidate with its real rank scores: ``rank_scores`` per binding it
    was ranked with, ``rank_score`` the best of them (None only for a candidate never ranked,
    i.e. one without a parseable program). A duplicate program shares its first copy's scores."""
    by_program: dict[str, dict[str, Candidate]] = {}
    for entry in ranked:
        by_program.setdefault(entry.program, {})[entry.binding] = entry
    rows = []
    for cand in candidates:
        entries = by_program.get(cand.program, {}) if cand.valid and cand.program else {}
        scores = {binding: e.rank_score for binding, e in entries.items()}
        best = max(entries.values(), key=lambda e: e.rank_score or 0.0, default=None)
        rows.append({
            **cand.to_json(),
            "binding": best.binding if best is not None else cand.binding,
            "rank_score": best.rank_score if best is not None else None,
            "rank_scores": scores,
            "rank_items_evaluated": len(best.rank_correct) if best is not None else 0,
            "rank_answered": _mean(best.rank_answered) if best is not None and best.rank_answered else None,
        })
    return rows


def _write_jsonl(path: Path, rows: Sequence[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False, default=repr) + "\n")


def _call_stats(backend: Backend) -> dict[str, int]:
    return {k: v for k, v in backend.usage().items() if isinstance(v, int)}


def _diff_stats(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {k: after[k] - before.get(k, 0) for k in after}


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` as it reads back from JSON (tuples become lists), so the returned artifact equals the saved one."""
    return json.loads(json.dumps(data, default=repr))


def _mean(values: Sequence[Any]) -> float:
    return sum(values) / len(values) if values else 0.0
