"""One loader for every source of examples.

    builtin                       our embedded dataset (no download)
    bfcl:simple,irrelevance       BFCL categories, from an installed bfcl-eval or --bfcl-dir
    PATH                          a CSV, JSON (array), JSONL or Parquet file, or a directory
                                  holding train/validation/test files in those formats
    PATH (with manifest.json)     a directory written by `python -m data build`
    OWNER/NAME[@REVISION]         a Hugging Face Hub dataset (HF_TOKEN is used when set)

Local files and Hub datasets both go through `datasets.load_dataset`; every raw row
is then normalised and checked the same way, so a bad row is reported with its file,
row number and column whatever the source.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from tqdm import tqdm

from data.cells import functions_in_text, parse_functions, parse_response
from data.schema import Example, SchemaError
from data.validate import Problem, check_example

SPLITS = ("train", "validation", "test")
SPLIT_ALIASES = {"train": "train", "validation": "validation", "valid": "validation", "val": "validation",
                 "dev": "validation", "test": "test"}
FILE_FORMATS = {".csv": "csv", ".json": "json", ".jsonl": "json", ".parquet": "parquet"}
HUB_ID = re.compile(r"^[\w.-]+(/[\w.-]+)?(@[\w./-]+)?$")


class SourceError(ValueError):
    """A source that cannot be read at all (as opposed to bad rows inside it)."""


@dataclass
class Columns:
    """Which source column holds each field. Defaults are the Trelis dataset's names."""

    functions: str = "functionList"
    system: str = "systemPrompt"
    user: str = "userPrompt"
    response: str = "assistantResponse"

    @classmethod
    def parse(cls, pairs: list[str]) -> Columns:
        """From `field=column` strings, e.g. ["user=question", "response=answer"]."""
        names = [f.name for f in fields(cls)]
        out = cls()
        for pair in pairs:
            key, sep, value = pair.partition("=")
            if not sep or key not in names or not value:
                raise SourceError(f"bad --column {pair!r}: expected FIELD=COLUMN with FIELD one of {', '.join(names)}")
            setattr(out, key, value)
        return out


@dataclass
class Loaded:
    splits: dict[str, list[Example]]
    problems: list[Problem] = field(default_factory=list)
    info: dict = field(default_factory=dict)  # what was read, for the manifest


def load_source(source: str, columns: Columns | None = None, bfcl_dir: str | None = None) -> Loaded:
    columns = columns or Columns()
    if source == "builtin":
        from data.builtin import load_builtin

        return Loaded(load_builtin(), info={"source": source, "kind": "builtin"})
    if source.startswith("bfcl:"):
        from data.bfcl import BfclError, find_data_dir, load_bfcl

        categories = [c for c in source[len("bfcl:"):].split(",") if c]
        try:
            data_dir = find_data_dir(bfcl_dir)
            examples = load_bfcl(categories, data_dir)
        except BfclError as e:
            raise SourceError(str(e)) from None
        return Loaded({"test": examples}, info={"source": source, "kind": "bfcl", "path": str(data_dir)})
    path = Path(source)
    if path.is_dir() and (path / "manifest.json").is_file():
        return _load_built(path)
    if path.exists():
        return _load_local(path, columns)
    if HUB_ID.match(source) and not source.startswith((".", "/")) and path.suffix not in FILE_FORMATS:
        repo, _, revision = source.partition("@")
        return load_hub(repo, revision or None, columns)
    raise SourceError(f"{source}: no such file or directory, and not a Hub dataset id (OWNER/NAME[@REVISION])")


def load_hub(repo: str, revision: str | None, columns: Columns) -> Loaded:
    """A Hub dataset, all of its splits. `repo` may also be a local directory laid out like one."""
    import datasets

    label = f"{repo}@{revision}" if revision else repo
    try:
        dsets = datasets.load_dataset(repo, revision=revision, token=os.environ.get("HF_TOKEN") or None)
    except Exception as e:  # network, auth, missing repo or branch: all end the same way for the user
        reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise SourceError(f"cannot load {label} from the Hugging Face Hub: {reason}") from None
    loaded = Loaded({}, info={"source": label, "kind": "hub", "repo": repo, "revision": revision or "main",
                              "columns": asdict(columns)})
    for name, rows in dsets.items():
        split = SPLIT_ALIASES.get(name)
        if split is None:
            loaded.info.setdefault("ignored_splits", []).append(name)
            continue
        _add_split(loaded, split, rows, f"{label} [{name}]", columns)
    return loaded


def _load_local(path: Path, columns: Columns) -> Loaded:
    if path.is_file():
        files = {"train": path}
    else:
        files = {}
        for f in sorted(path.iterdir()):
            split = SPLIT_ALIASES.get(f.stem)
            if split and f.suffix in FILE_FORMATS:
                if split in files:
                    raise SourceError(f"{path}: two files for the {split} split: {files[split].name} and {f.name}")
                files[split] = f
        if not files:
            raise SourceError(f"{path}: no train/validation/test file (.csv, .json, .jsonl or .parquet) in this directory")
    loaded = Loaded({}, info={"source": str(path), "kind": "local", "files": {s: str(f) for s, f in files.items()},
                              "columns": asdict(columns)})
    for split, f in files.items():
        _add_split(loaded, split, read_table(f), str(f), columns)
    return loaded


def read_table(path: Path):
    """A local file as a `datasets.Dataset`; unreadable or empty files are a SourceError naming the file."""
    import datasets

    fmt = FILE_FORMATS.get(path.suffix)
    if fmt is None:
        raise SourceError(f"{path}: unsupported file type {path.suffix!r} (use .csv, .json, .jsonl or .parquet)")
    if not os.access(path, os.R_OK):
        raise SourceError(f"{path}: the file cannot be read (permission denied)")
    if path.stat().st_size == 0:
        raise SourceError(f"{path}: the file is empty")
    try:
        rows = datasets.load_dataset(fmt, data_files=str(path), split="train")
    except Exception as e:  # pyarrow, pandas and json each raise their own types
        raise SourceError(f"{path}: cannot be read as {fmt.upper()}: {_json_error(path) or _first_line(e)}") from None
    if len(rows) == 0:
        raise SourceError(f"{path}: the file holds no rows")
    return rows


def _first_line(e: Exception) -> str:
    text = str(e).strip()
    return text.splitlines()[-1] if text else type(e).__name__


def _json_error(path: Path) -> str | None:
    """Where a JSON or JSONL file is broken, by line, which the datasets error does not say."""
    if path.suffix not in (".json", ".jsonl"):
        return None
    text = path.read_text(encoding="utf-8", errors="replace")
    if text.lstrip().startswith("["):
        try:
            json.loads(text)
        except json.JSONDecodeError as e:
            return f"line {e.lineno}: {e.msg}"
        return None
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                json.loads(line)
            except json.JSONDecodeError as e:
                return f"line {n}: {e.msg}"
    return None


def _add_split(loaded: Loaded, split: str, rows, where: str, columns: Columns) -> None:
    examples, problems = normalise_rows(rows, where, columns, id_prefix=f"{split}")
    loaded.splits.setdefault(split, []).extend(examples)
    loaded.problems.extend(problems)


def normalise_rows(rows, where: str, columns: Columns, id_prefix: str) -> tuple[list[Example], list[Problem]]:
    """Raw rows (a datasets.Dataset) to examples; rows with any problem are left out and reported."""
    present = set(rows.column_names)
    required = [columns.user, columns.response]
    if columns.functions not in present and columns.system not in present:
        required.append(columns.functions)
    for name in required:
        if name not in present:
            raise SourceError(f"{where}: missing column {name!r} (columns: {', '.join(rows.column_names)}); "
                              f"name yours with --column FIELD=COLUMN")
    has_functions, has_system = columns.functions in present, columns.system in present
    examples, problems = [], []
    for i, row in enumerate(tqdm(rows, desc=f"reading {Path(where).name}", unit="row", leave=False)):
        row_problems: list[tuple[str, str]] = []
        ex = Example(user=_cell_text(row[columns.user]), functions=[],
                     system=_cell_text(row[columns.system]) if has_system else "",
                     meta={"id": f"{id_prefix}-{i + 1}", "row": i + 1})
        try:
            if has_functions and row[columns.functions] not in (None, ""):
                ex.functions = parse_functions(row[columns.functions])
            elif ex.system:
                ex.functions, ex.functions_in_system = functions_in_text(ex.system), True
        except SchemaError as e:
            row_problems.append((columns.functions, f"unparsable function metadata: {e}"))
        try:
            ex.calls, ex.text = parse_response(row[columns.response])
            if not ex.calls and not ex.text:
                row_problems.append((columns.response, "empty answer"))
        except SchemaError as e:
            row_problems.append((columns.response, f"unparsable call: {e}"))
        if not row_problems:
            fn_column = columns.system if ex.functions_in_system else columns.functions
            names = {"user": columns.user, "functions": fn_column, "response": columns.response}
            row_problems = [(names[f], reason) for f, reason in check_example(ex)]
        if row_problems:
            problems.extend(Problem(where, i + 1, col, reason) for col, reason in row_problems)
        else:
            examples.append(ex)
    return examples, problems


def _cell_text(value) -> str:
    return "" if value is None else str(value)


def _load_built(path: Path) -> Loaded:
    """A directory written by `python -m data build`: its examples, exactly as built."""
    manifest = json.loads((path / "manifest.json").read_text())
    loaded = Loaded({}, info={"source": str(path), "kind": "built", "manifest": manifest})
    for split in SPLITS:
        f = path / f"{split}.jsonl"
        if not f.is_file():
            continue
        examples = []
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            try:
                examples.append(Example.from_record(json.loads(json.loads(line)["example"])))
            except (json.JSONDecodeError, KeyError, TypeError, SchemaError) as e:
                raise SourceError(f"{f}: line {n}: not a row written by `python -m data build` ({e})") from None
        loaded.splits[split] = examples
    return loaded
