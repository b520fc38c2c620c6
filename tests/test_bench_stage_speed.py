"""bench/train_stage_speed.py on a tiny model in float32: its three arms train the same rows the
same way (the train stage checks its token counts against the rows; the losses agree), and the
JSON holds both ratios."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from test_train import base_config, write_config

ROOT = Path(__file__).resolve().parent.parent


def run_benchmark(config: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    """One round of 3 steps (1 warm-up) of every arm the config takes."""
    return subprocess.run(
        [sys.executable, "bench/train_stage_speed.py", "--config", str(config), "--steps", "3", "--warmup", "1"]
        + ["--rounds", "1", "--cache", str(tmp_path / "cache"), "--results-dir", str(tmp_path / "results")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


@pytest.mark.slow
def test_arms_train_the_same_batches(tmp_path, tiny_llama, call_rows):
    config = write_config(
        tmp_path / "tiny.yaml",
        **base_config(
            tiny_llama, call_rows, tmp_path / "unused", padding_free=True, per_device_train_batch_size=2, max_steps=48
        ),
    )
    done = run_benchmark(config, tmp_path)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    result = json.loads((tmp_path / "results/train-stage-speed-tiny.json").read_text())
    assert set(result["ratios"]) == {"now/plain", "now/before"} and "| trained tokens/s |" in done.stdout
    runs = {arm: result["arms"][arm]["runs"][0] for arm in ("plain", "before", "now")}
    assert all(len(r["step_seconds"]) == 3 and r["peak_memory_gb"] > 0 for r in runs.values())
    assert len(result["tokens_per_step"]) == 3 and all(t > 0 for t in result["trained_tokens_per_step"])
    # The same adapter initialisation, batches, optimiser and schedule: the same losses, step after step
    # (before: TRL's loss, float32 statistics over every position; plain and now: ours).
    assert runs["now"]["losses"] == pytest.approx(runs["plain"]["losses"], rel=1e-5)
    assert runs["before"]["losses"] == pytest.approx(runs["now"]["losses"], rel=1e-4)


@pytest.mark.slow
def test_plain_loop_needs_a_padding_free_sft_config(tmp_path, tiny_llama, call_rows):
    config = write_config(
        tmp_path / "padded.yaml", **base_config(tiny_llama, call_rows, tmp_path / "unused", padding_free=False)
    )
    done = subprocess.run(
        [sys.executable, "bench/train_stage_speed.py", "--config", str(config)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 2 and "error: the plain loop takes an SFT config with padding_free: true" in done.stderr


@pytest.mark.slow
def test_dpo_arms_train_the_same_padded_batches(tmp_path, tiny_llama, call_rows):
    """DPO pads chosen and rejected to the batch's longest (rounded up to pad_to_multiple_of): the
    stage's token counts are checked against that, and both arms train the same losses."""
    config = write_config(
        tmp_path / "tiny-dpo.yaml",
        **base_config(
            tiny_llama,
            call_rows,
            tmp_path / "unused",
            method="dpo",
            beta=0.1,
            pad_to_multiple_of=16,
            per_device_train_batch_size=2,
            max_steps=48,
        ),
    )
    done = run_benchmark(config, tmp_path)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    result = json.loads((tmp_path / "results/train-stage-speed-tiny-dpo.json").read_text())
    assert set(result["arms"]) == {"before", "now"} and set(result["ratios"]) == {"now/before"}
    runs = {arm: result["arms"][arm]["runs"][0] for arm in ("before", "now")}
    assert runs["before"]["losses"] == pytest.approx(runs["now"]["losses"], rel=1e-4)
