"""Issue 26: the dashboard and a clause page in German and Japanese, on a phone (390 px) and a laptop (1366 px):
no text runs out of the page or its box (longer German words, CJK text), and axe-core and the Nu HTML checker
stay clean (<html lang> names the language)."""

from __future__ import annotations

from pathlib import Path

import pytest

from e2e_support import SiteBase, build_site
from test_a11y import format_violations, format_vnu, run_axe, run_vnu

PAGES = ("index.html", "clauses/8.4.1.html")
WIDTHS = (390, 1366)

#: every element whose box reaches past the viewport, but those inside a box that scrolls on its own (a wide
#: table's .table-scroll, the navigation's row on a phone) and the visually hidden ones (clipped to one pixel)
OVERFLOW = """() => {
  const vw = document.documentElement.clientWidth;
  const out = [];
  const scrolls = el => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const o = getComputedStyle(a).overflowX;
      if (o === 'auto' || o === 'scroll') return true;
    }
    return false;
  };
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height || r.width <= 1 || scrolls(el)) continue;
    const head = el.closest('thead');  // a phone's table rows are cards; the header row is hidden
    if (head && getComputedStyle(head).position === 'absolute') continue;
    if (r.left >= -0.5 && r.right <= vw + 0.5) continue;
    out.push(`${el.tagName}.${el.className} "${el.textContent.trim().slice(0, 40)}" at ${Math.round(r.left)}..${Math.round(r.right)}`);
  }
  return {vw, page: document.documentElement.scrollWidth, out};
}"""


@pytest.fixture(scope="module", params=["de", "ja"])
def language_site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    from conftest import serve_folder

    language = request.param
    root = build_site(tmp_path_factory.mktemp(f"demo-{language}") / "site", language=language)
    server, thread = serve_folder(root)
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield language, root, SiteBase("http", root, origin + "/", origin)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.mark.browser
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("rel", PAGES)
def test_no_text_overflows_in_another_language(language_site, rel: str, width: int, site_page,  # noqa: ANN001
                                              axe_js: Path) -> None:
    language, _root, site = language_site
    # bypass_csp: axe-core is injected as an inline script, which the site's CSP (rightly) forbids
    sp = site_page(site, bypass_csp=True)
    sp.page.set_viewport_size({"width": width, "height": 900})
    sp.goto(rel)
    assert sp.page.evaluate("document.documentElement.lang") == language
    found = sp.page.evaluate(OVERFLOW)
    assert found["page"] <= found["vw"], f"{rel} at {width} px scrolls sideways: {found['page']} px"
    assert found["out"] == [], f"{rel} at {width} px in {language}: " + "\n".join(found["out"][:10])
    violations = run_axe(sp.page, axe_js)
    assert not violations, format_violations(f"{rel} ({language}, {width} px)", violations)


def test_vnu_finds_no_errors_in_another_language(language_site, vnu_cmd: list[str]) -> None:  # noqa: ANN001
    language, root, _site = language_site
    report = run_vnu(vnu_cmd, [root / rel for rel in PAGES])
    for rel in PAGES:
        messages = report[(root / rel).resolve()]
        assert not messages, format_vnu(f"{rel} ({language})", messages)
