"""Evaluate a base model and/or its adapter: loss and function-call accuracy.

python -m eval --model BASE [--adapter DIR] --data SOURCE [--split test] [--family F]
               [--max-samples N] [--batch-size B] [--out DIR] [--compare]

SOURCE is a directory written by `python -m data build`, any other data-stage source, or
bfcl:CATEGORY[,CATEGORY...]. BASE is a Hub id, a local directory or `embedded`.
Writes DIR/report.json, report.md, report.png and predictions.jsonl; a re-run with the
same settings resumes from predictions.jsonl.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def parse_args(argv):
    p = argparse.ArgumentParser(prog="python -m eval", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", required=True, help="base model: Hub id, local directory, or `embedded`")
    p.add_argument("--adapter", help="a training run directory (or any PEFT adapter directory)")
    p.add_argument("--data", required=True, help="built data directory, data-stage source, or bfcl:CATEGORY,...")
    p.add_argument("--split", default="test", choices=["train", "validation", "test"])
    p.add_argument("--family", help="prompt format; default: the adapter's (from its chat template), else the data's")
    p.add_argument("--system-prompt", default=None, help="system prompt for rows without one (default: the data's)")
    p.add_argument("--max-samples", type=int, help="evaluate a seeded random sample of N rows")
    p.add_argument("--seed", type=int, default=0, help="seed of that sample")
    p.add_argument("--batch-size", type=int, default=16, help="rows per generation batch")
    p.add_argument("--max-new-tokens", type=int, default=256)
    p.add_argument("--max-length", type=int, default=2048, help="rows are cut to this for the loss, as in training")
    p.add_argument("--dtype", default="bfloat16", choices=["bfloat16", "float16", "float32"])
    p.add_argument("--compare", action="store_true", help="evaluate the base and the adapter, side by side")
    p.add_argument("--out", help="output directory (default: ADAPTER/eval-DATA, or runs/eval/DATA)")
    p.add_argument("--overwrite", action="store_true", help="replace an evaluation in --out with other settings")
    p.add_argument("--report-to", choices=["none", "wandb"], default="none",
                   help="also log summary figures and a predictions table to wandb")
    args = p.parse_args(argv)
    if args.compare and not args.adapter:
        p.error("--compare needs --adapter")
    if args.max_samples is not None and args.max_samples < 1:
        p.error("--max-samples must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    from data.files import run_command
    from eval.run import EvalError
    from train.model import ModelError

    return run_command(lambda: run(args), (EvalError, ModelError),
                       "interrupted; run the same command again to resume from predictions.jsonl")


def default_out(args) -> Path:
    name = args.data.rstrip("/").replace("/", "_").replace(":", "-").replace(",", "+")
    return Path(args.adapter) / f"eval-{name}" if args.adapter else Path("runs/eval") / name


def run(args) -> int:
    from eval.load import load_for_eval
    from eval.run import Settings, adapter_fingerprint, evaluate, load_examples, loss_only, prompt_completion_rows

    pairs = prompt_completion_rows(args.data, args.max_samples, args.seed)
    if pairs is not None:
        print(f"note: {args.data} holds prompt/completion text without structured answers (functions and calls): "
              f"reporting loss only")
        examples, manifest = [], {}
    else:
        examples, manifest = load_examples(args.data, args.split, args.max_samples, args.seed)
    model, tokenizer, family = load_for_eval(args.model, args.adapter, args.family, manifest.get("family"),
                                             args.dtype)
    settings = Settings(model=args.model, adapter=args.adapter, data=args.data, split=args.split, family=family,
                        system_prompt=manifest.get("system_prompt", "") if args.system_prompt is None
                        else args.system_prompt, max_samples=args.max_samples, seed=args.seed,
                        max_new_tokens=args.max_new_tokens, max_length=args.max_length, dtype=args.dtype,
                        models=["base", "adapter"] if args.compare else ["adapter"] if args.adapter else ["base"],
                        adapter_sha256=adapter_fingerprint(args.adapter))
    out = Path(args.out) if args.out else default_out(args)
    if pairs is not None:
        report = loss_only(model, tokenizer, pairs, settings, out, args.batch_size, args.overwrite)
    else:
        report = evaluate(model, tokenizer, examples, settings, out, args.batch_size, args.overwrite)
    if args.report_to == "wandb":
        from eval.report import log_to_wandb

        log_to_wandb(out, settings, report)
    print((out / "report.md").read_text())
    print(f"report: {out / 'report.md'} (and report.json" + (", report.png; predictions: "
          f"{out / 'predictions.jsonl'})" if pairs is None else ")"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
