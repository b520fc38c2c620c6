"""The training-speed benchmark at tiny shapes on CPU: both sides really train the same rows,
the packing check holds on real rows and fails on a leaking batch, the FLOP count matches
the model, and padding-free training through the train stage gives the padded loss."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from test_train import base_config, ok, run, write_config

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def bench_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("bench-cache")


@pytest.fixture(scope="module")
def rows_and_tokenizer(bench_cache):
    from bench.random_model import checkpoint
    from train.config import parse_config
    from train.data import prepare_data, sft_dataset
    from train.model import load_tokenizer

    model_dir = checkpoint("tiny-llama2", bench_cache)
    config = parse_config([str(ROOT / "configs/llama2-7b-sft.yaml"), "--use_cpu", "true", "--dataset", "builtin",
                           "--model_name_or_path", str(model_dir)])
    built = prepare_data(config.run, bench_cache / "data")
    tokenizer = load_tokenizer(str(model_dir), "llama2")
    rows = sft_dataset(built, "train", tokenizer, 2048, 6)
    return [rows[i] for i in range(len(rows))], tokenizer


def test_matmul_parameters_counts_every_projection_and_the_head():
    from transformers import AutoModelForCausalLM

    from bench.random_model import matmul_parameters, model_config

    for shape in ("tiny-llama2", "tiny-mistral"):
        config = model_config(shape)
        model = AutoModelForCausalLM.from_config(config)
        linear = sum(m.weight.numel() for m in model.modules() if isinstance(m, torch.nn.Linear))
        assert matmul_parameters(config) == linear
    # Llama-2-7B has 6,738,415,616 parameters: less the input embedding (32000 x 4096) and 65 RMSNorm weights.
    assert matmul_parameters(model_config("llama2-7b")) == 6_738_415_616 - 32000 * 4096 - 65 * 4096


def test_packing_check_holds_on_real_rows(rows_and_tokenizer):
    from bench.packing_check import check_packing

    rows, tokenizer = rows_and_tokenizer
    check = check_packing("llama2-7b", rows, tokenizer.pad_token_id, 2048)
    assert check["passed"], check
    assert check["packed_bins"] < check["rows"]  # BFD really put several rows in one bin
    assert check["max_change_in_changed_row"] > 1  # the perturbation is visible where it belongs


def test_packing_check_sees_a_leak(rows_and_tokenizer):
    """Position ids that run on across rows (one long sequence) let rows attend to each other."""
    from trl.trainer.sft_trainer import DataCollatorForLanguageModeling

    from bench.packing_check import LOGIT_TOLERANCE, check_model, leak

    rows, tokenizer = rows_and_tokenizer
    examples = [{"input_ids": r["input_ids"], "labels": r["labels"]} for r in rows[:3]]
    flat = DataCollatorForLanguageModeling(pad_token_id=tokenizer.pad_token_id, padding_free=True)(examples)
    model = check_model("llama2-7b", "cpu")
    assert leak(model, [e["input_ids"] for e in examples], flat)["max_change_in_other_rows"] <= LOGIT_TOLERANCE
    joined = {"input_ids": flat["input_ids"], "position_ids": torch.arange(flat["input_ids"].size(1))[None]}
    leaked = leak(model, [e["input_ids"] for e in examples], joined)
    assert leaked["max_change_in_other_rows"] > 100 * LOGIT_TOLERANCE
    assert leaked["max_diff_from_row_alone"] > 100 * LOGIT_TOLERANCE


def test_padding_free_training_gives_the_padded_loss(tmp_path, tiny_llama, call_rows):
    """Through `python -m train`: the same rows per step, flattened or padded, give the same losses."""
    first = {}
    for padding_free in (False, True):
        out = tmp_path / f"pf-{padding_free}"
        config = write_config(tmp_path / f"pf-{padding_free}.yaml", **base_config(
            tiny_llama, call_rows, out, max_steps=3, padding_free=padding_free, eval_after_training=False,
            save_strategy="no"))
        ok(run([sys.executable, "-m", "train", str(config)]))
        first[padding_free] = json.loads((out / "run.json").read_text())
    assert first[True]["first_loss"] == pytest.approx(first[False]["first_loss"], rel=1e-4)
    assert first[True]["last_loss"] == pytest.approx(first[False]["last_loss"], rel=1e-3)
    assert first[True]["status"] == "finished"


def test_bench_runs_both_sides_on_the_same_rows(tmp_path, bench_cache):
    results = tmp_path / "results"
    done = subprocess.run(
        [sys.executable, "bench/train_speed.py", "--shapes", "tiny-llama2", "--methods", "sft", "dpo",
         "--steps", "3", "--warmup", "1", "--cache", str(bench_cache), "--results-dir", str(results),
         "--both", "per_device_train_batch_size=2", "gradient_accumulation_steps=2", "--set", "padding_free=true"],
        cwd=ROOT, capture_output=True, text=True, timeout=900)
    # padding_free is SFT-only: the DPO pair is refused before anything runs, after the SFT pair is written
    assert done.returncode == 2 and "padding_free is not available for DPO" in done.stderr, done.stderr[-3000:]
    sft = json.loads((results / "cpu-tiny-llama2-sft.json").read_text())
    assert "| non-padding tokens/s |" in done.stdout and sft["packing_check"]["passed"]
    a, b = sft["baseline"], sft["ours"]
    assert a["measured_steps"] == b["measured_steps"] == 2
    # the same rows in the same order: both sides saw the same tokens
    assert a["tokens_per_step"] == b["tokens_per_step"] and a["rows_per_step"] == b["rows_per_step"] == 4
    # what differs is how they train
    assert a["settings"]["frozen_float32_parameters"] > 0 == b["settings"]["frozen_float32_parameters"]
    assert not a["settings"]["padding_free"] and b["settings"]["padding_free"]
    for side in (a, b):
        assert 0 < side["mfu"] < 1 and side["tokens_per_second"] > 0 and side["peak_memory_gb"] > 0
    assert sft["ratios"]["tokens_per_second"] == pytest.approx(b["tokens_per_second"] / a["tokens_per_second"])
    assert sft["versions"]["trl"] and sft["device"].startswith("cpu")


def test_bench_dpo_side(tmp_path, bench_cache):
    results = tmp_path / "results"
    done = subprocess.run(
        [sys.executable, "bench/train_speed.py", "--shapes", "tiny-mistral", "--methods", "dpo", "--steps", "2",
         "--warmup", "1", "--cache", str(bench_cache), "--results-dir", str(results),
         "--both", "per_device_train_batch_size=2", "gradient_accumulation_steps=1"],
        cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    dpo = json.loads((results / "cpu-tiny-mistral-dpo.json").read_text())
    a, b = dpo["baseline"], dpo["ours"]
    assert a["settings"]["trainer"] == "DPOTrainer" and b["settings"]["trainer"] == "FctuneDPOTrainer"
    assert a["rows_per_step"] == b["rows_per_step"] == 2
    assert a["losses"][0] == pytest.approx(0.6931, abs=1e-3) and b["losses"][0] == pytest.approx(0.6931, abs=1e-3)
    assert "pairs/s" in done.stdout
