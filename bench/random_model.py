"""Models for the training-speed benchmark: published shapes with random weights.

The GPU machine has no Hub access, and throughput and memory depend on the shape, not the
weights, so each model is built from its published configuration, initialised at random
and saved as a Hub-style checkpoint; both sides of the benchmark then load (and 4-bit
quantise) it with `from_pretrained`, as a real run loads a downloaded model.

The tokenizer is Mistral 7B v0.1's SentencePiece model (32,000 pieces, byte fallback),
which the PyPI package mistral-common ships as a data file. The wheel is downloaded and the
one file taken out of it; the package is never installed, since transformers imports it,
without its dependencies, whenever it is present. Llama 2's tokenizer is of the same kind and
size, so it also stands in for Llama 2's token counts.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

# Published configurations (meta-llama/Llama-2-7b-hf, mistralai/Mistral-7B-v0.1); the tiny
# shapes keep the architecture and vocabulary at a size a CPU trains in seconds.
SHAPES = {
    "llama2-7b": dict(
        model_type="llama",
        hidden_size=4096,
        intermediate_size=11008,
        num_hidden_layers=32,
        num_attention_heads=32,
        num_key_value_heads=32,
        max_position_embeddings=4096,
        rms_norm_eps=1e-5,
        rope_theta=10000.0,
    ),
    "mistral-7b": dict(
        model_type="mistral",
        hidden_size=4096,
        intermediate_size=14336,
        num_hidden_layers=32,
        num_attention_heads=32,
        num_key_value_heads=8,
        max_position_embeddings=32768,
        rms_norm_eps=1e-5,
        rope_theta=10000.0,
        sliding_window=4096,
    ),
}
# The MLP ratio and the GQA groups are kept; every projection has a multiple of 32 outputs and of 64 inputs, as
# bitsandbytes' packed CPU kernel for 4-bit inference (the DPO reference forward, evaluation) needs.
TINY = dict(hidden_size=128, num_hidden_layers=2, num_attention_heads=4)
SHAPES["tiny-llama2"] = {**SHAPES["llama2-7b"], **TINY, "intermediate_size": 320, "num_key_value_heads": 4}
SHAPES["tiny-mistral"] = {**SHAPES["mistral-7b"], **TINY, "intermediate_size": 448, "num_key_value_heads": 1}
COMMON = dict(vocab_size=32000, hidden_act="silu", tie_word_embeddings=False, bos_token_id=1, eos_token_id=2)
TOKENIZER_WHEEL = "mistral-common==1.13.1"
TOKENIZER_FILE = "mistral_common/data/tokenizer.model.v1"


class BenchSetupError(RuntimeError):
    pass


def family_of(shape: str) -> str:
    return "mistral" if "mistral" in shape else "llama2"


def model_config(shape: str, **changes):
    from transformers import AutoConfig

    if shape not in SHAPES:
        raise BenchSetupError(f"unknown shape {shape!r}; known: {', '.join(SHAPES)}")
    values = {**COMMON, **SHAPES[shape], **changes}
    return AutoConfig.for_model(values.pop("model_type"), **values)


def matmul_parameters(config) -> int:
    """Weights that take part in a matrix product per token: every projection and the LM head, not the embedding."""
    d, ff, layers = config.hidden_size, config.intermediate_size, config.num_hidden_layers
    head_dim = d // config.num_attention_heads
    kv = config.num_key_value_heads * head_dim
    return layers * (2 * d * d + 2 * d * kv + 3 * d * ff) + d * config.vocab_size


# A SentencePiece tokenizer.model read as Llama's tokenizer: BOS added, EOS not.
LLAMA_TOKENIZER_CONFIG = {
    "tokenizer_class": "LlamaTokenizer",
    "bos_token": "<s>",
    "eos_token": "</s>",
    "unk_token": "<unk>",
    "add_bos_token": True,
    "add_eos_token": False,
    "legacy": False,
}


def tokenizer_dir(cache: Path) -> Path:
    """A Llama-style tokenizer directory around the SentencePiece file from mistral-common's wheel."""
    out = cache / "tokenizer"
    if not (out / "tokenizer.model").is_file():
        out.mkdir(parents=True, exist_ok=True)
        (out / "tokenizer.model.part").write_bytes(_tokenizer_model(out))
        (out / "tokenizer.model.part").rename(out / "tokenizer.model")
    (out / "tokenizer_config.json").write_text(json.dumps(LLAMA_TOKENIZER_CONFIG))
    return out


def _tokenizer_model(out: Path) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        pip = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "-q",
                "--no-deps",
                "--only-binary=:all:",
                "-d",
                tmp,
                TOKENIZER_WHEEL,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        wheels = list(Path(tmp).glob("*.whl"))
        if pip.returncode != 0 or not wheels:
            raise BenchSetupError(
                f"could not download {TOKENIZER_WHEEL} for the benchmark's tokenizer "
                f"({(pip.stderr.strip().splitlines() or ['no wheel'])[-1]}); without a "
                f"package index, copy its {TOKENIZER_FILE} to {out / 'tokenizer.model'}"
            )
        with zipfile.ZipFile(wheels[0]) as wheel:
            return wheel.read(TOKENIZER_FILE)


def checkpoint(shape: str, cache: Path) -> Path:
    """The random-weight checkpoint of `shape` (bf16 safetensors plus the tokenizer), built once per cache."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    out = cache / "models" / shape
    if (out / "config.json").is_file():
        return out
    tokenizer = AutoTokenizer.from_pretrained(str(tokenizer_dir(cache)))
    partial = out.with_name(out.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    torch.manual_seed(0)
    # Initialised on the GPU when there is one: a 7B model's random init takes minutes on a CPU.
    with torch.device("cuda" if torch.cuda.is_available() else "cpu"):
        model = AutoModelForCausalLM.from_config(model_config(shape), dtype=torch.bfloat16)
    model.save_pretrained(str(partial))
    tokenizer.save_pretrained(str(partial))
    del model
    if torch.cuda.is_available():  # the sides run in other processes: this one must not keep the memory
        torch.cuda.empty_cache()
    partial.rename(out)
    return out
