"""The house rules a review can check by reading the code: no module reaches into another's private names
(``_load``, ``_CHROME``): what one stage offers another is a public name it documents and keeps."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "isoready"


def _private_reaches(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    modules: set[str] = set()  # names bound to isoready modules in this file ("from . import render as r")
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level >= 1:
            for alias in node.names:
                if node.module is None:
                    modules.add(alias.asname or alias.name)
                elif alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append(f"{path.name}:{node.lineno}: imports {alias.name} from .{node.module}")
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules
                and node.attr.startswith("_") and not node.attr.startswith("__")):
            found.append(f"{path.name}:{node.lineno}: uses {node.value.id}.{node.attr}")
    return found


def test_no_module_uses_a_private_name_of_another() -> None:
    found = [line for path in sorted(PACKAGE.rglob("*.py")) for line in _private_reaches(path)]
    assert not found, "\n".join(found)


def test_the_check_sees_both_ways_of_reaching_in(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from .reader import _load, public\nfrom . import render as r\nr._CHROME.clear()\n")
    assert _private_reaches(sample) == ["sample.py:1: imports _load from .reader", "sample.py:3: uses r._CHROME"]
