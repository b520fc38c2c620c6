"""Batched evaluation against one prompt at a time, on the embedded model, in the same run.

    python bench/eval_batching.py [--rows 16] [--batch-size 16] [--max-new-tokens 64] [--repeats 3]

Both modes generate greedily for the same builtin test rows with `eval.generate` (left
padding and the KV cache when batched; one `generate` call per prompt otherwise). Prints
rows per second and generated tokens per second for each, medians over the repeats, the
ratio, and whether the two modes produced the same outputs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rows", type=int, default=16)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--max-new-tokens", type=int, default=64)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--dtype", default="auto")
    p.add_argument("--adapter", help="evaluate this adapter on the embedded model instead of the bare model")
    args = p.parse_args()

    import torch

    from data.render import render_prompt
    from data.sources import load_source
    from eval.generate import generate
    from eval.load import load_for_eval
    from eval.run import stratified_sample

    model, tokenizer, family = load_for_eval(
        "embedded", args.adapter, "llama2" if not args.adapter else None, None, args.dtype
    )
    examples = load_source("builtin").splits["test"]
    examples = [examples[i] for i in stratified_sample([e.kind for e in examples], args.rows, 0)]
    prompts = [render_prompt(ex, family) for ex in examples]
    print(
        f"{len(prompts)} rows, {args.dtype}, {torch.get_num_threads()} threads, up to {args.max_new_tokens} "
        f"new tokens, batch {args.batch_size}"
    )

    def count(outputs):
        return sum(len(tokenizer(o, add_special_tokens=False).input_ids) for o in outputs)

    def run(batch_size, rows, max_new_tokens):  # batches of 1 are one prompt per `generate` call, no padding
        got = dict(generate(model, tokenizer, rows, batch_size, max_new_tokens))
        return [got[i] for i in range(len(rows))]

    timings = {"one at a time": [], "batched": []}
    outputs = {}
    run(1, prompts[:1], 4)  # warm-up: kernels, caches
    for _ in range(args.repeats):
        for mode, batch_size in (("one at a time", 1), ("batched", args.batch_size)):
            start = time.perf_counter()
            outputs[mode] = run(batch_size, prompts, args.max_new_tokens)
            timings[mode].append(time.perf_counter() - start)
    print(f"{'mode':<14} {'seconds':>8} {'rows/s':>8} {'tokens/s':>9}")
    for mode, times in timings.items():
        t = statistics.median(times)
        print(f"{mode:<14} {t:8.1f} {len(prompts) / t:8.2f} {count(outputs[mode]) / t:9.1f}")
    ratio = statistics.median(timings["one at a time"]) / statistics.median(timings["batched"])
    same = sum(a == b for a, b in zip(outputs["one at a time"], outputs["batched"]))
    print(f"batched / one at a time: {ratio:.1f}x faster; identical outputs: {same}/{len(prompts)}")


if __name__ == "__main__":
    main()
