"""Dataset commands: build, validate and show. Run `python -m data COMMAND --help`."""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

from data.build import build_dataset
from data.common import FctuneError, run_cli, take_debug_flag
from data.dpo import parse_mix
from data.formats import CONVERSATION_RULES, FORMATS, left_out_summary
from data.models import EMBEDDED
from data.render import FAMILIES, render
from data.sources import Columns, load_source
from data.validate import invalid_rows

SOURCE_HELP = (
    "builtin | builtin:ask-twins | bfcl:CATEGORY[,CATEGORY...] | a CSV/JSON/JSONL/Parquet file or a directory of "
    "train/validation/test files | a built data directory | a Hub dataset OWNER/NAME[@REVISION]"
)


def _source_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--source", required=True, help=SOURCE_HELP)
    p.add_argument(
        "--column",
        action="append",
        default=[],
        metavar="FIELD=COLUMN",
        help="source column for a field (functions, system, user, response); "
        "defaults: functionList, systemPrompt, userPrompt, assistantResponse",
    )
    p.add_argument(
        "--format",
        choices=FORMATS,
        help="the rows' format (default: told from the columns): Trelis columns, OpenAI/TRL messages, "
        "ShareGPT conversations, Hermes <tool_call> tags, xLAM query/answers, Glaive transcripts; "
        "see docs/data-formats.md",
    )
    p.add_argument("--bfcl-dir", help="BFCL data directory (default: the installed bfcl-eval package's)")


def _load(args):
    return load_source(args.source, Columns.parse(args.column), args.bfcl_dir, args.format)


def cmd_build(args) -> int:
    dpo_mix = parse_mix(args.dpo_mix, "--dpo-mix")
    loaded = _load(args)
    for p in loaded.problems:
        print(p, file=sys.stderr)
    rows = invalid_rows(loaded.problems)
    if rows and not args.skip_invalid:
        more = f" (and {rows - 1} more invalid row(s), listed above)" if rows > 1 else ""
        print(f"error: {loaded.problems[0]}{more}; fix them, or pass --skip-invalid to leave them out", file=sys.stderr)
        return 1
    if rows:
        print(f"skipped {rows} invalid row(s), listed above and in the manifest", file=sys.stderr)
    manifest = build_dataset(
        loaded,
        Path(args.out),
        args.family,
        args.system_prompt,
        args.seed,
        args.test_size,
        args.validation_size,
        args.dpo,
        dpo_mix,
    )
    counts = ", ".join(f"{s} {n}" for s, n in manifest["counts"].items())
    print(f"wrote {args.out}: {counts} rows ({args.family} format)")
    if left_out_summary(manifest.get("left_out_turns", {})):
        print(f"  {left_out_summary(manifest['left_out_turns'])} (counted in the manifest)")
    for split, report in manifest.get("dpo", {}).items():
        kinds = ", ".join(f"{k} {n}" for k, n in report["by_kind"].items())
        print(
            f"  dpo/{split}.jsonl: {report['pairs']} pairs ({kinds}); {report['skipped']} rows had no applicable kind"
        )
    return 0


def cmd_validate(args) -> int:
    loaded = _load(args)
    for p in loaded.problems:
        print(p)
    examples = sum(len(v) for v in loaded.splits.values())
    good, bad = loaded.info.get("valid_rows", examples), invalid_rows(loaded.problems)
    made = f" ({examples} examples)" if good != examples else ""
    print(f"{good + bad} rows checked: {good} valid{made}, {bad} invalid ({len(loaded.problems)} problem(s))")
    if left_out_summary(loaded.info.get("left_out_turns", {})):
        print(left_out_summary(loaded.info["left_out_turns"]))
    return 1 if bad else 0


def _percentiles(values: list[int]) -> str:
    if len(values) < 2:
        return f"p50 {values[0]}  max {values[0]}" if values else "no rows"
    q = statistics.quantiles(values, n=100, method="inclusive")
    return f"p50 {q[49]:.0f}  p90 {q[89]:.0f}  p95 {q[94]:.0f}  p99 {q[98]:.0f}  max {max(values)}"


def _show_format(args, loaded) -> tuple[str, str]:
    """The family and system prompt to show: a built directory's own, else the arguments."""
    if loaded.info["kind"] != "built":
        if args.family is None:
            raise FctuneError("--family is required (only a built directory knows its own)")
        return args.family, args.system_prompt or ""
    manifest = loaded.info["manifest"]
    for option, key, given in (
        ("--family", "family", args.family),
        ("--system-prompt", "system_prompt", args.system_prompt),
    ):
        if given is not None and given != manifest[key]:
            raise FctuneError(
                f"{args.source} was built with {option} {manifest[key]!r}, not {given!r}; "
                f"rebuild it to see another format"
            )
    return manifest["family"], manifest["system_prompt"]


def cmd_show(args) -> int:
    from tqdm import tqdm

    from data.models import load_tokenizer
    from data.tokens import encode_completions, encode_prompts

    loaded = _load(args)
    family, system = _show_format(args, loaded)
    examples = loaded.splits.get(args.split) or []
    if not examples:
        have = ", ".join(f"{s} ({len(e)})" for s, e in loaded.splits.items() if e) or "none"
        raise FctuneError(f"{args.source} has no {args.split} rows (splits: {have}); choose one with --split")
    pairs = [render(ex, family, system) for ex in examples]
    for i, (ex, (prompt, completion)) in enumerate(zip(examples[: args.n], pairs)):
        labels = [ex.meta.get("id", ""), ex.kind] + (["unseen function"] if ex.meta.get("unseen") else [])
        print(f"===== {args.split} example {i + 1} of {len(examples)}  [{', '.join(labels)}] =====")
        print(prompt, end="")
        print("----- completion (loss is computed on this part only) -----")
        print(completion)
    tokenizer = load_tokenizer(args.tokenizer, family)
    prompt_lens, completion_lens = [], []
    for start in tqdm(range(0, len(pairs), 512), desc="tokenizing", unit="batch", leave=False):
        batch = pairs[start : start + 512]
        prompt_lens += [len(ids) for ids in encode_prompts(tokenizer, [p for p, _ in batch])]
        completion_lens += [len(ids) for ids in encode_completions(tokenizer, [c for _, c in batch])]
    totals = [p + c for p, c in zip(prompt_lens, completion_lens)]
    print(f"\ntoken lengths, {len(totals)} {args.split} rows, tokenizer {args.tokenizer} (completion includes EOS):")
    print(f"  prompt      {_percentiles(prompt_lens)}")
    print(f"  completion  {_percentiles(completion_lens)}")
    print(f"  total       {_percentiles(totals)}")
    cut = sum(t > args.max_length for t in totals)
    lost = sum(p >= args.max_length for p in prompt_lens)
    print(f"  max length {args.max_length}: {cut} row(s) truncated, {lost} of them lose the whole completion")
    return 0


def _count(text: str) -> int:
    n = int(text)
    if n < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {n}")
    return n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    b = sub.add_parser(
        "build", help="render a source into train/validation/test JSONL and a manifest", epilog=CONVERSATION_RULES
    )
    _source_args(b)
    b.add_argument("--family", required=True, choices=list(FAMILIES), help="base model family (instruction markers)")
    b.add_argument("--out", required=True, help="output directory (a previous build there is replaced)")
    b.add_argument("--system-prompt", default="", help="system prompt for rows that have none")
    b.add_argument(
        "--test-size",
        type=float,
        default=0.1,
        help="share (<1) or count (>=1) of train rows held out when the source has no test split",
    )
    b.add_argument(
        "--validation-size",
        type=float,
        default=0.1,
        help="share or count of train rows held out when the source has no validation split",
    )
    b.add_argument("--seed", type=int, default=0, help="seed for splitting and DPO pairs")
    b.add_argument("--skip-invalid", action="store_true", help="leave invalid rows out (reported) instead of failing")
    b.add_argument(
        "--dpo", action="store_true", help="also write DPO preference pairs to OUT/dpo/{train,validation,test}.jsonl"
    )
    b.add_argument("--dpo-mix", metavar="KIND=W,...", help="relative weights of rejected-answer kinds (default equal)")
    b.set_defaults(run=cmd_build)

    v = sub.add_parser("validate", help="check every row; exit 1 if any is invalid", epilog=CONVERSATION_RULES)
    _source_args(v)
    v.set_defaults(run=cmd_validate)

    s = sub.add_parser("show", help="print rendered examples and token-length statistics", epilog=CONVERSATION_RULES)
    _source_args(s)
    s.add_argument(
        "--family",
        choices=list(FAMILIES),
        help="base model family (instruction markers); a built directory's own by default",
    )
    s.add_argument("-n", type=_count, default=3, help="how many examples to print")
    s.add_argument("--split", default="train", choices=["train", "validation", "test"])
    s.add_argument("--system-prompt", help="system prompt for rows that have none")
    s.add_argument("--tokenizer", default=EMBEDDED, help="Hub id or path; 'embedded' is SmolLM2's, offline")
    s.add_argument("--max-length", type=int, default=1024, help="training max length, for truncation counts")
    s.set_defaults(run=cmd_show)

    argv, debug = take_debug_flag(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    return run_cli(lambda: args.run(args), "interrupted", debug)


if __name__ == "__main__":
    sys.exit(main())
