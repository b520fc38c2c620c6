"""Training configs: YAML in, `--key value` overrides, every key checked.

A config is one flat YAML mapping read by TRL's `TrlParser` into four dataclasses, as in
TRL's own scripts and alignment-handbook recipes: `RunArguments` (ours: method, data,
logging), `EvalArguments` (ours: evaluation after and during training), TRL's `SFTConfig`
or `DPOConfig` (chosen by `method`), and TRL's `ModelConfig`.
Unknown keys, values of the wrong type and contradictory settings are `ConfigError`s whose
message names the key.
"""

from __future__ import annotations

import dataclasses
import difflib
import enum
import importlib.util
import os
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from trl import DPOConfig, ModelConfig, SFTConfig, TrlParser

from data.schema import error_summary

METHODS = ("sft", "dpo")
LOSS_IMPLEMENTATIONS = ("trained_positions", "trl")


class ConfigError(ValueError):
    pass


@dataclass
class RunArguments:
    """fctune's own settings; TRL's SFTConfig/DPOConfig and ModelConfig hold the rest."""

    method: str = field(default="sft", metadata={"help": "Training method: `sft` or `dpo`."})
    dataset: str = field(
        default="builtin",
        metadata={"help": "Data-stage source: a directory written by `python -m data build`, `builtin`, a "
                          "CSV/JSON/JSONL/Parquet file or directory, or a Hub dataset OWNER/NAME[@REVISION]. "
                          "Anything but a built directory is built into OUTPUT_DIR/data first."})
    family: str | None = field(
        default=None,
        metadata={"help": "Prompt format family (llama2, mistral, zephyr, deepseek-coder); defaults to the "
                          "built dataset's."})
    system_prompt: str = field(default="", metadata={"help": "System prompt for rows that have none."})
    split_seed: int = field(default=0, metadata={"help": "Seed for carving splits and DPO pairs when building."})
    test_size: float = field(default=0.1, metadata={"help": "Test share (<1) or count when building a source "
                                                            "without a test split."})
    validation_size: float = field(default=0.1, metadata={"help": "Validation share or count when building."})
    max_train_samples: int | None = field(default=None, metadata={"help": "Use only the first N training rows."})
    max_eval_samples: int | None = field(default=None,
                                         metadata={"help": "Use only the first N validation rows for eval loss."})
    sft_adapter: str | None = field(
        default=None,
        metadata={"help": "DPO only: an SFT run directory (or adapter) to start from; its adapter is trained "
                          "further, and a frozen copy of it is the reference. Without it, a new adapter is "
                          "trained and the base (adapter disabled) is the reference."})
    overwrite_output_dir: bool = field(
        default=False,
        metadata={"help": "Replace an existing run in output_dir, even one with a different config."})
    loss_implementation: str = field(
        default="trained_positions",
        metadata={"help": "`trained_positions`: the LM head, loss and per-step metrics only at positions whose next "
                          "token is trained (SFT: completion and EOS; DPO: both completions, policy and reference), "
                          "through the model's own forward. `trl`: TRL's own loss, whose chunked LM head scores "
                          "every position outside CUDA. Both train the same loss and gradients; settings that need "
                          "more (label smoothing, DFT, DPO loss types other than sigmoid, MoE auxiliary losses) "
                          "always use TRL's."})
    wandb_project: str = field(default="fctune", metadata={"help": "wandb project (with report_to: wandb)."})
    wandb_entity: str | None = field(default=None, metadata={"help": "wandb entity (team or user)."})
    wandb_group: str | None = field(default=None, metadata={"help": "wandb run group, e.g. a sweep name."})
    wandb_tags: list[str] = field(default_factory=list, metadata={"help": "wandb run tags."})


@dataclass
class EvalArguments:
    """Evaluation from a training config, with `python -m eval`'s code and settings."""

    eval_after_training: bool = field(
        default=True,
        metadata={"help": "After training, evaluate call accuracy and loss (eval/ stage) into OUTPUT_DIR/eval."})
    eval_data: str | None = field(
        default=None, metadata={"help": "Source for that evaluation (a built directory, any data-stage source, or "
                                        "bfcl:CATEGORY,...); default: the training data."})
    eval_split: str = field(default="test", metadata={"help": "Split of eval_data to evaluate."})
    eval_max_samples: int | None = field(
        default=200, metadata={"help": "Evaluate a seeded sample of this many rows, stratified by kind (None: all)."})
    eval_compare: bool = field(default=True, metadata={"help": "Evaluate the base too, side by side."})
    eval_batch_size: int = field(default=16, metadata={"help": "Rows per generation batch."})
    eval_max_new_tokens: int = field(default=256, metadata={"help": "Generation limit per row."})
    call_accuracy_samples: int = field(
        default=0, metadata={"help": "During training, at each evaluation, also log call accuracy on this many "
                                     "validation rows (0: off)."})


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
        for secret in SECRET_KEYS:
            out.pop(secret, None)
        return dict(sorted(out.items()))


SECRET_KEYS = ("hub_token",)  # never written to a run directory

# Settings that may change between a run and its resumption without making it another run.
RESUME_KEYS = {"resume_from_checkpoint", "overwrite_output_dir", "report_to", "run_name", "logging_steps",
               "disable_tqdm", "wandb_project", "wandb_entity", "wandb_group", "wandb_tags", "logging_dir",
               *(f.name for f in dataclasses.fields(EvalArguments))}


def differing_keys(old: dict, new: dict) -> list[str]:
    keys = (set(old) | set(new)) - RESUME_KEYS
    return sorted(k for k in keys if old.get(k) != new.get(k))


def parse_config(argv: list[str]) -> Config:
    """`CONFIG.yaml [--key value ...]` to a checked Config."""
    if not argv or argv[0].startswith("-"):
        raise ConfigError("usage: python -m train CONFIG.yaml [--key value ...]")
    path, overrides = argv[0], list(argv[1:])
    values = _read_yaml(path)
    method = _method(values, overrides)
    classes = (RunArguments, EvalArguments, SFTConfig if method == "sft" else DPOConfig, ModelConfig)
    parser = _Parser(classes)
    known = {a.dest for a in parser._actions}
    for key in values:
        if key not in known and key != "env":
            raise ConfigError(f"{path}: unknown key {key!r}{_suggest(key, known)}")
    for arg in overrides:
        key = arg[2:].split("=", 1)[0] if arg.startswith("--") else None
        if key is not None and key not in known:
            raise ConfigError(f"unknown option --{key}{_suggest(key, known)}")
    for key, value in values.items():
        # `resume_from_checkpoint: true` in YAML means "the last checkpoint" (train.run_dir reads it)
        if key != "env" and not (key == "resume_from_checkpoint" and isinstance(value, bool)):
            _check_type(path, key, value, _field_type(classes, key))
    try:
        run, evaluation, train, model = parser.parse_args_and_config(["--config", path, *overrides])
    except ConfigError:
        raise
    except ValueError as e:  # __post_init__ checks of the dataclasses (TRL's and transformers')
        raise ConfigError(f"{path}: {e}") from None
    config = Config(run, evaluation, train, model, path)
    check_config(config)
    return config


class _Parser(TrlParser):
    """TrlParser whose argparse errors raise ConfigError instead of printing usage and exiting."""

    def error(self, message):
        raise ConfigError(message.replace("argument ", "option ", 1))


def _read_yaml(path: str) -> dict:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigError(f"cannot read config {path}: {e.strerror}") from None
    try:
        values = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise ConfigError(f"{path}: not valid YAML: {error_summary(e)}") from None
    if not isinstance(values, dict):
        raise ConfigError(f"{path}: a config is a YAML mapping of key: value")
    return values


def _method(values: dict, overrides: list[str]) -> str:
    method = values.get("method", "sft")
    for i, arg in enumerate(overrides):
        if arg == "--method" and i + 1 < len(overrides):
            method = overrides[i + 1]
        elif arg.startswith("--method="):
            method = arg.split("=", 1)[1]
    if method not in METHODS:
        raise ConfigError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
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
    raise ConfigError(f"{path}: {key}: expected {_type_name(hint)}, got {type(value).__name__} {value!r}")


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


def check_config(config: Config) -> None:
    """Cross-field checks: each names the keys and says what to change."""
    run, train, model = config.run, config.train, config.model
    if not model.model_name_or_path:
        raise ConfigError("model_name_or_path is required: a Hub id, a local directory, or `embedded`")
    name = model.model_name_or_path
    if name != "embedded" and not Path(name).expanduser().exists() and (
            name.startswith(("/", ".", "~")) or name.count("/") != 1):
        raise ConfigError(f"model_name_or_path {name!r}: no such directory, and not a Hub id (OWNER/NAME)")
    if not model.use_peft:
        raise ConfigError("use_peft must be true: fctune trains LoRA adapters (set lora_r, lora_alpha, "
                          "lora_target_modules)")
    if (model.load_in_4bit or model.load_in_8bit) and importlib.util.find_spec("bitsandbytes") is None:
        raise ConfigError("load_in_4bit/load_in_8bit need bitsandbytes: pip install bitsandbytes")
    if model.load_in_4bit and uses_fsdp(train):
        storage = model.bnb_4bit_quant_storage
        if storage != model.dtype:
            raise ConfigError(f"FSDP with QLoRA needs bnb_4bit_quant_storage equal to dtype ({model.dtype!r}), "
                              f"got {storage!r}: FSDP can only shard the 4-bit weights stored in that dtype")
    if model.load_in_4bit and model.dtype not in ("bfloat16", "float16", "float32"):
        raise ConfigError(f"load_in_4bit needs dtype bfloat16, float16 or float32 (the compute dtype), "
                          f"got {model.dtype!r}")
    if run.sft_adapter and run.method != "dpo":
        raise ConfigError("sft_adapter is for method: dpo (to start DPO from an SFT run)")
    if run.family is not None:
        from data.render import FAMILIES

        if run.family not in FAMILIES:
            raise ConfigError(f"family must be one of {', '.join(FAMILIES)}, not {run.family!r}")
    for tracker in ("wandb", "tensorboard"):
        if tracker in (train.report_to or []) and importlib.util.find_spec(tracker) is None:
            raise ConfigError(f"report_to: {tracker} needs {tracker} installed: pip install {tracker}")
    if train.activation_checkpointing and (train.activation_checkpointing_kwargs or {}).get("use_reentrant", False):
        raise ConfigError("activation_checkpointing_kwargs.use_reentrant must be false: re-entrant checkpointing "
                          "recomputes frozen layers without gradients and breaks with LoRA under DDP")
    if train.max_length is None:
        raise ConfigError("max_length is required: rows longer than it are left out, and it bounds memory")
    if run.method == "dpo" and train.padding_free:
        raise ConfigError("padding_free is not available for DPO in TRL 1.16 (its DPOTrainer falls back to "
                          "padding): set padding_free: false")
    if run.loss_implementation not in LOSS_IMPLEMENTATIONS:
        raise ConfigError(f"loss_implementation must be one of {', '.join(LOSS_IMPLEMENTATIONS)}, "
                          f"not {run.loss_implementation!r}")
    if run.method == "sft" and train.packing and train.packing_strategy not in ("bfd", "bfd_split"):
        raise ConfigError(f"packing_strategy {train.packing_strategy!r} joins rows into one sequence that attends "
                          f"across them; use bfd (whole rows, kept apart by position ids)")
    if train.use_liger_kernel and importlib.util.find_spec("liger_kernel") is None:
        raise ConfigError("use_liger_kernel needs liger-kernel on a CUDA GPU: pip install liger-kernel")


def uses_fsdp(train) -> bool:
    """FSDP from the config or from `accelerate launch` (which says so in the environment)."""
    return bool(train.fsdp) or os.environ.get("ACCELERATE_USE_FSDP", "false").lower() == "true"


def uses_sharding(train) -> bool:
    """FSDP or DeepSpeed: the model is split over the processes, so no process can run it alone."""
    return uses_fsdp(train) or train.deepspeed is not None or \
        os.environ.get("ACCELERATE_USE_DEEPSPEED", "false").lower() == "true"
