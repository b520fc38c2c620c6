"""The project's shape: packages depend one way, and the code passes its linter."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# What each package may import from the project: data is the bottom, train sits on top.
MAY_IMPORT = {"data": {"data"}, "eval": {"data", "eval"}, "train": {"data", "eval", "train"}}


def project_imports(path: Path) -> set[str]:
    """The top-level project packages a module imports, at module level or inside functions."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found |= {name.split(".")[0] for name in names} & {"data", "eval", "train", "bench"}
    return found


@pytest.mark.parametrize("package", sorted(MAY_IMPORT))
def test_packages_depend_one_way(package):
    wrong = {
        str(p.relative_to(ROOT)): sorted(project_imports(p) - MAY_IMPORT[package])
        for p in sorted((ROOT / package).rglob("*.py"))
    }
    assert not {k: v for k, v in wrong.items() if v}


def test_the_layering_check_sees_imports_inside_functions(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from train.config import parse_config\n    import eval.run\n")
    assert project_imports(module) == {"train", "eval"}


def test_ruff_lint_and_format():
    ruff = Path(sys.executable).parent / "ruff"
    for args in (["check", "."], ["format", "--check", "."]):
        result = subprocess.run([str(ruff), *args], cwd=ROOT, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
