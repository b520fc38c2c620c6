"""An evaluation: which rows, which models, and the predictions file that makes it resumable.

Each model ("base", "adapter") gets the completion-only loss of the expected answers and
greedy outputs scored by `eval.metrics` (and `eval.bfcl_score` on BFCL rows). Every
output is appended to DIR/predictions.jsonl as soon as its batch is done; a re-run with
the same settings reads them back and generates only what is missing.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import random
from pathlib import Path

from data.common import FctuneError, exclusive
from data.models import placement
from data.render import render
from data.schema import Example
from eval.bfcl_score import bfcl_summary, check_bfcl
from eval.metrics import aggregate, score_example
from eval.parse import parse_output
from eval.settings import IDENTITY, EvalSettings

# What an evaluation writes into its directory; any other file there is someone else's.
OWN_FILES = ("settings.json", "predictions.jsonl", "report.json", "report.md", "report.png")
_OWN = {*OWN_FILES, *(f".{name}.tmp" for name in OWN_FILES)}  # write_atomic's, left by an interruption


def identity(settings: EvalSettings) -> dict:
    """What decides the figures: report.json records it, and a resumed evaluation must match it."""
    out = {key: getattr(settings, key) for key in IDENTITY}
    out["models"] = settings.models()
    out["adapter_sha256"] = adapter_fingerprint(settings.adapter)
    return out


def load_examples(source: str, split: str, max_samples: int | None, seed: int) -> tuple[list[Example], dict]:
    """Rows to evaluate (a seeded sample of `max_samples`, stratified by kind, kept in source order) and the
    build manifest, if any."""
    from data.bfcl import load_bfcl, source_categories
    from data.sources import load_source, read_build_manifest

    if source.startswith("bfcl:"):
        # Straight from BFCL's files: rows whose ground truth contradicts their docs stay in, as in BFCL.
        examples = load_bfcl(source_categories(source))
    else:
        loaded = load_source(source)
        if split not in loaded.splits or not loaded.splits[split]:
            have = ", ".join(s for s, rows in loaded.splits.items() if rows)
            raise FctuneError(f"{source} has no {split!r} split (it has: {have}); choose one with --split")
        examples = loaded.splits[split]
        if loaded.problems:
            print(
                f"note: {len(loaded.problems)} invalid row(s) of {source} left out "
                f"(`python -m data validate --source {source}` lists them)"
            )
    if max_samples is not None and max_samples < len(examples):
        examples = [examples[i] for i in stratified_sample([ex.kind for ex in examples], max_samples, seed)]
    manifest = read_build_manifest(Path(source)) if not source.startswith("bfcl:") else None
    return examples, manifest or {}


def adapter_fingerprint(adapter: str | None) -> str | None:
    if adapter is None:
        return None
    digest = hashlib.sha256()
    for path in sorted(Path(adapter).glob("adapter_model.*")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def prompt_completion_rows(source: str, max_samples: int | None, seed: int) -> list[tuple[str, str]] | None:
    """Rows of a file in TRL's prompt-completion format (rendered text, no functions or calls), or None.

    Such rows have no structured answers: only their loss can be measured."""
    from data.sources import FILE_FORMATS, read_table

    path = Path(source)
    if not (path.is_file() and path.suffix in FILE_FORMATS):
        return None
    try:
        table = read_table(path)
    except FctuneError:
        return None  # load_examples reports it
    if not {"prompt", "completion"} <= set(table.columns) or "userPrompt" in table.columns:
        return None
    pairs = [(str(r["prompt"]), str(r["completion"])) for r in table.rows]
    if max_samples is not None and max_samples < len(pairs):
        pairs = [pairs[i] for i in sorted(random.Random(seed).sample(range(len(pairs)), max_samples))]
    return pairs


def stratified_sample(kinds: list[str], n: int, seed: int) -> list[int]:
    """n indices, seeded, with each kind (call, no_call, ask) in its share of the whole, in source order."""
    rng = random.Random(seed)
    groups: dict[str, list[int]] = {}
    for i, kind in enumerate(kinds):
        groups.setdefault(kind, []).append(i)
    quotas = {k: round(n * len(g) / len(kinds)) for k, g in groups.items()}
    largest = max(groups, key=lambda k: len(groups[k]))
    quotas[largest] += n - sum(quotas.values())  # rounding leftovers go to the largest group
    return sorted(i for k, g in groups.items() for i in rng.sample(g, min(len(g), max(0, quotas[k]))))


class Predictions:
    """DIR/predictions.jsonl: one line per (model, row), appended and flushed as outputs arrive.

    DIR is an evaluation's own directory: it holds only the files an evaluation writes, with
    its settings.json. A directory holding anything else is refused, so an evaluation never
    empties a file it did not write; `overwrite` replaces an evaluation with other settings."""

    def __init__(self, out: Path, settings: dict, overwrite: bool):
        self.path = out / "predictions.jsonl"
        check_out_dir(out)
        out.mkdir(parents=True, exist_ok=True)
        settings_path = out / "settings.json"
        if settings_path.is_file():
            old = _read_settings(settings_path)
            if old != settings and not overwrite:
                changed = sorted(k for k in set(old) | set(settings) if old.get(k) != settings.get(k))
                raise FctuneError(
                    f"{out} holds an evaluation with other settings ({', '.join(changed)}): "
                    f"pass --overwrite to replace it, or choose another --out"
                )
            if old != settings:
                for name in OWN_FILES:
                    (out / name).unlink(missing_ok=True)
        settings_path.write_text(json.dumps(settings, indent=2) + "\n")
        self.done: dict[tuple[str, int], str] = {}
        if self.path.is_file():
            kept = []
            for line in self.path.read_text(encoding="utf-8").splitlines():
                try:
                    row = json.loads(line)
                    self.done[(row["model"], row["index"])] = row["output"]
                except (ValueError, KeyError, TypeError):
                    break  # a line cut by an interruption: it and anything after are redone
                kept.append(line + "\n")
            self.path.write_text("".join(kept), encoding="utf-8")
        self._file = None

    def add(self, model: str, index: int, ex: Example, prompt: str, output: str, verdict: dict) -> None:
        if self._file is None:
            self._file = self.path.open("a", encoding="utf-8")
        row = {
            "model": model,
            "index": index,
            "id": ex.meta.get("id"),
            "prompt": prompt,
            "output": output,
            "parsed": verdict["predicted"],
            "expected": verdict["expected"] or ex.text,
            "verdict": verdict["verdict"],
            "reason": verdict["reason"],
            "score": verdict,
        }
        self._file.write(json.dumps(row, ensure_ascii=False, allow_nan=False) + "\n")
        self._file.flush()
        self.done[(model, index)] = output


def check_out_dir(out: Path) -> None:
    """Refuses an --out that is a file, or a directory holding files an evaluation did not write."""
    if out.exists() and not out.is_dir():
        raise FctuneError(f"--out {out} is a file: an evaluation writes a directory")
    if not out.is_dir() or not any(out.iterdir()):
        return
    foreign = sorted(p.name for p in out.iterdir() if p.name not in _OWN or p.is_dir())
    if not (out / "settings.json").is_file():
        foreign = sorted(p.name for p in out.iterdir())
    if foreign:
        raise FctuneError(
            f"--out {out} holds files an evaluation did not write ({', '.join(foreign[:3])}"
            f"{', ...' if len(foreign) > 3 else ''}): choose another --out"
        )


def _read_settings(path: Path) -> dict:
    try:
        settings = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        settings = None
    if not isinstance(settings, dict):
        raise FctuneError(f"{path} is not the settings file of an evaluation: choose another --out")
    return settings


def score(ex: Example, output: str) -> dict:
    verdict = score_example(ex, output)
    if "bfcl" in ex.meta:
        correct, reason = check_bfcl(ex, parse_output(output).calls)
        verdict["bfcl"] = {"category": ex.meta["bfcl"]["category"], "correct": correct, "reason": reason}
    return verdict


def as_model(model, label: str, settings: EvalSettings):
    """The model as `label`: "base" is the same weights with the adapter disabled (no second model in memory)."""
    return model.disable_adapter() if label == "base" and settings.adapter else contextlib.nullcontext()


def loss_only(model, tokenizer, pairs: list[tuple[str, str]], settings: EvalSettings, out: Path) -> dict:
    """The completion loss of rendered prompt/completion pairs (rows with no calls to compare)."""
    from eval.generate import completion_loss
    from eval.report import write_report

    Predictions(out, identity(settings), settings.overwrite)  # the same check of an evaluation already there
    results = {}
    for label in settings.models():
        with as_model(model, label, settings):
            results[label] = {
                "loss": completion_loss(
                    model,
                    tokenizer,
                    [p for p, _ in pairs],
                    [c for _, c in pairs],
                    settings.batch_size,
                    settings.max_length,
                )
            }
    return write_report(out, identity(settings), placement(model), results)


def evaluate_model(
    label: str, model, tokenizer, examples: list[Example], settings: EvalSettings, predictions: Predictions
) -> dict:
    """Loss and call accuracy of one model over the examples; outputs go to `predictions`."""
    from tqdm import tqdm

    from eval.generate import completion_loss, generate

    pairs = [render(ex, settings.family, settings.system_prompt) for ex in examples]
    figures = {
        "loss": completion_loss(
            model, tokenizer, [p for p, _ in pairs], [c for _, c in pairs], settings.batch_size, settings.max_length
        )
    }
    verdicts = {
        i: score(ex, predictions.done[(label, i)]) for i, ex in enumerate(examples) if (label, i) in predictions.done
    }  # resumed
    todo = [i for i in range(len(examples)) if i not in verdicts]
    bar = tqdm(total=len(examples), initial=len(verdicts), desc=f"generating ({label})", unit="row")
    for i, output in generate(
        model, tokenizer, [pairs[i][0] for i in todo], settings.batch_size, settings.max_new_tokens
    ):
        index = todo[i]
        verdicts[index] = score(examples[index], output)
        predictions.add(label, index, examples[index], pairs[index][0], output, verdicts[index])
        bar.update(1)
    bar.close()
    verdicts = [verdicts[i] for i in range(len(examples))]
    figures["calls"] = aggregate(examples, verdicts)
    bfcl = [(v["bfcl"]["category"], v["bfcl"]["correct"]) for v in verdicts if "bfcl" in v]
    if bfcl:
        figures["bfcl"] = bfcl_summary(bfcl)
    return figures


def evaluate(model, tokenizer, examples: list[Example], settings: EvalSettings, out: Path) -> dict:
    """Every model of the settings over the examples, then the report; resumable. The caller holds the lock
    of `out` (data.common.exclusive): one evaluation per directory."""
    from eval.report import write_report

    predictions = Predictions(out, identity(settings), settings.overwrite)
    results = {}
    for label in settings.models():
        with as_model(model, label, settings):
            results[label] = evaluate_model(label, model, tokenizer, examples, settings, predictions)
    return write_report(out, identity(settings), placement(model), results)


def evaluate_training_run(config, built, model, tokenizer, sharded: bool) -> dict | None:
    """The evaluation after training: the trained adapter (and its base) with the config's eval_* settings,
    into OUTPUT_DIR/eval. `config` is a training config (train.config.Config); `built` its data build."""
    from eval.settings import from_training

    out = Path(config.train.output_dir)
    settings = from_training(
        config.evaluation,
        model=config.model.model_name_or_path,
        adapter=str(out),
        family=built.family,
        system_prompt=built.system,
        max_length=config.train.max_length,
        dtype=config.model.dtype or "auto",
        overwrite=True,
    )
    settings.data = settings.data or str(built.path)
    if sharded:  # no single process holds the whole model
        print(
            f"evaluate with: python -m eval --model {settings.model} --adapter {out} --data {settings.data} "
            f"--compare (not run in this sharded job)"
        )
        return None
    examples, _ = load_examples(settings.data, settings.split, settings.max_samples, settings.seed)
    model.eval()
    model.config.use_cache = True
    with exclusive(out / "eval", "an evaluation"):
        report = evaluate(model, tokenizer, examples, settings, out / "eval")
    print((out / "eval" / "report.md").read_text())
    print(f"evaluation: {out / 'eval' / 'report.md'}")
    return report
