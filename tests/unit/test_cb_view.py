"""The certification body's view of a multi-site organisation (issue 25), as a reader meets it: the stages page's
section (IAF MD 1's sample per audit and its method, the sites likely to be picked and why, IAF MD 5's auditor-days,
labelled indicative, with sources), the same figures as readiness.json's ``sampling``, and the workbook's Sites
sheet against readiness.json's ``sites``. A project of one site shows none of it.

The multi-site example (examples/multi-site: a central function and 5 plants, alike) is built once; a copy whose
plants run different processes is built once more.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from isoready.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "multi-site"
AS_OF = "2026-12-06"
SECTION = re.compile(r'<section class="cb cb-view" id="cb-view".*?</section>', re.S)
ROW = re.compile(r'<tr><th scope="row">([^<]+)</th><td>(\d+)</td><td>(\d+)</td><td>(.*?)</td></tr>', re.S)
PICK = re.compile(r'<li><strong>([^<]+)</strong> <span class="muted">\(([^)]+)\)</span>: ([^<]+)</li>')
RANDOM = re.compile(r'<p class="cb-random">(\d+) more sites? drawn at random by the certification body from: '
                    r'([^,<]+(?:, [^,<]+)*), so each of them should be ready\.</p>')
DAYS = re.compile(r'<tr><th scope="row">([^<]+)</th><td>([\d.]+)</td></tr>')


def _build(root: Path, out: Path) -> Path:
    assert main(["build", "--root", str(root), "--as-of", AS_OF, "--output", str(out), "--no-cache"]) == 0
    return out


@pytest.fixture(scope="module")
def alike(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(EXAMPLE, tmp_path_factory.mktemp("alike") / "out")


@pytest.fixture(scope="module")
def differ(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("differ") / "project"
    shutil.copytree(EXAMPLE, root, symlinks=True)
    org = root / "content" / "organisation.yaml"
    text = org.read_text(encoding="utf-8")
    brno = "processes: [milling, turning, deburring, inspection, dispatch]}\n  - {id: tampere"
    assert brno in text
    org.write_text(text.replace(brno, "processes: [milling, turning, anodising, inspection, dispatch]}\n"
                                      "  - {id: tampere"), encoding="utf-8")
    return _build(root, root.parent / "out")


def _section(out: Path) -> str:
    found = SECTION.findall((out / "stages.html").read_text(encoding="utf-8"))
    assert len(found) == 1
    return found[0]


def _plain(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _readiness(out: Path) -> dict:
    return json.loads((out / "readiness.json").read_text(encoding="utf-8"))


def _table(section: str) -> list[tuple[str, int, int, list[tuple[str, str, str]], tuple[int, list[str]]]]:
    """The plan's rows: (audit label, sites other than the central function, visits in all, picks, random)."""
    rows = []
    for label, others, visits, cell in ROW.findall(section):
        drawn = RANDOM.search(cell)
        rows.append((html.unescape(label), int(others), int(visits),
                     [tuple(html.unescape(x) for x in p) for p in PICK.findall(cell)],
                     (int(drawn[1]), drawn[2].split(", ")) if drawn else (0, [])))
    return rows


def test_the_stages_page_shows_the_cb_view_labelled_indicative_with_its_method_and_sources(alike: Path) -> None:
    section = _section(alike)
    text = _plain(section)
    assert "The certification body's view (indicative)" in text
    assert "Indicative. How a certification body is likely to plan its audits of this multi-site organisation" in text
    assert ("Method IAF MD 1 §6.1, sampling: the sites other than the central function list the same processes, so "
            "a certification body visits a sample of them: √x at the initial audit, 0.6 √x at each surveillance "
            "audit and 0.8 √x at recertification, each rounded up (x = 5).") in text
    assert ("Central function Group office, Denholm (group-office), visited at every audit on top of the sample."
            in text)
    # the sources, as text with their addresses (the PDF keeps its links inside itself)
    assert "https://european-accreditation.org/sp_accordion_faqs/question-46-5-iaf-md1-sampling-size/" in text
    assert "Table QMS-1: http://csmonolit.ru/services/nsa/tarify" in text
    assert text.count("FAQ 42.6") == 1  # a source of both documents is listed once
    assert "Provisional: " in text and 'href="http' not in section


def test_the_sample_per_audit_and_the_likely_picks_and_why(alike: Path) -> None:
    rows = _table(_section(alike))
    # x = 5 alike: ceil(sqrt 5) = 3, ceil(0.6 sqrt 5) = ceil(1.34) = 2, ceil(0.8 sqrt 5) = ceil(1.79) = 2;
    # a quarter of each sample (rounded up) is left to chance: 1 of 3, 1 of 2
    assert [(r[0], r[1], r[2]) for r in rows] == [("Initial certification (stage 1 + stage 2)", 3, 4),
                                                 ("Each surveillance audit", 2, 3), ("Recertification", 2, 3)]
    label, _, _, picks, drawn = rows[0]
    assert picks == [("Group office, Denholm", "group-office", "the central function: visited at every audit"),
                     ("Denholm plant", "denholm", "7 open findings at the site"),
                     ("Brno plant", "brno", "5 open findings at the site")]
    assert drawn == (1, ["carlow", "leeds", "tampere"])
    assert rows[1][3][1:] == [("Denholm plant", "denholm", "7 open findings at the site")]
    assert rows[1][4] == (1, ["brno", "carlow", "leeds", "tampere"])


def test_the_auditor_days_from_effective_personnel(alike: Path) -> None:
    section = _section(alike)
    # 24 + 46 + 38 + 52 + 21 + 17 = 198 people: band 176-275 of Table QMS 1, 9 days; a third 3, two thirds 6
    assert DAYS.findall(section) == [("Initial certification (stage 1 + stage 2)", "9"),
                                     ("Each surveillance year", "3"), ("Recertification", "6")]
    assert "From 198 effective personnel (the sum of the sites' employees), in the band 176 to 275 of IAF MD 5's " \
           "QMS table" in _plain(section)


@pytest.mark.parametrize("which", ["alike", "differ"])
def test_the_page_and_readiness_json_agree(which: str, request: pytest.FixtureRequest) -> None:
    out = request.getfixturevalue(which)
    sampling = _readiness(out)["sampling"]
    section = _section(out)
    rows = _table(section)
    assert [r[1] for r in rows] == [sampling[a] for a in ("initial", "surveillance", "recertification")]
    for row, plan in zip(rows, sampling["sites_likely"]):
        _, others, visits, picks, (random_count, pool) = row
        assert others == plan["size"]
        assert visits == plan["size"] + sum(p["code"] == "central-function" for p in plan["picks"])
        assert [p[1] for p in picks] == [p["site"] for p in plan["picks"]]
        assert (random_count, pool) == ((plan["random_count"], plan["random_pool"]) if plan["random_count"]
                                        else (0, []))
    days = sampling["audit_days"]
    assert [float(d) for _, d in DAYS.findall(section)] == [days["stage1_plus_stage2"], days["surveillance"],
                                                             days["recertification"]]


def test_sites_whose_processes_differ_are_every_site_and_thirty_percent_a_year(differ: Path) -> None:
    sampling = _readiness(differ)["sampling"]
    # x = 5, processes differ (6.2): every site at the initial audit and recertification; 30 % of 5 = 1.5 -> 2
    assert (sampling["initial"], sampling["surveillance"], sampling["recertification"], sampling["method"],
            sampling["basis"]) == (5, 2, 5, "no-sampling", "md1-processes-differ")
    section = _section(differ)
    assert ("Method IAF MD 1 §6.2, no sampling: the sites' processes differ, so a certification body visits every "
            "site at the initial audit and at recertification, and 30 % of them (rounded up) in each surveillance "
            "year (x = 5).") in _plain(section)
    rows = _table(section)
    assert [(r[0], r[1], r[2]) for r in rows] == [("Initial certification (stage 1 + stage 2)", 5, 6),
                                                 ("Each surveillance year", 2, 3), ("Recertification", 5, 6)]
    assert {why for _, _, why in rows[0][3][1:]} == {"every site is visited at this audit"}
    # a surveillance year's share goes wholly to the sites that most need a visit: nothing random
    assert [p[1] for p in rows[1][3]] == ["group-office", "denholm", "brno"] and rows[1][4] == (0, [])


def test_the_sites_sheet_holds_each_site_as_readiness_json_does(alike: Path) -> None:
    wb = load_workbook(alike / "checklist.xlsx")
    assert wb.sheetnames[:6] == ["Checklist", "Findings", "Evidence", "Coverage", "Gates", "Sites"]
    ws = wb["Sites"]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0][0] == "Sites: Kestrel Precision Group"
    assert rows[3] == ["Site", "Name", "Country", "Employees", "Central function", "Verdict", "Ready %", "At risk %",
                       "Not ready %", "Open findings", "Last internal audit", "Blockers"]
    body = {r[0]: dict(zip(rows[3], r)) for r in rows[4:]}
    sites = _readiness(alike)["sites"]
    assert list(body) == [s["id"] for s in sites]
    for s in sites:
        row = body[s["id"]]
        assert (row["Name"], row["Employees"], row["Central function"]) == (
            s["name"], s["employees"], "yes" if s["central"] else "no")
        shares = s["readiness"]
        assert (row["Ready %"], row["At risk %"], row["Not ready %"]) == (
            round(shares["ready_share"] * 100), round(shares["at_risk_share"] * 100),
            round(shares["not_ready_share"] * 100))
        assert row["Blockers"] == len(s["blockers"])
    assert body["leeds"]["Country"] == "United Kingdom" and body["brno"]["Country"] == "Czechia"
    assert body["leeds"]["Not ready %"] == 22  # 13 of 59 applicable clauses
    assert body["leeds"]["Last internal audit"] == "none"  # not yet audited: said, not left blank
    assert body["carlow"]["Last internal audit"].date().isoformat() == "2026-10-07"  # a real Excel date
    assert {row["Verdict"] for row in body.values()} == {"fails stage 2"}
    # the open findings the CB plan weighs: the initial audit's targeted picks have the most
    assert (body["denholm"]["Open findings"], body["brno"]["Open findings"]) == (7, 5)
    assert ws.freeze_panes == "C5" and ws.auto_filter.ref == "A4:L10"


def test_a_project_of_one_site_has_no_cb_view_and_no_sites_sheet(minimal_project: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["build", "--root", str(minimal_project), "--as-of", "2026-11-01", "--output", str(out),
                 "--no-cache"]) == 0
    page = (out / "stages.html").read_text(encoding="utf-8")
    assert "cb-view" not in page and "certification body's view" not in page
    assert "Sites" not in load_workbook(out / "checklist.xlsx").sheetnames
    assert "sampling" not in _readiness(out)


def _variant(tmp_path: Path, change) -> Path:  # noqa: ANN001
    root = tmp_path / "project"
    shutil.copytree(EXAMPLE, root, symlinks=True)
    org = root / "content" / "organisation.yaml"
    org.write_text(change(org.read_text(encoding="utf-8")), encoding="utf-8")
    return _build(root, tmp_path / "out")


def test_without_employees_no_auditor_days_are_guessed(tmp_path: Path) -> None:
    out = _variant(tmp_path, lambda text: re.sub(r" employees: \d+,", "", text))
    assert _readiness(out)["sampling"]["audit_days"] is None
    section = _section(out)
    assert DAYS.findall(section) == [] and 'class="data cb-days"' not in section
    assert ("Not known: no site gives its employees, so no auditor-days are given rather than a guess."
            in _plain(section))


def test_beyond_the_table_the_cb_calculates(tmp_path: Path) -> None:
    out = _variant(tmp_path, lambda text: text.replace("employees: 52,", "employees: 12000,"))
    days = _readiness(out)["sampling"]["audit_days"]
    assert (days["effective_personnel"], days["basis"], days["stage1_plus_stage2"]) == (12146, "md5-beyond-table",
                                                                                        None)
    section = _section(out)
    assert DAYS.findall(section) == []
    assert ("12146 effective personnel is beyond IAF MD 5's QMS table (10701 or more): the table only says to "
            "follow its progression, so no figure is given; the certification body calculates it.") in _plain(section)


def test_a_public_build_that_publishes_no_findings_weighs_none(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["build", "--root", str(EXAMPLE), "--as-of", AS_OF, "--output", str(out), "--no-cache",
                 "--audience", "public"]) == 0
    data = _readiness(out)
    assert data["findings"] == []  # the example does not publish its findings to the public
    codes = {p["code"] for plan in data["sampling"]["sites_likely"] for p in plan["picks"]}
    assert "open-findings" not in codes
    # with no finding weighed, Leeds (added 2026-10-05, never audited) comes first, named as the new site
    assert [p["site"] for p in data["sampling"]["sites_likely"][0]["picks"]] == ["group-office", "leeds", "brno"]
    assert {plan["picks"][1]["code"] for plan in data["sampling"]["sites_likely"]} == {"new-site"}
    section = _section(out)
    assert "open finding" not in section
    assert ("<li><strong>Leeds plant (opened October 2026)</strong> <span class=\"muted\">(leeds)</span>: a new "
            "site: added within the last 12 months, or since the last certification audit</li>") in section
    assert [p[1] for p in _table(section)[0][3]] == [p["site"] for p in data["sampling"]["sites_likely"][0]["picks"]]
    ws = load_workbook(out / "checklist.xlsx")["Sites"]
    # no finding is counted: the sheet says so in the sites table's words
    assert {r[9] for r in ws.iter_rows(min_row=5, values_only=True)} == {"not published"}


SITE_ROW = re.compile(r'<tr id="site-([a-z0-9-]+)"[^>]*>\s*<th scope="row"[^>]*><a [^>]*>([^<]+)</a>.*?'
                      r'(?:<span class="muted">([^<,]+)(?:, [^<]*)?</span>)?</th>.*?<td data-label="Stage 2">'
                      r'<span class="badge [^"]+">([^<]+)</span></td>.*?<li>Ready: (\d+)%</li><li>At risk: (\d+)%</li>'
                      r'<li>Not ready: (\d+)%</li>.*?<td data-label="Open findings">([^<]+)</td>\s*'
                      r'<td data-label="Last internal audit">(?:<time datetime="([\d-]+)">|<span class="muted">)', re.S)


@pytest.mark.parametrize("audience", ["auditor", "public"])
def test_the_sites_sheet_and_the_sites_table_give_the_same_figures(alike: Path, tmp_path: Path,
                                                                   audience: str) -> None:
    """One row per site (views/sitepages.py site_row) behind both: name, country, stage 2, shares, open findings
    (or the words saying they are not published) and the last internal audit agree cell by cell."""
    out = alike
    if audience == "public":
        out = tmp_path / "out"
        assert main(["build", "--root", str(EXAMPLE), "--as-of", AS_OF, "--output", str(out), "--no-cache",
                     "--audience", "public"]) == 0
    table = {m[0]: m for m in SITE_ROW.findall((out / "sites.html").read_text(encoding="utf-8"))}
    rows = [list(r) for r in load_workbook(out / "checklist.xlsx")["Sites"].iter_rows(min_row=5, values_only=True)]
    assert [r[0] for r in rows] == list(table) == ["group-office", "denholm", "carlow", "brno", "tampere", "leeds"]
    for r in rows:
        site, name, country, stage2, ready, at_risk, not_ready, findings, last = table[r[0]]
        assert (r[1], r[2]) == (html.unescape(name), country)
        assert r[5] == ("passes stage 2" if stage2 == "Passes" else "fails stage 2")
        assert (r[6], r[7], r[8]) == (int(ready), int(at_risk), int(not_ready))
        assert str(r[9]) == findings
        assert (r[10].date().isoformat() if r[10] != "none" else "") == last
    if audience == "auditor":
        assert table["denholm"][7] == "7" and table["leeds"][8] == ""
    else:
        assert {t[7] for t in table.values()} == {"not published"}


def _search_index(out: Path) -> list[dict[str, str]]:
    text = (out / "search-index.js").read_text(encoding="utf-8")
    assert text.startswith("window.PORTAL_SEARCH=") and text.endswith(";\n")
    return json.loads(text[len("window.PORTAL_SEARCH="):-2])


def test_the_search_index_holds_the_sites_table_and_each_site_page(alike: Path) -> None:
    entries = _search_index(alike)
    sites = [e for e in entries if e["type"] == "Site"]
    assert [(e["id"], e["url"]) for e in sites] == [
        ("group-office", "sites/group-office.html"), ("denholm", "sites/denholm.html"),
        ("carlow", "sites/carlow.html"), ("brno", "sites/brno.html"), ("tampere", "sites/tampere.html"),
        ("leeds", "sites/leeds.html")]
    brno = next(e for e in sites if e["id"] == "brno")
    assert (brno["title"], brno["facts"]) == ("Brno plant", "Country: Czechia")
    assert next(e for e in sites if e["id"] == "group-office")["facts"] == "Country: United Kingdom · Central function"
    table = next(e for e in entries if e["url"] == "sites.html")
    assert (table["type"], table["title"]) == ("Page", "Sites") and "Tampere plant" in table["text"]
    for e in sites:  # each entry's page exists
        assert (alike / e["url"]).is_file()


def test_a_project_of_one_site_has_no_site_in_its_search_index(minimal_project: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["build", "--root", str(minimal_project), "--as-of", "2026-11-01", "--output", str(out),
                 "--no-cache"]) == 0
    entries = _search_index(out)
    assert not [e for e in entries if e["type"] == "Site" or e["url"].startswith("sites")]


def test_the_gap_reports_open_findings_carry_their_sites_for_the_filter(alike: Path) -> None:
    page = (alike / "gaps.html").read_text(encoding="utf-8")
    assert '<div class="site-filter" data-target="gap-rows" data-also="gap-findings" hidden>' in page
    table = re.search(r'<table class="data findings-table stack" id="gap-findings">.*?</table>', page, re.S).group(0)
    by_id = {m[1]: m[0] for m in re.findall(r'<tr class="finding-open[^"]*" data-sites="([^"]+)">\s*<td[^>]*>'
                                            r'<a [^>]*>[^<]*</a> <code class="id">([^<]+)</code>', table)}
    assert by_id["BR-2026-01"] == "brno" and by_id["IA-2026-02"] == "group-office"
    assert by_id["GA-2026-01"] == "group-office denholm carlow brno tampere leeds"  # no sites: every site
    assert len(by_id) == table.count('<tr class="finding-open')  # every open finding row carries its sites
