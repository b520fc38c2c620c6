"""Train a function-calling LoRA adapter: `python -m train CONFIG.yaml [--key value ...]`.

Also under accelerate: `accelerate launch [--config_file configs/accelerate/X.yaml] -m train CONFIG.yaml`.
Keys are those of fctune's RunArguments, TRL's SFTConfig or DPOConfig (per `method`) and
TRL's ModelConfig; see configs/README.md.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

HELP = __doc__


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help"):
        print(HELP)
        return 0 if argv else 2
    from data.files import run_command
    from eval.run import EvalError
    from train.config import ConfigError, parse_config
    from train.data import DataError
    from train.model import ModelError
    from train.run_dir import RunDirError

    return run_command(lambda: train(parse_config(argv)), (ConfigError, DataError, ModelError, RunDirError, EvalError),
                       "interrupted; run the same command again to resume from the last checkpoint")


def train(config) -> int:
    import torch
    from accelerate import PartialState

    from train import run_dir
    from train.config import ConfigError, uses_sharding
    from train.trainers import OOM_ADVICE

    run, args, model_args = config.run, config.train, config.model
    out = Path(args.output_dir)
    if run.sft_adapter and not (Path(run.sft_adapter) / "adapter_config.json").is_file():
        raise ConfigError(f"sft_adapter {run.sft_adapter}: no adapter there (no adapter_config.json); "
                          f"train the SFT run first")
    for name, path in (("dataset", run.dataset), ("sft_adapter", run.sft_adapter)):
        if run.overwrite_output_dir and path and Path(path).resolve().is_relative_to(out.resolve()):
            raise ConfigError(f"{name} {path} lies inside output_dir {out}, which overwrite_output_dir would replace")
    state = PartialState()
    resolved = config.resolved()
    sharded = uses_sharding(args)

    # 1. The output directory: a new run, a resumed one, a replaced one, or a refusal (decided before any write).
    decision = run_dir.resume_point(out, resolved, args.resume_from_checkpoint, run.overwrite_output_dir)
    resume = None if decision == run_dir.REPLACE else decision
    state.wait_for_everyone()
    replaced = run_dir.move_aside(out) if decision == run_dir.REPLACE and state.is_main_process else None
    state.wait_for_everyone()
    if resume:
        print(f"resuming from {resume}")
    try:
        trainer, built, tokenizer = set_up(config, state, out, resolved, sharded)
    except BaseException:
        if replaced is not None:  # the new run never started: the old one comes back
            shutil.rmtree(out, ignore_errors=True)
            replaced.rename(out)
        raise
    if state.is_main_process:
        run_dir.write_config(out, resolved)
        quant = getattr(trainer.model.config, "quantization_config", None)
        run_dir.start_run(out, config.path, model_args.model_name_or_path, built.manifest, state.num_processes,
                          quant.to_dict() if hasattr(quant, "to_dict") else quant)
        if replaced is not None:
            shutil.rmtree(replaced)

    # 5. Train, save the adapter with the tokenizer (and its v2 chat template), evaluate.
    try:
        result = trainer.train(resume_from_checkpoint=resume)
    except torch.OutOfMemoryError:
        print(f"error: {OOM_ADVICE}", file=sys.stderr)
        return 3
    if trainer.is_fsdp_enabled:  # a sharded state dict would save no adapter file
        trainer.accelerator.state.fsdp_plugin.set_state_dict_type("FULL_STATE_DICT")
    trainer.save_model(str(out))
    metrics = dict(result.metrics)
    last_eval = next((h for h in reversed(trainer.state.log_history) if "eval_loss" in h), None)
    if trainer.eval_dataset is not None and (last_eval is None or last_eval["step"] != trainer.state.global_step):
        last_eval = trainer.evaluate()
    metrics.update({k: v for k, v in (last_eval or {}).items() if k.startswith("eval_")})
    if not state.is_main_process:
        return 0
    tokenizer.save_pretrained(str(out))
    history = [h["loss"] for h in trainer.state.log_history if "loss" in h]
    run_dir.update_run(out, status="trained", global_step=trainer.state.global_step, metrics=metrics,
                       first_loss=history[0] if history else None, last_loss=history[-1] if history else None)
    _report(out, built.path, trainer.state.global_step, history, metrics)
    if config.evaluation.eval_after_training and sharded:
        print(f"evaluate with: python -m eval --model {model_args.model_name_or_path} --adapter {out} "
              f"--data {config.evaluation.eval_data or built.path} --compare (not run in this sharded job)")
    elif config.evaluation.eval_after_training:
        report = evaluate_after_training(config, built, trainer.model, tokenizer, out)
        print(f"evaluation: {out / 'eval' / 'report.md'}")
        run_dir.update_run(out, evaluation={m: r.get("calls", {}).get("accuracy") for m, r in report["models"].items()})
    run_dir.update_run(out, status="finished")
    return 0


def set_up(config, state, out: Path, resolved: dict, sharded: bool):
    """Data, tokenizer, model and trainer; nothing of the run directory is written but the data build."""
    from peft import LoraConfig, PeftModel

    from data.schema import error_summary
    from train.config import ConfigError
    from train.data import DataError, dpo_dataset, prepare_data, sft_dataset
    from train.model import load_model, load_tokenizer, resolve_model_path
    from train.trainers import ConfigToWandb, FctuneDPOTrainer, FctuneSFTTrainer

    run, args, model_args = config.run, config.train, config.model

    # 2. Data: the build (made here if the config names a source), tokenized as at inference.
    with state.local_main_process_first():
        built = prepare_data(run, out, may_build=state.is_local_main_process)
        resolve_model_path(model_args.model_name_or_path)  # the embedded model is converted once, here
    tokenizer = load_tokenizer(model_args.model_name_or_path, built.family, args.trust_remote_code,
                               model_args.model_revision)
    make = sft_dataset if run.method == "sft" else dpo_dataset
    with state.main_process_first():
        train_set = make(built, "train", tokenizer, args.max_length, run.max_train_samples)
        eval_set = make(built, "validation", tokenizer, args.max_length, run.max_eval_samples)
    if train_set is None:
        raise DataError(f"the dataset {built.path} has no training rows")
    if eval_set is None and args.eval_strategy != "no":
        raise DataError(f"eval_strategy is {args.eval_strategy.value!r} but the dataset {built.path} has no "
                        f"validation rows{' (DPO pairs)' if run.method == 'dpo' else ''}: set eval_strategy: no, "
                        f"or rebuild it with a validation split")

    # 3. The model and its adapter: a new LoRA adapter, or (DPO) an SFT run's adapter trained further.
    model = load_model(model_args, args.trust_remote_code)
    peft_config = None
    try:
        if run.sft_adapter:
            model = PeftModel.from_pretrained(model, run.sft_adapter, is_trainable=True)
        else:
            peft_config = LoraConfig(
                task_type="CAUSAL_LM", r=model_args.lora_r, lora_alpha=model_args.lora_alpha,
                lora_dropout=model_args.lora_dropout, target_modules=model_args.lora_target_modules or "all-linear",
                modules_to_save=model_args.lora_modules_to_save, use_rslora=model_args.use_rslora,
                use_dora=model_args.use_dora, bias="none")

        # 4. Settings fctune always wants, then the trainer.
        if args.activation_checkpointing and not args.activation_checkpointing_kwargs:
            # transformers reads the new name, TRL the old one
            args.activation_checkpointing_kwargs = args.gradient_checkpointing_kwargs = {"use_reentrant": False}
        args.include_num_input_tokens_seen = "non_padding"
        args.run_name = args.run_name or out.name
        if "wandb" in args.report_to:
            os.environ["WANDB_PROJECT"] = run.wandb_project
            for key, value in (("WANDB_ENTITY", run.wandb_entity), ("WANDB_RUN_GROUP", run.wandb_group),
                               ("WANDB_TAGS", ",".join(run.wandb_tags))):
                if value:
                    os.environ[key] = value
        Trainer = FctuneSFTTrainer if run.method == "sft" else FctuneDPOTrainer
        # TRL refuses padding_free without packing while max_length is set, since it would not cut rows;
        # train.data has already left out every row over max_length, so there is nothing to cut.
        max_length = args.max_length
        if run.method == "sft" and args.padding_free and not args.packing:
            args.max_length = None
        try:
            trainer = Trainer(model=model, args=args, train_dataset=train_set, eval_dataset=eval_set,
                              processing_class=tokenizer, peft_config=peft_config,
                              callbacks=[ConfigToWandb(resolved)] if "wandb" in args.report_to else None,
                              loss_implementation=run.loss_implementation)
        finally:
            args.max_length = max_length
    except (ValueError, RuntimeError) as e:  # TRL/PEFT refusing a setting, an adapter for another base
        raise ConfigError(f"cannot set up training: {error_summary(e)}") from None
    if config.evaluation.call_accuracy_samples and eval_set is not None:
        if sharded:  # generation on one rank would wait forever for the other shards
            print("note: call_accuracy_samples is ignored under FSDP/DeepSpeed")
        else:
            trainer.add_callback(call_accuracy_callback(config, built, tokenizer, trainer.log))
    return trainer, built, tokenizer


def _report(out: Path, data: Path, steps: int, losses: list[float], metrics: dict) -> None:
    print(f"\ntrained {steps} steps; training loss {losses[0]:.4f} -> {losses[-1]:.4f}" if losses else "")
    if "eval_loss" in metrics:
        print(f"validation loss {metrics['eval_loss']:.4f}")
    print(f"adapter, tokenizer (v2 chat template), fctune_config.yaml, run.json: {out}")
    print(f"data: {data}")


def call_accuracy_callback(config, built, tokenizer, log):
    from data.sources import load_source
    from eval.callback import CallAccuracyCallback
    from eval.run import stratified_sample

    examples = load_source(str(built.path)).splits["validation"]
    keep = stratified_sample([ex.kind for ex in examples], config.evaluation.call_accuracy_samples, 0)
    return CallAccuracyCallback([examples[i] for i in keep], tokenizer, built.family, built.system, log,
                                config.evaluation.eval_batch_size, config.evaluation.eval_max_new_tokens)


def evaluate_after_training(config, built, model, tokenizer, out: Path) -> dict:
    """The eval stage on the trained adapter (and its base), with the config's settings."""
    from eval.run import Settings, adapter_fingerprint, evaluate, load_examples

    ev = config.evaluation
    data = ev.eval_data or str(built.path)
    examples, _ = load_examples(data, ev.eval_split, ev.eval_max_samples, 0)
    settings = Settings(model=config.model.model_name_or_path, adapter=str(out), data=data, split=ev.eval_split,
                        family=built.family, system_prompt=built.system, max_samples=ev.eval_max_samples,
                        max_new_tokens=ev.eval_max_new_tokens, max_length=config.train.max_length,
                        dtype=config.model.dtype or "auto",
                        models=["base", "adapter"] if ev.eval_compare else ["adapter"],
                        adapter_sha256=adapter_fingerprint(str(out)))
    model.eval()
    model.config.use_cache = True
    report = evaluate(model, tokenizer, examples, settings, out / "eval", ev.eval_batch_size, overwrite=True)
    print((out / "eval" / "report.md").read_text())
    return report


if __name__ == "__main__":
    sys.exit(main())
