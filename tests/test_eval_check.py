"""Checking returned calls against the offered tools (eval/check.py), in the shapes applications get them."""

import json

import pytest

from data.schema import Call, Function, SchemaError
from eval.check import CallCheck, check_calls

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather in a city.",
        "parameters": {
            "type": "object",
            "required": ["city", "days"],
            "properties": {
                "city": {"type": "string", "description": "City name"},
                "days": {"type": "integer", "description": "How many days ahead"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"], "description": "Temperature unit"},
                "where": {"type": "object", "required": ["lat"], "properties": {"lat": {"type": "number"}}},
            },
        },
    },
}


def tool_call(name, arguments):
    """A tool call as the OpenAI API returns it: arguments as a JSON string."""
    return {"id": "call_0", "type": "function", "function": {"name": name, "arguments": json.dumps(arguments)}}


def test_a_valid_call_has_nothing_missing():
    (check,) = check_calls([tool_call("get_weather", {"city": "Oslo", "days": 2, "unit": "celsius"})], [WEATHER])
    assert check == CallCheck("get_weather") and check.ok


def test_missing_required_values_are_listed_in_declared_order():
    (check,) = check_calls([tool_call("get_weather", {"unit": "celsius"})], [WEATHER])
    assert check.missing == ("city", "days") and not check.ok
    assert check.error == "call to 'get_weather': 'city' is a required property"


@pytest.mark.parametrize(
    "arguments, error",
    [
        ({"city": "Oslo", "days": "2"}, "call to 'get_weather': argument 'days': '2' is not of type 'integer'"),
        (
            {"city": "Oslo", "days": 2, "unit": "kelvin"},
            "call to 'get_weather': argument 'unit': 'kelvin' is not one of",
        ),
        (
            {"city": "Oslo", "days": 2, "country": "NO"},
            "call to 'get_weather': Additional properties are not allowed ('country' was unexpected)",
        ),
        (
            {"city": "Oslo", "days": 2, "where": {}},
            "call to 'get_weather': argument 'where': 'lat' is a required property",
        ),
    ],
)
def test_wrong_values_and_unknown_arguments(arguments, error):
    (check,) = check_calls([tool_call("get_weather", arguments)], [WEATHER])
    assert check.missing == () and check.error.startswith(error)


def test_function_not_offered_and_unreadable_arguments():
    bad_json = {"type": "function", "function": {"name": "get_weather", "arguments": "{city: Oslo"}}
    checks = check_calls([tool_call("get_forecast", {}), bad_json], [WEATHER])
    assert checks[0] == CallCheck("get_forecast", error="'get_forecast' is not offered")
    assert checks[1].name == "get_weather"
    assert checks[1].error.startswith("call to 'get_weather': arguments are not valid JSON")


def test_every_shape_of_call_and_tool_gives_the_same_checks():
    from openai.types.chat import ChatCompletionMessageToolCall

    arguments = {"city": "Oslo"}
    shapes = [
        Call("get_weather", arguments),
        tool_call("get_weather", arguments),
        {"type": "function", "function": {"name": "get_weather", "arguments": arguments}},  # parse_response
        ChatCompletionMessageToolCall.model_validate(tool_call("get_weather", arguments)),  # the openai client
    ]
    expected = [CallCheck("get_weather", ("days",), "call to 'get_weather': 'days' is a required property")] * 4
    assert check_calls(shapes, [WEATHER]) == expected
    assert check_calls(shapes, [Function.from_openai(WEATHER)]) == expected
    assert check_calls(shapes, [WEATHER["function"]]) == expected


def test_an_invalid_tool_schema_is_refused_when_called():
    odd = {
        "type": "function",
        "function": {"name": "odd", "parameters": {"type": "object", "properties": {"x": {"type": "strin"}}}},
    }
    assert check_calls([tool_call("get_weather", {"city": "Oslo", "days": 1})], [WEATHER, odd])[0].ok
    with pytest.raises(SchemaError, match="function 'odd' has an invalid parameters schema"):
        check_calls([tool_call("odd", {"x": 1})], [WEATHER, odd])
