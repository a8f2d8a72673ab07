"""An integrated system's site (issue 23): one complete portal per standard, a switcher on every page.

examples/ims (Fenwick Valley Coatings Ltd, ISO 9001:2015 + ISO 14001:2015) is copied and built once for the
module: the primary standard's portal at the site root, ISO 14001's in iso-14001-2015/.
"""

from __future__ import annotations

import functools
import json
import posixpath
import shutil
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import jsonschema
import pytest

from isoready import standards
from isoready.core.diagnostics import errors
from isoready.package.archive import verify
from isoready.read.catalog import load_catalog
from isoready.package.build import Options, build
from isoready.outputs.contract import shipped_schema

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "ims"
AS_OF = date(2026, 12, 6)
Q, E = "ISO 9001:2015", "ISO 14001:2015"
FOLDER = "iso-14001-2015"


class _Page(HTMLParser):
    """The links (a href, link href, script src, img src, form action) and ids of one page, and its switcher."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self.ids: set[str] = set()
        self.switcher: list[tuple[str, str, bool]] = []  # (name, href, current)
        self._in_switcher = False
        self._link: tuple[str, bool] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        values = {k: v or "" for k, v in attrs}
        if values.get("id"):
            self.ids.add(values["id"])
        for attr in {"a": "href", "link": "href", "script": "src", "img": "src", "form": "action"}.get(tag, "").split():
            if attr in values:
                self.urls.append(values[attr])
        if tag == "nav" and values.get("aria-label") == "Standards":
            self._in_switcher = True
        if self._in_switcher and tag == "a":
            self._link = (values["href"], values.get("aria-current") == "true")

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav":
            self._in_switcher = False
        if tag == "a":
            self._link = None

    def handle_data(self, data: str) -> None:
        if self._link is not None and data.strip():
            self.switcher.append((data.strip(), *self._link))


@functools.lru_cache(maxsize=None)
def parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def build_ims(root: Path, out: Path) -> Path:
    result = build(Options(root=root, as_of=AS_OF, output=out, commit="ims", use_cache=False))
    assert result.ok, [str(d) for d in errors(result.diagnostics)]
    return out


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("ims")
    root = base / "ims"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".cache", "output"))
    return build_ims(root, base / "site")


def readiness(site: Path, folder: str = "") -> dict:
    return json.loads((site / folder / "readiness.json").read_text(encoding="utf-8"))


def checks(data: dict) -> set[str]:
    return {item["check"] for gate in data["gates"].values() for item in gate["items"]}


# --------------------------------------------------------------------------- one portal per standard


def test_each_standard_has_its_own_complete_portal(site: Path) -> None:
    for name in ("index.html", "clauses.html", "gaps.html", "findings.html", "coverage.html", "stages.html",
                 "report.html", "readiness.json", "checklist.csv", "checklist.xlsx", "search-index.js",
                 "theme/css/portal.css", "theme/css/switcher.css", "schema/readiness.schema.json"):
        assert (site / name).is_file(), name
        assert (site / FOLDER / name).is_file(), f"{FOLDER}/{name}"
    assert readiness(site)["standard"] == Q
    assert readiness(site, FOLDER)["standard"] == E


def test_each_dashboard_judges_its_own_standards_gates(site: Path) -> None:
    for folder, name in (("", Q), (FOLDER, E)):
        # every-site-audited judges a multi-site organisation only: a project of one site does not show it
        own = {g.id for g in standards.get(name).gates} - {"every-site-audited"}
        assert checks(readiness(site, folder)) == own, name
    # ISO 9001:2015's edition check has no counterpart in ISO 14001's gates.yaml
    assert "edition-accepted" in checks(readiness(site))
    assert "edition-accepted" not in checks(readiness(site, FOLDER))
    dashboard = (site / FOLDER / "index.html").read_text(encoding="utf-8")
    assert "Stage 1" in dashboard and "Stage 2" in dashboard


def test_each_portal_shows_its_own_clause_set(site: Path) -> None:
    for folder, name in (("", Q), (FOLDER, E)):
        numbers = [c["number"] for c in readiness(site, folder)["clauses"]]
        assert numbers == [c.number for c in load_catalog(name).clauses], name
        for n in numbers:
            assert (site / folder / "clauses" / f"{n}.html").is_file(), (name, n)
    # 14001's own clauses have pages in its portal only; 9001's product clauses in the root's only
    assert (site / FOLDER / "clauses" / "7.4.1.html").is_file()
    assert not (site / "clauses" / "7.4.1.html").exists()
    assert (site / "clauses" / "8.5.1.html").is_file()
    assert not (site / FOLDER / "clauses" / "8.5.1.html").exists()
    assert len(readiness(site, FOLDER)["clauses"]) == 45


def _evidence(data: dict) -> set[str]:
    return {e["id"] for e in data["evidence"]}


def _on(data: dict, clause: str) -> list[str]:
    return next(c["evidence"] for c in data["clauses"] if c["number"] == clause)


def test_a_14001_record_counts_for_14001_only(site: Path) -> None:
    # ENV-ASP-01 names 14001:6.1.1 and 14001:6.1.2
    assert "ENV-ASP-01" in _evidence(readiness(site, FOLDER))
    assert "ENV-ASP-01" in _on(readiness(site, FOLDER), "6.1.2")
    assert "ENV-ASP-01" not in _evidence(readiness(site))
    assert "ENV-ASP-01" not in _on(readiness(site), "6.1.2")
    assert (site / FOLDER / "evidence" / "ENV-ASP-01.html").is_file()
    assert not (site / "evidence" / "ENV-ASP-01.html").exists()


def test_a_9001_record_counts_for_9001_only(site: Path) -> None:
    # CSAT-2026 names 9.1.2 (customer satisfaction in ISO 9001; evaluation of compliance in ISO 14001)
    assert "CSAT-2026" in _on(readiness(site), "9.1.2")
    assert "CSAT-2026" not in _evidence(readiness(site, FOLDER))
    assert "CSAT-2026" not in _on(readiness(site, FOLDER), "9.1.2")
    assert not (site / FOLDER / "evidence" / "CSAT-2026.html").exists()


def test_an_hs_record_counts_for_both(site: Path) -> None:
    # DOC-CTRL-01 names hs:7.5: clause 7.5 of both standards
    for folder in ("", FOLDER):
        assert "DOC-CTRL-01" in _on(readiness(site, folder), "7.5"), folder
        page = (site / folder / "evidence" / "DOC-CTRL-01.html").read_text(encoding="utf-8")
        assert 'href="../clauses/7.5.html"' in page


# --------------------------------------------------------------------------- the switcher


def test_every_page_has_the_switcher_with_the_current_standard_marked(site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 100
    for path in pages:
        rel = path.relative_to(site).as_posix()
        if rel.startswith("files/") or rel.startswith(f"{FOLDER}/files/"):
            continue  # documents shown as pages keep the chrome too, but are the team's own files
        page = parse(path)
        current = E if rel.startswith(FOLDER + "/") else Q
        assert [(name, mark) for name, _href, mark in page.switcher] == [(Q, current == Q), (E, current == E)], rel
        for name, href, _mark in page.switcher:
            target = posixpath.normpath(posixpath.join(posixpath.dirname(rel), href))
            assert target == ("index.html" if name == Q else f"{FOLDER}/index.html"), (rel, href)


def test_every_link_of_every_portal_resolves_inside_the_site(site: Path) -> None:
    problems = []
    for path in sorted(site.rglob("*.html")):
        rel = path.relative_to(site).as_posix()
        page = parse(path)
        for url in page.urls:
            parts = urlsplit(url)
            if parts.scheme or url.startswith("//") or url.startswith("data:"):
                continue
            target = posixpath.normpath(posixpath.join(posixpath.dirname(rel), unquote(parts.path))) \
                if parts.path else rel
            if target == ".." or target.startswith("../"):
                problems.append(f"{rel}: {url} leaves the site")
            elif not (site / target).is_file():
                problems.append(f"{rel}: {url} -> no file {target}")
            elif parts.fragment and target.endswith(".html") and parts.fragment not in parse(site / target).ids:
                problems.append(f"{rel}: {url} -> no #{parts.fragment}")
    assert not problems, "\n".join(problems[:40])


# --------------------------------------------------------------------------- exports, manifest, verify


def test_each_readiness_json_is_valid_against_the_shipped_schema(site: Path) -> None:
    schema = json.loads(shipped_schema("readiness"))
    for folder in ("", FOLDER):
        jsonschema.validate(readiness(site, folder), schema)


def test_the_site_roots_readiness_json_lists_the_other_standards_exports(site: Path) -> None:
    root = readiness(site)
    assert root["other_standards"] == [{"standard": E, "portal": f"{FOLDER}/index.html",
                                        "readiness": f"{FOLDER}/readiness.json",
                                        "checklist_csv": f"{FOLDER}/checklist.csv",
                                        "checklist_xlsx": f"{FOLDER}/checklist.xlsx"}]
    for entry in root["other_standards"]:
        for key in ("portal", "readiness", "checklist_csv", "checklist_xlsx"):
            assert (site / entry[key]).is_file(), entry[key]
    assert "other_standards" not in readiness(site, FOLDER)


def test_the_manifest_covers_every_file_of_every_portal_and_verify_passes(site: Path) -> None:
    manifest = json.loads((site / "manifest.json").read_text(encoding="utf-8"))
    listed = {f["path"] for f in manifest["files"]}
    on_disk = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    assert on_disk - listed == {"manifest.json", "SHA256SUMS"}
    assert any(p.startswith(FOLDER + "/clauses/") for p in listed)
    assert not (site / FOLDER / "manifest.json").exists()
    assert verify(site) == []


def test_a_changed_file_in_another_standards_portal_fails_verify(site: Path, tmp_path: Path) -> None:
    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    (copy / FOLDER / "readiness.json").write_text("{}\n", encoding="utf-8")
    assert [p.path for p in verify(copy)] == [f"{FOLDER}/readiness.json"]


def test_an_extra_file_may_not_take_another_standards_folder(tmp_path: Path) -> None:
    root = tmp_path / "ims"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".cache", "output"))
    (root / "content" / "extra" / FOLDER).mkdir(parents=True)
    (root / "content" / "extra" / FOLDER / "notes.txt").write_text("mine\n", encoding="utf-8")
    result = build(Options(root=root, as_of=AS_OF, output=tmp_path / "site", commit="ims", use_cache=False))
    assert not result.ok
    assert [(d.path, d.code, d.message) for d in errors(result.diagnostics)] == [
        (f"content/extra/{FOLDER}/notes.txt", "E320",
         f"extra file would replace the portal's own {FOLDER}/notes.txt")]


def test_another_standards_readme_names_it_and_sends_the_check_to_the_top_folder(site: Path) -> None:
    readme = (site / FOLDER / "README.txt").read_text(encoding="utf-8")
    assert readme.startswith(f"{E} certification readiness portal: Fenwick Valley Coatings Ltd\n")
    assert ("To check that no file was changed since the portal was built, run in the site's top folder, one up "
            "from here\n(its manifest.json covers the portal of every standard):\n") in readme
    assert (site / "README.txt").read_text(encoding="utf-8").startswith(f"{Q} certification readiness portal")
    assert '<a href="./../manifest.json">manifest.json</a>' in (site / FOLDER / "index.html").read_text(encoding="utf-8")


def test_another_standards_portal_is_published_in_its_folder_of_site_url(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    root = tmp_path / "ims"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".cache", "output"))
    org = root / "content" / "organisation.yaml"
    org.write_text(org.read_text(encoding="utf-8") + "site_url: https://fenwick.example/portal/\n", encoding="utf-8")
    out = build_ims(root, tmp_path / "site")
    for folder, url in (("", "https://fenwick.example/portal/"),
                        (FOLDER, f"https://fenwick.example/portal/{FOLDER}/")):
        report = (out / folder / "report.html").read_text(encoding="utf-8")
        assert f'<a class="external" href="{url}index.html">{url}</a>' in report, folder
        sheet = load_workbook(out / folder / "checklist.xlsx").worksheets[0]
        assert sheet.cell(row=3, column=4).hyperlink.target == url, folder


# --------------------------------------------------------------------------- a single standard: unchanged


def test_a_single_standard_build_has_no_switcher_and_no_other_portal(tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = build(Options(root=REPO / "tests" / "fixtures" / "minimal", as_of=AS_OF, output=out, commit="one",
                           use_cache=False))
    assert result.ok
    assert not parse(out / "index.html").switcher
    assert "standard-switcher" not in (out / "clauses" / "8.4.html").read_text(encoding="utf-8")
    assert not (out / "theme" / "css" / "switcher.css").exists()
    assert "other_standards" not in readiness(out)
    assert not [p for p in out.iterdir() if p.is_dir() and p.name.startswith("iso-")]
