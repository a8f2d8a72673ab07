"""The demo's calibration workbook is the one tests/fixtures/make_demo_registers.py writes, byte for byte, so a
change to a gauge is made in the script (reviewable as text) and the committed .xlsx cannot drift from it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "tests" / "fixtures" / "make_demo_registers.py"


def _script():
    spec = importlib.util.spec_from_file_location("make_demo_registers", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_workbook_is_the_scripts_output_and_the_script_is_deterministic() -> None:
    script = _script()
    first = script.workbook_bytes()
    assert first == script.workbook_bytes()
    assert (REPO / "evidence" / "support" / "calibration-register.xlsx").read_bytes() == first
    assert script.main(["--check"]) == 0
