"""The printed report of a multi-site organisation (issue 25) carries the certification body's view, with the
same figures as readiness.json's ``sampling``; and LibreOffice opens the workbook's Sites sheet. ``isoready report``
prints the multi-site example (examples/multi-site) with headless Chromium; pypdf reads it back.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from e2e_support import CHROMIUM, require

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "multi-site"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict, Path]:
    require(os.access(CHROMIUM, os.X_OK), f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from pypdf import PdfReader

    folder = tmp_path_factory.mktemp("cb-pdf")
    cmd = [sys.executable, "-m", "isoready", "report", "--root", str(EXAMPLE), "--as-of", "2026-12-06",
           "--output", str(folder / "site"), "--pdf", str(folder / "report.pdf")]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    pages = [unicodedata.normalize("NFKC", p.extract_text() or "") for p in PdfReader(folder / "report.pdf").pages]
    readiness = json.loads((folder / "site" / "readiness.json").read_text(encoding="utf-8"))
    return " ".join(" ".join(pages).split()), readiness, folder / "site"


def test_the_pdf_carries_the_cb_view_with_the_figures_of_readiness_json(printed) -> None:  # noqa: ANN001
    text, readiness, _site = printed
    sampling = readiness["sampling"]
    assert "The certification body's view (indicative)" in text
    assert "IAF MD 1 §6.1, sampling" in text and "(x = 5)" in text
    assert (sampling["initial"], sampling["surveillance"], sampling["recertification"]) == (3, 2, 2)
    assert "Initial certification (stage 1 + stage 2) 3 4" in text  # 3 sites besides the central function, 4 in all
    assert "Each surveillance audit 2 3" in text and "Recertification 2 3" in text
    assert "Denholm plant (denholm): 7 open findings at the site" in text
    assert "1 more site drawn at random by the certification body from: carlow, leeds, tampere" in text
    days = sampling["audit_days"]
    assert (days["stage1_plus_stage2"], days["surveillance"], days["recertification"]) == (9.0, 3.0, 6.0)
    assert "Initial certification (stage 1 + stage 2) 9 Each surveillance year 3 Recertification 6" in text
    assert "From 198 effective personnel" in text
    assert "question-46-5-iaf-md1-sampling-size" in text.replace(" ", "")


def test_libreoffice_opens_the_sites_sheet(printed, tmp_path: Path) -> None:  # noqa: ANN001
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    require(soffice is not None, "LibreOffice not found (apt-get install libreoffice-calc-nogui)")
    from pypdf import PdfReader

    _text, readiness, site = printed
    proc = subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                           "--convert-to", "pdf", "--outdir", str(tmp_path), str(site / "checklist.xlsx")],
                          capture_output=True, text=True, timeout=240, env={**os.environ, "HOME": str(tmp_path)})
    pdf = tmp_path / "checklist.pdf"
    assert proc.returncode == 0 and pdf.is_file(), f"soffice failed: {proc.stdout}\n{proc.stderr}"
    text = " ".join(" ".join(p.extract_text() or "" for p in PdfReader(pdf).pages).split())
    assert "Sites: Kestrel Precision Group" in text
    assert "Leeds plant (opened October 2026)" in text and "Last internal audit" in text


def test_the_public_pdf_names_the_new_site(tmp_path: Path) -> None:
    """A public build weighs no finding, so Leeds (added 2026-10-05) is the first pick, named as the new site
    in the printed report as on the stages page and in readiness.json."""
    require(os.access(CHROMIUM, os.X_OK), f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from pypdf import PdfReader

    cmd = [sys.executable, "-m", "isoready", "report", "--root", str(EXAMPLE), "--as-of", "2026-12-06",
           "--audience", "public", "--output", str(tmp_path / "site"), "--pdf", str(tmp_path / "report.pdf")]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    pages = [unicodedata.normalize("NFKC", p.extract_text() or "") for p in PdfReader(tmp_path / "report.pdf").pages]
    text = " ".join(" ".join(pages).split())
    readiness = json.loads((tmp_path / "site" / "readiness.json").read_text(encoding="utf-8"))
    assert readiness["sampling"]["sites_likely"][0]["picks"][1] == {"site": "leeds", "code": "new-site"}
    assert ("Leeds plant (opened October 2026) (leeds): a new site: added within the last 12 months, or since the "
            "last certification audit") in text
