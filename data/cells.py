"""Reading the cells of a function-calling dataset into the internal representation.

A Trelis v2 `functionList` cell is several JSON objects dumped with indent 4 and
separated by blank lines (not a JSON array); v3 cells hold an OpenAI tools array;
files written as JSONL or Parquet may hold the same already decoded.
"""

from __future__ import annotations

import re
from typing import Any

from data.schema import Call, Function, SchemaError, decode_json

_LOOKS_LIKE_CALLS = re.compile(r"\{|\[\s*\{")


def json_values(text: str) -> list[Any]:
    """Every JSON value in `text`, where values follow one another separated by white space."""
    values, pos = [], 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos == len(text):
            return values
        value, pos = decode_json(text, pos)
        values.append(value)


def _flatten(values: list[Any]) -> list[Any]:
    return [item for v in values for item in (v if isinstance(v, list) else [v])]


def parse_function(obj: Any) -> Function:
    """One function in v2 ({"function", "arguments"}) or OpenAI ({"name", "parameters"}) form."""
    if isinstance(obj, dict) and isinstance(obj.get("function"), str):
        return Function.from_v2(obj)
    return Function.from_openai(obj)


def parse_functions(cell: Any) -> list[Function]:
    """A functions cell: text (concatenated v2 objects or a JSON array) or decoded JSON."""
    if cell is None:
        raise SchemaError("the cell is empty")
    if isinstance(cell, str):
        if not cell.strip():
            raise SchemaError("the cell is empty")
        cell = json_values(cell)
    # An empty list offers no functions, as OpenAI-style rows without tools do.
    return [parse_function(obj) for obj in _flatten(cell if isinstance(cell, list) else [cell])]


def _is_function_metadata(obj: Any) -> bool:
    if not isinstance(obj, dict):
        return False
    if isinstance(obj.get("function"), str):  # v2; a v2 call has an "arguments" object, not a list
        return isinstance(obj.get("arguments", []), list)
    return obj.get("type") == "function" or isinstance(obj.get("parameters"), dict)


def functions_in_text(text: str) -> list[Function]:
    """Function metadata embedded in prose (the system prompts of Trelis `explicit`/`implicit`).

    Only objects shaped as v2 or OpenAI function metadata count: an example call or other
    JSON in the instructions is prose.
    """
    found, pos = [], text.find("{")
    while pos != -1:
        try:
            obj, end = decode_json(text, pos)
        except SchemaError:
            pos = text.find("{", pos + 1)
            continue
        if _is_function_metadata(obj):
            found.append(parse_function(obj))
        pos = text.find("{", end)
    return found


def reads_as_calls(text: str) -> bool:
    """Whether v2 reads an answer with this text as calls: it starts with `{` or `[{`."""
    return bool(_LOOKS_LIKE_CALLS.match(text.strip()))


def parse_response(cell: Any) -> tuple[list[Call], str]:
    """An answer cell: one or more JSON calls (v2 or v3 keys), or plain text.

    Text that starts like a JSON object (or a list of them) but does not parse is an
    error, not prose: it is almost always a broken call, and training on it would teach
    the model to break calls. Other text, "[1] first point" too, is a text answer.
    """
    if cell is None:  # an empty CSV cell; the caller reports an empty answer
        return [], ""
    if isinstance(cell, (dict, list)):
        values = [cell]
    else:
        text = str(cell).strip()
        if not _LOOKS_LIKE_CALLS.match(text):
            return [], text
        values = json_values(text)
    return [Call.from_obj(v) for v in _flatten(values)], ""
