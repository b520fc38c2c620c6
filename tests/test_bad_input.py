"""Every case of the bad-input corpus (tests/bad_input.py) keeps the same promise: a non-zero
exit, one `error:` line naming the file, row, column or key, no traceback, nothing left
behind and nothing of the user's changed."""

from __future__ import annotations

import hashlib
import importlib
import re
from contextlib import ExitStack
from pathlib import Path

import pytest
from bad_input import CASES, Case

ENTRY = {"data": "data.__main__", "train": "train.__main__", "eval": "eval.__main__", "merge": "train.merge"}


def write(tmp: Path, files: dict) -> None:
    for name, content in files.items():
        path = tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, tuple) and content[0] == "parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            pq.write_table(pa.Table.from_pylist(content[1]), path)
        elif isinstance(content, list):
            import json

            path.write_text("".join(json.dumps(r) + "\n" for r in content))
        elif isinstance(content, bytes):
            path.write_bytes(content.replace(b"{tmp}", str(tmp).encode()))
        else:
            path.write_text(content.replace("{tmp}", str(tmp)))


def snapshot(tmp: Path) -> dict[str, str]:
    """Every file and directory under tmp, with the hash of each file's bytes."""
    return {
        str(p.relative_to(tmp)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
        for p in sorted(tmp.rglob("*"))
    }


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_bad_input(case: Case, tmp_path, capsys, monkeypatch):
    from data.common import exclusive

    write(tmp_path, case.files)
    for target, value in case.patch.items():
        module, name = target.rsplit(".", 1)
        monkeypatch.setattr(importlib.import_module(module), name, value)
    argv = [a.replace("{tmp}", str(tmp_path)) for a in case.argv]
    with ExitStack() as stack:
        if case.locked:  # another process holds the directory: its lock is taken here first
            stack.enter_context(exclusive(tmp_path / case.locked, "a test"))
        before = snapshot(tmp_path)
        code = importlib.import_module(ENTRY[case.command]).main(argv)  # an exception here is a traceback
        after = snapshot(tmp_path)
    out, err = capsys.readouterr()
    assert code == case.exit, err
    assert "Traceback" not in out + err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, err
    expect = case.expect.replace(r"\{tmp\}", re.escape(str(tmp_path)))
    assert re.search(expect, errors[0]), errors[0]
    assert after == before  # nothing written, nothing of the user's touched


def test_the_corpus_covers_each_command_and_names_are_unique():
    assert {c.command for c in CASES} == set(ENTRY)
    assert len({c.name for c in CASES}) == len(CASES)
