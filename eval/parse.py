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
  while the next call of a v2 answer (calls separated by blank lines) still is. Other JSON
  nested too deeply to read is skipped the same way, since no value inside it could be read
  either: that keeps the scan linear.
- A ```json fence is an attempt whatever it holds.

`to_message` gives the same reading as an OpenAI assistant message, for servers, and
`CallStream` reads an answer as it is generated.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from data.schema import OUTPUT_JSON, Call, SchemaError, TooDeep, decode_json

_JSON_OPEN = re.compile(r"[{\[]")
_FENCE = re.compile(r"```(\w*)\s*")  # group 1: the language tag; the match ends where the body starts
_STARTS_AS_CALLS = re.compile(r"\{|\[\s*\{")
_OPENS_AS_CALL = re.compile(r"""\{\s*["']?(?:function|name)["']?\s*:|\{\s*["']?type["']?\s*:\s*["']function""")
_LINE_OPENS_JSON = re.compile(r"^[{\[]", re.MULTILINE)
_FENCE_MARKER = re.compile(r"^[ \t]*```\w*[ \t]*$", re.MULTILINE)
# Where calls may begin in an answer still being generated: any `{`, a `[` before a `{` (or
# before the end), a ``` fence (or backticks at the end that may become one).
_MAY_START_CALLS = re.compile(r"\{|\[(?=\s*(?:\{|\Z))|```|`{1,2}\Z")


@dataclass(frozen=True)
class Parsed:
    """What an answer holds.

    calls: the calls read, in order; [] when none.
    attempted: the answer tried to call (a call object, or JSON meant as one; see the module rules).
    extra_text: calls were read and non-whitespace text (prose, fences, other JSON) lies
        outside the JSON meant as calls (a broken call runs to where scanning resumed).
    error: the first reason an attempted call could not be read; "" when there was none.
    content: the text outside the JSON that calls were read from, without ``` fence markers,
        each piece stripped, joined by a blank line (a broken call is part of it); the whole
        text, stripped, when no call was read.
    """

    calls: list[Call]
    attempted: bool
    extra_text: bool
    error: str
    content: str


def parse_output(text: str) -> Parsed:
    fences = list(_FENCE.finditer(text))
    answer_starts = {len(text) - len(text.lstrip())} | {m.end() for m in fences}
    attempted = any(m.group(1).lower() == "json" for m in fences)
    calls: list[Call] = []
    spans: list[tuple[int, int]] = []  # where the JSON meant as calls lies, read or broken
    call_spans: list[tuple[int, int]] = []  # where the JSON that calls were read from lies
    errors: list[str] = []
    pos = 0
    while match := _JSON_OPEN.search(text, pos):
        start = match.start()
        meant = bool(
            (start in answer_starts and _STARTS_AS_CALLS.match(text, start)) or _OPENS_AS_CALL.match(text, start)
        )
        try:
            value, end = decode_json(text, start, OUTPUT_JSON)
        except SchemaError as e:  # broken JSON, absurd nesting, or text that is not valid Unicode
            if not meant and not isinstance(e, TooDeep):  # a stray bracket in prose
                pos = start + 1
                continue
            next_line = _LINE_OPENS_JSON.search(text, start + 1)
            pos = next_line.start() if next_line else len(text)
            if meant:
                attempted = True
                errors.append(str(e))
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
        call_spans.append((start, end))
        for item in items:
            try:
                calls.append(Call.from_obj(item))
            except SchemaError as e:
                errors.append(str(e))
    if attempted and not calls and not errors:
        errors.append("the ```json block holds no call")
    content = _content_around(text, call_spans) if calls else text.strip()
    return Parsed(
        calls, attempted, bool(calls) and bool(_pieces_outside(text, spans)), errors[0] if errors else "", content
    )


def to_message(text: str) -> dict:
    """The answer as an OpenAI assistant message: {"role": "assistant", "content": str or None,
    "tool_calls": [{"type": "function", "function": {"name", "arguments": JSON text}}]} (no
    tool_calls when no call was read). The calls and the content are `parse_output`'s."""
    parsed = parse_output(text)
    message = {"role": "assistant", "content": parsed.content or None}
    if parsed.calls:
        message["tool_calls"] = [
            {"type": "function", "function": {"name": c.name, "arguments": json.dumps(c.arguments, ensure_ascii=False)}}
            for c in parsed.calls
        ]
    return message


class CallStream:
    """An answer read as it grows: the text that is surely prose, and each call once its JSON is complete.

    Prose is what comes before the first place a call may begin (`_MAY_START_CALLS`: anything
    later may turn out to be a call, so a stream cannot send it as text); a place that may
    begin a call depends only on what follows it, so prose once sent stays prose. Calls are
    `parse_output`'s, sent once they are read. A decoded JSON value never changes as text is
    added, so the calls read from a longer text start with those read before; should that
    ever fail (a broken JSON array that completes later), no more calls are sent rather than
    wrong ones."""

    def __init__(self) -> None:
        self.calls: list[Call] = []  # the calls sent so far
        self.prose = ""  # the prose sent so far
        self._stopped = False

    def update(self, text: str) -> tuple[str, list[Call]]:
        """The whole answer so far -> (new prose, new calls) since the last update."""
        hold = _MAY_START_CALLS.search(text)
        prose = text[: hold.start()] if hold else text
        new_prose, self.prose = prose[len(self.prose) :], prose
        calls = parse_output(text).calls if hold and not self._stopped else self.calls
        if calls[: len(self.calls)] != self.calls:
            self._stopped = True
            return new_prose, []
        new_calls, self.calls = calls[len(self.calls) :], calls
        return new_prose, new_calls


def _is_call(obj: Any) -> bool:
    return isinstance(obj, dict) and ("function" in obj or "name" in obj)


def _pieces_outside(text: str, spans: list[tuple[int, int]]) -> list[str]:
    bounds = [0] + [i for span in spans for i in span] + [len(text)]
    return [piece for a, b in zip(bounds[::2], bounds[1::2]) if (piece := text[a:b].strip())]


def _content_around(text: str, spans: list[tuple[int, int]]) -> str:
    pieces = (_FENCE_MARKER.sub("", piece).strip() for piece in _pieces_outside(text, spans))
    return "\n\n".join(piece for piece in pieces if piece)
