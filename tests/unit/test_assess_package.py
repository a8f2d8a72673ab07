"""assess is a package (issue 23): small modules, short functions, one import direction inside it, and every
public name still importable from ``isoready.assess``."""

from __future__ import annotations

import ast
from pathlib import Path

import isoready.assess as assess

PACKAGE = Path(__file__).resolve().parents[2] / "isoready" / "assess"
#: the modules in the order they may import each other (a module imports only ones before it)
ORDER = ("results", "clauses", "findings", "registers", "audits", "editions", "gates", "sites", "judge", "sampling")


def _tree(name: str) -> ast.Module:
    return ast.parse((PACKAGE / f"{name}.py").read_text(encoding="utf-8"))


def test_the_package_holds_exactly_the_modules_of_the_map():
    assert sorted(p.stem for p in PACKAGE.glob("*.py")) == sorted(("__init__", *ORDER))


def test_no_module_over_800_lines_and_no_function_over_150():
    long = []
    paths = sorted(PACKAGE.glob("*.py"))
    assert len(paths) == len(ORDER) + 1
    for path in paths:
        text = path.read_text(encoding="utf-8")
        if len(text.splitlines()) > 800:
            long.append(f"{path.name}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno - node.lineno >= 150:
                long.append(f"{path.name}:{node.lineno} {node.name}: {node.end_lineno - node.lineno + 1} lines")
    assert not long


def test_imports_inside_the_package_run_one_way_and_name_nothing_private():
    for i, name in enumerate(ORDER):
        for node in ast.walk(_tree(name)):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                assert node.module in ORDER[:i], f"{name} imports {node.module}, which comes after it"
            if isinstance(node, ast.ImportFrom) and node.level:
                private = [a.name for a in node.names if a.name.startswith("_")]
                assert not private, f"{name} imports private names {private} of {node.module}"


def test_every_public_name_of_every_module_is_importable_from_the_package():
    for name in ORDER:
        tree = _tree(name)
        defined = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
        defined |= {t.id for n in tree.body if isinstance(n, ast.Assign) for x in n.targets for t in ast.walk(x)
                    if isinstance(t, ast.Name)}
        missing = sorted(n for n in defined if not n.startswith("_") and not hasattr(assess, n))
        assert not missing, f"{name}: {missing}"
    # the names callers used before the split
    for n in ("assess", "assess_today", "Readiness", "Reason", "ClauseResult", "MandatoryCheck", "LateTarget",
              "READY", "AT_RISK", "NOT_READY", "NOT_APPLICABLE", "STATE_ORDER", "MISSING", "OUT_OF_WINDOW",
              "REVIEW_OVERDUE", "REVIEW_INPUTS_CLAUSE", "window_of", "months_before", "resolve_statuses",
              "in_place_since", "auditor_names", "transition", "GATE_KINDS"):
        assert hasattr(assess, n), n
    assert callable(assess.transition)  # the function, not a module of the same name
