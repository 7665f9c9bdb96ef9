#!/usr/bin/env bash
# Check, without installing anything, that ".[vllm]" resolves in a fresh virtual environment to
# the vLLM range pyproject.toml pins, together with cogex's core dependencies (pip --dry-run reads
# package metadata only; no GPU wheels are downloaded).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --dry-run --ignore-installed --report "$work/report.json" ".[vllm]" 2>"$work/pip.log" \
  || { tail -20 "$work/pip.log"; echo "error: .[vllm] does not resolve"; exit 1; }
python3 - "$work/report.json" <<'PY'
import json, re, sys, tomllib
report = json.load(open(sys.argv[1]))
got = {i["metadata"]["name"].lower(): i["metadata"]["version"] for i in report["install"]}
extra = tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]["vllm"][0]
low, high = re.search(r">=([\d.]+),<([\d.]+)", extra).groups()
version = got.get("vllm")
key = lambda v: tuple(int(x) for x in re.findall(r"\d+", v)[:3])
ok = version is not None and key(low) <= key(version) < key(high)
print(f"vllm extra resolves to vllm {version} (pinned range {extra}); transformers {got.get('transformers')}, torch {got.get('torch')}")
sys.exit(0 if ok else 1)
PY
