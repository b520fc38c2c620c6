"""The one loader: every input format, column mapping, the Hub code path, and bad input."""

import csv
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import FUNCTION_LIST, SEARCH_V2, SYSTEM_ROWS, V2_ROWS, V3_ROWS, WEATHER_CALL, WEATHER_V2

from data.render import render
from data.sources import Columns, FctuneError, load_hub, load_source


def write(path, rows):
    """Rows to a file in the format its suffix names."""
    if path.suffix == ".csv":
        with path.open("w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
    elif path.suffix == ".json":
        path.write_text(json.dumps(rows, indent=2))
    elif path.suffix == ".jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.Table.from_pylist(rows), path)
    return path


@pytest.mark.parametrize("suffix", [".csv", ".json", ".jsonl", ".parquet"])
@pytest.mark.parametrize("rows", [V2_ROWS, V3_ROWS, SYSTEM_ROWS], ids=["v2", "v3", "system"])
def test_every_file_format_gives_the_same_examples(tmp_path, suffix, rows):
    reference = load_source(str(write(tmp_path / "ref.jsonl", rows))).splits["train"]
    loaded = load_source(str(write(tmp_path / f"train{suffix}", rows)))
    assert not loaded.problems
    got = loaded.splits["train"]
    assert [render(e, "llama2") for e in got] == [render(e, "llama2") for e in reference]
    assert len(got) == len(rows)


def test_decoded_cells_in_jsonl_are_read_too(tmp_path):
    rows = [
        {
            "functionList": [WEATHER_V2, SEARCH_V2],
            "userPrompt": "How warm is it in Lisbon today?",
            "assistantResponse": {"function": "get_current_weather", "arguments": {"city": "Lisbon"}},
        }
    ]
    (ex,) = load_source(str(write(tmp_path / "train.jsonl", rows))).splits["train"]
    assert render(ex, "llama2") == render(
        load_source(str(write(tmp_path / "v.jsonl", V2_ROWS[:1]))).splits["train"][0], "llama2"
    )


def test_directory_with_splits(tmp_path):
    write(tmp_path / "train.csv", V2_ROWS)
    write(tmp_path / "test.jsonl", V3_ROWS)
    write(tmp_path / "validation.parquet", V2_ROWS[:1])
    loaded = load_source(str(tmp_path))
    assert {s: len(v) for s, v in loaded.splits.items()} == {"test": 1, "train": 2, "validation": 1}
    assert loaded.info["kind"] == "local"


def test_column_names_are_configurable(tmp_path):
    rows = [
        {"tools": r["functionList"], "question": r["userPrompt"], "answer": r["assistantResponse"]} for r in V2_ROWS
    ]
    path = write(tmp_path / "train.jsonl", rows)
    loaded = load_source(str(path), Columns.parse(["functions=tools", "user=question", "response=answer"]))
    assert len(loaded.splits["train"]) == 2
    with pytest.raises(FctuneError, match="missing column 'userPrompt'.*--column"):
        load_source(str(path))
    with pytest.raises(FctuneError, match="bad --column 'prompt=question'"):
        Columns.parse(["prompt=question"])


def test_hub_code_path_on_a_local_repository_layout(tmp_path):
    # Trelis repositories on the Hub hold data/<split>-00000-of-00001.parquet; load_dataset
    # resolves a local directory with that layout exactly as it resolves a Hub repository.
    write(tmp_path / "repo" / "data" / "train-00000-of-00001.parquet", V2_ROWS)
    write(tmp_path / "repo" / "data" / "test-00000-of-00001.parquet", V2_ROWS[:1])
    loaded = load_hub(str(tmp_path / "repo"), None, Columns())
    assert {s: len(v) for s, v in loaded.splits.items()} == {"train": 2, "test": 1}
    assert loaded.info["revision"] == "main"
    assert render(loaded.splits["train"][0], "llama2")[1] == WEATHER_CALL


def test_unreachable_hub_is_one_clear_error():
    with pytest.raises(
        FctuneError, match=r"cannot load Trelis/function_calling_extended@implicit from the Hugging Face"
    ):
        load_source("Trelis/function_calling_extended@implicit")


def test_missing_path_is_not_mistaken_for_a_hub_id(tmp_path):
    with pytest.raises(FctuneError, match="no such file or directory"):
        load_source(str(tmp_path / "nope.csv"))


BAD_ROWS = [
    ({"functionList": "{ not json"}, "functionList", "unparsable function metadata"),
    (
        {"assistantResponse": '{"function": "fly_to_mars", "arguments": {}}'},
        "assistantResponse",
        "call to undeclared function 'fly_to_mars'",
    ),
    (
        {"assistantResponse": '{"function": "get_current_weather", "arguments": {}}'},
        "assistantResponse",
        "misses required argument 'city'",
    ),
    (
        {"assistantResponse": '{"function": "get_current_weather", "arguments": {"city": "Rome", "days": 2}}'},
        "assistantResponse",
        "undeclared argument 'days'",
    ),
    ({"userPrompt": "   "}, "userPrompt", "empty prompt"),
    (
        {"functionList": FUNCTION_LIST + "\n\n" + json.dumps(WEATHER_V2, indent=4)},
        "functionList",
        "duplicate function name 'get_current_weather'",
    ),
    (
        {"assistantResponse": '{"function": "get_current_weather", "arguments": {"city": '},
        "assistantResponse",
        "unparsable call",
    ),
    ({"assistantResponse": ""}, "assistantResponse", "empty answer"),
]


@pytest.mark.parametrize("change,column,reason", BAD_ROWS, ids=[r[2][:24] for r in BAD_ROWS])
def test_bad_rows_are_reported_with_file_row_and_column(tmp_path, change, column, reason):
    path = write(tmp_path / "train.csv", [V2_ROWS[0], dict(V2_ROWS[0], **change), V2_ROWS[1]])
    loaded = load_source(str(path))
    assert len(loaded.splits["train"]) == 2
    (problem,) = loaded.problems
    assert (problem.where, problem.row, problem.column) == (str(path), 2, column)
    assert reason in problem.reason
    assert str(problem).startswith(f"{path}: row 2, column {column}: ")


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("train.jsonl", "", "the file is empty"),
        ("train.jsonl", json.dumps(V2_ROWS[0]) + "\n{broken\n", "line 2"),
        ("train.json", '[{"userPrompt": 1},', "cannot be read as JSON"),
        ("train.parquet", "not a parquet file", "cannot be read as Parquet"),
        ("train.txt", "x", "unsupported file type '.txt'"),
    ],
)
def test_unreadable_files_name_the_file(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(FctuneError, match=message) as e:
        load_source(str(path))
    assert str(e.value).startswith(str(path))


def test_directory_without_split_files(tmp_path):
    write(tmp_path / "stuff.csv", V2_ROWS)
    with pytest.raises(FctuneError, match="no train/validation/test file"):
        load_source(str(tmp_path))


# Cells arrive exactly as written, and what cannot be read faithfully is reported.


def test_csv_cells_stay_text(tmp_path):
    rows = [
        dict(V2_ROWS[1], userPrompt="1", assistantResponse="42"),
        dict(V2_ROWS[1], userPrompt="2", assistantResponse="004"),
        dict(V2_ROWS[1], userPrompt="NA", assistantResponse="None"),
    ]
    loaded = load_source(str(write(tmp_path / "train.csv", rows)))
    assert [(e.user, e.text) for e in loaded.splits["train"]] == [("1", "42"), ("2", "004"), ("NA", "None")]


def test_jsonl_decoded_cells_keep_their_exact_values(tmp_path):
    fn = {"function": "f", "description": "", "arguments": [{"name": "x", "type": "number", "description": ""}]}
    rows = [
        {"functionList": [fn], "userPrompt": "a", "assistantResponse": {"function": "f", "arguments": {"x": 1}}},
        {
            "functionList": [fn],
            "userPrompt": "b",
            "assistantResponse": {"function": "f", "arguments": {"x": 12345678901234567890}},
        },
    ]
    (a, b) = load_source(str(write(tmp_path / "train.jsonl", rows))).splits["train"]
    assert a.calls[0].arguments == {"x": 1} and type(a.calls[0].arguments["x"]) is int
    assert b.calls[0].arguments == {"x": 12345678901234567890}


def test_parquet_nested_cells_are_reported_not_trusted(tmp_path):
    rows = [
        {"functionList": [WEATHER_V2], "userPrompt": "a", "assistantResponse": "Hi."},
        {"functionList": [SEARCH_V2], "userPrompt": "b", "assistantResponse": "Hello."},
    ]
    loaded = load_source(str(write(tmp_path / "train.parquet", rows)))
    assert not loaded.splits["train"]
    assert {(p.row, p.column) for p in loaded.problems} == {(1, "functionList"), (2, "functionList")}
    assert "store this column as JSON text" in loaded.problems[0].reason


def test_text_answers_may_start_with_a_bracket(tmp_path):
    rows = [dict(V2_ROWS[1], assistantResponse=t) for t in ("[1] first point", "[citation needed]", "[1]")]
    loaded = load_source(str(write(tmp_path / "train.jsonl", rows)))
    assert [e.text for e in loaded.splits["train"]] == ["[1] first point", "[citation needed]", "[1]"]
    calls = [dict(V2_ROWS[0], assistantResponse="[" + WEATHER_CALL + "]")]
    assert (
        load_source(str(write(tmp_path / "c.jsonl", calls))).splits["train"][0].calls[0].name == "get_current_weather"
    )


def test_empty_tools_list_offers_no_functions(tmp_path):
    (ex,) = load_source(str(write(tmp_path / "train.jsonl", [dict(V2_ROWS[1], functionList="[]")]))).splits["train"]
    assert ex.functions == [] and render(ex, "llama2")[0] == "[INST] Say hello in French. [/INST]\n\n"


def test_only_function_shaped_json_in_a_system_prompt_is_metadata(tmp_path):
    system = (
        SYSTEM_ROWS[0]["systemPrompt"]
        + '\nExample: {"name": "get_current_weather", "arguments": {"city": "X"}}'
        + '\nA person looks like {"name": "Alice", "age": 30}.'
    )
    (ex,) = load_source(str(write(tmp_path / "train.jsonl", [dict(SYSTEM_ROWS[0], systemPrompt=system)]))).splits[
        "train"
    ]
    assert [f.name for f in ex.functions] == ["get_current_weather", "search_bing"]


@pytest.mark.parametrize(
    "change,column,reason",
    [
        ({"userPrompt": [{"role": "user", "content": "hi"}]}, "userPrompt", "expected text, got list"),
        ({"functionList": json.dumps([{"name": "f", "parameters": "oops"}])}, "functionList", '"parameters" must be'),
        (
            {"functionList": json.dumps([{"name": "f", "parameters": {"properties": {}, "required": "city"}}])},
            "functionList",
            '"parameters.required" must be a list',
        ),
        (
            {"functionList": json.dumps({"function": "f", "arguments": [{"name": "a", "type": "string"}] * 2})},
            "functionList",
            "argument 'a' is declared twice",
        ),
        ({"assistantResponse": '{"a": ' + "[" * 100_000}, "assistantResponse", "nested too deeply"),
    ],
)
def test_malformed_cells_are_row_problems_not_crashes(tmp_path, change, column, reason):
    loaded = load_source(str(write(tmp_path / "train.jsonl", [V2_ROWS[0], dict(V2_ROWS[0], **change)])))
    assert len(loaded.splits["train"]) == 1
    assert any(p.row == 2 and p.column == column and reason in p.reason for p in loaded.problems), loaded.problems


def test_every_problem_of_a_row_is_reported(tmp_path):
    bad = dict(V2_ROWS[0], userPrompt="", assistantResponse='{"function": ')
    loaded = load_source(str(write(tmp_path / "train.jsonl", [bad])))
    assert {p.column for p in loaded.problems} == {"userPrompt", "assistantResponse"}


def test_a_folder_with_a_foreign_manifest_is_read_as_data(tmp_path):
    (tmp_path / "manifest.json").write_text('{"name": "my extension"}')
    write(tmp_path / "train.jsonl", V2_ROWS)
    assert load_source(str(tmp_path)).info["kind"] == "local"


def test_sources_without_rows_are_an_error(tmp_path):
    with pytest.raises(FctuneError, match="names no BFCL category"):
        load_source("bfcl:")


def test_csv_cells_longer_than_csvs_default_limit_are_read(tmp_path):
    import csv

    long_list = "\n\n".join(json.dumps({**WEATHER_V2, "function": f"weather_{i}"}, indent=4) for i in range(1200))
    assert len(long_list) > 131072  # csv's default field limit
    path = tmp_path / "train.csv"
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["functionList", "userPrompt", "assistantResponse"])
        writer.writerow([long_list, "Weather in Lisbon?", WEATHER_CALL.replace("get_current_weather", "weather_7")])
    loaded = load_source(str(path))
    assert not loaded.problems and len(loaded.splits["train"][0].functions) == 1200
    assert csv.field_size_limit() == 131072  # the process-wide limit is set back
