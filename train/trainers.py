"""TRL's SFT and DPO trainers, with three additions: throughput and memory in every log
line, an SFT loss that projects the LM head only where the model is trained, and DPO fed
the data stage's tokenization instead of its own.

A function-calling row is mostly prompt (the function metadata) and a short trained answer.
TRL 1.16's SFT loss runs its chunked LM head over the trained positions on CUDA, but over
every position elsewhere (a CPU), then masks. Ours selects the positions whose next token is
trained (completion and EOS) before the LM head, through the model's own forward
(`logits_to_keep`, so DDP and FSDP wrappers still see the call), and computes the
cross-entropy, entropy and token accuracy there, normalised as TRL normalises.

TRL's DPOTrainer tokenises prompt + answer as one string and cuts the prompt where the
two token sequences diverge, so the last prompt tokens it trains on are not those seen at
inference (see data/tokens.py). Here the dataset arrives as prompt_ids/chosen_ids/
rejected_ids, tokenised apart, and the trainer's own preparation is skipped.
"""

from __future__ import annotations

import resource
import sys
import time

import inspect

import torch
import torch.nn.functional as F
from transformers import TrainerCallback
from trl import DPOTrainer, SFTTrainer

from train.config import SFT_LOSSES


class ThroughputLogging:
    """Adds tokens per second (non-padding, summed over processes) and peak memory to the logs."""

    def log(self, logs: dict[str, float], start_time: float | None = None) -> None:
        now, tokens = time.perf_counter(), self.state.num_input_tokens_seen
        last = getattr(self, "_throughput_mark", None)
        if last is not None and "loss" in logs and now > last[0] and tokens > last[1]:
            logs["tokens_per_second"] = round((tokens - last[1]) / (now - last[0]), 1)
        if "loss" in logs or last is None:
            self._throughput_mark = (now, tokens)
        logs["memory_gb"] = round(peak_memory_gb(), 3)
        super().log(logs, start_time)


def peak_memory_gb() -> float:
    if torch.cuda.is_available():
        return torch.cuda.max_memory_allocated() / 2**30
    # ru_maxrss is in KiB on Linux, bytes on macOS
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (2**30 if sys.platform == "darwin" else 2**20)


class FctuneSFTTrainer(ThroughputLogging, SFTTrainer):
    """SFTTrainer with `sft_loss`: `trained_positions` (ours) or `trl` (TRL's own compute_loss)."""

    def __init__(self, *args, sft_loss: str = "trained_positions", **kwargs):
        if sft_loss not in SFT_LOSSES:
            raise ValueError(f"sft_loss must be one of {', '.join(SFT_LOSSES)}, not {sft_loss!r}")
        super().__init__(*args, **kwargs)
        self.sft_loss = sft_loss if sft_loss == "trl" or self._trained_positions_apply() else "trl"

    def _trained_positions_apply(self) -> bool:
        """The settings whose loss is plain next-token cross-entropy on a model that takes `logits_to_keep`;
        the others (label smoothing, DFT, MoE auxiliary loss, sequence parallelism) keep TRL's loss."""
        base = self.model.get_base_model() if hasattr(self.model, "get_base_model") else self.model
        parallel = self.accelerator.parallelism_config
        return ("logits_to_keep" in inspect.signature(type(base).forward).parameters
                and self.compute_loss_func is None and self.label_smoother is None and self.args.loss_type == "nll"
                and not self.aux_loss_enabled and not (parallel is not None and (parallel.sp_enabled or parallel.cp_enabled)))

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        if self.sft_loss == "trl" or return_outputs or "shift_labels" in inputs:
            return super().compute_loss(model, inputs, return_outputs, num_items_in_batch)
        mode = "train" if self.model.training else "eval"
        labels = inputs["labels"]
        # Position p is kept when the token after it is trained: its logits predict that token.
        keep = torch.zeros_like(labels, dtype=torch.bool)
        keep[:, :-1] = labels[:, 1:] != -100
        targets = labels[:, 1:][keep[:, :-1]]
        model_inputs = {k: v for k, v in inputs.items() if k != "labels"}
        logits = model(**model_inputs, use_cache=False, logits_to_keep=keep).logits.float()  # (kept, vocab)
        loss = F.cross_entropy(logits, targets, reduction="sum")
        # As TRL: the trained tokens of every rank and accumulation step when the Trainer counted them, else these.
        loss = loss / torch.as_tensor(targets.numel() if num_items_in_batch is None else num_items_in_batch).clamp(min=1)
        if self.args.average_tokens_across_devices and num_items_in_batch is not None:
            loss = loss * (self.accelerator.num_processes // self.get_tp_size())

        with torch.no_grad():
            log_probs = logits.log_softmax(-1)
            entropy = -(log_probs.exp() * log_probs).sum(-1)
            # argmax takes the first maximum, as TRL's `is_top1` does
            counts = torch.stack([torch.tensor(targets.numel(), device=logits.device, dtype=torch.float32),
                                  entropy.sum(), (logits.argmax(-1) == targets).sum().float(),
                                  self._batch_tokens(inputs, logits.device)])
        valid, entropy_sum, correct, tokens = self.accelerator.gather_for_metrics(counts[None]).sum(0).tolist()
        self._metrics[mode]["entropy"].append(entropy_sum / valid if valid > 0 else 0.0)
        self._metrics[mode]["mean_token_accuracy"].append(correct / valid if valid > 0 else 0.0)
        if mode == "train":
            self._total_train_tokens += int(tokens) // self._tp_size
        self._metrics[mode]["num_tokens"] = [self._total_train_tokens]
        return loss

    @staticmethod
    def _batch_tokens(inputs, device) -> torch.Tensor:
        """Tokens in the batch as TRL counts them: the attention mask, or a padding-free row's length."""
        if "attention_mask" in inputs:
            return inputs["attention_mask"].sum().float()
        return torch.tensor(inputs["position_ids"].size(1), device=device, dtype=torch.float32)


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
              "short; check `python -m data show` for the token lengths), gradient_checkpointing: true, "
              "load_in_4bit: true; for DPO also precompute_ref_log_probs: true.")
