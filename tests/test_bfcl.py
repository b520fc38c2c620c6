import importlib.util
import json

import pytest

from data.bfcl import CATEGORIES, FctuneError, find_data_dir, load_bfcl
from data.render import render
from data.schema import Call, Example, Function, Param


def _write(data_dir, stem, rows, answers=None):
    """BFCL's layout: JSON Lines in .json files, answers under possible_answer/."""
    (data_dir / f"BFCL_v4_{stem}.json").write_text("\n".join(json.dumps(r) for r in rows))
    if answers is not None:
        (data_dir / "possible_answer").mkdir(exist_ok=True)
        lines = [json.dumps({"id": r["id"], "ground_truth": gt}) for r, gt in zip(rows, answers)]
        (data_dir / "possible_answer" / f"BFCL_v4_{stem}.json").write_text("\n".join(lines) + "\n")


def _question(*messages):
    return [[{"role": role, "content": content} for role, content in messages]]


AREA = {
    "name": "geometry.area",
    "description": "Area of a shape.",
    "parameters": {
        "type": "dict",
        "properties": {
            "base": {"type": "integer", "description": "The base."},
            "height": {"type": "float", "description": "The height."},
            "corner": {"type": "tuple", "description": "A corner.", "items": {"type": "float"}},
            "style": {
                "type": "dict",
                "description": "Drawing style.",
                "properties": {"color": {"type": "string"}, "extra": {"type": "any"}},
            },
            "label": {"type": "any", "description": "Anything.", "default": None},
            "unit": {"type": "string", "description": "The unit.", "optional": True},
        },
        "required": ["base", "height"],
    },
}
AREA_GT = [{"geometry.area": {"base": [10], "height": [5.0, 5], "unit": ["", "cm"], "label": ["x", ""]}}]


def test_simple_row_converts_types_and_keeps_raw_docs(tmp_path):
    row = {"id": "simple_python_0", "question": _question(("user", "Area for base 10, height 5?")), "function": [AREA]}
    _write(tmp_path, "simple_python", [row], [AREA_GT])

    [ex] = load_bfcl(["simple"], data_dir=tmp_path)

    assert ex == Example(
        user="Area for base 10, height 5?",
        functions=[
            Function(
                "geometry.area",
                "Area of a shape.",
                (
                    Param("base", {"type": "integer", "description": "The base."}),
                    Param("height", {"type": "number", "description": "The height."}),
                    Param("corner", {"type": "array", "description": "A corner.", "items": {"type": "number"}}, False),
                    Param(
                        "style",
                        {
                            "type": "object",
                            "description": "Drawing style.",
                            "properties": {"color": {"type": "string"}, "extra": {}},
                        },
                        False,
                    ),
                    Param("label", {"type": "any", "description": "Anything.", "default": None}, False),
                    Param("unit", {"type": "string", "description": "The unit."}, False),
                ),
            )
        ],
        # first allowed values; "unit" is omitted because its first allowed value is ""
        calls=[Call("geometry.area", {"base": 10, "height": 5.0, "label": "x"})],
        meta={
            "id": "simple_python_0",
            "source": "bfcl",
            "kind": "call",
            "bfcl": {"category": "simple_python", "ground_truth": AREA_GT, "functions": [AREA]},
        },
    )
    assert AREA["parameters"]["type"] == "dict"  # the raw docs are not converted in place


def test_parallel_row_gives_one_call_per_ground_truth_entry(tmp_path):
    row = {"id": "parallel_0", "question": _question(("user", "Two areas.")), "function": [AREA]}
    gt = [{"geometry.area": {"base": [1], "height": [2.0]}}, {"geometry.area": {"base": [3], "height": [4.0]}}]
    _write(tmp_path, "parallel", [row], [gt])

    [ex] = load_bfcl(["parallel"], data_dir=tmp_path)

    assert ex.calls == [
        Call("geometry.area", {"base": 1, "height": 2.0}),
        Call("geometry.area", {"base": 3, "height": 4.0}),
    ]
    assert ex.meta["bfcl"]["ground_truth"] == gt


def test_nested_ground_truth_and_system_message(tmp_path):
    order = {
        "name": "ChaDri.change_drink",
        "description": "Change a drink order.",
        "parameters": {
            "type": "dict",
            "required": ["drink_id"],
            "properties": {
                "drink_id": {"type": "string", "description": "The drink."},
                "prefs": {
                    "type": "dict",
                    "description": "Preferences.",
                    "properties": {"size": {"type": "string"}, "milk": {"type": "string"}, "pos": {"type": "dict"}},
                },
                "items": {"type": "array", "description": "Add-ons.", "items": {"type": "dict", "properties": {}}},
            },
        },
    }
    row = {
        "id": "live_multiple_0-0-0",
        "function": [order],
        "question": _question(("system", "You are a barista."), ("user", "Large latte with coconut milk.")),
    }
    gt = [
        {
            "ChaDri.change_drink": {
                "drink_id": ["latte"],
                "prefs": [{"size": ["large"], "milk": ["", "coconut"], "pos": [{"x": 1.5}]}],
                "items": [[{"name": ["syrup"], "count": [2, ""]}, {"name": ["foam"]}]],
            }
        }
    ]
    _write(tmp_path, "live_multiple", [row], [gt])

    [ex] = load_bfcl(["live_multiple"], data_dir=tmp_path)

    assert ex.system == "You are a barista."
    assert ex.user == "Large latte with coconut milk."
    assert ex.calls == [
        Call(
            "ChaDri.change_drink",
            {
                "drink_id": "latte",
                "prefs": {"size": "large", "pos": {"x": 1.5}},  # a nested value given as-is, not as a list
                "items": [{"name": "syrup", "count": 2}, {"name": "foam"}],
            },
        )
    ]
    assert ex.meta["bfcl"]["ground_truth"] == gt


def test_irrelevance_row_expects_no_call(tmp_path):
    row = {"id": "irrelevance_0", "question": _question(("user", "Tell me a joke.")), "function": [AREA]}
    _write(tmp_path, "irrelevance", [row])  # BFCL ships no possible_answer file for it

    [ex] = load_bfcl(["irrelevance"], data_dir=tmp_path)

    assert (ex.calls, ex.text, ex.kind) == ([], "", "no_call")
    assert ex.meta["bfcl"] == {"category": "irrelevance", "ground_truth": [], "functions": [AREA]}


def test_conversation_row_keeps_the_last_user_message(tmp_path):
    row = {
        "id": "live_irrelevance_0-0-0",
        "function": [AREA],
        "question": _question(("user", "hi"), ("assistant", "Hello!"), ("user", "What is 2+2?")),
    }
    _write(tmp_path, "live_irrelevance", [row])

    assert load_bfcl(["live_irrelevance"], data_dir=tmp_path)[0].user == "What is 2+2?"


def test_aliases_load_once_and_limit_is_per_category(tmp_path):
    rows = [
        {"id": f"simple_python_{i}", "question": _question(("user", f"q{i}")), "function": [AREA]} for i in range(3)
    ]
    _write(tmp_path, "simple_python", rows, [AREA_GT] * 3)
    _write(tmp_path, "irrelevance", [{**r, "id": f"irrelevance_{i}"} for i, r in enumerate(rows)])

    assert len(load_bfcl(["simple", "simple_python"], data_dir=tmp_path)) == 3
    got = load_bfcl(["simple", "irrelevance"], data_dir=tmp_path, limit=2)
    assert [ex.meta["id"] for ex in got] == ["simple_python_0", "simple_python_1", "irrelevance_0", "irrelevance_1"]


def test_unknown_category_names_it_and_the_valid_ones(tmp_path):
    with pytest.raises(FctuneError, match="'simpel'") as e:
        load_bfcl(["simpel"], data_dir=tmp_path)
    assert all(name in str(e.value) for name in CATEGORIES)


def test_missing_directory_tells_how_to_get_the_data(tmp_path, monkeypatch):
    with pytest.raises(FctuneError, match="pip install --no-deps bfcl-eval"):
        find_data_dir(tmp_path / "nowhere")
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(FctuneError, match="pip install --no-deps bfcl-eval"):
        load_bfcl(["simple"])


def test_malformed_line_names_file_and_line(tmp_path):
    path = tmp_path / "BFCL_v4_irrelevance.json"
    path.write_text(
        json.dumps({"id": "irrelevance_0", "question": _question(("user", "q")), "function": []})
        + '\n{"id": "irrelevance_1", "question": \n'
    )
    with pytest.raises(FctuneError, match=f"{path}, line 2: invalid JSON"):
        load_bfcl(["irrelevance"], data_dir=tmp_path)


def test_row_without_ground_truth_is_an_error(tmp_path):
    row = {"id": "simple_python_0", "question": _question(("user", "q")), "function": [AREA]}
    _write(tmp_path, "simple_python", [row], [])
    with pytest.raises(FctuneError, match="line 1: .*no ground truth for id 'simple_python_0'"):
        load_bfcl(["simple"], data_dir=tmp_path)


SEVEN = ["simple", "multiple", "parallel", "parallel_multiple", "irrelevance", "live_simple", "live_multiple"]


@pytest.mark.skipif(importlib.util.find_spec("bfcl_eval") is None, reason="bfcl-eval is not installed")
def test_installed_data_loads_and_renders():
    data_dir = find_data_dir()
    examples = load_bfcl(SEVEN)

    for category in SEVEN:
        path = data_dir / f"BFCL_v4_{CATEGORIES[category]}.json"
        lines = sum(1 for line in path.open() if line.strip())  # the last line has no newline
        assert sum(ex.meta["bfcl"]["category"] == CATEGORIES[category] for ex in examples) == lines, category
    for ex in examples:
        assert ex.user.strip()
        assert all(ex.function(call.name) for call in ex.calls), ex.meta["id"]
        assert ex.kind == ("no_call" if "irrelevance" in ex.meta["id"] else "call")
        render(ex, "llama2")


def test_required_parameter_takes_its_first_value_that_is_not_empty(tmp_path):
    # BFCL sometimes lists "" first even for a required parameter; the call must still carry it.
    row = {"id": "simple_python_1", "question": _question(("user", "Base 2, height 3.")), "function": [AREA]}
    gt = [{"geometry.area": {"base": ["", 2], "height": [3.0], "unit": ["", "cm"]}}]
    _write(tmp_path, "simple_python", [row], [gt])

    [ex] = load_bfcl(["simple"], data_dir=tmp_path)

    assert ex.calls == [Call("geometry.area", {"base": 2, "height": 3.0})]


def test_rows_contradicting_their_own_docs_are_reported_by_the_loader(tmp_path):
    from data.sources import load_source

    rows = [
        {"id": f"simple_python_{i}", "question": _question(("user", "Area?")), "function": [AREA]} for i in range(3)
    ]
    gts = [AREA_GT, [{"geometry.area": {"base": [1], "height": [2.0], "depth": [3]}}], AREA_GT]
    _write(tmp_path, "simple_python", rows, gts)

    loaded = load_source("bfcl:simple", bfcl_dir=str(tmp_path))

    assert len(loaded.splits["test"]) == 2
    (problem,) = loaded.problems
    assert (problem.where, problem.row, problem.column) == (
        str(tmp_path / "BFCL_v4_simple_python.json"),
        2,
        "ground_truth",
    )
    assert "undeclared argument 'depth'" in problem.reason
