"""BFCL's AST check of parsed calls against a row's possible answers, and the per-category summary.

Our own implementation of the rules of BFCL's AST evaluation (Python, single turn):

- irrelevance, live_irrelevance: correct when no call is made.
- every other category: as many calls as expected calls (simple and multiple expect one),
  and each expected call matched to a different produced call, in any order.
- a produced call matches an expected one when it names the expected function, passes
  every parameter the function doc requires, passes no parameter outside both the doc and
  the possible answer, leaves out only parameters whose allowed values include "", and
  every value has the doc's type and is among the allowed values.
- types: integer is an int (not a bool), float an int or float, boolean a bool, string a
  str, array and tuple a list, dict an object; `any` accepts anything. Array items and
  object properties are checked against their own schema. Where a possible answer
  contradicts its doc (a variable name as a string for an array, True for a string
  enum), BFCL trusts the answer, so the types of the allowed values are accepted too.
- values: strings compare after `normalise` (BFCL's standardize_string), lists element
  by element, numbers by value (5 == 5.0), other values exactly; a dict among the allowed
  values is itself a possible answer (key -> allowed values), checked recursively.

Deviations from BFCL's checker, each towards the rules above: parallel calls are matched
one-to-one by search (BFCL matches greedily, so overlapping allowed values can fail a
correct answer, as in parallel_178); types are checked at every depth, with int accepted
for float there too (BFCL checks list items one level deep, dict values not at all, and
converts int to float only at the top); strings are normalised even where only the
answer's own type admits them (BFCL compares those exactly); names are compared as given
(BFCL maps "." to "_" for models that cannot emit dots; a parser should undo that).
"""

from __future__ import annotations

import re

from data.schema import Call, Example

# BFCL's standardize_string: drop spaces and , . / - _ * ^, lower-case, ' -> " (quotes are
# unified, not dropped). So "April 1, 2024" matches "april 1 2024", and ['a'] matches ["a"].
_IGNORED = re.compile(r"[ ,./\-_*^]")

# BFCL type -> the Python types a JSON-decoded value may have; exact types, so a bool is
# not an integer. Types not listed (any, or none given) are not checked.
_TYPES = {
    "integer": (int,),
    "float": (int, float),
    "boolean": (bool,),
    "string": (str,),
    "array": (list,),
    "tuple": (list,),
    "dict": (dict,),
}


def normalise(text: str) -> str:
    return _IGNORED.sub("", text).lower().replace("'", '"')


def check_bfcl(ex: Example, calls: list[Call]) -> tuple[bool, str]:
    """(correct, reason): the reason is "ok" or a sentence saying what failed first."""
    info = ex.meta["bfcl"]
    if "irrelevance" in info["category"]:
        if calls:
            return False, f"expected no call, got {len(calls)} ({', '.join(c.name for c in calls)})"
        return True, "ok"
    expected = [next(iter(entry.items())) for entry in info["ground_truth"]]
    if len(calls) != len(expected):
        return False, f"expected {len(expected)} call(s), got {len(calls)}"
    docs = {doc["name"]: doc for doc in info["functions"]}
    # errors[i][j]: why produced call j does not match expected call i (None when it does).
    errors = [[_call_error(docs[name], allowed, call) for call in calls] for name, allowed in expected]
    if _assign(errors, 0, frozenset()):
        return True, "ok"
    for (name, _), row in zip(expected, errors):
        if all(row):
            # Explain with the first call to the same function, else the first call.
            j = next((j for j, c in enumerate(calls) if c.name == name), 0)
            prefix = "" if len(expected) == 1 else f"no call matches the expected call to {name!r}: "
            return False, prefix + row[j]
    return False, "the calls cannot be matched one-to-one to the expected calls"


def bfcl_summary(results: list[tuple[str, bool]]) -> dict:
    """(category, correct) pairs -> per-category n, correct, accuracy and their unweighted mean."""
    per_category: dict[str, dict] = {}
    for category, correct in results:
        counts = per_category.setdefault(category, {"n": 0, "correct": 0})
        counts["n"] += 1
        counts["correct"] += bool(correct)
    for counts in per_category.values():
        counts["accuracy"] = counts["correct"] / counts["n"]
    accuracies = [c["accuracy"] for c in per_category.values()]
    # BFCL's overall scores average categories, so small categories weigh as much as large ones.
    return {"per_category": per_category, "unweighted_mean": sum(accuracies) / len(accuracies) if accuracies else 0.0}


def _assign(errors: list[list[str | None]], i: int, used: frozenset[int]) -> bool:
    """Whether expected calls i.. can each take a different unused matching call."""
    if i == len(errors):
        return True
    return any(err is None and j not in used and _assign(errors, i + 1, used | {j}) for j, err in enumerate(errors[i]))


def _call_error(doc: dict, allowed: dict, call: Call) -> str | None:
    if call.name != doc["name"]:
        return f"called {call.name!r} instead of {doc['name']!r}"
    params = doc.get("parameters") or {}
    properties = params.get("properties") or {}
    for name in params.get("required", []):
        if name not in call.arguments:
            return f"{call.name}: missing required parameter {name!r}"
    for name, value in call.arguments.items():
        if name not in properties or name not in allowed:
            return f"{call.name}: unexpected parameter {name!r}"
        error = _type_error(value, properties[name], _options(allowed[name]))
        if error:
            return f"{call.name}: parameter {name!r} {error}"
        if not _allowed(value, allowed[name]):
            return f"{call.name}: parameter {name!r} has value {value!r}, expected one of {allowed[name]!r}"
    for name, values in allowed.items():
        if name not in call.arguments and "" not in _options(values):
            return f"{call.name}: missing parameter {name!r}, which the answer needs"
    return None


def _type_error(value, schema: dict, options: list) -> str | None:
    """Why `value` has neither the type `schema` declares nor that of one of `options` (its allowed values).

    Where a possible answer contradicts its doc (a variable name as a string for an
    array, True for a string enum), BFCL trusts the answer, so its types are accepted too.
    """
    bfcl_type = schema.get("type")
    accepted = {*_TYPES.get(bfcl_type, ()), *(type(option) for option in options if option != "")}
    if bfcl_type in _TYPES and type(value) not in accepted:
        return f"should be {bfcl_type}, got {type(value).__name__} {value!r}"
    if isinstance(value, list) and "items" in schema:
        item_options = [item for option in options if isinstance(option, list) for item in option]
        for item in value:
            error = _type_error(item, schema["items"], item_options)
            if error:
                return f"item {error}"
    if isinstance(value, dict):
        properties = schema.get("properties") or {}
        for key, item in value.items():
            if key in properties:
                key_options = [
                    o for option in options if isinstance(option, dict) and key in option for o in _options(option[key])
                ]
                error = _type_error(item, properties[key], key_options)
                if error:
                    return f"key {key!r} {error}"
    return None


def _allowed(value, allowed) -> bool:
    return any(_equal(value, option) for option in _options(allowed))


def _options(allowed) -> list:
    # A few nested BFCL answers give the value itself instead of a list of allowed values.
    return allowed if isinstance(allowed, list) else [allowed]


def _equal(value, option) -> bool:
    """Whether `value` matches one allowed value (a dict option is a nested possible answer)."""
    if isinstance(option, dict):
        return (
            isinstance(value, dict)
            and all(key in option and _allowed(item, option[key]) for key, item in value.items())
            and all(key in value or "" in _options(allowed) for key, allowed in option.items())
        )
    if isinstance(option, list):
        return isinstance(value, list) and len(value) == len(option) and all(map(_equal, value, option))
    if isinstance(option, str):
        return isinstance(value, str) and normalise(value) == normalise(option)
    if isinstance(option, bool) or isinstance(value, bool):
        return value is option  # True == 1 in Python; BFCL's types keep them apart
    return value == option
