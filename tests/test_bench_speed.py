"""The training-speed benchmark at tiny shapes on CPU: both sides really train the same rows,
the packing check holds on real rows and fails on a leaking batch, the FLOP count matches
the model, and padding-free training through the train stage gives the padded loss."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from test_train import base_config, ok, run, write_config

ROOT = Path(__file__).resolve().parent.parent


def run_bench(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "bench/train_speed.py", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=900,
        check=False,
    )


@pytest.mark.slow
def test_packed_training_runs_on_whole_rows(tmp_path, tiny_llama, call_rows):
    """packing: true (BFD) through the train stage: bins of whole rows, kept apart by position ids."""
    from data.models import load_tokenizer
    from train.__main__ import train
    from train.config import parse_config
    from train.data import prepare_data, sft_dataset

    out = tmp_path / "packed"
    path = write_config(
        tmp_path / "packed.yaml",
        **base_config(
            tiny_llama,
            call_rows,
            out,
            max_steps=2,
            packing=True,
            per_device_train_batch_size=1,
            max_length=1024,
            eval_after_training=False,
            save_strategy="no",
        ),
    )
    config = parse_config([str(path)])
    seen = []
    assert train(config, on_trainer=seen.append) == 0
    assert json.loads((out / "run.json").read_text())["status"] == "finished"
    bins = seen[0].train_dataset["seq_lengths"]
    built = prepare_data(config.run, out, may_build=False)
    rows = sft_dataset(built, "train", load_tokenizer(str(tiny_llama), built.family), 1024)
    assert len(bins) < len(rows) and all(sum(b) <= 1024 for b in bins)  # rows share bins of max_length
    assert sorted(n for b in bins for n in b) == sorted(len(r) for r in rows["input_ids"])  # none cut or lost


def tiny_bench(shape: str, method: str, steps: int, accumulation: int, cache: Path, out: Path):
    """One warm-up step, batches of 2 rows: a short CPU run. Returns the process and its JSON."""
    done = run_bench(
        "--shapes",
        shape,
        "--methods",
        method,
        "--steps",
        str(steps),
        "--warmup",
        "1",
        "--cache",
        str(cache),
        "--results-dir",
        str(out),
        "--both",
        "per_device_train_batch_size=2",
        f"gradient_accumulation_steps={accumulation}",
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done, json.loads((out / f"cpu-{shape}-{method}.json").read_text())


@pytest.fixture(scope="module")
def bench_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("bench-cache")


@pytest.fixture(scope="module")
def rows_and_tokenizer(bench_cache):
    from bench.random_model import checkpoint
    from data.models import load_tokenizer
    from train.config import parse_config
    from train.data import prepare_data, sft_dataset

    model_dir = checkpoint("tiny-llama2", bench_cache)
    config = parse_config(
        [
            str(ROOT / "configs/llama2-7b-sft.yaml"),
            "--use_cpu",
            "true",
            "--dataset",
            "builtin",
            "--model_name_or_path",
            str(model_dir),
        ]
    )
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
    model = check_model("llama2-7b")
    assert leak(model, [e["input_ids"] for e in examples], flat)["max_change_in_other_rows"] <= LOGIT_TOLERANCE
    joined = {"input_ids": flat["input_ids"], "position_ids": torch.arange(flat["input_ids"].size(1))[None]}
    leaked = leak(model, [e["input_ids"] for e in examples], joined)
    assert leaked["max_change_in_other_rows"] > 1e-3 and leaked["max_diff_from_row_alone"] > 1e-3
    # With the KV cache on, transformers does not read row boundaries from position ids at all.
    model.config.use_cache = True
    assert leak(model, [e["input_ids"] for e in examples], flat)["max_change_in_other_rows"] > 1e-3


@pytest.mark.slow
def test_padding_free_training_gives_the_padded_loss(tmp_path, tiny_llama, call_rows):
    """Through `python -m train`: the same rows per step, flattened or padded, give the same losses."""
    first = {}
    batches = []
    for padding_free in (False, True):
        out = tmp_path / f"pf-{padding_free}"
        config = write_config(
            tmp_path / f"pf-{padding_free}.yaml",
            **base_config(
                tiny_llama,
                call_rows,
                out,
                max_steps=3,
                padding_free=padding_free,
                eval_after_training=False,
                save_strategy="no",
            ),
        )
        if padding_free:  # in this process, to look at the trainer's batches
            from train.__main__ import train
            from train.config import parse_config

            config = parse_config([str(config)])
            assert train(config, on_trainer=lambda t: batches.append((t, next(iter(t.get_train_dataloader()))))) == 0
        else:
            ok(run([sys.executable, "-m", "train", str(config)]))
        first[padding_free] = json.loads((out / "run.json").read_text())
    assert first[True]["first_loss"] == pytest.approx(first[False]["first_loss"], rel=1e-4)
    assert first[True]["last_loss"] == pytest.approx(first[False]["last_loss"], rel=1e-3)
    assert first[True]["status"] == "finished"
    # ... and the padding-free run really trained on flattened batches
    trainer, batch = batches[0]
    assert trainer.padding_free and batch["input_ids"].shape[0] == 1 and "attention_mask" not in batch
    assert (batch["position_ids"][0] == 0).sum() == 4  # four rows, each starting at position 0
    assert config.train.max_length == 512  # the setting is given back after TRL's check


@pytest.mark.slow
def test_bench_runs_both_sides_on_the_same_rows(tmp_path, bench_cache):
    done, sft = tiny_bench("tiny-llama2", "sft", 3, 2, bench_cache, tmp_path)
    assert "| non-padding tokens/s |" in done.stdout and sft["packing_check"]["passed"]
    a, b = sft["baseline"], sft["ours"]
    assert a["measured_steps"] == b["measured_steps"] == 2
    # the same rows in the same order: both sides saw the same tokens
    assert a["tokens_per_step"] == b["tokens_per_step"] and a["rows_per_step"] == b["rows_per_step"] == 4
    # what differs is how they train: the shipped config is padding-free and up-casts nothing
    assert a["settings"]["frozen_float32_parameters"] > 0 == b["settings"]["frozen_float32_parameters"]
    assert not a["settings"]["padding_free"] and b["settings"]["padding_free"]
    for side in (a, b):
        assert 0 < side["mfu"] < 1 and side["tokens_per_second"] > 0 and side["peak_memory_gb"] > 0
    assert sft["ratios"]["tokens_per_second"] == pytest.approx(b["tokens_per_second"] / a["tokens_per_second"])
    assert sft["versions"]["trl"] and sft["device"].startswith("cpu")


@pytest.mark.slow
def test_bench_dpo_side(tmp_path, bench_cache):
    done, dpo = tiny_bench("tiny-mistral", "dpo", 2, 1, bench_cache, tmp_path)
    a, b = dpo["baseline"], dpo["ours"]
    assert a["settings"]["trainer"] == "DPOTrainer" and b["settings"]["trainer"] == "FctuneDPOTrainer"
    assert a["rows_per_step"] == b["rows_per_step"] == 2
    # TRL tokenises the baseline's pairs itself (prompt and answer joined): within a token or two of ours
    assert a["tokens_per_step"] == pytest.approx(b["tokens_per_step"], rel=0.02)
    assert "packing_check" not in dpo  # a property of SFT batches
    assert a["losses"][0] == pytest.approx(0.6931, abs=1e-3) and b["losses"][0] == pytest.approx(0.6931, abs=1e-3)
    assert "pairs/s" in done.stdout


@pytest.mark.slow
def test_bench_refuses_a_setting_before_training(tmp_path, bench_cache):
    done = run_bench(
        "--shapes",
        "tiny-llama2",
        "--methods",
        "dpo",
        "--cache",
        str(bench_cache),
        "--results-dir",
        str(tmp_path / "results"),
        "--set",
        "padding_free=true",
    )
    assert done.returncode == 2 and "padding_free is not available for DPO" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "results").exists()


@pytest.mark.slow
def test_bench_bad_input_is_one_clear_line(tmp_path):
    def bench(*args, env=None):
        return run_bench("--cache", str(tmp_path / "cache"), *args, env=env)

    unknown = bench("--shapes", "llama3-8b")
    assert unknown.returncode == 2 and "unknown shape(s) ['llama3-8b']" in unknown.stderr
    bad_set = bench("--set", "padding_free")
    assert bad_set.returncode == 2 and "--set takes KEY=VALUE, not 'padding_free'" in bad_set.stderr
    ours_only = bench("--both", "lora_r=4")
    assert ours_only.returncode == 2 and "--both takes only keys the baseline reads" in ours_only.stderr
    warmup = bench("--warmup", "-1")
    assert warmup.returncode == 2 and "--warmup must be 0 or more" in warmup.stderr
    offline = bench("--methods", "sft", env={"PIP_NO_INDEX": "1"})  # no package index: no tokenizer
    assert offline.returncode == 2 and "Traceback" not in offline.stderr
    assert "could not download mistral-common==1.13.1" in offline.stderr
    assert not (tmp_path / "cache" / "tokenizer" / "tokenizer.model").exists()
