"""`builtin`: our own function-calling dataset, written from scratch and generated deterministically.

    from data.builtin import load_builtin
    splits = load_builtin()   # {"train": [...], "validation": [...], "test": [...]} of Example
    splits = load_builtin(ask_twins=True)   # the `builtin:ask-twins` source (generate.py says why)

The catalog (catalog.py) composes hundreds of functions from the specs of seen.py and
unseen.py; functions in HELD_OUT (the unseen domains) appear only in the test split, and
meta["unseen"] marks the test rows about them. Generation takes about a second, so nothing
is cached: each call returns fresh, identical Example objects.
"""

from __future__ import annotations

from data.builtin.catalog import DOMAINS, FUNCTIONS, HELD_OUT
from data.builtin.generate import SIZES, generate
from data.schema import Example

__all__ = ["load_builtin", "DOMAINS", "FUNCTIONS", "HELD_OUT", "SIZES", "VARIANTS"]

# Source names of the dataset's variants, and the generator's settings for each. Their test and
# validation rows are the same; only how training rows are made differs.
VARIANTS = {"builtin": {}, "builtin:ask-twins": {"ask_twins": True}}


def load_builtin(ask_twins: bool = False) -> dict[str, list[Example]]:
    return generate(ask_twins)
