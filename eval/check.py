"""Checking calls against the offered tools, as an application must before it acts on one.

A model may call with a required value missing, a value of the wrong type or outside its
enum, an argument the function does not declare, or a function that was not offered.
`check_calls` says which, per call, with jsonschema (Draft 2020-12) against each function's
parameters, unknown arguments refused; `missing` lists the required arguments the call
lacks, so the application can ask the user for them. Evaluation judges schema validity
with the same function.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jsonschema
from jsonschema.exceptions import best_match

from data.schema import Call, Function, SchemaError


@dataclass(frozen=True)
class CallCheck:
    """One call against the offered tools.

    name: the function called ("" when the call could not be read at all).
    missing: the required arguments the call lacks, in the order the function declares them.
    error: the most relevant problem (jsonschema's best match: a missing or unknown argument,
        a wrong type, a value outside its enum, the function not offered, unreadable
        arguments); "" when the call is valid.
    """

    name: str
    missing: tuple[str, ...] = ()
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def check_calls(calls: list[Any], tools: list[Any]) -> list[CallCheck]:
    """One CallCheck per call, in order.

    calls: `Call`s, or tool calls as `parse_response`, `transformers serve` or the openai client
        return them ({"type": "function", "function": {"name", "arguments"}}, arguments as an
        object or a JSON string; openai's objects too).
    tools: the tools offered, in the OpenAI format (as given to `apply_chat_template(tools=...)`
        or the openai client), or `Function`s.
    Raises SchemaError when a called function's parameters are not valid JSON Schema.
    """
    functions = {f.name: f for f in (t if isinstance(t, Function) else Function.from_openai(_plain(t)) for t in tools)}
    out = []
    for raw in calls:
        try:
            call = raw if isinstance(raw, Call) else Call.from_obj(_plain(raw))
        except SchemaError as e:
            out.append(CallCheck(_name_of(_plain(raw)), error=str(e)))
            continue
        out.append(_check(call, functions.get(call.name)))
    return out


def _check(call: Call, fn: Function | None) -> CallCheck:
    if fn is None:
        return CallCheck(call.name, error=f"{call.name!r} is not offered")
    # Unknown arguments must fail: parameters_schema() alone allows any extra property.
    schema = {**fn.parameters_schema(), "additionalProperties": False}
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError as e:
        raise SchemaError(f"function {call.name!r} has an invalid parameters schema: {e.message}") from None
    missing = tuple(name for name in fn.required if name not in call.arguments)
    error = best_match(jsonschema.Draft202012Validator(schema).iter_errors(call.arguments))
    if error is None:
        return CallCheck(call.name, missing)
    where = "/".join(str(part) for part in error.absolute_path)
    return CallCheck(
        call.name, missing, f"call to {call.name!r}: " + (f"argument {where!r}: " if where else "") + error.message
    )


def _plain(obj: Any) -> Any:
    """openai's pydantic objects as the dicts they stand for."""
    return obj.model_dump() if hasattr(obj, "model_dump") else obj


def _name_of(obj: Any) -> str:
    fn = obj.get("function", obj) if isinstance(obj, dict) else None
    name = fn.get("name", "") if isinstance(fn, dict) else fn
    return name if isinstance(name, str) else ""
