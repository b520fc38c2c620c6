"""Rows of an Arrow table (Parquet files, Hub datasets) as Python values that say what Arrow did.

Arrow stores nested objects as struct columns whose fields are the union of every row's
keys in first-seen order: a row's object comes back with the other rows' keys added as
nulls and its own keys reordered. Such an object is a `Struct` here, a dict that remembers
it, so a reader can refuse it where the keys are data (call arguments, parameter schemas:
a genuine null cannot be told from an added one) and read it by name where the keys are a
fixed vocabulary (role, content, tool_calls), null meaning absent. Cells of `datasets`'
Json type are JSON text in Arrow and come back decoded, exactly as written.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pyarrow as pa

from data.schema import SchemaError, loads_json


class Struct(dict):
    """A nested object read from an Arrow struct: the union of all rows' keys, nulls added."""


def holds_struct(value) -> bool:
    """Whether `value` is or contains a Struct, i.e. has keys Arrow may have added or reordered."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Struct):
            return True
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _value(value, arrow_type: pa.DataType):
    if value is None:
        return None
    if isinstance(arrow_type, pa.JsonType):
        try:
            return loads_json(value)
        except SchemaError:
            return value  # as JSON text, which the row's readers report with its row and column
    if pa.types.is_struct(arrow_type):
        return Struct((f.name, _value(value[f.name], f.type)) for f in arrow_type)
    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type) or pa.types.is_fixed_size_list(arrow_type):
        return [_value(v, arrow_type.value_type) for v in value]
    return value


class ArrowRows(Sequence):
    """The rows of a table, converted a batch at a time as they are read."""

    BATCH = 1024

    def __init__(self, table: pa.Table):
        self.table = table

    def __len__(self) -> int:
        return self.table.num_rows

    def __getitem__(self, i: int) -> dict:
        if not -len(self) <= i < len(self):
            raise IndexError(i)
        return self._rows(self.table.slice(i % len(self), 1))[0]

    def __iter__(self) -> Iterator[dict]:
        for batch in self.table.to_batches(max_chunksize=self.BATCH):
            yield from self._rows(batch)

    def _rows(self, part) -> list[dict]:
        types = [(f.name, f.type) for f in self.table.schema]
        return [{name: _value(row[name], t) for name, t in types} for row in part.to_pylist()]
