"""The two sides of the training-speed benchmark, one per process, on the same rows.

baseline: the QLoRA recipe as the TRL and PEFT docs show it: NF4 with double quantisation
    and bf16 compute, `prepare_model_for_kbit_training`, LoRA r=16 on all linear layers, TRL's
    SFTTrainer (or DPOTrainer) with its defaults: padding to the longest row, no packing.
    Only the batch size, accumulation, learning rate, max length, seed and (DPO) beta come
    from the shipped config, so both sides see the same rows per optimiser step. SFT rows
    are the same token ids on both sides; DPO pairs go to the baseline as text, which TRL
    tokenises itself (prompt and answer joined), as its docs show.
ours: fctune's train stage (`train.__main__.train`, as `python -m train` runs it) on the shipped
    config, plus overrides.

Each side trains `steps` optimiser steps; the first `warmup` are left out of the figures.
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

import torch
from transformers import TrainerCallback


class StepTimer(TrainerCallback):
    """Wall time at the start of training and at the end of every optimiser step (GPU work included)."""

    def __init__(self):
        self.marks: list[float] = []

    def _mark(self):
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        self.marks.append(time.perf_counter())

    def on_train_begin(self, args, state, control, **kwargs):
        self._mark()

    def on_step_end(self, args, state, control, **kwargs):
        self._mark()


class CountingCollator:
    """Wraps a trainer's collator and records, per batch, the rows and their real lengths, before padding."""

    def __init__(self, inner, method: str):
        self.inner, self.method, self.batches = inner, method, []

    def __call__(self, examples):
        self.batches.append(batch_counts(examples, self.method))
        return self.inner(examples)


def batch_counts(examples: list[dict], method: str) -> dict:
    """Rows, non-padding tokens, loss tokens and per-sequence lengths (for attention FLOPs) of one batch."""
    if method == "dpo":
        seqs, loss_tokens = [], 0
        for e in examples:
            p, c, r = len(e["prompt_ids"]), len(e["chosen_ids"]), len(e["rejected_ids"])
            seqs += [p + c, p + r]
            loss_tokens += c + r
        return {"rows": len(examples), "tokens": sum(seqs), "loss_tokens": loss_tokens, "lengths": seqs}
    seqs = [n for e in examples for n in (e.get("seq_lengths") or [len(e["input_ids"])])]
    loss_tokens = sum(sum(1 for t in e["labels"] if t != -100) for e in examples)
    return {"rows": len(seqs), "tokens": sum(seqs), "loss_tokens": loss_tokens, "lengths": seqs}


def model_flops(counts: dict, config, lora_parameters: int, method: str) -> float:
    """Model FLOPs of one batch: 4 per frozen matmul weight per token (forward, and backward to the
    inputs only), 6 per LoRA weight per token, and causal attention (2*L*d*len^2 forward, twice
    that backward). The LM head counts only at loss positions, the only ones the loss needs
    (and ours computes). DPO adds the reference forward (adapter off).
    Recomputation under activation checkpointing is not counted."""
    from bench.random_model import matmul_parameters

    head = config.hidden_size * config.vocab_size
    body, layers, d = matmul_parameters(config) - head, config.num_hidden_layers, config.hidden_size
    matmul = counts["tokens"] * body + counts["loss_tokens"] * head  # frozen weights times the tokens they see
    attention = layers * d * sum(length * length for length in counts["lengths"])
    train = 4 * matmul + 6 * lora_parameters * counts["tokens"] + 6 * attention
    return train + (2 * matmul + 2 * attention if method == "dpo" else 0)


def baseline_trainer(method: str, model_dir: Path, train_set, shipped, out: Path):
    from peft import LoraConfig, prepare_model_for_kbit_training
    from transformers import AutoModelForCausalLM, AutoTokenizer, BitsAndBytesConfig
    from trl import DPOConfig, DPOTrainer, SFTConfig, SFTTrainer

    device = "cuda" if torch.cuda.is_available() else "cpu"
    quant = BitsAndBytesConfig(
        load_in_4bit=True,
        bnb_4bit_quant_type="nf4",
        bnb_4bit_use_double_quant=True,
        bnb_4bit_compute_dtype=torch.bfloat16,
    )
    model = AutoModelForCausalLM.from_pretrained(
        str(model_dir), quantization_config=quant, dtype=torch.bfloat16, device_map={"": device}
    )
    model = prepare_model_for_kbit_training(model)
    peft_config = LoraConfig(r=16, lora_alpha=32, lora_dropout=0.05, target_modules="all-linear", task_type="CAUSAL_LM")
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    common = dict(
        output_dir=str(out),
        per_device_train_batch_size=shipped.per_device_train_batch_size,
        gradient_accumulation_steps=shipped.gradient_accumulation_steps,
        learning_rate=shipped.learning_rate,
        max_length=shipped.max_length,
        bf16=True,
        use_cpu=device == "cpu",
        max_steps=shipped.max_steps,
        logging_steps=1,
        save_strategy="no",
        report_to="none",
        seed=shipped.seed,
    )
    if method == "sft":
        return SFTTrainer(
            model=model,
            args=SFTConfig(**common),
            train_dataset=train_set,
            processing_class=tokenizer,
            peft_config=peft_config,
        )
    return DPOTrainer(
        model=model,
        args=DPOConfig(beta=shipped.beta, **common),
        train_dataset=train_set,
        processing_class=tokenizer,
        peft_config=peft_config,
    )


def settings_of(trainer, method: str) -> dict:
    args, model = trainer.args, trainer.model
    frozen_fp32 = sum(p.numel() for p in model.parameters() if not p.requires_grad and p.dtype == torch.float32)
    trainable = [p for p in model.parameters() if p.requires_grad]
    return {
        "trainer": type(trainer).__name__,
        "per_device_train_batch_size": args.per_device_train_batch_size,
        "gradient_accumulation_steps": args.gradient_accumulation_steps,
        "padding_free": bool(getattr(trainer, "padding_free", False)),
        "packing": bool(getattr(args, "packing", False)) and method == "sft",
        "activation_checkpointing": bool(getattr(model, "is_activation_checkpointing", False)),
        "checkpointing_kwargs": args.gradient_checkpointing_kwargs,
        "optim": str(getattr(args.optim, "value", args.optim)),
        "bf16": args.bf16,
        "use_liger_kernel": args.use_liger_kernel,
        "torch_compile": args.torch_compile,
        "attn_implementation": model.config._attn_implementation,
        "frozen_float32_parameters": frozen_fp32,
        "trainable_parameters": sum(p.numel() for p in trainable),
        "trainable_dtype": str(trainable[0].dtype) if trainable else None,
        "lora_dropout": next(iter(model.peft_config.values())).lora_dropout if hasattr(model, "peft_config") else None,
    }


def instrument(trainer, method: str):
    """Counters on a trainer about to train: its batches, its steps' wall times, its batches per step."""
    counter = CountingCollator(trainer.data_collator, method)
    trainer.data_collator = counter
    timer = StepTimer()
    trainer.add_callback(timer)
    # Batches per optimiser step as the Trainer takes them (the last step of an epoch may take fewer).
    batches_per_step, take = [], trainer.get_batch_samples

    def counted_take(*args, **kwargs):
        samples, items = take(*args, **kwargs)
        if samples:
            batches_per_step.append(len(samples))
        return samples, items

    trainer.get_batch_samples = counted_take
    if torch.cuda.is_available():
        torch.cuda.reset_peak_memory_stats()
    return counter, timer, batches_per_step


def figures(trainer, method: str, warmup: int, config, counter, timer, batches_per_step) -> dict:
    """The figures of a trained, instrumented trainer over the steps after `warmup`."""
    steps = trainer.state.global_step
    if steps <= warmup:
        raise RuntimeError(f"trained {steps} steps, no more than the {warmup} warm-up steps")
    if len(counter.batches) < sum(batches_per_step):  # collated in dataloader workers, out of our sight
        raise RuntimeError("the benchmark counts tokens in this process: run it with dataloader_num_workers=0")
    first = sum(batches_per_step[:warmup])
    durations = [b - a for a, b in zip(timer.marks, timer.marks[1:])][warmup:steps]
    batches = counter.batches[first : first + sum(batches_per_step[warmup:steps])]
    seconds = sum(durations)
    totals = {k: sum(b[k] for b in batches) for k in ("rows", "tokens", "loss_tokens")}
    lora = sum(p.numel() for p in trainer.model.parameters() if p.requires_grad)
    flops = sum(model_flops(b, config, lora, method) for b in batches)
    from train.trainers import peak_memory_gb

    return {
        "settings": settings_of(trainer, method),
        "steps": steps,
        "warmup_steps": warmup,
        "measured_steps": len(durations),
        "step_seconds": durations,
        "median_step_seconds": statistics.median(durations),
        "steps_per_second": len(durations) / seconds,
        "rows_per_second": totals["rows"] / seconds,
        "tokens_per_second": totals["tokens"] / seconds,
        "loss_tokens_per_second": totals["loss_tokens"] / seconds,
        "rows_per_step": totals["rows"] / len(durations),
        "tokens_per_step": totals["tokens"] / len(durations),
        "model_tflops_per_second": flops / seconds / 1e12,
        "peak_memory_gb": peak_memory_gb(),
        "peak_reserved_gb": torch.cuda.max_memory_reserved() / 2**30 if torch.cuda.is_available() else None,
        "losses": [h["loss"] for h in trainer.state.log_history if "loss" in h],
    }


def run_side(
    side: str,
    method: str,
    model_dir: Path,
    config_argv: list[str],
    baseline_argv: list[str],
    warmup: int,
    out: Path,
    result: Path,
) -> None:
    """One side, in this process; its figures go to `result` as JSON."""
    from data.models import load_tokenizer
    from train.config import parse_config
    from train.data import prepare_data, sft_dataset

    started = time.perf_counter()
    torch.manual_seed(0)
    model_config = model_config_of(model_dir)
    if side == "ours":
        from train.__main__ import train

        seen = {}

        def on_trainer(trainer):
            seen["trainer"], seen["counters"] = trainer, instrument(trainer, method)
            seen["loaded"] = time.perf_counter() - started

        train(parse_config(config_argv), on_trainer=on_trainer)
        trainer, counters, loaded = seen["trainer"], seen["counters"], seen["loaded"]
    else:
        shipped = parse_config(baseline_argv)
        built = prepare_data(shipped.run, out)
        tokenizer = load_tokenizer(str(model_dir), built.family)
        if method == "sft":
            train_set = sft_dataset(built, "train", tokenizer, shipped.train.max_length)
        else:
            from datasets import Dataset

            rows = built.rows("dpo/train.jsonl")
            train_set = Dataset.from_dict({k: [r[k] for r in rows] for k in ("prompt", "chosen", "rejected")})
        trainer = baseline_trainer(method, model_dir, train_set, shipped.train, out)
        loaded = time.perf_counter() - started
        counters = instrument(trainer, method)
        trainer.train()
    result_figures = figures(trainer, method, warmup, model_config, *counters)
    result_figures["setup_seconds"] = loaded
    result.write_text(json.dumps({"side": side, **result_figures}, indent=1))


def model_config_of(model_dir: Path):
    from transformers import AutoConfig

    return AutoConfig.from_pretrained(str(model_dir))
