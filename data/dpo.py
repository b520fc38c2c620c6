"""DPO preference pairs: each example's right answer against one realistic wrong one.

Rows are TRL's preference format {"prompt", "chosen", "rejected"} plus "rejection" (the
kind of failure) and "id", so pairs can be filtered and evaluation broken down by kind.
Rejected calls go through render_calls, so they differ from the chosen answer only in
the intended way and never in formatting.
"""

from __future__ import annotations

import json
import math
import random

from data.common import FctuneError
from data.render import render_calls, render_prompt, render_response
from data.schema import Call, Example, Function, SchemaError, loads_json

REJECTION_KINDS: tuple[str, ...] = (
    "wrong_function",
    "missing_argument",
    "wrong_value",
    "wrong_type",
    "invented_function",
    "prose_around_json",
    "malformed_json",
    "call_when_text",
    "text_when_call",
)

# Name aliases seen across sources (JSON Schema, Trelis v2, BFCL's Python-ish names).
_BOOL, _INT, _NUM = ("boolean", "bool"), ("integer", "int"), ("number", "float", "double")
_ARRAY, _OBJECT = ("array", "list", "tuple"), ("object", "dict")

_VERBS = ("get", "fetch", "find", "search", "lookup", "retrieve", "check", "create", "calculate")
_INTROS = (
    "Sure! Here is the function call:",
    "Of course. I'll call the function for you.",
    "To answer this, I need to call a function:",
)
_OUTROS = (
    "Let me know if you need anything else!",
    "This will return the information you asked for.",
    "I hope this helps!",
)


def make_pairs(
    examples: list[Example], family: str, system: str = "", seed: int = 0, mix: dict[str, float] | None = None
) -> tuple[list[dict], dict]:
    """One preference row per example, its rejection kind drawn by `mix` among the kinds that apply.

    `mix` gives relative weights per kind; kinds it leaves out get 0 (None: all equal).
    An example is skipped only when no enabled kind applies to it.
    """
    weights = mix_weights(mix)
    rng = random.Random(seed)
    rows, skipped = [], 0
    by_kind = dict.fromkeys(REJECTION_KINDS, 0)
    for ex in examples:
        chosen = render_response(ex)
        # Drawing by weight and dropping kinds that turn out not to apply is the same
        # as drawing by weight among the applicable kinds only.
        candidates = [k for k in REJECTION_KINDS if weights[k] > 0]
        while candidates:
            kind = rng.choices(candidates, weights=[weights[k] for k in candidates])[0]
            rejected = _BUILDERS[kind](ex, rng)
            if rejected is not None and rejected != chosen:
                break
            candidates.remove(kind)
        else:
            skipped += 1
            continue
        by_kind[kind] += 1
        rows.append(
            {
                "prompt": render_prompt(ex, family, system),
                "chosen": chosen,
                "rejected": rejected,
                "rejection": kind,
                "id": ex.meta.get("id"),
            }
        )
    report = {"pairs": len(rows), "skipped": skipped, "by_kind": by_kind, "requested_mix": weights}
    return rows, report


def parse_mix(text: str | None, option: str = "--mix") -> dict[str, float] | None:
    """`KIND=W,...` to weights, checked before any work is done."""
    if not text:
        return None
    mix = {}
    for part in text.split(","):
        kind, _, weight = part.partition("=")
        try:
            mix[kind.strip()] = float(weight)
        except ValueError:
            raise FctuneError(f"bad {option} entry {part!r}: expected KIND=WEIGHT") from None
    try:
        mix_weights(mix)
    except ValueError as e:
        raise FctuneError(f"{option}: {e}") from None
    return mix


def mix_weights(mix: dict[str, float] | None) -> dict[str, float]:
    """Every kind's weight; a ValueError names an unknown kind or a bad weight."""
    if mix is None:
        return dict.fromkeys(REJECTION_KINDS, 1.0)
    for kind, weight in mix.items():
        if kind not in REJECTION_KINDS:
            raise ValueError(f"unknown rejection kind {kind!r} in mix; valid kinds: {', '.join(REJECTION_KINDS)}")
        if not math.isfinite(weight) or weight < 0:
            raise ValueError(f"mix weight of {kind!r} must be a finite number >= 0, got {weight}")
    if not any(mix.values()):
        raise ValueError("mix gives every rejection kind weight 0; no pair could be made")
    return {k: float(mix.get(k, 0.0)) for k in REJECTION_KINDS}


# Builders: (example, rng) -> the rejected answer, or None when the kind does not apply.


def _wrong_function(ex: Example, rng: random.Random) -> str | None:
    slots = [(i, f) for i, c in enumerate(ex.calls) for f in ex.functions if f.name != c.name]
    if not slots:
        return None
    i, f = rng.choice(slots)
    # Keep the values the right call already has under the same names, as a confused model would.
    return _with_call(ex.calls, i, Call(f.name, _plausible_args(f, ex.calls[i].arguments, rng)))


def _missing_argument(ex: Example, rng: random.Random) -> str | None:
    slots = [(i, name) for i, c in enumerate(ex.calls) for name in c.arguments if name in _required(ex, c)]
    if not slots:
        return None
    i, name = rng.choice(slots)
    call = ex.calls[i]
    return _with_call(ex.calls, i, Call(call.name, {k: v for k, v in call.arguments.items() if k != name}))


def _wrong_value(ex: Example, rng: random.Random) -> str | None:
    return _change_one_argument(ex, rng, _other_value)


def _wrong_type(ex: Example, rng: random.Random) -> str | None:
    return _change_one_argument(ex, rng, _other_type)


def _invented_function(ex: Example, rng: random.Random) -> str | None:
    offered = [f.name for f in ex.functions]
    slots = [(i, name) for i, c in enumerate(ex.calls) for name in _invented_names(c.name) if name not in offered]
    if not slots:
        return None
    i, name = rng.choice(slots)
    return _with_call(ex.calls, i, Call(name, ex.calls[i].arguments))


def _prose_around_json(ex: Example, rng: random.Random) -> str | None:
    if not ex.calls:
        return None
    body = render_calls(ex.calls)
    if rng.random() < 0.5:  # models often fence the JSON as well
        body = f"```json\n{body}\n```"
    return f"{rng.choice(_INTROS)}\n\n{body}\n\n{rng.choice(_OUTROS)}"


def _malformed_json(ex: Example, rng: random.Random) -> str | None:
    if not ex.calls:
        return None
    text = render_calls(ex.calls)
    how = rng.choice(("missing_brace", "trailing_comma", "single_quotes"))
    if how == "missing_brace":
        return text[:-1].rstrip()
    if how == "trailing_comma":
        end = text.rindex("\n}")
        return text[:end] + "," + text[end:]
    return text.replace('"', "'")


def _call_when_text(ex: Example, rng: random.Random) -> str | None:
    if ex.calls or not ex.functions:
        return None
    f = rng.choice(ex.functions)
    return render_calls([Call(f.name, _plausible_args(f, {}, rng))])


def _text_when_call(ex: Example, rng: random.Random) -> str | None:
    if not ex.calls:
        return None
    return rng.choice(
        (
            "I'm sorry, but I can't help with that request.",
            "I don't have access to real-time information, so I can't answer that.",
            "Sure, I can help with that. What would you like me to do?",
            f"You can use the {ex.calls[0].name} function to do this.",  # describes the call instead of making it
        )
    )


_BUILDERS = {
    "wrong_function": _wrong_function,
    "missing_argument": _missing_argument,
    "wrong_value": _wrong_value,
    "wrong_type": _wrong_type,
    "invented_function": _invented_function,
    "prose_around_json": _prose_around_json,
    "malformed_json": _malformed_json,
    "call_when_text": _call_when_text,
    "text_when_call": _text_when_call,
}


def _required(ex: Example, call: Call) -> list[str]:
    f = ex.function(call.name)
    return f.required if f else []


def _with_call(calls: list[Call], i: int, call: Call) -> str:
    return render_calls([*calls[:i], call, *calls[i + 1 :]])


def _change_one_argument(ex: Example, rng: random.Random, change) -> str | None:
    """The calls with one argument value replaced by `change(value, schema, rng)` (None: cannot change it)."""
    slots = [(i, name) for i, c in enumerate(ex.calls) for name in c.arguments]
    rng.shuffle(slots)
    for i, name in slots:
        call = ex.calls[i]
        f = ex.function(call.name)
        param = f.param(name) if f else None
        new = change(call.arguments[name], param.schema if param else {}, rng)
        if new is not None:
            return _with_call(ex.calls, i, Call(call.name, {**call.arguments, name: new}))
    return None


def _other_value(value, schema: dict, rng: random.Random):
    """Another value of the same JSON type, or None when there is none."""
    others = [e for e in schema.get("enum", []) if type(e) is type(value) and e != value]
    if others:
        return rng.choice(others)
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, float)):
        return rng.choice([v for v in (value + 1, value - 1, value * 10) if v != value])
    if isinstance(value, str):
        return _other_string(value, rng)
    if isinstance(value, list):
        if not value:
            return [_sample(schema.get("items", {}), "item", rng)]
        drop = rng.randrange(len(value))
        return value[:drop] + value[drop + 1 :]
    if isinstance(value, dict):
        keys = list(value)
        rng.shuffle(keys)
        for key in keys:
            new = _other_value(value[key], schema.get("properties", {}).get(key, {}), rng)
            if new is not None:
                return {**value, key: new}
    return None


def _other_string(value: str, rng: random.Random) -> str:
    """A near miss: a word dropped from a phrase, or a letter dropped from a word."""
    words = value.split()
    if len(words) > 1:
        drop = rng.randrange(len(words))
        return " ".join(words[:drop] + words[drop + 1 :])
    if len(value) > 1:
        drop = rng.randrange(len(value))
        return value[:drop] + value[drop + 1 :]
    return "unknown"


def _other_type(value, schema: dict, rng: random.Random):
    """The value as another JSON type ("5" for 5, 5 for "5", "true" for true), or None.

    Arguments typed "any" (or not described) accept every type, so they are left alone.
    """
    if schema.get("type", "any") == "any" or value is None:
        return None
    if isinstance(value, str):
        try:
            parsed = loads_json(value)
        except SchemaError:
            parsed = None
        # A number or boolean written as a string goes unquoted; other text gets wrapped in a list.
        return parsed if isinstance(parsed, (bool, int, float)) else [value]
    if isinstance(value, (bool, int, float)):
        return json.dumps(value)
    return json.dumps(value, ensure_ascii=False)  # list or object sent as a JSON string


def _plausible_args(f: Function, known: dict, rng: random.Random) -> dict:
    """Values for f's required arguments: the known value of the same name, else one fitting the schema."""
    return {
        p.name: known[p.name] if p.name in known else _sample(p.schema, p.name, rng) for p in f.params if p.required
    }


def _sample(schema: dict, name: str, rng: random.Random):
    if not isinstance(schema, dict):
        schema = {}
    if schema.get("enum"):
        return rng.choice(schema["enum"])
    if "default" in schema:
        return schema["default"]
    t = schema.get("type")
    if t in _BOOL:
        return rng.choice((True, False))
    if t in _INT:
        return rng.randint(1, 10)
    if t in _NUM:
        return round(rng.uniform(1, 100), 1)
    if t in _ARRAY:
        return [_sample(schema.get("items", {}), "item", rng)]
    if t in _OBJECT:
        return {k: _sample(s, k, rng) for k, s in schema.get("properties", {}).items()}
    return name.replace("_", " ")  # a placeholder-like string, as models produce when they guess


def _invented_names(name: str) -> list[str]:
    """Plausible names derived from a real one: another verb (get_x -> fetch_x) or a suffix."""
    verb, sep, rest = name.partition("_")
    names = [f"{v}_{rest}" for v in _VERBS if v != verb] if sep and verb in _VERBS else []
    return names + [f"{name}_info", f"{name}_details", f"{name}_v2"]
