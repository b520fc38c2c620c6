"""The one internal representation of functions, calls and examples.

Every source (Trelis v2 metadata, the OpenAI tools format, BFCL, our builtin set) is
normalised into these types; the prompt format, validation, DPO pairs and evaluation
all read them and nothing else.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

from data.common import FctuneError

# Keys of a v2 argument object that are not part of the value's JSON Schema.
_V2_ARG_KEYS = ("name", "type", "description", "optional")

# Deeper values are refused: no function schema or call nests this far, and code that walks
# values (rendering, comparison, jsonschema) would hit the recursion limit on them.
MAX_DEPTH = 64


class SchemaError(FctuneError):
    """Function metadata or a call that cannot be read; the message says what and where."""


class TooDeep(SchemaError):
    """JSON nested beyond MAX_DEPTH (or the interpreter's recursion limit)."""


def _no_constants(name: str):
    raise ValueError(f"{name} is not a JSON value")


def no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict:
    out = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


# Strict JSON: no NaN/Infinity (Python's json accepts them; JSON does not, and a training
# target must be JSON), no duplicate keys (one of them would silently win).
STRICT_JSON = json.JSONDecoder(parse_constant=_no_constants, object_pairs_hook=no_duplicate_keys)
# For model outputs: NaN and Infinity are read as the text they are, so such a value is simply wrong.
OUTPUT_JSON = json.JSONDecoder(parse_constant=str, object_pairs_hook=no_duplicate_keys)

_WINDOW = 128  # characters decoded at first; doubled while the value runs past the window
_TOO_DEEP = re.compile(rf"(?:\[[ \t\n\r]*){{{MAX_DEPTH + 1}}}")  # arrays opening more levels than allowed


def decode_json(text: str, pos: int = 0, decoder: json.JSONDecoder = STRICT_JSON) -> tuple[Any, int]:
    """`raw_decode` at `pos`, every failure a SchemaError, the value checked by `json_problem`.

    It decodes a window of the text, doubled while the value runs past it, so its time is
    proportional to what it reads rather than to `pos`: json's own errors count the lines
    from the start of the text, which made scanning a long text for JSON quadratic."""
    if _TOO_DEEP.match(text, pos):  # refused at once: decoding it would grow the window over the whole run
        raise TooDeep(f"JSON nested too deeply (more than {MAX_DEPTH} levels)")
    window = _WINDOW
    while True:
        chunk = text[pos : pos + window]
        try:
            value, end = decoder.raw_decode(chunk)
            break
        except json.JSONDecodeError as e:
            ran_out = e.pos >= len(chunk) - 8 or e.msg.startswith("Unterminated string")
            if pos + window >= len(text) or not ran_out:
                raise SchemaError(f"invalid JSON at character {pos + e.pos + 1}: {e.msg}") from None
        except RecursionError:
            raise TooDeep(f"JSON nested too deeply (more than {MAX_DEPTH} levels)") from None
        except ValueError as e:  # a hook's refusal, or an integer beyond Python's 4,300-digit conversion limit
            raise SchemaError(f"invalid JSON: {e}") from None
        window *= 2
    problem = json_problem(value)
    if problem:
        raise (TooDeep if problem.startswith("nested") else SchemaError)(problem)
    return value, pos + end


def loads_json(text: str) -> Any:
    """A whole text as one strict JSON value (see `decode_json`)."""
    value, end = decode_json(text, len(text) - len(text.lstrip()))
    if text[end:].strip():
        raise SchemaError(f"invalid JSON at character {end + 1}: extra data after the value")
    return value


def json_problem(value: Any) -> str:
    """Why `value` cannot be written as JSON text and read back the same, or "" when it can.

    Lone surrogates (JSON's "\\ud800" escapes decode to them) cannot be encoded as UTF-8;
    NaN and Infinity are not JSON; nesting beyond MAX_DEPTH is refused (see above)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            return f"nested too deeply (more than {MAX_DEPTH} levels)"
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError as e:
                return f"text holds a lone surrogate {item[e.start]!r}, which is not valid Unicode"
        elif isinstance(item, float) and not math.isfinite(item):
            return f"{item} is not a JSON number"
        elif isinstance(item, dict):
            stack.extend((k, depth) for k in item)
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend((v, depth + 1) for v in item)
    return ""


@dataclass(frozen=True)
class Param:
    """One function argument: its name, the JSON Schema of its value, and whether it is required.

    `schema` always has "type" (a JSON Schema type name, or "any") and "description"
    first, then any further keywords (enum, items, default, properties, ...) in the
    order the source gave them.
    """

    name: str
    schema: dict
    required: bool = True

    @property
    def type(self) -> str:
        return self.schema["type"]


@dataclass(frozen=True)
class Function:
    name: str
    description: str
    params: tuple[Param, ...] = ()

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    @property
    def required(self) -> list[str]:
        return [p.name for p in self.params if p.required]

    def to_v2(self) -> dict:
        """Trelis v2 metadata: {"function", "description", "arguments": [{"name", "type", "description", ...}]}.

        Extra schema keywords follow the three v2 keys; an optional argument carries
        `"optional": true` last ("required" is left to nested object schemas). A plain
        Trelis row therefore renders back unchanged.
        """
        args = []
        for p in self.params:
            arg = {"name": p.name, **p.schema}
            if not p.required:
                arg["optional"] = True
            args.append(arg)
        return {"function": self.name, "description": self.description, "arguments": args}

    def parameters_schema(self) -> dict:
        """The arguments as one JSON Schema object ("any" typed values carry no type)."""
        props = {}
        for p in self.params:
            props[p.name] = {k: v for k, v in p.schema.items() if not (k == "type" and v == "any")}
        return {"type": "object", "properties": props, "required": self.required}

    def to_openai(self) -> dict:
        """The OpenAI tools format, as `tokenizer.apply_chat_template(tools=...)` takes it."""
        return {
            "type": "function",
            "function": {"name": self.name, "description": self.description, "parameters": self.parameters_schema()},
        }

    @classmethod
    def from_v2(cls, obj: Any) -> Function:
        if not isinstance(obj, dict):
            raise SchemaError(f"function metadata must be a JSON object, got {type(obj).__name__}")
        name = obj.get("function")
        if not isinstance(name, str) or not name.strip():
            raise SchemaError('v2 function metadata needs a "function" name')
        args = obj.get("arguments", [])
        if not isinstance(args, list):
            raise SchemaError(f'function {name!r}: "arguments" must be a list')
        params = []
        for i, arg in enumerate(args):
            if not isinstance(arg, dict) or not isinstance(arg.get("name"), str):
                raise SchemaError(f'function {name!r}: argument {i + 1} needs a "name"')
            if any(p.name == arg["name"] for p in params):
                raise SchemaError(f"function {name!r}: argument {arg['name']!r} is declared twice")
            extras = {k: v for k, v in arg.items() if k not in _V2_ARG_KEYS}
            params.append(
                _param(
                    name,
                    arg["name"],
                    arg.get("type"),
                    arg.get("description"),
                    extras,
                    required=arg.get("optional") is not True,
                )
            )
        return cls(name, _text(obj.get("description")), tuple(params))

    @classmethod
    def from_openai(cls, obj: Any) -> Function:
        """Accepts {"type": "function", "function": {...}} or the bare {"name", "description", "parameters"}."""
        if isinstance(obj, dict) and obj.get("type") == "function" and isinstance(obj.get("function"), dict):
            obj = obj["function"]
        if not isinstance(obj, dict) or not isinstance(obj.get("name"), str) or not obj["name"].strip():
            raise SchemaError('an OpenAI-format function needs a "name"')
        name = obj["name"]
        parameters = obj.get("parameters") or {}
        if not isinstance(parameters, dict):
            raise SchemaError(f'function {name!r}: "parameters" must be a JSON Schema object')
        props = parameters.get("properties") or {}
        if not isinstance(props, dict):
            raise SchemaError(f'function {name!r}: "parameters.properties" must be an object')
        required = parameters.get("required") or []
        if not isinstance(required, list) or not all(isinstance(r, str) for r in required):
            raise SchemaError(f'function {name!r}: "parameters.required" must be a list of names')
        params = []
        for pname, pschema in props.items():
            if not isinstance(pschema, dict):
                raise SchemaError(f"function {name!r}: parameter {pname!r} must be a JSON Schema object")
            # BFCL marks optional parameters with a non-standard "optional" key; `required` decides.
            extras = {k: v for k, v in pschema.items() if k not in ("type", "description", "optional")}
            params.append(
                _param(name, pname, pschema.get("type"), pschema.get("description"), extras, required=pname in required)
            )
        return cls(name, _text(obj.get("description")), tuple(params))


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _param(fname: str, pname: str, ptype: Any, description: Any, extras: dict, required: bool) -> Param:
    if ptype is None:
        ptype = "any"
    if not isinstance(ptype, str):
        raise SchemaError(f"function {fname!r}: argument {pname!r} has a non-string type {ptype!r}")
    return Param(pname, {"type": ptype, "description": _text(description), **extras}, required)


@dataclass(frozen=True)
class Call:
    name: str
    arguments: dict = field(default_factory=dict)

    def to_v2(self) -> dict:
        return {"function": self.name, "arguments": self.arguments}

    @classmethod
    def from_obj(cls, obj: Any) -> Call:
        """A call in v2 ({"function", "arguments"}) or v3/OpenAI ({"name", "arguments"}) form.

        OpenAI messages give arguments as a JSON string; that is decoded too.
        """
        if not isinstance(obj, dict):
            raise SchemaError("a call must be a JSON object")
        if isinstance(obj.get("function"), dict):  # {"type": "function", "function": {...}} tool_call
            obj = obj["function"]
        name = obj.get("function", obj.get("name"))
        if not isinstance(name, str) or not name.strip():
            raise SchemaError('a call needs a "function" (v2) or "name" (v3) key naming the function')
        args = obj.get("arguments", obj.get("parameters", {}))
        if isinstance(args, str):
            try:
                args = loads_json(args) if args.strip() else {}
            except SchemaError as e:
                raise SchemaError(f"call to {name!r}: arguments are not valid JSON ({e})") from None
        if args is None:
            args = {}
        if not isinstance(args, dict):
            raise SchemaError(f"call to {name!r}: arguments must be a JSON object")
        return cls(name, args)


@dataclass
class Example:
    """One training or evaluation row.

    The answer is `calls` (one or more function calls) or, when `calls` is empty, the
    plain-text `text` (no function fits, or a required value is missing and the answer
    asks for it). `functions_in_system` marks rows whose function metadata lives inside
    the system prompt (Trelis `explicit`/`implicit` branches): no <FUNCTIONS> block is
    rendered for them. `meta` carries provenance and labels used by evaluation:
    id, source, kind ("call", "no_call", "ask"), domain, unseen, and BFCL ground truth.
    """

    user: str
    functions: list[Function]
    calls: list[Call] = field(default_factory=list)
    text: str = ""
    system: str = ""
    functions_in_system: bool = False
    meta: dict = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return self.meta.get("kind") or ("call" if self.calls else "no_call")

    def function(self, name: str) -> Function | None:
        return next((f for f in self.functions if f.name == name), None)

    def to_record(self) -> dict:
        """A JSON-safe dict; `from_record` reads it back exactly."""
        return {
            "user": self.user,
            "system": self.system,
            "tools": [f.to_openai() for f in self.functions],
            "functions_in_system": self.functions_in_system,
            "calls": [{"name": c.name, "arguments": c.arguments} for c in self.calls],
            "text": self.text,
            "meta": self.meta,
        }

    @classmethod
    def from_record(cls, rec: dict) -> Example:
        return cls(
            user=rec["user"],
            functions=[Function.from_openai(t) for t in rec["tools"]],
            calls=[Call.from_obj(c) for c in rec["calls"]],
            text=rec.get("text", ""),
            system=rec.get("system", ""),
            functions_in_system=rec.get("functions_in_system", False),
            meta=rec.get("meta", {}),
        )
