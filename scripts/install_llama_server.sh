#!/usr/bin/env bash
# Install llama.cpp's OpenAI-compatible server (llama-cpp-python[server]) for the tests that run cogex's
# openai backend against a real inference server. It builds from source (~6 min on 2 cores; pip caches
# the wheel, so later installs take seconds). GGML_NATIVE=OFF: the native-CPU build does not compile here.
set -euo pipefail
cd "$(dirname "$0")/.."
if python3 -c "import llama_cpp.server" 2>/dev/null; then
    exit 0
fi
CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF}" python3 -m pip install --quiet "llama-cpp-python[server]==0.3.36" -c constraints/cpu.txt
