"""Merge an adapter into its base: `python -m train.merge --adapter RUN_DIR --out DIR`.

The base is loaded in 16 bits (never in 4 bits, even for a QLoRA run: merging into
quantised weights would round the update away), the adapter is folded into it, and the
result is saved as safetensors with the tokenizer and its v2 chat template, ready for
vLLM, TGI or llama.cpp's conversion script. The output is written beside its
destination and renamed into place.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from data.files import replace_dir
from data.schema import error_summary


class MergeError(ValueError):
    pass


def base_model_name(adapter: Path) -> str:
    """The base as the run named it (`embedded` stays portable), else as the adapter records it."""
    try:
        return json.loads((adapter / "run.json").read_text())["model"]
    except (OSError, ValueError, KeyError):
        pass
    try:
        return json.loads((adapter / "adapter_config.json").read_text())["base_model_name_or_path"]
    except (OSError, ValueError, KeyError):
        raise MergeError(f"{adapter} is not an adapter directory (no adapter_config.json)") from None


def merge(adapter: Path, out: Path, dtype: str = "bfloat16", trust_remote_code: bool = False) -> Path:
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from train.model import resolve_model_path

    if out.exists() and any(out.iterdir()):
        raise MergeError(f"{out} exists and is not empty: choose another --out")
    base_path = resolve_model_path(base_model_name(adapter))
    try:
        base = AutoModelForCausalLM.from_pretrained(base_path, dtype=getattr(torch, dtype),
                                                    trust_remote_code=trust_remote_code)
    except OSError as e:
        raise MergeError(f"cannot load the base model {base_path!r}: {error_summary(e)}") from None
    merged = PeftModel.from_pretrained(base, str(adapter)).merge_and_unload()
    tokenizer = AutoTokenizer.from_pretrained(str(adapter))  # carries the v2 chat template and pad token
    with replace_dir(out) as tmp:  # `out` is absent or empty (checked above)
        merged.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m train.merge", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--adapter", required=True, type=Path, help="a run directory (or any PEFT adapter directory)")
    parser.add_argument("--out", required=True, type=Path, help="where to write the merged model")
    parser.add_argument("--dtype", default="bfloat16", choices=["bfloat16", "float16", "float32"],
                        help="dtype of the merged weights (default bfloat16)")
    parser.add_argument("--trust-remote-code", action="store_true", help="allow the base's own modelling code")
    args = parser.parse_args(argv)
    try:
        out = merge(args.adapter, args.out, args.dtype, args.trust_remote_code)
    except MergeError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"merged {args.adapter} into its base: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
