"""Ids in any script, end to end (issue 14): a Japanese and a German evidence id, from their file names,
open from the index in Chromium over http://127.0.0.1, from file:// and under a Pages-like sub-path; the
archive holds them under their real names, and `sha256sum -c SHA256SUMS` and `verify` pass."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
import zipfile
from pathlib import Path
from typing import Iterator

import pytest

from e2e_support import ROOT, SiteBase, playwright_sync_api
from isoready.package.archive import verify

FIXTURE = ROOT / "tests" / "fixtures" / "minimal"
AS_OF = "2026-11-01"
RECORDS = {"improvement/品質改善 kaizen.yaml": ("Kaizen board", "evidence/improvement/品質改善-kaizen.html"),
           "support/prüfmittel.yaml": ("Prüfmittel register", "evidence/support/prüfmittel.html")}


def _project(base: Path) -> Path:
    root = base / "project"
    shutil.copytree(FIXTURE, root)
    for rel, (title, _page) in RECORDS.items():
        path = root / "evidence" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f'title: {title}\nkind: record\nclauses: ["7.1.5"]\nurl: https://example.com/x\n',
                        encoding="utf-8")
    return root


def _cli(*args: str) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "isoready", *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


@pytest.fixture(scope="module")
def unicode_site(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("unicode")
    root = _project(base)
    _cli("build", "--root", str(root), "--as-of", AS_OF, "--output", str(base / "site"))
    return base / "site"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def _serve(folder: Path) -> http.server.ThreadingHTTPServer:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


@pytest.fixture(scope="module")
def servers(unicode_site: Path) -> Iterator[dict[str, str]]:
    """The site at the root of one server, and under /site/ (a Pages-like sub-path) of another."""
    at_root, parent = _serve(unicode_site), _serve(unicode_site.parent)
    try:
        yield {"http": f"http://127.0.0.1:{at_root.server_address[1]}",
               "subpath": f"http://127.0.0.1:{parent.server_address[1]}"}
    finally:
        for httpd in (at_root, parent):
            httpd.shutdown()
            httpd.server_close()


def test_the_pages_exist_under_their_real_names_and_links_are_percent_encoded(unicode_site: Path) -> None:
    from urllib.parse import quote

    register = (unicode_site / "evidence.html").read_text(encoding="utf-8")
    for _title, page in RECORDS.values():
        assert (unicode_site / page).is_file()
        assert f'href="./{quote(page)}"' in register
    assert "%E5%93%81%E8%B3%AA%E6%94%B9%E5%96%84-kaizen.html" in register


@pytest.mark.parametrize("mode", ["http", "file", "subpath"])
def test_a_unicode_id_page_opens_from_the_index(site_page, unicode_site: Path, servers: dict, mode: str) -> None:
    from urllib.parse import quote

    expect = playwright_sync_api().expect
    if mode == "file":
        site = SiteBase("file", unicode_site, unicode_site.as_uri() + "/", "file://")
    elif mode == "http":
        site = SiteBase("http", unicode_site, servers["http"] + "/", servers["http"])
    else:
        site = SiteBase("http", unicode_site, f"{servers['subpath']}/{unicode_site.name}/", servers["subpath"])
    page = site_page(site).page
    for title, target in RECORDS.values():
        page.goto(site.url("index.html"))
        page.get_by_role("link", name="Evidence", exact=True).first.click()
        page.get_by_role("link", name=title).first.click()
        expect(page.locator("h1")).to_have_text(title)
        assert site.rel(page.url) == quote(target)  # the browser reached the page by its encoded permalink
        page.goto(site.url(quote(target)))  # the permalink, typed as a bookmark, opens too
        expect(page.locator("h1")).to_have_text(title)


def test_the_archive_keeps_unicode_names_and_checks_out(tmp_path: Path) -> None:
    root = _project(tmp_path)
    _cli("archive", "--root", str(root), "--as-of", AS_OF, "--dist", str(tmp_path / "dist"))
    (archive,) = (tmp_path / "dist").glob("*.zip")
    assert verify(archive) == []
    with zipfile.ZipFile(archive) as zf:
        names = zf.namelist()
        zf.extractall(tmp_path / "unzipped")
    assert any(n.endswith("/evidence/improvement/品質改善-kaizen.html") for n in names)
    (folder,) = (tmp_path / "unzipped").iterdir()
    check = subprocess.run(["sha256sum", "-c", "--strict", "SHA256SUMS"], cwd=folder, capture_output=True,
                           text=True, env={**os.environ, "LC_ALL": "C.UTF-8"})
    assert check.returncode == 0, check.stdout + check.stderr
    assert "evidence/improvement/品質改善-kaizen.html: OK" in check.stdout
