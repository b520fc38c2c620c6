"""How an evaluation runs: one dataclass, read by `python -m eval`'s flags and by a training
config's `eval_*` keys.

`python -m eval` takes every field as a flag (`max_samples` is `--max-samples`); a training
config takes the fields in TRAINING_KEYS with an `eval_` prefix (`eval_max_samples`), its
model, family and lengths coming from the training itself.
"""

from __future__ import annotations

import argparse
import dataclasses
from dataclasses import dataclass, field

from data.common import FctuneError

DTYPES = ("auto", "bfloat16", "float16", "float32")
# The fields that decide what an evaluation computes: a resumed evaluation must match them.
IDENTITY = (
    "model",
    "adapter",
    "data",
    "split",
    "family",
    "system_prompt",
    "max_samples",
    "seed",
    "max_new_tokens",
    "max_length",
    "dtype",
)


@dataclass
class EvalSettings:
    model: str | None = field(
        default=None, metadata={"help": "Base model: a Hub id, a local directory, or `embedded`."}
    )
    adapter: str | None = field(
        default=None, metadata={"help": "A training run directory (or any PEFT adapter directory)."}
    )
    data: str | None = field(
        default=None, metadata={"help": "A built data directory, any data-stage source, or bfcl:CATEGORY,..."}
    )
    split: str = field(
        default="test", metadata={"help": "Split of the data to evaluate.", "choices": ("train", "validation", "test")}
    )
    family: str | None = field(
        default=None,
        metadata={"help": "Prompt format; default: the adapter's (from its chat template), else the data's."},
    )
    system_prompt: str | None = field(
        default=None, metadata={"help": "System prompt for rows without one (default: the data's)."}
    )
    max_samples: int | None = field(
        default=None,
        metadata={"help": "Evaluate a seeded sample of this many rows, stratified by kind (call, no call, ask)."},
    )
    seed: int = field(default=0, metadata={"help": "Seed of that sample."})
    compare: bool = field(default=False, metadata={"help": "Evaluate the base and the adapter, side by side."})
    batch_size: int = field(default=16, metadata={"help": "Rows per generation batch."})
    max_new_tokens: int = field(default=256, metadata={"help": "Generation limit per row."})
    max_length: int = field(default=2048, metadata={"help": "Rows are cut to this for the loss, as in training."})
    dtype: str = field(
        default="auto",
        metadata={
            "help": "Model weights dtype. auto: bfloat16 where it is native (a GPU with bf16, a CPU with AVX-512 "
            "or Arm BF16), else float32 (emulated bf16 generates many times slower).",
            "choices": DTYPES,
        },
    )
    out: str | None = field(
        default=None, metadata={"help": "Output directory (default: ADAPTER/eval-DATA, or runs/eval/DATA)."}
    )
    overwrite: bool = field(default=False, metadata={"help": "Replace an evaluation with other settings in --out."})
    report_to: str = field(
        default="none",
        metadata={"help": "Also log the figures and a predictions table to wandb.", "choices": ("none", "wandb")},
    )

    def check(self) -> None:
        """Refuses settings that cannot mean anything, each in one line naming the key."""
        for key, low in (("max_samples", 1), ("batch_size", 1), ("max_new_tokens", 1), ("max_length", 1)):
            value = getattr(self, key)
            if value is not None and value < low:
                raise FctuneError(f"{key} must be at least {low}, got {value}")
        if self.compare and not self.adapter:
            raise FctuneError("compare needs an adapter")
        if self.data is not None and self.data.startswith("bfcl:"):
            from data.bfcl import source_categories

            source_categories(self.data)

    def models(self) -> list[str]:
        return ["base", "adapter"] if self.compare else ["adapter"] if self.adapter else ["base"]


# Keys a training config carries (as eval_KEY) and their defaults there.
TRAINING_KEYS = {
    "data": None,
    "split": "test",
    "max_samples": 200,
    "compare": True,
    "batch_size": 16,
    "max_new_tokens": 256,
}


def training_arguments() -> type:
    """The `eval_*` section of a training config, made from EvalSettings so nothing is declared twice."""
    fields = {f.name: f for f in dataclasses.fields(EvalSettings)}
    made = []
    for key, default in TRAINING_KEYS.items():
        f = fields[key]
        help_text = f.metadata["help"] + ("" if key != "data" else " Default: the training data.")
        made.append((f"eval_{key}", f.type, field(default=default, metadata={**f.metadata, "help": help_text})))
    made.append(
        (
            "eval_after_training",
            "bool",
            field(
                default=True, metadata={"help": "After training, evaluate call accuracy and loss into OUTPUT_DIR/eval."}
            ),
        )
    )
    made.append(
        (
            "call_accuracy_samples",
            "int",
            field(
                default=0,
                metadata={
                    "help": "During training, at each evaluation, also log call accuracy on this many validation rows "
                    "(0: off)."
                },
            ),
        )
    )
    cls = dataclasses.make_dataclass("EvalArguments", made)
    cls.__module__ = __name__  # where its type names resolve
    cls.__doc__ = "Evaluation after and during training (eval/settings.py): the eval_* keys of a training config."
    return cls


def from_training(section, **rest) -> EvalSettings:
    """EvalSettings from a training config's eval_* section plus what the training fixes (model, family, ...)."""
    return EvalSettings(**{key: getattr(section, f"eval_{key}") for key in TRAINING_KEYS}, **rest)


def add_flags(parser: argparse.ArgumentParser) -> None:
    for f in dataclasses.fields(EvalSettings):
        flag = "--" + f.name.replace("_", "-")
        kwargs = {"help": f.metadata["help"], "default": f.default}
        if "bool" in str(f.type):
            parser.add_argument(flag, action="store_true", **kwargs)
            continue
        if "choices" in f.metadata:
            kwargs["choices"] = f.metadata["choices"]
        kwargs["type"] = int if "int" in str(f.type) else str
        parser.add_argument(flag, required=f.name in ("model", "data"), **kwargs)


def from_flags(args: argparse.Namespace) -> EvalSettings:
    return EvalSettings(**{f.name: getattr(args, f.name) for f in dataclasses.fields(EvalSettings)})
