"""``cogex export-gguf``: write a CoGEX adapter as a GGUF LoRA for llama.cpp servers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from cogex.cli.common import fail, plain, console, user_errors


def export_gguf(
    out: Annotated[Path, typer.Argument(help="The GGUF LoRA file to write (e.g. cogex-lora.gguf).")],
    adapter: Annotated[Optional[Path], typer.Option("--adapter", help="PEFT LoRA folder; default: the shipped CoGEX adapter.")] = None,
    base: Annotated[Optional[Path], typer.Option("--base", help="The GGUF base model the LoRA will run on; default: the embedded SmolLM2 GGUF.")] = None,
) -> None:
    """Export a CoGEX (PEFT LoRA) adapter as a GGUF LoRA, so llama.cpp serves the CoGEX model:
    `llama-server -m BASE.gguf --lora OUT` (or llama_cpp.server's lora_path); then
    `--backend openai --model NAME` reaches it. llama-architecture bases only."""
    from cogex.models.embedded import embedded_gguf_path
    from cogex.models.gguf_lora import GGUFLoraError, export_gguf_lora
    from cogex.models.loading import shipped_adapter_path

    with user_errors():
        adapter_dir = adapter if adapter is not None else shipped_adapter_path()
        if adapter_dir is None:
            fail("this install has no shipped adapter; pass --adapter DIR")
        base_gguf = base if base is not None else embedded_gguf_path()
        if not Path(base_gguf).is_file():
            fail(f"base GGUF not found: {base_gguf}")
        try:
            written = export_gguf_lora(adapter_dir, out, base_gguf)
        except GGUFLoraError as exc:
            fail(str(exc))
    console.print(plain(f"wrote {written} ({written.stat().st_size / 1e6:.1f} MB) for base {base_gguf}"))


def register(app: typer.Typer) -> None:
    app.command("export-gguf")(export_gguf)
