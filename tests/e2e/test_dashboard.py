"""The dashboard leads with the verdict: on the first screen, desktop and phone, the gates today and on
their dates, the blockers (with owners and links) and the next lapses."""

from __future__ import annotations

import json
import re

import pytest

from e2e_support import SiteBase, playwright_sync_api

expect = playwright_sync_api().expect

pytestmark = pytest.mark.browser


def _in_first_screen(page, locator, height: int) -> None:  # noqa: ANN001
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height, (
        f"{locator} is not on the first screen (top {box and box['y']}, bottom "
        f"{box and box['y'] + box['height']}, screen {height})")


@pytest.mark.parametrize("width,height", [(1366, 900), (390, 844)])
def test_first_screen_shows_verdicts_blockers_and_next_lapse(http_base: SiteBase, site_page, width, height) -> None:
    sp = site_page(http_base)
    page = sp.page
    page.set_viewport_size({"width": width, "height": height})
    sp.goto("index.html")
    readiness = json.loads((http_base.root / "readiness.json").read_text(encoding="utf-8"))
    cards = page.locator(".verdicts .verdict")
    assert cards.count() == 2
    for i, key in enumerate(("stage1", "stage2")):
        gate = readiness["gates"][key]
        card = cards.nth(i)
        _in_first_screen(page, card, height)
        expect(card.locator(".verdict-today")).to_contain_text("Passes today" if gate["passed"] else "Fails today")
        on = gate["on_audit_date"]
        assert on is not None, "the demo books both audits after its as-of date"
        expect(card.locator(".verdict-date")).to_contain_text(
            ("Passes" if on["passed"] else "Fails") + f" on {on['date']}")
    blocker = page.locator(".blocker-list li").first
    _in_first_screen(page, blocker, height)
    expect(blocker.locator("a")).to_have_attribute("href", re.compile(r"clauses/[\d.]+\.html$|stages\.html#"))
    expect(blocker.locator(".owner")).to_contain_text("Owner: ")
    lapse = page.locator(".lapse-list li").first
    _in_first_screen(page, lapse, height)
    expect(lapse).to_contain_text(readiness["lapses"][0]["date"])
    # never a single figure that counts "at risk" as ready
    legend = " ".join(page.locator(".card-overall ul.legend").all_inner_texts())
    for label in ("Ready", "At risk", "Not ready"):
        assert f"{label}:" in legend, legend
    assert sp.external_requests == []


def test_stage1_projection_names_the_lapse_that_fails_it(http_base: SiteBase, site_page) -> None:
    """The demo's story: stage 1 passes today and fails on its date because a review falls due first."""
    sp = site_page(http_base)
    sp.goto("index.html")
    text = " ".join(sp.page.locator(".verdicts .verdict").first.inner_text().split())
    assert re.search(r"Stage 1 passes today; on 2027-01-19 it fails: Mandatory documents maintained and reviewed "
                     r"\(the review of .+ \(8\.1\) falls due on 2026-12-31\)", text), text


# --------------------------------------------------------------------------- issue 21: layout at phone and desktop

_TREND_LABELS = """(fig) => {
  const svg = fig.querySelector('svg');
  const box = svg.getBoundingClientRect();
  const scale = box.width / svg.viewBox.baseVal.width;
  return {box: {left: box.left, right: box.right, top: box.top, bottom: box.bottom},
          labels: [...svg.querySelectorAll('text')].map(t => {
            const r = t.getBoundingClientRect();
            return {text: t.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom,
                    height: r.height, px: parseFloat(getComputedStyle(t).fontSize) * scale};
          }),
          today: svg.querySelectorAll('.trend-mark-today').length};
}"""


@pytest.mark.parametrize("width,height", [(1366, 900), (390, 844)])
def test_dashboard_tile_trend_labels_and_section_order(http_base: SiteBase, site_page, width, height) -> None:
    """Issue 21: the Mandatory documented information tile set a sentence in large type one word wide (a row
    about 600 px tall); the trend's labels were about 5 px on a phone, ran past the chart's edge and no today
    was marked; the transition panel came before the current readiness."""
    sp = site_page(http_base)
    page = sp.page
    page.set_viewport_size({"width": width, "height": height})
    sp.goto("index.html")
    tile = page.locator(".stats > div", has_text="Mandatory documented information").first
    stats = page.locator(".stats").first.bounding_box()
    box = tile.bounding_box()
    assert box and stats and box["width"] >= stats["width"] - 1, (box, stats)  # the whole row of its card
    assert box["width"] >= 200 and box["height"] <= 130, box
    # the trend: one drawing shown, labels 12 px or more, inside the chart's box, today marked
    shown = [f for f in page.locator("figure.chart-trend").all() if f.is_visible()]
    assert len(shown) == 1
    assert shown[0].get_attribute("class").endswith("trend-narrow" if width < 768 else "trend-wide")
    got = shown[0].evaluate(_TREND_LABELS)
    assert got["today"] == 1
    assert any(x["text"].startswith("today ") for x in got["labels"])
    b = got["box"]
    for label in got["labels"]:
        assert label["px"] >= 12 and label["height"] >= 12, label
        assert (label["left"] >= b["left"] - 0.5 and label["right"] <= b["right"] + 0.5
                and label["top"] >= b["top"] - 0.5 and label["bottom"] <= b["bottom"] + 0.5), (label, b)
    # current readiness before the transition panel
    order = page.evaluate("""() => ['.summary-grid', '.transition-panel', 'section.mains', 'section.trend']
        .map(s => document.querySelector(s)).map(e => e ? e.getBoundingClientRect().top + scrollY : null)""")
    assert None not in order and order == sorted(order), order
    # too narrow for the bar chart's labels: the table with its bars instead
    assert page.locator(".chart-bars").is_visible() is (width >= 576)
    expect(page.locator("section.mains table.data")).to_be_visible()
