"""Team-written pages (content/pages/*.md) in a browser: reached from the navigation and the search,
in the portal's layout, with links that resolve, over http://127.0.0.1 and from file://."""

from __future__ import annotations

import pytest

from e2e_support import SiteBase, playwright_sync_api

expect = playwright_sync_api().expect

pytestmark = pytest.mark.browser


def test_navigation_leads_to_a_team_page_and_its_links_lead_back(site: SiteBase, site_page) -> None:
    sp = site_page(site)
    page = sp.page
    sp.goto("clauses/8.4.1.html")  # one folder deep: the navigation's links must be relative to it
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit logistics").click()
    expect(page).to_have_url(site.url("pages/audit-logistics.html"))
    expect(page.locator("main h1")).to_have_text("Audit logistics")
    expect(page).to_have_title("Audit logistics · Kestrel Precision Components Ltd ISO 9001 readiness")
    current = page.get_by_role("navigation", name="Main").locator('[aria-current="page"]')
    expect(current).to_have_text("Audit logistics")
    expect(page.locator("main table").first).to_be_visible()  # the agenda is a real table
    expect(page.locator("main")).to_contain_text("19 January 2027")
    page.locator("main").get_by_role("link", name="audit stages").click()
    expect(page).to_have_url(site.url("stages.html"))
    expect(page.locator("main h1")).to_be_visible()
    sp.assert_clean()


def test_search_finds_a_team_page(site: SiteBase, site_page) -> None:
    sp = site_page(site)
    page = sp.page
    sp.goto("index.html")
    box = page.locator("#site-search")
    box.fill("visitor badge")
    option = page.locator("#search-popup").get_by_role("option").filter(has_text="Audit logistics")
    expect(option).to_have_count(1)
    option.click()
    expect(page).to_have_url(site.url("pages/audit-logistics.html"))
    expect(page.locator("main h1")).to_have_text("Audit logistics")
    sp.assert_clean()
