"""Rows per second for building rendered, tokenized rows with `datasets.map`.

    python bench/build_rows.py [--rows 100000] [--repeats 3] [--family llama2]

Runs, on the same rows and tokenizer (the embedded SmolLM2's), one row per map call
(what a per-example `map` does) on a sample, then batched map with 1 and 2 processes on
all rows, and prints the median rows/s of each and the ratios.
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import datasets  # noqa: E402

from data.builtin import load_builtin  # noqa: E402
from data.models import load_tokenizer  # noqa: E402
from data.tokens import render_and_tokenize  # noqa: E402


def median_rate(records, runs, **kwargs) -> float:
    rates = []
    for _ in range(runs):
        start = time.perf_counter()
        out = render_and_tokenize(records, **kwargs)
        rates.append(len(out) / (time.perf_counter() - start))
    return statistics.median(rates)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--per-row-sample", type=int, default=5_000, help="rows for the slow one-row-per-call run")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--family", default="llama2")
    args = p.parse_args()

    datasets.disable_caching()  # every run must do the work, not read a cache
    train = [json.dumps(ex.to_record()) for ex in load_builtin()["train"]]
    records = datasets.Dataset.from_dict({"example": [train[i % len(train)] for i in range(args.rows)]})
    tokenizer = load_tokenizer("embedded", "llama2")
    common = dict(tokenizer=tokenizer, family=args.family, max_length=2048)

    per_row = median_rate(records.select(range(args.per_row_sample)), args.repeats, batch_size=1, **common)
    batched = median_rate(records, args.repeats, batch_size=1000, **common)
    two_procs = median_rate(records, args.repeats, batch_size=1000, num_proc=2, **common)
    print(f"{args.rows} rows, {args.family} format, SmolLM2 tokenizer, median of {args.repeats} runs:")
    print(f"  one row per map call ({args.per_row_sample} rows)  {per_row:10.0f} rows/s")
    print(f"  batched map, 1000 rows per call             {batched:10.0f} rows/s  ({batched / per_row:.1f}x)")
    print(f"  batched map, 2 processes                    {two_procs:10.0f} rows/s  ({two_procs / per_row:.1f}x)")


if __name__ == "__main__":
    main()
