import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from data.builtin.generate import generate
from data.dpo import make_pairs
from data.render import render_calls, render_response
from data.schema import Call, Example, Function, Param
from eval.metrics import aggregate, score_example, values_equal


def p(name, type_, required=True, **extra):
    return Param(name, {"type": type_, "description": name, **extra}, required)


WEATHER = Function(
    "get_weather",
    "Current weather",
    (
        p("city", "string"),
        p("unit", "string", required=False, enum=["celsius", "fahrenheit"]),
        p("days", "integer", required=False),
    ),
)
SEARCH = Function(
    "search", "Web search", (p("query", "string"), p("tags", "array", required=False, items={"type": "string"}))
)
ALARM = Function("set_alarm", "Set an alarm", (p("time", "string"), p("loud", "boolean", required=False)))
CLEAR = Function("clear_chat", "Clear the chat")
OFFERED = [WEATHER, SEARCH, ALARM, CLEAR]


def call_row(*calls, functions=OFFERED, **meta):
    return Example("do it", list(functions), calls=list(calls), meta={"kind": "call", **meta})


def text_row(kind="no_call", **meta):
    return Example("chat", list(OFFERED), text="Hello!", meta={"kind": kind, **meta})


def out(*calls):
    return render_calls(list(calls))


PARIS = Call("get_weather", {"city": "Paris"})


# --- values_equal -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "a, b, equal",
    [
        (5, 5.0, True),
        (0.5, 0.50, True),
        (5, 6, False),
        (True, 1, False),
        (1, True, False),
        (False, 0, False),
        (0.0, False, False),
        (True, True, True),
        (True, False, False),
        ("Paris", "Paris", True),
        ("Paris", "paris", False),
        ("5", 5, False),
        ("", None, False),
        (None, None, True),
        (None, 0, False),
        (0, None, False),
        (None, [], False),
        ({"a": 1, "b": 2}, {"b": 2, "a": 1}, True),
        ({"a": {"x": 1, "y": [1, {"p": True, "q": None}]}}, {"a": {"y": [1.0, {"q": None, "p": True}], "x": 1}}, True),
        ({"a": 1}, {"a": 1, "b": None}, False),
        ({"a": True}, {"a": 1}, False),
        ([1, 2], [1, 2], True),
        ([1, 2], [2, 1], False),
        ([1, 2], [1, 2, 3], False),
        ([1], [1.0], True),
        ([[1, True]], [[1, 1]], False),
        ([], {}, False),
        ({}, {}, True),
    ],
)
def test_values_equal(a, b, equal):
    assert values_equal(a, b) is equal
    assert values_equal(b, a) is equal


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=15,
)


@settings(max_examples=150, deadline=None)
@given(_json)
def test_values_equal_is_reflexive_and_survives_json(value):
    assert values_equal(value, value)
    assert values_equal(value, json.loads(json.dumps(value)))


# --- score_example: call rows ---------------------------------------------------------------


def test_exact_call():
    v = score_example(call_row(PARIS, id="r1"), out(PARIS))
    assert v == {
        "id": "r1",
        "kind": "call",
        "parsed": True,
        "called": True,
        "expected_call": True,
        "name_correct": True,
        "exact": True,
        "arg_tp": 1,
        "arg_fp": 0,
        "arg_fn": 0,
        "schema_valid": True,
        "schema_errors": [],
        "invented": False,
        "extra_text": False,
        "asked_for_missing": None,
        "correct": True,
        "verdict": "correct",
        "reason": "the call matches",
        "error": "",
        "expected": [{"name": "get_weather", "arguments": {"city": "Paris"}}],
        "predicted": [{"name": "get_weather", "arguments": {"city": "Paris"}}],
    }
    assert json.loads(json.dumps(v)) == v


def test_exact_call_in_another_shape_with_prose():
    output = 'Sure:\n```json\n{"name": "get_weather", "arguments": "{\\"city\\": \\"Paris\\"}"}\n```'
    v = score_example(call_row(PARIS), output)
    assert (v["correct"], v["exact"], v["extra_text"], v["verdict"]) == (True, True, True, "correct")


def test_numbers_by_value_but_bools_are_not_numbers():
    ex = call_row(Call("get_weather", {"city": "Oslo", "days": 5}))
    assert score_example(ex, out(Call("get_weather", {"city": "Oslo", "days": 5.0})))["exact"] is True
    v = score_example(
        call_row(Call("set_alarm", {"time": "7:00", "loud": True})), out(Call("set_alarm", {"time": "7:00", "loud": 1}))
    )
    assert (v["exact"], v["arg_tp"], v["arg_fp"], v["arg_fn"]) == (False, 1, 1, 1)
    assert v["reason"] == "argument 'loud': expected True, got 1"
    assert v["schema_valid"] is False and v["schema_errors"] == [
        "call to 'set_alarm': argument 'loud': 1 is not of type 'boolean'"
    ]


def test_wrong_value():
    ex = call_row(Call("get_weather", {"city": "Paris", "unit": "celsius"}))
    v = score_example(ex, out(Call("get_weather", {"city": "paris", "unit": "celsius"})))
    assert (v["verdict"], v["correct"], v["exact"], v["name_correct"]) == ("wrong_arguments", False, False, True)
    assert (v["arg_tp"], v["arg_fp"], v["arg_fn"]) == (1, 1, 1)
    assert v["reason"] == "argument 'city': expected 'Paris', got 'paris'"
    assert v["schema_valid"] is True


def test_missing_and_unexpected_arguments():
    ex = call_row(Call("get_weather", {"city": "Paris", "unit": "celsius"}))
    v = score_example(ex, out(Call("get_weather", {"city": "Paris", "days": 2})))
    assert (v["arg_tp"], v["arg_fp"], v["arg_fn"]) == (1, 1, 1)
    assert v["reason"] == "argument 'unit' missing (expected 'celsius'); unexpected argument 'days' = 2"
    assert v["schema_valid"] is True  # days is declared, unit optional


def test_unknown_argument_fails_the_schema():
    v = score_example(call_row(PARIS), out(Call("get_weather", {"city": "Paris", "country": "FR"})))
    assert v["schema_valid"] is False
    assert v["schema_errors"] == [
        "call to 'get_weather': Additional properties are not allowed ('country' was unexpected)"
    ]
    assert v["reason"] == "unexpected argument 'country' = 'FR'"


def test_missing_required_argument_fails_the_schema():
    v = score_example(call_row(PARIS), out(Call("get_weather", {"unit": "celsius"})))
    assert (v["schema_valid"], v["arg_tp"], v["arg_fp"], v["arg_fn"]) == (False, 0, 1, 1)
    assert v["schema_errors"] == ["call to 'get_weather': 'city' is a required property"]


def test_schema_error_names_the_nested_argument():
    v = score_example(call_row(Call("search", {"query": "q"})), out(Call("search", {"query": "q", "tags": ["a", 2]})))
    assert v["schema_errors"] == ["call to 'search': argument 'tags/1': 2 is not of type 'string'"]


def test_enum_is_checked():
    v = score_example(call_row(PARIS), out(Call("get_weather", {"city": "Paris", "unit": "kelvin"})))
    assert v["schema_valid"] is False and "'kelvin' is not one of" in v["schema_errors"][0]


def test_wrong_function():
    v = score_example(call_row(Call("search", {"query": "Paris weather"})), out(PARIS))
    assert (v["verdict"], v["name_correct"], v["invented"], v["schema_valid"]) == ("wrong_function", False, False, True)
    assert (v["arg_tp"], v["arg_fp"], v["arg_fn"]) == (0, 1, 1)  # arguments only count within same-name pairs
    assert v["reason"] == "expected a call to 'search', got a call to 'get_weather'"


def test_invented_function():
    v = score_example(call_row(PARIS, functions=[WEATHER, SEARCH]), out(Call("fetch_weather", {"city": "Paris"})))
    assert (v["verdict"], v["invented"], v["schema_valid"], v["correct"]) == ("invented_function", True, False, False)
    assert v["reason"] == "called 'fetch_weather', which is not offered (offered: 'get_weather', 'search')"
    assert v["schema_errors"] == ["'fetch_weather' is not offered"]


def test_wrong_call_count():
    rome = Call("get_weather", {"city": "Rome"})
    v = score_example(call_row(PARIS, rome), out(rome))
    assert (v["verdict"], v["name_correct"], v["exact"]) == ("wrong_call_count", False, False)
    assert (v["arg_tp"], v["arg_fp"], v["arg_fn"]) == (1, 0, 1)
    assert v["reason"] == "expected 2 calls ('get_weather', 'get_weather'), got a call to 'get_weather'"


def test_parallel_calls_in_any_order():
    calls = [PARIS, Call("get_weather", {"city": "Rome"}), Call("search", {"query": "x"})]
    v = score_example(call_row(*calls), out(*reversed(calls)))
    assert (v["exact"], v["correct"], v["arg_tp"], v["arg_fp"], v["arg_fn"]) == (True, True, 3, 0, 0)
    assert v["reason"] == "all 3 calls match"


def test_parallel_calls_are_a_multiset():
    v = score_example(call_row(PARIS, PARIS), out(PARIS, Call("get_weather", {"city": "Rome"})))
    assert (v["exact"], v["name_correct"], v["arg_tp"], v["arg_fp"], v["arg_fn"]) == (False, True, 1, 1, 1)
    assert v["reason"] == "call to 'get_weather': argument 'city': expected 'Paris', got 'Rome'"
    assert score_example(call_row(PARIS, PARIS), out(PARIS, PARIS))["exact"] is True


def test_pairs_prefer_identical_then_closest_calls():
    a = Call("set_alarm", {"time": "7:00", "loud": True})
    b = Call("set_alarm", {"time": "8:00", "loud": False})
    # b' shares loud with a and time with b: pairing it with b leaves a exact.
    b_wrong = Call("set_alarm", {"time": "8:00", "loud": True})
    v = score_example(call_row(a, b), out(b_wrong, a))
    assert (v["arg_tp"], v["arg_fp"], v["arg_fn"]) == (3, 1, 1)
    assert v["reason"] == "call to 'set_alarm': argument 'loud': expected False, got True"


def test_missed_call():
    v = score_example(call_row(PARIS), "Sorry, I can't check the weather.")
    assert (v["verdict"], v["parsed"], v["called"], v["correct"]) == ("missed_call", False, False, False)
    assert (v["arg_tp"], v["arg_fp"], v["arg_fn"], v["schema_valid"]) == (0, 0, 1, None)
    assert v["reason"] == "expected a call to 'get_weather', got a text answer"


def test_unparsable_call():
    v = score_example(call_row(PARIS), out(PARIS)[:-1])
    assert (v["verdict"], v["parsed"], v["called"], v["correct"], v["schema_valid"]) == (
        "unparsable",
        False,
        True,
        False,
        None,
    )
    assert v["reason"].startswith("the call could not be read: invalid JSON at character")
    assert v["error"].startswith("invalid JSON")


def test_call_with_no_arguments():
    v = score_example(call_row(Call("clear_chat")), '{"name": "clear_chat", "arguments": {}}')
    assert (v["correct"], v["arg_tp"], v["arg_fp"], v["arg_fn"], v["schema_valid"]) == (True, 0, 0, 0, True)


def test_invalid_offered_schema_cannot_be_checked():
    odd = Function("odd", "", (p("x", "str"),))
    v = score_example(call_row(Call("odd", {"x": "a"}), functions=[odd]), out(Call("odd", {"x": "a"})))
    assert v["correct"] is True and v["schema_valid"] is None
    assert v["schema_errors"][0].startswith("function 'odd' has an invalid parameters schema: ")


# --- score_example: text rows ----------------------------------------------------------------


def test_no_call_row_answered_in_text():
    v = score_example(text_row(id="t"), "Hi there!")
    assert (v["verdict"], v["correct"], v["called"], v["expected_call"], v["exact"]) == (
        "correct",
        True,
        False,
        False,
        True,
    )
    assert (v["schema_valid"], v["asked_for_missing"], v["extra_text"], v["invented"]) == (None, None, False, False)
    assert v["reason"] == "answered in text without calling"
    assert v["expected"] == [] and v["predicted"] == []


def test_no_call_row_with_a_call():
    v = score_example(text_row(), out(Call("clear_chat")))
    assert (v["verdict"], v["correct"], v["called"], v["parsed"], v["exact"]) == (
        "unneeded_call",
        False,
        True,
        True,
        False,
    )
    assert v["schema_valid"] is True  # a valid call, just not wanted
    assert v["reason"] == "expected a text answer, got a call to 'clear_chat'"


def test_no_call_row_with_a_broken_call():
    v = score_example(text_row(), '{"function": "clear_chat", "arguments": {')
    assert (v["verdict"], v["correct"], v["called"], v["parsed"]) == ("unneeded_call", False, True, False)
    assert v["reason"].startswith("expected a text answer, got an unreadable call (invalid JSON")


def test_ask_row_asks_for_the_missing_value():
    v = score_example(text_row("ask"), "Which city do you mean?")
    assert (v["correct"], v["asked_for_missing"], v["kind"]) == (True, True, "ask")
    assert v["reason"] == "answered in text and asked for the missing value"


def test_ask_row_without_a_question():
    v = score_example(text_row("ask"), "I need the city.")
    assert (v["correct"], v["asked_for_missing"]) == (True, False)
    assert v["reason"] == "answered in text without calling, but asked no question"


def test_ask_row_with_a_call_did_not_ask():
    v = score_example(text_row("ask"), out(Call("get_weather", {"city": "?"})))
    assert (v["correct"], v["asked_for_missing"], v["verdict"]) == (False, False, "unneeded_call")


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_output_gets_a_json_safe_verdict(output):
    for ex in (call_row(PARIS), text_row("ask")):
        v = score_example(ex, output)
        assert json.loads(json.dumps(v)) == v
        assert v["correct"] == (v["exact"] if ex.calls else not v["called"])
        assert v["verdict"] and v["reason"]


# --- aggregate -------------------------------------------------------------------------------


def _scored():
    rows = [
        (call_row(PARIS, unseen=False), out(PARIS)),
        (
            call_row(Call("get_weather", {"city": "Paris", "unit": "celsius"}), unseen=True),
            out(Call("get_weather", {"city": "paris", "unit": "celsius"})),
        ),
        (call_row(Call("search", {"query": "x"}), unseen=True), "I can't search."),
        (call_row(Call("search", {"query": "x"}), unseen=False), "Here:\n" + out(Call("web_search", {"query": "x"}))),
        (text_row(unseen=False), out(Call("clear_chat"))),
        (text_row("ask", unseen=True), "Which city?"),
        (text_row("ask", unseen=False), '{"function": "get_weather", '),
        (text_row(unseen=False), "Hello"),
    ]
    examples = [ex for ex, _ in rows]
    return examples, [score_example(ex, o) for ex, o in rows]


FIGURES = (
    "n",
    "n_call",
    "n_text",
    "accuracy",
    "parse_rate",
    "name_accuracy",
    "exact_accuracy",
    "arg_precision",
    "arg_recall",
    "schema_validity",
    "call_precision",
    "call_recall",
    "no_call_accuracy",
    "invented_rate",
    "extra_text_rate",
    "asked_for_missing_rate",
)


def test_aggregate_figures():
    a = aggregate(*_scored())
    assert {k: a[k] for k in FIGURES} == {
        "n": 8,
        "n_call": 4,
        "n_text": 4,
        "accuracy": 3 / 8,
        "parse_rate": 3 / 4,
        "name_accuracy": 2 / 4,
        "exact_accuracy": 1 / 4,
        "arg_precision": 2 / 4,  # tp 2 (rows 1, 2), fp 2 (rows 2, 4)
        "arg_recall": 2 / 5,  # fn 3 (rows 2, 3, 4)
        "schema_validity": 3 / 4,  # calls read on rows 1, 2, 4, 5; row 4's is invented
        "call_precision": 3 / 5,  # called on rows 1, 2, 4 (call rows) and 5, 7
        "call_recall": 3 / 4,
        "no_call_accuracy": 2 / 4,
        "invented_rate": 1 / 4,
        "extra_text_rate": 1 / 4,
        "asked_for_missing_rate": 1 / 2,
    }
    assert json.loads(json.dumps(a)) == a


def test_aggregate_breakdowns():
    a = aggregate(*_scored())
    assert list(a["by_function"]) == ["(none)", "get_weather", "search"]
    assert {k: v["n"] for k, v in a["by_function"].items()} == {"(none)": 4, "get_weather": 2, "search": 2}
    assert a["by_function"]["get_weather"]["exact_accuracy"] == 0.5
    assert a["by_function"]["search"]["parse_rate"] == 0.5
    none = a["by_function"]["(none)"]
    assert (none["parse_rate"], none["exact_accuracy"], none["no_call_accuracy"], none["call_precision"]) == (
        None,
        None,
        0.5,
        0.0,
    )
    assert list(a["by_arg_count"]) == ["1", "2", "(none)"]
    assert {k: v["n"] for k, v in a["by_arg_count"].items()} == {"1": 3, "2": 1, "(none)": 4}
    assert a["by_arg_count"]["2"]["arg_recall"] == 0.5
    assert list(a["by_seen"]) == ["seen", "unseen"]
    seen, unseen = a["by_seen"]["seen"], a["by_seen"]["unseen"]
    assert (seen["n"], unseen["n"]) == (5, 3)
    assert (unseen["accuracy"], unseen["exact_accuracy"], unseen["asked_for_missing_rate"]) == (1 / 3, 0.0, 1.0)
    assert (seen["accuracy"], seen["exact_accuracy"], seen["no_call_accuracy"]) == (2 / 5, 1 / 2, 1 / 3)
    assert set(a["by_seen"]["seen"]) == set(FIGURES)


def test_aggregate_of_nothing():
    a = aggregate([], [])
    assert a == {
        "n": 0,
        "n_call": 0,
        "n_text": 0,
        **{k: None for k in FIGURES[3:]},
        "by_function": {},
        "by_arg_count": {},
    }


def test_zero_denominators_are_none_not_zero():
    text_only = [text_row(), text_row("ask")]
    a = aggregate(text_only, [score_example(ex, "Hi") for ex in text_only])
    for k in (
        "parse_rate",
        "name_accuracy",
        "exact_accuracy",
        "arg_precision",
        "arg_recall",
        "schema_validity",
        "call_precision",
        "call_recall",
        "invented_rate",
        "extra_text_rate",
    ):
        assert a[k] is None, k
    assert (a["accuracy"], a["no_call_accuracy"], a["asked_for_missing_rate"]) == (1.0, 1.0, 0.0)

    calls_only = [call_row(Call("clear_chat"))]
    a = aggregate(calls_only, [score_example(ex, out(Call("clear_chat"))) for ex in calls_only])
    assert (a["no_call_accuracy"], a["asked_for_missing_rate"]) == (None, None)
    assert (a["arg_precision"], a["arg_recall"]) == (None, None)  # no arguments expected or given
    assert (a["exact_accuracy"], a["call_precision"], a["schema_validity"]) == (1.0, 1.0, 1.0)

    a = aggregate(calls_only, [score_example(ex, "no") for ex in calls_only])
    assert (a["call_precision"], a["call_recall"], a["schema_validity"], a["invented_rate"]) == (None, 0.0, None, None)


def test_by_seen_only_over_rows_that_have_it():
    rows = [call_row(PARIS), call_row(PARIS, unseen=True)]
    a = aggregate(rows, [score_example(ex, out(PARIS)) for ex in rows])
    assert {k: v["n"] for k, v in a["by_seen"].items()} == {"unseen": 1}
    rows = rows[:1]
    assert "by_seen" not in aggregate(rows, [score_example(rows[0], out(PARIS))])


def test_several_functions_in_one_row_share_one_key():
    ex = call_row(PARIS, Call("search", {"query": "x"}), PARIS)
    a = aggregate([ex], [score_example(ex, out(PARIS))])
    assert list(a["by_function"]) == ["get_weather + search"]
    assert list(a["by_arg_count"]) == ["3"]


def test_aggregate_needs_one_verdict_per_example():
    with pytest.raises(ValueError, match="2 examples but 1 verdicts"):
        aggregate([text_row(), text_row()], [score_example(text_row(), "Hi")])


# --- on our builtin test split ----------------------------------------------------------------


@pytest.fixture(scope="module")
def builtin_test():
    return generate()["test"]


def test_builtin_right_answers_score_perfectly(builtin_test):
    verdicts = [score_example(ex, render_response(ex)) for ex in builtin_test]
    a = aggregate(builtin_test, verdicts)
    n = len(builtin_test)
    assert a["n"] == n and a["n_call"] == sum(ex.kind == "call" for ex in builtin_test)
    assert all(a[k] == 1.0 for k in FIGURES[3:] if k not in ("invented_rate", "extra_text_rate"))
    assert (a["invented_rate"], a["extra_text_rate"]) == (0.0, 0.0)
    assert list(a["by_seen"]) == ["seen", "unseen"]
    assert a["by_seen"]["unseen"]["n"] == sum(ex.meta["unseen"] for ex in builtin_test) > 0
    assert sum(g["n"] for g in a["by_function"].values()) == n


# The verdict each DPO rejection kind must get: the wrong answers the data stage trains against.
REJECTED_VERDICT = {
    "wrong_function": "wrong_function",
    "missing_argument": "wrong_arguments",
    "wrong_value": "wrong_arguments",
    "wrong_type": "wrong_arguments",
    "invented_function": "invented_function",
    "prose_around_json": "correct",
    "malformed_json": "unparsable",
    "call_when_text": "unneeded_call",
    "text_when_call": "missed_call",
}


def test_builtin_dpo_rejections_get_the_right_verdicts(builtin_test):
    pairs, report = make_pairs(builtin_test, "llama2")
    assert all(report["by_kind"].values())
    by_id = {ex.meta["id"]: ex for ex in builtin_test}
    for pair in pairs:
        ex, kind = by_id[pair["id"]], pair["rejection"]
        v = score_example(ex, pair["rejected"])
        assert v["verdict"] == REJECTED_VERDICT[kind], (kind, pair["rejected"], v["reason"])
        assert v["correct"] is (kind == "prose_around_json")
        assert v["extra_text"] is (kind == "prose_around_json")
        if kind in ("missing_argument", "wrong_type", "invented_function"):
            assert v["schema_valid"] is False, (kind, v["reason"])
        assert score_example(ex, pair["chosen"])["correct"] is True
