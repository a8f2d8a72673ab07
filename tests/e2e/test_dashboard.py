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
        expect(card.locator(".verdict-today")).to_contain_text("Passes today" if gate["passed"] else "Not yet today")
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
