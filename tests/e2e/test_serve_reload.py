"""`isoready serve` in a browser: the open page reloads by itself after a rebuild, under the site's own
Content-Security-Policy (no fetch allowed: the snippet polls with a script tag), with no console error."""

from __future__ import annotations

import shutil
import socket
import threading
import time
import urllib.request
from datetime import date
from pathlib import Path

import pytest

from e2e_support import ROOT, SiteBase, playwright_sync_api
from isoready.read.options import Options
from isoready.cli.serve import serve

expect = playwright_sync_api().expect

pytestmark = pytest.mark.browser


def _generation(origin: str) -> str:
    try:
        with urllib.request.urlopen(origin + "/__isoready_reload", timeout=5) as response:  # noqa: S310 - loopback
            return response.read().decode().strip()
    except OSError:
        return ""


def test_the_open_page_reloads_after_a_rebuild(tmp_path: Path, site_page) -> None:
    project = tmp_path / "project"
    shutil.copytree(ROOT / "tests" / "fixtures" / "minimal", project)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    stop = threading.Event()
    opts = Options(root=project, as_of=date(2026, 11, 1), audience="internal")
    thread = threading.Thread(target=serve, kwargs={"opts": opts, "port": port, "max_seconds": 120, "stop": stop},
                              daemon=True)
    thread.start()
    origin = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while _generation(origin) != "1":  # the first build takes a moment (longer on a busy machine)
            assert time.monotonic() < deadline, "serve did not finish its first build"
            time.sleep(0.2)
        sp = site_page(SiteBase("http", project / ".cache" / "isoready" / "preview", origin + "/", origin))
        page = sp.page
        assert sp.goto("index.html").status == 200
        expect(page.locator(".brand-name")).to_have_text("Example Works Ltd")
        page.evaluate("window.__marker = 'before'")
        org = project / "content" / "organisation.yaml"
        org.write_text(org.read_text().replace("Example Works Ltd", "Renamed Works Ltd"), encoding="utf-8")
        expect(page.locator(".brand-name")).to_have_text("Renamed Works Ltd", timeout=90_000)
        assert page.evaluate("window.__marker") is None  # a real reload, not a patched DOM
        sp.assert_clean()  # no CSP violation, no console error
    finally:
        stop.set()
        thread.join(timeout=30)


def test_a_failed_rebuild_shows_an_overlay_that_the_next_good_build_takes_away(tmp_path: Path, site_page) -> None:
    """A broken edit: every open page shows the diagnostics (file, line, code, message) over the last good site,
    a team-written <script> as text; fixing the file reloads the page and the overlay is gone."""
    project = tmp_path / "project"
    shutil.copytree(ROOT / "tests" / "fixtures" / "minimal", project)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    stop = threading.Event()
    opts = Options(root=project, as_of=date(2026, 11, 1), audience="internal")
    thread = threading.Thread(target=serve, kwargs={"opts": opts, "port": port, "max_seconds": 120, "stop": stop},
                              daemon=True)
    thread.start()
    origin = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while _generation(origin) != "1":
            assert time.monotonic() < deadline, "serve did not finish its first build"
            time.sleep(0.2)
        sp = site_page(SiteBase("http", project / ".cache" / "isoready" / "preview", origin + "/", origin))
        page = sp.page
        assert sp.goto("clauses/7.1.5.html").status == 200
        overlay = page.locator("#isoready-build-errors")
        expect(overlay).to_have_count(0)
        page.evaluate("() => { window.__alerted = false; window.alert = () => { window.__alerted = true; }; }")

        bad = project / "evidence" / "support" / "gauges.yaml"
        bad.write_text('title: Gauges\nkind: record\nclauses: ["<script>alert(1)</script>"]\ndate: 2026-02-15\n',
                       encoding="utf-8")
        expect(overlay).to_be_visible(timeout=90_000)
        expect(overlay.get_by_role("heading")).to_have_text("The last build failed")
        item = overlay.locator("li.isoready-diagnostic")
        expect(item).to_have_count(1)
        expect(item.locator(".isoready-where")).to_have_text("evidence/support/gauges.yaml, line 3")
        expect(item.locator(".isoready-code")).to_have_text("E201")
        expect(item.locator(".isoready-message")).to_have_text("unknown clause '<script>alert(1)</script>'")
        assert overlay.locator("script").count() == 0  # the message is text, not markup
        assert page.evaluate("window.__alerted") is False
        assert page.locator("h1").count() == 1  # the last good page is still there under the overlay

        bad.write_text('title: Gauges\nkind: record\nclauses: ["7.1.5"]\ndate: 2026-02-15\n', encoding="utf-8")
        expect(page.get_by_text("Gauges").first).to_be_visible(timeout=90_000)  # reloaded with the new record
        expect(overlay).to_have_count(0)
        sp.assert_clean()  # no CSP violation (styles set through CSSOM), no console error
    finally:
        stop.set()
        thread.join(timeout=30)
