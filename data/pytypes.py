"""Python-flavoured type names in JSON Schema terms: the one mapping every source shares.

BFCL writes `dict`, `float` and `tuple`; xLAM writes Python annotations (`str`,
`List[int]`, `int, optional`); Glaive and Hermes tool lists carry the same names now and
then inside otherwise standard JSON Schema. JSON Schema's own names pass unchanged, and so
does anything not recognised: it is the source's word, not ours to guess.
"""

from __future__ import annotations

import re

# Python names (matched case-insensitively, so typing's `List` and `Dict` too) -> JSON Schema types.
PYTHON_TYPES = {
    "str": "string",
    "int": "integer",
    "float": "number",
    "bool": "boolean",
    "dict": "object",
    "list": "array",
    "tuple": "array",
    "set": "array",
    "any": "any",
}
# Generic annotations whose argument describes the items: List[int] is an array of integers.
_ITEM_GENERICS = ("list", "set", "sequence")
_GENERIC = re.compile(r"^(\w+)\[(.*)\]$", re.S)
_OPTIONAL_SUFFIX = re.compile(r",\s*optional\b.*$", re.I | re.S)


def schema_type(name: str) -> str:
    """One type name in JSON Schema terms: `dict` -> `object`; `string` or `Callable` as written."""
    return PYTHON_TYPES.get(name.strip().lower(), name)


def json_schema(schema, top: bool = True):
    """A parameter's schema with its type names mapped, nested properties and items included.

    "any" stays as a parameter's type (our Param's own convention) but is dropped from
    nested schemas, where JSON Schema spells "anything" as no type at all. Anything that
    is not a schema object is returned as it is, for the reader to refuse.
    """
    if not isinstance(schema, dict):
        return schema
    out = {}
    for key, value in schema.items():
        if key == "type" and isinstance(value, str):
            value = schema_type(value)
            if value == "any" and not top:
                continue
        elif key == "properties" and isinstance(value, dict):
            value = {name: json_schema(s, top=False) for name, s in value.items()}
        elif key == "items":
            value = json_schema(value, top=False)
        out[key] = value
    return out


def annotation_schema(annotation: str) -> tuple[dict, bool]:
    """A Python type annotation as (JSON Schema, optional): "List[int], optional" ->
    ({"type": "array", "items": {"type": "integer"}}, True). Unions and other forms keep
    their text as the type."""
    text = annotation.strip()
    optional = bool(_OPTIONAL_SUFFIX.search(text))
    text = _OPTIONAL_SUFFIX.sub("", text).strip()
    generic = _GENERIC.match(text)
    if generic:
        outer, inner = generic[1].lower(), generic[2]
        if outer == "optional":
            return annotation_schema(inner)[0], True
        if outer in _ITEM_GENERICS:
            items = annotation_schema(inner)[0]
            return {"type": "array", **({"items": items} if items["type"] != "any" else {})}, optional
        if outer in PYTHON_TYPES:  # Dict[str, int], Tuple[float, float]: the container's type
            return {"type": schema_type(outer)}, optional
    return {"type": schema_type(text)}, optional
