"""The builtin dataset, checked on the real generated rows."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import jsonschema
import pytest

from data.builtin import DOMAINS, FUNCTIONS, HELD_OUT, load_builtin
from data.builtin.catalog import DOMAIN_OF
from data.builtin.no_call import CAPITALS
from data.render import render
from data.schema import Example

ROOT = Path(__file__).resolve().parents[1]
TRELIS_NAMES = ("search_bing", "search_arxiv", "save_chat", "read_json_file", "list_files",
                "get_current_weather", "delete_file", "clear_chat")


@pytest.fixture(scope="module")
def splits():
    return load_builtin()


@pytest.fixture(scope="module")
def rows(splits):
    return [ex for split in splits.values() for ex in split]


def _names(ex: Example) -> list[str]:
    return [f.name for f in ex.functions]


def _digest(splits) -> str:
    records = {k: [ex.to_record() for ex in v] for k, v in splits.items()}
    return hashlib.sha256(json.dumps(records, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


# --- the catalog ---

def test_catalog_size_and_trelis_names():
    names = [f.name for f in FUNCTIONS]
    assert len(names) >= 40 and len(set(names)) == len(names)
    assert len(DOMAINS) >= 8
    for name in TRELIS_NAMES:
        assert name in names and name not in HELD_OUT


def test_catalog_argument_types():
    schemas = [p.schema for f in FUNCTIONS for p in f.params]
    types = {s["type"] for s in schemas}
    assert {"string", "integer", "number", "boolean", "array"} <= types
    assert all("items" in s for s in schemas if s["type"] == "array")
    assert any("enum" in s for s in schemas)
    for f in FUNCTIONS:
        assert 0 <= len(f.params) <= 4, f.name
        assert f.description
        for p in f.params:
            assert list(p.schema)[:2] == ["type", "description"] and p.schema["description"], (f.name, p.name)
            assert p.required == ("default" not in p.schema), (f.name, p.name)
            if "default" in p.schema:  # the default is itself a valid value
                jsonschema.validate(p.schema["default"], p.schema)
    assert any(not f.params for f in FUNCTIONS)
    assert any(not p.required for f in FUNCTIONS for p in f.params)


def test_held_out_functions_are_spread():
    assert len(HELD_OUT) >= 8
    assert set(HELD_OUT) <= {f.name for f in FUNCTIONS}
    assert len({DOMAIN_OF[n] for n in HELD_OUT}) >= 8


# --- the splits ---

def test_split_sizes(splits):
    assert list(splits) == ["train", "validation", "test"]
    assert len(splits["train"]) >= 2000
    assert len(splits["validation"]) >= 200
    assert len(splits["test"]) >= 400


def test_generation_is_fast():
    start = time.perf_counter()
    load_builtin()
    assert time.perf_counter() - start < 2.0


def test_deterministic(splits):
    assert [ex.to_record() for ex in load_builtin()["train"]] == [ex.to_record() for ex in splits["train"]]
    assert _digest(load_builtin()) == _digest(splits)


@pytest.mark.slow
def test_independent_of_hash_seed(splits):
    code = ("import hashlib, json; from data.builtin import load_builtin; s = load_builtin(); "
            "r = {k: [e.to_record() for e in v] for k, v in s.items()}; "
            "print(hashlib.sha256(json.dumps(r, sort_keys=True, ensure_ascii=False).encode()).hexdigest())")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == _digest(splits)


def test_kind_mix(splits):
    for name, split in splits.items():
        share = {k: n / len(split) for k, n in Counter(ex.meta["kind"] for ex in split).items()}
        assert set(share) == {"call", "no_call", "ask"}, name
        assert 0.65 <= share["call"] <= 0.75, name
        assert 0.10 <= share["no_call"] <= 0.20, name
        assert 0.10 <= share["ask"] <= 0.20, name


def test_meta(splits):
    ids = []
    for name, split in splits.items():
        for ex in split:
            m = ex.meta
            ids.append(m["id"])
            assert m["id"].startswith(f"builtin-{name}-")
            assert m["source"] == "builtin"
            assert m["kind"] in ("call", "no_call", "ask")
            assert ex.system == "" and not ex.functions_in_system
            if m["kind"] == "no_call":
                assert m["domain"] == "none"
            else:
                assert m["domain"] in DOMAINS
            assert ("unseen" in m) == (name == "test")
    assert len(ids) == len(set(ids))


def test_functions_per_example(rows):
    counts = Counter(len(ex.functions) for ex in rows)
    assert set(counts) == {1, 2, 3, 4}
    for ex in rows:
        assert len(set(_names(ex))) == len(ex.functions)


def test_answers_match_kind(rows):
    for ex in rows:
        assert ex.user.strip()
        if ex.meta["kind"] == "call":
            assert len(ex.calls) == 1 and not ex.text
            assert DOMAIN_OF[ex.calls[0].name] == ex.meta["domain"]
            assert ex.meta["target"] == ex.calls[0].name
        else:
            assert not ex.calls and ex.text.strip()
        if ex.meta["kind"] == "ask":
            assert "?" in ex.text
            assert ex.meta["target"] in _names(ex) and DOMAIN_OF[ex.meta["target"]] == ex.meta["domain"]
        if ex.meta["kind"] == "no_call":
            assert ex.meta["target"] is None


def test_calls_validate_against_schema(rows):
    for ex in rows:
        for call in ex.calls:
            fn = ex.function(call.name)
            assert fn is not None, (ex.meta["id"], call.name)
            jsonschema.validate(call.arguments, fn.parameters_schema())
            assert set(call.arguments) <= {p.name for p in fn.params}, ex.meta["id"]
            assert set(fn.required) <= set(call.arguments), ex.meta["id"]
            for name, value in call.arguments.items():  # the Python types, not just JSON-compatible ones
                t = fn.param(name).type
                if t == "integer":
                    assert type(value) is int
                elif t == "number":
                    assert type(value) in (int, float)
                elif t == "boolean":
                    assert type(value) is bool


def test_argument_values_are_in_the_prompt(rows):
    for ex in rows:
        for call in ex.calls:
            for value in call.arguments.values():
                for item in value if isinstance(value, list) else [value]:
                    if not isinstance(item, bool):
                        assert str(item) in ex.user, (ex.meta["id"], item, ex.user)


def test_optional_arguments_are_sometimes_given(rows):
    given, omitted = Counter(), Counter()
    for ex in rows:
        for call in ex.calls:
            fn = ex.function(call.name)
            optional = [p.name for p in fn.params if not p.required]
            if optional:
                (given if set(optional) & set(call.arguments) else omitted)[call.name] += 1
    with_optional = [f.name for f in FUNCTIONS if any(not p.required for p in f.params)]
    for name in with_optional:
        assert given[name] and omitted[name], name


def test_no_placeholders_leak(rows):
    for ex in rows:
        for text in (ex.user, ex.text):
            assert "{" not in text and "}" not in text, ex.meta["id"]


def test_held_out_only_in_test(splits):
    held = set(HELD_OUT)
    for name in ("train", "validation"):
        for ex in splits[name]:
            assert not held & set(_names(ex)), ex.meta["id"]
    unseen = Counter(ex.meta["unseen"] for ex in splits["test"])
    assert unseen[True] >= 100 and unseen[False] >= 100
    for ex in splits["test"]:
        if ex.meta["kind"] == "no_call":
            assert ex.meta["unseen"] is False
        if ex.calls:
            assert ex.meta["unseen"] == (ex.calls[0].name in held)
        if ex.meta["unseen"]:  # ask rows: a held-out function of the row's domain is offered
            assert any(n in held and DOMAIN_OF[n] == ex.meta["domain"] for n in _names(ex))
    kinds = Counter(ex.meta["kind"] for ex in splits["test"] if ex.meta["unseen"])
    assert kinds["call"] and kinds["ask"]
    assert {c.name for ex in splits["test"] for c in ex.calls} >= held


def test_no_duplicates_or_leaks(splits):
    for name, split in splits.items():
        keys = [(ex.user, tuple(sorted(_names(ex)))) for ex in split]
        assert len(keys) == len(set(keys)), name
    train = {ex.user for ex in splits["train"]}
    assert not train & {ex.user for ex in splits["test"]}
    assert not train & {ex.user for ex in splits["validation"]}


def test_no_call_answers_are_correct(rows):
    ops = {"plus": lambda a, b: a + b, "minus": lambda a, b: a - b, "times": lambda a, b: a * b,
           "divided by": lambda a, b: a // b}
    checked = Counter()
    for ex in rows:
        if ex.meta["kind"] != "no_call":
            continue
        m = re.fullmatch(r"(\d+) (plus|minus|times|divided by) (\d+) is (-?\d+)\.", ex.text)
        if m:
            a, op, b, r = int(m[1]), m[2], int(m[3]), int(m[4])
            assert f"{a} {op} {b}" in ex.user and ops[op](a, b) == r
            assert "math" not in [DOMAIN_OF[n] for n in _names(ex)]  # no calculator beside it
            checked["arithmetic"] += 1
        m = re.fullmatch(r"The capital of (.+) is (.+)\.", ex.text)
        if m:
            assert m[1] in ex.user and CAPITALS[m[1]] == m[2]
            assert "web" not in [DOMAIN_OF[n] for n in _names(ex)]
            checked["capital"] += 1
    assert checked["arithmetic"] >= 20 and checked["capital"] >= 10


def test_records_round_trip(rows):
    for ex in rows[::7]:
        record = ex.to_record()
        assert Example.from_record(json.loads(json.dumps(record))).to_record() == record


def test_every_row_renders(rows):
    for ex in rows:
        prompt, response = render(ex, "llama2")
        assert ex.user.strip() in prompt and response.strip()
        if ex.calls:
            assert json.loads(response) == {"function": ex.calls[0].name, "arguments": ex.calls[0].arguments}
