"""TRL's SFT and DPO trainers, with three additions: throughput and memory in every log
line, losses that project the LM head only where the model is trained, and DPO fed the data
stage's tokenization instead of its own.

A function-calling row is mostly prompt (the function metadata) and a short trained answer.
TRL 1.16 runs its chunked LM head over the trained positions on CUDA only; elsewhere (a CPU)
over every position, then masks. With `loss_implementation: trained_positions` (the default),
our trainers select the positions whose next token is trained (SFT: completion and EOS; DPO:
the chosen and rejected completions, for the policy and the reference) before the LM head,
through the model's own forward (`logits_to_keep`, so DDP and FSDP wrappers still see the
call), and compute the loss and TRL's per-step metrics there, normalised as TRL normalises.
Settings whose loss needs more than that keep TRL's (`loss_implementation: trl`).

TRL's DPOTrainer tokenises prompt + answer as one string and cuts the prompt where the
two token sequences diverge, so the last prompt tokens it trains on are not those seen at
inference (see data/tokens.py). Here the dataset arrives as prompt_ids/chosen_ids/
rejected_ids, tokenised apart, and the trainer's own preparation is skipped.
"""

from __future__ import annotations

import contextlib
import copy
import inspect
import itertools
import json
import resource
import statistics
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from peft.helpers import disable_input_dtype_casting
from transformers import TrainerCallback
from transformers.trainer_utils import PREFIX_CHECKPOINT_DIR
from trl import DPOTrainer, SFTTrainer
from trl.models.utils import disable_gradient_checkpointing
from trl.trainer.utils import use_adapter

from data.common import FctuneError, error_summary, write_atomic
from train.config import LOSS_IMPLEMENTATIONS


class ThroughputLogging:
    """Adds tokens per second (non-padding, summed over processes) and peak memory to the logs.

    Tokens are counted here, as a running tensor summed over processes only when a line is
    logged, rather than by the Trainer's `include_num_input_tokens_seen`, which gathers
    across processes at every step. Checkpoints keep TRL's running `num_tokens` (see
    `TokenCountInCheckpoints`)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_callback(TokenCountInCheckpoints(self))

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


def step_seconds(trainer, timed: int = 3) -> float:
    """What a training step costs here: the median time of the forward and backward passes of
    `timed` steps on the first batches, after one untimed step that pays one-off costs. The
    optimizer's update is not timed (for the embedded model's adapter about an eighth of a step
    comes on top). Leaves no trace: the gradients, the trainer's
    metrics and the random state (which orders the batches) are as they were."""
    model, accumulation = trainer.model, trainer.args.gradient_accumulation_steps
    saved = copy.deepcopy(trainer._metrics), trainer._total_train_tokens
    times = []
    with torch.random.fork_rng(devices=range(torch.cuda.device_count())):
        batches = itertools.cycle(trainer.get_train_dataloader())
        model.train()
        for step in range(timed + 1):
            inputs = [trainer._prepare_inputs(next(batches)) for _ in range(accumulation)]
            start = time.perf_counter()
            for batch in inputs:
                with trainer.accelerator.autocast():
                    loss = trainer.compute_loss(model, batch)
                loss.backward()
            if step:
                times.append(time.perf_counter() - start)
    model.zero_grad(set_to_none=True)
    trainer._metrics, trainer._total_train_tokens = saved
    return statistics.median(times)


def peak_memory_gb() -> float:
    if torch.cuda.is_available():
        return torch.cuda.max_memory_allocated() / 2**30
    # ru_maxrss is in KiB on Linux, bytes on macOS
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (2**30 if sys.platform == "darwin" else 2**20)


class TrainedPositions:
    """`loss_implementation` for both trainers: ours where `_ours_apply` holds, TRL's otherwise."""

    def __init__(self, *args, loss_implementation: str = "trained_positions", **kwargs):
        if loss_implementation not in LOSS_IMPLEMENTATIONS:
            raise ValueError(
                f"loss_implementation must be one of {', '.join(LOSS_IMPLEMENTATIONS)}, not {loss_implementation!r}"
            )
        self._requested_loss = loss_implementation  # read while TRL's __init__ runs (DPO's precomputed reference)
        super().__init__(*args, **kwargs)

    @property
    def loss_implementation(self) -> str:
        if not hasattr(self, "_loss_implementation"):
            base = self.model.get_base_model() if hasattr(self.model, "get_base_model") else self.model
            parallel = self.accelerator.parallelism_config
            takes_positions = "logits_to_keep" in inspect.signature(type(base).forward).parameters
            sequence_parallel = parallel is not None and (parallel.sp_enabled or parallel.cp_enabled)
            ours = self._requested_loss == "trained_positions" and takes_positions and not sequence_parallel
            self._loss_implementation = "trained_positions" if ours and self._ours_apply() else "trl"
        return self._loss_implementation

    def _ours_apply(self) -> bool:
        raise NotImplementedError

    def _gathered(self, *values) -> list[float]:
        """Scalars summed over processes, in one collective."""
        device = self.accelerator.device
        stacked = torch.stack([torch.as_tensor(v, device=device).float() for v in values])
        return self.accelerator.gather_for_metrics(stacked[None]).sum(0).tolist()

    def _trained_log_probs(self, model, inputs: dict, keep: torch.Tensor, targets: torch.Tensor):
        """Logits (kept positions, vocabulary) in float32 and the log-probability of each target.

        Under autocast, PEFT's cast of every LoRA layer's input to the adapter's float32 is
        undone by autocast at once (the LoRA matmuls run in bf16 either way); without the
        cast nothing changes but the copies and the float32 activations kept for backward."""
        with self.accelerator.autocast():  # as accelerate's wrapper of the model's forward does: only surer
            autocast = torch.is_autocast_enabled(self.accelerator.device.type)
            with disable_input_dtype_casting(self.model, active=autocast):
                logits = model(**inputs, use_cache=False, logits_to_keep=keep).logits.float()
        return logits, -F.cross_entropy(logits, targets, reduction="none")


def next_token_positions(trained: torch.Tensor) -> torch.Tensor:
    """Positions whose next token is trained: their logits predict it (`trained` is True where a token is)."""
    keep = torch.zeros_like(trained, dtype=torch.bool)
    keep[:, :-1] = trained[:, 1:]
    return keep


class FctuneSFTTrainer(ThroughputLogging, TrainedPositions, SFTTrainer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.data_collator = OwnPositions(self.data_collator)

    def _set_signature_columns_if_needed(self):
        super()._set_signature_columns_if_needed()
        if "position_ids" not in self._signature_columns:  # kept where rows laid out with shared prefixes bring it
            self._signature_columns = [*self._signature_columns, "position_ids"]

    def _ours_apply(self) -> bool:
        # plain next-token cross-entropy: not label smoothing, DFT, a custom loss or an MoE auxiliary loss
        return (
            self.compute_loss_func is None
            and self.label_smoother is None
            and self.args.loss_type == "nll"
            and not self.aux_loss_enabled
        )

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        if self.loss_implementation == "trl" or return_outputs or "shift_labels" in inputs:
            return super().compute_loss(model, inputs, return_outputs, num_items_in_batch)
        mode = "train" if self.model.training else "eval"
        labels = inputs["labels"]
        keep = next_token_positions(labels != -100)
        targets = labels[:, 1:][keep[:, :-1]]
        model_inputs = {k: v for k, v in inputs.items() if k != "labels"}
        logits, log_probs = self._trained_log_probs(model, model_inputs, keep, targets)
        # As TRL: over the trained tokens of every rank and accumulation step when the Trainer counted them.
        count = targets.numel() if num_items_in_batch is None else num_items_in_batch
        loss = -log_probs.sum() / torch.as_tensor(count).clamp(min=1)
        if self.args.average_tokens_across_devices and num_items_in_batch is not None:
            loss = loss * (self.accelerator.num_processes // self.get_tp_size())

        with torch.no_grad():
            # tokens as TRL counts them: the attention mask, or the length of a padding-free batch's one row
            tokens = inputs["attention_mask"].sum() if "attention_mask" in inputs else inputs["position_ids"].size(1)
            valid, entropy, correct, tokens = self._gathered(
                targets.numel(), entropy_of(logits).sum(), (logits.argmax(-1) == targets).sum(), tokens
            )
        self._metrics[mode]["entropy"].append(entropy / valid if valid > 0 else 0.0)
        self._metrics[mode]["mean_token_accuracy"].append(correct / valid if valid > 0 else 0.0)
        if mode == "train":
            self._total_train_tokens += int(tokens) // self._tp_size
        self._metrics[mode]["num_tokens"] = [self._total_train_tokens]
        return loss


class OwnPositions:
    """TRL's padding-free collator numbers each example's tokens from 0. An example laid out by
    train.data.shared_prefix_layout brings its own position ids (the layout sdpa_rows reads):
    this puts them in the batch instead, and drops the sequence boundaries TRL derived from its
    own numbering for varlen kernels, which cannot take the layout anyway."""

    VARLEN = ("cu_seq_lens_q", "cu_seq_lens_k", "max_length_q", "max_length_k", "seq_idx")

    def __init__(self, collate):
        self.collate = collate

    def __call__(self, examples: list[dict]) -> dict:
        batch = self.collate(examples)
        if "position_ids" in examples[0]:
            own = torch.tensor([p for e in examples for p in e["position_ids"]])
            batch["position_ids"][0, : own.numel()] = own
            for key in self.VARLEN:
                batch.pop(key, None)
        return batch


def entropy_of(logits: torch.Tensor) -> torch.Tensor:
    log_p = logits.log_softmax(-1)
    return -(log_p.exp() * log_p).sum(-1)


def completion_positions(inputs: dict):
    """A DPO batch (chosen rows, then rejected): kept positions, their targets, the row of each, the model inputs."""
    keep = next_token_positions(inputs["completion_mask"].bool())
    targets = inputs["input_ids"][:, 1:][keep[:, :-1]]
    model_inputs = {
        k: v for k, v in inputs.items() if k not in ("completion_mask", "ref_chosen_logps", "ref_rejected_logps")
    }
    return keep, targets, keep.nonzero()[:, 0], model_inputs


def per_sequence(log_probs: torch.Tensor, rows: torch.Tensor, sequences: int) -> torch.Tensor:
    return log_probs.new_zeros(sequences).index_add(0, rows, log_probs)


class FctuneDPOTrainer(ThroughputLogging, TrainedPositions, DPOTrainer):
    def _prepare_dataset(self, dataset, processing_class, args, dataset_name):
        missing = {"prompt_ids", "chosen_ids", "rejected_ids"} - set(dataset.column_names)
        if missing:
            raise ValueError(
                f"the {dataset_name} dataset lacks {sorted(missing)}: build it with train.data.dpo_dataset"
            )
        return dataset

    def _ours_apply(self) -> bool:
        # the sigmoid loss of standard DPO: the per-sequence sums of completion log-probabilities are all it needs
        return (
            list(self.loss_types) == ["sigmoid"]
            and self.f_divergence_type == "reverse_kl"
            and self.ld_alpha is None
            and not self.use_weighting
            and not self.aux_loss_enabled
            and not self._is_vision_dataset
        )

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        if self.loss_implementation == "trl" or return_outputs:
            return super().compute_loss(model, inputs, return_outputs, num_items_in_batch)
        mode = "train" if self.model.training else "eval"
        keep, targets, rows, model_inputs = completion_positions(inputs)
        logits, log_probs = self._trained_log_probs(model, model_inputs, keep, targets)
        chosen_logps, rejected_logps = per_sequence(log_probs, rows, len(keep)).chunk(2)
        if self.precompute_ref_logps:
            ref_chosen_logps, ref_rejected_logps = inputs["ref_chosen_logps"], inputs["ref_rejected_logps"]
        else:
            ref_chosen_logps, ref_rejected_logps = self._reference_log_probs(
                self.ref_model if self.ref_model is not None else self.model, inputs
            )
        chosen_logratios = chosen_logps - ref_chosen_logps
        rejected_logratios = rejected_logps - ref_rejected_logps
        loss = -F.logsigmoid(self.beta * (chosen_logratios - rejected_logratios)).mean() * self.loss_weights[0]

        with torch.no_grad():  # TRL's metrics, over the completion tokens
            chosen_token = rows < len(keep) // 2
            mean_logits = logits.mean(-1)
            entropy, tokens, batch_tokens, chosen_logits, chosen_tokens, rejected_logits, rejected_tokens, correct = (
                self._gathered(
                    entropy_of(logits).sum(),
                    len(targets),
                    inputs["attention_mask"].sum(),
                    mean_logits[chosen_token].sum(),
                    chosen_token.sum(),
                    mean_logits[~chosen_token].sum(),
                    (~chosen_token).sum(),
                    (logits.argmax(-1) == targets)[chosen_token].sum(),
                )
            )
            chosen_rewards = self.beta * chosen_logratios.detach()
            rejected_rewards = self.beta * rejected_logratios.detach()
            per_pair = self.accelerator.gather(
                torch.stack(
                    [
                        chosen_rewards,
                        rejected_rewards,
                        (chosen_rewards > rejected_rewards).float(),
                        chosen_rewards - rejected_rewards,
                        chosen_logps.detach(),
                        rejected_logps.detach(),
                    ],
                    dim=1,
                )
            ).mean(0)
        metrics = self._metrics[mode]
        metrics["entropy"].append(entropy / tokens if tokens > 0 else 0.0)
        if mode == "train":
            self._total_train_tokens += int(batch_tokens) // self._tp_size
        metrics["num_tokens"] = [self._total_train_tokens]
        metrics["logits/chosen"].append(chosen_logits / chosen_tokens if chosen_tokens > 0 else 0.0)
        metrics["logits/rejected"].append(rejected_logits / rejected_tokens if rejected_tokens > 0 else 0.0)
        metrics["mean_token_accuracy"].append(correct / chosen_tokens if chosen_tokens > 0 else 0.0)
        for name, value in zip(
            (
                "rewards/chosen",
                "rewards/rejected",
                "rewards/accuracies",
                "rewards/margins",
                "logps/chosen",
                "logps/rejected",
            ),
            per_pair.tolist(),
        ):
            metrics[name].append(value)
        return loss

    def compute_ref_log_probs(self, model, inputs):
        """Reference log-probabilities of one batch, also when TRL precomputes them for the whole dataset."""
        if self.loss_implementation == "trl":
            return super().compute_ref_log_probs(model, inputs)
        return self._reference_log_probs(model, inputs)

    def _reference_log_probs(self, model, inputs):
        keep, targets, rows, model_inputs = completion_positions(inputs)
        with (
            torch.no_grad(),
            disable_gradient_checkpointing(self.model, self.args.gradient_checkpointing_kwargs),
            self._reference(),
        ):
            log_probs = self._trained_log_probs(model, model_inputs, keep, targets)[1]
        return per_sequence(log_probs, rows, len(keep)).chunk(2)

    def _reference(self):
        """The reference: a separate model as it is, or this PEFT model with its adapter off (or its frozen `ref`)."""
        if self.ref_model is not None:
            return contextlib.nullcontext()
        unwrapped = self.accelerator.unwrap_model(self.model)
        return use_adapter(unwrapped, adapter_name="ref" if "ref" in unwrapped.peft_config else None)


class TokenCountInCheckpoints(TrainerCallback):
    """TRL counts the tokens trained (`num_tokens` in the logs) in the trainer alone, so a resumed
    run would count again from 0. Each checkpoint keeps the count in a file of its own, which
    `resume_token_count` reads back."""

    FILE = "num_tokens.json"

    def __init__(self, trainer):
        self.trainer = trainer

    def on_save(self, args, state, control, **kwargs):
        folder = Path(args.output_dir) / f"{PREFIX_CHECKPOINT_DIR}-{state.global_step}"
        if state.is_world_process_zero and folder.is_dir():
            # whole or absent, since a checkpoint counts as complete before this is written
            write_atomic(folder / self.FILE, json.dumps({"num_tokens": self.trainer._total_train_tokens}))


def resume_token_count(trainer, checkpoint: str) -> None:
    """The count a checkpoint kept; one saved before checkpoints kept it leaves the count at 0."""
    path = Path(checkpoint) / TokenCountInCheckpoints.FILE
    if not path.is_file():
        return
    try:
        count = json.loads(path.read_text(encoding="utf-8"))["num_tokens"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise FctuneError(f"{path}: not a token count ({error_summary(e)})") from None
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        raise FctuneError(f"{path}: num_tokens must be a whole number of tokens, got {count!r}")
    trainer._total_train_tokens = count


class ConfigToWandb(TrainerCallback):
    """wandb's Trainer integration logs TrainingArguments only; this adds fctune's and the model's settings."""

    def __init__(self, resolved: dict):
        self.resolved = resolved

    def on_train_begin(self, args, state, control, **kwargs):
        import wandb

        if state.is_world_process_zero and wandb.run is not None:
            wandb.config.update({"fctune": self.resolved}, allow_val_change=True)


OOM_ADVICE = (
    "out of memory. Turn these knobs, in this order: per_device_train_batch_size (halve it and double "
    "gradient_accumulation_steps to keep the effective batch), max_length (function-calling rows are "
    "short; check `python -m data show` for the token lengths), activation_checkpointing: true, "
    "load_in_4bit: true; for DPO also precompute_ref_log_probs: true."
)
