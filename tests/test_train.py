"""The train stage end to end on tiny models: real TRL trainers, PEFT adapters, bitsandbytes
4-bit on CPU, `accelerate launch` (one and two processes), wandb offline files, resume
after kill -9, and merging."""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
import yaml

from data.render import chat_template

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow  # every test here trains, generates or starts a process
ACCELERATE = str(Path(sys.executable).parent / "accelerate")


def write_config(path: Path, **values) -> Path:
    path.write_text(yaml.safe_dump(values))
    return path


def base_config(model, data, out, **changes) -> dict:
    config = dict(
        method="sft",
        dataset=str(data),
        family="llama2",
        test_size=2,
        validation_size=2,
        model_name_or_path=str(model),
        dtype="float32",
        use_peft=True,
        lora_r=8,
        lora_alpha=16,
        lora_dropout=0.0,
        output_dir=str(out),
        use_cpu=True,
        bf16=False,
        activation_checkpointing=False,
        max_length=512,
        per_device_train_batch_size=4,
        learning_rate=5e-3,
        max_steps=12,
        logging_steps=1,
        save_steps=4,
        eval_strategy="no",
        report_to="none",
        seed=0,
        disable_tqdm=True,
    )
    config.update(changes)
    return config


def run(cmd, env=None, timeout=600) -> subprocess.CompletedProcess:
    env = {**os.environ, "TOKENIZERS_PARALLELISM": "false", **(env or {})}
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env, timeout=timeout)


def launch(config: Path, *overrides, processes: int = 1, env=None) -> subprocess.CompletedProcess:
    flags = ["--multi_gpu"] if processes > 1 else []
    return run(
        [
            ACCELERATE,
            "launch",
            *flags,
            "--num_processes",
            str(processes),
            "--num_machines",
            "1",
            "--mixed_precision",
            "no",
            "--dynamo_backend",
            "no",
            "-m",
            "train",
            str(config),
            *overrides,
        ],
        env,
    )


def losses(out: Path) -> list[float]:
    state = json.loads(
        max(out.glob("checkpoint-*/trainer_state.json"), key=lambda p: int(p.parent.name[11:])).read_text()
    )
    return [h["loss"] for h in state["log_history"] if "loss" in h]


def ok(result: subprocess.CompletedProcess) -> None:
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]


@pytest.fixture(scope="module")
def sft_run(tmp_path_factory, tiny_llama, call_rows):
    """QLoRA SFT of the tiny Llama through `accelerate launch`, on a small fixed set."""
    d = tmp_path_factory.mktemp("sft")
    config = write_config(
        d / "sft.yaml",
        **base_config(
            tiny_llama,
            call_rows,
            d / "run",
            load_in_4bit=True,
            use_bnb_nested_quant=True,
            learning_rate=3e-2,
            max_steps=16,
            eval_strategy="steps",
            eval_steps=8,
            call_accuracy_samples=2,
            eval_after_training=True,
            eval_max_new_tokens=12,
        ),
    )
    result = launch(config)
    ok(result)
    return d / "run", result


def test_sft_qlora_run_directory(sft_run, tiny_llama):
    out, result = sft_run
    for name in (
        "adapter_model.safetensors",
        "adapter_config.json",
        "tokenizer_config.json",
        "fctune_config.yaml",
        "run.json",
        "data/manifest.json",
    ):
        assert (out / name).is_file(), name
    info = json.loads((out / "run.json").read_text())
    assert info["status"] == "finished" and info["global_step"] == 16 and info["world_size"] == 1
    assert info["quantization"]["load_in_4bit"] and info["quantization"]["bnb_4bit_quant_type"] == "nf4"
    assert info["quantization"]["bnb_4bit_use_double_quant"]
    assert info["versions"]["trl"].startswith("1.16") and info["versions"]["bitsandbytes"]
    assert info["data"]["manifest_hash"] == json.loads((out / "data/manifest.json").read_text())["hash"]
    assert info["git_commit"]
    # where it trained: the CPU, in the config's dtype (base_config), without autocast
    assert info["device"].startswith("cpu (") and info["device"].endswith(" cores)")
    assert (info["dtype"], info["mixed_precision"]) == ("float32", "no")
    resolved = yaml.safe_load((out / "fctune_config.yaml").read_text())
    assert resolved["learning_rate"] == 3e-2 and resolved["load_in_4bit"] is True and resolved["method"] == "sft"
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(out))
    assert tok.chat_template == chat_template("llama2", bos=True)
    assert tok.pad_token_id is not None and tok.pad_token_id != tok.eos_token_id
    adapter = json.loads((out / "adapter_config.json").read_text())
    # all-linear (the default) is saved as the matching module names
    assert {name.rsplit(".", 1)[-1] for name in adapter["target_modules"]} == {
        "q_proj",
        "k_proj",
        "v_proj",
        "o_proj",
        "gate_proj",
        "up_proj",
        "down_proj",
    }
    assert "tokens_per_second" in result.stdout + result.stderr and "memory_gb" in result.stdout + result.stderr


def test_call_accuracy_logged_during_training_and_evaluated_after(sft_run):
    out = sft_run[0]
    state = json.loads((out / "checkpoint-16/trainer_state.json").read_text())
    logged = [h for h in state["log_history"] if "eval_call_parse_rate" in h or "eval_call_accuracy" in h]
    assert [h["step"] for h in logged] == [8, 16]
    assert all(0 <= h["eval_call_accuracy"] <= 1 for h in logged)
    report = json.loads((out / "eval/report.json").read_text())
    assert list(report["models"]) == ["base", "adapter"] and report["settings"]["adapter"] == str(out)
    assert report["models"]["adapter"]["loss"]["loss"] < report["models"]["base"]["loss"]["loss"]
    assert (out / "eval/predictions.jsonl").is_file()
    assert json.loads((out / "run.json").read_text())["evaluation"].keys() == {"base", "adapter"}


def test_sft_loss_decreases_on_fixed_set(sft_run):
    history = losses(sft_run[0])
    assert len(history) == 16
    first, last = sum(history[:3]) / 3, sum(history[-3:]) / 3
    # A random tiny model starts near log(vocab) = 6.2; a LoRA adapter on it learns slowly
    # but surely (6.1 -> 5.7 seen); noise between runs is far below 0.3.
    assert last < first - 0.3, history


def test_sft_trains_only_on_completions(sft_run, llama_tokenizer):
    """The loss sees each row's answer and EOS, nothing of the prompt, as `data.tokens` masks it."""
    from train.data import BuiltData, sft_dataset

    out = sft_run[0]
    built = BuiltData(out / "data", json.loads((out / "data/manifest.json").read_text()))
    rows = sft_dataset(built, "train", llama_tokenizer, 512)
    completions = [r["completion"] for r in built.rows("train.jsonl")]
    assert len(rows) == len(completions) == 12
    for row, completion in zip(rows, completions):
        trained = [t for t in row["labels"] if t != -100]
        assert trained[-1] == llama_tokenizer.eos_token_id
        assert llama_tokenizer.decode(trained[:-1]) == completion
        assert row["labels"][: len(row["labels"]) - len(trained)] == [-100] * (len(row["labels"]) - len(trained))


def test_trainer_batches_keep_the_completion_mask(tiny_llama, llama_tokenizer, sft_run, tmp_path):
    """What TRL's SFTTrainer feeds the model: our labels, -100 on every prompt and padding token."""
    from peft import LoraConfig
    from transformers import AutoModelForCausalLM
    from trl import SFTConfig

    from data.models import load_tokenizer
    from train.data import BuiltData, sft_dataset
    from train.trainers import FctuneSFTTrainer

    out = sft_run[0]
    tok = load_tokenizer(str(tiny_llama), "llama2")
    built = BuiltData(out / "data", json.loads((out / "data/manifest.json").read_text()))
    rows = sft_dataset(built, "train", tok, 512)
    trainer = FctuneSFTTrainer(
        model=AutoModelForCausalLM.from_pretrained(str(tiny_llama)),
        processing_class=tok,
        train_dataset=rows,
        peft_config=LoraConfig(r=4, target_modules="all-linear"),
        args=SFTConfig(
            output_dir=str(tmp_path),
            per_device_train_batch_size=4,
            use_cpu=True,
            bf16=False,
            max_length=512,
            report_to="none",
            shuffle_dataset=False,
            seed=0,
        ),
    )
    batch = next(iter(trainer.get_train_dataloader()))
    completions = {r["completion"] for r in built.rows("train.jsonl")}
    for ids, labels in zip(batch["input_ids"].tolist(), batch["labels"].tolist()):
        trained = [t for t in labels if t != -100]
        assert trained[-1] == tok.eos_token_id and tok.decode(trained[:-1]) in completions
        start = labels.index(trained[0])
        assert labels[start : start + len(trained)] == trained and ids[start : start + len(trained)] == trained


def test_merge_matches_base_plus_adapter(sft_run, tmp_path, tiny_llama):
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    out = sft_run[0]
    merged_dir = tmp_path / "merged"
    ok(
        run(
            [sys.executable, "-m", "train.merge", "--adapter", str(out), "--out", str(merged_dir), "--dtype", "float32"]
        )
    )
    ids = torch.tensor([[1, 5, 9, 42, 77, 3, 8]])
    base = AutoModelForCausalLM.from_pretrained(str(tiny_llama), dtype=torch.float32)
    with torch.no_grad():
        plain = base(ids).logits
        reference = PeftModel.from_pretrained(base, str(out))(ids).logits
        merged = AutoModelForCausalLM.from_pretrained(str(merged_dir), dtype=torch.float32)(ids).logits
    assert (reference - plain).abs().max() > 1e-3  # the adapter changes the model...
    torch.testing.assert_close(merged, reference, atol=1e-4, rtol=1e-4)  # ...and merging keeps that change
    assert (merged_dir / "tokenizer_config.json").is_file()
    again = run([sys.executable, "-m", "train.merge", "--adapter", str(out), "--out", str(merged_dir)])
    assert again.returncode == 2 and "not empty" in again.stderr


def test_dpo_from_sft_adapter_with_4bit_mistral(tmp_path, tiny_mistral, call_rows):
    sft = write_config(
        tmp_path / "sft.yaml",
        **base_config(tiny_mistral, call_rows, tmp_path / "sft", family="mistral", load_in_4bit=True, max_steps=4),
    )
    ok(launch(sft))
    dpo = write_config(
        tmp_path / "dpo.yaml",
        **base_config(
            tiny_mistral,
            tmp_path / "sft/data",
            tmp_path / "dpo",
            method="dpo",
            family=None,
            load_in_4bit=True,
            sft_adapter=str(tmp_path / "sft"),
            learning_rate=1e-3,
            max_steps=6,
            beta=0.1,
            eval_strategy="steps",
            eval_steps=3,
        ),
    )
    result = launch(dpo)
    ok(result)
    info = json.loads((tmp_path / "dpo/run.json").read_text())
    assert info["status"] == "finished" and info["global_step"] == 6
    state = json.loads((tmp_path / "dpo/checkpoint-4/trainer_state.json").read_text())
    logged = [h for h in state["log_history"] if "loss" in h]
    assert logged and all("rewards/margins" in h for h in logged)
    # The reference is the SFT adapter frozen beside the trained one: at step 1 policy and
    # reference agree, so the DPO loss starts at log(2).
    assert abs(logged[0]["loss"] - 0.6931) < 1e-3
    assert [h["step"] for h in state["log_history"] if "eval_loss" in h] == [3]  # on the validation pairs
    assert (tmp_path / "dpo/adapter_model.safetensors").is_file()


def test_two_process_ddp(tmp_path, tiny_llama, call_rows):
    config = write_config(tmp_path / "c.yaml", **base_config(tiny_llama, call_rows, tmp_path / "run", max_steps=4))
    result = launch(config, processes=2)
    ok(result)
    info = json.loads((tmp_path / "run/run.json").read_text())
    assert info["world_size"] == 2 and info["global_step"] == 4
    state = json.loads((tmp_path / "run/checkpoint-4/trainer_state.json").read_text())
    # The 12 training rows are split between the processes (6 each: batches of 4 and 2), so an
    # epoch is 2 steps; one process alone would need 3 (epoch 1.33 after 4 steps).
    assert state["epoch"] == 2.0


def test_wandb_offline_run_records_loss_and_config(tmp_path, tiny_llama, call_rows, wandb_records):
    config = write_config(
        tmp_path / "c.yaml",
        **base_config(
            tiny_llama,
            call_rows,
            tmp_path / "run",
            max_steps=4,
            report_to="wandb",
            wandb_project="fctune-test",
            wandb_group="tests",
            wandb_tags=["tiny", "ci"],
            run_name="tiny-wandb",
        ),
    )
    ok(launch(config, env={"WANDB_MODE": "offline", "WANDB_DIR": str(tmp_path), "WANDB_SILENT": "true"}))
    files = list((tmp_path / "wandb").glob("offline-run-*/run-*.wandb"))
    assert len(files) == 1
    records = list(wandb_records(files[0]))
    run_record = next(r.run for r in records if r.WhichOneof("record_type") == "run")
    assert (run_record.project, run_record.run_group, list(run_record.tags), run_record.display_name) == (
        "fctune-test",
        "tests",
        ["tiny", "ci"],
        "tiny-wandb",
    )
    history = [
        {item.key or "/".join(item.nested_key): json.loads(item.value_json) for item in r.history.item}
        for r in records
        if r.WhichOneof("record_type") == "history"
    ]
    logged = [h["train/loss"] for h in history if "train/loss" in h]
    assert logged == pytest.approx(losses(tmp_path / "run"))
    assert all("train/tokens_per_second" in h and "train/memory_gb" in h for h in history[1:4])
    config_updates = {
        item.key: json.loads(item.value_json)
        for r in records
        if r.WhichOneof("record_type") == "config"
        for item in r.config.update
    }
    assert config_updates["fctune"]["lora_r"] == 8
    assert config_updates["fctune"]["method"] == "sft"


def test_tensorboard_events_hold_the_loss(tmp_path, tiny_llama, call_rows):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    config = write_config(
        tmp_path / "c.yaml",
        **base_config(
            tiny_llama, call_rows, tmp_path / "run", max_steps=3, report_to="tensorboard", eval_after_training=False
        ),
    )
    ok(run([sys.executable, "-m", "train", str(config)]))
    (logdir,) = {p.parent for p in (tmp_path / "run").rglob("events.out.tfevents.*")}
    scalars = EventAccumulator(str(logdir)).Reload()
    assert [e.step for e in scalars.Scalars("train/loss")] == [1, 2, 3]
    assert [e.value for e in scalars.Scalars("train/loss")] == pytest.approx(losses(tmp_path / "run"), rel=1e-5)
    assert "train/tokens_per_second" in scalars.Tags()["scalars"]


def test_resume_after_kill_9_ends_at_the_same_step(tmp_path, tiny_llama, call_rows):
    config = write_config(
        tmp_path / "c.yaml",
        **base_config(tiny_llama, call_rows, tmp_path / "run", max_steps=120, save_steps=10, learning_rate=1e-3),
    )
    cmd = [sys.executable, "-m", "train", str(config)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 300
    while not (tmp_path / "run/checkpoint-20/trainer_state.json").is_file():
        assert proc.poll() is None and time.time() < deadline, "the run ended before it could be interrupted"
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert not (tmp_path / "run/checkpoint-120").exists()
    info = json.loads((tmp_path / "run/run.json").read_text())
    assert info["status"] == "running"

    result = run(cmd)  # the same command resumes on its own
    ok(result)
    resumed_from = [line for line in result.stdout.splitlines() if line.startswith("resuming from")]
    assert resumed_from and "checkpoint-" in resumed_from[0]
    info = json.loads((tmp_path / "run/run.json").read_text())
    assert info["status"] == "finished" and info["global_step"] == 120
    steps = [
        h["step"]
        for h in json.loads((tmp_path / "run/checkpoint-120/trainer_state.json").read_text())["log_history"]
        if "loss" in h
    ]
    assert steps == sorted(set(steps)) and steps[-1] == 120

    again = run(cmd)  # finished: refused rather than silently retrained
    assert again.returncode == 2 and "finished run" in again.stderr


def test_max_train_minutes_lowers_max_steps_and_the_schedule_spans_them(tmp_path, tiny_llama, call_rows):
    out = tmp_path / "run"
    values = dict(max_steps=100_000, max_train_minutes=0.03, save_steps=5, lr_scheduler_type="linear")
    config = write_config(tmp_path / "c.yaml", **base_config(tiny_llama, call_rows, out, **values))
    result = run([sys.executable, "-m", "train", str(config)])
    ok(result)
    info = json.loads((out / "run.json").read_text())
    steps = info["max_steps"]
    assert re.search(rf"max_train_minutes 0.03: a step takes [\d.]+ s here, so {steps} steps\n", result.stdout)
    assert 1 < steps < 100_000 and info["global_step"] == steps
    assert steps == int(0.03 * 60 / info["step_seconds"])
    rates = [h["learning_rate"] for h in history(out, steps) if "learning_rate" in h]
    # linear decay over the steps trained: the last step trains at 1/steps of the first step's rate
    assert rates[-1] == pytest.approx(rates[0] / steps)
    # The same run with those steps set and no timing: the same batches, rates, losses and token
    # counts, so the timed steps left no trace (gradients, random state, metrics).
    values.update(max_steps=steps, max_train_minutes=None)
    fixed = write_config(tmp_path / "fixed.yaml", **base_config(tiny_llama, call_rows, tmp_path / "fixed", **values))
    ok(run([sys.executable, "-m", "train", str(fixed)]))
    keys = ("step", "loss", "learning_rate", "num_tokens", "mean_token_accuracy")
    assert [{k: h.get(k) for k in keys} for h in history(out, steps) if "loss" in h] == [
        {k: h.get(k) for k in keys} for h in history(tmp_path / "fixed", steps) if "loss" in h
    ]
    # Resumed from its first checkpoint, the run keeps the steps it chose (its schedule is in the checkpoint).
    for checkpoint in out.glob("checkpoint-*"):
        if checkpoint.name != "checkpoint-5":
            shutil.rmtree(checkpoint)
    (out / "run.json").write_text(json.dumps({**info, "status": "running"}))
    resumed = run([sys.executable, "-m", "train", str(config)])
    ok(resumed)
    assert "resuming from" in resumed.stdout and "a step takes" not in resumed.stdout
    assert json.loads((out / "run.json").read_text())["global_step"] == steps
    # and goes on counting the tokens trained from what its checkpoint kept, not from 0
    keys = ("step", "num_tokens")
    assert [{k: h.get(k) for k in keys} for h in history(out, steps) if "loss" in h] == [
        {k: h.get(k) for k in keys} for h in history(tmp_path / "fixed", steps) if "loss" in h
    ]


@pytest.mark.parametrize(
    "text, message",
    [("{", "not a token count"), ("[]", "not a token count"), ('{"num_tokens": -3}', "whole number")],
)
def test_a_broken_token_count_in_a_checkpoint_is_one_line(tmp_path, text, message):
    from types import SimpleNamespace

    from data.common import FctuneError
    from train.trainers import TokenCountInCheckpoints, resume_token_count

    trainer = SimpleNamespace(_total_train_tokens=0)
    resume_token_count(trainer, str(tmp_path))  # a checkpoint from before counts were kept: from 0
    assert trainer._total_train_tokens == 0
    (tmp_path / TokenCountInCheckpoints.FILE).write_text(text)
    with pytest.raises(FctuneError, match=message) as error:
        resume_token_count(trainer, str(tmp_path))
    assert str(tmp_path / TokenCountInCheckpoints.FILE) in str(error.value) and "\n" not in str(error.value)
    assert trainer._total_train_tokens == 0


def history(out: Path, step: int) -> list[dict]:
    return json.loads((out / f"checkpoint-{step}/trainer_state.json").read_text())["log_history"]


def test_overwrite_keeps_the_old_run_until_the_new_one_starts(tmp_path, tiny_llama, call_rows):
    config = write_config(
        tmp_path / "c.yaml",
        **base_config(tiny_llama, call_rows, tmp_path / "run", max_steps=2, eval_after_training=False),
    )
    ok(run([sys.executable, "-m", "train", str(config)]))
    adapter = (tmp_path / "run/adapter_model.safetensors").read_bytes()
    failing = run(
        [
            sys.executable,
            "-m",
            "train",
            str(config),
            "--overwrite_output_dir",
            "true",
            "--validation_size",
            "0",
            "--eval_strategy",
            "steps",
        ]
    )
    assert failing.returncode == 2 and "has no validation rows" in failing.stderr  # the new run fails to start
    assert (tmp_path / "run/adapter_model.safetensors").read_bytes() == adapter  # the old one is back
    assert json.loads((tmp_path / "run/run.json").read_text())["status"] == "finished"
    ok(run([sys.executable, "-m", "train", str(config), "--overwrite_output_dir", "true", "--learning_rate", "0.01"]))
    assert yaml.safe_load((tmp_path / "run/fctune_config.yaml").read_text())["learning_rate"] == 0.01
    assert not list(tmp_path.glob(".run.replaced*"))


def test_lora_last_layers_trains_only_the_top_blocks(tmp_path, tiny_llama, call_rows):
    """lora_last_layers: 1 on a 2-block model: adapter weights only in block 1, and backward never
    reaches block 0 (its output gets no gradient), which is what makes the step cheaper."""
    from safetensors import safe_open

    from train.__main__ import train
    from train.config import parse_config

    out = tmp_path / "top"
    path = write_config(
        tmp_path / "top.yaml",
        **base_config(
            tiny_llama,
            call_rows,
            out,
            max_steps=2,
            lora_last_layers=1,
            lora_target_modules=["q_proj", "v_proj", "down_proj"],
            save_strategy="no",
            eval_after_training=False,
        ),
    )
    reached = []

    def watch(trainer):
        blocks = trainer.model.get_base_model().model.layers
        blocks[0].register_full_backward_hook(lambda *args: reached.append(0))
        blocks[1].register_full_backward_hook(lambda *args: reached.append(1))

    assert train(parse_config([str(path)]), on_trainer=watch) == 0
    with safe_open(str(out / "adapter_model.safetensors"), "pt") as f:
        keys = list(f.keys())
    assert keys and all(".layers.1." in k for k in keys)
    assert 1 in reached and 0 not in reached


def test_shared_prefix_rows_lays_rows_out_with_their_functions_once(tmp_path, tiny_llama, call_rows):
    """shared_prefix_rows: 4 through the training script: the 12 training rows, which all offer the same
    functions, train as 3 sequences of 4 rows, the function list once in each, and the adapter saves.
    (That this trains exactly what the rows apart train: tests/test_loss_positions.py.)"""
    from train.__main__ import train
    from train.config import parse_config

    out = tmp_path / "shared"
    path = write_config(
        tmp_path / "shared.yaml",
        **base_config(
            tiny_llama,
            call_rows,
            out,
            max_steps=3,
            per_device_train_batch_size=1,
            padding_free=True,
            shared_prefix_rows=4,
            save_strategy="no",
            eval_after_training=False,
        ),
    )
    seen = []
    assert train(parse_config([str(path)]), on_trainer=seen.append) == 0
    trainer = seen[0]
    assert len(trainer.train_dataset) == 3
    batch = next(iter(trainer.get_train_dataloader()))
    positions = batch["position_ids"][0]
    restarts = (positions[1:] != positions[:-1] + 1).nonzero().flatten() + 1
    prefix = int(positions[restarts[0]])
    assert len(restarts) == 3 and all(int(positions[i]) == prefix for i in restarts)  # 4 rows, one prefix
    assert "<FUNCTIONS>" in trainer.processing_class.decode(batch["input_ids"][0, :prefix])
    assert int((batch["labels"][0] == trainer.processing_class.eos_token_id).sum()) == 4
    assert (out / "adapter_model.safetensors").is_file()
    assert len([h for h in trainer.state.log_history if "loss" in h]) == 3
