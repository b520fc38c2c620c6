"""Other datasets' layouts (OpenAI/TRL, ShareGPT, Hermes, xLAM, Glaive) read into the one
representation: each fixture holds the same content as a Trelis-column fixture and renders
byte for byte the same; conversation rules; bad rows; the Hub code path through `datasets`.

The fixtures are our own text in the shapes the datasets' cards show; nothing is copied.
"""

import json

import pytest
from conftest import FUNCTION_LIST, WEATHER_CALL, WEATHER_OPENAI

from data.__main__ import main
from data.common import FctuneError
from data.formats import (
    AFTER_TOOL,
    CALL_AFTER_TOOL,
    FUNCTIONS_TURN,
    MERGED,
    NO_USER,
    SECOND_ANSWER,
    TEXT_AS_CALL,
    TEXT_BESIDE_CALLS,
    TOOL_RESULT,
)
from data.render import FAMILIES, render, render_functions
from data.sources import Columns, load_hub, load_source

SEARCH_OPENAI = {
    "type": "function",
    "function": {
        "name": "search_bing",
        "description": "Run a web search and return the top results.",
        "parameters": {
            "type": "object",
            "properties": {"query": {"type": "string", "description": "What to search for"}},
            "required": ["query"],
        },
    },
}
TOOLS = [WEATHER_OPENAI, SEARCH_OPENAI]
BARE = [t["function"] for t in TOOLS]  # Glaive, LLaMA-Factory and Hermes list bare functions too
PORTO_CALL = WEATHER_CALL.replace("Lisbon", "Porto")
LISBON, HELLO, COMPARE = "How warm is it in Lisbon today?", "Say hello in French.", "Compare Lisbon and Porto."
SYSTEM = "Answer with calls only."

# The Trelis-column reference: what every format below must come to.
REFERENCE = [
    {"functionList": FUNCTION_LIST, "userPrompt": LISBON, "assistantResponse": WEATHER_CALL},
    {"functionList": FUNCTION_LIST, "userPrompt": HELLO, "assistantResponse": "Bonjour !"},
    {
        "functionList": FUNCTION_LIST,
        "systemPrompt": SYSTEM,
        "userPrompt": COMPARE,
        "assistantResponse": WEATHER_CALL + "\n\n" + PORTO_CALL,
    },
    {"functionList": FUNCTION_LIST, "userPrompt": COMPARE, "assistantResponse": WEATHER_CALL + "\n\n" + PORTO_CALL},
]


def args(city):
    return {"city": city}


# OpenAI / TRL: a messages column (tool_calls on assistant turns, role "tool" results) and a tools column.
OPENAI = [
    {
        "messages": [
            {"role": "user", "content": LISBON},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "c1",
                        "type": "function",
                        "function": {"name": "get_current_weather", "arguments": json.dumps(args("Lisbon"))},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "c1", "content": '{"celsius": 22}'},
            {"role": "assistant", "content": "It is 22 degrees in Lisbon."},
            {"role": "user", "content": HELLO},
            {"role": "assistant", "content": "Bonjour !"},
        ],
        "tools": TOOLS,
    },
    {
        "messages": [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": COMPARE},
            {
                "role": "assistant",
                "tool_calls": [  # arguments as objects, as transformers' chat templates take them
                    {"type": "function", "function": {"name": "get_current_weather", "arguments": args("Lisbon")}},
                    {"type": "function", "function": {"name": "get_current_weather", "arguments": args("Porto")}},
                ],
            },
        ],
        "tools": json.dumps(TOOLS),
    },
]

# ShareGPT as LLaMA-Factory (and its Glaive conversion) writes it: function_call / observation turns,
# the calls and the tools as JSON text, an optional system column.
SHAREGPT = [
    {
        "conversations": [
            {"from": "human", "value": LISBON},
            {
                "from": "function_call",
                "value": json.dumps({"name": "get_current_weather", "arguments": args("Lisbon")}),
            },
            {"from": "observation", "value": '{"celsius": 22}'},
            {"from": "gpt", "value": "It is 22 degrees in Lisbon."},
            {"from": "human", "value": HELLO},
            {"from": "gpt", "value": "Bonjour !"},
        ],
        "tools": json.dumps(BARE),
    },
    {
        "conversations": [
            {"from": "human", "value": COMPARE},
            {
                "from": "function_call",
                "value": json.dumps(
                    [{"name": "get_current_weather", "arguments": args(c)} for c in ("Lisbon", "Porto")]
                ),
            },
        ],
        "system": SYSTEM,
        "tools": json.dumps(BARE),
    },
]


def hermes_system(tools_text):
    return (
        "You are a function calling AI model. You may call one or more functions.\n<tools>\n"
        + tools_text
        + "\n</tools>\nReturn each call as a JSON object inside <tool_call></tool_call> tags."
    )


# Hermes: ShareGPT turns whose system turn lists the tools in <tools> and whose assistant turns call in
# <tool_call> tags; the dataset writes both as Python dict literals (single quotes) as often as JSON.
HERMES = [
    {
        "conversations": [
            {"from": "system", "value": hermes_system(repr(TOOLS))},
            {"from": "human", "value": LISBON},
            {
                "from": "gpt",
                "value": "<tool_call>\n"
                + repr({"arguments": args("Lisbon"), "name": "get_current_weather"})
                + "\n</tool_call>",
            },
            {"from": "tool", "value": "<tool_response>\n{'celsius': 22}\n</tool_response>"},
            {"from": "gpt", "value": "It is 22 degrees in Lisbon."},
            {"from": "human", "value": HELLO},
            {"from": "gpt", "value": "Bonjour !"},
        ]
    },
    {
        "conversations": [
            {"from": "system", "value": hermes_system("\n".join(json.dumps(t) for t in TOOLS))},
            {"from": "system", "value": SYSTEM},
            {"from": "human", "value": COMPARE},
            {
                "from": "gpt",
                "value": "".join(
                    "<tool_call>\n"
                    + json.dumps({"name": "get_current_weather", "arguments": args(c)})
                    + "\n</tool_call>\n"
                    for c in ("Lisbon", "Porto")
                ),
            },
        ]
    },
]

# xLAM: a query, its answers, and tools whose parameters are Python-annotated, all JSON text.
XLAM_TOOLS = [
    {
        "name": "get_current_weather",
        "description": "Look up the weather right now in one city.",
        "parameters": {"city": {"description": "Name of the city", "type": "str"}},
    },
    {
        "name": "search_bing",
        "description": "Run a web search and return the top results.",
        "parameters": {"query": {"description": "What to search for", "type": "str"}},
    },
]
XLAM = [
    {
        "id": 1,
        "query": LISBON,
        "tools": json.dumps(XLAM_TOOLS),
        "answers": json.dumps([{"name": "get_current_weather", "arguments": args("Lisbon")}]),
    },
    {
        "id": 2,
        "query": COMPARE,
        "tools": json.dumps(XLAM_TOOLS),
        "answers": json.dumps([{"name": "get_current_weather", "arguments": args(c)} for c in ("Lisbon", "Porto")]),
    },
]

# Glaive's transcripts: the functions as JSON after an instruction, the turns marked in the text, a
# call as <functioncall> with its arguments a JSON text in single quotes.
GLAIVE_SYSTEM = (
    "SYSTEM: You are a helpful assistant with access to the following functions. Use them if required -\n"
    + "\n\n".join(json.dumps(f, indent=4) for f in BARE)
)
GLAIVE = [
    {
        "system": GLAIVE_SYSTEM,
        "chat": (
            f"USER: {LISBON}\n\n\nASSISTANT: <functioncall> "
            '{"name": "get_current_weather", "arguments": \'{"city": "Lisbon"}\'} <|endoftext|>\n\n\n'
            'FUNCTION RESPONSE: {"celsius": 22}\n\n\nASSISTANT: It is 22 degrees in Lisbon. <|endoftext|>\n\n\n'
            f"USER: {HELLO}\n\n\nASSISTANT: Bonjour ! <|endoftext|>\n\n\n"
        ),
    },
]

# Each format's rows and the reference rows they hold, in order.
FIXTURES = {
    "openai": (OPENAI, [0, 1, 2]),
    "sharegpt": (SHAREGPT, [0, 1, 2]),
    "hermes": (HERMES, [0, 1, 2]),
    "xlam": (XLAM, [0, 3]),
    "glaive": (GLAIVE, [0, 1]),
}


def jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return str(path)


def content(ex):
    return {k: v for k, v in ex.to_record().items() if k != "meta"}


@pytest.fixture
def reference(tmp_path):
    loaded = load_source(jsonl(tmp_path / "reference.jsonl", REFERENCE))
    assert not loaded.problems
    return loaded.splits["train"]


@pytest.mark.parametrize("fmt", FIXTURES)
def test_every_format_renders_as_its_trelis_twin(tmp_path, reference, fmt):
    rows, expected = FIXTURES[fmt]
    loaded = load_source(jsonl(tmp_path / "train.jsonl", rows))
    assert not loaded.problems, [str(p) for p in loaded.problems]
    assert loaded.info["format"] == fmt
    got = loaded.splits["train"]
    assert [content(e) for e in got] == [content(reference[i]) for i in expected]
    for family in FAMILIES:
        assert [render(e, family, "Be brief.") for e in got] == [
            render(reference[i], family, "Be brief.") for i in expected
        ]


def test_left_out_turns_are_counted_per_reason(tmp_path):
    for fmt in ("openai", "sharegpt", "glaive"):
        loaded = load_source(jsonl(tmp_path / f"{fmt}.jsonl", FIXTURES[fmt][0]))
        assert loaded.info["left_out_turns"] == {TOOL_RESULT: 1, AFTER_TOOL: 1} | (
            {FUNCTIONS_TURN: 1} if fmt == "glaive" else {}
        ), fmt
    hermes = load_source(jsonl(tmp_path / "h.jsonl", HERMES))
    assert hermes.info["left_out_turns"] == {FUNCTIONS_TURN: 2, TOOL_RESULT: 1, AFTER_TOOL: 1}
    assert load_source(jsonl(tmp_path / "x.jsonl", XLAM)).info["left_out_turns"] == {}
    assert "left_out_turns" not in load_source(jsonl(tmp_path / "t.jsonl", REFERENCE)).info


def call(city, text=None):
    out = {
        "role": "assistant",
        "tool_calls": [
            {"type": "function", "function": {"name": "get_current_weather", "arguments": json.dumps(args(city))}}
        ],
    }
    return out | ({"content": text} if text else {})


def test_conversation_rules(tmp_path):
    messages = [
        {"role": "system", "content": "First system prompt."},
        {"role": "assistant", "content": "Hello, ask me anything."},  # before any user message
        {"role": "user", "content": "Weather in Lisbon, then in Porto?"},
        call("Lisbon", text="Let me look that up."),  # a row; its text is left out
        {"role": "tool", "content": "22"},
        call("Porto"),  # a call after a tool result
        {"role": "tool", "content": "19"},
        {"role": "assistant", "content": "22 and 19 degrees."},  # an answer after a tool result
        {"role": "user", "content": "Thanks!"},
        {"role": "assistant", "content": "You are welcome."},  # a row
        {"role": "assistant", "content": "Anything else?"},  # a second answer
        {"role": "user", "content": "Show me JSON."},
        {"role": "assistant", "content": '{"name": "x"}'},  # text that v2 reads as a call
        {"role": "developer", "content": "Second system prompt."},
        {"role": "user", "content": "Goodbye."},
        {"role": "assistant", "content": [{"type": "text", "text": "Bye"}, {"type": "text", "text": "for now."}]},
    ]
    loaded = load_source(jsonl(tmp_path / "train.jsonl", [{"messages": messages, "tools": TOOLS}]))
    assert not loaded.problems
    rows = [(e.system, e.user, [c.arguments for c in e.calls], e.text, e.meta["turn"]) for e in loaded.splits["train"]]
    assert rows == [
        ("First system prompt.", "Weather in Lisbon, then in Porto?", [args("Lisbon")], "", "messages[3]"),
        ("First system prompt.", "Thanks!", [], "You are welcome.", "messages[9]"),
        ("Second system prompt.", "Goodbye.", [], "Bye\nfor now.", "messages[15]"),
    ]
    assert [e.meta["id"] for e in loaded.splits["train"]] == ["train-1.1", "train-1.2", "train-1.3"]
    assert loaded.info["left_out_turns"] == {
        NO_USER: 1,
        TEXT_BESIDE_CALLS: 1,
        TOOL_RESULT: 2,
        CALL_AFTER_TOOL: 1,
        AFTER_TOOL: 1,
        SECOND_ANSWER: 1,
        TEXT_AS_CALL: 1,
    }


def test_xlam_and_glaive_parameter_styles_become_json_schema(tmp_path):
    tool = {
        "name": "list_rooms",
        "description": "List free rooms.",
        "parameters": {
            "floors": {"description": "Floors to search", "type": "List[int], optional"},
            "capacity": {"description": "Seats needed", "type": "int", "default": 2},
            "wing": {"description": "Wing", "type": "str"},
            "filters": {"description": "Extra filters", "type": "Optional[Dict[str, Any]]"},
        },
    }
    row = {
        "query": "Free rooms in the east wing?",
        "tools": json.dumps([tool]),
        "answers": json.dumps([{"name": "list_rooms", "arguments": {"wing": "east"}}]),
    }
    (ex,) = load_source(jsonl(tmp_path / "train.jsonl", [row])).splits["train"]
    assert json.loads(render_functions(ex.functions))["arguments"] == [
        {
            "name": "floors",
            "type": "array",
            "description": "Floors to search",
            "items": {"type": "integer"},
            "optional": True,
        },
        {"name": "capacity", "type": "integer", "description": "Seats needed", "default": 2, "optional": True},
        {"name": "wing", "type": "string", "description": "Wing"},
        {"name": "filters", "type": "object", "description": "Extra filters", "optional": True},
    ]
    # Python type names inside JSON Schema (as Glaive's lists have now and then) are mapped the same way.
    glaive_fn = {
        "name": "book",
        "description": "Book a room.",
        "parameters": {
            "type": "object",
            "properties": {
                "nights": {"type": "int", "description": "How many"},
                "guests": {"type": "list", "items": {"type": "str"}},
            },
            "required": ["nights"],
        },
    }
    row = {
        "conversations": [
            {"from": "human", "value": "Two nights please."},
            {"from": "function_call", "value": json.dumps({"name": "book", "arguments": {"nights": 2}})},
        ],
        "tools": json.dumps([glaive_fn]),
    }
    (ex,) = load_source(jsonl(tmp_path / "s.jsonl", [row])).splits["train"]
    assert [p.schema for p in ex.functions[0].params] == [
        {"type": "integer", "description": "How many"},
        {"type": "array", "description": "", "items": {"type": "string"}},
    ]


# -- bad rows: named by file, row and field, per format ---------------------------------------------


def _openai_bad(**change):
    row = json.loads(json.dumps(OPENAI[0]))
    for path, value in change.items():
        target = row
        *keys, last = path.split(".")
        for key in keys:
            target = target[int(key)] if key.isdigit() else target[key]
        target[int(last) if last.isdigit() else last] = value
    return row


BAD = [
    (
        "openai",
        _openai_bad(**{"messages.1.tool_calls.0.function.arguments": '{"city": '}),
        "messages[1].tool_calls[0].function.arguments",
        "invalid JSON",
    ),
    (
        "openai",
        _openai_bad(**{"messages.1.tool_calls.0.function.name": "fly_to_mars"}),
        "messages[1]",
        "call to undeclared function 'fly_to_mars'",
    ),
    ("openai", _openai_bad(**{"messages.5.role": "narrator"}), "messages[5].role", "unknown role 'narrator'"),
    ("openai", _openai_bad(tools="[{broken"), "tools", "invalid JSON"),
    (
        "openai",
        _openai_bad(**{"messages.5.content": "<tool_call>{}</tool_call>"}),
        "messages[5].content",
        "--format hermes",
    ),
    ("openai", {"messages": [], "tools": TOOLS}, "messages", "empty conversation"),
    ("openai", {"messages": [{"role": "user", "content": LISBON}], "tools": TOOLS}, "messages", "no assistant turn"),
    (
        "openai",
        {"messages": [{"role": "user", "content": LISBON}, {"role": "assistant", "content": ""}]},
        "messages[1]",
        "empty answer",
    ),
    (
        "sharegpt",
        dict(
            SHAREGPT[0],
            conversations=[
                SHAREGPT[0]["conversations"][0],
                {"from": "function_call", "value": "get_current_weather(Lisbon)"},
            ],
        ),
        "conversations[1].value",
        "invalid JSON",
    ),
    (
        "sharegpt",
        dict(SHAREGPT[0], conversations=[{"from": "narrator", "value": "Once"}]),
        "conversations[0].from",
        "unknown role",
    ),
    (
        "sharegpt",
        dict(
            SHAREGPT[0],
            conversations=[
                SHAREGPT[0]["conversations"][0],
                {"from": "function_call", "value": '{"name": "get_current_weather", "arguments": {}}'},
            ],
        ),
        "conversations[1]",
        "misses required argument 'city'",
    ),
    (
        "hermes",
        {
            "conversations": [
                HERMES[0]["conversations"][0],
                {"from": "human", "value": LISBON},
                {"from": "gpt", "value": "<tool_call>\n{'name': get_weather}\n</tool_call>"},
            ]
        },
        "conversations[2].value",
        "neither JSON",
    ),
    (
        "hermes",
        {
            "conversations": [
                HERMES[0]["conversations"][0],
                {"from": "human", "value": LISBON},
                {"from": "gpt", "value": "<tool_call>\n{}"},
            ]
        },
        "conversations[2].value",
        "without its </tool_call>",
    ),
    (
        "hermes",
        {
            "conversations": [
                {"from": "system", "value": "<tools>[{'name': }]</tools>"},
                {"from": "human", "value": LISBON},
                HERMES[0]["conversations"][2],
            ]
        },
        "conversations[0].value",
        "unparsable function metadata",
    ),
    ("xlam", dict(XLAM[0], answers="[{'name': 'get_current_weather'}]"), "answers", "invalid JSON"),
    (
        "xlam",
        dict(XLAM[0], tools=json.dumps([{"name": "get_current_weather", "parameters": {"city": "str"}}])),
        "tools[0].parameters.city",
        "expected an object",
    ),
    (
        "xlam",
        dict(XLAM[0], answers=json.dumps([{"name": "get_current_weather", "arguments": {}}])),
        "answers",
        "misses required argument 'city'",
    ),
    (
        "glaive",
        dict(GLAIVE[0], chat=f"USER: {LISBON}\n\n\nASSISTANT: <functioncall> {{get_current_weather}}"),
        "chat[1]",
        "invalid JSON",
    ),
    ("glaive", dict(GLAIVE[0], system='SYSTEM: Use these -\n{"name": '), "system", "unparsable function metadata"),
]


@pytest.mark.parametrize("fmt,bad,column,reason", BAD, ids=[f"{b[0]}-{b[3][:20]}" for b in BAD])
def test_bad_rows_are_named_by_file_row_and_field(tmp_path, fmt, bad, column, reason):
    good = FIXTURES[fmt][0][0]
    per_row = len(load_source(jsonl(tmp_path / "good.jsonl", [good])).splits["train"])
    path = jsonl(tmp_path / "train.jsonl", [good, bad, good])
    loaded = load_source(path, fmt=fmt)
    assert len(loaded.splits["train"]) == 2 * per_row
    assert {(p.where, p.row) for p in loaded.problems} == {(path, 2)}
    assert any(p.column == column and reason in p.reason for p in loaded.problems), [str(p) for p in loaded.problems]


def test_a_bad_turn_keeps_the_others_of_its_row_out_and_is_not_counted(tmp_path):
    bad = _openai_bad(**{"messages.5.role": "narrator"})
    loaded = load_source(jsonl(tmp_path / "train.jsonl", [bad]))
    assert not loaded.splits["train"] and "left_out_turns" in loaded.info and not loaded.info["left_out_turns"]


# -- telling the format ------------------------------------------------------------------------------


def test_format_is_told_from_the_columns_or_named(tmp_path):
    assert load_source(jsonl(tmp_path / "a.jsonl", HERMES)).info["format"] == "hermes"
    plain = [{"conversations": [{"from": "human", "value": HELLO}, {"from": "gpt", "value": "Bonjour !"}]}]
    assert load_source(jsonl(tmp_path / "b.jsonl", plain)).info["format"] == "sharegpt"
    assert load_source(jsonl(tmp_path / "b.jsonl", plain), fmt="hermes").info["format"] == "hermes"
    messages = [{"messages": [{"role": "user", "content": HELLO}, {"role": "assistant", "content": "Bonjour !"}]}]
    assert load_source(jsonl(tmp_path / "c.jsonl", messages)).info["format"] == "openai"
    with pytest.raises(FctuneError, match="hermes and openai formats; name one with --format"):
        load_source(jsonl(tmp_path / "d.jsonl", [OPENAI[0], {"messages": HERMES[0]["conversations"]}]))
    with pytest.raises(FctuneError, match="the xlam format needs a 'query' column"):
        load_source(jsonl(tmp_path / "e.jsonl", messages), fmt="xlam")
    with pytest.raises(FctuneError, match="--column names Trelis columns"):
        load_source(jsonl(tmp_path / "e.jsonl", messages), Columns.parse(["user=question"]), fmt="openai")
    with pytest.raises(FctuneError, match="--format applies to files and Hub datasets"):
        load_source("builtin", fmt="openai")


def test_splits_in_different_formats_are_refused(tmp_path):
    jsonl(tmp_path / "train.jsonl", OPENAI)
    jsonl(tmp_path / "test.jsonl", XLAM)
    with pytest.raises(FctuneError, match="in the (xlam|openai) format, other splits in"):
        load_source(str(tmp_path))


# -- the commands --------------------------------------------------------------------------------------


def _built(out):
    return [(r["prompt"], r["completion"]) for r in map(json.loads, (out / "train.jsonl").read_text().splitlines())]


@pytest.mark.parametrize("fmt", FIXTURES)
def test_each_format_builds_for_every_family(tmp_path, fmt, capsys):
    rows, expected = FIXTURES[fmt]
    source = jsonl(tmp_path / "train.jsonl", rows)
    twin = jsonl(tmp_path / "twin.jsonl", [REFERENCE[i] for i in expected])
    for family in FAMILIES:
        out, ref = tmp_path / f"out-{family}", tmp_path / f"ref-{family}"
        for src, dest in ((source, out), (twin, ref)):
            assert (
                main(
                    [
                        "build",
                        "--source",
                        src,
                        "--family",
                        family,
                        "--out",
                        str(dest),
                        "--test-size",
                        "0",
                        "--validation-size",
                        "0",
                    ]
                )
                == 0
            )
        assert sorted(_built(out)) == sorted(_built(ref))  # a conversation's rows are shuffled as one
        manifest = json.loads((out / "manifest.json").read_text())
        assert manifest["format"] == fmt and "left_out_turns" in manifest
    printed = capsys.readouterr().out
    assert fmt == "xlam" or "conversation turn(s) (a v2 row is one instruction and one answer)" in printed


@pytest.mark.parametrize(
    "fmt,bad,column,reason",
    [BAD[i] for i in (0, 8, 11, 14, 17)],
    ids=["openai", "sharegpt", "hermes", "xlam", "glaive"],
)
def test_validate_names_bad_rows_in_each_format(tmp_path, fmt, bad, column, reason, capsys):
    path = jsonl(tmp_path / "train.jsonl", [FIXTURES[fmt][0][0], bad])
    assert main(["validate", "--source", path]) == 1
    out = capsys.readouterr().out
    assert f"{path}: row 2, column {column}: " in out and reason in out
    assert "2 rows checked: 1 valid" in out and ", 1 invalid (1 problem(s))" in out


def test_help_states_the_conversation_rules(capsys):
    with pytest.raises(SystemExit):
        main(["build", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--format {trelis,openai,sharegpt,hermes,xlam,glaive}" in text
    assert "any turn after a tool result" in text and "left_out_turns" in text


# -- the Hub code path: datasets' own files, read through datasets.load_dataset ------------------------


def _hub_repo(root, rows, **from_list):
    """A dataset directory laid out as on the Hub, its Parquet file written by `datasets` itself."""
    import datasets

    (root / "data").mkdir(parents=True)
    datasets.Dataset.from_list(rows, **from_list).to_parquet(str(root / "data" / "train-00000-of-00001.parquet"))
    return str(root)


ARROW_SAFE = {  # as the datasets publish them: calls and tool lists as JSON text
    "openai": [
        dict(OPENAI[0], tools=json.dumps(TOOLS)),
        {
            "messages": [
                OPENAI[1]["messages"][0],
                OPENAI[1]["messages"][1],
                {
                    "role": "assistant",
                    "tool_calls": [
                        {
                            "type": "function",
                            "function": {"name": "get_current_weather", "arguments": json.dumps(args(c))},
                        }
                        for c in ("Lisbon", "Porto")
                    ],
                },
            ],
            "tools": json.dumps(TOOLS),
        },
    ],
    # from_list takes its columns from the first row: a row without a system prompt has a null one
    "sharegpt": [dict(SHAREGPT[0], system=None), SHAREGPT[1]],
    "hermes": HERMES,
    "xlam": XLAM,
    "glaive": GLAIVE,
}


@pytest.mark.parametrize("fmt", ARROW_SAFE)
def test_hub_datasets_in_each_format_read_the_same(tmp_path, reference, fmt):
    loaded = load_hub(_hub_repo(tmp_path / "repo", ARROW_SAFE[fmt]), None, Columns())
    assert not loaded.problems, [str(p) for p in loaded.problems]
    assert loaded.info["format"] == fmt
    assert [content(e) for e in loaded.splits["train"]] == [content(reference[i]) for i in FIXTURES[fmt][1]]


def test_arrow_merged_arguments_are_reported_and_json_typed_ones_read_exactly(tmp_path, reference):
    # Dataset.from_list stores the argument objects of both rows as one struct: row 1's call gains
    # a null "query", and a genuine null could not be told from it. Such rows are named, not guessed.
    rows = [
        {"messages": OPENAI[1]["messages"], "tools": json.dumps(TOOLS)},
        {
            "messages": [
                {"role": "user", "content": "Search for owls."},
                {
                    "role": "assistant",
                    "tool_calls": [
                        {"type": "function", "function": {"name": "search_bing", "arguments": {"query": "owls"}}}
                    ],
                },
            ],
            "tools": json.dumps(TOOLS),
        },
    ]
    merged = load_hub(_hub_repo(tmp_path / "merged", rows), None, Columns())
    assert not merged.splits["train"]
    assert {(p.row, p.column) for p in merged.problems} == {
        (1, "messages[2].tool_calls[0].function.arguments"),
        (2, "messages[1].tool_calls[0].function.arguments"),
    }
    assert all(MERGED in p.reason for p in merged.problems)
    # The same rows with datasets' Json type (on_mixed_types="use_json", and what load_dataset does for JSON
    # files) are stored as JSON text and read exactly, null arguments included.
    rows[1]["messages"][1]["tool_calls"][0]["function"]["arguments"]["query"] = None
    typed = load_hub(_hub_repo(tmp_path / "typed", rows, on_mixed_types="use_json"), None, Columns())
    assert not typed.problems
    assert content(typed.splits["train"][0]) == content(reference[2])
    assert typed.splits["train"][1].calls[0].arguments == {"query": None}
    (tmp_path / "json" / "data").mkdir(parents=True)
    jsonl(tmp_path / "json" / "data" / "train.jsonl", OPENAI)
    from_json = load_hub(str(tmp_path / "json"), None, Columns())
    assert not from_json.problems
    assert [content(e) for e in from_json.splits["train"]] == [content(reference[i]) for i in (0, 1, 2)]


def test_a_conversations_rows_stay_in_one_split_when_splits_are_carved(tmp_path):
    rows = [
        {
            "messages": [
                {"role": "user", "content": f"Hello {i}."},
                {"role": "assistant", "content": "Hi."},
                {"role": "user", "content": f"Bye {i}."},
                {"role": "assistant", "content": "Bye."},
            ]
        }
        for i in range(30)
    ]
    out = tmp_path / "built"
    assert (
        main(
            [
                "build",
                "--source",
                jsonl(tmp_path / "train.jsonl", rows),
                "--family",
                "llama2",
                "--out",
                str(out),
                "--test-size",
                "0.2",
                "--validation-size",
                "5",
            ]
        )
        == 0
    )
    where = {}
    for split in ("train", "validation", "test"):
        for line in (out / f"{split}.jsonl").read_text().splitlines():
            where.setdefault(json.loads(json.loads(line)["example"])["meta"]["row"], set()).add(split)
    assert len(where) == 30 and all(len(splits) == 1 for splits in where.values())
    assert json.loads((out / "manifest.json").read_text())["counts"] == {"train": 42, "validation": 6, "test": 12}


def test_the_docs_example_rows_read_in_their_format_and_render_alike(tmp_path):
    import re
    from pathlib import Path

    docs = (Path(__file__).parent.parent / "docs" / "data-formats.md").read_text()
    examples = {
        m[1]: json.loads(m[2].replace("\\|", "|"))
        for m in re.finditer(r"^\| `(\w+)` \|.*\| `(\{.*\})` \|$", docs, re.M)
    }
    assert set(examples) == {"trelis", "openai", "sharegpt", "hermes", "xlam", "glaive"}
    rendered = {}
    for fmt, row in examples.items():
        loaded = load_source(jsonl(tmp_path / f"{fmt}.jsonl", [row]))
        assert loaded.info["format"] == fmt and not loaded.problems
        rendered[fmt] = [render(e, "mistral") for e in loaded.splits["train"]]
    assert all(r == rendered["trelis"] and len(r) == 1 for r in rendered.values()), rendered


def test_other_ways_the_datasets_write_calls(tmp_path, reference):
    lisbon = {"name": "get_current_weather", "arguments": json.dumps(args("Lisbon"))}
    rows = [  # OpenAI's older function_call, a string-encoded messages cell
        {
            "messages": json.dumps(
                [{"role": "user", "content": LISBON}, {"role": "assistant", "content": None, "function_call": lisbon}]
            ),
            "tools": TOOLS,
        },
        # a Glaive transcript converted to ShareGPT turns, keeping its <functioncall> tag
        {
            "conversations": [
                {"from": "human", "value": LISBON},
                {
                    "from": "gpt",
                    "value": (
                        '<functioncall> {"name": "get_current_weather", "arguments": \'{"city": "Lisbon"}\'} '
                        "<|endoftext|>"
                    ),
                },
            ],
            "tools": json.dumps(BARE),
        },
        # Hermes calls in role/content messages, the tools in their own column
        {
            "messages": [
                {"role": "user", "content": LISBON},
                {"role": "assistant", "content": ("<tool_call>\n" + json.dumps(lisbon) + "\n</tool_call>")},
            ],
            "tools": json.dumps(TOOLS),
        },
    ]
    for fmt, row in zip(("openai", "sharegpt", "hermes"), rows):
        loaded = load_source(jsonl(tmp_path / f"{fmt}.jsonl", [row]))
        assert loaded.info["format"] == fmt and not loaded.problems, [str(p) for p in loaded.problems]
        assert [content(e) for e in loaded.splits["train"]] == [content(reference[0])]


def test_python_literals_json_cannot_hold_are_bad_rows(tmp_path):
    row = {
        "conversations": [
            HERMES[0]["conversations"][0],
            {"from": "human", "value": LISBON},
            {
                "from": "gpt",
                "value": "<tool_call>\n{'name': 'get_current_weather', 'arguments': {'city': ('Lisbon',)}}"
                "\n</tool_call>",
            },
        ]
    }
    (problem,) = load_source(jsonl(tmp_path / "train.jsonl", [row])).problems
    assert problem.column == "conversations[2].value" and "a tuple value, which JSON cannot hold" in problem.reason
