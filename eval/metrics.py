"""Call accuracy: a verdict per example, and figures over a set of them.

Values compare by `values_equal`. Expected and produced calls are matched as a multiset,
so parallel calls may come in any order: only calls to the same function are paired,
best pairs first (identical calls, then the most equal arguments). In a pair an argument
is a true positive when the produced call has it with an equal value; its other produced
arguments are false positives and its other expected ones false negatives. Every
argument of an unpaired produced call is a false positive, of an unpaired expected call
a false negative.

A row "expects a call" when the example has calls; its other rows (kind "no_call" or
"ask") expect a text answer. An output "called" when it attempted a call, readable or not
(`eval.parse`), and "has calls" when at least one call was read from it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from data.schema import Call, Example, SchemaError
from eval.check import check_calls
from eval.parse import Parsed, parse_output

NO_FUNCTION = "(none)"  # breakdown key of rows that expect a text answer


def values_equal(a: Any, b: Any) -> bool:
    """JSON values compared the way a call is judged.

    Numbers compare by value (5 == 5.0), but a bool is never a number (True != 1); dicts
    compare recursively and key order never matters; lists compare element-wise in
    order; strings compare exactly; None only equals None.
    """
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(values_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(values_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    return a is None and b is None


def score_example(ex: Example, output: str) -> dict:
    """The verdict on one output, as a JSON-safe dict.

    parsed: a call was read. called: a call was attempted. expected_call: the row has calls.
    name_correct: the produced function names equal the expected ones as a multiset.
    exact: every call right, names and all arguments, as a multiset (for a text row: no
        call was read). arg_tp, arg_fp, arg_fn: argument counts (module docstring).
    schema_valid: every call read validates against its offered function's parameters
        (unknown arguments fail; a function not offered fails); None when no call was read
        or an offered schema is itself not valid JSON Schema. schema_errors: why not.
    invented: a call read names a function not offered. extra_text: see `eval.parse`.
    asked_for_missing: on "ask" rows, answered in text without calling and asking a
        question (a "?"); None on other rows.
    correct: call rows: exact; text rows: no call attempted.
    verdict: a short label; reason: a sentence saying why. error: the parser's error.
    expected, predicted: the calls as {"name", "arguments"} dicts.
    """
    parsed = parse_output(output)
    expected, predicted = ex.calls, parsed.calls
    pairs, unpaired_expected, unpaired_predicted = _match(expected, predicted)
    counts = [_arg_counts(e, p) for e, p in pairs]
    offered = [f.name for f in ex.functions]
    invented = [c.name for c in predicted if c.name not in offered]
    exact = not unpaired_expected and not unpaired_predicted and all(fp == fn == 0 for _, fp, fn in counts)
    schema_valid, schema_errors = _check_schemas(ex, predicted)
    called = parsed.attempted
    asked = (not called and "?" in output) if ex.kind == "ask" else None
    correct = exact if expected else not called
    if expected:
        verdict, reason = _explain_call_row(ex, parsed, pairs, invented, exact)
    else:
        verdict, reason = _explain_text_row(parsed, asked)
    return {
        "id": ex.meta.get("id"),
        "kind": ex.kind,
        "parsed": bool(predicted),
        "called": called,
        "expected_call": bool(expected),
        "name_correct": Counter(c.name for c in expected) == Counter(c.name for c in predicted),
        "exact": exact,
        "arg_tp": sum(tp for tp, _, _ in counts),
        "arg_fp": sum(fp for _, fp, _ in counts) + sum(len(c.arguments) for c in unpaired_predicted),
        "arg_fn": sum(fn for _, _, fn in counts) + sum(len(c.arguments) for c in unpaired_expected),
        "schema_valid": schema_valid,
        "schema_errors": schema_errors,
        "invented": bool(invented),
        "extra_text": parsed.extra_text,
        "asked_for_missing": asked,
        "correct": correct,
        "verdict": verdict,
        "reason": reason,
        "error": parsed.error,
        "expected": [_as_dict(c) for c in expected],
        "predicted": [_as_dict(c) for c in predicted],
    }


def aggregate(examples: list[Example], verdicts: list[dict]) -> dict:
    """Figures over examples and their verdicts (from `score_example`, same order).

    Each figure is a share with its own denominator, None when that is zero:
    n, n_call, n_text: rows; rows expecting a call; rows expecting text.
    accuracy: `correct`, over all rows.
    parse_rate, name_accuracy, exact_accuracy: a call was read / the names were right /
        the calls were exact, over rows expecting a call.
    arg_precision, arg_recall: micro over rows expecting a call, tp / (tp + fp) and
        tp / (tp + fn); calls on text rows are judged by call_precision instead.
    schema_validity: over outputs with calls read whose schemas could be checked.
    call_precision: rows expecting a call that called, over all rows that called.
    call_recall: rows expecting a call that called, over rows expecting a call.
    no_call_accuracy: text rows (no_call and ask) that did not call, over text rows.
    invented_rate, extra_text_rate: over outputs with calls read.
    asked_for_missing_rate: over "ask" rows.

    Breakdowns hold the same figures per group (a group's n counts its rows):
    by_function: the expected calls' distinct function names joined by " + ", or "(none)";
    by_arg_count: the number of arguments across the expected calls, or "(none)";
    by_seen: "seen"/"unseen" from meta["unseen"], over rows that have it; left out when none do.
    """
    if len(examples) != len(verdicts):
        raise ValueError(f"{len(examples)} examples but {len(verdicts)} verdicts")
    rows = list(zip(examples, verdicts))
    out = _figures(rows)
    out["by_function"] = _breakdown(rows, _function_key)
    out["by_arg_count"] = _breakdown(rows, _arg_count_key)
    with_seen = [(ex, v) for ex, v in rows if "unseen" in ex.meta]
    if with_seen:
        out["by_seen"] = _breakdown(with_seen, lambda ex: "unseen" if ex.meta["unseen"] else "seen")
    return out


def _match(expected: list[Call], predicted: list[Call]) -> tuple[list[tuple[Call, Call]], list[Call], list[Call]]:
    """Same-name pairs, greedily best first, and the calls left unpaired on each side.

    Identical calls go first, so a perfect multiset match is always found when one exists.
    """
    candidates = []
    for i, e in enumerate(expected):
        for j, p in enumerate(predicted):
            if e.name == p.name:
                tp, fp, fn = _arg_counts(e, p)
                candidates.append((fp + fn > 0, -tp, i, j))
    taken_e, taken_p, pairs = set(), set(), []
    for *_, i, j in sorted(candidates):
        if i not in taken_e and j not in taken_p:
            taken_e.add(i)
            taken_p.add(j)
            pairs.append((expected[i], predicted[j]))
    return (
        pairs,
        [e for i, e in enumerate(expected) if i not in taken_e],
        [p for j, p in enumerate(predicted) if j not in taken_p],
    )


def _arg_counts(e: Call, p: Call) -> tuple[int, int, int]:
    tp = sum(1 for k, v in e.arguments.items() if k in p.arguments and values_equal(v, p.arguments[k]))
    return tp, len(p.arguments) - tp, len(e.arguments) - tp


def _check_schemas(ex: Example, calls: list[Call]) -> tuple[bool | None, list[str]]:
    if not calls:
        return None, []
    try:
        problems = [check.error for check in check_calls(calls, ex.functions) if check.error]
    except SchemaError as e:  # an offered schema that is itself invalid: validity cannot be judged
        return None, [str(e)]
    return not problems, problems


def _explain_call_row(
    ex: Example, parsed: Parsed, pairs: list[tuple[Call, Call]], invented: list[str], exact: bool
) -> tuple[str, str]:
    expected, predicted = ex.calls, parsed.calls
    if not parsed.attempted:
        return "missed_call", f"expected {_calls_phrase(expected)}, got a text answer"
    if not predicted:
        return "unparsable", f"the call could not be read: {parsed.error}"
    if invented:
        offered = ", ".join(repr(f.name) for f in ex.functions) or "none"
        return "invented_function", f"called {invented[0]!r}, which is not offered (offered: {offered})"
    if len(predicted) != len(expected):
        return "wrong_call_count", f"expected {_calls_phrase(expected)}, got {_calls_phrase(predicted)}"
    if Counter(c.name for c in expected) != Counter(c.name for c in predicted):
        return "wrong_function", f"expected {_calls_phrase(expected)}, got {_calls_phrase(predicted)}"
    if not exact:
        prefix = len(expected) > 1
        return "wrong_arguments", "; ".join(d for e, p in pairs for d in _argument_differences(e, p, prefix))
    return "correct", "the call matches" if len(expected) == 1 else f"all {len(expected)} calls match"


def _explain_text_row(parsed: Parsed, asked: bool | None) -> tuple[str, str]:
    if parsed.calls:
        return "unneeded_call", f"expected a text answer, got {_calls_phrase(parsed.calls)}"
    if parsed.attempted:
        return "unneeded_call", f"expected a text answer, got an unreadable call ({parsed.error})"
    if asked is False:
        return "correct", "answered in text without calling, but asked no question"
    if asked:
        return "correct", "answered in text and asked for the missing value"
    return "correct", "answered in text without calling"


def _argument_differences(e: Call, p: Call, prefix: bool) -> list[str]:
    lead = f"call to {e.name!r}: " if prefix else ""
    out = []
    for k, v in e.arguments.items():
        if k not in p.arguments:
            out.append(f"{lead}argument {k!r} missing (expected {v!r})")
        elif not values_equal(v, p.arguments[k]):
            out.append(f"{lead}argument {k!r}: expected {v!r}, got {p.arguments[k]!r}")
    out += [f"{lead}unexpected argument {k!r} = {v!r}" for k, v in p.arguments.items() if k not in e.arguments]
    return out


def _calls_phrase(calls: list[Call]) -> str:
    names = ", ".join(repr(c.name) for c in calls)
    return f"a call to {names}" if len(calls) == 1 else f"{len(calls)} calls ({names})"


def _as_dict(call: Call) -> dict:
    return {"name": call.name, "arguments": call.arguments}


def _figures(rows: list[tuple[Example, dict]]) -> dict:
    verdicts = [v for _, v in rows]
    call_rows = [v for v in verdicts if v["expected_call"]]
    text_rows = [v for v in verdicts if not v["expected_call"]]
    ask_rows = [v for ex, v in rows if ex.kind == "ask"]
    with_calls = [v for v in verdicts if v["parsed"]]
    tp, fp, fn = (sum(v[k] for v in call_rows) for k in ("arg_tp", "arg_fp", "arg_fn"))
    return {
        "n": len(verdicts),
        "n_call": len(call_rows),
        "n_text": len(text_rows),
        "accuracy": _share(verdicts, "correct"),
        "parse_rate": _share(call_rows, "parsed"),
        "name_accuracy": _share(call_rows, "name_correct"),
        "exact_accuracy": _share(call_rows, "exact"),
        "arg_precision": _ratio(tp, tp + fp),
        "arg_recall": _ratio(tp, tp + fn),
        "schema_validity": _share([v for v in with_calls if v["schema_valid"] is not None], "schema_valid"),
        "call_precision": _ratio(sum(v["called"] for v in call_rows), sum(v["called"] for v in verdicts)),
        "call_recall": _share(call_rows, "called"),
        "no_call_accuracy": _ratio(sum(not v["called"] for v in text_rows), len(text_rows)),
        "invented_rate": _share(with_calls, "invented"),
        "extra_text_rate": _share(with_calls, "extra_text"),
        "asked_for_missing_rate": _share(ask_rows, "asked_for_missing"),
    }


def _breakdown(rows: list[tuple[Example, dict]], key: Callable[[Example], str]) -> dict:
    groups: dict[str, list] = {}
    for ex, v in rows:
        groups.setdefault(key(ex), []).append((ex, v))
    # Numeric keys in numeric order; "(none)" and names after them, alphabetically.
    order = sorted(groups, key=lambda k: (not k.isdigit(), int(k) if k.isdigit() else 0, k))
    return {k: _figures(groups[k]) for k in order}


def _function_key(ex: Example) -> str:
    return " + ".join(dict.fromkeys(c.name for c in ex.calls)) or NO_FUNCTION


def _arg_count_key(ex: Example) -> str:
    return str(sum(len(c.arguments) for c in ex.calls)) if ex.calls else NO_FUNCTION


def _share(verdicts: list[dict], key: str) -> float | None:
    return _ratio(sum(bool(v[key]) for v in verdicts), len(verdicts))


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None
