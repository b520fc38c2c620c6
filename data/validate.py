"""Row checks: what makes an example unfit to train or score on.

Each check returns (field, reason) pairs; the loader turns them into Problems that
name the file, the row and the source column.
"""

from __future__ import annotations

from dataclasses import dataclass

from data.schema import Example, json_problem


@dataclass(frozen=True)
class Problem:
    where: str  # a file path, or a hub id and split
    row: int  # 1-based row number within `where`
    column: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: row {self.row}, column {self.column}: {self.reason}"


def invalid_rows(problems: list[Problem]) -> int:
    """How many rows the problems fall on (a row can have several)."""
    return len({(p.where, p.row) for p in problems})


def check_example(ex: Example) -> list[tuple[str, str]]:
    """Problems with a normalised example, as (field, reason); field is user, system, functions or response."""
    problems = []
    if not ex.user.strip():
        problems.append(("user", "empty prompt"))
    # Values JSON cannot carry (NaN, lone surrogates, absurd nesting) from any source, Arrow's included.
    record = ex.to_record()
    for field_name, value in (
        ("user", ex.user),
        ("system", ex.system),
        ("functions", record["tools"]),
        ("response", [record["calls"], ex.text]),
    ):
        problem = json_problem(value)
        if problem:
            problems.append((field_name, problem))
    names = [f.name for f in ex.functions]
    for name in sorted({n for n in names if names.count(n) > 1}):
        problems.append(("functions", f"duplicate function name {name!r}"))
    for call in ex.calls:
        fn = ex.function(call.name)
        if fn is None:
            offered = ", ".join(names) or "none"
            problems.append(("response", f"call to undeclared function {call.name!r} (offered: {offered})"))
            continue
        for arg in fn.required:
            if arg not in call.arguments:
                problems.append(("response", f"call to {call.name!r} misses required argument {arg!r}"))
        for arg in call.arguments:
            if fn.param(arg) is None:
                problems.append(("response", f"call to {call.name!r} passes undeclared argument {arg!r}"))
    return problems
