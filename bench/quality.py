"""Quality against minutes of training: the learning curve of embedded configs.

    python bench/quality.py [--configs configs/smollm2-135m-sft.yaml ...] [--points 4] [--test-rows 144]
                            [--bfcl-rows 160] [--others-rows 120] [--max-new-tokens 160]
                            [--sets ours bfcl others] [--set KEY=VALUE ...] [--work DIR]

Each config is trained once with `python -m train`, saving a checkpoint at --points evenly
spaced steps; the base model (0 minutes) and every checkpoint are then evaluated with
`python -m eval` on the same rows:
  ours     a stratified sample of --test-rows of our test split (the run's own data build):
           exact-call accuracy on seen and unseen functions, no-call accuracy, asked-for-missing;
  bfcl     BFCL simple and irrelevance, a stratified sample of --bfcl-rows;
  others   BFCL live_simple and live_irrelevance (functions and requests contributed by users,
           unlike our own), a sample of --others-rows: only what generalises scores there
           (its prompts offer long function lists: the slowest of the three to evaluate).
--sets chooses among them.
Minutes are the run's training time (train_runtime) at each step, steps being of equal work.
Prints a table per config, writes bench/results/quality.json and quality.png, both with where each
config trained and where the evaluations ran (device and dtype, from run.json and report.json): a
curve is only comparable with one from the same kind of device. (The embedded configs train on the
CPU in bf16 where it is native, else float32, even on a GPU machine, where evaluation uses the GPU.)

With --work, what is already there is kept: a run trained to the end with the same settings is not
trained again and finished evaluations are read back, so a config can be added to an earlier curve.
The last point is the run's final adapter when its last step saved no checkpoint (a config with
max_train_minutes trains fewer steps than max_steps on a slower machine).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SETS = {"ours": None, "bfcl": "bfcl:simple,irrelevance", "others": "bfcl:live_simple,live_irrelevance"}
FIGURES = [  # (label, set, path into report.json's figures)
    ("exact seen", "ours", ("calls", "by_seen", "seen", "exact_accuracy")),
    ("exact unseen", "ours", ("calls", "by_seen", "unseen", "exact_accuracy")),
    ("no-call", "ours", ("calls", "no_call_accuracy")),
    ("asked-for-missing", "ours", ("calls", "asked_for_missing_rate")),
    ("BFCL simple", "bfcl", ("bfcl", "per_category", "simple_python", "accuracy")),
    ("BFCL irrelevance", "bfcl", ("bfcl", "per_category", "irrelevance", "accuracy")),
    ("live simple", "others", ("bfcl", "per_category", "live_simple", "accuracy")),
    ("live irrelevance", "others", ("bfcl", "per_category", "live_irrelevance", "accuracy")),
]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--configs", nargs="+", default=["configs/smollm2-135m-sft.yaml"])
    p.add_argument("--points", type=int, default=4, help="checkpoints evaluated per config (besides the base)")
    p.add_argument("--test-rows", type=int, default=144)
    p.add_argument("--bfcl-rows", type=int, default=160)
    p.add_argument("--others-rows", type=int, default=120)
    p.add_argument("--max-new-tokens", type=int, default=160, help="generation limit per row, as in the README")
    p.add_argument("--sets", nargs="+", choices=list(SETS), default=list(SETS), help="evaluation sets")
    p.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE", help="override every config")
    p.add_argument("--work", help="where runs and evaluations go (default: a temporary directory)")
    p.add_argument("--results-dir", default=str(ROOT / "bench" / "results"))
    args = p.parse_args(argv)
    if args.points < 1 or min(args.test_rows, args.bfcl_rows, args.others_rows, args.max_new_tokens) < 1:
        p.error("--points, the row counts and --max-new-tokens must be at least 1")
    work = Path(args.work or tempfile.mkdtemp(prefix="fctune-quality-"))
    counts = {"ours": args.test_rows, "bfcl": args.bfcl_rows, "others": args.others_rows}
    rows = {key: counts[key] for key in SETS if key in args.sets}
    results = {"rows": rows, "max_new_tokens": args.max_new_tokens, "configs": {}}
    base = None
    for config in args.configs:
        name = Path(config).stem
        run = train(config, work / name, args.points, args.set)
        if base is None:  # every config starts from the same base model, on the same rows
            base, results["evaluated_on"] = evaluate(None, run, work / "base", rows, args.max_new_tokens)
        points = [{"step": 0, "minutes": 0.0, "figures": base}]
        info = json.loads((run / "run.json").read_text())
        seconds, steps = info["metrics"]["train_runtime"], info["global_step"]
        adapters = {int(c.name.split("-")[1]): c for c in run.glob("checkpoint-*")}
        adapters.setdefault(steps, run)
        for step, checkpoint in sorted(adapters.items()):
            figures, _ = evaluate(checkpoint, run, work / f"{name}-{step}", rows, args.max_new_tokens)
            points.append({"step": step, "minutes": round(seconds * step / steps / 60, 2), "figures": figures})
        trained_on = {key: info.get(key) for key in ("device", "dtype", "mixed_precision")}
        results["configs"][name] = {"config": config, "set": args.set, "trained_on": trained_on, "points": points}
        print_table(name, points)
    out = Path(args.results_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "quality.json").write_text(json.dumps(results, indent=2) + "\n")
    chart(results, out / "quality.png")
    print(f"wrote {out / 'quality.json'} and {out / 'quality.png'}")
    return 0


def sh(cmd: list[str]) -> None:
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def train(config: str, out: Path, points: int, overrides: list[str]) -> Path:
    text = Path(config).read_text()
    steps = int(re.search(r"^max_steps:\s*(\d+)", text, re.M).group(1))
    for item in overrides:
        key, _, value = item.partition("=")
        if key == "max_steps":
            steps = int(value)
    every = max(1, steps // points)
    flags = [f"--{k}={v}" for k, _, v in (item.partition("=") for item in overrides)]
    cmd = [sys.executable, "-m", "train", config, *flags, "--output_dir", str(out), "--overwrite_output_dir", "true"]
    cmd += ["--eval_after_training", "false", "--save_strategy", "steps", "--save_steps", str(every)]
    cmd += ["--save_total_limit", str(points + 1)]
    if trained_alike(out, cmd[3:]):
        print(f"reusing {out}, trained to the end with the same settings", flush=True)
        return out
    sh(cmd)
    return out


def trained_alike(out: Path, argv: list[str]) -> bool:
    """Whether `out` holds a finished run whose settings (its fctune_config.yaml) are those `argv`
    resolves to here: a changed setting or dtype fallback trains again, a changed comment does not,
    nor a setting fctune gained since that run when it is left unset."""
    import yaml

    from train.config import parse_config

    saved, info = out / "fctune_config.yaml", out / "run.json"
    if not (saved.is_file() and info.is_file()) or json.loads(info.read_text()).get("status") != "finished":
        return False
    then, now = yaml.safe_load(saved.read_text()), parse_config(argv).resolved()
    return then.keys() <= now.keys() and all(now[k] == then.get(k, None) for k in now)


def evaluate(adapter: Path | None, run: Path, out: Path, rows: dict, max_new_tokens: int) -> tuple[dict, dict]:
    """The figures of `adapter` (None: the base model) on each set, and where the evaluation ran."""
    family = json.loads((run / "run.json").read_text())["data"]["family"]  # checkpoints hold no tokenizer
    figures = {}
    for key in rows:
        data = SETS[key]
        cmd = [
            sys.executable,
            "-m",
            "eval",
            "--model",
            "embedded",
            "--data",
            data or str(run / "data"),
            "--max-samples",
            str(rows[key]),
            "--out",
            str(out / key),
            "--family",
            family,
            "--max-new-tokens",
            str(max_new_tokens),
        ]
        if adapter is not None:
            cmd += ["--adapter", str(adapter)]
        sh(cmd)
        report = json.loads((out / key / "report.json").read_text())
        figures[key] = report["models"]["adapter" if adapter is not None else "base"]
    where = {key: report.get(key) for key in ("device", "dtype")}
    return {label: dig(figures[key], path) for label, key, path in FIGURES if key in rows}, where


def dig(figures: dict, path: tuple):
    for key in path:
        figures = figures.get(key) if isinstance(figures, dict) else None
    return figures


def print_table(name: str, points: list[dict]) -> None:
    labels = list(points[0]["figures"])
    print(f"\n{name}\n{'step':>5} {'min':>6} " + " ".join(f"{label:>17}" for label in labels))
    for point in points:
        cells = ["–" if point["figures"][k] is None else f"{point['figures'][k]:.3f}" for k in labels]
        print(f"{point['step']:>5} {point['minutes']:>6.1f} " + " ".join(f"{c:>17}" for c in cells))


def chart(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = [(label, key) for label, key, _ in FIGURES if key in results["rows"]]
    rows = -(-len(shown) // 4)
    fig, axes = plt.subplots(rows, 4, figsize=(14, 3.25 * rows), sharex=True, squeeze=False)
    for ax, (label, key) in zip(axes.flat, shown):
        for name, run in results["configs"].items():
            xs = [p["minutes"] for p in run["points"] if p["figures"][label] is not None]
            ys = [p["figures"][label] for p in run["points"] if p["figures"][label] is not None]
            ax.plot(xs, ys, marker="o", label=name)
        ax.set_title(f"{label} (n={results['rows'][key]})", fontsize=9)
        ax.set_ylim(0, 1)
        ax.grid(alpha=0.3)
    for ax in axes.flat[len(shown) :]:
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel("minutes of training")
    axes.flat[0].legend(fontsize=8)
    fig.suptitle(where(results), fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def where(results: dict) -> str:
    """Where the configs trained and the evaluations ran, in a line."""
    trained = {
        f"{t.get('device')}, {t.get('dtype')} weights, mixed precision {t.get('mixed_precision')}"
        for t in (run["trained_on"] for run in results["configs"].values())
    }
    e = results["evaluated_on"]
    return f"trained on {'; '.join(sorted(trained))}; evaluated on {e.get('device')}, {e.get('dtype')}"


if __name__ == "__main__":
    sys.exit(main())
