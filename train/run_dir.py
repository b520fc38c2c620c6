"""A run's output directory: what it holds, and whether a new run may use it.

OUTPUT_DIR/
    adapter_model.safetensors, adapter_config.json   the LoRA adapter (written at the end)
    tokenizer files with the v2 chat template
    fctune_config.yaml   every setting, resolved; `python -m train` runs it again
    run.json             device and dtype, library versions, git commit, data manifest hash, status, metrics
    checkpoint-N/        Trainer checkpoints, for resuming, each with num_tokens.json (the tokens trained so far)
    data/                the build, when the config named a source rather than a build
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from datetime import datetime, timezone
from pathlib import Path

import yaml

from data.common import FctuneError, partial_dirs, provenance, write_atomic

CONFIG_FILE = "fctune_config.yaml"
RUN_FILE = "run.json"
_CHECKPOINT = re.compile(r"^checkpoint-(\d+)$")


def complete_checkpoints(out: Path) -> list[Path]:
    """Checkpoints in step order whose trainer state was written (the Trainer writes it last)."""
    found = [(int(m.group(1)), p) for p in out.glob("checkpoint-*") if (m := _CHECKPOINT.match(p.name))]
    return [p for _, p in sorted(found) if (p / "trainer_state.json").is_file()]


def resume_request(value) -> str | None:
    """resume_from_checkpoint as given (YAML bool or text): "true" (the last checkpoint), a path, or None."""
    text = str(value).strip() if value is not None else ""
    if text.lower() in ("", "false", "none"):
        return None
    return "true" if text.lower() == "true" else text


def resume_point(out: Path, resolved: dict, resume: str | None, overwrite: bool = False) -> str | None:
    """The checkpoint to resume from, or None to start afresh; refuses a directory it must not touch.

    A run directory with the same settings resumes from its last complete checkpoint on its
    own, even with `overwrite` (so re-running a command that carries the flag never wipes
    an interrupted run). With other settings it is refused unless resuming explicitly or
    `overwrite` (the caller then replaces it). A finished run is refused unless `overwrite`.
    A directory that is not a run directory is never written into; one holding only the
    data a run built (`data/`) counts as a run directory not yet started."""
    from train.config import differing_keys

    resume = resume_request(resume)
    if not out.exists() or _not_started(out):
        if resume and resume != "true":
            return _checkpoint_path(resume)
        if resume:
            raise FctuneError(f"resume_from_checkpoint: {out} has no checkpoint to resume from")
        return None
    if not (out / CONFIG_FILE).is_file():
        raise FctuneError(f"output_dir {out} exists and is not an fctune run directory: choose another output_dir")
    old = yaml.safe_load((out / CONFIG_FILE).read_text(encoding="utf-8")) or {}
    changed = differing_keys(old, resolved)
    status = _read_run(out).get("status")
    if resume:
        return _checkpoint_path(resume) if resume != "true" else _last(out)
    if overwrite and (changed or status in ("trained", "finished")):
        return REPLACE
    if changed:
        raise FctuneError(
            f"output_dir {out} holds a run with other settings ({', '.join(changed[:5])}"
            f"{', ...' if len(changed) > 5 else ''}): pass --resume_from_checkpoint true to continue "
            f"it with these, --overwrite_output_dir true to replace it, or choose another output_dir"
        )
    if status == "trained":
        raise FctuneError(
            f"output_dir {out} holds a trained run whose evaluation did not finish: run "
            f"`python -m eval --model MODEL --adapter {out} --data {out}/data --compare`, or pass "
            f"--overwrite_output_dir true to train again"
        )
    if status == "finished":
        raise FctuneError(
            f"output_dir {out} holds a finished run with these settings: pass "
            f"--overwrite_output_dir true to train again"
        )
    checkpoints = complete_checkpoints(out)
    return str(checkpoints[-1]) if checkpoints else None


REPLACE = "replace"  # resume_point's answer: the caller moves the old run aside and starts afresh


def move_aside(out: Path) -> Path:
    """Renames a run about to be replaced; it is deleted once the new run starts, restored if it fails first."""
    aside = out.with_name(f".{out.name}.replaced")
    if aside.exists():
        shutil.rmtree(aside)
    out.rename(aside)
    return aside


def _not_started(out: Path) -> bool:
    """Nothing in `out` but what a run writes before it starts: its data build, and what an interrupted
    data build or a running evaluation leaves beside it (partial directories, lock files)."""
    started = {p for p in out.iterdir()} - set(partial_dirs(out / "data")) - {out / "data"}
    return all(p.name.startswith(".") and p.name.endswith(".lock") for p in started)


def _last(out: Path) -> str:
    checkpoints = complete_checkpoints(out)
    if not checkpoints:
        raise FctuneError(f"resume_from_checkpoint: {out} has no complete checkpoint to resume from")
    return str(checkpoints[-1])


def _checkpoint_path(path: str) -> str:
    if not (Path(path) / "trainer_state.json").is_file():
        raise FctuneError(f"resume_from_checkpoint: {path} is not a complete checkpoint (no trainer_state.json)")
    return path


def _read_run(out: Path) -> dict:
    try:
        return json.loads((out / RUN_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def write_config(out: Path, resolved: dict) -> None:
    header = "# Every setting of this run, resolved. `python -m train THIS_FILE` runs it again.\n"
    write_atomic(out / CONFIG_FILE, header + yaml.safe_dump(resolved, sort_keys=True, allow_unicode=True))


def start_run(
    out: Path,
    config_path: str,
    model_name: str,
    manifest: dict,
    world_size: int,
    quantization: dict | None,
    placement: dict,
) -> dict:
    """run.json as training starts. `placement`: where the model trains and in which dtype (with
    mixed_precision, the autocast dtype or `no`), since step times and figures depend on both."""
    info = _read_run(out)
    info.update(
        {
            "status": "running",
            "config": config_path,
            "model": model_name,
            "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "command": [Path(sys.argv[0]).name, *sys.argv[1:]],  # secrets redacted by train.config
            "world_size": world_size,
            "quantization": quantization,
            **placement,
            **provenance(),
            "data": {
                "path": manifest.get("source"),
                "manifest_hash": manifest.get("hash"),
                "family": manifest.get("family"),
            },
        }
    )
    write_atomic(out / RUN_FILE, json.dumps(info, indent=2) + "\n")
    return info


def update_run(out: Path, **fields) -> None:
    info = _read_run(out)
    info.update(fields)
    write_atomic(out / RUN_FILE, json.dumps(info, indent=2) + "\n")
