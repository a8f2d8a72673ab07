"""`isoready serve` in a browser (issue 19): a page on another local origin cannot read the preview.

While ``serve`` runs, an attacker's page on the same machine tries a cross-site script inclusion: it includes
``<script src="http://127.0.0.1:PORT/search-index.js">`` and reads ``window.PORTAL_SEARCH`` (the internal
records). Two attacker origins, since Chromium words them differently in ``Sec-Fetch-Site``:

- ``http://127.0.0.1:OTHER``: another port of the same host is another *origin* but the same *site* (a site
  ignores the port), so Chromium sends ``Sec-Fetch-Site: same-site``;
- ``http://localhost:OTHER``: another host name, so ``cross-site``.

Both must be refused (the script's ``onerror`` fires, the global stays undefined), and the preview itself must
still open and search in the same browser.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import socket
import threading
import time
import urllib.request
from datetime import date
from pathlib import Path

import pytest

from e2e_support import ROOT, TIMEOUT_MS, SiteBase, playwright_sync_api
import isoready.cli.serve
from isoready.read.options import Options
from isoready.cli.serve import serve

expect = playwright_sync_api().expect

pytestmark = pytest.mark.browser

ATTACK = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>another local site</title>
<script>window.verdict = "pending";</script>
<script src="http://127.0.0.1:{port}/search-index.js"
        onload="window.verdict = 'loaded'" onerror="window.verdict = 'refused'"></script>
<script>
  window.stolen = (typeof window.PORTAL_SEARCH === "undefined") ? null : JSON.stringify(window.PORTAL_SEARCH);
</script>
</head><body><p>nothing to see</p></body></html>
"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (stdlib's name)
        pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _generation(origin: str) -> str:
    try:
        with urllib.request.urlopen(origin + "/__isoready_reload", timeout=5) as response:  # noqa: S310 - loopback
            return response.read().decode().strip()
    except OSError:
        return ""


def _recording(heard: list):
    """serve's own handler, noting each request's path, Sec-Fetch-Site and answer status."""
    real = isoready.cli.serve.handler_class

    def handler_class(folder, reloader):  # noqa: ANN001, ANN202
        base = real(folder, reloader)

        class Recording(base):
            def send_response(self, code, message=None):  # noqa: ANN001, ANN202
                heard.append((self.path, self.headers.get("Sec-Fetch-Site"), code))
                super().send_response(code, message)

        return Recording

    return handler_class


def test_another_local_origin_cannot_include_the_preview_index(tmp_path: Path, browser, site_page,
                                                               monkeypatch) -> None:
    heard: list = []
    monkeypatch.setattr(isoready.cli.serve, "handler_class", _recording(heard))
    project = tmp_path / "project"
    shutil.copytree(ROOT / "tests" / "fixtures" / "minimal", project)
    port = _free_port()
    stop = threading.Event()
    opts = Options(root=project, as_of=date(2026, 11, 1), audience="internal")
    thread = threading.Thread(target=serve, kwargs={"opts": opts, "port": port, "max_seconds": 180, "stop": stop},
                              daemon=True)
    thread.start()
    origin = f"http://127.0.0.1:{port}"

    attacker_root = tmp_path / "attacker"
    attacker_root.mkdir()
    (attacker_root / "attack.html").write_text(ATTACK.format(port=port), encoding="utf-8")
    attacker = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                               functools.partial(_Quiet, directory=str(attacker_root)))
    attacker.daemon_threads = True
    attacker_thread = threading.Thread(target=attacker.serve_forever, daemon=True)
    attacker_thread.start()
    other = attacker.server_address[1]
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    try:
        deadline = time.monotonic() + 120
        while _generation(origin) != "1":  # the first build takes a moment (longer on a busy machine)
            assert time.monotonic() < deadline, "serve did not finish its first build"
            time.sleep(0.2)
        index_url = f"{origin}/search-index.js"
        for attacker_origin, sent in ((f"http://127.0.0.1:{other}", "same-site"),
                                      (f"http://localhost:{other}", "cross-site")):
            page = context.new_page()
            heard.clear()
            requests: list = []
            page.on("request", lambda req: requests.append(req) if req.url == index_url else None)
            assert page.goto(f"{attacker_origin}/attack.html").status == 200
            page.wait_for_function("window.verdict !== 'pending'")
            assert page.evaluate("window.verdict") == "refused", attacker_origin
            assert page.evaluate("typeof window.PORTAL_SEARCH") == "undefined", attacker_origin
            assert page.evaluate("window.stolen") is None, attacker_origin
            assert [r.failure for r in requests] == ["net::ERR_BLOCKED_BY_RESPONSE.NotSameOrigin"]
            # what the preview heard: Chromium's word for this origin, and serve's 403 (CORP blocks it as well)
            assert heard.pop(0) == ("/search-index.js", sent, 403), attacker_origin
            assert not heard
            page.close()

        # the preview itself still works in the same browser: a page, its scripts, and the search index
        preview = context.new_page()
        assert preview.goto(f"{origin}/index.html").status == 200
        expect(preview.locator(".brand-name")).to_have_text("Example Works Ltd")
        sp = site_page(SiteBase("http", project / ".cache" / "isoready" / "preview", origin + "/", origin))
        sp.goto("index.html")
        box = sp.page.locator("#site-search")
        box.fill("supplier")
        expect(sp.page.locator("#search-popup").get_by_role("option").filter(
            has_text="Approved supplier list")).to_have_count(1)
        assert sp.page.evaluate("Array.isArray(window.PORTAL_SEARCH)")
        sp.assert_clean()  # no CSP violation, no console error, nothing blocked
    finally:
        context.close()
        attacker.shutdown()
        attacker.server_close()
        stop.set()
        thread.join(timeout=30)
