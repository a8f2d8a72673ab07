"""From the portal back to the files, in Chromium (issue 22): on an internal build of the minimal fixture with
``repository:`` set, a record page's Edit link points at the record's YAML file, and the gap report's "Add
evidence" link opens the host's new-file page with a record that validates once saved beside its document.

The host is never reached: the page's guard aborts every request outside the site, so the click on "Add
evidence" is seen as the one navigation the browser tried, and it is checked, then forgiven."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from e2e_support import ROOT, SiteBase, playwright_sync_api

FIXTURE = ROOT / "tests" / "fixtures" / "minimal"
AS_OF = "2026-11-01"
REPO = "https://github.com/acme/qms"


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "isoready", *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def _project(root: Path) -> Path:
    shutil.copytree(FIXTURE, root)
    org = root / "content" / "organisation.yaml"
    org.write_text(org.read_text(encoding="utf-8") + f"repository:\n  url: {REPO}\n  branch: main\n",
                   encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def linked_site(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("repo-links")
    root = _project(base / "project")
    proc = _cli("build", "--root", str(root), "--as-of", AS_OF, "--audience", "internal", "--output",
                str(base / "site"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return base / "site"


def test_the_edit_link_on_a_record_page_points_to_the_records_file(site_page, linked_site: Path) -> None:
    expect = playwright_sync_api().expect
    site = SiteBase("file", linked_site, linked_site.as_uri() + "/", "file://")
    sp = site_page(site)
    sp.goto("evidence.html")
    sp.page.get_by_role("link", name="QMS scope statement").first.click()
    expect(sp.page.locator("h1")).to_have_text("QMS scope statement")
    edit = sp.page.get_by_role("link", name="Edit", exact=True)
    expect(edit).to_be_visible()
    assert edit.get_attribute("href") == f"{REPO}/edit/main/evidence/context/scope.yaml"
    assert sp.page.get_by_role("link", name="View file").get_attribute("href") == \
        f"{REPO}/blob/main/evidence/context/scope.yaml"
    assert sp.external_requests == []  # printed, never fetched
    sp.assert_clean()


def test_add_evidence_opens_the_new_file_page_and_its_record_validates(site_page, linked_site: Path,
                                                                         tmp_path: Path) -> None:
    site = SiteBase("file", linked_site, linked_site.as_uri() + "/", "file://")
    sp = site_page(site)
    sp.goto("gaps.html")
    link = sp.page.locator("#mandatory a.add-evidence").first
    href = link.get_attribute("href")
    assert href.startswith(f"{REPO}/new/main/evidence")
    assert sp.external_requests == []
    with sp.page.expect_request(lambda r: r.url.startswith(f"{REPO}/new/main/")) as opened:
        link.click()
    tried = opened.value.url
    assert parse_qs(urlsplit(tried).query) == parse_qs(urlsplit(href).query)  # the browser asked for that page
    assert sp.guard.blocked == [tried]  # ... and nothing else outside the site; aborted, as every external request
    sp.guard.blocked.clear()

    # save what the new-file page holds, beside a document, in a copy of the project: it validates
    root = _project(tmp_path / "project")
    parts = urlsplit(href)
    folder = unquote(parts.path.split("/new/main/", 1)[1])
    query = parse_qs(parts.query)
    name, text = query["filename"][0], query["value"][0]
    saved = root / folder / name
    saved.write_text(text, encoding="utf-8")
    (saved.parent / name.replace(".yaml", ".pdf")).write_bytes(b"%PDF-1.4\n")
    proc = _cli("validate", "--root", str(root), "--as-of", AS_OF)
    assert proc.returncode == 0, proc.stdout
    assert [line for line in proc.stdout.splitlines() if name.removesuffix(".yaml") in line] == []
