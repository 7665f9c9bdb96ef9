"""Options shared by several commands: one declaration of the backend options, enumerations
validated when the command line is parsed (before any model loads), sizes with their bounds."""

from __future__ import annotations

import copy
import functools
import inspect
import typing
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from typing import Annotated, Any, Callable, Literal, Optional

import typer

from cogex.execute.binding import BINDINGS as _BINDINGS
from cogex.execute.executors import EXECUTORS as _EXECUTORS
from cogex.generate.few_shot import PROMPTINGS as _PROMPTINGS
from cogex.models.factory import BACKENDS as _BACKENDS
from cogex.search.selection import TIE_BREAKS as _TIE_BREAKS

# The valid values of every enumerated option: the registries' names (these imports load no
# model library), and the fixed choices of the others.
EXECUTORS: tuple[str, ...] = tuple(_EXECUTORS)
BACKENDS: tuple[str, ...] = tuple(_BACKENDS)
BINDINGS: tuple[str, ...] = tuple(_BINDINGS)
PROMPTINGS: tuple[str, ...] = _PROMPTINGS
RANKINGS: tuple[str, ...] = ("exhaustive", "halving")
TIE_BREAKS: tuple[str, ...] = _TIE_BREAKS
DTYPES: tuple[str, ...] = ("auto", "float32", "bfloat16", "float16")
ANSWER_FORMATS: tuple[str, ...] = ("label", "letter", "number", "text")

#: Defaults of the backend options, the same for every command that runs a model.
DEFAULT_BACKEND = "transformers"
DEFAULT_DTYPE = "auto"
DEFAULT_BATCH_SIZE = 8
#: Seconds one HTTP request to an OpenAI-compatible server may take, and retries after a failure.
DEFAULT_REQUEST_TIMEOUT = 60.0
DEFAULT_MAX_RETRIES = 2


# Enumerated option types: a value outside them is a usage error (exit 2) that lists the choices.
ExecutorName = Literal[EXECUTORS]  # type: ignore[valid-type]
BackendName = Literal[BACKENDS]  # type: ignore[valid-type]
RankingName = Literal[RANKINGS]  # type: ignore[valid-type]
TieBreakName = Literal[TIE_BREAKS]  # type: ignore[valid-type]
DtypeName = Literal[DTYPES]  # type: ignore[valid-type]
AnswerFormatName = Literal[ANSWER_FORMATS]  # type: ignore[valid-type]
PromptingName = Literal[PROMPTINGS]  # type: ignore[valid-type]


ModelOption = Annotated[
    Optional[str],
    typer.Option("--model", "-m", help="Model: omit for the embedded SmolLM2-135M-Instruct; a Hub id, a local folder or a .gguf file."),
]
AdapterOption = Annotated[
    Optional[str],
    typer.Option("--adapter", help="PEFT LoRA adapter folder (backend openai: the model name the server gives the loaded adapter). The embedded model uses the shipped CoGEX adapter by default; 'none' disables it."),
]
BackendOption = Annotated[
    BackendName,
    typer.Option("--backend",
                 help="transformers (local), openai (any OpenAI-compatible server) or vllm (GPU extra)."),
]
BaseUrlOption = Annotated[
    Optional[str], typer.Option("--base-url", envvar="OPENAI_BASE_URL", help="Base URL of an OpenAI-compatible server (backend openai).")
]
ApiKeyOption = Annotated[
    Optional[str], typer.Option("--api-key", envvar="OPENAI_API_KEY", help="API key for the OpenAI-compatible server.")
]
DtypeOption = Annotated[DtypeName, typer.Option("--dtype", help="Weights dtype for local models; auto = bfloat16 where the CPU/GPU computes it natively (AMX, AVX512-BF16), else float32.")]
BatchSizeOption = Annotated[
    int, typer.Option("--batch-size", min=1, help="Prompts per forward batch (local backends); parallel requests (openai).")
]
NoCacheOption = Annotated[bool, typer.Option("--no-cache", help="Do not read or write the persistent model-call cache.")]
RequestTimeoutOption = Annotated[
    float,
    typer.Option("--request-timeout", min=0.001, help="backend openai: seconds one request may take before it is retried."),
]
MaxRetriesOption = Annotated[
    int, typer.Option("--max-retries", min=0, help="backend openai: retries after a timeout, a connection error, 429 or 5xx."),
]
TensorParallelOption = Annotated[int, typer.Option("--tensor-parallel-size", min=1, help="backend vllm: GPUs to shard the model over.")]
GpuMemoryOption = Annotated[
    float, typer.Option("--gpu-memory-utilization", min=0.05, max=1.0, help="backend vllm: fraction of each GPU's memory vLLM may use."),
]
MaxModelLenOption = Annotated[
    Optional[int], typer.Option("--max-model-len", min=16, help="backend vllm: context length (default: the model's).")
]
DataParallelOption = Annotated[int, typer.Option("--data-parallel-size", min=1, help="backend vllm: model replicas (data parallel).")]
ThreadsOption = Annotated[
    Optional[int],
    typer.Option("--threads", min=1, help="backend transformers: torch CPU threads (default: the CPUs idle when the model"
                 " loads, i.e. CPUs minus the 1-minute load average, at least 1; OMP_NUM_THREADS also sets it)."),
]
ChatOption = Annotated[
    bool, typer.Option("--chat", help="backend openai: send prompts to /v1/chat/completions as one user turn (for chat-only servers) instead of /v1/completions."),
]
PromptingOption = Annotated[
    PromptingName,
    typer.Option("--prompting", help="CoGEX prompts: trained (as the adapter learnt them), few-shot (2 seed demonstrations"
                 " retrieved by BM25 first: for a model without a CoGEX adapter), few-shot-programs (the demonstrations"
                 " only where the model writes a program) or auto (few-shot exactly when no CoGEX adapter is in use)."),
]
SeedOption = Annotated[int, typer.Option("--seed", help="Random seed (sampling, splits, tie-breaking).")]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")]


def _check_bindings(value: str | None) -> str | None:
    if value is None:
        return value
    names = [part.strip() for part in value.split(",") if part.strip()]
    unknown = [n for n in names if n not in BINDINGS]
    if unknown or not names:
        what = f"unknown binding(s) {', '.join(map(repr, unknown))}" if unknown else "no binding given"
        raise typer.BadParameter(f"{what}; choose from {', '.join(BINDINGS)} (comma-separated)")
    return value


BindingsOption = Annotated[
    str,
    typer.Option("--bindings", callback=_check_bindings,
                 help="Input bindings ranked with python/hybrid, comma-separated: model (the model writes the call),"
                 " text (the input text as the one argument), words (its whitespace-separated tokens)."),
]


def parse_bindings(value: str) -> tuple[str, ...]:
    """``--bindings`` as a validated tuple (raises ValueError on an unknown name)."""
    from cogex.execute.binding import check_bindings

    return check_bindings([part.strip() for part in value.split(",") if part.strip()])


@dataclass(frozen=True)
class BackendArgs:
    """The backend options of a command, as parsed (see :func:`backend_options`)."""

    model: str | None = None
    adapter: str | None = None
    backend: str = DEFAULT_BACKEND
    base_url: str | None = None
    api_key: str | None = None
    dtype: str = DEFAULT_DTYPE
    batch_size: int = DEFAULT_BATCH_SIZE
    no_cache: bool = False
    request_timeout: float = DEFAULT_REQUEST_TIMEOUT
    max_retries: int = DEFAULT_MAX_RETRIES
    prompting: str = "auto"
    chat: bool = False
    tensor_parallel_size: int = 1
    gpu_memory_utilization: float = 0.9
    max_model_len: int | None = None
    data_parallel_size: int = 1
    threads: int | None = None

    def to_kwargs(self) -> dict[str, Any]:
        return asdict(self)


#: The one declaration of the backend options: (parameter name, annotated type) per field.
_BACKEND_ANNOTATIONS: dict[str, Any] = {
    "model": ModelOption,
    "adapter": AdapterOption,
    "backend": BackendOption,
    "base_url": BaseUrlOption,
    "api_key": ApiKeyOption,
    "dtype": DtypeOption,
    "batch_size": BatchSizeOption,
    "no_cache": NoCacheOption,
    "request_timeout": RequestTimeoutOption,
    "max_retries": MaxRetriesOption,
    "prompting": PromptingOption,
    "chat": ChatOption,
    "tensor_parallel_size": TensorParallelOption,
    "gpu_memory_utilization": GpuMemoryOption,
    "max_model_len": MaxModelLenOption,
    "data_parallel_size": DataParallelOption,
    "threads": ThreadsOption,
}
BACKEND_ARGS = "backend_args"


def _with_aliases(annotated: Any, extra: Sequence[str]) -> Any:
    """The Annotated option type with more flag names (e.g. ``--teacher-model`` for ``--model``)."""
    base, info = typing.get_args(annotated)
    info = copy.copy(info)
    info.param_decls = (*info.param_decls, *extra)
    return Annotated[base, info]


def option_group(func: Callable[..., Any], *, param: str, fields_: Sequence[tuple[str, Any, Any]],
                 build: Callable[[dict[str, Any]], Any]) -> Any:
    """Give ``func`` the options ``fields_`` (name, annotated type, default) and pass it, in its
    parameter ``param``, the object ``build`` makes of their parsed values: one declaration of a
    group of options (backend, search) shared by every command that takes it."""
    hints = typing.get_type_hints(func, include_extras=True)
    signature = inspect.signature(func)
    own = [p.replace(annotation=hints.get(p.name, p.annotation)) for p in signature.parameters.values() if p.name != param]
    added = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation)
             for name, annotation, default in fields_]
    clash = {p.name for p in own} & {p.name for p in added}
    if clash:
        raise TypeError(f"{func.__name__} declares shared options itself: {sorted(clash)}")
    names = [name for name, _, _ in fields_]

    @functools.wraps(func)
    def wrapper(**kwargs: Any) -> Any:
        group = build({name: kwargs.pop(name) for name in names})
        return func(**kwargs, **{param: group})

    new_signature = signature.replace(parameters=[*own, *added], return_annotation=inspect.Signature.empty)
    wrapper.__signature__ = new_signature  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in new_signature.parameters.values()}
    return wrapper


def backend_options(func: Callable[..., Any] | None = None, *,
                    aliases: Mapping[str, Sequence[str]] | None = None) -> Any:
    """Give a command every backend option, with the shared defaults. The command declares a
    ``backend_args: BackendArgs`` parameter and receives the parsed options in it. ``aliases``
    adds flag names for a field (``{"model": ["--teacher-model"]}``); the option stays the same."""
    if func is None:
        return functools.partial(backend_options, aliases=aliases)
    extra = dict(aliases or {})
    unknown = set(extra) - {f.name for f in fields(BackendArgs)}
    if unknown:
        raise TypeError(f"aliases for unknown backend options: {sorted(unknown)}")
    group = [(f.name, _with_aliases(_BACKEND_ANNOTATIONS[f.name], extra[f.name]) if f.name in extra
              else _BACKEND_ANNOTATIONS[f.name], f.default) for f in fields(BackendArgs)]
    return option_group(func, param=BACKEND_ARGS, fields_=group, build=lambda values: BackendArgs(**values))


# ------------------------------------------------------------------ the CoTACS search options

#: The one declaration of the search options: one flag per :class:`cogex.search.SearchSettings`
#: field (its default is the flag's default); ``seed`` is every command's own ``--seed``.
_SEARCH_ANNOTATIONS: dict[str, Any] = {
    "n_generate": Annotated[int, typer.Option("--n-generate", "-n", min=1, help="CoTACS: items that each propose one candidate program (paper: 300).")],
    "n_rank": Annotated[int, typer.Option("--n-rank", min=1, help="CoTACS: items used to rank the candidates (paper: the rest of at most 1000 items).")],
    "k": Annotated[int, typer.Option("--k", min=1, help="CoTACS: programs kept: 1, or 3 with majority vote (paper: 1 and 3).")],
    "alpha": Annotated[float, typer.Option("--alpha", min=0.0, max=1.0, help="CoTACS: resample a candidate while its accuracy on the generating items is below alpha.")],
    "max_resamples": Annotated[int, typer.Option("--max-resamples", min=0, help="CoTACS: extra samples per generating item at most (R).")],
    "gen_temperature": Annotated[float, typer.Option("--gen-temperature", min=0.0, help="CoTACS: temperature for proposing programs (paper: 0.7).")],
    "emu_temperature": Annotated[float, typer.Option("--emu-temperature", min=0.0, help="CoTACS: temperature for emulating them (paper: 0.05).")],
    "gen_max_new_tokens": Annotated[int, typer.Option("--gen-max-new-tokens", min=1, help="CoTACS: token budget for a program.")],
    "emu_max_new_tokens": Annotated[int, typer.Option("--emu-max-new-tokens", min=1, help="CoTACS: token budget for one emulation.")],
    "executor": Annotated[ExecutorName, typer.Option("--executor", help="CoTACS: emulate (paper), python (sandbox only) or hybrid (sandbox + model for undefined helpers).")],
    "ranking": Annotated[RankingName, typer.Option("--ranking", help="CoTACS: exhaustive (paper) or halving (successive halving: far fewer calls).")],
    "halving_min_items": Annotated[int, typer.Option("--halving-min-items", min=1, help="Halving: ranking items in the first round.")],
    "halving_eta": Annotated[int, typer.Option("--halving-eta", min=2, help="Halving: keep 1/eta of the programs per round, eta times more items (at least 2).")],
    "bindings": BindingsOption,
    "tie_break": Annotated[TieBreakName, typer.Option("--tie-break", help="CoTACS: equal ranking accuracy goes to the program with more well-formed answers (answered) or is decided at random (random).")],
}
SEARCH_SETTINGS = "search_settings"


def search_options(func: Callable[..., Any] | None = None, *, exclude: Sequence[str] = ()) -> Any:
    """Give a command the CoTACS search options (every :class:`~cogex.search.SearchSettings`
    field but ``seed`` and ``exclude``, with the settings' defaults). The command declares a
    ``search_settings: SearchSettings`` parameter and receives them in it (not yet validated;
    excluded fields and ``seed`` keep their defaults for the command to set)."""
    if func is None:
        return functools.partial(search_options, exclude=exclude)
    from cogex.search.cotacs import SearchSettings

    unknown = set(exclude) - set(_SEARCH_ANNOTATIONS)
    if unknown:
        raise TypeError(f"unknown search options to exclude: {sorted(unknown)}")
    defaults = {f.name: f.default for f in fields(SearchSettings)}
    defaults["bindings"] = ",".join(defaults["bindings"])
    group = [(name, annotation, defaults[name]) for name, annotation in _SEARCH_ANNOTATIONS.items() if name not in exclude]

    def build(values: dict[str, Any]) -> Any:
        if "bindings" in values:
            values["bindings"] = parse_bindings(values["bindings"])
        return SearchSettings(**values)

    return option_group(func, param=SEARCH_SETTINGS, fields_=group, build=build)
