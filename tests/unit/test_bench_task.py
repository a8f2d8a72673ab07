"""`invoke bench` reports issue 24's register figures (10,000 and 100,000 rows, CSV and XLSX) by default: the
task hands tests/bench.py its --registers sizes, and the README and docs/performance.md say so."""

from __future__ import annotations

import importlib.util
import shlex
from pathlib import Path
from types import SimpleNamespace

REPO = Path(__file__).resolve().parents[2]


def _tasks():
    spec = importlib.util.spec_from_file_location("isoready_tasks", REPO / "tasks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Context:
    """What the task asks of invoke's Context: run() one command, which is recorded, not run."""

    def __init__(self) -> None:
        self.commands: list[list[str]] = []

    def run(self, command: str, **_: object) -> SimpleNamespace:
        self.commands.append(shlex.split(command))
        return SimpleNamespace(exited=0)


def _option(args: list[str], name: str) -> str:
    return args[args.index(name) + 1]


def test_invoke_bench_measures_registers_of_10000_and_100000_rows_by_default() -> None:
    c = _Context()
    _tasks().bench.body(c)
    (args,) = c.commands
    assert args[1:3] == ["-m", "tests.bench"]
    assert _option(args, "--registers") == "10000,100000" and _option(args, "--sizes") == "1000,10000"
    c = _Context()
    _tasks().bench.body(c, registers="0")  # 0 skips them (tests/bench.py)
    assert _option(c.commands[0], "--registers") == "0"


def test_the_readme_and_the_performance_page_name_the_register_figures() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    row = next(line for line in readme.splitlines() if line.startswith("| `invoke bench"))
    assert "--registers" in row and "10,000 and 100,000" in row
    perf = (REPO / "docs" / "performance.md").read_text(encoding="utf-8")
    assert "python3 -m invoke bench --registers 0" in perf
    assert "register: 10,000 rows (csv):" in perf and "register: 100,000 rows (xlsx):" in perf


def test_invoke_bench_builds_the_multi_site_group_only_when_asked() -> None:
    c = _Context()
    _tasks().bench.body(c)
    assert "--sites" not in c.commands[0]
    c = _Context()
    _tasks().bench.body(c, sites=500)
    assert _option(c.commands[0], "--sites") == "500"
    perf = (REPO / "docs" / "performance.md").read_text(encoding="utf-8")
    assert "python3 -m invoke bench --sizes \"\" --registers 0 --sites 500" in perf
