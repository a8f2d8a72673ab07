"""The printed report follows the build's language (issue 26): ``isoready report --language de`` prints German
headings, gates, states and guidance, with the same figures as the English report. Headless Chromium prints it,
pypdf reads it back."""

from __future__ import annotations

import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from e2e_support import CHROMIUM, require

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.browser


def _printed(folder: Path, *language: str) -> str:
    from pypdf import PdfReader

    cmd = [sys.executable, "-m", "isoready", "report", "--as-of", "2026-11-30", *language,
           "--output", str(folder / "site"), "--pdf", str(folder / "report.pdf")]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    pages = [unicodedata.normalize("NFKC", p.extract_text() or "") for p in PdfReader(folder / "report.pdf").pages]
    return " ".join(" ".join(pages).split())


def test_the_german_report_is_german(tmp_path: Path) -> None:
    require(os.access(CHROMIUM, os.X_OK), f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    german = _printed(tmp_path / "de", "--language", "de")
    english = _printed(tmp_path / "en")
    assert "Keine offene Hauptabweichung" in german and "No open major nonconformity" not in german
    assert "Verstehen der Organisation und ihres Kontextes" in german  # 4.1's title in DIN EN ISO 9001:2015
    assert "No open major nonconformity" in english and "Keine offene Hauptabweichung" not in english
