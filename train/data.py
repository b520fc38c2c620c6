"""The training data: a data-stage build, tokenized exactly as at inference.

A config's `dataset` is any data-stage source. A directory written by `python -m data
build` is used as it is; anything else is built first into OUTPUT_DIR/data (with DPO
pairs), by the same code as `python -m data build`, so every run has a manifest and its
hash. The build fixes the prompt format: a config's family or system prompt must agree
with it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from accelerate import PartialState  # prints once, on the main process
from datasets import Dataset

from data.build import build_dataset
from data.common import FctuneError
from data.sources import load_source, read_build_manifest
from data.tokens import encode_completions, encode_prompts, render_and_tokenize
from data.validate import invalid_rows


@dataclass
class BuiltData:
    path: Path
    manifest: dict

    @property
    def family(self) -> str:
        return self.manifest["family"]

    @property
    def system(self) -> str:
        return self.manifest.get("system_prompt", "")

    def rows(self, name: str, limit: int | None = None) -> list[dict]:
        path = self.path / name
        if not path.is_file():
            return []
        lines = [line for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]
        return [json.loads(line) for line in lines[:limit]]


def prepare_data(run, output_dir: Path, may_build: bool = True) -> BuiltData:
    """The build named by `run.dataset`, or a build of it in OUTPUT_DIR/data (made once, by one process)."""
    path = Path(run.dataset)
    manifest = read_build_manifest(path)
    if manifest is None:
        path = output_dir / "data"
        manifest = read_build_manifest(path)
        # the loader records a local source as str(Path(...)): "./a.csv" is "a.csv" there
        if manifest is None or manifest.get("source") not in (run.dataset, str(Path(run.dataset))):
            if not may_build:
                raise FctuneError(
                    f"{path}: the main process did not build the data (is output_dir on a shared file system?)"
                )
            manifest = _build(run, path)
    built = BuiltData(path, manifest)
    if run.method == "dpo" and not (path / "dpo").is_dir():
        raise FctuneError(f"the dataset {path} has no DPO pairs: build it with `python -m data build ... --dpo`")
    if run.family and run.family != built.family:
        raise FctuneError(
            f"family {run.family!r} disagrees with the dataset {path}, built for {built.family!r}: "
            f"rebuild it with --family {run.family} or drop family from the config"
        )
    if run.system_prompt and run.system_prompt != built.system:
        raise FctuneError(f"system_prompt disagrees with the one the dataset {path} was built with")
    return built


def _build(run, out: Path) -> dict:
    if run.family is None:
        raise FctuneError(
            f"set family in the config: {run.dataset!r} is not a built dataset, so its prompt format must be chosen"
        )
    loaded = load_source(run.dataset)
    bad = invalid_rows(loaded.problems)
    if bad:
        raise FctuneError(
            f"{run.dataset}: {bad} invalid row(s), e.g. {loaded.problems[0]}; list them with "
            f"`python -m data validate --source {run.dataset}`"
        )
    return build_dataset(
        loaded, out, run.family, run.system_prompt, run.split_seed, run.test_size, run.validation_size, dpo=True
    )


def sft_dataset(
    built: BuiltData,
    split: str,
    tokenizer,
    max_length: int,
    limit: int | None = None,
    shared_prefix_rows: int = 1,
) -> Dataset | None:
    """input_ids and labels (-100 outside the completion). With `shared_prefix_rows` N above 1, rows
    that offer the same functions, anywhere in the split, are joined N at a time in the order they
    come (see `shared_prefix_layout`); the sequences keep the order of their first rows. Each row is
    within max_length; a sequence holds one prefix and up to N rests, so it can be longer.

    Rows longer than max_length are left out, not cut: a cut answer would teach a call
    that never ends, or ends in broken JSON."""
    rows = built.rows(f"{split}.jsonl", limit)
    if not rows:
        return None
    records = Dataset.from_list([{"example": r["example"]} for r in rows])
    tokenized = render_and_tokenize(records, tokenizer, built.family, built.system)

    def to_labels(batch):
        return {
            "labels": [
                [t if m else -100 for t, m in zip(ids, mask)]
                for ids, mask in zip(batch["input_ids"], batch["completion_mask"])
            ]
        }

    tokenized = tokenized.map(
        to_labels, batched=True, remove_columns=["prompt", "completion", "completion_mask"], desc=f"masking {split}"
    )
    tokenized = tokenized.map(
        lambda batch: {"fits": [len(ids) <= max_length for ids in batch["input_ids"]]}, batched=True, desc="lengths"
    )
    fits = tokenized["fits"]
    kept = tokenized.filter(lambda r: r["fits"], desc=f"checking {split}").remove_columns("fits")
    if len(kept) < len(tokenized):
        PartialState().print(
            f"{split}: left out {len(tokenized) - len(kept)} row(s) longer than max_length {max_length}"
        )
    if shared_prefix_rows <= 1:
        return kept
    ids, labels = kept["input_ids"], kept["labels"]
    by_offer: dict[str, list[int]] = {}
    for i, key in enumerate(_offer_key(r["example"]) for r, ok in zip(rows, fits) if ok):
        by_offer.setdefault(key, []).append(i)
    # N at a time, in the order of each sequence's first row
    n = shared_prefix_rows
    groups = sorted(g[k : k + n] for g in by_offer.values() for k in range(0, len(g), n))
    return Dataset.from_list([shared_prefix_layout([ids[i] for i in g], [labels[i] for i in g]) for g in groups])


def _offer_key(example_json: str) -> str:
    """What a row's prompt starts with: its functions, where they go, and its system prompt."""
    example = json.loads(example_json)
    return json.dumps([example["tools"], example["functions_in_system"], example["system"]])


def shared_prefix_layout(input_ids: list[list[int]], labels: list[list[int]]) -> dict:
    """Rows as one sequence: the prompt tokens they all start with, once, then each row's remaining tokens.

    Position ids say where each token sits in its own row: the prefix counts from 0, and each
    row's rest goes on from the prefix's length. The sdpa_rows attention (data/attention.py) reads
    that layout from them: a rest sees the prefix and itself, never another row. Every token then
    has the context, position and target it has in its own row, so the loss and its gradients are
    those of the rows apart. Each rest keeps at least one prompt token, since the token before a
    rest's first one in the sequence is the previous row's last, not its own context."""
    prompt_lengths = [next((i for i, t in enumerate(lab) if t != -100), len(lab)) for lab in labels]
    shared = 0
    limit = min(prompt_lengths) - 1
    while shared < limit and all(ids[shared] == input_ids[0][shared] for ids in input_ids):
        shared += 1
    out = {"input_ids": input_ids[0][:shared], "labels": [-100] * shared, "position_ids": list(range(shared))}
    for ids, lab in zip(input_ids, labels):
        out["input_ids"] += ids[shared:]
        out["labels"] += lab[shared:]
        out["position_ids"] += range(shared, len(ids))
    return out


def dpo_dataset(built: BuiltData, split: str, tokenizer, max_length: int, limit: int | None = None) -> Dataset | None:
    """prompt_ids, chosen_ids and rejected_ids of the build's preference pairs, tokenized as at inference."""
    rows = built.rows(f"dpo/{split}.jsonl", limit)
    if not rows:
        return None
    prompts = encode_prompts(tokenizer, [r["prompt"] for r in rows])
    chosen = encode_completions(tokenizer, [r["chosen"] for r in rows])
    rejected = encode_completions(tokenizer, [r["rejected"] for r in rows])
    # Left out, not cut, as for SFT: a cut answer is neither a right nor a wrong call.
    kept = [i for i, p in enumerate(prompts) if len(p) + max(len(chosen[i]), len(rejected[i])) <= max_length]
    if len(kept) < len(rows):
        PartialState().print(
            f"dpo/{split}: left out {len(rows) - len(kept)} pair(s) longer than max_length {max_length}"
        )
    return Dataset.from_dict(
        {
            "prompt_ids": [prompts[i] for i in kept],
            "chosen_ids": [chosen[i] for i in kept],
            "rejected_ids": [rejected[i] for i in kept],
        }
    )
