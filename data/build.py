"""`python -m data build`: a source rendered into train/validation/test JSONL plus a manifest.

Output rows hold `prompt` and `completion` (TRL's prompt-completion format; EOS is
appended at tokenisation) and `example`, the normalised row as JSON, so evaluation can
score against structured answers. The directory is written beside its destination and
renamed into place, so an interrupted build never leaves a half-written one.
"""

from __future__ import annotations

import hashlib
import json
import random
from datetime import datetime, timezone
from pathlib import Path

from tqdm import tqdm

from data.common import FctuneError, replace_dir
from data.render import FORMAT_VERSION, get_family, render
from data.schema import Example
from data.sources import SPLITS, Loaded, read_build_manifest
from data.validate import invalid_rows


def assign_splits(loaded: Loaded, test_size: float, validation_size: float, seed: int) -> dict[str, list[Example]]:
    """The source's own splits; a missing test or validation split is carved from train (seeded).

    The rows one conversation gave (data/formats.py) are carved together, so that no split
    holds turns of a conversation another one learns from."""
    splits = {s: list(loaded.splits.get(s, [])) for s in SPLITS}
    groups = _conversations(splits["train"])
    random.Random(seed).shuffle(groups)
    available = len(splits["train"])  # shares are of the source's train split, whichever is carved first
    for split, size in (("test", test_size), ("validation", validation_size)):
        if splits[split] or not groups or size <= 0:
            continue
        n = max(1, round(size * available)) if size < 1 else int(size)
        taken, rows = 0, 0
        while taken < len(groups) and rows < n:
            rows += len(groups[taken])
            taken += 1
        if taken >= len(groups):
            left = sum(map(len, groups))
            raise FctuneError(f"--{split}-size {size} leaves no training rows ({left} available)")
        splits[split], groups = [ex for g in groups[:taken] for ex in g], groups[taken:]
    splits["train"] = [ex for g in groups for ex in g]
    if not any(splits.values()):
        raise FctuneError("no valid rows to build from")
    return splits


def _conversations(examples: list[Example]) -> list[list[Example]]:
    """Examples grouped by the source row they came from; a row of one example is a group of its own."""
    groups: dict = {}
    for i, ex in enumerate(examples):
        key = ex.meta["row"] if "turn" in ex.meta else ("example", i)
        groups.setdefault(key, []).append(ex)
    return list(groups.values())


def _check_replaceable(out: Path) -> None:
    """`out` may be replaced only if it is empty or a previous build holding nothing else."""
    if not out.exists() or (out.is_dir() and not any(out.iterdir())):
        return
    manifest = read_build_manifest(out) if out.is_dir() else None
    if manifest is None:
        raise FctuneError(f"{out} exists and is not a previous build: choose another --out or empty it")
    ours = {"manifest.json", *manifest.get("files", {})}
    present = (str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    foreign = sorted(name for name in present if name not in ours)
    if foreign:
        raise FctuneError(
            f"{out} holds files a build did not write ({', '.join(foreign[:3])}); choose another --out or move them"
        )


def _write_jsonl(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_dataset(
    loaded: Loaded,
    out: Path,
    family: str,
    system: str = "",
    seed: int = 0,
    test_size: float = 0.1,
    validation_size: float = 0.1,
    dpo: bool = False,
    dpo_mix: dict[str, float] | None = None,
) -> dict:
    """A loaded source, split and rendered into `out` (with DPO pairs under `dpo`); returns the manifest."""
    splits = assign_splits(loaded, test_size, validation_size, seed)
    manifest = base_manifest(loaded, family, system, seed, test_size, validation_size)
    return write_build(out, splits, family, system, manifest, {"seed": seed, "mix": dpo_mix} if dpo else None)


def write_build(
    out: Path, splits: dict[str, list[Example]], family: str, system: str, manifest: dict, dpo: dict | None = None
) -> dict:
    """Render and write everything into `out`; returns the manifest. `dpo` holds make_pairs settings, and
    optionally `pairs`: {split: (rows, report)} made elsewhere, written instead of synthesized ones."""
    get_family(family)
    _check_replaceable(out)
    with replace_dir(out) as tmp:
        for split, examples in splits.items():
            if not examples:
                continue
            rows = []
            for ex in tqdm(examples, desc=f"rendering {split}", unit="row", leave=False):
                prompt, completion = render(ex, family, system)
                rows.append(
                    {
                        "prompt": prompt,
                        "completion": completion,
                        "example": json.dumps(ex.to_record(), ensure_ascii=False),
                    }
                )
            _write_jsonl(tmp / f"{split}.jsonl", rows)
        if dpo is not None:
            manifest["dpo"] = _write_dpo(tmp / "dpo", splits, family, system, **dpo)
        files = sorted(p for p in tmp.rglob("*.jsonl"))
        manifest["files"] = {str(p.relative_to(tmp)): _sha256(p) for p in files}
        manifest["hash"] = hashlib.sha256(json.dumps(manifest["files"], sort_keys=True).encode()).hexdigest()
        manifest["counts"] = {s: len(e) for s, e in splits.items()}
        manifest["created"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return manifest


def _write_dpo(
    dpo_dir: Path,
    splits: dict[str, list[Example]],
    family: str,
    system: str,
    seed: int,
    mix: dict[str, float] | None,
    pairs: dict | None = None,
) -> dict:
    from data.dpo import make_pairs

    dpo_dir.mkdir()
    reports = {}
    for split in SPLITS:
        if split in (pairs or {}):
            rows, reports[split] = pairs[split]
        elif splits.get(split):
            rows, reports[split] = make_pairs(splits[split], family, system, seed=seed, mix=mix)
        else:
            continue
        _write_jsonl(dpo_dir / f"{split}.jsonl", rows)
    return reports


def base_manifest(
    loaded: Loaded, family: str, system: str, seed: int, test_size: float, validation_size: float
) -> dict:
    """What was built from what; skipped rows are the loader's problems (build refuses them otherwise)."""
    return {
        "format_version": FORMAT_VERSION,
        "revision": None,  # a Hub branch or commit; local files and builtin have none
        **{k: v for k, v in loaded.info.items() if k != "manifest"},
        "family": family,
        "system_prompt": system,
        "seed": seed,
        "test_size": test_size,
        "validation_size": validation_size,
        "skipped_invalid": {"count": invalid_rows(loaded.problems), "problems": [str(p) for p in loaded.problems]},
    }
