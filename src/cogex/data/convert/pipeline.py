"""The conversion loop: items go through the teacher a batch at a time, one :data:`STAGES` entry
(values, plan, program) at a time across the batch; every finished item is appended at once to
the kept or the rejects file, so a rerun resumes where a crash left off."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from cogex.data.alpaca import AlpacaItem, coerce_items
from cogex.data.convert.limits import MAX_ITEM_CHARS, MAX_PLAN_STEPS, DropReason
from cogex.data.convert.prompts import plan_prompt, program_prompt, values_prompt
from cogex.data.convert.replies import parse_plan, parse_values
from cogex.data.convert.store import Appender, finished_ids, rejects_path_for
from cogex.data.convert.validate import Verdict, validate_program
from cogex.models.backend import Backend, Completion, GenerationConfig


class TeacherUnavailable(RuntimeError):
    """The teacher failed in a way that is not the item's fault (server down, retries exhausted).

    Raised by :func:`convert` after every item finished so far has been written; ``report``
    holds the counts of this partial run. Rerunning the same conversion resumes.
    """

    def __init__(self, message: str, report: "ConversionReport") -> None:
        super().__init__(message)
        self.report = report


@dataclass
class ConversionReport:
    """Counts of one :func:`convert` run."""

    output: Path
    rejects: Path
    total: int = 0  # items considered (after --limit)
    skipped: int = 0  # finished by an earlier run (id already in output or rejects)
    kept: int = 0
    dropped: Counter = field(default_factory=Counter)  # DropReason -> count
    teacher_calls: int = 0  # prompts sent to the teacher (cache hits included)
    elapsed: float = 0.0

    @property
    def dropped_total(self) -> int:
        return sum(self.dropped.values())

    @property
    def processed(self) -> int:
        return self.kept + self.dropped_total

    @property
    def pending(self) -> int:
        """Items neither finished before nor in this run (non-zero only after an interruption)."""
        return self.total - self.skipped - self.processed

    def to_dict(self) -> dict[str, Any]:
        return {
            "output": str(self.output),
            "rejects": str(self.rejects),
            "total": self.total,
            "skipped": self.skipped,
            "kept": self.kept,
            "dropped": {reason.value: self.dropped.get(reason, 0) for reason in DropReason},
            "dropped_total": self.dropped_total,
            "pending": self.pending,
            "teacher_calls": self.teacher_calls,
            "elapsed_s": round(self.elapsed, 3),
        }


@dataclass(frozen=True)
class ItemOutcome:
    """One finished item, as reported to the progress callback."""

    id: str
    reason: DropReason | None  # None = kept
    detail: str = ""


@dataclass
class _Work:
    item: AlpacaItem
    replies: dict[str, str] = field(default_factory=dict)
    input_value: Any = None
    output_value: Any = None
    steps: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Stage:
    """One teacher prompt: how to ask it for an item, and what its reply means. ``accept``
    returns None to pass the item on to the next stage, or the verdict that finishes it."""

    name: str
    prompt: Callable[[_Work], str]
    accept: Callable[[_Work, Completion], Verdict | None]


def _accept_values(work: _Work, completion: Completion) -> Verdict | None:
    values = parse_values(completion.text)
    if values is None:
        reason = DropReason.TOO_LONG if completion.truncated else DropReason.BAD_VALUES
        return Verdict(reason=reason, detail="reply is not 'INPUT = <literal>' / 'OUTPUT = <literal>'")
    work.input_value, work.output_value = values
    return None


def _accept_plan(work: _Work, completion: Completion) -> Verdict | None:
    steps = parse_plan(completion.text)
    if steps is None:
        reason = DropReason.TOO_LONG if completion.truncated else DropReason.BAD_PLAN
        return Verdict(reason=reason, detail=f"reply is not a numbered list of 1-{MAX_PLAN_STEPS} steps")
    work.steps = steps
    return None


def _accept_program(work: _Work, completion: Completion) -> Verdict:
    return validate_program(work.item, work.input_value, completion.text, truncated=completion.truncated)


#: The three chained prompts, in order: values, plan, then program + call + output dict.
STAGES: tuple[Stage, ...] = (
    Stage("values", lambda w: values_prompt(w.item), _accept_values),
    Stage("plan", lambda w: plan_prompt(w.item, w.input_value, w.output_value), _accept_plan),
    Stage("program", lambda w: program_prompt(w.item, w.input_value, w.output_value, w.steps), _accept_program),
)


def _status_code(exc: BaseException) -> int | None:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        code = getattr(current, "status_code", None)
        if isinstance(code, int):
            return code
        current = current.__cause__ or current.__context__
    return None


def _is_item_error(exc: BaseException) -> bool:
    """A rejection of this request (HTTP 4xx other than 408/409/429), not an outage."""
    code = _status_code(exc)
    return code is not None and 400 <= code < 500 and code not in (408, 409, 429)


def convert(
    records: Iterable[AlpacaItem | Mapping[str, Any]],
    teacher: Backend,
    output: str | Path,
    *,
    batch_size: int = 8,
    max_new_tokens: int = 512,
    temperature: float = 0.0,
    seed: int = 0,
    limit: int | None = None,
    rejects: str | Path | None = None,
    chat: bool | None = None,
    on_start: Callable[[ConversionReport], None] | None = None,
    on_item: Callable[[ItemOutcome], None] | None = None,
) -> ConversionReport:
    """Convert Alpaca items into validated CoGEX instances with ``teacher``.

    ``records`` are :class:`AlpacaItem` objects or raw Alpaca / seed-task dicts; ``limit`` keeps
    the first N items. Kept instances go to ``output`` (public CoGEX schema + ``id`` +
    ``source``), dropped items to ``rejects`` (default ``<output>.rejects.jsonl``); ids already
    in either file are skipped. Items go through the teacher ``batch_size`` at a time, one
    prompt stage at a time across the batch. ``chat`` wraps prompts in the local teacher's chat
    template (default: whenever its tokenizer has one). Raises :class:`TeacherUnavailable`
    (after writing everything finished) when the teacher fails for reasons not tied to an item.
    """
    started = time.monotonic()
    output = Path(output)
    rejects_path = Path(rejects) if rejects is not None else rejects_path_for(output)
    items = coerce_items(records)
    if limit is not None:
        items = items[: max(0, limit)]
    done = finished_ids(output, rejects_path)
    report = ConversionReport(output=output, rejects=rejects_path, total=len(items))
    todo = [item for item in items if item.id not in done]
    report.skipped = len(items) - len(todo)
    wrap = teacher.chat_template() if chat is not False else None
    if chat and wrap is None:
        raise ValueError("chat=True but the teacher has no tokenizer chat template")
    config = GenerationConfig(max_new_tokens=max_new_tokens, temperature=temperature, seed=seed)
    if on_start is not None:
        on_start(report)
    kept_file, rejects_file = Appender(output), Appender(rejects_path)

    def finish(work: _Work, verdict: Verdict) -> None:
        if verdict.instance is not None:
            kept_file.write({**verdict.instance.to_record(), "id": work.item.id, "source": work.item.source})
            report.kept += 1
        else:
            assert verdict.reason is not None
            rejects_file.write(
                {
                    "id": work.item.id,
                    "source": work.item.source,
                    "reason": verdict.reason.value,
                    "detail": verdict.detail,
                    "instruction": work.item.instruction,
                    "replies": work.replies,
                }
            )
            report.dropped[verdict.reason] += 1
        if on_item is not None:
            on_item(ItemOutcome(work.item.id, verdict.reason, verdict.detail))

    def ask(stage: str, batch: list[_Work], prompts: list[str]) -> list[Completion | None]:
        """One stage across the batch; None for items whose request the teacher rejected."""
        texts = [wrap(p) if wrap else p for p in prompts]
        report.teacher_calls += len(texts)
        try:
            completions: list[Completion | None] = list(teacher.generate(texts, config))
        except Exception as exc:  # noqa: BLE001 - classified below
            if not _is_item_error(exc):
                raise _abort(exc, stage) from exc
            completions = []
            for text in texts:  # find the items the teacher rejects; the others go on
                try:
                    completions.append(teacher.generate([text], config)[0])
                except Exception as item_exc:  # noqa: BLE001
                    if not _is_item_error(item_exc):
                        raise _abort(item_exc, stage) from item_exc
                    completions.append(None)
                    work = batch[len(completions) - 1]
                    work.replies[stage] = f"<teacher error: {item_exc}>"
        if len(completions) != len(texts):
            raise _abort(RuntimeError(f"the teacher returned {len(completions)} replies for {len(texts)} prompts"), stage)
        for work, completion in zip(batch, completions):
            if completion is not None:
                work.replies[stage] = completion.text
        return completions

    def _abort(exc: BaseException, stage: str) -> TeacherUnavailable:
        report.elapsed = time.monotonic() - started
        return TeacherUnavailable(f"teacher failed during the {stage} stage: {exc}", report)

    try:
        for start in range(0, len(todo), max(1, batch_size)):
            batch = []
            for item in todo[start : start + max(1, batch_size)]:
                work = _Work(item)
                if len(item.instruction) + len(item.input) + len(item.output) > MAX_ITEM_CHARS:
                    finish(work, Verdict(reason=DropReason.TOO_LONG, detail=f"item longer than {MAX_ITEM_CHARS} chars"))
                else:
                    batch.append(work)
            for stage in STAGES:  # one stage at a time across the batch
                if not batch:
                    break
                survivors = []
                for work, completion in zip(batch, ask(stage.name, batch, [stage.prompt(w) for w in batch])):
                    verdict = (Verdict(reason=DropReason.TEACHER_ERROR, detail=work.replies.get(stage.name, ""))
                               if completion is None else stage.accept(work, completion))
                    if verdict is None:
                        survivors.append(work)
                    else:
                        finish(work, verdict)
                batch = survivors
    finally:
        kept_file.close()
        rejects_file.close()
        report.elapsed = time.monotonic() - started
    return report
