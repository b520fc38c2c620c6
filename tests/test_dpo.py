import json
from collections import Counter

import pytest

from data.dpo import REJECTION_KINDS, make_pairs
from data.render import render_calls, render_prompt, render_response
from data.schema import Call, Example, Function, Param

FAMILY = "llama2"


def p(name, type_, required=True, **extra):
    return Param(name, {"type": type_, "description": name, **extra}, required)


WEATHER = Function(
    "get_weather",
    "Current weather in a city",
    (
        p("location", "string"),
        p("unit", "string", required=False, enum=["celsius", "fahrenheit"]),
    ),
)
FLIGHTS = Function(
    "search_flights",
    "Search flights",
    (
        p("origin", "string"),
        p("destination", "string"),
        p("passengers", "integer"),
        p("nonstop", "boolean", required=False),
    ),
)
REMIND = Function(
    "set_reminder",
    "Set reminders",
    (
        p("times", "array", items={"type": "string"}),
        p("volume", "number"),
        p("label", "any", required=False),
    ),
)
OFFERED = [WEATHER, FLIGHTS, REMIND]
NAMES = [f.name for f in OFFERED]

WEATHER_CALL = Call("get_weather", {"location": "Paris", "unit": "celsius"})
FLIGHT_CALL = Call("search_flights", {"origin": "New York", "destination": "London", "passengers": 2, "nonstop": True})
REMIND_CALL = Call("set_reminder", {"times": ["08:00", "12:00"], "volume": 0.5, "label": "pills"})


def call_row(*calls, functions=OFFERED, id="c"):
    return Example(user="please do it", functions=list(functions), calls=list(calls), meta={"id": id})


def text_row(functions=OFFERED, id="t"):
    return Example(user="tell me a joke", functions=list(functions), text="I can't tell jokes, sorry.", meta={"id": id})


SINGLE_CALLS = [
    call_row(WEATHER_CALL, id="w"),
    call_row(FLIGHT_CALL, id="f"),
    call_row(REMIND_CALL, id="r"),
    call_row(WEATHER_CALL, functions=[WEATHER], id="w1"),  # one function offered: no wrong_function
]
MULTI = call_row(WEATHER_CALL, Call("get_weather", {"location": "Rome"}), id="multi")
TEXTS = [text_row(id="t"), text_row(functions=[FLIGHTS], id="t1")]
NO_FUNCTIONS = Example(user="hello", functions=[], text="Hi! How can I help?", meta={"id": "nofn"})
EXAMPLES = SINGLE_CALLS + [MULTI] + TEXTS + [NO_FUNCTIONS]
BY_ID = {ex.meta["id"]: ex for ex in EXAMPLES}

# A larger set, for statistics over choices: each example repeated under fresh ids.
MANY = [
    Example(ex.user, ex.functions, ex.calls, ex.text, meta={"id": f"{ex.meta['id']}-{n}"})
    for n in range(40)
    for ex in EXAMPLES
]


def only(kind, examples=EXAMPLES, seed=0):
    rows, report = make_pairs(examples, FAMILY, seed=seed, mix={kind: 1})
    assert rows and all(r["rejection"] == kind for r in rows)
    return rows, report


def source(row):
    return BY_ID[row["id"].split("-")[0]]


def call_of(text):
    """The one call in a rendered answer; asserts it is rendered exactly as render_calls does."""
    call = Call.from_obj(json.loads(text))
    assert render_calls([call]) == text
    return call


def changed_keys(a: dict, b: dict):
    return [k for k in a if k in b and json.dumps(a[k]) != json.dumps(b[k])]


# Row shape


def test_rows_are_trl_preference_rows():
    rows, _ = make_pairs(EXAMPLES, FAMILY, system="Be brief.")
    for row in rows:
        ex = source(row)
        assert row["prompt"] == render_prompt(ex, FAMILY, "Be brief.")
        assert row["chosen"] == render_response(ex)
        assert row["rejection"] in REJECTION_KINDS
        assert row["rejected"] != row["chosen"]


def test_rejected_never_equals_chosen_for_any_kind():
    for kind in REJECTION_KINDS:
        rows, _ = make_pairs(MANY, FAMILY, mix={kind: 1})
        assert all(r["rejected"] != r["chosen"] for r in rows)


# Each kind


def test_wrong_function_calls_another_offered_function_with_its_required_arguments():
    rows, report = only("wrong_function", MANY)
    assert {source(r).meta["id"] for r in rows} == {"w", "f", "r", "multi"}  # not w1 (one function), not text rows
    for row in (r for r in rows if source(r) is not MULTI):
        right, wrong = call_of(row["chosen"]), call_of(row["rejected"])
        assert wrong.name in NAMES and wrong.name != right.name
        f = next(f for f in OFFERED if f.name == wrong.name)
        assert sorted(wrong.arguments) == sorted(f.required)


def test_wrong_function_keeps_values_of_same_named_arguments():
    shared = Function("get_forecast", "Forecast", (p("location", "string"), p("days", "integer")))
    ex = call_row(Call("get_weather", {"location": "Paris"}), functions=[WEATHER, shared])
    rows, _ = make_pairs([ex], FAMILY, mix={"wrong_function": 1})
    wrong = call_of(rows[0]["rejected"])
    assert wrong.name == "get_forecast" and wrong.arguments["location"] == "Paris"
    assert isinstance(wrong.arguments["days"], int)


def test_missing_argument_drops_exactly_one_required_argument():
    rows, _ = only("missing_argument", MANY)
    for row in (r for r in rows if source(r) is not MULTI):
        right, wrong = call_of(row["chosen"]), call_of(row["rejected"])
        assert wrong.name == right.name
        missing = set(right.arguments) - set(wrong.arguments)
        assert len(missing) == 1 and len(wrong.arguments) == len(right.arguments) - 1
        f = next(f for f in OFFERED if f.name == right.name)
        assert missing <= set(f.required)
        assert all(wrong.arguments[k] == right.arguments[k] for k in wrong.arguments)


def test_missing_argument_needs_a_required_argument():
    only_optional = Function("list_items", "List", (p("limit", "integer", required=False),))
    ex = call_row(Call("list_items", {"limit": 3}), functions=[only_optional])
    _, report = make_pairs([ex], FAMILY, mix={"missing_argument": 1})
    assert report["pairs"] == 0 and report["skipped"] == 1


def test_wrong_value_changes_one_value_and_keeps_its_type():
    rows, _ = only("wrong_value", MANY)
    seen = set()
    for row in (r for r in rows if source(r) is not MULTI):
        right, wrong = call_of(row["chosen"]), call_of(row["rejected"])
        assert wrong.name == right.name and list(wrong.arguments) == list(right.arguments)
        [key] = changed_keys(right.arguments, wrong.arguments)
        assert type(wrong.arguments[key]) is type(right.arguments[key])
        seen.add((right.name, key, json.dumps(wrong.arguments[key])))
    # The enum moves to its other member, the boolean flips, the list loses an item.
    assert ("get_weather", "unit", '"fahrenheit"') in seen
    assert ("search_flights", "nonstop", "false") in seen
    assert {s for s in seen if s[1] == "times"} <= {
        ("set_reminder", "times", '["08:00"]'),
        ("set_reminder", "times", '["12:00"]'),
    }


def test_wrong_value_leaves_null_alone():
    f = Function("f", "", (p("x", "any"),))
    _, report = make_pairs([call_row(Call("f", {"x": None}), functions=[f])], FAMILY, mix={"wrong_value": 1})
    assert report["skipped"] == 1


@pytest.mark.parametrize(
    "type_,value,expected",
    [
        ("integer", 5, "5"),
        ("number", 0.5, "0.5"),
        ("string", "5", 5),
        ("string", "true", True),
        ("boolean", True, "true"),
        ("string", "Paris", ["Paris"]),
        ("array", [1, 2], "[1, 2]"),
        ("object", {"a": 1}, '{"a": 1}'),
    ],
)
def test_wrong_type_gives_the_value_another_json_type(type_, value, expected):
    f = Function("f", "", (p("x", type_),))
    rows, _ = make_pairs([call_row(Call("f", {"x": value}), functions=[f])], FAMILY, mix={"wrong_type": 1})
    wrong = call_of(rows[0]["rejected"])
    assert wrong.arguments == {"x": expected} and type(wrong.arguments["x"]) is type(expected)


def test_wrong_type_skips_arguments_that_accept_any_type():
    rows, _ = only("wrong_type", [call_row(REMIND_CALL, id=str(n)) for n in range(30)])
    for row in rows:
        [key] = changed_keys(call_of(row["chosen"]).arguments, call_of(row["rejected"]).arguments)
        assert key != "label"
    f = Function("f", "", (p("x", "any"),))
    _, report = make_pairs([call_row(Call("f", {"x": 1}), functions=[f])], FAMILY, mix={"wrong_type": 1})
    assert report["skipped"] == 1


def test_invented_function_is_not_offered_and_keeps_the_arguments():
    rows, _ = only("invented_function", MANY)
    for row in (r for r in rows if source(r) is not MULTI):
        right, wrong = call_of(row["chosen"]), call_of(row["rejected"])
        assert wrong.name not in NAMES and right.name.split("_")[-1] in wrong.name
        assert wrong.arguments == right.arguments


def test_prose_around_json_wraps_the_right_call():
    rows, _ = only("prose_around_json", MANY)
    for row in rows:
        before, found, after = row["rejected"].partition(row["chosen"])
        assert found and before.strip() and after.strip()
        with pytest.raises(json.JSONDecodeError):
            json.loads(row["rejected"])


def test_malformed_json_does_not_parse():
    rows, _ = only("malformed_json", MANY)
    assert len({r["rejected"] for r in rows}) > 5  # several ways of breaking it
    for row in (r for r in rows if source(r) is not MULTI):
        json.loads(row["chosen"])
        with pytest.raises(json.JSONDecodeError):
            json.loads(row["rejected"])


def test_call_when_text_only_for_text_rows_with_functions():
    rows, report = only("call_when_text", MANY)
    assert {source(r).meta["id"] for r in rows} == {"t", "t1"}
    assert report["skipped"] == len(MANY) - len(rows)
    for row in rows:
        call = call_of(row["rejected"])
        f = next(f for f in source(row).functions if f.name == call.name)
        assert sorted(call.arguments) == sorted(f.required)


def test_text_when_call_answers_call_rows_in_plain_text():
    rows, _ = only("text_when_call", MANY)
    assert all(source(r).calls for r in rows)
    for row in rows:
        assert "{" not in row["rejected"]


def test_multi_call_rows_change_exactly_one_call():
    for kind in ("wrong_function", "missing_argument", "wrong_value", "wrong_type", "invented_function"):
        rows, _ = make_pairs([MULTI], FAMILY, mix={kind: 1})
        right, wrong = rows[0]["chosen"].split("\n\n"), rows[0]["rejected"].split("\n\n")
        assert len(wrong) == len(right) == 2
        assert sum(a != b for a, b in zip(right, wrong)) == 1, kind


# Choice of kinds


def test_default_mix_uses_every_kind_and_skips_only_rows_nothing_applies_to():
    rows, report = make_pairs(MANY, FAMILY)
    assert set(r["rejection"] for r in rows) == set(REJECTION_KINDS)
    assert report["skipped"] == 40  # the rows with neither a call nor a function
    assert report["requested_mix"] == dict.fromkeys(REJECTION_KINDS, 1.0)


def test_same_seed_same_rows_other_seed_other_choices():
    assert make_pairs(MANY, FAMILY, seed=3) == make_pairs(MANY, FAMILY, seed=3)
    a, _ = make_pairs(MANY, FAMILY, seed=3)
    b, _ = make_pairs(MANY, FAMILY, seed=4)
    assert [r["rejected"] for r in a] != [r["rejected"] for r in b]
    assert [r["rejection"] for r in a] != [r["rejection"] for r in b]


def test_zero_weight_disables_a_kind():
    mix = {**dict.fromkeys(REJECTION_KINDS, 1.0), "wrong_type": 0}
    rows, report = make_pairs(MANY, FAMILY, mix=mix)
    assert "wrong_type" not in {r["rejection"] for r in rows}
    assert report["by_kind"]["wrong_type"] == 0


def test_single_kind_mix_gives_only_that_kind_where_it_applies():
    rows, report = make_pairs(MANY, FAMILY, mix={"wrong_value": 1})
    assert {r["rejection"] for r in rows} == {"wrong_value"}
    assert report["pairs"] == 40 * 5 and report["skipped"] == 40 * 3  # call rows vs text rows


def test_weights_set_proportions():
    calls = [call_row(FLIGHT_CALL, id=str(n)) for n in range(400)]
    _, report = make_pairs(calls, FAMILY, mix={"wrong_value": 3, "text_when_call": 1})
    assert 0.68 < report["by_kind"]["wrong_value"] / report["pairs"] < 0.82


def test_unknown_or_bad_mix_raises():
    with pytest.raises(ValueError, match="wrong_vlaue.*valid kinds: wrong_function, missing_argument"):
        make_pairs(EXAMPLES, FAMILY, mix={"wrong_vlaue": 1})
    with pytest.raises(ValueError, match="weight 0"):
        make_pairs(EXAMPLES, FAMILY, mix={"wrong_value": 0})
    with pytest.raises(ValueError, match=">= 0"):
        make_pairs(EXAMPLES, FAMILY, mix={"wrong_value": -1})


def test_report_counts_add_up():
    rows, report = make_pairs(MANY, FAMILY, seed=7)
    assert report["pairs"] == len(rows)
    assert report["pairs"] + report["skipped"] == len(MANY)
    assert report["by_kind"] == {k: Counter(r["rejection"] for r in rows)[k] for k in REJECTION_KINDS}
    assert [r["id"] for r in rows] == [ex.meta["id"] for ex in MANY if ex.functions]
