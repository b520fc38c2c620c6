"""Loading what an evaluation runs: the base model, its adapter, the tokenizer and the prompt family.

The tokenizer comes from the adapter directory when it has one (training saves it with
the v2 chat template of its family and its pad token), so the family is known and a
different `--family` is refused: the adapter would be asked in a format it never saw.
"""

from __future__ import annotations

from pathlib import Path

from data.common import FctuneError, error_summary
from data.models import check_adapter_base, load_model, load_tokenizer
from data.render import FAMILIES, chat_template
from data.tokens import adds_bos


def family_of(tokenizer) -> str | None:
    """The v2 family whose chat template the tokenizer carries (fctune saves one with every adapter)."""
    for name in FAMILIES:
        if tokenizer.chat_template == chat_template(name, adds_bos(tokenizer)):
            return name
    return None


def check_adapter(model_name: str, adapter: str | None) -> None:
    """Before anything loads: the adapter is one, and was made for this base."""
    if adapter is not None:
        check_adapter_base(Path(adapter), model_name)


def load_for_eval(
    model_name: str, adapter: str | None, family: str | None, data_family: str | None, dtype: str
) -> tuple:
    import torch
    from transformers import AutoTokenizer

    check_adapter(model_name, adapter)
    tokenizer = None
    if adapter is not None and (Path(adapter) / "tokenizer_config.json").is_file():
        tokenizer = AutoTokenizer.from_pretrained(adapter)
        trained = family_of(tokenizer)
        if trained is None:  # not saved by fctune: set up below like a base model's
            tokenizer = None
        elif family and family != trained:
            raise FctuneError(
                f"--family {family} does not match the adapter's tokenizer, trained with the "
                f"{trained} format: drop --family or pass --family {trained}"
            )
        else:
            family = trained
    family = family or data_family
    if family is None:
        raise FctuneError("no prompt family: pass --family (llama2, mistral, zephyr, deepseek-coder)")
    if tokenizer is None:
        tokenizer = load_tokenizer(model_name, family)
    tokenizer.padding_side = "left"

    model = load_model(model_name, dtype)
    model.to("cuda" if torch.cuda.is_available() else "cpu").eval()
    if adapter is not None:
        from peft import PeftModel

        try:
            model = PeftModel.from_pretrained(model, adapter).eval()
        except (RuntimeError, ValueError, KeyError) as e:  # a shape or module mismatch the name check missed
            raise FctuneError(
                f"the adapter {adapter} does not fit the base model {model_name}: {error_summary(e)[:200]}"
            ) from None
    return model, tokenizer, family
