"""The parser of model outputs, and the response template's parity with it: every text here is
also read by the response template (`data.render.response_template`, what `parse_response` and
`transformers serve` use), which must find the same calls, or the difference named in the test."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from transformers.utils.chat_parsing import ResponseParser, parse_response

from data.render import render_calls, response_template
from data.schema import Call
from eval.parse import CallStream, parse_output, to_message

EOS = "</s>"
TEMPLATE = response_template("llama2", EOS)

WEATHER = Call("get_current_weather", {"city": "Paris", "days": 3})
SEARCH = Call("search_bing", {"query": "café près de moi", "filters": {"safe": True, "tags": ["a", 1, 2.5, None]}})
V2 = render_calls([WEATHER])


def template_calls(text):
    """The calls the response template reads from `text`, which must be the same whole (ended by EOS
    as a generation is, or not) and streamed in about ten pieces (of 3 characters at least)."""
    whole = parse_response(text + EOS, TEMPLATE, prefix="")
    bare = parse_response(text, TEMPLATE, prefix="")
    stream = ResponseParser(TEMPLATE, prefix="")
    piece = max(3, len(text) // 10)
    for i in range(0, len(text), piece):
        stream.feed(text[i : i + piece])
    stream.feed(EOS)
    streamed = stream.finalize()[0]
    calls = [[Call.from_obj(c) for c in m.get("tool_calls", [])] for m in (whole, bare, streamed)]
    assert calls[0] == calls[1] == calls[2], calls
    return calls[0]


def read(text, template=None):
    """What the parser reads; the template must read the same calls, or `template` when it is given."""
    parsed = parse_output(text)
    assert template_calls(text) == (parsed.calls if template is None else template)
    return parsed.calls, parsed.attempted, parsed.extra_text, parsed.error


# --- calls that are read ---------------------------------------------------------------


def test_pure_v2_json():
    assert read(V2) == ([WEATHER], True, False, "")


def test_surrounding_whitespace_is_not_extra_text():
    assert read(f"\n\n  {V2}\n  \n") == ([WEATHER], True, False, "")


def test_compact_json_on_one_line():
    assert read(json.dumps(WEATHER.to_v2())) == ([WEATHER], True, False, "")


def test_several_calls_separated_by_blank_lines_as_the_renderer_writes_them():
    calls = [WEATHER, SEARCH, Call("clear_chat")]
    assert read(render_calls(calls)) == (calls, True, False, "")


def test_calls_back_to_back_and_on_consecutive_lines():
    one, two = json.dumps(WEATHER.to_v2()), json.dumps(SEARCH.to_v2())
    assert read(one + two) == ([WEATHER, SEARCH], True, False, "")
    assert read(f"{one}\n{two}") == ([WEATHER, SEARCH], True, False, "")


def test_json_array_of_calls():
    text = json.dumps([WEATHER.to_v2(), {"name": SEARCH.name, "arguments": SEARCH.arguments}], indent=2)
    # The template reads v2 call objects wherever they are, so not the v3 one.
    assert read(text, template=[WEATHER]) == ([WEATHER, SEARCH], True, False, "")


@pytest.mark.parametrize("fence", ["```json", "```JSON", "```"])
def test_code_fence_counts_as_extra_text(fence):
    assert read(f"{fence}\n{V2}\n```") == ([WEATHER], True, True, "")


def test_prose_before_and_after():
    text = f"Sure! I'll check the weather for you.\n\n{V2}\n\nLet me know if you need anything else."
    assert read(text) == ([WEATHER], True, True, "")


def test_prose_on_the_same_line():
    assert read(f"Calling: {json.dumps(WEATHER.to_v2())} now.") == ([WEATHER], True, True, "")


def test_prose_fence_and_several_calls():
    text = f"Here you go:\n```json\n{render_calls([WEATHER, SEARCH])}\n```\nDone."
    assert read(text) == ([WEATHER, SEARCH], True, True, "")


@pytest.mark.parametrize(
    "obj",
    [
        {"name": "get_current_weather", "arguments": {"city": "Paris", "days": 3}},
        {"name": "get_current_weather", "parameters": {"city": "Paris", "days": 3}},
        {"name": "get_current_weather", "arguments": json.dumps({"city": "Paris", "days": 3})},
        {"type": "function", "function": {"name": "get_current_weather", "arguments": {"city": "Paris", "days": 3}}},
        {
            "type": "function",
            "function": {"name": "get_current_weather", "arguments": json.dumps({"city": "Paris", "days": 3})},
        },
        {"function": {"name": "get_current_weather", "arguments": {"city": "Paris", "days": 3}}},
    ],
    ids=["v3", "v3-parameters", "v3-string-arguments", "tool_call", "tool_call-string-arguments", "function-object"],
)
def test_v3_and_openai_shapes(obj):
    # Not the v2 format: the template reads none of them (they stay in `content`).
    assert read(json.dumps(obj), template=[]) == ([WEATHER], True, False, "")


def test_call_without_arguments():
    # The v2 format always writes "arguments"; the template has no default to put in its place.
    assert read('{"function": "clear_chat"}', template=[]) == ([Call("clear_chat", {})], True, False, "")
    assert read('{"name": "clear_chat", "arguments": ""}', template=[]) == ([Call("clear_chat", {})], True, False, "")


def test_nested_call_shaped_arguments_are_not_calls_of_their_own():
    call = Call("save_contact", {"contact": {"name": "Bob", "function": "friend"}})
    assert read(render_calls([call])) == ([call], True, False, "")


def test_non_call_json_beside_a_call_is_extra_text():
    assert read(f'See {{"note": 1}}:\n\n{V2}') == ([WEATHER], True, True, "")


def test_non_call_json_opening_the_answer_is_a_failed_call_before_a_good_one():
    assert read(f'{{"note": 1}}\n\n{V2}') == (
        [WEATHER],
        True,
        False,
        'the JSON is not a call: no object has a "function" or "name" key',
    )


def test_unicode_is_kept():
    call = Call("envoyer_message", {"texte": "Ça va? 日本語 🙂", "à": "é"})
    assert read(f"Voilà :\n{render_calls([call])}") == ([call], True, True, "")


# --- no call -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "I can't help with that, but here is a joke.",
        "Which city do you want the weather for?",
        "[1] first point\n[2] second point",
        "",
        "   \n",
        "Use {braces} and [brackets] freely.",
    ],
)
def test_plain_text_is_no_attempt(text):
    assert read(text) == ([], False, False, "")


@pytest.mark.parametrize("text", ['The config is {"a": 1, "b": [1, 2]}.', 'Numbers: [1, 2, 3] and {"x": {"y": null}}'])
def test_json_in_prose_that_is_not_a_call_is_prose(text):
    assert read(text) == ([], False, False, "")


@pytest.mark.parametrize(
    "text", ['{"a": 1}', '[{"a": 1}]', '```\n{"result": [1]}\n```', 'Here:\n```json\n{"a": 1}\n```']
)
def test_json_answer_that_is_not_a_call_is_an_attempt(text):
    calls, attempted, extra, error = read(text)
    assert (calls, attempted, extra) == ([], True, False)
    assert error == 'the JSON is not a call: no object has a "function" or "name" key'


def test_json_fence_without_json_is_an_attempt():
    assert read("```json\nget_weather(city='Paris')\n```") == ([], True, False, "the ```json block holds no call")


# --- broken calls -------------------------------------------------------------------------


def test_missing_closing_brace():
    calls, attempted, extra, error = read(V2[:-1].rstrip())
    assert (calls, attempted, extra) == ([], True, False)
    assert error.startswith("invalid JSON at character ")


def test_trailing_comma():
    end = V2.rindex("\n}")
    calls, attempted, _, error = read(V2[:end] + "," + V2[end:])
    assert (calls, attempted) == ([], True)
    assert "Expecting property name" in error


def test_single_quotes():
    calls, attempted, _, error = read(V2.replace('"', "'"))
    assert (calls, attempted) == ([], True)
    assert error.startswith("invalid JSON at character 7")


def test_broken_call_in_prose_is_an_attempt():
    calls, attempted, extra, error = read("Okay, calling {'function': 'get_current_weather', 'arguments': {}} now")
    assert (calls, attempted, extra) == ([], True, False)
    assert error


def test_arguments_of_a_broken_call_are_not_read_as_a_call():
    broken = render_calls([Call("save_contact", {"contact": {"name": "Bob"}})])[:-1]
    calls, attempted, _, error = read(broken)
    assert (calls, attempted) == ([], True)
    assert error


def test_a_call_after_a_broken_one_is_still_read():
    text = render_calls([WEATHER])[:-1] + "\n\n" + render_calls([SEARCH])
    calls, attempted, extra, error = read(text)
    assert (calls, attempted, extra) == ([SEARCH], True, False)
    assert error.startswith("invalid JSON")


def test_broken_call_after_a_good_one_keeps_the_good_one():
    text = render_calls([WEATHER, SEARCH])[:-1]
    calls, attempted, extra, error = read(text)
    assert (calls, attempted, extra) == ([WEATHER], True, False)
    assert error.startswith("invalid JSON")


@pytest.mark.parametrize(
    "obj, message",
    [
        ({"function": "f", "arguments": 5}, "call to 'f': arguments must be a JSON object"),
        ({"name": "f", "arguments": "{not json"}, "call to 'f': arguments are not valid JSON"),
        ({"function": 7, "arguments": {}}, 'a call needs a "function" (v2) or "name" (v3) key'),
        ({"name": "  "}, 'a call needs a "function" (v2) or "name" (v3) key'),
    ],
)
def test_unreadable_call_objects(obj, message):
    calls, attempted, _, error = read(json.dumps(obj))
    assert (calls, attempted) == ([], True)
    assert error.startswith(message)


def test_array_mixing_calls_and_other_items_keeps_the_calls():
    calls, attempted, extra, error = read(json.dumps([WEATHER.to_v2(), 5]))
    assert (calls, attempted, extra) == ([WEATHER], True, False)
    assert error == "a call must be a JSON object"


def test_deep_nesting_does_not_raise():
    assert read("[" * 100_000) == ([], False, False, "")
    assert read("{" * 100_000) == (
        [],
        True,
        False,
        "invalid JSON at character 2: Expecting property name enclosed in double quotes",
    )
    assert read('{"function": ' + "[" * 100_000) == ([], True, False, "JSON nested too deeply (more than 64 levels)")


# --- where the template reads broken JSON otherwise --------------------------------------


def _call_text(arguments: str) -> str:
    return '{"function": "f", "arguments": ' + arguments + "}"


@pytest.mark.parametrize(
    "text, parser, template",
    [
        # json.loads keeps the last of duplicated keys; the parser refuses such JSON.
        (_call_text('{"a": 1, "a": 2}'), [], [Call("f", {"a": 2})]),
        # NaN is not JSON, so not a call to the template; the parser reads it as the text "NaN".
        (_call_text('{"a": NaN}'), [Call("f", {"a": "NaN"})], []),
        # A number beyond a float's range: json.loads makes it infinite; the parser refuses it.
        (_call_text('{"a": 1e999}'), [], [Call("f", {"a": float("inf")})]),
        # Deeper than the parser's 64 levels: a regex cannot count nesting.
        (_call_text('{"a": ' + "[" * 70 + "]" * 70 + "}"), [], [Call("f", {"a": json.loads("[" * 70 + "]" * 70)})]),
        # A call inside other JSON: the parser skips a JSON value whole, the template finds calls anywhere.
        ('{"result": ' + _call_text("{}") + "}", [], [Call("f", {})]),
        # A call inside a broken one: the parser skips a broken call to the next line that opens JSON.
        ('{"function": "g", "arguments": {"x": ' + _call_text("{}"), [], [Call("f", {})]),
    ],
)
def test_where_the_template_differs(text, parser, template):
    assert read(text, template=template)[0] == parser


# --- property-based -----------------------------------------------------------------------

_names = st.text(min_size=1, max_size=30).filter(lambda s: s.strip())
_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
_calls = st.builds(Call, _names, st.dictionaries(st.text(max_size=12), _values, max_size=5))
# Prose without JSON brackets or backticks: the answer around the calls, not more JSON.
_prose = st.text(st.characters(blacklist_characters="{}[]`", blacklist_categories=("Cs",)), max_size=60)


@settings(max_examples=300, deadline=None)
@given(
    calls=st.lists(_calls, min_size=1, max_size=3),
    before=_prose,
    after=_prose,
    fence=st.sampled_from([None, "```", "```json"]),
)
def test_rendered_calls_parse_back_in_any_wrapping(calls, before, after, fence):
    body = render_calls(calls)
    if fence:
        body = f"{fence}\n{body}\n```"
    text = f"{before}\n\n{body}\n\n{after}"
    parsed = parse_output(text)
    assert parsed.calls == calls == template_calls(text)
    assert parsed.attempted and parsed.error == ""
    assert parsed.extra_text == bool(fence or before.strip() or after.strip())


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_arbitrary_text_never_raises(text):
    parsed = parse_output(text)
    assert template_calls(text) == parsed.calls
    assert isinstance(parsed.calls, list) and all(isinstance(c, Call) for c in parsed.calls)
    assert parsed.attempted or not parsed.calls and not parsed.error
    assert not parsed.extra_text or parsed.calls


@settings(max_examples=200, deadline=None)
@given(st.text(st.sampled_from("{}[]\",:'` \nfunctionamerg0123"), max_size=80))
def test_json_like_noise_never_raises(text):
    parsed = parse_output(text)
    assert template_calls(text) == parsed.calls
    assert parsed.attempted or not parsed.calls


# --- for servers: the reading as an OpenAI message, and while it is generated ---------------


@pytest.mark.parametrize(
    "text, content",
    [
        (V2, None),
        (f"```json\n{V2}\n```", None),
        (f"Sure!\n\n{V2}\n\nDone.", "Sure!\n\nDone."),
        (f"Here:\n```json\n{V2}\n```\nDone.", "Here:\n\nDone."),
        (V2[:-1] + "\n\n" + V2, V2[:-1].strip()),  # a broken call is shown as text
    ],
)
def test_to_message_gives_the_calls_and_the_text_around_them(text, content):
    message = to_message(text)
    assert message == {
        "role": "assistant",
        "content": content,
        "tool_calls": [
            {"type": "function", "function": {"name": WEATHER.name, "arguments": json.dumps(WEATHER.arguments)}}
        ],
    }


def test_to_message_of_a_text_answer_keeps_it_whole():
    text = "Which city?\n\n\n```\ncode\n```"
    assert to_message(f"  {text}\n") == {"role": "assistant", "content": text}


@settings(max_examples=100, deadline=None)
@given(calls=st.lists(_calls, min_size=1, max_size=3), before=_prose, cuts=st.lists(st.integers(0, 10**6), max_size=12))
def test_call_stream_sends_prose_first_then_each_call_once_complete(calls, before, cuts):
    text = before + "\n\n" + render_calls(calls)
    bounds = sorted({c % (len(text) + 1) for c in cuts} | {len(text)})
    stream, prose, sent = CallStream(), "", []
    for end in bounds:
        new_prose, new_calls = stream.update(text[:end])
        prose, sent = prose + new_prose, sent + new_calls
        assert sent == parse_output(text[:end]).calls  # each call as soon as its JSON is complete
    assert prose == before + "\n\n" and sent == calls


@pytest.mark.parametrize(
    "text, prose",
    [
        ("See [1] and `code` or ``x``.", "See [1] and `code` or ``x``."),
        ("Use {braces}", "Use "),
        ("List: [ {", "List: "),
        ("Here:\n```json\n{", "Here:\n"),
        ("Almost ``", "Almost "),
    ],
)
def test_call_stream_holds_text_only_where_a_call_may_begin(text, prose):
    assert CallStream().update(text) == (prose, [])


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from('{}[]`" \nab1'), max_size=40))
def test_call_stream_never_takes_back_prose(text):
    stream, sent = CallStream(), ""
    for end in range(len(text) + 1):
        sent += stream.update(text[:end])[0]
        assert text[:end].startswith(sent)
