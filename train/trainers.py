"""TRL's SFT and DPO trainers, with two additions: throughput and memory in every log
line, and DPO fed the data stage's tokenization instead of its own.

TRL's DPOTrainer tokenises prompt + answer as one string and cuts the prompt where the
two token sequences diverge, so the last prompt tokens it trains on are not those seen at
inference (see data/tokens.py). Here the dataset arrives as prompt_ids/chosen_ids/
rejected_ids, tokenised apart, and the trainer's own preparation is skipped.
"""

from __future__ import annotations

import resource
import sys
import time

import torch
from transformers import TrainerCallback
from trl import DPOTrainer, SFTTrainer


class ThroughputLogging:
    """Adds tokens per second (non-padding, summed over processes) and peak memory to the logs.

    Tokens are counted here, as a running tensor summed over processes only when a line is
    logged, rather than by the Trainer's `include_num_input_tokens_seen`, which gathers
    across processes at every step."""

    def training_step(self, model, inputs, num_items_in_batch=None):
        masks = [v for k, v in inputs.items() if k.endswith("attention_mask")]
        # Padding-free batches carry no mask: every token is real.
        count = sum(m.sum() for m in masks) if masks else inputs["input_ids"].numel()
        self._tokens_since_log = getattr(self, "_tokens_since_log", 0) + count
        if not hasattr(self, "_throughput_mark"):
            self._throughput_mark = time.perf_counter()
        return super().training_step(model, inputs, num_items_in_batch)

    def log(self, logs: dict[str, float], start_time: float | None = None) -> None:
        now = time.perf_counter()
        if "loss" in logs:  # training lines come on every process at once, so summing over them is safe here
            tokens = torch.as_tensor(getattr(self, "_tokens_since_log", 0), device=self.args.device)
            tokens = int(self.accelerator.reduce(tokens, reduction="sum"))
            last = getattr(self, "_throughput_mark", None)
            if last is not None and now > last and tokens:
                logs["tokens_per_second"] = round(tokens / (now - last), 1)
            self._throughput_mark, self._tokens_since_log = now, 0
        logs["memory_gb"] = round(peak_memory_gb(), 3)
        super().log(logs, start_time)


def peak_memory_gb() -> float:
    if torch.cuda.is_available():
        return torch.cuda.max_memory_allocated() / 2**30
    # ru_maxrss is in KiB on Linux, bytes on macOS
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (2**30 if sys.platform == "darwin" else 2**20)


class FctuneSFTTrainer(ThroughputLogging, SFTTrainer):
    pass


class FctuneDPOTrainer(ThroughputLogging, DPOTrainer):
    def _prepare_dataset(self, dataset, processing_class, args, dataset_name):
        missing = {"prompt_ids", "chosen_ids", "rejected_ids"} - set(dataset.column_names)
        if missing:
            raise ValueError(f"the {dataset_name} dataset lacks {sorted(missing)}: build it with train.data.dpo_dataset")
        return dataset


class ConfigToWandb(TrainerCallback):
    """wandb's Trainer integration logs TrainingArguments only; this adds fctune's and the model's settings."""

    def __init__(self, resolved: dict):
        self.resolved = resolved

    def on_train_begin(self, args, state, control, **kwargs):
        import wandb

        if state.is_world_process_zero and wandb.run is not None:
            wandb.config.update({"fctune": self.resolved}, allow_val_change=True)


OOM_ADVICE = ("out of memory. Turn these knobs, in this order: per_device_train_batch_size (halve it and double "
              "gradient_accumulation_steps to keep the effective batch), max_length (function-calling rows are "
              "short; check `python -m data show` for the token lengths), activation_checkpointing: true, "
              "load_in_4bit: true; for DPO also precompute_ref_log_probs: true.")
