"""Arrow rows say what Arrow did: merged structs are marked, Json cells come back exactly."""

import datasets
import pyarrow as pa

from data.arrow import ArrowRows, Struct, holds_struct


def test_struct_cells_are_marked_with_the_keys_arrow_added():
    rows = ArrowRows(pa.Table.from_pylist([{"args": {"b": 1, "a": 2}}, {"args": {"a": 3, "c": None}}]))
    assert len(rows) == 2 and list(rows) == [rows[0], rows[1]] and rows[-1] == rows[1]
    first, second = (r["args"] for r in rows)
    assert isinstance(first, Struct) and first == {"b": 1, "a": 2, "c": None}  # "c" was added
    assert list(second) == ["b", "a", "c"]  # and the second row's keys reordered
    assert holds_struct([{"x": first}]) and not holds_struct([{"x": {"a": 1}}, "text", None])


def test_json_typed_cells_are_read_exactly():
    table = datasets.Dataset.from_list(
        [{"args": [{"b": 1, "a": 2}]}, {"args": [{"a": None}]}], on_mixed_types="use_json"
    ).with_format("arrow")[:]
    first, second = (r["args"] for r in ArrowRows(table))
    assert first == [{"b": 1, "a": 2}] and list(first[0]) == ["b", "a"] and second == [{"a": None}]
    assert not holds_struct(first)
