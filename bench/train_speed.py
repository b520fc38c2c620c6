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
matrix product, float32 where bf16 is emulated, measured on the same device at the
start), then the ratios ours/baseline.
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

from data.models import device_name  # noqa: E402

# The shipped-config keys the baseline reads (bench/speed_runs.py): all that --both may change.
BASELINE_KEYS = {
    "per_device_train_batch_size",
    "gradient_accumulation_steps",
    "learning_rate",
    "max_length",
    "seed",
    "beta",
}
# Settings that make a side a pure training-throughput measurement: no evaluation, saving or logging services.
MEASUREMENT_ONLY = [
    "--eval_strategy",
    "no",
    "--save_strategy",
    "no",
    "--report_to",
    "none",
    "--eval_after_training",
    "false",
    "--call_accuracy_samples",
    "0",
    "--logging_steps",
    "1",
]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--shapes", nargs="+", help="default: llama2-7b mistral-7b on a GPU, tiny-llama2 otherwise")
    p.add_argument("--methods", nargs="+", default=["sft", "dpo"], choices=["sft", "dpo"])
    p.add_argument("--steps", type=int, help="optimiser steps per side (default: 13 on a GPU, 4 otherwise)")
    p.add_argument("--warmup", type=int, help="first steps left out (default: 3 on a GPU, 1 otherwise)")
    p.add_argument(
        "--set",
        nargs="*",
        default=[],
        metavar="KEY=VALUE",
        help="override the shipped config for our side only, e.g. per_device_train_batch_size=16",
    )
    p.add_argument(
        "--both",
        nargs="*",
        default=[],
        metavar="KEY=VALUE",
        help="override it for both sides (the baseline takes batch size, accumulation, learning rate, "
        "max_length, seed and beta from it), e.g. to make CPU runs short",
    )
    p.add_argument("--results-dir", default=str(ROOT / "bench" / "results"))
    p.add_argument(
        "--cache", help="random checkpoints and data (default: $FCTUNE_CACHE/bench or ~/.cache/fctune/bench)"
    )
    p.add_argument(
        "--peak-tflops",
        type=float,
        help="MFU denominator (default: measured bf16 matmul rate, float32 where bf16 is emulated)",
    )
    p.add_argument("--side", help=argparse.SUPPRESS)  # internal: run one side from a spec file
    args = p.parse_args(argv)
    if args.side:
        return _worker(Path(args.side))

    import torch

    from bench.random_model import SHAPES, BenchSetupError
    from data.common import FctuneError, write_atomic
    from data.models import fitting_dtype

    gpu = torch.cuda.is_available()
    shapes = args.shapes or (["llama2-7b", "mistral-7b"] if gpu else ["tiny-llama2"])
    steps = args.steps if args.steps is not None else (13 if gpu else 4)
    warmup = args.warmup if args.warmup is not None else (3 if gpu else 1)
    unknown = [s for s in shapes if s not in SHAPES]
    for flag, pairs in (("--set", args.set), ("--both", args.both)):
        bad = [pair for pair in pairs if "=" not in pair]
        if bad:
            p.error(f"{flag} takes KEY=VALUE, not {bad[0]!r}")
    not_baseline = sorted({pair.split("=", 1)[0] for pair in args.both} - BASELINE_KEYS)
    if unknown:
        p.error(f"unknown shape(s) {unknown} (known: {', '.join(SHAPES)})")
    if not_baseline:
        p.error(
            f"--both takes only keys the baseline reads ({', '.join(sorted(BASELINE_KEYS))}), not "
            f"{', '.join(not_baseline)}; use --set for our side"
        )
    if warmup < 0 or steps <= warmup:
        p.error("--warmup must be 0 or more, and --steps more than --warmup")
    cache = (
        Path(args.cache)
        if args.cache
        else Path(os.environ.get("FCTUNE_CACHE", Path.home() / ".cache" / "fctune")) / "bench"
    )
    failed = []
    try:
        dtype = fitting_dtype("bfloat16")
        peak = args.peak_tflops or matmul_tflops(dtype)
        print(f"device: {device_name()}; {dtype} matmul peak used for MFU: {peak:.1f} TFLOP/s")
        for shape in shapes:
            check = packing_check(shape, cache) if "sft" in args.methods else None
            if check is not None and not check["passed"]:
                failed.append(shape)
            for method in args.methods:
                result = run_pair(shape, method, steps, warmup, args.set, args.both, cache, peak)
                if method == "sft":
                    result["packing_check"] = check
                path = Path(args.results_dir) / f"{slug(device_name())}-{shape}-{method}.json"
                path.parent.mkdir(parents=True, exist_ok=True)
                write_atomic(path, json.dumps(result, indent=1) + "\n")
                print(table(result) + f"\nwritten: {path}\n")
    except (BenchSetupError, SideFailed, FctuneError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if failed:
        print(
            f"error: the packing check failed for {', '.join(failed)}; see packing_check in the SFT JSON",
            file=sys.stderr,
        )
        return 1
    return 0


class SideFailed(RuntimeError):
    pass


def shipped_config(shape: str, method: str) -> str:
    from bench.random_model import family_of

    return f"configs/{'mistral-7b' if family_of(shape) == 'mistral' else 'llama2-7b'}-{method}.yaml"


def packing_check(shape: str, cache: Path) -> dict:
    """bench/packing_check.py on 8 training rows of the shape's family."""
    from bench.packing_check import check_packing
    from bench.random_model import family_of, tokenizer_dir
    from data.models import load_tokenizer
    from train.config import parse_config
    from train.data import prepare_data, sft_dataset

    family = family_of(shape)
    shipped = parse_config(
        [str(ROOT / shipped_config(shape, "sft")), "--family", family, "--dataset", "builtin", "--use_cpu", "true"]
    )
    tokenizer = load_tokenizer(str(tokenizer_dir(cache)), family)
    rows = sft_dataset(
        prepare_data(shipped.run, cache / f"data-{family}"), "train", tokenizer, shipped.train.max_length, 8
    )
    check = check_packing(shape, [rows[i] for i in range(len(rows))], tokenizer.pad_token_id, shipped.train.max_length)
    print(
        f"{shape}: padding-free and packed batches train the same thing: {check['passed']} "
        f"(loss gap {check['max_relative_loss_gap']:.1e}, leak {check['max_change_in_other_rows']:.1e})"
    )
    return check


def run_pair(
    shape: str, method: str, steps: int, warmup: int, sets: list[str], both: list[str], cache: Path, peak: float
) -> dict:
    import torch

    from bench.random_model import checkpoint, family_of
    from data.common import git_commit, library_versions
    from train.config import parse_config
    from train.data import prepare_data

    family = family_of(shape)
    config_path = shipped_config(shape, method)
    model_dir = checkpoint(shape, cache)
    cpu = [] if torch.cuda.is_available() else ["--use_cpu", "true"]
    base = [str(ROOT / config_path), "--model_name_or_path", str(model_dir), "--family", family, *cpu]
    shipped = parse_config([*base, "--dataset", "builtin"])
    built = prepare_data(shipped.run, cache / f"data-{family}")
    shared = [*base, "--dataset", str(built.path), "--max_steps", str(steps), *MEASUREMENT_ONLY, *as_options(both)]
    if method == "dpo":
        shared += ["--sft_adapter", ""]  # both sides start from a new adapter; the reference is the base
    ours = [*shared, *as_options(sets)]
    parse_config(shared), parse_config(ours)  # a bad key or value is refused here, before anything runs

    sides = {}
    for side in ("baseline", "ours"):
        print(f"{shape} {method} {side}: {steps} steps ...", flush=True)
        sides[side] = run_side_process(side, method, model_dir, ours, shared, warmup)
    for figures in sides.values():
        figures["mfu"] = figures["model_tflops_per_second"] / peak
    a, b = sides["baseline"], sides["ours"]
    ratios = {
        k: b[k] / a[k]
        for k in (
            "tokens_per_second",
            "rows_per_second",
            "steps_per_second",
            "median_step_seconds",
            "peak_memory_gb",
            "mfu",
        )
    }
    return {
        "shape": shape,
        "method": method,
        "device": device_name(),
        "peak_tflops": peak,
        "model_config": dict(model_dir=str(model_dir), **json.loads((model_dir / "config.json").read_text())),
        "config": config_path,
        "overrides": sets,
        "overrides_both": both,
        "steps": steps,
        "warmup": warmup,
        "versions": library_versions(),
        "git_commit": git_commit(),
        "baseline": a,
        "ours": b,
        "ratios": ratios,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def as_options(pairs: list[str]) -> list[str]:
    return [f"--{key}={value}" for key, value in (pair.split("=", 1) for pair in pairs)]


def run_side_process(side: str, method: str, model_dir: Path, ours: list[str], shared: list[str], warmup: int) -> dict:
    """One side in a fresh process, so that neither side's memory or compiled state reaches the other."""
    with tempfile.TemporaryDirectory(prefix=f"fctune-bench-{side}-") as tmp:
        spec, result = Path(tmp) / "spec.json", Path(tmp) / "result.json"
        out = Path(tmp) / "run"
        spec.write_text(
            json.dumps(
                {
                    "side": side,
                    "method": method,
                    "model_dir": str(model_dir),
                    "config_argv": [*ours, "--output_dir", str(out)],
                    "baseline_argv": [*shared, "--output_dir", str(out)],
                    "warmup": warmup,
                    "out": str(out),
                    "result": str(result),
                }
            )
        )
        done = subprocess.run([sys.executable, __file__, "--side", str(spec)], cwd=ROOT, check=False)
        if done.returncode != 0 or not result.is_file():
            raise SideFailed(f"the {side} side ({method}) failed with exit code {done.returncode}; its output is above")
        return json.loads(result.read_text())


def _worker(spec_path: Path) -> int:
    from bench.speed_runs import run_side

    spec = json.loads(spec_path.read_text())
    run_side(
        spec["side"],
        spec["method"],
        Path(spec["model_dir"]),
        spec["config_argv"],
        spec["baseline_argv"],
        spec["warmup"],
        Path(spec["out"]),
        Path(spec["result"]),
    )
    return 0


def matmul_tflops(dtype: str) -> float:
    """The rate of a large matrix product in `dtype` on this device (the practical peak MFU is quoted
    against): median of 3 timed rounds of about a second each, after a warm-up round that brings the
    clocks up. bf16 where it is native, else float32: emulated bf16 is slower than anything it trains."""
    import statistics

    import torch

    gpu = torch.cuda.is_available()
    n = 8192 if gpu else 1024
    a = torch.randn(n, n, dtype=getattr(torch, dtype), device="cuda" if gpu else "cpu")
    repeats, rates = 1, []
    while len(rates) < 4:
        if gpu:
            torch.cuda.synchronize()
        start = time.perf_counter()
        for _ in range(repeats):
            a @ a
        if gpu:
            torch.cuda.synchronize()
        seconds = time.perf_counter() - start
        if seconds < 1:  # not long enough to time: grow the round
            repeats *= 2
            continue
        rates.append(2 * n**3 * repeats / seconds / 1e12)
    del a
    if gpu:
        torch.cuda.empty_cache()
    return statistics.median(rates[1:])


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower().split("(")[0]).strip("-")


def table(result: dict) -> str:
    """A markdown table of one shape and method: baseline, ours, ratio."""
    a, b, r = result["baseline"], result["ours"], result["ratios"]
    rows = [
        ("non-padding tokens/s", "tokens_per_second", "{:,.0f}"),
        ("rows/s" if result["method"] == "sft" else "pairs/s", "rows_per_second", "{:.2f}"),
        ("steps/s", "steps_per_second", "{:.3f}"),
        ("median step (s)", "median_step_seconds", "{:.3f}"),
        ("peak memory (GiB)", "peak_memory_gb", "{:.2f}"),
        ("MFU", "mfu", "{:.1%}"),
    ]
    title = (
        f"{result['shape']} {result['method'].upper()} on {result['device']} "
        f"({result['steps'] - result['warmup']} measured steps)"
    )
    lines = [title, "| | baseline | ours | ours / baseline |", "|---|---|---|---|"]
    for label, key, fmt in rows:
        ratio = r[key]
        lines.append(f"| {label} | {fmt.format(a[key])} | {fmt.format(b[key])} | {ratio:.2f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
