"""Berkeley Function Calling Leaderboard (BFCL) test sets as Examples, for evaluation.

The data comes from the `bfcl-eval` package (installed with --no-deps; it is located,
never imported, because its dependencies are not installed) or from a directory laid
out like its `data/` folder:

    BFCL_v4_<category>.json                   one test row per line: id, question, function
    possible_answer/BFCL_v4_<category>.json   one row per line: id, ground_truth

Function docs are converted to JSON Schema for our prompt; the raw docs and ground
truth stay in `meta["bfcl"]` because scoring needs BFCL's own type names and every
allowed value, not just the representative call kept in `Example.calls`.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from data.common import FctuneError
from data.pytypes import json_schema
from data.schema import Call, Example, Function, SchemaError, loads_json

# Single-turn categories whose rows fit one user prompt and its expected calls. Left out:
# simple_java / simple_javascript (Java and JS type names, and BFCL wants every value as a
# string in that language's syntax), live_relevance (any call counts, no ground truth),
# multi_turn_*, memory, web_search and format_sensitivity (different shapes).
CATEGORIES = {
    "simple": "simple_python",
    "simple_python": "simple_python",
    "multiple": "multiple",
    "parallel": "parallel",
    "parallel_multiple": "parallel_multiple",
    "irrelevance": "irrelevance",
    "live_simple": "live_simple",
    "live_multiple": "live_multiple",
    "live_parallel": "live_parallel",
    "live_parallel_multiple": "live_parallel_multiple",
    "live_irrelevance": "live_irrelevance",
}

_INSTALL_HINT = "get it with `pip install --no-deps bfcl-eval`, or pass the directory holding the BFCL_v4_*.json files"


def source_categories(source: str) -> list[str]:
    """The categories of a `bfcl:CATEGORY[,CATEGORY...]` source."""
    categories = [c.strip() for c in source.removeprefix("bfcl:").split(",") if c.strip()]
    if not categories:
        raise FctuneError(f"{source!r} names no BFCL category: write e.g. bfcl:simple,irrelevance")
    return categories


def find_data_dir(path: str | Path | None = None) -> Path:
    """`path` when given, else the `data` folder of the installed bfcl_eval package."""
    if path is not None:
        data_dir = Path(path)
        if not data_dir.is_dir():
            raise FctuneError(f"BFCL data directory {data_dir} does not exist; {_INSTALL_HINT}")
        return data_dir
    # find_spec on a top-level package locates it without running its __init__.
    spec = importlib.util.find_spec("bfcl_eval")
    if spec and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            if (Path(location) / "data").is_dir():
                return Path(location) / "data"
    raise FctuneError(f"BFCL data not found: bfcl-eval is not installed; {_INSTALL_HINT}")


def load_bfcl(categories: list[str], data_dir: str | Path | None = None, limit: int | None = None) -> list[Example]:
    """The rows of each category in file order; `limit` caps the rows taken per category."""
    unknown = [c for c in categories if c not in CATEGORIES]
    if unknown:
        raise FctuneError(
            f"unknown BFCL category {', '.join(map(repr, unknown))}; choose from: {', '.join(CATEGORIES)}"
        )
    data_dir = find_data_dir(data_dir)
    examples = []
    for stem in dict.fromkeys(CATEGORIES[c] for c in categories):  # "simple" and "simple_python" once
        examples += _load_category(data_dir, stem, limit)
    return examples


def _load_category(data_dir: Path, stem: str, limit: int | None) -> list[Example]:
    path = data_dir / f"BFCL_v4_{stem}.json"
    # Irrelevance rows expect no call, so BFCL ships no answers for them.
    answers = None if "irrelevance" in stem else _load_answers(data_dir / "possible_answer" / path.name)
    examples = []
    for where, row in _read_rows(path):
        if limit is not None and len(examples) >= limit:
            break
        try:
            examples.append(_example(row, stem, answers))
        except (KeyError, TypeError, AttributeError, ValueError, SchemaError) as e:
            raise FctuneError(f"{where}: malformed BFCL row ({type(e).__name__}: {e})") from None
    return examples


def _read_rows(path: Path):
    """(where, row) for each non-blank line; the files are JSON Lines despite their .json name."""
    if not path.is_file():
        raise FctuneError(f"BFCL file {path} not found")
    try:
        lines = path.read_text(encoding="utf-8").split("\n")
    except UnicodeDecodeError as e:
        raise FctuneError(f"{path}: not UTF-8 text (byte {e.start + 1})") from None
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path}, line {lineno}"
        try:
            row = loads_json(line)
        except SchemaError as e:
            raise FctuneError(f"{where}: {e}") from None
        if not isinstance(row, dict) or not isinstance(row.get("id"), str):
            raise FctuneError(f'{where}: expected a JSON object with an "id"')
        yield where, row


def _load_answers(path: Path) -> dict[str, list]:
    """id -> raw ground truth."""
    answers = {}
    for where, row in _read_rows(path):
        if not isinstance(row.get("ground_truth"), list):
            raise FctuneError(f'{where}: malformed ground truth (expected a "ground_truth" list)')
        answers[row["id"]] = row["ground_truth"]
    return answers


def _arguments(allowed_by_param: dict, required: list[str] = ()) -> dict:
    """One representative call's arguments: the first allowed value of each parameter.

    "" among the allowed values marks a parameter that may be omitted: an optional one
    whose first value is "" is left out, a required one takes its first other value. A
    parameter with no allowed value at all (an empty list, in some BFCL rows) is left out.
    """
    args = {}
    for name, allowed in allowed_by_param.items():
        if not isinstance(allowed, list):  # a few nested rows give the value itself
            args[name] = allowed
            continue
        values = [v for v in allowed if v != ""] if name in required else allowed[:1]
        if values and values[0] != "":
            args[name] = _value(values[0])
    return args


def _value(value):
    # Dicts inside ground truth (also inside lists) map keys to allowed-value lists again.
    if isinstance(value, dict):
        return _arguments(value)
    if isinstance(value, list):
        return [_value(v) for v in value]
    return value


def _example(row: dict, stem: str, answers: dict | None) -> Example:
    turns = row["question"]
    if len(turns) != 1:
        raise ValueError(f"expected one turn, got {len(turns)}")
    messages = turns[0]
    users = [m["content"] for m in messages if m["role"] == "user"]
    if not users:
        raise ValueError("no user message")
    if answers is None:
        ground_truth = []
    elif row["id"] in answers:
        ground_truth = answers[row["id"]]
    else:
        raise ValueError(f"no ground truth for id {row['id']!r} in possible_answer/")
    required = {doc["name"]: (doc.get("parameters") or {}).get("required", []) for doc in row["function"]}
    calls = [
        Call(name, _arguments(args, required.get(name, []))) for entry in ground_truth for name, args in entry.items()
    ]
    return Example(
        user=users[-1],  # earlier messages of a conversation-shaped row are context only
        functions=[_function(doc) for doc in row["function"]],
        calls=calls,
        system="\n\n".join(m["content"] for m in messages if m["role"] == "system"),
        meta={
            "id": row["id"],
            "source": "bfcl",
            "kind": "call" if calls else "no_call",
            "bfcl": {"category": stem, "ground_truth": ground_truth, "functions": row["function"]},
        },
    )


def _function(doc: dict) -> Function:
    params = doc.get("parameters") or {}
    return Function.from_openai(
        {
            "name": doc["name"],
            "description": doc.get("description"),
            "parameters": {
                "properties": {name: json_schema(s) for name, s in params.get("properties", {}).items()},
                "required": params.get("required", []),
            },
        }
    )
