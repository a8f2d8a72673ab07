"""Redaction inside the PDF report: its text streams are compressed, so the byte search of test_redaction.py
cannot see them. The report is printed (headless Chromium) for each audience from a project with withheld
records that public text names, read back with pypdf, and searched after the redactor's own normalisation:
no withheld id, title or file name in the public or auditor PDF, and every one of them in the internal PDF
(so the search can fail).
"""

from __future__ import annotations

import os
import shutil
import unicodedata
from datetime import date
from pathlib import Path

import pytest

from e2e_support import CHROMIUM, require
from isoready.validate.redact import _fold, _skeleton

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
AS_OF = date(2026, 11, 24)
SECRET = "canary-kx-7q41"  # an internal evidence record
SECRET_TITLE = "Quarantined zinc supplier audit"
SECRET_FILE = "canary-kx-7q41-annex.md"
SECRET_FINDING = "NC-CANARY-9z3"  # an internal finding
SECRET_FINDING_TEXT = "Unlabelled tungsten offcuts"
#: what must never be found in a lower audience's PDF, as the redactor folds text (letters and digits only)
NEEDLES = {"id": "canarykx7q41", "title": "quarantinedzincsupplieraudit", "file": "canarykx7q41annexmd",
           "finding": "nccanary9z3", "finding text": "unlabelledtungstenoffcuts"}
PROSE = (f"Cross-reference: {SECRET}, evidence/{SECRET}/annex, {SECRET}.pdf, {SECRET.upper()}, "
         f"canary&#45;kx&#x2D;7q41, canary kx 7q41, {SECRET_FILE}, finding {SECRET_FINDING}.")
# (a title retold in prose is not redacted, SECURITY.md says so: the title needle checks the record itself is out)


def _block(text: str, indent: int) -> str:
    return "|\n" + "".join(" " * indent + line + "\n" for line in text.splitlines())


@pytest.fixture(scope="module")
def pdf_text(tmp_path_factory) -> dict[str, str]:
    require(os.access(CHROMIUM, os.X_OK), f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from pypdf import PdfReader

    from isoready.package.build import Options
    from isoready.package.pdf import make_report

    root = tmp_path_factory.mktemp("redaction-pdf")
    for name in ("content", "evidence", "theme", "pelicanconf.py"):
        src = REPO / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, root / name)
    ev = root / "evidence" / "support"
    (ev / SECRET_FILE).write_text("# Annex\n\nInternal.\n", encoding="utf-8")
    (ev / "secret.yaml").write_text(
        f"id: {SECRET}\ntitle: {SECRET_TITLE}\nkind: record\nclauses: [\"7.2\", \"8.4.1\"]\nfile: {SECRET_FILE}\n"
        "audience: internal\ndate: 2026-03-03\n", encoding="utf-8")
    (ev / "public-notes.yaml").write_text(
        "title: Cross-reference notes\nkind: document\nclauses: [\"7.5.1\"]\naudience: public\n"
        f"description: {_block(PROSE, 2)}", encoding="utf-8")
    (root / "content" / "findings" / "canary.yaml").write_text(
        f"- id: {SECRET_FINDING}\n  clauses: [\"8.4.1\"]\n  grade: major\n  status: open\n  raised: 2026-10-10\n"
        f"  audience: internal\n  description: {SECRET_FINDING_TEXT} in stores\n"
        f"- id: NC-PUBLIC-1\n  clauses: [\"7.1.6\"]\n  grade: minor\n  status: open\n  raised: 2026-10-10\n"
        f"  audience: public\n  description: {_block(PROSE, 4)}", encoding="utf-8")
    org = root / "content" / "organisation.yaml"  # the public finding's prose is printed in a public report
    org.write_text(org.read_text(encoding="utf-8") + "public:\n  show_findings: true\n", encoding="utf-8")
    clauses = root / "content" / "clauses" / "8-operation.yaml"
    text = clauses.read_text(encoding="utf-8")
    assert "- clause: \"8.1\"\n" in text
    clauses.write_text(text.replace("- clause: \"8.1\"\n", f"- clause: \"8.1\"\n  notes: {_block(PROSE, 4)}", 1),
                       encoding="utf-8")
    texts = {}
    for audience in ("public", "auditor", "internal"):
        base = tmp_path_factory.mktemp(f"pdf-{audience}")
        opts = Options(root=root, as_of=AS_OF, audience=audience, output=base / "site", commit="abc123")
        result, target = make_report(opts, base / "report.pdf")
        assert result.ok and target is not None, [str(d) for d in result.diagnostics if d.severity == "error"]
        pages = PdfReader(target).pages
        # NFKC: Chromium prints "fi" as a ligature glyph; then the redactor's own folding and skeleton
        raw = " ".join(unicodedata.normalize("NFKC", page.extract_text() or "") for page in pages)
        texts[audience] = raw
    return texts


def _found(text: str) -> set[str]:
    skeleton = _skeleton(_fold(text)[0])[0]
    return {what for what, needle in NEEDLES.items() if needle in skeleton}


@pytest.mark.parametrize("audience", ["public", "auditor"])
def test_no_withheld_id_title_or_file_name_is_printed_in_the_pdf(pdf_text, audience):
    assert _found(pdf_text[audience]) == set(), pdf_text[audience][:2000]


def test_the_internal_pdf_prints_them_so_the_search_can_fail(pdf_text):
    text = pdf_text["internal"]
    assert _found(text) == set(NEEDLES), (_found(text), text[:2000])
    assert SECRET in text and SECRET_FINDING in text  # as written, not only after folding


def test_the_lower_audiences_still_print_the_public_prose(pdf_text):
    """The redaction replaced the names inside the prose; it did not drop the prose (nor the report)."""
    for audience in ("public", "auditor"):
        assert "Cross-reference:" in pdf_text[audience], audience
