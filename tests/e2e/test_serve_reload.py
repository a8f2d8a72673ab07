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
from isoready.options import Options
from isoready.serve import serve

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
