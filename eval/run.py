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
from dataclasses import asdict, dataclass, field
from pathlib import Path

from data.render import FAMILIES, chat_template, render
from data.schema import Example
from eval.bfcl_score import bfcl_summary, check_bfcl
from eval.metrics import aggregate, score_example
from eval.parse import parse_output


class EvalError(ValueError):
    pass


@dataclass
class Settings:
    """What an evaluation ran with; report.json records it and a resumed run must match it."""

    model: str
    adapter: str | None
    data: str
    split: str
    family: str
    system_prompt: str = ""
    max_samples: int | None = None
    seed: int = 0
    max_new_tokens: int = 256
    max_length: int = 2048
    dtype: str = "bfloat16"
    models: list[str] = field(default_factory=list)  # "base", "adapter" or both (--compare)
    adapter_sha256: str | None = None  # a retrained adapter at the same path is another evaluation

    def same_run(self, other: dict) -> bool:
        return asdict(self) == other


def load_examples(source: str, split: str, max_samples: int | None, seed: int) -> tuple[list[Example], dict]:
    """Rows to evaluate (a seeded sample of `max_samples`, stratified by kind, kept in source order) and the
    build manifest, if any."""
    from data.bfcl import BfclError, load_bfcl
    from data.sources import SourceError, load_source, read_build_manifest

    try:
        if source.startswith("bfcl:"):
            # Straight from BFCL's files: rows whose ground truth contradicts their docs stay in, as in BFCL.
            examples = load_bfcl([c.strip() for c in source[5:].split(",") if c.strip()])
        else:
            loaded = load_source(source)
            if split not in loaded.splits or not loaded.splits[split]:
                have = ", ".join(s for s, rows in loaded.splits.items() if rows)
                raise EvalError(f"{source} has no {split!r} split (it has: {have}); choose one with --split")
            examples = loaded.splits[split]
            if loaded.problems:
                print(f"note: {len(loaded.problems)} invalid row(s) of {source} left out "
                      f"(`python -m data validate --source {source}` lists them)")
    except (SourceError, BfclError) as e:
        raise EvalError(str(e)) from None
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
    from data.sources import FILE_FORMATS, SourceError, read_table

    path = Path(source)
    if not (path.is_file() and path.suffix in FILE_FORMATS):
        return None
    try:
        table = read_table(path)
    except SourceError:
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


def family_of(tokenizer) -> str | None:
    """The v2 family whose chat template the tokenizer carries (fctune saves one with every adapter)."""
    from data.tokens import adds_bos

    for name in FAMILIES:
        if tokenizer.chat_template == chat_template(name, adds_bos(tokenizer)):
            return name
    return None


class Predictions:
    """DIR/predictions.jsonl: one line per (model, row), appended and flushed as outputs arrive."""

    def __init__(self, out: Path, settings: Settings, overwrite: bool):
        self.path = out / "predictions.jsonl"
        settings_path = out / "settings.json"
        out.mkdir(parents=True, exist_ok=True)
        if settings_path.is_file() and not overwrite:
            old = json.loads(settings_path.read_text())
            if not settings.same_run(old):
                changed = sorted(k for k, v in asdict(settings).items() if old.get(k) != v)
                raise EvalError(f"{out} holds an evaluation with other settings ({', '.join(changed)}): "
                                f"pass --overwrite to replace it, or choose another --out")
        elif overwrite:
            for name in ("predictions.jsonl", "report.json", "report.md", "report.png"):
                (out / name).unlink(missing_ok=True)
        settings_path.write_text(json.dumps(asdict(settings), indent=2) + "\n")
        self.done: dict[tuple[str, int], str] = {}
        if self.path.is_file():
            kept = []
            for line in self.path.read_text(encoding="utf-8").splitlines():
                try:
                    row = json.loads(line)
                    self.done[(row["model"], row["index"])] = row["output"]
                except (ValueError, KeyError):
                    break  # a line cut by an interruption: it and anything after are redone
                kept.append(line + "\n")
            self.path.write_text("".join(kept), encoding="utf-8")
        self._file = None

    def add(self, model: str, index: int, ex: Example, prompt: str, output: str, verdict: dict) -> None:
        if self._file is None:
            self._file = self.path.open("a", encoding="utf-8")
        row = {"model": model, "index": index, "id": ex.meta.get("id"), "prompt": prompt, "output": output,
               "parsed": verdict["predicted"], "expected": verdict["expected"] or ex.text,
               "verdict": verdict["verdict"], "reason": verdict["reason"], "score": verdict}
        self._file.write(json.dumps(row, ensure_ascii=False) + "\n")
        self._file.flush()
        self.done[(model, index)] = output


def score(ex: Example, output: str) -> dict:
    verdict = score_example(ex, output)
    if "bfcl" in ex.meta:
        correct, reason = check_bfcl(ex, parse_output(output).calls)
        verdict["bfcl"] = {"category": ex.meta["bfcl"]["category"], "correct": correct, "reason": reason}
    return verdict


def as_model(model, label: str, settings: Settings):
    """The model as `label`: "base" is the same weights with the adapter disabled (no second model in memory)."""
    return model.disable_adapter() if label == "base" and settings.adapter else contextlib.nullcontext()


def loss_only(model, tokenizer, pairs: list[tuple[str, str]], settings: Settings, out: Path, batch_size: int,
              overwrite: bool = False) -> dict:
    from eval.generate import completion_loss
    from eval.report import write_report

    Predictions(out, settings, overwrite)  # the same check of an evaluation already in `out`
    results = {}
    for label in settings.models:
        with as_model(model, label, settings):
            results[label] = {"loss": completion_loss(model, tokenizer, [p for p, _ in pairs], [c for _, c in pairs],
                                                      batch_size, settings.max_length)}
    return write_report(out, settings, results)


def evaluate_model(label: str, model, tokenizer, examples: list[Example], settings: Settings,
                   predictions: Predictions, batch_size: int, progress) -> dict:
    """Loss and call accuracy of one model over the examples; outputs go to `predictions`."""
    from eval.generate import completion_loss, generate

    pairs = [render(ex, settings.family, settings.system_prompt) for ex in examples]
    figures = {"loss": completion_loss(model, tokenizer, [p for p, _ in pairs], [c for _, c in pairs],
                                       batch_size, settings.max_length)}
    verdicts = {i: score(ex, predictions.done[(label, i)]) for i, ex in enumerate(examples)
                if (label, i) in predictions.done}  # resumed
    todo = [i for i in range(len(examples)) if i not in verdicts]
    bar = progress(total=len(examples), initial=len(verdicts), desc=f"generating ({label})", unit="row")
    for i, output in generate(model, tokenizer, [pairs[i][0] for i in todo], batch_size, settings.max_new_tokens):
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


def evaluate(model, tokenizer, examples: list[Example], settings: Settings, out: Path, batch_size: int,
             overwrite: bool = False) -> dict:
    """Every model of `settings.models` over the examples, then the report; resumable."""
    from tqdm import tqdm

    from eval.report import write_report

    predictions = Predictions(out, settings, overwrite)
    results = {}
    for label in settings.models:
        with as_model(model, label, settings):
            results[label] = evaluate_model(label, model, tokenizer, examples, settings, predictions, batch_size,
                                            tqdm)
    return write_report(out, settings, results)
