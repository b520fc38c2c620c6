"""Loading what an evaluation runs: the base model, its adapter, the tokenizer and the prompt family.

The tokenizer comes from the adapter directory when it has one (training saves it with
the v2 chat template of its family and its pad token), so the family is known and a
different `--family` is refused: the adapter would be asked in a format it never saw.
"""

from __future__ import annotations

from pathlib import Path

import torch

from data.schema import error_summary
from eval.run import EvalError, family_of
from train.merge import MergeError, base_model_name
from train.model import load_tokenizer, resolve_model_path


def load_for_eval(model_name: str, adapter: str | None, family: str | None, data_family: str | None,
                  dtype: str) -> tuple:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    adapter_dir = Path(adapter) if adapter else None
    if adapter_dir is not None and not (adapter_dir / "adapter_config.json").is_file():
        raise EvalError(f"{adapter} is not an adapter directory (no adapter_config.json)")
    tokenizer = None
    if adapter_dir is not None and (adapter_dir / "tokenizer_config.json").is_file():
        tokenizer = AutoTokenizer.from_pretrained(str(adapter_dir))
        trained = family_of(tokenizer)
        if trained is None:  # not saved by fctune: set up below like a base model's
            tokenizer = None
        elif family and family != trained:
            raise EvalError(f"--family {family} does not match the adapter's tokenizer, trained with the "
                            f"{trained} format: drop --family or pass --family {trained}")
        else:
            family = trained
    family = family or data_family
    if family is None:
        raise EvalError("no prompt family: pass --family (llama2, mistral, zephyr, deepseek-coder)")
    if tokenizer is None:
        tokenizer = load_tokenizer(model_name, family)
    tokenizer.padding_side = "left"

    device = "cuda" if torch.cuda.is_available() else "cpu"
    try:
        model = AutoModelForCausalLM.from_pretrained(resolve_model_path(model_name), dtype=getattr(torch, dtype))
    except OSError as e:
        raise EvalError(f"cannot load the model {model_name!r}: {error_summary(e)}") from None
    model.to(device).eval()
    if adapter_dir is not None:
        model = _with_adapter(model, model_name, adapter_dir)
    return model, tokenizer, family


def _with_adapter(model, model_name: str, adapter_dir: Path):
    from peft import PeftModel

    try:
        recorded = base_model_name(adapter_dir)
    except MergeError:
        recorded = None
    try:
        return PeftModel.from_pretrained(model, str(adapter_dir)).eval()
    except (RuntimeError, ValueError, KeyError) as e:
        # Shape mismatches (RuntimeError) and missing target modules (ValueError) both mean another base.
        first = error_summary(e)[:200]
        raise EvalError(f"the adapter {adapter_dir} was made for another base model"
                        f"{f' ({recorded})' if recorded else ''}, not {model_name}: {first}") from None

