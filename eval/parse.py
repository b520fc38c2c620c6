"""Reading function calls out of a model's answer.

Models do not always answer with bare JSON: they fence it in ``` blocks, put prose
around it, use the OpenAI keys, or break the JSON. `parse_output` reads every call it
can and says what else it saw, so the metrics can tell a wrong call from an unreadable
one. The rules:

- Every JSON object or array in the text is decoded in turn with json's `raw_decode`
  (nothing is evaluated), in time proportional to what it reads (`data.schema.decode_json`).
  A decoded value is skipped whole, so an object nested inside another (a call's
  arguments, say) is never read on its own. NaN and Infinity are read as text (so such a
  value is wrong, never a number); a lone surrogate, a duplicated key or nesting beyond
  `MAX_DEPTH` makes the JSON unreadable.
- An object is a call when it has a "function" or "name" key; an array is read as calls
  when any item is one (its other items are then errors). `Call.from_obj` reads the keys:
  v2 `function` + `arguments`, v3/OpenAI `name` + `arguments` or `parameters`, arguments
  as a JSON string, and the `{"type": "function", "function": {...}}` tool_call shape.
- Other JSON is prose, except where the answer starts (its first non-space character, or
  just inside a ``` fence): an answer that opens with `{` or `[{` meant a call, as
  data/cells.py reads training answers.
- Broken JSON is an attempted call when it starts the answer or opens like one
  (`{"function":`, `{'name':`, ...). Scanning then resumes at the next line that starts
  with `{` or `[`, so the arguments of a broken call are not read as calls themselves,
  while the next call of a v2 answer (calls separated by blank lines) still is.
- A ```json fence is an attempt whatever it holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from data.schema import OUTPUT_JSON, Call, SchemaError, decode_json

_JSON_OPEN = re.compile(r"[{\[]")
_FENCE = re.compile(r"```(\w*)\s*")  # group 1: the language tag; the match ends where the body starts
_STARTS_AS_CALLS = re.compile(r"\{|\[\s*\{")
_OPENS_AS_CALL = re.compile(r"""\{\s*["']?(?:function|name)["']?\s*:|\{\s*["']?type["']?\s*:\s*["']function""")
_LINE_OPENS_JSON = re.compile(r"^[{\[]", re.MULTILINE)


@dataclass(frozen=True)
class Parsed:
    """What an answer holds.

    calls: the calls read, in order; [] when none.
    attempted: the answer tried to call (a call object, or JSON meant as one; see the module rules).
    extra_text: calls were read and non-whitespace text (prose, fences, other JSON) lies
        outside the JSON meant as calls (a broken call runs to where scanning resumed).
    error: the first reason an attempted call could not be read; "" when there was none.
    """

    calls: list[Call]
    attempted: bool
    extra_text: bool
    error: str


def parse_output(text: str) -> Parsed:
    fences = list(_FENCE.finditer(text))
    answer_starts = {len(text) - len(text.lstrip())} | {m.end() for m in fences}
    attempted = any(m.group(1).lower() == "json" for m in fences)
    calls: list[Call] = []
    spans: list[tuple[int, int]] = []  # where the JSON meant as calls lies, read or broken
    errors: list[str] = []
    pos = 0
    while match := _JSON_OPEN.search(text, pos):
        start = match.start()
        meant = bool((start in answer_starts and _STARTS_AS_CALLS.match(text, start))
                     or _OPENS_AS_CALL.match(text, start))
        try:
            value, end = decode_json(text, start, OUTPUT_JSON)
        except SchemaError as e:  # broken JSON, absurd nesting, or text that is not valid Unicode
            if not meant:  # a stray bracket in prose
                pos = start + 1
                continue
            attempted = True
            errors.append(str(e))
            next_line = _LINE_OPENS_JSON.search(text, start + 1)
            pos = next_line.start() if next_line else len(text)
            spans.append((start, pos))
            continue
        pos = end
        items = value if isinstance(value, list) else [value]
        if not any(_is_call(item) for item in items):
            if meant:
                attempted = True
                errors.append('the JSON is not a call: no object has a "function" or "name" key')
                spans.append((start, end))
            continue
        attempted = True
        spans.append((start, end))
        for item in items:
            try:
                calls.append(Call.from_obj(item))
            except SchemaError as e:
                errors.append(str(e))
    if attempted and not calls and not errors:
        errors.append("the ```json block holds no call")
    return Parsed(calls, attempted, bool(calls) and _text_outside(text, spans), errors[0] if errors else "")


def _is_call(obj: Any) -> bool:
    return isinstance(obj, dict) and ("function" in obj or "name" in obj)


def _text_outside(text: str, spans: list[tuple[int, int]]) -> bool:
    bounds = [0] + [i for span in spans for i in span] + [len(text)]
    return any(text[a:b].strip() for a, b in zip(bounds[::2], bounds[1::2]))
