"""Fixtures for the end-to-end tests: the demo site, a local HTTP server, one Chromium, guarded pages.

Browser: Debian's ``/usr/bin/chromium`` driven by Playwright for Python. We never download browsers
(no ``playwright install``). When Chromium, Playwright, Java or the npm judges are missing the tests
skip locally, but FAIL when ``CI=true``: in CI a missing tool is a broken pipeline, not a reason to pass.

Every page comes from ``site_page`` (a factory). It records every request the page makes and aborts
any request outside the site's own origin (``http://127.0.0.1:PORT`` over HTTP, ``file://`` from
disk); it collects console errors, uncaught exceptions and Content-Security-Policy violations. After
the test body has run, :func:`pytest_runtest_call` fails the test when any of these happened.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import pytest

from e2e_support import (
    AXE_JS,
    CHROMIUM,
    CHROMIUM_ARGS,
    TIMEOUT_MS,
    VNU_JAR,
    PageGuard,
    SiteBase,
    SitePage,
    flush,
    playwright_sync_api,
    CSP_INIT_SCRIPT,
    build_site,
    require,
)

# --------------------------------------------------------------------------- the demo site


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo site, built once per session, as of 2026-11-24 for the auditor audience."""
    return build_site(tmp_path_factory.mktemp("demo") / "site")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (stdlib's name)
        pass


@dataclass
class HttpSite:
    root: Path
    origin: str  # http://127.0.0.1:PORT
    base: str  # origin + "/" (the site is at the server's root)


def serve_folder(folder: Path) -> tuple[http.server.ThreadingHTTPServer, threading.Thread]:
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name=f"http {folder}", daemon=True)
    thread.start()
    return server, thread


@pytest.fixture(scope="session")
def http_site(demo_site: Path) -> Iterator[HttpSite]:
    """The demo site on http://127.0.0.1:<ephemeral port>/, shut down at the end of the session."""
    server, thread = serve_folder(demo_site)
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield HttpSite(root=demo_site, origin=origin, base=origin + "/")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def subpath_site(demo_site: Path) -> Iterator[HttpSite]:
    """The demo site under a sub-path, as GitHub Pages serves a project site: http://127.0.0.1:PORT/site/."""
    server, thread = serve_folder(demo_site.parent)
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield HttpSite(root=demo_site, origin=origin, base=f"{origin}/{demo_site.name}/")
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(params=["http", "file", "subpath"])
def site(request: pytest.FixtureRequest, demo_site: Path) -> SiteBase:
    """The demo site over http://127.0.0.1, from file:// and under a Pages-like sub-path (tests run thrice)."""
    if request.param in ("http", "subpath"):
        hs: HttpSite = request.getfixturevalue("http_site" if request.param == "http" else "subpath_site")
        return SiteBase("http", hs.root, hs.base, hs.origin)
    return SiteBase("file", demo_site, demo_site.as_uri() + "/", "file://")


@pytest.fixture
def http_base(http_site: HttpSite) -> SiteBase:
    """The demo site over HTTP only."""
    return SiteBase("http", http_site.root, http_site.base, http_site.origin)


# --------------------------------------------------------------------------- the browser


@pytest.fixture(scope="session")
def _playwright() -> Iterator[object]:
    pw = playwright_sync_api().sync_playwright().start()
    try:
        yield pw
    finally:
        pw.stop()


@pytest.fixture(scope="session")
def browser(_playwright):  # noqa: ANN001 (playwright types are optional at import time)
    """One headless Debian Chromium for the whole session."""
    require(os.access(CHROMIUM, os.X_OK), f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    b = _playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    try:
        yield b
    finally:
        b.close()


# --------------------------------------------------------------------------- guarded pages

@pytest.fixture
def site_page(browser, request: pytest.FixtureRequest) -> Iterator[Callable[..., SitePage]]:  # noqa: ANN001
    """Factory: ``site_page(site, bypass_csp=False)`` -> :class:`SitePage` in a fresh browser context.

    ``bypass_csp=True`` is for injecting test tools (axe-core) as inline scripts; the site's own
    CSP is then not enforced, so browse tests keep the default.
    """
    contexts = []
    pages: list[SitePage] = []
    request.node._isoready_pages = pages  # judged by pytest_runtest_call below

    def make(site: SiteBase, *, bypass_csp: bool = False) -> SitePage:
        guard = PageGuard(origin=site.origin)
        context = browser.new_context(accept_downloads=True, bypass_csp=bypass_csp,
                                      viewport={"width": 1280, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)

        def route(route) -> None:  # noqa: ANN001
            url = route.request.url
            if guard.allowed(url):
                route.continue_()
            else:
                if url not in guard.blocked:
                    guard.blocked.append(url)
                route.abort("blockedbyclient")

        context.route("**/*", route)
        context.expose_function("__isoreadyCspViolation", lambda violation: guard.csp_violations.append(violation))
        context.add_init_script(CSP_INIT_SCRIPT)

        def on_request(req) -> None:  # noqa: ANN001
            guard.requests.append(req.url)
            if not guard.allowed(req.url) and req.url not in guard.blocked:
                guard.blocked.append(req.url)

        def on_console(msg) -> None:  # noqa: ANN001
            if msg.type == "error":
                loc = msg.location or {}
                guard.console_errors.append(f"{msg.text} [{loc.get('url', '')}:{loc.get('lineNumber', '')}]")

        # On the context, so pages a link opens (target=_blank, window.open) are watched too.
        context.on("request", on_request)
        context.on("console", on_console)
        context.on("weberror", lambda err: guard.page_errors.append(str(err.error)))
        page = context.new_page()
        pages.append(SitePage(page=page, guard=guard, site=site))
        return pages[-1]

    yield make
    for context in contexts:
        try:
            context.close()
        except Exception:  # noqa: BLE001 - the browser may already be gone after a crash
            pass


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    """Fail the test itself (not its teardown) when a guarded page misbehaved while it ran."""
    result = yield
    pages: list[SitePage] = getattr(item, "_isoready_pages", [])
    for sp in pages:
        flush(sp.page)
    problems = [p for sp in pages for p in sp.guard.problems()]
    if problems:
        raise AssertionError("guarded pages misbehaved during the test:\n  " + "\n  ".join(problems))
    return result


# --------------------------------------------------------------------------- the npm judges


@pytest.fixture(scope="session")
def axe_js() -> Path:
    require(AXE_JS.is_file(), f"axe-core not installed at {AXE_JS} (npm ci --prefix tests/e2e)")
    return AXE_JS


@pytest.fixture(scope="session")
def vnu_cmd() -> list[str]:
    require(VNU_JAR.is_file(), f"vnu-jar not installed at {VNU_JAR} (npm ci --prefix tests/e2e)")
    java = shutil.which("java")
    require(java is not None, "java not found (apt-get install default-jre-headless); the Nu HTML checker needs it")
    return [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json"]
