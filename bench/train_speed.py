"""Training speed: fctune's train stage against plain TRL + PEFT + bitsandbytes QLoRA.

    python bench/train_speed.py [--shapes SHAPE ...] [--methods sft dpo] [--steps 13] [--warmup 3]
                                [--set KEY=VALUE ...] [--results-dir bench/results] [--cache DIR]

For each shape and method, on the same rows of the embedded dataset (rendered in the v2
format for the shape's family, max length from the shipped config):
  baseline  TRL's trainer + PEFT LoRA r=16 on all linear layers + bitsandbytes NF4, set up
            as the TRL and PEFT docs show (prepare_model_for_kbit_training, padding to the
            longest row, no packing); see bench/speed_runs.py.
  ours      fctune's train stage on the shipped config (configs/llama2-7b-sft.yaml,
            configs/mistral-7b-dpo.yaml, ...), with `--set key=value` applied on top.
Each side runs in its own process, one after the other, and trains --steps optimiser steps;
the first --warmup are left out. Printed per side: non-padding tokens per second, median
step time, peak memory and MFU (model FLOPs per second over the rate of a large bf16
matrix product measured on the same device at the start), then the ratios ours/baseline.
Before that, bench/packing_check.py checks that padding-free and packed batches train the
same thing as padded ones. One JSON per shape and method goes to --results-dir, with the
device, library versions and settings.

Shapes: llama2-7b and mistral-7b (the default on a GPU) are the published configurations
with random weights (bench/random_model.py); tiny-llama2 and tiny-mistral (the default
without a GPU) keep the bench working on a CPU, where its timings say nothing about GPUs.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Settings that make a side a pure training-throughput measurement: no evaluation, saving or logging services.
MEASUREMENT_ONLY = ["--eval_strategy", "no", "--save_strategy", "no", "--report_to", "none",
                    "--eval_after_training", "false", "--call_accuracy_samples", "0", "--logging_steps", "1"]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--shapes", nargs="+", help="default: llama2-7b mistral-7b on a GPU, tiny-llama2 otherwise")
    p.add_argument("--methods", nargs="+", default=["sft", "dpo"], choices=["sft", "dpo"])
    p.add_argument("--steps", type=int, help="optimiser steps per side (default: 13 on a GPU, 4 otherwise)")
    p.add_argument("--warmup", type=int, help="first steps left out (default: 3 on a GPU, 1 otherwise)")
    p.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE",
                   help="override the shipped config for our side only, e.g. per_device_train_batch_size=16")
    p.add_argument("--both", nargs="*", default=[], metavar="KEY=VALUE",
                   help="override it for both sides (the baseline takes batch size, accumulation, learning rate, "
                        "max_length, seed and beta from it), e.g. to make CPU runs short")
    p.add_argument("--results-dir", default=str(ROOT / "bench" / "results"))
    p.add_argument("--cache", help="random checkpoints and data (default: $FCTUNE_CACHE/bench or "
                                   "~/.cache/fctune/bench)")
    p.add_argument("--peak-tflops", type=float, help="MFU denominator (default: measured bf16 matmul rate)")
    p.add_argument("--side", help=argparse.SUPPRESS)  # internal: run one side from a spec file
    args = p.parse_args(argv)
    if args.side:
        return _worker(Path(args.side))

    import torch

    from bench.random_model import SHAPES, BenchSetupError
    from train.config import ConfigError

    gpu = torch.cuda.is_available()
    shapes = args.shapes or (["llama2-7b", "mistral-7b"] if gpu else ["tiny-llama2"])
    steps = args.steps or (13 if gpu else 4)
    warmup = args.warmup if args.warmup is not None else (3 if gpu else 1)
    unknown = [s for s in shapes if s not in SHAPES]
    bad_sets = [s for s in args.set + args.both if "=" not in s]
    if unknown or bad_sets or steps <= warmup:
        p.error(f"unknown shape(s) {unknown} (known: {', '.join(SHAPES)})" if unknown else
                f"--set takes KEY=VALUE, not {bad_sets[0]!r}" if bad_sets else "--steps must exceed --warmup")
    cache = Path(args.cache) if args.cache else \
        Path(os.environ.get("FCTUNE_CACHE", Path.home() / ".cache" / "fctune")) / "bench"
    try:
        peak = args.peak_tflops or matmul_tflops()
        print(f"device: {device_name()}; bf16 matmul peak used for MFU: {peak:.1f} TFLOP/s")
        checks = []
        for shape in shapes:
            for method in args.methods:
                result = run_pair(shape, method, steps, warmup, args.set, args.both, cache, peak)
                path = Path(args.results_dir) / f"{slug(device_name())}-{shape}-{method}.json"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.with_suffix(".part").write_text(json.dumps(result, indent=1) + "\n")
                path.with_suffix(".part").rename(path)
                checks.append((f"{shape} {method}", result["packing_check"]["passed"]))
                print(table(result) + f"\nwritten: {path}\n")
    except (BenchSetupError, SideFailed, ConfigError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    failed = [name for name, passed in checks if not passed]
    if failed:
        print(f"error: the packing check failed for {', '.join(failed)}; see packing_check in the JSON",
              file=sys.stderr)
        return 1
    return 0


class SideFailed(RuntimeError):
    pass


def run_pair(shape: str, method: str, steps: int, warmup: int, sets: list[str], both: list[str], cache: Path,
             peak: float) -> dict:
    import torch

    from bench.packing_check import check_packing
    from bench.random_model import checkpoint, family_of
    from train.config import parse_config
    from train.data import prepare_data, sft_dataset
    from train.model import load_tokenizer
    from train.run_dir import git_commit, library_versions

    family = family_of(shape)
    config_path = f"configs/{'mistral-7b' if family == 'mistral' else 'llama2-7b'}-{method}.yaml"
    model_dir = checkpoint(shape, cache)
    cpu = [] if torch.cuda.is_available() else ["--use_cpu", "true"]
    base = [str(ROOT / config_path), "--model_name_or_path", str(model_dir), "--family", family, *cpu]
    shipped = parse_config([*base, "--dataset", "builtin"])
    built = prepare_data(shipped.run, cache / f"data-{family}")
    shared = [*base, "--dataset", str(built.path), "--max_steps", str(steps), *MEASUREMENT_ONLY,
              *as_options(both)]
    if method == "dpo":
        shared += ["--sft_adapter", ""]  # both sides start from a new adapter; the reference is the base
    ours = [*shared, *as_options(sets)]
    parse_config(shared), parse_config(ours)  # a bad key or value is refused here, before anything runs

    tokenizer = load_tokenizer(str(model_dir), family)
    rows = sft_dataset(built, "train", tokenizer, shipped.train.max_length, 8)
    check = check_packing(shape, [rows[i] for i in range(len(rows))], tokenizer.pad_token_id,
                          shipped.train.max_length, "cuda" if torch.cuda.is_available() else "cpu")
    print(f"{shape}: padding-free and packed batches train the same thing: {check['passed']} "
          f"(loss gap {check['max_relative_loss_gap']:.1e}, leak {check['max_change_in_other_rows']:.1e})")

    sides = {}
    for side in ("baseline", "ours"):
        print(f"{shape} {method} {side}: {steps} steps ...", flush=True)
        sides[side] = run_side_process(side, method, model_dir, ours, shared, warmup)
    for figures in sides.values():
        figures["mfu"] = figures["model_tflops_per_second"] / peak
    a, b = sides["baseline"], sides["ours"]
    ratios = {k: b[k] / a[k] for k in ("tokens_per_second", "rows_per_second", "steps_per_second",
                                        "peak_memory_gb", "mfu")}
    return {"shape": shape, "method": method, "device": device_name(), "peak_tflops": peak,
            "model_config": dict(model_dir=str(model_dir), **json.loads((model_dir / "config.json").read_text())),
            "config": config_path, "overrides": sets, "overrides_both": both, "steps": steps, "warmup": warmup,
            "versions": library_versions(), "git_commit": git_commit(), "packing_check": check,
            "baseline": a, "ours": b, "ratios": ratios, "created": time.strftime("%Y-%m-%dT%H:%M:%S%z")}


def as_options(pairs: list[str]) -> list[str]:
    return [f"--{key}={value}" for key, value in (pair.split("=", 1) for pair in pairs)]


def run_side_process(side: str, method: str, model_dir: Path, ours: list[str], shared: list[str],
                     warmup: int) -> dict:
    """One side in a fresh process, so that neither side's memory or compiled state reaches the other."""
    with tempfile.TemporaryDirectory(prefix=f"fctune-bench-{side}-") as tmp:
        spec, result = Path(tmp) / "spec.json", Path(tmp) / "result.json"
        out = Path(tmp) / "run"
        spec.write_text(json.dumps({"side": side, "method": method, "model_dir": str(model_dir),
                                    "config_argv": [*ours, "--output_dir", str(out)],
                                    "baseline_argv": [*shared, "--output_dir", str(out)],
                                    "warmup": warmup, "out": str(out), "result": str(result)}))
        done = subprocess.run([sys.executable, __file__, "--side", str(spec)], cwd=ROOT)
        if done.returncode != 0 or not result.is_file():
            raise SideFailed(f"the {side} side ({method}) failed with exit code {done.returncode}; its output is above")
        return json.loads(result.read_text())


def _worker(spec_path: Path) -> int:
    from bench.speed_runs import run_side

    spec = json.loads(spec_path.read_text())
    run_side(spec["side"], spec["method"], Path(spec["model_dir"]), spec["config_argv"], spec["baseline_argv"],
             spec["warmup"], Path(spec["out"]), Path(spec["result"]))
    return 0


def matmul_tflops() -> float:
    """Median rate of a large bf16 matrix product on this device (the practical peak MFU is quoted against)."""
    import statistics

    import torch

    gpu = torch.cuda.is_available()
    n = 8192 if gpu else 1024
    a = torch.randn(n, n, dtype=torch.bfloat16, device="cuda" if gpu else "cpu")
    rates = []
    for i in range(13):
        if gpu:
            torch.cuda.synchronize()
        start = time.perf_counter()
        a @ a
        if gpu:
            torch.cuda.synchronize()
        if i >= 3:
            rates.append(2 * n**3 / (time.perf_counter() - start) / 1e12)
    return statistics.median(rates)


def device_name() -> str:
    import platform

    import torch

    if torch.cuda.is_available():
        return torch.cuda.get_device_name(0)
    return f"cpu ({platform.machine()}, {os.cpu_count()} cores)"


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower().split("(")[0]).strip("-")


def table(result: dict) -> str:
    """A markdown table of one shape and method: baseline, ours, ratio."""
    a, b, r = result["baseline"], result["ours"], result["ratios"]
    rows = [("non-padding tokens/s", "tokens_per_second", "{:,.0f}"),
            ("rows/s" if result["method"] == "sft" else "pairs/s", "rows_per_second", "{:.2f}"),
            ("steps/s", "steps_per_second", "{:.3f}"),
            ("median step (s)", "median_step_seconds", "{:.3f}"),
            ("peak memory (GiB)", "peak_memory_gb", "{:.2f}"),
            ("MFU", "mfu", "{:.1%}")]
    title = (f"{result['shape']} {result['method'].upper()} on {result['device']} "
             f"({result['steps'] - result['warmup']} measured steps)")
    lines = [title, "| | baseline | ours | ours / baseline |", "|---|---|---|---|"]
    for label, key, fmt in rows:
        ratio = r.get(key, b[key] / a[key])
        lines.append(f"| {label} | {fmt.format(a[key])} | {fmt.format(b[key])} | {ratio:.2f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
