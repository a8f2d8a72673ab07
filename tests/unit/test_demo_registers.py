"""The demo's calibration workbook is the one tests/fixtures/make_demo_registers.py writes, byte for byte, so a
change to a gauge is made in the script (reviewable as text) and the committed .xlsx cannot drift from it."""

from __future__ import annotations

import importlib.util
import io
import zipfile
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
    committed = (REPO / "evidence" / "support" / "calibration-register.xlsx").read_bytes()
    assert script.same_content(committed, first)  # the same XML, whichever of openpyxl's writers wrote it
    assert not script.same_content(committed, _rewritten(first, b"MIC-03", b"MIC-09"))  # a gauge changed


def _rewritten(data: bytes, old: bytes, new: bytes) -> bytes:
    """The workbook with ``old`` replaced by ``new`` in every member holding it (one of them must)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        bodies = {n: src.read(n) for n in src.namelist()}
        assert any(old in body for body in bodies.values())
        for name, body in bodies.items():
            dst.writestr(name, body.replace(old, new))
    return out.getvalue()
    assert script.main(["--check"]) == 0
