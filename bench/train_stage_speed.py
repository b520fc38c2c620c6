"""Train-stage throughput on the embedded config: a plain PyTorch loop, the train stage as it was, and now.

    python bench/train_stage_speed.py [--config configs/smollm2-135m-sft.yaml] [--steps 12] [--warmup 2]
                                      [--rounds 3] [--set KEY=VALUE ...] [--results-dir bench/results]
    python bench/train_stage_speed.py --config configs/smollm2-135m-dpo.yaml \\
                                      --set dataset=builtin family=llama2 sft_adapter=

Arms, each in its own process, all on the same rows: the first steps x batch rows (DPO:
pairs) of the train split, in order (`train_sampling_strategy: sequential`), so every arm
trains the same batches:
  plain   (SFT) a plain PyTorch loop: the config's model, LoRA, AdamW, schedule, clipping,
          bf16 autocast and padding-free batches, each row attended alone (sdpa_rows), the
          LM head only at trained positions, no float32 copies of the LoRA inputs; nothing
          else. It stands for the limit.
  before  `python -m train CONFIG --attn_implementation sdpa --loss_implementation trl`: the
          train stage as it was (TRL's chunked LM head, which on a CPU scores every position;
          sdpa's block-diagonal mask over the whole flattened batch).
  now     `python -m train CONFIG`: the train stage as shipped.
The train stage runs as users run it, with evaluation off and one checkpoint at the end,
whose trainer_state.json gives each step's time (`train_runtime`, logged at every step) and
token count (checked against the rows). `--set` changes the config for every arm. Rounds
interleave the arms, rotating their order, so that a busy machine slows all of them alike.
Printed: trained tokens per second (those the loss covers), all tokens per second, median
step time, peak memory (the process's peak RSS), each the median over the rounds of the
steady-state steps (the first --warmup steps of each run left out), and the ratios
now/plain and now/before (the median over the rounds of each round's ratio). The JSON goes
to --results-dir.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from data.models import device_name  # noqa: E402

ARMS = ("plain", "before", "now")
BEFORE = ["--attn_implementation", "sdpa", "--loss_implementation", "trl"]
# A pure training measurement: no evaluation, one checkpoint at the end (for its log history), no trackers.
MEASUREMENT_ONLY = [
    "--eval_strategy",
    "no",
    "--eval_on_start",
    "false",
    "--max_eval_samples",
    "1",
    "--eval_after_training",
    "false",
    "--call_accuracy_samples",
    "0",
    "--report_to",
    "none",
    # Cumulative tokens in the log history, which the run's token counts are checked against.
    "--include_num_input_tokens_seen",
    "true",
    "--logging_steps",
    "1",
    "--disable_tqdm",
    "true",
    "--train_sampling_strategy",
    "sequential",
    # Each row alone in every arm (the plain loop knows no shared prefixes): the same batches everywhere.
    "--shared_prefix_rows",
    "1",
]
FIGURES = ("trained_tokens_per_second", "tokens_per_second", "median_step_seconds", "peak_memory_gb")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", default="configs/smollm2-135m-sft.yaml")
    p.add_argument("--steps", type=int, default=12, help="optimiser steps per run")
    p.add_argument("--warmup", type=int, default=2, help="first steps of each run left out")
    p.add_argument("--rounds", type=int, default=3, help="runs per arm, interleaved")
    p.add_argument("--arms", nargs="+", choices=ARMS, help="default: all three for SFT, before and now for DPO")
    p.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE", help="config changes for every arm")
    p.add_argument("--results-dir", default=str(ROOT / "bench" / "results"))
    p.add_argument("--cache", help="where the dataset is built (default: $FCTUNE_CACHE/bench or ~/.cache/fctune/bench)")
    p.add_argument("--plain", help=argparse.SUPPRESS)  # internal: run the plain loop from a spec file
    args = p.parse_args(argv)
    if args.plain:
        return plain_worker(Path(args.plain))
    if args.warmup < 0 or args.steps <= args.warmup or args.rounds < 1:
        p.error("--warmup must be 0 or more, --steps more than --warmup, --rounds at least 1")
    bad = [pair for pair in args.set if "=" not in pair]
    if bad:
        p.error(f"--set takes KEY=VALUE, not {bad[0]!r}")

    from data.common import FctuneError, git_commit, library_versions, quiet_known_noise, write_atomic

    quiet_known_noise()  # before train.config imports TRL (and with it bitsandbytes)
    from train.config import parse_config

    overrides = [f"--{key}={value}" for key, value in (pair.split("=", 1) for pair in args.set)]
    try:
        config = parse_config([args.config, *overrides])
        method = config.run.method
        arms = args.arms or (list(ARMS) if method == "sft" else ["before", "now"])
        if "plain" in arms and not (method == "sft" and config.train.padding_free):
            raise FctuneError("the plain loop takes an SFT config with padding_free: true")
        cache = (
            Path(args.cache)
            if args.cache
            else Path(os.environ.get("FCTUNE_CACHE", Path.home() / ".cache" / "fctune")) / "bench"
        )
        data = build_data(config, cache)
        overrides += ["--dataset", str(data)]
        rows = row_counts(config, data, args.steps)
    except (FctuneError, ArmFailed, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2

    runs = {arm: [] for arm in arms}
    try:
        for r in range(args.rounds):
            for arm in arms[r % len(arms) :] + arms[: r % len(arms)]:
                print(f"round {r + 1}/{args.rounds}: {arm} ...", flush=True)
                run = run_arm(arm, [args.config, *overrides], args.steps, rows)
                runs[arm].append(summarise(run, rows, args.warmup))
                print(f"  {fmt_run(runs[arm][-1])}", flush=True)
    except ArmFailed as e:
        print(f"error: {e}", file=sys.stderr)
        return 1

    medians = {arm: {k: statistics.median(r[k] for r in rs) for k in FIGURES} for arm, rs in runs.items()}
    # Each round's arms ran back to back, so their ratio is the least touched by the machine's load drifting
    # between rounds: the ratios are medians over the rounds of each round's ratio.
    ratios = {
        f"{a}/{b}": {k: statistics.median(x[k] / y[k] for x, y in zip(runs[a], runs[b])) for k in FIGURES}
        for a, b in (("now", "plain"), ("now", "before"))
        if a in runs and b in runs
    }
    result = {
        "config": args.config,
        "overrides": args.set,
        "method": method,
        "device": device_name(cpu=config.train.use_cpu),
        "steps": args.steps,
        "warmup": args.warmup,
        "rounds": args.rounds,
        "rows_per_step": config.train.per_device_train_batch_size,
        "trained_tokens_per_step": rows["trained"],
        "tokens_per_step": rows["tokens"],
        "before_overrides": BEFORE,
        "arms": {arm: {"median": medians[arm], "runs": runs[arm]} for arm in runs},
        "ratios": ratios,
        "torch_threads": torch_threads(),
        "versions": library_versions(),
        "git_commit": git_commit(),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    out = Path(args.results_dir) / f"train-stage-speed-{Path(args.config).stem}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(out, json.dumps(result, indent=1) + "\n")
    print(table(result) + f"\nwritten: {out}")
    return 0


class ArmFailed(RuntimeError):
    pass


def build_data(config, cache: Path) -> Path:
    """The config's dataset, built once with the data stage's own command (the train stage would build the same)."""
    from data.sources import read_build_manifest

    run = config.run
    if read_build_manifest(Path(run.dataset)) is not None:
        return Path(run.dataset)
    out = cache / f"data-{run.dataset}-{run.family}"
    if read_build_manifest(out) is None:
        command = [
            sys.executable,
            "-m",
            "data",
            "build",
            "--source",
            run.dataset,
            "--family",
            str(run.family),
            "--out",
            str(out),
            "--system-prompt",
            run.system_prompt,
            "--seed",
            str(run.split_seed),
            "--test-size",
            str(run.test_size),
            "--validation-size",
            str(run.validation_size),
            "--dpo",
        ]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise ArmFailed(f"building {run.dataset} failed: {done.stderr.strip()[-2000:]}")
    return out


def training_rows(config, data: Path, steps: int) -> list[dict]:
    """The rows (DPO: pairs) every arm trains on, in order: the first steps x batch of the train split."""
    from data.models import load_tokenizer
    from data.sources import read_build_manifest
    from train.data import BuiltData, dpo_dataset, sft_dataset

    built = BuiltData(data, read_build_manifest(data))
    tokenizer = load_tokenizer(config.model.model_name_or_path, built.family)
    count = steps * config.train.per_device_train_batch_size
    make = sft_dataset if config.run.method == "sft" else dpo_dataset
    rows = make(built, "train", tokenizer, config.train.max_length, count)
    if rows is None or len(rows) < count:
        raise ArmFailed(f"{data}: fewer than {count} training rows within max_length")
    return [rows[i] for i in range(count)]


def row_counts(config, data: Path, steps: int) -> dict:
    """All (non-padding) and trained tokens of each step's batch, and the tokens the train stage counts
    (`num_input_tokens_seen`, padding included). Trained: the tokens the loss predicts (SFT: labels other
    than -100; DPO: both completions)."""
    rows, batch = training_rows(config, data, steps), config.train.per_device_train_batch_size
    batches = [rows[i : i + batch] for i in range(0, len(rows), batch)]
    if config.run.method == "sft":  # padding-free: the stage counts exactly the rows' tokens
        tokens = [sum(len(r["input_ids"]) for r in b) for b in batches]
        trained = [sum(sum(1 for t in r["labels"][1:] if t != -100) for r in b) for b in batches]
        seen = tokens
    else:
        tokens = [
            sum(2 * len(r["prompt_ids"]) + len(r["chosen_ids"]) + len(r["rejected_ids"]) for r in b) for b in batches
        ]
        trained = [sum(len(r["chosen_ids"]) + len(r["rejected_ids"]) for r in b) for b in batches]
        # DPO pads every chosen and rejected sequence of a batch to the longest, rounded up to pad_to_multiple_of.
        multiple = config.train.pad_to_multiple_of or 1
        longest = [
            max(len(r["prompt_ids"]) + max(len(r["chosen_ids"]), len(r["rejected_ids"])) for r in b) for b in batches
        ]
        seen = [2 * len(b) * math.ceil(n / multiple) * multiple for b, n in zip(batches, longest)]
    return {"rows": len(rows), "tokens": tokens, "trained": trained, "seen": seen}


def run_arm(arm: str, config_argv: list[str], steps: int, rows: dict) -> dict:
    """One run in a fresh process: per-step seconds, losses, and the process's peak RSS."""
    with tempfile.TemporaryDirectory(prefix=f"fctune-stage-speed-{arm}-") as tmp:
        out, result = Path(tmp) / "run", Path(tmp) / "plain.json"
        if arm == "plain":
            spec = Path(tmp) / "spec.json"
            spec.write_text(json.dumps({"config_argv": config_argv, "steps": steps, "result": str(result)}))
            command = [sys.executable, __file__, "--plain", str(spec)]
        else:
            command = [
                sys.executable,
                "-m",
                "train",
                *config_argv,
                "--output_dir",
                str(out),
                "--max_steps",
                str(steps),
                "--max_train_samples",
                str(rows["rows"]),
                *MEASUREMENT_ONLY,
                "--save_strategy",
                "steps",
                "--save_steps",
                str(steps),
                *(BEFORE if arm == "before" else []),
            ]
        log = Path(tmp) / "log.txt"
        started = time.perf_counter()
        with log.open("w") as f:
            process = subprocess.Popen(command, cwd=ROOT, stdout=f, stderr=subprocess.STDOUT)
            _, status, usage = os.wait4(process.pid, 0)  # this child's own resource usage: its peak RSS
        process.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
        if process.returncode != 0:
            raise ArmFailed(f"the {arm} arm failed (exit {process.returncode}):\n{log.read_text()[-3000:]}")
        run = (
            json.loads(result.read_text())
            if arm == "plain"
            else stage_log(out / f"checkpoint-{steps}" / "trainer_state.json", rows)
        )
        return {**run, "process_seconds": wall, "peak_memory_gb": usage.ru_maxrss / 2**20}  # KiB on Linux


def stage_log(state_path: Path, rows: dict) -> dict:
    """Per-step seconds and losses from the train stage's log history, its token counts checked against the rows."""
    logged = [h for h in json.loads(state_path.read_text())["log_history"] if "loss" in h]
    if [h["step"] for h in logged] != list(range(1, len(rows["tokens"]) + 1)):
        raise ArmFailed(f"{state_path}: expected a log line at every step")
    seen = [h["num_input_tokens_seen"] for h in logged]
    per_step = [b - a for a, b in zip([0, *seen], seen)]
    if per_step != rows["seen"]:
        raise ArmFailed(f"{state_path}: the train stage saw {per_step} tokens per step, the rows hold {rows['seen']}")
    times = [h["train_runtime"] for h in logged]
    return {"step_seconds": [b - a for a, b in zip([0.0, *times], times)], "losses": [h["loss"] for h in logged]}


def summarise(run: dict, rows: dict, warmup: int) -> dict:
    steady = slice(warmup, None)
    seconds = sum(run["step_seconds"][steady])
    return {
        "trained_tokens_per_second": sum(rows["trained"][steady]) / seconds,
        "tokens_per_second": sum(rows["tokens"][steady]) / seconds,
        "median_step_seconds": statistics.median(run["step_seconds"][steady]),
        "peak_memory_gb": run["peak_memory_gb"],
        "process_seconds": run["process_seconds"],
        "step_seconds": run["step_seconds"],
        "losses": run["losses"],
    }


# The plain loop ------------------------------------------------------------------------------------------------


def plain_worker(spec_path: Path) -> int:
    spec = json.loads(spec_path.read_text())
    Path(spec["result"]).write_text(json.dumps(plain_loop(spec["config_argv"], spec["steps"])))
    return 0


def plain_loop(config_argv: list[str], steps: int) -> dict:
    """The config's SFT as a bare loop over padding-free batches; per-step seconds and losses."""
    import torch
    import torch.nn.functional as F
    from peft import LoraConfig, get_peft_model
    from peft.helpers import disable_input_dtype_casting
    from transformers import AutoModelForCausalLM, get_scheduler, set_seed

    import data.attention
    from data.models import resolve_model_path
    from train.config import parse_config

    config = parse_config(config_argv)
    model_args, args = config.model, config.train
    rows = training_rows(config, Path(config.run.dataset), steps)
    dtype = model_args.dtype if model_args.dtype in (None, "auto") else getattr(torch, model_args.dtype)
    model = AutoModelForCausalLM.from_pretrained(
        resolve_model_path(model_args.model_name_or_path),
        dtype=dtype or "auto",
        attn_implementation=data.attention.NAME,
    )
    model.config.use_cache = False
    set_seed(args.seed)  # as TRL does before PEFT wraps the model: the same adapter initialisation
    model = get_peft_model(
        model,
        LoraConfig(  # the train stage's adapter (train/__main__.py)
            task_type="CAUSAL_LM",
            r=model_args.lora_r,
            lora_alpha=model_args.lora_alpha,
            lora_dropout=model_args.lora_dropout,
            target_modules=model_args.lora_target_modules or "all-linear",
            modules_to_save=model_args.lora_modules_to_save,
            use_rslora=model_args.use_rslora,
            use_dora=model_args.use_dora,
            bias="none",
        ),
    )
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(
        params,
        lr=args.learning_rate,
        betas=(args.adam_beta1, args.adam_beta2),
        eps=args.adam_epsilon,
        weight_decay=args.weight_decay,
        fused=True,
    )
    schedule = get_scheduler(
        args.lr_scheduler_type, optimizer, num_warmup_steps=args.get_warmup_steps(steps), num_training_steps=steps
    )
    batch = args.per_device_train_batch_size
    seconds, losses = [], []
    start = time.perf_counter()
    for step in range(steps):
        chunk = rows[step * batch : (step + 1) * batch]
        ids = torch.tensor([[t for r in chunk for t in r["input_ids"]]])
        labels = torch.tensor([[t for r in chunk for t in r["labels"]]])
        positions = torch.tensor([[i for r in chunk for i in range(len(r["input_ids"]))]])
        keep = torch.zeros_like(labels, dtype=torch.bool)
        keep[:, :-1] = labels[:, 1:] != -100
        targets = labels[:, 1:][keep[:, :-1]]
        with (
            torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.bf16),
            disable_input_dtype_casting(model, active=args.bf16),
        ):
            logits = model(input_ids=ids, position_ids=positions, logits_to_keep=keep).logits
        loss = F.cross_entropy(logits.float(), targets, reduction="sum") / targets.numel()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, args.max_grad_norm)
        optimizer.step()
        schedule.step()
        optimizer.zero_grad(set_to_none=True)
        losses.append(loss.item())
        now = time.perf_counter()
        seconds.append(now - start)
        start = now
    return {"step_seconds": seconds, "losses": losses}


# Output --------------------------------------------------------------------------------------------------------


def fmt_run(r: dict) -> str:
    return (
        f"{r['trained_tokens_per_second']:.1f} trained tokens/s, {r['tokens_per_second']:.0f} tokens/s, "
        f"median step {r['median_step_seconds']:.2f} s, peak {r['peak_memory_gb']:.2f} GB"
    )


def table(result: dict) -> str:
    arms, ratios = result["arms"], result["ratios"]
    rows = [
        ("trained tokens/s", "trained_tokens_per_second", "{:.1f}"),
        ("all tokens/s", "tokens_per_second", "{:.0f}"),
        ("median step (s)", "median_step_seconds", "{:.2f}"),
        ("peak memory (GB)", "peak_memory_gb", "{:.2f}"),
    ]
    head = " | ".join(arms) + "".join(f" | {k}" for k in ratios)
    lines = [
        f"{result['config']} on {result['device']}: {result['rounds']} rounds of {result['steps']} steps "
        f"({result['warmup']} warm-up), medians",
        f"| | {head} |",
        "|---" * (1 + len(arms) + len(ratios)) + "|",
    ]
    for label, key, f in rows:
        cells = [f.format(arms[a]["median"][key]) for a in arms] + [f"{ratios[k][key]:.2f}" for k in ratios]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def torch_threads() -> int:
    import torch

    return torch.get_num_threads()


if __name__ == "__main__":
    sys.exit(main())
