"""Executors: run one program over many inputs and return one answer per input.

* ``emulate`` (the paper): the model writes the call and the whole output dict.
* ``python``: the program really runs in the sandbox on a call line that the model writes (its
  input -> Python values) or that an input binding builds; a call to an undefined helper is an error.
* ``hybrid``: as ``python``, but every call to a helper that the program does not define and Python
  does not provide is answered by the model, given the helper's name, the program and the argument
  values; the reply is parsed into a Python value.

With a model-written call (the default binding, :mod:`cogex.execute.binding`), ``python`` and
``hybrid`` fall back to emulation for an item whose execution fails -- but never for a program
that is hostile, runaway or over its helper budget (``NO_FALLBACK_ERRORS``); every result
records which path produced it.

A hybrid item is bounded by the sandbox limits (``SandboxLimits``): at most
``max_helper_calls`` distinct helper calls and ``max_rounds`` replays, helper arguments of at
most ``max_helper_arg_chars`` characters (longer ones never reach a prompt), and
``item_seconds`` of time: its sandbox runs plus its share of each batch of helper answers it
waited for. Beyond any of them the item fails with ``budget_exceeded``.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Sequence

from cogex import format as fmt
from cogex.execute.binding import MODEL_BINDING, bound_calls, check_bindings
from cogex.generate.modes import EMULATOR_CONFIG, emulate_many
from cogex.models.backend import Backend, GenerationConfig

#: Paths that can produce an answer.
PATH_EMULATE = "emulate"
PATH_PYTHON = "python"
PATH_HYBRID = "hybrid"
PATH_FALLBACK = "emulate-fallback"

#: Sandbox failures that mark a program as hostile, runaway or over budget: never retried by emulation.
NO_FALLBACK_ERRORS = frozenset({
    "forbidden_import", "forbidden_operation", "timeout", "memory", "crashed", "output_too_large", "budget_exceeded",
})


@dataclass(frozen=True)
class ItemResult:
    """The outcome of running a program on one input."""

    answer: Any = None
    error: str | None = None  # failure kind; None when an answer was produced
    path: str = PATH_EMULATE  # which executor path produced the answer (or failed last)
    call: str | None = None
    output: dict[str, Any] | None = None
    exec_error: str | None = None  # the sandbox failure that caused a fallback, if any
    helper_calls: int = 0
    detail: str = ""  # what the sandbox said about its failure (e.g. which helper is undefined)

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_json(self) -> dict[str, Any]:
        return {
            "answer": fmt.jsonable(self.answer),
            "error": self.error,
            "path": self.path,
            "call": self.call,
            "exec_error": self.exec_error,
            "helper_calls": self.helper_calls,
            "detail": self.detail,
        }


class Executor(ABC):
    """Runs a program (with its instruction) over a list of inputs."""

    name: str

    @abstractmethod
    def run(self, instruction: str, program: str, inputs: Sequence[str]) -> list[ItemResult]:
        """One result per input, in order."""

    def run_many(self, instruction: str, jobs: Sequence[tuple[str, Sequence[str]]]) -> list[list[ItemResult]]:
        """:meth:`run` for several (program, inputs) jobs; executors that can batch across
        programs override it."""
        return [self.run(instruction, program, inputs) for program, inputs in jobs]


def _from_parse(parsed: fmt.ParseResult, path: str, exec_error: str | None = None) -> ItemResult:
    return ItemResult(
        answer=parsed.answer if parsed.ok else None,
        error=None if parsed.ok else parsed.error.value,  # type: ignore[union-attr]
        path=path,
        call=parsed.call,
        output=parsed.output,
        exec_error=exec_error,
    )


@dataclass
class EmulateExecutor(Executor):
    """The paper's executor: the model emulates the whole program."""

    backend: Backend
    config: GenerationConfig = EMULATOR_CONFIG
    name: str = "emulate"

    def run(self, instruction: str, program: str, inputs: Sequence[str]) -> list[ItemResult]:
        return self.run_many(instruction, [(program, inputs)])[0]

    def run_many(self, instruction: str, jobs: Sequence[tuple[str, Sequence[str]]]) -> list[list[ItemResult]]:
        return [[_from_parse(p, PATH_EMULATE) for p in parsed] for parsed in emulate_many(self.backend, instruction, jobs, self.config)]


@dataclass
class SandboxExecutor(Executor):
    """Real execution in the sandbox (``python``), with model-answered helpers when ``hybrid``."""

    backend: Backend
    hybrid: bool = True
    config: GenerationConfig = EMULATOR_CONFIG
    fallback: bool = True
    max_rounds: int = 8
    call_tokens: int | None = None  # None: room for the input written out as Python values
    helper_tokens: int = 48
    limits: Any = None  # SandboxLimits; None = the sandbox defaults
    binding: str = MODEL_BINDING  # how an input becomes the call's arguments (cogex.execute.binding)
    name: str = field(default="hybrid")

    def __post_init__(self) -> None:
        self.name = "hybrid" if self.hybrid else "python"
        check_bindings([self.binding])

    # -- the model's parts ------------------------------------------------------------

    def _calls(self, instruction: str, jobs: Sequence[tuple[str, Sequence[str]]]) -> list[list[str | None]]:
        """The call line of every item: asked of the model (its input -> Python values), or built
        from the input by the executor's binding (no model call)."""
        if self.binding != MODEL_BINDING:
            return [bound_calls(program, inputs, self.binding) for program, inputs in jobs]
        groups = [(fmt.emulator_prefix(instruction, program), [fmt.emulator_suffix(t) for t in inputs]) for program, inputs in jobs]
        config = self.config.with_(max_new_tokens=self.call_tokens or call_budget([t for _, inputs in jobs for t in inputs]), stop=("\n",))
        out: list[list[str | None]] = []
        for (program, _), completions in zip(jobs, self.backend.generate_grouped(groups, config)):
            defined = set(fmt.defined_functions(program))
            calls: list[str | None] = []
            for completion in completions:
                call = completion.text.strip()
                node = fmt.parse_call(call)
                calls.append(call if node is not None and node.func.id in defined else None)  # type: ignore[attr-defined]
            out.append(calls)
        return out

    def _answer_helpers(self, instruction: str, program: str, pending: dict[str, tuple[str, str]]) -> dict[str, Any]:
        """Ask the model for the return value of each pending helper call (key -> value)."""
        return answer_helper_calls(self.backend, instruction, program, pending, self.config.with_(max_new_tokens=self.helper_tokens))

    # -- orchestration ------------------------------------------------------------------

    def run(self, instruction: str, program: str, inputs: Sequence[str]) -> list[ItemResult]:
        return self.run_many(instruction, [(program, inputs)])[0]

    def run_many(self, instruction: str, jobs: Sequence[tuple[str, Sequence[str]]]) -> list[list[ItemResult]]:
        """Call lines for every job in one batched request, real execution per program, then one
        batched emulation request for every item whose execution failed."""
        calls = self._calls(instruction, jobs)
        results = [self._execute(instruction, program, inputs, job_calls) for (program, inputs), job_calls in zip(jobs, calls)]
        # Emulation writes its own call, so it would ignore a built binding: only model-written
        # calls fall back (a failed run under ``text``/``words`` counts as failed).
        return self._fallback(instruction, jobs, results) if self.fallback and self.binding == MODEL_BINDING else results

    def _execute(self, instruction: str, program: str, inputs: Sequence[str], calls: list[str | None]) -> list[ItemResult]:
        from cogex.sandbox import SandboxLimits, run_calls

        limits = self.limits or SandboxLimits()
        path = PATH_HYBRID if self.hybrid else PATH_PYTHON
        results: dict[int, ItemResult] = {}
        oracle: dict[str, Any] = {}
        helper_counts = [0] * len(inputs)
        spent = [0.0] * len(inputs)  # seconds charged to each item (see the module docstring)

        def over_budget(i: int, detail: str) -> ItemResult:
            return ItemResult(error="budget_exceeded", path=path, call=calls[i], exec_error="budget_exceeded",
                              helper_calls=helper_counts[i], detail=detail)

        todo = [i for i, call in enumerate(calls) if call is not None]
        for i, call in enumerate(calls):
            if call is None:
                results[i] = ItemResult(error="no_call", path=path, exec_error="no_call")
        for _ in range(self.max_rounds):
            if not todo:
                break
            outcomes = run_calls(program, [calls[i] for i in todo], oracle=oracle, allow_undefined=self.hybrid, limits=limits)  # type: ignore[misc]
            pending: dict[str, tuple[str, str]] = {}
            waiting: list[int] = []
            for i, outcome in zip(todo, outcomes):
                helper_counts[i] = len(outcome.undefined_calls)
                spent[i] += outcome.seconds
                if outcome.status == "pending" and outcome.pending is not None:
                    pending.setdefault(outcome.pending.key, (inputs[i], outcome.pending.name))
                    waiting.append(i)
                elif outcome.status == "ok":
                    results[i] = _answer_from_value(outcome.value, path, calls[i], helper_counts[i])
                else:
                    results[i] = ItemResult(error=outcome.error or "runtime_error", path=path, call=calls[i],
                                            exec_error=outcome.error, helper_calls=helper_counts[i], detail=outcome.detail)
            if pending:
                started = time.monotonic()
                oracle.update(self._answer_helpers(instruction, program, pending))
                share = (time.monotonic() - started) / len(pending)
                for i in waiting:
                    spent[i] += share
            todo = []
            for i in waiting:
                if spent[i] > limits.item_seconds:
                    results[i] = over_budget(i, f"the item's time budget ({limits.item_seconds:g} s, helper calls included) is spent")
                else:
                    todo.append(i)
        for i in todo:  # still pending after max_rounds
            results[i] = over_budget(i, f"still waiting for helper calls after {self.max_rounds} rounds")
        return [results[i] for i in range(len(inputs))]

    def _fallback(
        self, instruction: str, jobs: Sequence[tuple[str, Sequence[str]]], results: list[list[ItemResult]]
    ) -> list[list[ItemResult]]:
        failed = [[i for i, r in enumerate(rs) if not r.ok and r.exec_error not in NO_FALLBACK_ERRORS] for rs in results]
        retry = [(j, (program, [inputs[i] for i in failed[j]])) for j, (program, inputs) in enumerate(jobs) if failed[j]]
        if not retry:
            return results
        emulated = emulate_many(self.backend, instruction, [job for _, job in retry], self.config)
        for (j, _), parsed_items in zip(retry, emulated):
            for i, parsed in zip(failed[j], parsed_items):
                results[j][i] = _from_parse(parsed, PATH_FALLBACK, exec_error=results[j][i].exec_error or results[j][i].error)
        return results


def with_binding(executor: Executor, binding: str) -> Executor:
    """``executor`` with its calls made by ``binding``; only sandbox executors take a binding
    other than ``model`` (the emulator writes its own call)."""
    if isinstance(executor, SandboxExecutor):
        return executor if executor.binding == binding else replace(executor, binding=binding)
    if binding != MODEL_BINDING:
        raise ValueError(f"the {executor.name} executor writes its own call; binding {binding!r} needs python or hybrid")
    return executor


def call_budget(inputs: Sequence[str], minimum: int = 128) -> int:
    """Tokens allowed for a call line: it restates the input as Python values (a 20-word list
    becomes ``['w1', 'w2', ...]``), so the budget grows with the longest input's length in
    characters (a token covers at least one character), and never drops below ``minimum``."""
    return max(minimum, max((len(t) for t in inputs), default=0) + 32)


def answer_helper_calls(
    backend: Backend, instruction: str, program: str, pending: dict[str, tuple[str, str]], config: GenerationConfig
) -> dict[str, Any]:
    """The model's return value for each undefined helper call ``key -> (input text, name)``.

    The helper call is put to the model as if it were the program's call, with the output dict
    opened at ``{'answer': ``, so the model writes the helper's return value as the answer."""
    keys = list(pending)
    prefix = fmt.emulator_prefix(instruction, program)
    suffixes = [fmt.emulator_suffix(pending[k][0]) + f"{k}\n{fmt.OUTPUT_HEADER}\n{{'answer': " for k in keys]
    completions = backend.generate_shared_prefix(prefix, suffixes, config.with_(stop=(fmt.END_MARKER, "\n")))
    return {key: parse_helper_reply(c.text) for key, c in zip(keys, completions)}


def parse_helper_reply(text: str) -> Any:
    """The value a model wrote after ``{'answer': ``; falls back to the stripped text."""
    body = text.split(fmt.END_MARKER, 1)[0].strip()
    parsed = fmt.safe_literal("{'answer': " + body.split("\n", 1)[0])
    if isinstance(parsed, dict) and "answer" in parsed:
        return parsed["answer"]
    head = body.split("\n", 1)[0].rstrip().rstrip("}").rstrip().rstrip(",")
    value = fmt.safe_literal(head)
    if value is not None:
        return value
    return head.strip("'\" ")


def _answer_from_value(value: Any, path: str, call: str | None, helper_calls: int) -> ItemResult:
    if isinstance(value, dict):
        if "answer" not in value:
            return ItemResult(error="no_answer", path=path, call=call, output=value, exec_error="no_answer", helper_calls=helper_calls)
        return ItemResult(answer=value["answer"], path=path, call=call, output=value, helper_calls=helper_calls)
    return ItemResult(answer=value, path=path, call=call, output={"answer": value}, helper_calls=helper_calls)


@dataclass(frozen=True)
class ExecutorKind:
    """A registered executor: how to build it and what it needs."""

    name: str
    description: str
    sandboxed: bool  # the program really runs (so input bindings apply to it)
    build: Callable[..., Executor]


def _sandbox(hybrid: bool) -> Callable[..., Executor]:
    def build(backend: Backend, config: GenerationConfig, fallback: bool, binding: str) -> Executor:
        return SandboxExecutor(backend, hybrid=hybrid, config=config, fallback=fallback, binding=binding)

    return build


#: Every executor by name (the CLI's --executor choices).
EXECUTORS: dict[str, ExecutorKind] = {
    kind.name: kind
    for kind in (
        ExecutorKind("emulate", "the model writes the call and the whole output (the paper)", sandboxed=False,
                     build=lambda backend, config, fallback, binding: EmulateExecutor(backend, config)),
        ExecutorKind("python", "the program runs in the sandbox; an undefined helper is an error", sandboxed=True,
                     build=_sandbox(hybrid=False)),
        ExecutorKind("hybrid", "the program runs in the sandbox; the model answers undefined helpers", sandboxed=True,
                     build=_sandbox(hybrid=True)),
    )
}


def executor_kind(name: str) -> ExecutorKind:
    """The registered executor ``name``, or a ValueError listing the choices."""
    try:
        return EXECUTORS[name]
    except KeyError:
        raise ValueError(f"unknown executor {name!r}; choose one of {', '.join(EXECUTORS)}") from None


def make_executor(
    name: str, backend: Backend, *, config: GenerationConfig = EMULATOR_CONFIG, fallback: bool = True, binding: str = MODEL_BINDING
) -> Executor:
    """Build a registered executor by name. ``binding`` applies to sandboxed executors only (the
    emulator always writes its own call)."""
    return executor_kind(name).build(backend, config, fallback, binding)
