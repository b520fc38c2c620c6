"""Training configs: YAML in, `--key value` overrides, every key checked.

A config is one flat YAML mapping read by TRL's `TrlParser` into four dataclasses, as in
TRL's own scripts and alignment-handbook recipes: `RunArguments` (ours: method, data,
logging), `EvalArguments` (evaluation after and during training: eval/settings.py), TRL's
`SFTConfig` or `DPOConfig` (chosen by `method`), and TRL's `ModelConfig`. Unknown keys,
duplicated keys, values of the wrong type or out of range and contradictory settings are
one-line errors naming the key. The settings fctune always applies are applied here, once,
so `fctune_config.yaml` holds exactly what ran.
"""

from __future__ import annotations

import dataclasses
import difflib
import enum
import importlib.util
import math
import os
import sys
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from trl import DPOConfig, ModelConfig, SFTConfig, TrlParser

from data.attention import NAME as SHARED_PREFIX_ATTENTION
from data.common import FctuneError, error_summary
from data.models import bf16_is_native
from data.render import FAMILIES
from eval.settings import training_arguments

METHODS = ("sft", "dpo")
LOSS_IMPLEMENTATIONS = ("trained_positions", "trl")


@dataclass
class RunArguments:
    """fctune's own settings; TRL's SFTConfig/DPOConfig and ModelConfig hold the rest."""

    method: str = field(default="sft", metadata={"help": "Training method: `sft` or `dpo`."})
    dataset: str = field(
        default="builtin",
        metadata={
            "help": "Data-stage source: a directory written by `python -m data build`, `builtin` (or "
            "`builtin:ask-twins`), a "
            "CSV/JSON/JSONL/Parquet file or directory, or a Hub dataset OWNER/NAME[@REVISION]. "
            "Anything but a built directory is built into OUTPUT_DIR/data first."
        },
    )
    family: str | None = field(
        default=None,
        metadata={"help": f"Prompt format family ({', '.join(FAMILIES)}); defaults to the built dataset's."},
    )
    system_prompt: str = field(default="", metadata={"help": "System prompt for rows that have none."})
    split_seed: int = field(default=0, metadata={"help": "Seed for carving splits and DPO pairs when building."})
    test_size: float = field(
        default=0.1, metadata={"help": "Test share (<1) or count when building a source without a test split."}
    )
    validation_size: float = field(default=0.1, metadata={"help": "Validation share or count when building."})
    max_train_samples: int | None = field(default=None, metadata={"help": "Use only the first N training rows."})
    max_eval_samples: int | None = field(
        default=None, metadata={"help": "Use only the first N validation rows for eval loss."}
    )
    lora_last_layers: int | None = field(
        default=None,
        metadata={
            "help": "LoRA on the last N transformer blocks only (default: all). Backward then stops below them, "
            "so a step costs less: the lower blocks run forward only."
        },
    )
    shared_prefix_rows: int = field(
        default=1,
        metadata={
            "help": "SFT: join up to N training rows that offer the same functions (and system prompt) into "
            "one sequence: their common prompt once, then each row's own rest, which sees that prompt and "
            "itself only (position ids carry the layout; data/attention.py). The loss and gradients are "
            "those of the rows apart, in fewer tokens: function metadata is most of a row. A batch then "
            "counts such sequences, as does evaluation loss on the validation split. 1: each row alone. Needs "
            "padding_free and the sdpa_rows attention (the default with N above 1)."
        },
    )
    max_train_minutes: float | None = field(
        default=None,
        metadata={
            "help": "Train as many steps as fit this many minutes: before training, the forward and backward "
            "passes of a few steps are timed on the first batches, and max_steps is lowered to the steps "
            "that fit (the learning-rate schedule then spans those). The optimizer's updates, evaluation "
            "and checkpoints come on top. A run that resumes keeps the steps its first start chose. One "
            "process, no FSDP or DeepSpeed; needs max_steps."
        },
    )
    bf16_fallback_to_float32: bool = field(
        default=True,
        metadata={
            "help": "Training an unquantised model where bfloat16 is not native (a CPU without AVX-512 or Arm "
            "BF16, where PyTorch emulates it): load it in float32 instead of dtype bfloat16, and leave "
            "bf16 autocast off. Emulated bf16 trains 13 times slower (a step of the embedded config with "
            "LoRA on its last 4 blocks: 51.7 s against 3.9 s on a 2-core AVX2 CPU). The change is "
            "printed, and fctune_config.yaml records it."
        },
    )
    sft_adapter: str | None = field(
        default=None,
        metadata={
            "help": "DPO only: an SFT run directory (or adapter) to start from; its adapter is trained "
            "further, and a frozen copy of it is the reference. Without it, a new adapter is "
            "trained and the base (adapter disabled) is the reference."
        },
    )
    overwrite_output_dir: bool = field(
        default=False, metadata={"help": "Replace an existing run in output_dir, even one with a different config."}
    )
    loss_implementation: str = field(
        default="trained_positions",
        metadata={
            "help": "`trained_positions`: the LM head, loss and per-step metrics only at positions whose next "
            "token is trained (SFT: completion and EOS; DPO: both completions, policy and reference), "
            "through the model's own forward. `trl`: TRL's own loss, whose chunked LM head scores "
            "every position outside CUDA. Both train the same loss and gradients; settings that need "
            "more (label smoothing, DFT, DPO loss types other than sigmoid, MoE auxiliary losses) "
            "always use TRL's."
        },
    )
    wandb_project: str = field(default="fctune", metadata={"help": "wandb project (with report_to: wandb)."})
    wandb_entity: str | None = field(default=None, metadata={"help": "wandb entity (team or user)."})
    wandb_group: str | None = field(default=None, metadata={"help": "wandb run group, e.g. a sweep name."})
    wandb_tags: list[str] = field(default_factory=list, metadata={"help": "wandb run tags."})


EvalArguments = training_arguments()


@dataclass
class Config:
    run: RunArguments
    evaluation: EvalArguments
    train: object  # trl.SFTConfig or trl.DPOConfig
    model: object  # trl.ModelConfig
    path: str  # the YAML file it came from

    def sections(self) -> list:
        return [self.run, self.evaluation, self.train, self.model]

    def resolved(self) -> dict:
        """Every setting, flat and YAML-safe: what was trained, and what `same_settings` compares."""
        out = {}
        for section in self.sections():
            # Field by field: TrainingArguments.to_dict() masks every *_token value, None included.
            out.update({name: _plain(getattr(section, name)) for name in _field_names(type(section))})
        return {k: v for k, v in sorted(out.items()) if not is_secret(k)}


# Values of these keys are never written anywhere (fctune_config.yaml, run.json, checkpoints, wandb):
# hub_token and any other *_token setting, except the tokenizer's own special tokens.
VOCABULARY_TOKENS = {"eos_token", "pad_token", "bos_token", "unk_token"}


def is_secret(key: str) -> bool:
    key = key.lstrip("-").split("=", 1)[0].replace("-", "_")
    return key.endswith("_token") and key not in VOCABULARY_TOKENS


def redact_argv(argv: list[str]) -> list[str]:
    """The command line with the value of every secret option replaced by "***"."""
    out = list(argv)
    for i, arg in enumerate(out):
        if arg.startswith("--") and is_secret(arg):
            if "=" in arg:
                out[i] = arg.split("=", 1)[0] + "=***"
            elif i + 1 < len(out):
                out[i + 1] = "***"
    return out


# Settings that may change between a run and its resumption without making it another run.
RESUME_KEYS = {
    "resume_from_checkpoint",
    "overwrite_output_dir",
    "report_to",
    "run_name",
    "logging_steps",
    "disable_tqdm",
    "wandb_project",
    "wandb_entity",
    "wandb_group",
    "wandb_tags",
    "logging_dir",
    *(f.name for f in dataclasses.fields(EvalArguments)),
}


def differing_keys(old: dict, new: dict) -> list[str]:
    keys = (set(old) | set(new)) - RESUME_KEYS
    return sorted(k for k in keys if old.get(k) != new.get(k))


def parse_config(argv: list[str]) -> Config:
    """`CONFIG.yaml [--key value ...]` to a checked Config, with fctune's standing settings applied."""
    if not argv or argv[0].startswith("-"):
        raise FctuneError("usage: python -m train CONFIG.yaml [--key value ...]")
    path, overrides = argv[0], list(argv[1:])
    values = _read_yaml(path)
    if "env" in values:
        # TrlParser would copy it into os.environ, and an environment can make programs run commands
        # (GIT_CONFIG_*, LD_PRELOAD, ...): a shared config must not be able to do that.
        raise FctuneError(f"{path}: the env key is not supported: set environment variables in your shell")
    method = _method(values, overrides)
    classes = (RunArguments, EvalArguments, SFTConfig if method == "sft" else DPOConfig, ModelConfig)
    parser = _Parser(classes)
    known = {a.dest for a in parser._actions}
    for key in values:
        if key not in known:
            raise FctuneError(f"{path}: unknown key {key!r}{_suggest(key, known)}")
    for arg in overrides:
        key = arg[2:].split("=", 1)[0] if arg.startswith("--") else None
        if key is not None and key not in known:
            raise FctuneError(f"unknown option --{key}{_suggest(key, known)}")
    for key, value in values.items():
        # `resume_from_checkpoint: true` in YAML means "the last checkpoint" (train.run_dir reads it)
        if not (key == "resume_from_checkpoint" and isinstance(value, bool)):
            _check_type(path, key, value, _field_type(classes, key))
    try:
        # The file is read here, not by TrlParser, which would apply an env key and allow duplicated keys.
        parser.set_defaults_with_config(**values)
        run, evaluation, train, model = parser.parse_args_into_dataclasses(args=overrides)
    except FctuneError:
        raise
    except ValueError as e:  # __post_init__ checks of the dataclasses (TRL's and transformers')
        raise FctuneError(f"{path}: {e}") from None
    config = Config(run, evaluation, train, model, path)
    check_config(config)
    apply_standing_settings(config)
    return config


class _Parser(TrlParser):
    """TrlParser whose argparse errors raise FctuneError instead of printing usage and exiting."""

    def error(self, message):
        raise FctuneError(message.replace("argument ", "option ", 1))


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML's safe loader, refusing a key given twice (by default the last one silently wins)."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise FctuneError(f"line {key_node.start_mark.line + 1}: key {key!r} is given twice")
            seen.add(key)
        return super().construct_mapping(node, deep)


def _read_yaml(path: str) -> dict:
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise FctuneError(f"cannot read config {path}: {e.strerror}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise FctuneError(
            f"{path}: not UTF-8 text: byte 0x{data[e.start]:02x} at byte {e.start + 1} "
            f"(line {data[: e.start].count(10) + 1})"
        ) from None
    try:
        values = yaml.load(text, Loader=_UniqueKeyLoader)
    except FctuneError as e:
        raise FctuneError(f"{path}: {e}") from None
    except yaml.YAMLError as e:
        raise FctuneError(f"{path}: not valid YAML: {error_summary(e)}") from None
    if not isinstance(values, dict):
        raise FctuneError(f"{path}: a config is a YAML mapping of key: value")
    return values


def _method(values: dict, overrides: list[str]) -> str:
    method = values.get("method", "sft")
    for i, arg in enumerate(overrides):
        if arg == "--method" and i + 1 < len(overrides):
            method = overrides[i + 1]
        elif arg.startswith("--method="):
            method = arg.split("=", 1)[1]
    if method not in METHODS:
        raise FctuneError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
    return method


def _suggest(key: str, known: set[str]) -> str:
    close = difflib.get_close_matches(key, known, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _field_names(cls) -> set[str]:
    return {f.name for f in dataclasses.fields(cls) if f.init and not f.name.startswith("_")}


def _field_type(classes, key: str):
    for cls in classes:
        hints = typing.get_type_hints(cls)
        if key in hints:
            return hints[key]
    return None


def _check_type(path: str, key: str, value, hint) -> None:
    """YAML gives typed values, which argparse never checks (it takes them as defaults)."""
    if hint is None or value is None or _matches(value, hint):
        return
    raise FctuneError(f"{path}: {key}: expected {_type_name(hint)}, got {type(value).__name__} {value!r}")


def _matches(value, hint) -> bool:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_matches(value, h) for h in typing.get_args(hint) if h is not type(None))
    if origin is typing.Literal:
        return value in typing.get_args(hint)
    if origin in (list, tuple):
        return isinstance(value, (list, str))  # a single string is a one-item list to HfArgumentParser
    if origin is dict or hint is dict:
        return isinstance(value, (dict, str))
    if hint is bool:
        return isinstance(value, bool)
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool) or _is_number_text(value)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is str:
        return isinstance(value, (str, int, float)) and not isinstance(value, bool)
    if isinstance(hint, type) and issubclass(hint, str):  # enums such as IntervalStrategy
        return isinstance(value, str)
    return True  # anything richer is left to the dataclass's own checks


def _is_number_text(value) -> bool:
    # PyYAML reads 2e-4 (no dot) as text; argparse then converts it, so accept it.
    try:
        float(value)
        return isinstance(value, str)
    except (TypeError, ValueError):
        return False


def _type_name(hint) -> str:
    return getattr(hint, "__name__", None) or str(hint).replace("typing.", "")


def _plain(value):
    if isinstance(value, enum.Enum):  # IntervalStrategy and friends subclass str: check them first
        return _plain(value.value)
    if dataclasses.is_dataclass(value):  # accelerator_config
        return _plain(dataclasses.asdict(value))
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(getattr(value, "value", value))


# (section, key, lowest allowed value, whether the lowest value itself is allowed); None always passes.
RANGES = [
    ("train", "max_steps", -1, True),  # -1: train by epochs
    ("train", "learning_rate", 0, False),
    ("train", "num_train_epochs", 0, False),
    ("train", "per_device_train_batch_size", 1, True),
    ("train", "per_device_eval_batch_size", 1, True),
    ("train", "gradient_accumulation_steps", 1, True),
    ("train", "max_length", 1, True),
    ("train", "warmup_steps", 0, True),
    ("train", "logging_steps", 0, False),
    ("train", "save_steps", 0, False),
    ("train", "eval_steps", 0, False),
    ("model", "lora_r", 1, True),
    ("model", "lora_alpha", 0, False),
    ("model", "lora_dropout", 0, True),
    ("run", "test_size", 0, True),
    ("run", "validation_size", 0, True),
    ("run", "max_train_samples", 1, True),
    ("run", "lora_last_layers", 1, True),
    ("run", "shared_prefix_rows", 1, True),
    ("run", "max_eval_samples", 1, True),
    ("run", "max_train_minutes", 0, False),
    ("evaluation", "eval_max_samples", 1, True),
    ("evaluation", "eval_batch_size", 1, True),
    ("evaluation", "eval_max_new_tokens", 1, True),
    ("evaluation", "call_accuracy_samples", 0, True),
]


def check_ranges(config: Config) -> None:
    """Numbers that cannot mean anything are refused here rather than read as something else."""
    for section, key, low, inclusive in RANGES:
        value = getattr(getattr(config, section), key, None)
        if value is None or isinstance(value, bool):
            continue
        if isinstance(value, float) and not math.isfinite(value):
            raise FctuneError(f"{key} must be a finite number, got {value}")
        if value < low or (value == low and not inclusive):
            bound = f"at least {low}" if inclusive else f"more than {low}"
            raise FctuneError(f"{key} must be {bound}, got {value}")
    if config.model.lora_dropout is not None and config.model.lora_dropout >= 1:
        raise FctuneError(f"lora_dropout must be below 1, got {config.model.lora_dropout}")
    if config.run.method == "dpo" and not config.train.beta > 0:
        raise FctuneError(f"beta must be more than 0, got {config.train.beta}")


def check_config(config: Config) -> None:
    """Cross-field checks: each names the keys and says what to change."""
    check_ranges(config)
    run, train, model = config.run, config.train, config.model
    if config.evaluation.eval_data and config.evaluation.eval_data.startswith("bfcl:"):
        from data.bfcl import source_categories

        source_categories(config.evaluation.eval_data)
    if not model.model_name_or_path:
        raise FctuneError("model_name_or_path is required: a Hub id, a local directory, or `embedded`")
    name = model.model_name_or_path
    if (
        name != "embedded"
        and not Path(name).expanduser().exists()
        and (name.startswith(("/", ".", "~")) or name.count("/") != 1)
    ):
        raise FctuneError(f"model_name_or_path {name!r}: no such directory, and not a Hub id (OWNER/NAME)")
    if not model.use_peft:
        raise FctuneError(
            "use_peft must be true: fctune trains LoRA adapters (set lora_r, lora_alpha, lora_target_modules)"
        )
    if (model.load_in_4bit or model.load_in_8bit) and importlib.util.find_spec("bitsandbytes") is None:
        raise FctuneError("load_in_4bit/load_in_8bit need bitsandbytes: pip install bitsandbytes")
    if model.load_in_4bit and uses_fsdp(train):
        storage = model.bnb_4bit_quant_storage
        if storage != model.dtype:
            raise FctuneError(
                f"FSDP with QLoRA needs bnb_4bit_quant_storage equal to dtype ({model.dtype!r}), "
                f"got {storage!r}: FSDP can only shard the 4-bit weights stored in that dtype"
            )
    if model.load_in_4bit and model.dtype not in ("bfloat16", "float16", "float32"):
        raise FctuneError(
            f"load_in_4bit needs dtype bfloat16, float16 or float32 (the compute dtype), got {model.dtype!r}"
        )
    if run.sft_adapter and run.method != "dpo":
        raise FctuneError("sft_adapter is for method: dpo (to start DPO from an SFT run)")
    out = Path(train.output_dir).resolve()
    for key, path in (("dataset", run.dataset), ("sft_adapter", run.sft_adapter)):
        if run.overwrite_output_dir and path and Path(path).resolve().is_relative_to(out):
            raise FctuneError(
                f"{key} {path} lies inside output_dir {train.output_dir}, which overwrite_output_dir would replace"
            )
    if run.family is not None:
        if run.family not in FAMILIES:
            raise FctuneError(f"family must be one of {', '.join(FAMILIES)}, not {run.family!r}")
    for tracker in ("wandb", "tensorboard"):
        if tracker in (train.report_to or []) and importlib.util.find_spec(tracker) is None:
            raise FctuneError(f"report_to: {tracker} needs {tracker} installed: pip install {tracker}")
    if train.activation_checkpointing and (train.activation_checkpointing_kwargs or {}).get("use_reentrant", False):
        raise FctuneError(
            "activation_checkpointing_kwargs.use_reentrant must be false: re-entrant checkpointing "
            "recomputes frozen layers without gradients and breaks with LoRA under DDP"
        )
    if train.max_length is None:
        raise FctuneError("max_length is required: rows longer than it are left out, and it bounds memory")
    if run.method == "dpo" and train.padding_free:
        raise FctuneError(
            "padding_free is not available for DPO in TRL 1.16 (its DPOTrainer falls back to "
            "padding): set padding_free: false"
        )
    if run.shared_prefix_rows > 1 and (run.method != "sft" or not train.padding_free or train.packing):
        raise FctuneError("shared_prefix_rows above 1 needs method sft with padding_free: true and packing: false")
    if run.shared_prefix_rows > 1 and model.attn_implementation not in (None, SHARED_PREFIX_ATTENTION):
        raise FctuneError(
            f"shared_prefix_rows above 1 needs the sdpa_rows attention (the default then), which reads the "
            f"layout from position ids; {model.attn_implementation} cannot"
        )
    if run.max_train_minutes is not None and (train.max_steps <= 0 or uses_sharding(train)):
        raise FctuneError(
            "max_train_minutes lowers max_steps to what fits: set max_steps, and train without FSDP or DeepSpeed"
        )
    if run.lora_last_layers and not isinstance(model.lora_target_modules, list):
        raise FctuneError(
            "lora_last_layers needs lora_target_modules as a list of module names, e.g. [q_proj, v_proj] "
            "(PEFT cannot restrict all-linear to some layers)"
        )
    if run.loss_implementation not in LOSS_IMPLEMENTATIONS:
        raise FctuneError(
            f"loss_implementation must be one of {', '.join(LOSS_IMPLEMENTATIONS)}, not {run.loss_implementation!r}"
        )
    if run.method == "sft" and train.packing and train.packing_strategy not in ("bfd", "bfd_split"):
        raise FctuneError(
            f"packing_strategy {train.packing_strategy!r} joins rows into one sequence that attends "
            f"across them; use bfd (whole rows, kept apart by position ids)"
        )
    if train.use_liger_kernel and importlib.util.find_spec("liger_kernel") is None:
        raise FctuneError("use_liger_kernel needs liger-kernel on a CUDA GPU: pip install liger-kernel")


def apply_standing_settings(config: Config) -> None:
    """What fctune always sets, applied once here, so that fctune_config.yaml is exactly what runs."""
    train = config.train
    if config.model.lora_target_modules is None:
        # LoRA on every linear layer, as the QLoRA paper found necessary; PEFT's own default is q and v only.
        config.model.lora_target_modules = "all-linear"
    if train.activation_checkpointing and not train.activation_checkpointing_kwargs:
        # Re-entrant checkpointing breaks LoRA under DDP (see check_config); transformers reads
        # the new name, TRL the old one.
        train.activation_checkpointing_kwargs = train.gradient_checkpointing_kwargs = {"use_reentrant": False}
    _fall_back_to_float32(config)
    train.run_name = train.run_name or Path(train.output_dir).name
    if train.hub_token:
        # The Trainer pickles its arguments into every checkpoint (training_args.bin): the token
        # goes where huggingface_hub reads it instead, this process's environment.
        os.environ["HF_TOKEN"] = train.hub_token
        train.hub_token = None
    # wandb records the command line (wandb-metadata.json); so does run.json.
    sys.argv[:] = redact_argv(sys.argv)


def _fall_back_to_float32(config: Config) -> None:
    """bf16_fallback_to_float32 (see its help)."""
    model, train = config.model, config.train
    if not config.run.bf16_fallback_to_float32 or model.load_in_4bit or model.load_in_8bit:
        return
    if (model.dtype == "bfloat16" or train.bf16) and not bf16_is_native(cpu=train.use_cpu):
        print("bfloat16 is not native on this device: training in float32 (bf16_fallback_to_float32)")
        model.dtype = "float32" if model.dtype == "bfloat16" else model.dtype
        train.bf16 = False
        train.mixed_precision = "no"  # what TrainingArguments derived from bf16 when it was parsed


def uses_fsdp(train) -> bool:
    """FSDP from the config or from `accelerate launch` (which says so in the environment)."""
    return bool(train.fsdp) or os.environ.get("ACCELERATE_USE_FSDP", "false").lower() == "true"


def uses_sharding(train) -> bool:
    """FSDP or DeepSpeed: the model is split over the processes, so no process can run it alone."""
    return (
        uses_fsdp(train)
        or train.deepspeed is not None
        or os.environ.get("ACCELERATE_USE_DEEPSPEED", "false").lower() == "true"
    )
