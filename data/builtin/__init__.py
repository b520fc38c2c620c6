"""`builtin`: our own function-calling dataset, written from scratch and generated deterministically.

    from data.builtin import load_builtin
    splits = load_builtin()   # {"train": [...], "validation": [...], "test": [...]} of Example

The catalog (catalog.py) composes hundreds of functions from the specs of seen.py and
unseen.py; functions in HELD_OUT (the unseen domains) appear only in the test split, and
meta["unseen"] marks the test rows about them. Generation takes about a second, so nothing
is cached: each call returns fresh, identical Example objects.
"""

from __future__ import annotations

from data.builtin.catalog import DOMAINS, FUNCTIONS, HELD_OUT
from data.builtin.generate import SIZES, generate
from data.schema import Example

__all__ = ["load_builtin", "DOMAINS", "FUNCTIONS", "HELD_OUT", "SIZES"]


def load_builtin() -> dict[str, list[Example]]:
    return generate()
