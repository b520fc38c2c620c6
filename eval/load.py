"""Loading what an evaluation runs: the base model, its adapter, the tokenizer and the prompt family.

The tokenizer comes from the adapter directory when it has one (training saves it with
the v2 chat template of its family and its pad token), so the family is known and a
different `--family` is refused: the adapter would be asked in a format it never saw.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import TemplateError

from data.common import FctuneError, error_summary
from data.models import check_adapter_base, fitting_dtype, load_model, load_tokenizer
from data.render import FAMILIES, render, to_messages
from data.schema import Call, Example, Function
from data.tokens import adds_bos

# A conversation that tells the v2 templates apart: a system prompt, an optional argument
# with an enum, a call for the answer.
_PROBE = Example(
    user="Book a table for 2.",
    functions=[
        Function.from_v2(
            {
                "function": "book_table",
                "description": "Book a table.",
                "arguments": [
                    {"name": "people", "type": "integer", "description": "Guests"},
                    {"name": "area", "type": "string", "description": "Area", "enum": ["in", "out"], "optional": True},
                ],
            }
        )
    ],
    calls=[Call("book_table", {"people": 2})],
    system="Be brief.",
)


def family_of(tokenizer) -> str | None:
    """The v2 family whose format the tokenizer's chat template writes (fctune saves one with
    every adapter). Told by rendering a probe conversation rather than by comparing template
    text, so adapters saved with an earlier, equivalent template are recognised too."""
    if not tokenizer.chat_template:
        return None
    messages, tools = to_messages(_PROBE)
    try:
        text = tokenizer.apply_chat_template(messages, tools=tools, tokenize=False)
    except (TemplateError, TypeError, ValueError, KeyError):  # someone else's template
        return None
    start = tokenizer.bos_token if adds_bos(tokenizer) else ""
    for name in FAMILIES:
        prompt, completion = render(_PROBE, name)
        if text == start + prompt + completion + tokenizer.eos_token:
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
        raise FctuneError(f"no prompt family: pass --family ({', '.join(FAMILIES)})")
    if tokenizer is None:
        tokenizer = load_tokenizer(model_name, family)
    tokenizer.padding_side = "left"

    model = load_model(model_name, fitting_dtype("bfloat16") if dtype == "auto" else dtype)
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
