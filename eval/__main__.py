"""Evaluate a base model and/or its adapter: loss and function-call accuracy.

python -m eval --model BASE [--adapter DIR] --data SOURCE [--split test] [--family F]
               [--max-samples N] [--batch-size B] [--out DIR] [--compare] [--debug]

SOURCE is a directory written by `python -m data build`, any other data-stage source, or
bfcl:CATEGORY[,CATEGORY...]. BASE is a Hub id, a local directory or `embedded`.
Writes DIR/report.json, report.md, report.png and predictions.jsonl; a re-run with the
same settings resumes from predictions.jsonl. --debug (or FCTUNE_DEBUG=1) shows the
traceback behind an error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    from data.common import run_cli, take_debug_flag
    from eval.settings import add_flags, from_flags

    argv, debug = take_debug_flag(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(
        prog="python -m eval", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_flags(parser)
    settings = from_flags(parser.parse_args(argv))
    return run_cli(
        lambda: run(settings), "interrupted; run the same command again to resume from predictions.jsonl", debug
    )


def default_out(settings) -> Path:
    name = settings.data.rstrip("/").replace("/", "_").replace(":", "-").replace(",", "+")
    return Path(settings.adapter) / f"eval-{name}" if settings.adapter else Path("runs/eval") / name


def run(settings) -> int:
    from data.common import exclusive
    from eval.load import check_adapter
    from eval.run import check_out_dir

    settings.check()
    out = Path(settings.out) if settings.out else default_out(settings)
    check_out_dir(out)
    check_adapter(settings.model, settings.adapter)
    with exclusive(out, "an evaluation"):
        return _run(settings, out)


def _run(settings, out: Path) -> int:
    from eval.load import load_for_eval
    from eval.run import evaluate, load_examples, loss_only, prompt_completion_rows

    pairs = prompt_completion_rows(settings.data, settings.max_samples, settings.seed)
    if pairs is not None:
        print(
            f"note: {settings.data} holds prompt/completion text without structured answers (functions and "
            f"calls): reporting loss only"
        )
        examples, manifest = [], {}
    else:
        examples, manifest = load_examples(settings.data, settings.split, settings.max_samples, settings.seed)
    model, tokenizer, settings.family = load_for_eval(
        settings.model, settings.adapter, settings.family, manifest.get("family"), settings.dtype
    )
    if settings.system_prompt is None:
        settings.system_prompt = manifest.get("system_prompt", "")
    if pairs is not None:
        report = loss_only(model, tokenizer, pairs, settings, out)
    else:
        report = evaluate(model, tokenizer, examples, settings, out)
    if settings.report_to == "wandb":
        from eval.report import log_to_wandb

        log_to_wandb(out, report)
    print((out / "report.md").read_text())
    print(
        f"report: {out / 'report.md'} (and report.json"
        + (f", report.png; predictions: {out / 'predictions.jsonl'})" if pairs is None else ")")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
