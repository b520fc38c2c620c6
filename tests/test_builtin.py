"""The builtin dataset, checked on the real generated rows."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import subprocess
import sys
from collections import Counter
from itertools import groupby
from pathlib import Path

import jsonschema
import pytest

from data.builtin import DOMAINS, FUNCTIONS, HELD_OUT, SIZES, VARIANTS, load_builtin
from data.builtin.catalog import ALIKE_OF, DOMAIN_OF, PLAN_OF, PLANS
from data.builtin.catalog import _style as style
from data.builtin.catalog import _words as words
from data.builtin.generate import FUNCTION_CHARS, GROUP, SHARES, SIZE, normalise
from data.builtin.no_call import CAPITALS, CATEGORIES
from data.common import FctuneError
from data.render import render
from data.schema import Example
from data.sources import load_source
from eval.run import stratified_sample

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def splits():
    return load_builtin()


@pytest.fixture(scope="module")
def twins():
    return load_builtin(**VARIANTS["builtin:ask-twins"])


@pytest.fixture(scope="module", params=list(VARIANTS))
def each(request, splits, twins):
    """The splits of each variant of the dataset: what holds for one holds for both."""
    return splits if request.param == "builtin" else twins


@pytest.fixture(scope="module")
def rows(each):
    return [ex for split in each.values() for ex in split]


def _names(ex: Example) -> list[str]:
    return [f.name for f in ex.functions]


def _digest(splits) -> str:
    records = {k: [ex.to_record() for ex in v] for k, v in splits.items()}
    return hashlib.sha256(json.dumps(records, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _schemas(schema: dict):
    """An argument's schema and every schema nested in it."""
    yield schema
    for sub in schema.get("properties", {}).values():
        yield from _schemas(sub)
    if "items" in schema:
        yield from _schemas(schema["items"])


def _leaves(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _leaves(v)
    elif isinstance(value, list):
        for v in value:
            yield from _leaves(v)
    else:
        yield value


def _closed(schema: dict) -> dict:
    """The schema with additionalProperties false on every object, so unknown keys fail validation."""
    out = dict(schema)
    if out.get("type") == "object":
        out["additionalProperties"] = False
        out["properties"] = {k: _closed(v) for k, v in out.get("properties", {}).items()}
    if "items" in out:
        out["items"] = _closed(out["items"])
    return out


# --- the catalog ---


def test_catalog_size_and_names():
    names = [f.name for f in FUNCTIONS]
    assert len(names) >= 300 and len(set(names)) == len(names)
    assert len(DOMAINS) >= 25
    styles = Counter()
    for n in names:
        styles["dotted" if "." in n else "snake" if "_" in n else "camel" if n[0].islower() else "pascal"] += 1
    assert all(styles[s] >= 30 for s in ("dotted", "snake", "camel", "pascal")), styles
    arg_names = [p.name for f in FUNCTIONS for p in f.params]
    assert any(re.fullmatch(r"[a-z]+(_[a-z0-9]+)+", n) for n in arg_names)
    assert any(re.fullmatch(r"[a-z]+([A-Z][a-z0-9]*)+", n) for n in arg_names)
    assert any(len(n) <= 3 for n in arg_names) and any(len(n) >= 15 for n in arg_names)


def test_catalog_argument_types():
    params = [p for f in FUNCTIONS for p in f.params]
    types = Counter(p.type for p in params)
    assert {"string", "integer", "number", "boolean", "array", "object"} <= set(types)
    enums = [p.schema["enum"] for p in params if "enum" in p.schema]
    assert len(enums) >= 100
    assert any(any(v != v.lower() for v in e) and any(v == v.lower() for v in e) for e in enums)  # mixed case
    arrays = [p.schema for p in params if p.type == "array"]
    assert any(s["items"]["type"] == "object" for s in arrays) and any(s["items"]["type"] != "object" for s in arrays)
    optional = [p for p in params if not p.required]
    assert any("default" in p.schema for p in optional) and any("default" not in p.schema for p in optional)
    for f in FUNCTIONS:
        assert 0 <= len(f.params) <= 7 and f.description, f.name
        jsonschema.Draft202012Validator.check_schema(f.parameters_schema())
        for p in f.params:
            assert list(p.schema)[:2] == ["type", "description"] and p.schema["description"], (f.name, p.name)
            assert not (p.required and "default" in p.schema), (f.name, p.name)
            if "default" in p.schema:  # the default is itself a valid value
                jsonschema.validate(p.schema["default"], p.schema)
            for s in _schemas(p.schema):
                if s.get("type") == "object":
                    assert s["required"] == list(s["properties"]), (f.name, p.name)
    lengths = Counter(len(f.description) > 60 for f in FUNCTIONS)
    assert lengths[True] >= 30 and lengths[False] >= 30


def test_held_out_functions_are_honestly_unseen():
    """Held-out functions differ from seen ones in domain, name and every argument name."""
    held = set(HELD_OUT)
    assert len(held) >= 40
    seen_plans = [p for p in PLANS if not p.unseen]
    unseen_plans = [p for p in PLANS if p.unseen]
    assert {p.function.name for p in unseen_plans} == held
    assert not {p.domain for p in seen_plans} & {p.domain for p in unseen_plans}
    assert len({p.domain for p in unseen_plans}) >= 5

    # Not only the names the catalog drew: every name a concept could give, in either style.
    assert not _possible_names(seen_plans) & _possible_names(unseen_plans)
    assert not {p.function.name for p in seen_plans} & held


def _possible_names(plans) -> set[str]:
    concepts, names = [c for p in plans for c in p.concepts.values()], set()
    while concepts:
        c = concepts.pop()
        concepts += c.props
        names |= {style(words(n), camel) for n in c.names for camel in (False, True)}
    return names


def test_alike_groups_name_real_families():
    families = {p.family for p in PLANS}
    assert set(ALIKE_OF) <= families
    for family, group in ALIKE_OF.items():
        assert family in group


# --- the splits ---


def test_split_sizes(splits):
    assert list(splits) == ["train", "validation", "test"]
    assert {k: len(v) for k, v in splits.items()} == SIZES
    assert len(splits["train"]) >= 5000 and len(splits["validation"]) >= 200 and len(splits["test"]) >= 500


def test_a_stratified_sample_of_144_test_rows_has_every_kind_seen_and_unseen(splits):
    test = splits["test"]
    picked = [test[i] for i in stratified_sample([ex.kind for ex in test], 144, 0)]
    assert len(picked) == 144
    counts = Counter((ex.kind, ex.meta["unseen"]) for ex in picked)
    assert counts[("call", False)] >= 25 and counts[("call", True)] >= 25, counts
    assert counts[("ask", False)] + counts[("ask", True)] >= 20 and counts[("no_call", False)] >= 15, counts


def test_deterministic(splits):
    assert [ex.to_record() for ex in load_builtin()["train"]] == [ex.to_record() for ex in splits["train"]]
    assert _digest(load_builtin()) == _digest(splits)


@pytest.mark.slow
def test_independent_of_hash_seed(splits):
    code = (
        "import hashlib, json; from data.builtin import load_builtin; s = load_builtin(); "
        "r = {k: [e.to_record() for e in v] for k, v in s.items()}; "
        "print(hashlib.sha256(json.dumps(r, sort_keys=True, ensure_ascii=False).encode()).hexdigest())"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == _digest(splits)


def test_training_rows_come_in_groups_offering_the_same_functions(each):
    """Groups of GROUP["train"] rows share one list of offered functions (what shared_prefix_rows joins), with
    more than one kind of answer in most; validation and test rows each draw their own list."""
    train = each["train"]
    runs = [len(list(g)) for _, g in groupby(train, key=lambda ex: json.dumps(_names(ex)))]
    assert Counter(runs).most_common(1)[0] == (GROUP["train"], pytest.approx(len(train) / GROUP["train"], rel=0.02))
    groups = [train[i : i + GROUP["train"]] for i in range(0, len(train), GROUP["train"])]
    mixed = sum(len({ex.meta.get("subkind", ex.meta["kind"]) for ex in g}) > 1 for g in groups)
    assert mixed > 0.6 * len(groups)
    for name in ("validation", "test"):
        same = sum(_names(a) == _names(b) for a, b in zip(each[name], each[name][1:]))
        assert same < 0.05 * len(each[name]), name


def test_an_ask_row_after_a_call_in_its_group_leaves_a_value_of_that_request_out(twins):
    """The nearest contrast between calling and asking: the same function, the values of the group's
    last call, one or two required ones gone from the prompt."""
    found = 0
    for _, group in groupby(twins["train"], key=lambda ex: json.dumps(_names(ex))):
        call = None
        for ex in group:
            if ex.meta["kind"] == "call":
                call = ex
            if ex.meta["kind"] != "ask" or call is None:
                continue
            fn = call.function(call.meta["target"])
            if not any(p.required and p.type != "boolean" for p in fn.params):
                continue
            assert ex.meta["target"] == call.meta["target"], ex.meta["id"]
            args = call.calls[0].arguments
            required = [p.name for p in fn.params if p.required and p.type != "boolean"]
            said = [n for n in required if all(_said(v, ex.user) for v in _leaves(args[n]))]
            assert len(said) < len(required), (ex.meta["id"], ex.user, args)
            found += 1
    assert found > 0.4 * SIZES["train"] * SHARES["train"]["ask"]


def _said(value, text: str) -> bool:
    if isinstance(value, (int, float)):  # digits standing alone (not the 1 of "FG-8851-T")
        return any(re.search(rf"(?<![\d.]){re.escape(v)}(?![\d])", text) for v in (str(value), f"{value:,}"))
    return str(value).lower() in text.lower()


def test_the_variants_differ_only_in_training_rows(splits, twins):
    for name in ("validation", "test"):
        assert [ex.to_record() for ex in twins[name]] == [ex.to_record() for ex in splits[name]], name
    assert [ex.to_record() for ex in twins["train"]] != [ex.to_record() for ex in splits["train"]]


def test_the_variants_are_sources_and_an_unknown_one_is_named(twins):
    loaded = load_source("builtin:ask-twins")
    assert loaded.info["source"] == "builtin:ask-twins"
    assert [ex.user for ex in loaded.splits["train"]] == [ex.user for ex in twins["train"]]
    with pytest.raises(FctuneError, match=r"builtin:twins: no such variant .* there are builtin, builtin:ask-twins"):
        load_source("builtin:twins")


def test_test_rows_do_not_depend_on_how_training_rows_are_made(splits, monkeypatch):
    """Each split draws from its own stream, test first: training rows made another way leave test alone."""
    monkeypatch.setitem(GROUP, "train", 1)
    again = load_builtin()
    assert [ex.to_record() for ex in again["test"]] == [ex.to_record() for ex in splits["test"]]
    assert [ex.to_record() for ex in again["train"]] != [ex.to_record() for ex in splits["train"]]


def test_kind_mix(each):
    for name, split in each.items():
        got = Counter(ex.meta.get("subkind", ex.meta["kind"]) for ex in split)
        assert set(got) == set(SHARES[name]), name
        for sub, share in SHARES[name].items():
            assert abs(got[sub] / len(split) - share) < 0.01, (name, sub)


def test_meta(each):
    ids = []
    for name, split in each.items():
        for ex in split:
            m = ex.meta
            ids.append(m["id"])
            assert m["id"].startswith(f"builtin-{name}-") and m["source"] == "builtin"
            assert m["kind"] in ("call", "no_call", "ask")
            assert ex.system == "" and not ex.functions_in_system
            assert ("subkind" in m) == (m["kind"] == "no_call")
            if m.get("subkind") == "general":
                assert m["domain"] == "none" and m["target"] is None
            else:
                assert m["domain"] in DOMAINS
            assert ("unseen" in m) == (name == "test")
    assert len(ids) == len(set(ids))


def test_functions_per_example(rows):
    counts = Counter(len(ex.functions) for ex in rows)
    assert set(counts) == {1, 2, 3, 4}
    for ex in rows:
        assert len(set(_names(ex))) == len(ex.functions)
        # distractors stop at the budget; a row offering one function may exceed it alone
        assert len(ex.functions) == 1 or sum(SIZE[n] for n in _names(ex)) <= FUNCTION_CHARS, ex.meta["id"]


def test_answers_match_kind(rows):
    for ex in rows:
        m, offered = ex.meta, _names(ex)
        if m["kind"] == "call":
            assert len(ex.calls) == 1 and not ex.text
            assert m["target"] == ex.calls[0].name and DOMAIN_OF[m["target"]] == m["domain"]
            continue
        assert not ex.calls and ex.text.strip()
        if m["kind"] == "ask":
            assert m["target"] in offered and "?" in ex.text
            plan = PLAN_OF[m["target"]]
            nouns = [plan.concepts[p.name].noun for p in plan.function.params if p.required]
            assert any(n in ex.text for n in nouns), (m["id"], ex.text)
        elif m["subkind"] == "near_miss":
            families = {PLAN_OF[n].family for n in offered}
            assert {PLAN_OF[n].domain for n in offered} == {m["domain"]}
            assert not families & ALIKE_OF.get(m["requested"], {m["requested"]}) and m["requested"] not in families
        elif m["subkind"] == "off_domain":
            assert m["domain"] not in {PLAN_OF[n].domain for n in offered}


def test_calls_validate_against_schema(rows):
    for ex in rows:
        for call in ex.calls:
            fn = ex.function(call.name)
            assert fn is not None, (ex.meta["id"], call.name)
            schema = _closed(fn.parameters_schema())
            jsonschema.validate(call.arguments, schema)
            assert set(fn.required) <= set(call.arguments), ex.meta["id"]
            assert list(call.arguments) == [p.name for p in fn.params if p.name in call.arguments]  # schema order
            for name, value in call.arguments.items():  # the Python types, not just JSON-compatible ones
                t = fn.param(name).type
                if t == "integer":
                    assert type(value) is int
                elif t == "number":
                    assert type(value) in (int, float)
                elif t == "boolean":
                    assert type(value) is bool


def test_argument_values_are_in_the_prompt(rows):
    """Every value can be copied from the prompt: text exactly (an e-mail keeps its case), numbers as digits;
    enum values as the user wrote them, which is sometimes not the schema's case."""
    enum_recased = 0
    for ex in rows:
        for call in ex.calls:
            fn = ex.function(call.name)
            for name, value in call.arguments.items():
                enum = "enum" in fn.param(name).schema
                for item in _leaves(value):
                    if isinstance(item, bool):
                        continue
                    if isinstance(item, (int, float)):  # digits, perhaps with thousands separators
                        assert (
                            re.search(rf"(?<![\d.]){re.escape(str(item))}(?![\d])", ex.user) or f"{item:,}" in ex.user
                        ), (ex.meta["id"], item, ex.user)
                    elif not enum and not any("enum" in s for s in _schemas(fn.param(name).schema)):
                        assert str(item) in ex.user, (ex.meta["id"], item, ex.user)
                    else:
                        said = [str(item), str(item).replace("_", " ")]
                        assert any(s.lower() in ex.user.lower() for s in said), (ex.meta["id"], item, ex.user)
                        enum_recased += enum and str(item) not in ex.user
    assert enum_recased >= 300


def test_optional_arguments_are_sometimes_given(rows):
    given, omitted = Counter(), Counter()
    for ex in rows:
        for call in ex.calls:
            fn = ex.function(call.name)
            optional = [p.name for p in fn.params if not p.required]
            if optional:
                (given if set(optional) & set(call.arguments) else omitted)[call.name] += 1
    assert len(given) >= 200 and len(omitted) >= 200


def test_no_placeholders_leak(rows):
    for ex in rows:
        for text in (ex.user, ex.text):
            assert "{" not in text and "}" not in text and "  " not in text, ex.meta["id"]


def test_held_out_only_in_test(splits):
    held = set(HELD_OUT)
    for name in ("train", "validation"):
        for ex in splits[name]:
            assert not held & set(_names(ex)), ex.meta["id"]
    test = splits["test"]
    unseen = Counter(ex.meta["unseen"] for ex in test)
    assert unseen[True] >= 200 and unseen[False] >= 200
    for ex in test:
        if ex.meta.get("subkind") == "general":
            assert ex.meta["unseen"] is False
        # a row about a held-out function offers only held-out functions, a seen row only seen ones
        assert {n in held for n in _names(ex)} == {ex.meta["unseen"]}, ex.meta["id"]
    kinds = Counter(ex.meta.get("subkind", ex.meta["kind"]) for ex in test if ex.meta["unseen"])
    assert all(kinds[k] for k in ("call", "ask", "near_miss", "off_domain")), kinds
    assert len({c.name for ex in test for c in ex.calls if ex.meta["unseen"]}) >= 40


def test_no_duplicates_or_leaks(each):
    """No prompt twice anywhere, in normalised text (lower case, white space collapsed)."""
    prompts = [normalise(ex.user) for split in each.values() for ex in split]
    assert len(prompts) == len(set(prompts))


@pytest.mark.skipif(importlib.util.find_spec("bfcl_eval") is None, reason="bfcl-eval is not installed")
def test_no_bfcl_prompt_or_function_name_in_training(each):
    from data.bfcl import CATEGORIES as BFCL_CATEGORIES
    from data.bfcl import load_bfcl

    bfcl = load_bfcl(list(BFCL_CATEGORIES))
    assert len(bfcl) > 3000
    trained = {normalise(ex.user) for name in ("train", "validation") for ex in each[name]}
    assert not trained & {normalise(ex.user) for ex in bfcl}
    assert not trained & {normalise(ex.user) for ex in each["test"]}
    assert not {f.name for ex in bfcl for f in ex.functions} & {f.name for f in FUNCTIONS}


def test_no_call_answers_are_correct(rows):
    ops = {
        "plus": lambda a, b: a + b,
        "minus": lambda a, b: a - b,
        "times": lambda a, b: a * b,
        "divided by": lambda a, b: a // b,
    }
    excluded = {make.__name__: domains for _, make, domains, _ in CATEGORIES}
    checked = Counter()
    for ex in rows:
        if ex.meta.get("subkind") != "general":
            continue
        domains = {DOMAIN_OF[n] for n in _names(ex)}
        m = re.fullmatch(r"(\d+) (plus|minus|times|divided by) (\d+) is (-?\d+)\.", ex.text)
        if m:
            a, op, b, r = int(m[1]), m[2], int(m[3]), int(m[4])
            assert f"{a} {op} {b}" in ex.user and ops[op](a, b) == r
            assert not domains & set(excluded["arithmetic"])  # no calculator beside it
            checked["arithmetic"] += 1
        m = re.fullmatch(r"The capital of (.+) is (.+)\.", ex.text)
        if m:
            assert m[1] in ex.user and CAPITALS[m[1]] == m[2]
            assert not domains & set(excluded["capital"])
            checked["capital"] += 1
    assert checked["arithmetic"] >= 50 and checked["capital"] >= 30


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
