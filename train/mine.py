"""Preference pairs from an SFT adapter's own mistakes: `python -m train.mine --adapter RUN --out DIR`.

The adapter answers a seeded, stratified sample of training rows greedily, exactly as
evaluation does (eval.generate, eval.metrics). Every answer judged wrong becomes a DPO pair:
the right answer chosen, the model's own answer rejected. Those are the mistakes the model
really makes (a call where no function fits, a value not copied as written), which
synthesized pairs can only guess at. Rows it answers right get a synthesized pair
(data/dpo.py) of a kind drawn from --mix, so the set also holds what to keep doing.

DIR is a data build: the adapter's own build (its splits, unchanged) with these pairs as
dpo/train.jsonl. A DPO config names it as its `dataset`, with the adapter as `sft_adapter`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def mine(
    adapter: Path,
    out: Path,
    rows: int = 256,
    data: Path | None = None,
    mix: dict[str, float] | None = None,
    seed: int = 0,
    batch_size: int = 16,
    max_new_tokens: int = 256,
    dtype: str = "auto",
) -> dict:
    """Writes the build into `out` and returns its manifest."""
    from tqdm import tqdm

    from data.build import write_build
    from data.common import FctuneError
    from data.dpo import make_pairs
    from data.models import base_model_name
    from data.render import render, render_response
    from data.sources import load_source, read_build_manifest
    from eval.generate import generate
    from eval.load import load_for_eval
    from eval.metrics import score_example
    from eval.run import stratified_sample

    data = data or adapter / "data"
    manifest = read_build_manifest(data)
    if manifest is None:
        raise FctuneError(
            f"{data} is not a data build (no manifest.json written by `python -m data build`): pass --data"
        )
    splits = load_source(str(data)).splits
    train = splits.get("train") or []
    if not train:
        raise FctuneError(f"{data} has no training rows to mine")
    family, system = manifest["family"], manifest.get("system_prompt", "")
    sample = [train[i] for i in stratified_sample([ex.kind for ex in train], min(rows, len(train)), seed)]
    model, tokenizer, _ = load_for_eval(base_model_name(adapter), str(adapter), family, family, dtype)

    prompts = [render(ex, family, system)[0] for ex in sample]
    mined, right, by_verdict = [], [], {}
    bar = tqdm(total=len(sample), desc="answering training rows", unit="row")
    for i, output in generate(model, tokenizer, prompts, batch_size, max_new_tokens):
        ex, verdict = sample[i], score_example(sample[i], output)
        bar.update(1)
        if verdict["correct"] or not output.strip():
            right.append(ex)
            continue
        by_verdict[verdict["verdict"]] = by_verdict.get(verdict["verdict"], 0) + 1
        mined.append(
            {
                "prompt": prompts[i],
                "chosen": render_response(ex),
                "rejected": output.strip(),
                "rejection": f"mined:{verdict['verdict']}",
                "id": ex.meta.get("id"),
            }
        )
    bar.close()
    synthesized, report = make_pairs(right, family, system, seed=seed, mix=mix)
    report.update(mined=len(mined), mined_by_verdict=by_verdict, answered=len(sample), adapter=str(adapter))
    built = {k: v for k, v in manifest.items() if k not in ("files", "hash", "counts", "created", "dpo")}
    built["mined_from"] = {"adapter": str(adapter), "data": str(data), "rows": len(sample), "seed": seed}
    dpo = {"seed": seed, "mix": mix, "pairs": {"train": (mined + synthesized, report)}}
    return write_build(out, splits, family, system, built, dpo)


def main(argv: list[str] | None = None) -> int:
    from data.common import run_cli, take_debug_flag
    from eval.settings import DTYPES

    parser = argparse.ArgumentParser(
        prog="python -m train.mine", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--adapter", required=True, type=Path, help="an SFT run directory")
    parser.add_argument("--out", required=True, type=Path, help="the data build to write")
    parser.add_argument("--data", type=Path, help="the build whose training rows to answer (default: ADAPTER/data)")
    parser.add_argument("--rows", type=int, default=256, help="training rows the adapter answers (default 256)")
    parser.add_argument("--mix", metavar="KIND=W,...", help="kinds of the synthesized pairs (default: all equal)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--max-new-tokens", type=int, default=256)
    parser.add_argument("--dtype", default="auto", choices=DTYPES, help="as python -m eval --dtype")
    argv, debug = take_debug_flag(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)

    def body() -> int:
        from data.dpo import parse_mix

        if args.rows < 1 or args.batch_size < 1 or args.max_new_tokens < 1:
            from data.common import FctuneError

            raise FctuneError("--rows, --batch-size and --max-new-tokens must be at least 1")
        manifest = mine(
            args.adapter,
            args.out,
            args.rows,
            args.data,
            parse_mix(args.mix),
            args.seed,
            args.batch_size,
            args.max_new_tokens,
            args.dtype,
        )
        report = manifest["dpo"]["train"]
        print(
            f"wrote {args.out}: {report['mined']} pairs from the adapter's wrong answers on {report['answered']} "
            f"training rows ({', '.join(f'{k} {n}' for k, n in report['mined_by_verdict'].items()) or 'none'}), "
            f"{report['pairs']} synthesized for the rows it answered right"
        )
        return 0

    return run_cli(body, "interrupted; nothing was written", debug)


if __name__ == "__main__":
    sys.exit(main())
