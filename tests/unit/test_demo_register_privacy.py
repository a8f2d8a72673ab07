"""The demo's training matrix (a competence register, evidence/support/training-matrix.csv) names people. Issue 24:
a public build of the demo holds none of those names, anywhere (pages, scripts, readiness.json, the CSV exports,
the text inside checklist.xlsx); an auditor build holds the roles but no name, and not the raw file either; an
internal build shows the names (so each search can fail). The auditor's PDF report is read back with pypdf."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import unicodedata
import zipfile
from datetime import date
from html import unescape
from pathlib import Path

import pytest

from isoready.cli import main
from isoready.package.build import Options, build
from isoready.views.labels import REGISTER_KIND_LABELS

REPO = Path(__file__).resolve().parents[2]
MATRIX = REPO / "evidence" / "support" / "training-matrix.csv"
AS_OF = date(2026, 11, 24)  # the demo's date in the browser tests (tests/e2e/e2e_support.py)
PAGE = Path("registers") / "support" / "training-matrix.html"


def _matrix() -> list[dict[str, str]]:
    with open(MATRIX, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


NAMES = sorted({row["Employee"] for row in _matrix()})
ROLES = sorted({row["Role"] for row in _matrix()})


def every_text(site: Path) -> dict[str, str]:
    """Every file of a build as text (HTML, JS, JSON, CSV...), and each member of a zip (the workbook) read alone."""
    out = {}
    for path in sorted(site.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if data[:2] == b"PK":
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                for name in z.namelist():
                    out[f"{path.relative_to(site)}!{name}"] = z.read(name).decode("utf-8", "replace")
        else:
            out[str(path.relative_to(site))] = data.decode("utf-8", "replace")
    return out


def leaks(files: dict[str, str]) -> list[tuple[str, str]]:
    """(file, name) for every name of the matrix found, as written or HTML-escaped, in a file."""
    return [(k, name) for k, text in files.items() for name in NAMES if name in text or name in unescape(text)]


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = {}
    for audience in ("public", "auditor", "internal"):
        site = tmp_path_factory.mktemp(f"demo-{audience}") / "site"
        result = build(Options(root=REPO, as_of=AS_OF, audience=audience, output=site, commit="test",
                               use_cache=False))
        assert result.ok, [str(d) for d in result.diagnostics if d.severity == "error"]
        out[audience] = site
    return out


def test_the_demos_training_matrix_names_people_and_their_roles() -> None:
    assert len(NAMES) >= 5 and len(ROLES) >= 3  # the searches below look for something real


def test_a_public_build_of_the_demo_holds_no_name_from_the_training_matrix(sites) -> None:
    files = every_text(sites["public"])
    # the search covers every kind of output the build writes
    assert {"index.html", "search-index.js", "readiness.json"} <= set(files)
    assert any(k.startswith("checklist.xlsx!xl/") for k in files) and any(k.endswith(".csv") for k in files)
    assert leaks(files) == []
    assert not any(k.endswith("training-matrix.csv") for k in files)


def test_an_auditor_build_of_the_demo_shows_the_roles_but_no_name(sites) -> None:
    site = sites["auditor"]
    files = every_text(site)
    assert leaks(files) == []
    # the raw file holds the names as written: it is not offered for download
    assert [k for k in files if k.endswith("training-matrix.csv")] == []
    assert [k for k, text in files.items() if re.search(r'href="[^"]*training-matrix\.csv"', text)] == []
    page = " ".join(unescape(re.sub(r"<[^>]+>", " ", (site / PAGE).read_text(encoding="utf-8"))).split())
    assert [role for role in ROLES if role not in page] == []
    assert "Row Role Competence Status Expires Flags" in page  # the table has no person column


def test_an_internal_build_of_the_demo_shows_the_names_so_the_searches_can_fail(sites) -> None:
    files = every_text(sites["internal"])
    page = files[str(PAGE)]
    assert [name for name in NAMES if name not in page] == []
    assert any(k.endswith("training-matrix.csv") for k in files)
    assert "evidence/support/training-matrix.html" in [
        k for k, text in files.items() if re.search(r'href="[^"]*training-matrix\.csv"', text)]


@pytest.mark.browser
def test_the_auditors_pdf_report_of_the_demo_names_no_one(tmp_path: Path, capsys) -> None:
    from e2e_support import CHROMIUM, require
    from pypdf import PdfReader

    require(os.access(CHROMIUM, os.X_OK), f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    pdf = tmp_path / "report.pdf"
    code = main(["report", "--root", str(REPO), "--as-of", AS_OF.isoformat(), "--audience", "auditor",
                 "--pdf", str(pdf), "--output", str(tmp_path / "site")])
    assert code == 0, capsys.readouterr()
    # NFKC: Chromium prints "fi" as a ligature glyph; spaces folded, as a line may break inside a name
    text = " ".join(unicodedata.normalize("NFKC", page.extract_text() or "") for page in PdfReader(pdf).pages)
    flat = " ".join(text.split())
    assert "Training matrix" in flat  # the report is the demo's, with the record in it
    assert [name for name in NAMES if name in flat or name.replace(" ", "") in flat.replace(" ", "")] == []


def search_index(site: Path) -> list[dict[str, str]]:
    text = (site / "search-index.js").read_text(encoding="utf-8")
    assert text.startswith("window.PORTAL_SEARCH=") and text.endswith(";\n")
    return json.loads(text[len("window.PORTAL_SEARCH="):-2])


def test_each_register_page_is_found_by_its_title_and_kind_but_its_rows_are_not_indexed(sites) -> None:
    site = sites["auditor"]
    entries = [e for e in search_index(site) if e["type"] == "Register"]
    pages = sorted(str(p.relative_to(site)) for p in (site / "registers").rglob("*.html"))
    assert sorted(e["url"] for e in entries) == pages and len(pages) >= 6
    matrix = next(e for e in entries if e["id"] == "support/training-matrix")
    assert matrix == {"type": "Register", "id": "support/training-matrix", "url": str(PAGE),
                      "title": "Training matrix (who is signed off for what)",
                      "facts": "Competence register · 22 rows, 2 flagged", "text": ""}
    kinds = {e["facts"].split(" · ")[0] for e in entries}
    assert kinds == set(REGISTER_KIND_LABELS.values())  # the demo has one register of each kind
    # no cell of a row is in a register's entry (its title and kind only), and in an internal build, where the
    # register page shows the names, the index still holds none of them
    cells = {row[c] for row in _matrix() for c in ("Employee", "Role", "Competence")}
    assert [cell for cell in sorted(cells) if cell in json.dumps(entries)] == []
    internal = (sites["internal"] / "search-index.js").read_text(encoding="utf-8")
    assert [name for name in NAMES if name in internal] == []
