"""Merge an adapter into its base: `python -m train.merge --adapter RUN_DIR --out DIR`.

The base is loaded in 16 bits (never in 4 bits, even for a QLoRA run: merging into
quantised weights would round the update away), the adapter is folded into it, and the
result is saved as safetensors with the adapter's tokenizer: its v2 chat template (also as
chat_template.jinja) and the response template that `parse_response` and `transformers
serve` read calls with. Beside them, `fctune_tool_parser.py`, the vLLM tool-parser plugin.
The output is written beside its destination and renamed into place.
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import sys
from pathlib import Path

from data.common import FctuneError, error_summary, replace_dir, run_cli, take_debug_flag

VLLM_PLUGIN = "fctune_tool_parser.py"


def merge(adapter: Path, out: Path, dtype: str = "bfloat16", trust_remote_code: bool = False) -> Path:
    from peft import PeftModel
    from transformers import AutoTokenizer

    from data.models import base_model_name, check_adapter_base, load_model
    from data.render import chat_template, response_template
    from data.tokens import adds_bos
    from eval.load import family_of

    if out.exists() and any(out.iterdir()):
        raise FctuneError(f"{out} exists and is not empty: choose another --out")
    base_name = base_model_name(adapter)
    check_adapter_base(adapter, base_name)
    tokenizer = AutoTokenizer.from_pretrained(str(adapter))  # carries the v2 chat template and pad token
    family = family_of(tokenizer)
    if family is None:
        raise FctuneError(
            f"the tokenizer in {adapter} has no v2 chat template: it was not saved by fctune's train stage"
        )
    # Adapters saved by an earlier version get today's templates here (the same format, written
    # so that more engines read it: llama.cpp's Jinja has no `**` or `dict()`); the same ones otherwise.
    tokenizer.chat_template = chat_template(family, adds_bos(tokenizer))
    tokenizer.response_template = response_template(family, tokenizer.eos_token)
    base = load_model(base_name, dtype, trust_remote_code=trust_remote_code)
    try:
        merged = PeftModel.from_pretrained(base, str(adapter)).merge_and_unload()
    except (RuntimeError, ValueError, KeyError) as e:
        raise FctuneError(f"the adapter {adapter} does not fit {base_name}: {error_summary(e)[:200]}") from None
    with replace_dir(out) as tmp:  # `out` is absent or empty (checked above)
        merged.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        shutil.copyfile(importlib.util.find_spec("eval.vllm_plugin").origin, tmp / VLLM_PLUGIN)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m train.merge", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--adapter", required=True, type=Path, help="a run directory (a PEFT adapter with the tokenizer training saved)"
    )
    parser.add_argument("--out", required=True, type=Path, help="where to write the merged model")
    parser.add_argument(
        "--dtype",
        default="bfloat16",
        choices=["bfloat16", "float16", "float32"],
        help="dtype of the merged weights (default bfloat16)",
    )
    parser.add_argument("--trust-remote-code", action="store_true", help="allow the base's own modelling code")
    argv, debug = take_debug_flag(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)

    def body() -> int:
        out = merge(args.adapter, args.out, args.dtype, args.trust_remote_code)
        print(
            f"merged {args.adapter} into its base: {out}\n"
            f"serve it: transformers serve {out}  (or vLLM: see {out / VLLM_PLUGIN})"
        )
        return 0

    return run_cli(body, "interrupted; nothing was written", debug)


if __name__ == "__main__":
    sys.exit(main())
