"""What this machine computes fast: native bf16 on the CPU, and the dtype ``auto`` stands for."""

from __future__ import annotations

import warnings
from pathlib import Path

#: CPU flags of native bf16 arithmetic (x86 AVX512-BF16 / AMX, Arm BF16 / SVE-BF16).
BF16_CPU_FLAGS = frozenset({"avx512_bf16", "amx_bf16", "bf16", "sve_bf16"})


def cpu_supports_bf16() -> bool:
    """Does this CPU compute bf16 natively (AVX512-BF16 / AMX on x86, BF16 on Arm)?"""
    try:
        text = Path("/proc/cpuinfo").read_text(errors="ignore")
    except OSError:
        text = ""
    if text:
        flags: set[str] = set()
        for line in text.splitlines():
            key, _, value = line.partition(":")
            if key.strip().lower() in ("flags", "features"):
                flags.update(value.split())
        if flags:
            return bool(flags & BF16_CPU_FLAGS)
    try:
        import torch

        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except Exception:  # noqa: BLE001 - unknown platform: be conservative
        return False


class SlowDtypeWarning(UserWarning):
    """bf16 was asked for on a CPU that has no native bf16 arithmetic."""


def warn_if_cpu_lacks_bf16(what: str) -> None:
    """Warn when ``what`` asks for bf16 computed on a CPU without native bf16: without
    AVX512-BF16 / AMX, torch runs bf16 matmuls in a fallback kernel, several times slower than
    float32 (docs/backends.md). A CPU with native bf16 is silent."""
    if cpu_supports_bf16():
        return
    warnings.warn(
        f"{what}: this CPU has no native bf16 (no AVX512-BF16 / AMX), so bf16 matmuls run in a "
        "fallback kernel several times slower than float32; 'auto' picks float32 here.",
        SlowDtypeWarning,
        stacklevel=3,
    )


def resolve_dtype(name: str) -> str:
    """The weights dtype ``name`` stands for here: ``auto`` is bfloat16 on a GPU that has it
    (else float16) and on a CPU with native bf16 (about 5x float32 matmul on AMX), else float32;
    any other name is itself."""
    import torch

    on_gpu = torch.cuda.is_available()
    if name == "auto":
        if on_gpu:
            return "bfloat16" if torch.cuda.is_bf16_supported() else "float16"
        return "bfloat16" if cpu_supports_bf16() else "float32"
    if name == "bfloat16" and not on_gpu:
        warn_if_cpu_lacks_bf16("--dtype bfloat16")
    return name
