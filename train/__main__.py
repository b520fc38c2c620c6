"""Train a function-calling LoRA adapter: `python -m train CONFIG.yaml [--key value ...]`.

Also under accelerate: `accelerate launch [--config_file configs/accelerate/X.yaml] -m train CONFIG.yaml`.
Keys are those of fctune's RunArguments and EvalArguments (train/config.py), TRL's SFTConfig or
DPOConfig (per `method`) and TRL's ModelConfig; see docs/training.md. Running the same command
again resumes an interrupted run. FCTUNE_DEBUG=1 shows the traceback behind an error.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import sys
from contextlib import nullcontext
from functools import partial
from pathlib import Path

HELP = __doc__


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help"):
        print(HELP)
        return 0 if argv else 2
    from data.common import run_cli

    def body():
        from train.config import parse_config

        return train(parse_config(argv))

    return run_cli(body, "interrupted; run the same command again to resume from the last checkpoint")


def train(config, on_trainer=None) -> int:
    """The run `config` describes, start to end. `on_trainer` (for benchmarks) sees the trainer before it trains."""
    import torch
    from accelerate import PartialState
    from peft import PeftModel
    from trl import get_peft_config, get_quantization_config

    from data.attention import NAME as SHARED_PREFIX_ATTENTION
    from data.common import FctuneError, error_summary, exclusive, remove_partial_dirs
    from data.models import check_adapter_base, load_model, load_tokenizer, placement, resolve_model_path
    from train import run_dir
    from train.config import uses_sharding
    from train.data import dpo_dataset, prepare_data, sft_dataset
    from train.trainers import OOM_ADVICE, ConfigToWandb, FctuneDPOTrainer, FctuneSFTTrainer, resume_token_count

    run, args, model_args = config.run, config.train, config.model
    out, state, resolved = Path(args.output_dir), PartialState(), config.resolved()
    if run.max_train_minutes is not None and state.num_processes > 1:
        raise FctuneError("max_train_minutes needs one process: each would time its own steps")
    if run.sft_adapter:
        try:
            check_adapter_base(Path(run.sft_adapter), model_args.model_name_or_path)
        except FctuneError as e:
            raise FctuneError(f"sft_adapter: {e}; train the SFT run first") from None
    with exclusive(out, "a training run") if state.is_main_process else nullcontext():
        # 1. The run directory: a new run, a resumed one, a replaced one, or a refusal, decided before any write.
        if state.is_main_process:
            remove_partial_dirs(out / "data")  # left by a data build that was killed; the lock says it is dead
        decision = run_dir.resume_point(out, resolved, args.resume_from_checkpoint, run.overwrite_output_dir)
        resume = None if decision == run_dir.REPLACE else decision
        state.wait_for_everyone()
        replaced = run_dir.move_aside(out) if decision == run_dir.REPLACE and state.is_main_process else None
        state.wait_for_everyone()
        if resume:
            state.print(f"resuming from {resume}")
        try:
            # 2. Data: the build (made here once if the config names a source), tokenized as at inference.
            with state.local_main_process_first():
                built = prepare_data(run, out, may_build=state.is_local_main_process)
                resolve_model_path(model_args.model_name_or_path)  # the embedded model is converted once, here

            # 3. The tokenizer, with the family's v2 chat template and a pad token that is not EOS.
            tokenizer = load_tokenizer(
                model_args.model_name_or_path, built.family, args.trust_remote_code, model_args.model_revision
            )
            make = (
                partial(sft_dataset, shared_prefix_rows=run.shared_prefix_rows) if run.method == "sft" else dpo_dataset
            )
            with state.main_process_first():
                train_set = make(built, "train", tokenizer, args.max_length, run.max_train_samples)
                eval_set = make(built, "validation", tokenizer, args.max_length, run.max_eval_samples)
            if train_set is None:
                raise FctuneError(f"the dataset {built.path} has no training rows")
            if eval_set is None and args.eval_strategy != "no":
                raise FctuneError(
                    f"eval_strategy is {args.eval_strategy.value!r} but the dataset {built.path} has "
                    f"no validation rows{' (DPO pairs)' if run.method == 'dpo' else ''}: set "
                    f"eval_strategy: no, or rebuild it with a validation split"
                )

            # 4. The model: a new LoRA adapter, or (DPO) an SFT run's adapter trained further.
            attention = model_args.attn_implementation
            if run.shared_prefix_rows > 1 and attention is None:
                attention = SHARED_PREFIX_ATTENTION  # the one that reads the layout, even where flash-attn is installed
            model = load_model(
                model_args.model_name_or_path,
                model_args.dtype,
                get_quantization_config(model_args),
                attention,
                model_args.model_revision,
                args.trust_remote_code,
                device=state.device,
            )
            model.config.use_cache = False  # useless in training, and at odds with activation checkpointing
            peft_config = None
            if run.sft_adapter:
                model = PeftModel.from_pretrained(model, run.sft_adapter, is_trainable=True)
            else:
                peft_config = get_peft_config(model_args)
                if run.lora_last_layers:
                    blocks = model.config.num_hidden_layers
                    peft_config.layers_to_transform = list(range(max(blocks - run.lora_last_layers, 0), blocks))

            # 5. The trainer.
            if "wandb" in args.report_to:
                os.environ["WANDB_PROJECT"] = run.wandb_project
                for key, value in (
                    ("WANDB_ENTITY", run.wandb_entity),
                    ("WANDB_RUN_GROUP", run.wandb_group),
                    ("WANDB_TAGS", ",".join(run.wandb_tags)),
                ):
                    if value:
                        os.environ[key] = value
            trainer_args = args
            if run.method == "sft" and args.padding_free and not args.packing:
                # TRL refuses padding_free without packing while max_length is set, since it would not cut rows;
                # train.data has already left out every row over max_length, so TRL gets a copy without it.
                trainer_args = copy.copy(args)
                trainer_args.max_length = None
            Trainer = FctuneSFTTrainer if run.method == "sft" else FctuneDPOTrainer
            try:
                trainer = Trainer(
                    model=model,
                    args=trainer_args,
                    train_dataset=train_set,
                    eval_dataset=eval_set,
                    processing_class=tokenizer,
                    peft_config=peft_config,
                    callbacks=[ConfigToWandb(resolved)] if "wandb" in args.report_to else None,
                    loss_implementation=run.loss_implementation,
                )
            except ValueError as e:  # TRL or PEFT refusing a combination of settings
                raise FctuneError(f"cannot set up training: {error_summary(e)}") from None
            sharded = uses_sharding(args)
            if config.evaluation.call_accuracy_samples and eval_set is not None:
                if sharded:  # generation on one rank would wait forever for the other shards
                    state.print("note: call_accuracy_samples is ignored under FSDP/DeepSpeed")
                else:
                    from eval.callback import CallAccuracyCallback

                    trainer.add_callback(
                        CallAccuracyCallback.from_build(
                            built.path,
                            config.evaluation.call_accuracy_samples,
                            tokenizer,
                            trainer.log,
                            config.evaluation.eval_batch_size,
                            config.evaluation.eval_max_new_tokens,
                        )
                    )
        except BaseException:
            if replaced is not None:  # the new run never started: the old one comes back
                shutil.rmtree(out, ignore_errors=True)
                replaced.rename(out)
            raise
        if state.is_main_process:
            run_dir.write_config(out, resolved)
            quant = getattr(trainer.model.config, "quantization_config", None)
            run_dir.start_run(
                out,
                config.path,
                model_args.model_name_or_path,
                built.manifest,
                state.num_processes,
                quant.to_dict() if hasattr(quant, "to_dict") else quant,
                {**placement(trainer.model, trainer.args.device), "mixed_precision": args.mixed_precision},
            )
            if replaced is not None:
                shutil.rmtree(replaced)

        # 6. Train: max_steps, or as many steps as fit max_train_minutes (chosen once, kept on resuming).
        if run.max_train_minutes is not None:
            if resume:
                trainer.args.max_steps = json.loads((Path(resume) / "trainer_state.json").read_text())["max_steps"]
            else:
                fit_to_minutes(trainer, run.max_train_minutes, out)
        if resume:
            resume_token_count(trainer, resume)
        if on_trainer is not None:
            on_trainer(trainer)
        try:
            result = trainer.train(resume_from_checkpoint=resume)
        except torch.OutOfMemoryError:
            print(f"error: {OOM_ADVICE}", file=sys.stderr)
            return 3

        # 7. Save the adapter with the tokenizer (and its v2 chat template), and the last validation figures.
        if trainer.is_fsdp_enabled:  # a sharded state dict would save no adapter file
            trainer.accelerator.state.fsdp_plugin.set_state_dict_type("FULL_STATE_DICT")
        trainer.save_model(str(out))
        metrics = dict(result.metrics)
        last_eval = next((h for h in reversed(trainer.state.log_history) if "eval_loss" in h), None)
        if eval_set is not None and (last_eval is None or last_eval["step"] != trainer.state.global_step):
            last_eval = trainer.evaluate()
        metrics.update({k: v for k, v in (last_eval or {}).items() if k.startswith("eval_")})
        if not state.is_main_process:
            return 0
        tokenizer.save_pretrained(str(out))
        losses = [h["loss"] for h in trainer.state.log_history if "loss" in h]
        run_dir.update_run(
            out,
            status="trained",
            global_step=trainer.state.global_step,
            metrics=metrics,
            first_loss=losses[0] if losses else None,
            last_loss=losses[-1] if losses else None,
        )
        if losses:
            print(f"\ntrained {trainer.state.global_step} steps; training loss {losses[0]:.4f} -> {losses[-1]:.4f}")
        if "eval_loss" in metrics:
            print(f"validation loss {metrics['eval_loss']:.4f}")
        print(f"adapter, tokenizer (v2 chat template), fctune_config.yaml, run.json: {out}\ndata: {built.path}")

        # 8. Evaluate the adapter (and its base) with the config's eval_* settings.
        if config.evaluation.eval_after_training:
            from eval.run import evaluate_training_run

            report = evaluate_training_run(config, built, trainer.model, tokenizer, sharded)
            if report is not None:
                run_dir.update_run(
                    out, evaluation={m: r.get("calls", {}).get("accuracy") for m, r in report["models"].items()}
                )
        run_dir.update_run(out, status="finished")
    return 0


def fit_to_minutes(trainer, minutes: float, out: Path) -> None:
    """Lowers max_steps to the steps that fit `minutes` here (max_train_minutes), before the schedule is made."""
    from train import run_dir
    from train.trainers import step_seconds

    args = trainer.args
    seconds = step_seconds(trainer)
    args.max_steps = max(1, min(args.max_steps, int(minutes * 60 / seconds)))
    run_dir.update_run(out, max_steps=args.max_steps, step_seconds=seconds)
    print(f"max_train_minutes {minutes:g}: a step takes {seconds:.2f} s here, so {args.max_steps} steps")


if __name__ == "__main__":
    sys.exit(main())
