"""Hostile content stays inert in a real browser (the static half is tests/unit/test_hostile.py).

``tests/hostile.py`` plants OWASP XSS filter-evasion payloads in every free-text field of a copy of
``tests/fixtures/minimal``; each payload that ran would set ``window.__xss`` or open a dialog. The
planted project is built once for the internal audience (which shows every record) and every page that
holds payloads is opened in Chromium from file://, then hovered, focused, typed into and clicked.

Each page is checked twice:

- with the site's Content-Security-Policy enforced. The ``site_page`` guard fails on any CSP violation,
  so a blocked inline script or handler (injected markup that reached the DOM) fails the test even though
  the policy stopped it;
- with the CSP bypassed (``bypass_csp=True``), which proves the markup itself is inert rather than merely
  blocked by the policy.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from e2e_support import SiteBase, SitePage, playwright_sync_api
from hostile import ONE_LINE, plant
from isoready.cli import main

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

MINIMAL = Path(__file__).resolve().parents[1] / "fixtures" / "minimal"
AS_OF = "2026-11-01"

# Every page that shows contributor text from the planted fields (query strings included).
PAGES = [
    "evidence/hostile/payload.html",
    "files/hostile/payload.md.html",
    "clauses/7.1.6.html",
    "clauses/8.5.5.html",
    "findings/XSS-1.html",
    "findings.html",
    "evidence.html",
    "report.html",
    "gaps.html",
    "search.html?q=script",  # results are built in the page from the search index's payload text
    "index.html",
]
# Elements a reader can point at, focus or activate inside contributor text (rendered Markdown), and inputs.
INTERACTIVE = ", ".join(f".md {t}, .document-body {t}" for t in (
    "a", "button", "input", "select", "textarea", "summary", "details", "[tabindex]", "[contenteditable]",
    "svg", "img", "video", "marquee")) + ", header input, main input"
MAX_INTERACTIONS = 20
PROBE_EVENTS = """() => {
  const kinds = ["mouseover", "mouseenter", "mousemove", "pointerover", "pointerenter", "focus", "focusin",
                 "toggle", "start", "animationstart", "transitionend", "error", "load"];
  for (const el of document.querySelectorAll("body *:not(script)")) {
    for (const kind of kinds) { el.dispatchEvent(new Event(kind)); }
  }
}"""
MAX_CLICKS = 12
DOCUMENT_SUFFIXES = (".html", ".csv", ".md", ".txt", ".pdf", ".xlsx", ".json", ".js", ".css", ".svg")
SHORT_MS = 1_500


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> SiteBase:
    """The planted minimal project, built once for the internal audience."""
    base = tmp_path_factory.mktemp("hostile")
    root = base / "project"
    shutil.copytree(MINIMAL, root, symlinks=True)
    plant(root)
    out = base / "site"
    code = main(["build", "--root", str(root), "--as-of", AS_OF, "--audience", "internal", "--output", str(out)])
    assert code == 0, f"the planted project did not build (exit {code})"
    for rel in PAGES:
        path = out / rel.split("?", 1)[0]
        assert path.is_file(), f"the build wrote no {rel}: the test would check nothing there"
    return SiteBase("file", out, out.as_uri() + "/", "file://")


def _is_site_target(href: str) -> bool:
    """A relative link to a page or file of the site (no scheme): following it only navigates."""
    path = href.split("#", 1)[0].split("?", 1)[0]
    return bool(path) and ":" not in path and path.lower().endswith(DOCUMENT_SUFFIXES)


def _xss_flags(page: Page) -> list[str]:
    """``window.__xss`` in every frame of the page (an injected frame is a finding in itself)."""
    found = []
    frames = page.frames
    if len(frames) > 1:
        found.append(f"{len(frames) - 1} extra frame(s): {[f.url for f in frames[1:]]}")
    for frame in frames:
        try:
            value = frame.evaluate("() => window.__xss")
        except Exception as exc:  # noqa: BLE001 - a frame we cannot script is reported, not ignored
            found.append(f"frame {frame.url}: cannot read window.__xss ({exc})")
            continue
        if value is not None:
            found.append(f"window.__xss = {value!r} in frame {frame.url}")
    return found


def _interact(sp: SitePage, rel: str, dialogs: list[str]) -> list[str]:
    """Hover, focus and activate what a reader could; return what ran (``window.__xss`` set anywhere)."""
    expect = playwright_sync_api().expect
    page = sp.page
    findings: list[str] = []
    url = sp.site.url(rel)

    def back_home() -> None:
        if page.url != url:
            findings.extend(f"after leaving {rel} for {page.url}: {f}" for f in _xss_flags(page))
            page.goto(url)
            page.wait_for_load_state("load")

    # Keyboard first: Tab walks the focus order (autofocus/onfocus payloads, focusable injected elements).
    for _ in range(25):
        page.keyboard.press("Tab")
    back_home()

    # Every element on the page gets the events a reader's mouse and keyboard would send it, so an
    # injected handler attribute anywhere (onmouseover, onfocus, ontoggle, onstart, onerror ...) would run.
    page.evaluate(PROBE_EVENTS)

    # Interactive elements inside contributor text, and the search inputs, are hovered and focused for real.
    elements = page.locator(INTERACTIVE)
    for i in range(min(elements.count(), MAX_INTERACTIONS)):
        el = elements.nth(i)
        try:
            if el.is_visible():
                el.hover(timeout=SHORT_MS)
                el.focus(timeout=SHORT_MS)
        except Exception:  # noqa: BLE001 - a moving or covered element is not what this test judges
            continue

    # Activate every link that is not a plain page, document, anchor or external site: a sanitised link
    # from contributor text keeps no href (or a harmless one), so clicking it must do nothing at all.
    # External https links are legitimate (evidence URLs); following them would leave file://.
    links = page.locator("main a")
    hrefs = links.evaluate_all("(els) => els.map((e) => e.getAttribute('href'))")
    clicked = 0
    for i, href in enumerate(hrefs):
        href = (href or "").strip()
        if clicked >= MAX_CLICKS:
            break
        if href.startswith("#") or href.lower().startswith(("http://", "https://", "mailto:")) \
                or _is_site_target(href):
            continue
        link = links.nth(i)
        try:
            if not link.is_visible():
                continue
            link.click(timeout=SHORT_MS, no_wait_after=True)
            clicked += 1
        except Exception:  # noqa: BLE001
            continue
        findings.extend(f"after clicking link {i} ({href!r}): {f}" for f in _xss_flags(page))
        back_home()

    # The header search renders index entries (payload titles) as options; the search page its results.
    box = page.locator("#site-search")
    if box.count():
        box.fill("")
        box.press_sequentially("xss", delay=10)
        options = page.locator("#search-popup [role=option]")
        expect(options.first).to_be_visible()
        # Every page renders payload text here (the planted titles), as text.
        expect(page.locator("#search-popup")).to_contain_text("window.__xss")
        options.first.hover(timeout=SHORT_MS)
        box.press("Escape")
    if page.locator("#search-results li").count():
        first = page.locator("#search-results li a").first
        first.hover(timeout=SHORT_MS)
        first.focus(timeout=SHORT_MS)
    findings.extend(_xss_flags(page))
    if dialogs:
        findings.append(f"dialogs opened: {dialogs}")
    return findings


@pytest.mark.parametrize("bypass_csp", [False, True], ids=["csp-enforced", "csp-bypassed"])
@pytest.mark.parametrize("rel", PAGES)
def test_planted_payloads_stay_inert(hostile_site: SiteBase, site_page, rel: str, bypass_csp: bool) -> None:
    expect = playwright_sync_api().expect
    sp = site_page(hostile_site, bypass_csp=bypass_csp)
    page = sp.page
    dialogs: list[str] = []

    def on_dialog(dialog) -> None:  # noqa: ANN001
        dialogs.append(f"{dialog.type}: {dialog.message!r} on {page.url}")
        dialog.dismiss()

    # On the context, so a dialog from this page or any window a payload opens is caught (and dismissed).
    page.context.on("dialog", on_dialog)
    popups: list[str] = []
    page.context.on("page", lambda p: popups.append(p.url))

    page.goto(hostile_site.url(rel), wait_until="load")
    page.wait_for_timeout(150)
    # The payload text is on the page, as text: otherwise the test would be checking nothing.
    if rel.startswith("search.html"):
        expect(page.locator("#search-results li").first).to_be_visible()
        expect(page.locator("#search-results")).to_contain_text("window.__xss")
    elif "__xss" in (hostile_site.root / rel).read_text(encoding="utf-8"):
        expect(page.locator("main")).to_contain_text("window.__xss")
    if rel in ("evidence/hostile/payload.html", "findings/XSS-1.html", "clauses/7.1.6.html", "clauses/8.5.5.html"):
        expect(page.locator("main")).to_contain_text(ONE_LINE)

    findings = _xss_flags(page)
    findings += _interact(sp, rel, dialogs)
    if popups:
        findings.append(f"windows opened: {popups}")
    findings = list(dict.fromkeys(findings))  # the same flag seen after several clicks is reported once
    assert not findings, f"a payload ran on {rel} (CSP {'bypassed' if bypass_csp else 'enforced'}):\n  " + \
        "\n  ".join(findings)
    assert page.evaluate("() => window.__xss") is None
    assert dialogs == []


# --------------------------------------------------------------------------- documents over HTTP

ACTIVE_DOC = (b'<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><body><p>model</p>'
              b"<script>window.__xss = 1</script></body></html>\n")


def test_a_document_of_an_unknown_xml_type_runs_nothing_over_http(tmp_path: Path, browser) -> None:  # noqa: ANN001
    """An .xpdl process model (XML a browser would run as XHTML) is published as .txt and shown as text.

    The same bytes copied next to it as .xhtml do run in the same browser: the check can see a script run.
    """
    import functools
    import http.server
    import threading

    root = tmp_path / "project"
    shutil.copytree(MINIMAL, root, symlinks=True)
    (root / "evidence" / "process.xpdl").write_bytes(ACTIVE_DOC)
    (root / "evidence" / "process.yaml").write_text(
        'title: Process model\nkind: document\nclauses: ["7.4"]\nfile: process.xpdl\n', encoding="utf-8")
    out = tmp_path / "site"
    assert main(["build", "--root", str(root), "--as-of", AS_OF, "--audience", "internal", "--output", str(out)]) == 0
    assert not (out / "files" / "process.xpdl").exists()
    (tmp_path / "control").mkdir()
    (tmp_path / "control" / "process.xhtml").write_bytes(ACTIVE_DOC)  # outside the site: the positive control

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    context = browser.new_context()
    try:
        page = context.new_page()
        response = page.goto(f"{origin}/site/files/process.xpdl.txt")
        assert response.headers["content-type"].startswith("text/plain")
        assert page.evaluate("() => window.__xss") is None
        assert "window.__xss = 1" in page.inner_text("body")  # shown, as text
        assert page.goto(f"{origin}/site/files/process.xpdl").status == 404
        page.goto(f"{origin}/control/process.xhtml")
        assert page.evaluate("() => window.__xss") == 1, "the control did not run: this test could not fail"
    finally:
        context.close()
        server.shutdown()
        server.server_close()
