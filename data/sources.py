"""One loader for every source of examples.

    builtin                       our embedded dataset (no download)
    builtin:ask-twins             its variant whose training rows have ask twins (data/builtin)
    bfcl:simple,irrelevance       BFCL categories, from an installed bfcl-eval or --bfcl-dir
    PATH                          a CSV, JSON (array), JSONL or Parquet file, or a directory
                                  holding train/validation/test files in those formats
    PATH (with manifest.json)     a directory written by `python -m data build`
    OWNER/NAME[@REVISION]         a Hugging Face Hub dataset (HF_TOKEN is used when set)

CSV and JSON are read with the standard library, so every cell arrives exactly as
written (no guessed number types, no "None" read as missing). Parquet files and Hub
datasets come through Arrow, which merges nested cells into one struct type across
rows: such cells are reported, not trusted. Rows in other formats (OpenAI/TRL messages,
ShareGPT, Hermes, xLAM, Glaive) are read by data/formats.py. Every row of every source is
then normalised and checked the same way, and a bad row is reported with its file, row
number and column.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from tqdm import tqdm

from data.arrow import ArrowRows
from data.cells import functions_in_text, parse_functions, parse_response
from data.common import FctuneError, error_summary
from data.render import FORMAT_VERSION
from data.schema import Example, SchemaError, no_duplicate_keys
from data.validate import Problem, check_example

SPLITS = ("train", "validation", "test")
SPLIT_ALIASES = {
    "train": "train",
    "validation": "validation",
    "valid": "validation",
    "val": "validation",
    "dev": "validation",
    "test": "test",
}
FILE_FORMATS = {".csv": "csv", ".json": "json", ".jsonl": "json", ".parquet": "parquet"}
HUB_ID = re.compile(r"^[\w.-]+(/[\w.-]+)?(@[\w./-]+)?$")


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
                raise FctuneError(f"bad --column {pair!r}: expected FIELD=COLUMN with FIELD one of {', '.join(names)}")
            setattr(out, key, value)
        return out


@dataclass
class Loaded:
    splits: dict[str, list[Example]]
    problems: list[Problem] = field(default_factory=list)
    info: dict = field(default_factory=dict)  # what was read, for the manifest


def load_source(
    source: str, columns: Columns | None = None, bfcl_dir: str | None = None, fmt: str | None = None
) -> Loaded:
    """`fmt` names the rows' format (data/formats.py) where the columns would not tell it."""
    columns = columns or Columns()
    builtin = source == "builtin" or source.startswith("builtin:")
    if fmt is not None and (builtin or source.startswith("bfcl:") or read_build_manifest(Path(source))):
        raise FctuneError(f"{source}: --format applies to files and Hub datasets, not to this source")
    if builtin:
        from data.builtin import VARIANTS, load_builtin

        if source not in VARIANTS:
            raise FctuneError(f"{source}: no such variant of the builtin dataset; there are {', '.join(VARIANTS)}")
        loaded = Loaded({}, info={"source": source, "kind": "builtin"})
        for split, examples in load_builtin(**VARIANTS[source]).items():
            _add_checked(loaded, split, examples, lambda i, s=split: (f"builtin [{s}]", i + 1))
    elif source.startswith("bfcl:"):
        loaded = _load_bfcl(source, bfcl_dir)
    else:
        path = Path(source)
        manifest = read_build_manifest(path)
        if manifest is not None:
            loaded = _load_built(path, manifest)
        elif path.exists():
            loaded = _load_local(path, columns, fmt)
        elif HUB_ID.match(source) and not source.startswith((".", "/")) and path.suffix not in FILE_FORMATS:
            repo, _, revision = source.partition("@")
            loaded = load_hub(repo, revision or None, columns, fmt)
        else:
            raise FctuneError(f"{source}: no such file or directory, and not a Hub dataset id (OWNER/NAME[@REVISION])")
    if not any(loaded.splits.values()) and not loaded.problems:
        raise FctuneError(f"{source}: no rows")
    return loaded


def read_build_manifest(path: Path) -> dict | None:
    """The manifest of a directory written by `python -m data build`, or None if it is not one."""
    try:
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) and manifest.get("format_version") == FORMAT_VERSION else None


def _load_bfcl(source: str, bfcl_dir: str | None) -> Loaded:
    from data.bfcl import find_data_dir, load_bfcl, source_categories

    data_dir = find_data_dir(bfcl_dir)
    examples = load_bfcl(source_categories(source), data_dir)
    loaded = Loaded({}, info={"source": source, "kind": "bfcl", "path": str(data_dir)})
    # Each row's file and number within it (its line: the files have no blank lines).
    positions, counts = [], {}
    for ex in examples:
        category = ex.meta["bfcl"]["category"]
        counts[category] = counts.get(category, 0) + 1
        positions.append((str(data_dir / f"BFCL_v4_{category}.json"), counts[category]))
    _add_checked(
        loaded,
        "test",
        examples,
        lambda i: positions[i],
        {"user": "question", "functions": "function", "response": "ground_truth"},
    )
    return loaded


def _add_checked(loaded: Loaded, split: str, examples: list[Example], where, names: dict | None = None) -> None:
    """Examples that pass check_example; the others become problems at `where(index)`: (file, row)."""
    kept = loaded.splits.setdefault(split, [])
    for i, ex in enumerate(examples):
        found = check_example(ex)
        if found:
            file, row = where(i)
            loaded.problems.extend(Problem(file, row, (names or {}).get(f, f), reason) for f, reason in found)
        else:
            kept.append(ex)


def load_hub(repo: str, revision: str | None, columns: Columns, fmt: str | None = None) -> Loaded:
    """A Hub dataset, all of its splits. `repo` may also be a local directory laid out like one."""
    import datasets

    label = f"{repo}@{revision}" if revision else repo
    try:
        dsets = datasets.load_dataset(repo, revision=revision, token=os.environ.get("HF_TOKEN") or None)
    except Exception as e:  # network, auth, missing repo or branch: all end the same way for the user
        raise FctuneError(f"cannot load {label} from the Hugging Face Hub: {error_summary(e)}") from None
    loaded = Loaded(
        {},
        info={"source": label, "kind": "hub", "repo": repo, "revision": revision or "main", "columns": asdict(columns)},
    )
    for name, rows in dsets.items():
        split = SPLIT_ALIASES.get(name)
        if split is None:
            loaded.info.setdefault("ignored_splits", []).append(name)
            continue
        table = Table(rows.column_names, ArrowRows(rows.with_format("arrow")[:]), exact_nested=False)
        _add_split(loaded, split, table, f"{label} [{name}]", columns, fmt)
    return loaded


def _load_local(path: Path, columns: Columns, fmt: str | None) -> Loaded:
    from data.formats import check_columns  # it builds on this module

    if path.is_file():
        files = {"train": path}
    else:
        files = {}
        for f in sorted(path.iterdir()):
            split = SPLIT_ALIASES.get(f.stem)
            if split and f.suffix in FILE_FORMATS:
                if split in files:
                    raise FctuneError(f"{path}: two files for the {split} split: {files[split].name} and {f.name}")
                files[split] = f
        if not files:
            raise FctuneError(
                f"{path}: no train/validation/test file (.csv, .json, .jsonl or .parquet) in this directory"
            )
    loaded = Loaded(
        {},
        info={
            "source": str(path),
            "kind": "local",
            "files": {s: str(f) for s, f in files.items()},
            "columns": asdict(columns),
        },
    )
    for split, f in files.items():
        table = read_table(f, lambda present, f=f: check_columns(present, columns, fmt, str(f)))
        _add_split(loaded, split, table, str(f), columns, fmt)
    return loaded


@dataclass
class Table:
    """The raw rows of one file or split. `exact_nested`: decoded JSON cells are as written
    (the json module), not merged into one struct type across rows (Arrow)."""

    columns: list[str]
    rows: Sequence[dict]
    exact_nested: bool


def read_table(path: Path, check_columns: Callable[[list[str]], None] | None = None) -> Table:
    """A local file's rows; an unreadable or empty file is an FctuneError naming the file.

    `check_columns` sees the column names as soon as they are known (a CSV header, a
    Parquet schema), so a file without the columns needed fails before its rows are read."""
    fmt = FILE_FORMATS.get(path.suffix)
    if fmt is None:
        raise FctuneError(f"{path}: unsupported file type {path.suffix!r} (use .csv, .json, .jsonl or .parquet)")
    if not path.is_file() or not os.access(path, os.R_OK):
        raise FctuneError(f"{path}: the file cannot be read")
    if path.stat().st_size == 0:
        raise FctuneError(f"{path}: the file is empty")
    table = {"csv": _read_csv, "json": _read_json, "parquet": _read_parquet}[fmt](path, check_columns or _any)
    if not table.rows:
        raise FctuneError(f"{path}: the file holds no rows")
    return table


def _any(columns: list[str]) -> None:
    pass


def _read_text(path: Path) -> str:
    """The file as UTF-8 text (a BOM is dropped); a bad byte is named by its position in the file."""
    data = path.read_bytes()
    start = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        return data[start:].decode("utf-8")
    except UnicodeDecodeError as e:
        at = start + e.start
        raise FctuneError(
            f"{path}: not UTF-8 text: byte 0x{data[at]:02x} at byte {at + 1} "
            f"(line {data[:at].count(10) + 1}); save the file as UTF-8"
        ) from None


# csv's default limit (128 KiB a field) is smaller than a long function list; this bounds memory only.
CSV_FIELD_LIMIT = 2**30


def _read_csv(path: Path, check_columns) -> Table:
    reader = csv.reader(io.StringIO(_read_text(path), newline=""))
    previous = csv.field_size_limit(CSV_FIELD_LIMIT)  # csv's limit is process-wide: set back below
    start, rows = 1, []
    try:
        header = next(reader, [])
        for i, name in enumerate(header):
            if name in header[:i]:
                raise FctuneError(
                    f"{path}: the header names column {name!r} twice (columns {header.index(name) + 1} "
                    f"and {i + 1}); rename one"
                )
        check_columns(header)
        while True:
            start = reader.line_num + 1  # where the next record starts; a quoted cell can span lines
            record = next(reader, None)
            if record is None:
                break
            if not record:  # a blank line
                continue
            if len(record) > len(header):
                raise FctuneError(f"{path}: line {start}: {len(record)} fields, but the header has {len(header)}")
            rows.append(dict(zip(header, record + [None] * (len(header) - len(record)))))
    except csv.Error as e:
        raise FctuneError(f"{path}: cannot be read as CSV: the record starting on line {start}: {e}") from None
    finally:
        csv.field_size_limit(previous)
    return Table(header, rows, exact_nested=True)


def _read_json(path: Path, check_columns) -> Table:
    """A JSON array of objects, or JSON Lines (one object per line)."""
    text = _read_text(path)
    if text.lstrip().startswith("["):
        rows, where = _decode(path, text, None), lambda i: f"item {i + 1}"
        if not isinstance(rows, list):
            raise FctuneError(f"{path}: expected a JSON array of objects")
    else:  # split on "\n" only: JSON strings may hold other line separators, such as U+2028
        lines = [(n, line) for n, line in enumerate(text.split("\n"), 1) if line.strip()]
        rows, where = [_decode(path, line, n) for n, line in lines], lambda i: f"line {lines[i][0]}"
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise FctuneError(f"{path}: {where(i)}: expected a JSON object, got {type(row).__name__}")
    columns = list(dict.fromkeys(k for row in rows for k in row))
    check_columns(columns)
    return Table(columns, rows, exact_nested=True)


# Rows are JSON objects: duplicate keys are refused (one would silently win); NaN and
# lone surrogates are left to the row checks, which report them as bad rows.
_FILE_JSON = json.JSONDecoder(object_pairs_hook=no_duplicate_keys)


def _decode(path: Path, text: str, line: int | None):
    try:
        value, end = _FILE_JSON.raw_decode(text, len(text) - len(text.lstrip()))
        if text[end:].strip():
            raise json.JSONDecodeError("extra data after the value", text, end)
        return value
    except json.JSONDecodeError as e:
        raise FctuneError(f"{path}: cannot be read as JSON: line {line or e.lineno}: {e.msg}") from None
    except RecursionError:
        raise FctuneError(f"{path}: cannot be read as JSON: line {line or 1}: nested too deeply") from None
    except ValueError as e:  # a duplicate key, or an integer beyond Python's 4,300-digit conversion limit
        raise FctuneError(f"{path}: cannot be read as JSON: line {line or 1}: {e}") from None


def _read_parquet(path: Path, check_columns) -> Table:
    import pyarrow.parquet as pq

    try:
        check_columns(pq.read_schema(path).names)
        table = pq.read_table(path)
    except FctuneError:
        raise
    except Exception as e:  # pyarrow raises several types for a broken file
        raise FctuneError(f"{path}: cannot be read as Parquet: {error_summary(e)}") from None
    return Table(table.column_names, ArrowRows(table), exact_nested=False)


def _add_split(loaded: Loaded, split: str, table: Table, where: str, columns: Columns, fmt: str | None) -> None:
    from data.formats import read_split  # it builds on this module

    read = read_split(table, where, columns, fmt, id_prefix=split)
    if loaded.info.setdefault("format", read.format) != read.format:
        raise FctuneError(
            f"{where} is in the {read.format} format, other splits in {loaded.info['format']}; "
            f"use one format for all splits"
        )
    loaded.splits.setdefault(split, []).extend(read.examples)
    loaded.problems.extend(read.problems)
    if read.left_out is not None:
        loaded.info["valid_rows"] = loaded.info.get("valid_rows", 0) + read.valid_rows
        left = loaded.info.setdefault("left_out_turns", {})
        for reason, n in read.left_out.items():
            left[reason] = left.get(reason, 0) + n


def require_columns(present: list[str], columns: Columns, where: str) -> None:
    """The columns every row needs: user and response, and functions unless a system prompt carries them."""
    required = [columns.user, columns.response]
    if columns.functions not in present and columns.system not in present:
        required.append(columns.functions)
    for name in required:
        if name not in present:
            shown = ", ".join(present[:12]) + (", ..." if len(present) > 12 else "")
            raise FctuneError(
                f"{where}: missing column {name!r} (columns: {shown or 'none'}); name yours with --column FIELD=COLUMN"
            )


def normalise_rows(table: Table, where: str, columns: Columns, id_prefix: str) -> tuple[list[Example], list[Problem]]:
    """Raw rows to examples; rows with any problem are left out and reported."""
    require_columns(table.columns, columns, where)
    examples, problems = [], []
    for i, row in enumerate(tqdm(table.rows, desc=f"reading {Path(where).name}", unit="row", leave=False)):
        ex, found = _normalise_row(row, columns, table.exact_nested)
        if found:
            problems.extend(Problem(where, i + 1, col, reason) for col, reason in found)
        else:
            ex.meta = {"id": f"{id_prefix}-{i + 1}", "row": i + 1}
            examples.append(ex)
    return examples, problems


def _normalise_row(row: dict, columns: Columns, exact_nested: bool) -> tuple[Example, list[tuple[str, str]]]:
    found: list[tuple[str, str]] = []

    def text(column: str) -> str:
        value = row.get(column)
        if value is None or isinstance(value, str):
            return value or ""
        found.append((column, f"expected text, got {type(value).__name__} {value!r:.40}"))
        return ""

    def cell(column: str):
        value = row.get(column)
        if isinstance(value, (dict, list)) and not exact_nested:
            found.append(
                (
                    column,
                    "holds a nested value, which Arrow (Parquet, the Hub) stores with the keys of "
                    "every row merged; store this column as JSON text",
                )
            )
            return None
        return value

    ex = Example(user=text(columns.user), functions=[], system=text(columns.system))
    functions_cell = cell(columns.functions)
    functions_ok = True
    try:
        if functions_cell is not None and not (isinstance(functions_cell, str) and not functions_cell.strip()):
            ex.functions = parse_functions(functions_cell)
        elif columns.functions not in row and ex.system:
            ex.functions, ex.functions_in_system = functions_in_text(ex.system), True
    except SchemaError as e:
        found.append((columns.functions, f"unparsable function metadata: {e}"))
        functions_ok = False
    try:
        ex.calls, ex.text = parse_response(cell(columns.response))
        if not ex.calls and not ex.text:
            found.append((columns.response, "empty answer"))
    except SchemaError as e:
        found.append((columns.response, f"unparsable call: {e}"))
    fn_column = columns.system if ex.functions_in_system else columns.functions
    names = {"user": columns.user, "system": columns.system, "functions": fn_column, "response": columns.response}
    for field_name, reason in check_example(ex):
        if functions_ok or field_name != "response":  # calls cannot be checked against unreadable metadata
            found.append((names[field_name], reason))
    return ex, found


def _load_built(path: Path, manifest: dict) -> Loaded:
    """A directory written by `python -m data build`: its examples, exactly as built."""
    loaded = Loaded({}, info={"source": str(path), "kind": "built", "manifest": manifest})
    for split in SPLITS:
        f = path / f"{split}.jsonl"
        if not f.is_file():
            continue
        examples = []
        lines = [line for line in f.read_text(encoding="utf-8").split("\n") if line.strip()]
        for n, line in enumerate(lines, 1):
            try:
                examples.append(Example.from_record(json.loads(json.loads(line)["example"])))
            except (ValueError, KeyError, TypeError, RecursionError, SchemaError) as e:
                raise FctuneError(f"{f}: line {n}: not a row written by `python -m data build` ({e})") from None
        _add_checked(loaded, split, examples, lambda i, f=f: (str(f), i + 1))
    return loaded
