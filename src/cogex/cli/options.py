"""Options shared by several commands (model selection, backend, cache)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

ModelOption = Annotated[
    Optional[str],
    typer.Option("--model", "-m", help="Model: omit for the embedded SmolLM2-135M-Instruct; a Hub id, a local folder or a .gguf file."),
]
AdapterOption = Annotated[
    Optional[str],
    typer.Option("--adapter", help="PEFT LoRA adapter folder. The embedded model uses the shipped CoGEX adapter by default; 'none' disables it."),
]
BackendOption = Annotated[
    str, typer.Option("--backend", help="transformers (local), openai (any OpenAI-compatible server) or vllm (GPU extra).")
]
BaseUrlOption = Annotated[
    Optional[str], typer.Option("--base-url", envvar="OPENAI_BASE_URL", help="Base URL of an OpenAI-compatible server (backend openai).")
]
ApiKeyOption = Annotated[
    Optional[str], typer.Option("--api-key", envvar="OPENAI_API_KEY", help="API key for the OpenAI-compatible server.")
]
DtypeOption = Annotated[str, typer.Option("--dtype", help="Weights dtype for local models: float32, bfloat16 or float16.")]
BatchSizeOption = Annotated[int, typer.Option("--batch-size", help="Prompts per forward batch (local backends).")]
NoCacheOption = Annotated[bool, typer.Option("--no-cache", help="Do not read or write the persistent model-call cache.")]
SeedOption = Annotated[int, typer.Option("--seed", help="Random seed (sampling, splits, tie-breaking).")]
BindingsOption = Annotated[
    str,
    typer.Option("--bindings", help="Input bindings ranked with python/hybrid, comma-separated: model (the model writes the call),"
                 " text (the input text as the one argument), words (its whitespace-separated tokens)."),
]


def parse_bindings(value: str) -> tuple[str, ...]:
    """``--bindings`` as a validated tuple (raises ValueError on an unknown name)."""
    from cogex.execute.binding import check_bindings

    return check_bindings([part.strip() for part in value.split(",") if part.strip()])
