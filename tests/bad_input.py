"""The bad-input corpus: every way a user's file, config or command line can be wrong.

Each case is a command (`data`, `train`, `eval` or `merge`), the files it runs on, and what
its one `error:` line must say. tests/test_bad_input.py runs every case and checks the same
promise for each: a non-zero exit, exactly one `error:` line naming the file, row, column or
key, no traceback, nothing left behind, nothing of the user's changed.

Files are written by the case itself (`{tmp}` in arguments and contents is its directory);
nothing here is copied from any dataset.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field

FUNCTIONS = [
    {
        "function": "get_current_weather",
        "description": "Weather now in a city.",
        "arguments": [{"name": "city", "type": "string", "description": "City name"}],
    }
]
FUNCTION_LIST = json.dumps(FUNCTIONS[0], indent=4)
CALL = {"function": "get_current_weather", "arguments": {"city": "Lisbon"}}
GOOD = {"functionList": FUNCTION_LIST, "userPrompt": "Weather in Lisbon?", "assistantResponse": json.dumps(CALL)}


@dataclass
class Case:
    name: str
    command: str  # data, train, eval or merge
    argv: list[str]
    expect: str  # a regex the `error:` line must match (after `error: `)
    files: dict[str, object] = field(default_factory=dict)  # relative path -> str, bytes, or rows (list of dicts)
    exit: int = 2
    patch: dict[str, object] = field(default_factory=dict)  # "module.NAME" -> value, for the run
    locked: str | None = None  # a directory whose lock another holder has


def jsonl(rows: list[dict]) -> str:
    return "".join(json.dumps(r) + "\n" for r in rows)


def row(**change) -> dict:
    return {**GOOD, **change}


def call_text(arguments: str) -> str:
    """An answer cell whose arguments are given as raw JSON text (may be invalid JSON on purpose)."""
    return '{"function": "get_current_weather", "arguments": ' + arguments + "}"


def csv_text(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def build(src: str = "{tmp}/train.jsonl") -> list[str]:
    return ["build", "--source", src, "--family", "llama2", "--out", "{tmp}/built"]


def bad_row(name: str, change: dict, expect: str) -> Case:
    """A data row that must be refused by `build` (exit 1), named by file, row and column."""
    return Case(
        name,
        "data",
        build(),
        r"\{tmp\}/train\.jsonl: row 2, column " + expect,
        {"train.jsonl": [GOOD, row(**change)]},
        exit=1,
    )


TINY_CONFIG = (
    "model_name_or_path: embedded\nuse_peft: true\nuse_cpu: true\nbf16: false\nmax_length: 512\n"
    "dataset: builtin\nfamily: llama2\noutput_dir: {tmp}/run\n"
)


def config_case(name: str, extra: str, expect: str, argv: tuple = (), **kw) -> Case:
    return Case(
        name, "train", ["{tmp}/c.yaml", *argv], expect, {"c.yaml": TINY_CONFIG + extra, **kw.pop("files", {})}, **kw
    )


EVAL = ["--model", "embedded", "--data", "builtin"]

CASES = [
    # --- the ten kinds of bad row ---
    bad_row(
        "unparsable function metadata",
        {"functionList": '{"function": "f", '},
        "functionList: unparsable function metadata",
    ),
    bad_row(
        "unparsable call",
        {"assistantResponse": '{"function": "get_current_weather", "arguments": {'},
        "assistantResponse: unparsable call",
    ),
    bad_row(
        "call to an undeclared function",
        {"assistantResponse": '{"function": "fly", "arguments": {}}'},
        "assistantResponse: call to undeclared function 'fly'",
    ),
    bad_row(
        "missing required argument",
        {"assistantResponse": '{"function": "get_current_weather", "arguments": {}}'},
        "assistantResponse: call to 'get_current_weather' misses required argument 'city'",
    ),
    bad_row(
        "undeclared argument",
        {"assistantResponse": call_text('{"city": "Oslo", "unit": "C"}')},
        "assistantResponse: call to 'get_current_weather' passes undeclared argument 'unit'",
    ),
    bad_row(
        "argument declared twice",
        {"functionList": json.dumps({**FUNCTIONS[0], "arguments": FUNCTIONS[0]["arguments"] * 2})},
        "functionList: unparsable function metadata: function 'get_current_weather': argument 'city' is declared twice",
    ),
    bad_row("empty prompt", {"userPrompt": "  "}, "userPrompt: empty prompt"),
    bad_row("non-text prompt", {"userPrompt": 42}, "userPrompt: expected text, got int"),
    bad_row("empty answer", {"assistantResponse": ""}, "assistantResponse: empty answer"),
    bad_row(
        "duplicate function names",
        {"functionList": FUNCTION_LIST + "\n\n" + FUNCTION_LIST},
        "functionList: duplicate function name 'get_current_weather'",
    ),
    Case(
        "nested Arrow cell",
        "data",
        build("{tmp}/train.parquet"),
        r"\{tmp\}/train\.parquet: row 1, column functionList: holds a nested value",
        {
            "train.parquet": (
                "parquet",
                [{"functionList": FUNCTIONS, "userPrompt": "Weather?", "assistantResponse": json.dumps(CALL)}],
            )
        },
        exit=1,
    ),
    # --- JSON edge cases in rows: build and validate agree, build never crashes ---
    bad_row(
        "lone surrogate in a function name",
        {
            "functionList": FUNCTION_LIST.replace('"get_current_weather"', '"get_\\ud800weather"', 1),
            "assistantResponse": call_text('{"city": "Oslo"}').replace("get_current_weather", "get_\\ud800weather"),
        },
        "functionList: .*text holds a lone surrogate",
    ),
    bad_row(
        "lone surrogate in an argument",
        {"assistantResponse": call_text('{"city": "Os\\udc00lo"}')},
        "assistantResponse: .*text holds a lone surrogate",
    ),
    bad_row(
        "arguments as a JSON string nested 1000 deep",
        {"assistantResponse": json.dumps({"function": "get_current_weather", "arguments": "[" * 1000 + "]" * 1000})},
        "assistantResponse: unparsable call: call to 'get_current_weather': arguments are not valid JSON "
        r"\(JSON nested too deeply",
    ),
    bad_row(
        "integer of 5000 digits in an argument",
        {"assistantResponse": call_text('{"city": ' + "7" * 5000 + "}")},
        "assistantResponse: unparsable call: invalid JSON: Exceeds the limit",
    ),
    bad_row(
        "NaN in arguments",
        {"assistantResponse": call_text('{"city": NaN}')},
        "assistantResponse: unparsable call: invalid JSON: NaN is not a JSON value",
    ),
    bad_row(
        "Infinity in decoded arguments",
        {"assistantResponse": {"function": "get_current_weather", "arguments": {"city": float("inf")}}},
        "assistantResponse: inf is not a JSON number",
    ),
    Case(
        "integer of 5000 digits in a JSONL line",
        "data",
        build(),
        r"\{tmp\}/train\.jsonl: cannot be read as JSON: line 2: Exceeds the limit",
        {"train.jsonl": jsonl([GOOD]) + '{"userPrompt": ' + "1" * 5000 + "}\n"},
    ),
    Case(
        "duplicated key in a JSONL row",
        "data",
        build(),
        r"\{tmp\}/train\.jsonl: cannot be read as JSON: line 1: duplicate key 'userPrompt'",
        {"train.jsonl": '{"userPrompt": "a", "userPrompt": "b", "functionList": "", "assistantResponse": "x"}\n'},
    ),
    # --- files that cannot be read as a whole ---
    Case(
        "duplicated CSV header column",
        "data",
        build("{tmp}/train.csv"),
        r"\{tmp\}/train\.csv: the header names column 'userPrompt' twice \(columns 2 and 4\)",
        {
            "train.csv": csv_text(
                ["functionList", "userPrompt", "assistantResponse", "userPrompt"],
                [[FUNCTION_LIST, "Weather?", json.dumps(CALL), "Other"]],
            )
        },
    ),
    Case(
        "Latin-1 byte in a CSV",
        "data",
        build("{tmp}/train.csv"),
        r"\{tmp\}/train\.csv: not UTF-8 text: byte 0xe9 at byte 52 \(line 2\)",
        {"train.csv": b"functionList,userPrompt,assistantResponse\n" + b'"[]","caf\xe9 time","hello"\n'},
    ),
    Case(
        "CSV field over the limit, named at the line its record starts",
        "data",
        build("{tmp}/train.csv"),
        r"\{tmp\}/train\.csv: cannot be read as CSV: the record starting on line 3: field larger than field limit",
        {
            "train.csv": csv_text(
                ["functionList", "userPrompt", "assistantResponse"],
                [["[]", "hi", "hello"], ["[]", "multi\nline\n" + "x" * 500, "hello"]],
            )
        },
        patch={"data.sources.CSV_FIELD_LIMIT": 100},
    ),
    Case(
        "missing column, refused from the header before the body is read",
        "data",
        build("{tmp}/train.csv"),
        r"\{tmp\}/train\.csv: missing column 'assistantResponse'",
        # The body would fail as CSV (a field over the limit): the header is checked first.
        {"train.csv": "functionList,userPrompt\n" + '"[]","' + "y" * 500 + '"\n'},
        patch={"data.sources.CSV_FIELD_LIMIT": 100},
    ),
    Case(
        "bfcl source naming no category", "data", ["validate", "--source", "bfcl:"], r"'bfcl:' names no BFCL category"
    ),
    Case(
        "unknown --column field",
        "data",
        ["validate", "--source", "{tmp}/train.jsonl", "--column", "prompt=q"],
        "bad --column 'prompt=q'",
        {"train.jsonl": [GOOD]},
    ),
    # --- training configs ---
    config_case(
        "env key, which could make programs run commands",
        "env: {GIT_CONFIG_COUNT: 1, GIT_CONFIG_KEY_0: core.fsmonitor, GIT_CONFIG_VALUE_0: touch pwned}\n",
        r"\{tmp\}/c\.yaml: the env key is not supported",
    ),
    config_case(
        "duplicated YAML key",
        "learning_rate: 0.1\nlearning_rate: 0.2\n",
        r"\{tmp\}/c\.yaml: line 10: key 'learning_rate' is given twice",
    ),
    Case(
        "non-UTF-8 config",
        "train",
        ["{tmp}/c.yaml"],
        r"\{tmp\}/c\.yaml: not UTF-8 text: byte 0xe9 at byte 7 \(line 1\)",
        {"c.yaml": b"seed: \xe9\n"},
    ),
    config_case("max_steps below -1", "max_steps: -5\n", "max_steps must be at least -1, got -5"),
    config_case("learning_rate zero", "learning_rate: 0\n", "learning_rate must be more than 0, got 0"),
    config_case("learning_rate NaN", "learning_rate: .nan\n", "learning_rate must be a finite number, got nan"),
    config_case(
        "batch size zero", "per_device_train_batch_size: 0\n", "per_device_train_batch_size must be at least 1, got 0"
    ),
    config_case(
        "gradient accumulation zero",
        "",
        "gradient_accumulation_steps must be at least 1, got 0",
        ("--gradient_accumulation_steps", "0"),
    ),
    config_case("lora_r zero", "lora_r: 0\n", "lora_r must be at least 1, got 0"),
    config_case("lora_alpha negative", "lora_alpha: -8\n", "lora_alpha must be more than 0, got -8"),
    config_case("max_length zero", "", "max_length must be at least 1, got 0", ("--max_length", "0")),
    config_case("eval batch size zero", "eval_batch_size: 0\n", "eval_batch_size must be at least 1, got 0"),
    config_case("eval_data bfcl with no category", "eval_data: 'bfcl:'\n", "'bfcl:' names no BFCL category"),
    config_case("unknown key", "lerning_rate: 0.1\n", r"unknown key 'lerning_rate' \(did you mean 'learning_rate'\?\)"),
    config_case(
        "output_dir that is someone else's directory",
        "",
        r"output_dir \{tmp\}/run exists and is not an "
        "fctune run directory",
        files={"run/notes.txt": "mine"},
    ),
    config_case(
        "output_dir in use by another run", "", r"\{tmp\}/run is in use by a training run process \d+ on", locked="run"
    ),
    config_case(
        "sft_adapter made for another base",
        "method: dpo\nsft_adapter: {tmp}/sft\n",
        r"sft_adapter: the adapter \{tmp\}/sft was trained on 'other/model', not 'embedded'",
        files={"sft/adapter_config.json": '{"base_model_name_or_path": "other/model"}'},
    ),
    # --- evaluation ---
    Case(
        "eval --out naming a file",
        "eval",
        [*EVAL, "--out", "{tmp}/report.txt"],
        r"--out \{tmp\}/report\.txt is a file",
        {"report.txt": "my notes"},
    ),
    Case(
        "eval --out holding someone's own predictions.jsonl",
        "eval",
        [*EVAL, "--out", "{tmp}/mine"],
        r"--out \{tmp\}/mine holds files an evaluation did not write \(predictions\.jsonl\)",
        {"mine/predictions.jsonl": '{"my": "work"}\n'},
    ),
    Case(
        "eval --overwrite still spares someone's files",
        "eval",
        [*EVAL, "--out", "{tmp}/mine", "--overwrite"],
        r"--out \{tmp\}/mine holds files an evaluation did not write \(notes\.md\)",
        {"mine/settings.json": "{}", "mine/notes.md": "mine"},
    ),
    Case("eval --batch-size zero", "eval", [*EVAL, "--batch-size", "0"], "batch_size must be at least 1, got 0"),
    Case("eval --max-samples zero", "eval", [*EVAL, "--max-samples", "0"], "max_samples must be at least 1, got 0"),
    Case(
        "eval on bfcl: with no category",
        "eval",
        ["--model", "embedded", "--data", "bfcl:"],
        "'bfcl:' names no BFCL category",
    ),
    Case(
        "eval adapter made for another base",
        "eval",
        [*EVAL, "--adapter", "{tmp}/ad", "--out", "{tmp}/ev"],
        r"the adapter \{tmp\}/ad was trained on 'other/model', not 'embedded'",
        {"ad/adapter_config.json": '{"base_model_name_or_path": "other/model"}'},
    ),
    Case(
        "eval --out in use by another evaluation",
        "eval",
        [*EVAL, "--out", "{tmp}/ev"],
        r"\{tmp\}/ev is in use by an evaluation process \d+ on",
        locked="ev",
    ),
    # --- merge ---
    Case(
        "merge of a directory that holds no adapter",
        "merge",
        ["--adapter", "{tmp}", "--out", "{tmp}/merged"],
        r"\{tmp\} is not an adapter directory \(no adapter_config\.json\)",
        {"notes.txt": "x"},
    ),
    Case(
        "merge into a non-empty directory",
        "merge",
        ["--adapter", "{tmp}/ad", "--out", "{tmp}/full"],
        r"\{tmp\}/full exists and is not empty",
        {"ad/adapter_config.json": "{}", "full/x": "x"},
    ),
]
