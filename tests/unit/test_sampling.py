"""The certification body's view (issue 25), indicative: IAF MD 1 sample sizes, the sites a CB is likely to pick
and why, and IAF MD 5's QMS auditor-days, from the practice data with its sources.

Every expected number below is worked out by hand from the rules (docs/certification-practice.md), never by
the code under test: x is the number of sites other than the central function, which is visited on top.
"""

from __future__ import annotations

import fnmatch
import tomllib
from datetime import date
from pathlib import Path

import pytest
import yaml

from isoready.assess import sampling
from isoready.assess.sampling import Pick, SiteFacts, audit_days, likely_sites, sample_sizes

ROOT = Path(__file__).resolve().parents[2]
PRACTICE = ROOT / "isoready" / "standards" / "practice"

# --------------------------------------------------------------------------- IAF MD 1 sample sizes

#: sites alike (6.1): initial ceil(sqrt x), surveillance ceil(0.6 sqrt x), recertification ceil(0.8 sqrt x)
#:   x=2:   sqrt 1.414 -> 2; 0.849 -> 1; 1.131 -> 2   (the EA's worked answer, FAQ 46.5)
#:   x=4:   2 -> 2;  1.2 -> 2;  1.6 -> 2
#:   x=10:  3.162 -> 4; 1.897 -> 2; 2.530 -> 3
#:   x=25:  5 -> 5;  3.0 -> 3;  4.0 -> 4              (exact products stay put: no float creeps up)
#:   x=26:  5.099 -> 6 (the EA's FAQ 42.6); 3.059 -> 4; 4.079 -> 5
#:   x=100: 10; 6; 8        x=400: 20; 12; 16
ALIKE = {2: (2, 1, 2), 4: (2, 2, 2), 10: (4, 2, 3), 25: (5, 3, 4), 26: (6, 4, 5), 100: (10, 6, 8),
         400: (20, 12, 16)}
#: processes differ (6.2): every site at initial and recertification; 30 % of x per surveillance year, rounded up
#:   x=1: 0.3 -> 1;  x=2: 0.6 -> 1;  x=4: 1.2 -> 2;  x=10: 3;  x=26: 7.8 -> 8;  x=100: 30;  x=400: 120
DIFFER = {1: (1, 1, 1), 2: (2, 1, 2), 4: (4, 2, 4), 10: (10, 3, 10), 26: (26, 8, 26), 100: (100, 30, 100),
          400: (400, 120, 400)}


@pytest.mark.parametrize("x", sorted(ALIKE))
def test_sites_alike_are_sampled_by_the_square_root_rounded_up(x):
    sizes = sample_sizes(x, same_processes=True)
    assert (sizes.initial, sizes.surveillance, sizes.recertification) == ALIKE[x]
    assert (sizes.other_sites, sizes.method, sizes.basis) == (x, "sampling", "md1-sites-alike")
    assert sizes.provisional == ()  # the factors and the rounding are confirmed by two or more sources


@pytest.mark.parametrize("x", sorted(DIFFER))
def test_sites_that_differ_are_all_visited_and_thirty_percent_each_surveillance_year(x):
    sizes = sample_sizes(x, same_processes=False)
    assert (sizes.initial, sizes.surveillance, sizes.recertification) == DIFFER[x]
    assert (sizes.method, sizes.basis) == ("no-sampling", "md1-processes-differ")
    # "30 % of sites" read as of the sites other than the central function: our reading, so provisional
    assert sizes.provisional == ("no_sampling.surveillance_share_of",)


def test_one_site_besides_the_central_function_is_not_sampled_even_when_alike():
    sizes = sample_sizes(1, same_processes=True)
    assert (sizes.initial, sizes.surveillance, sizes.recertification) == (1, 1, 1)
    assert (sizes.method, sizes.basis) == ("no-sampling", "md1-one-other-site")
    assert "sampling.minimum_other_sites" in sizes.provisional


def test_the_central_function_is_on_top_of_every_count():
    sizes = sample_sizes(26, same_processes=True)
    assert [sizes.with_central(a) for a in ("initial", "surveillance", "recertification")] == [7, 5, 6]
    assert sample_sizes(0, same_processes=True).with_central("surveillance") == 1


def test_a_single_site_organisation_has_nothing_to_sample():
    sizes = sample_sizes(0, same_processes=False)
    assert (sizes.initial, sizes.surveillance, sizes.recertification, sizes.method, sizes.basis) == (
        0, 0, 0, "single-site", "md1-central-only")


@pytest.mark.parametrize("bad, error", [(-1, ValueError), (-40, ValueError), (2.0, TypeError), ("4", TypeError),
                                        (True, TypeError), (None, TypeError)])
def test_a_count_of_sites_that_is_not_a_whole_number_of_zero_or_more_is_refused(bad, error):
    with pytest.raises(error, match="sites other than the central function"):
        sample_sizes(bad, same_processes=True)


def test_an_unknown_audit_is_refused():
    with pytest.raises(ValueError, match="unknown audit 'stage 3'"):
        sample_sizes(4, True).size("stage 3")


# --------------------------------------------------------------------------- the sites a CB is likely to pick

HQ = SiteFacts("hq", central=True, last_audit=date(2026, 3, 1))
PLANTS = (
    SiteFacts("p01", last_audit=date(2026, 2, 1)),
    SiteFacts("p02", open_findings=1, last_audit=date(2026, 1, 1)),
    SiteFacts("p03", ready=False, last_audit=date(2025, 12, 1)),
    SiteFacts("p04", last_audit=date(2024, 5, 1)),
    SiteFacts("p05", open_findings=3, last_audit=date(2026, 4, 1)),
    SiteFacts("p06", new=True),
    SiteFacts("p07"),
    SiteFacts("p08", last_audit=date(2025, 6, 1)),
    SiteFacts("p09", last_audit=date(2026, 5, 1)),
    SiteFacts("p10", last_audit=date(2025, 9, 1)),
)
QUIET = tuple(SiteFacts(s.id, last_audit=s.last_audit, new=s.new) for s in PLANTS)  # no findings, all ready


def test_the_targeted_picks_go_to_findings_then_not_ready_and_a_quarter_is_left_to_chance():
    # x = 10 alike: initial 4 = 3 chosen + 1 random (25 % of 4 = 1)
    plan = likely_sites((HQ, *PLANTS), sample_sizes(10, True), "initial")
    assert plan.picks == (Pick("hq", "central-function"), Pick("p05", "open-findings"),
                          Pick("p02", "open-findings"), Pick("p03", "not-ready"))
    assert (plan.size, plan.random_count) == (4, 1)
    assert plan.random_pool == ("p01", "p04", "p06", "p07", "p08", "p09", "p10")


def test_without_findings_the_longest_unvisited_and_new_sites_come_first():
    plan = likely_sites((*QUIET, HQ), sample_sizes(10, True), "initial")
    assert plan.picks == (Pick("hq", "central-function"), Pick("p06", "new-site"), Pick("p07", "not-yet-audited"),
                          Pick("p04", "least-recently-audited"))
    # recertification: 3 = 2 chosen + 1 random (25 % of 3 = 0.75 -> 1)
    plan = likely_sites((*QUIET, HQ), sample_sizes(10, True), "recertification")
    assert [p.site for p in plan.picks] == ["hq", "p06", "p07"] and plan.random_count == 1


def test_a_sample_of_one_is_left_wholly_to_chance():
    # x = 2 alike: each surveillance visits 1 site; at least 25 % of 1 is that site
    plan = likely_sites((HQ, *PLANTS[:2]), sample_sizes(2, True), "surveillance")
    assert plan.picks == (Pick("hq", "central-function"),)
    assert (plan.random_count, plan.random_pool) == (1, ("p01", "p02"))


def test_when_every_site_is_visited_each_is_picked_and_nothing_is_random():
    plan = likely_sites((HQ, *PLANTS), sample_sizes(10, False), "initial")
    assert plan.picks[0] == Pick("hq", "central-function")
    assert {p.code for p in plan.picks[1:]} == {"every-site"} and len(plan.picks) == 11
    assert (plan.random_count, plan.random_pool) == (0, ())


def test_without_sampling_a_surveillance_year_goes_to_the_sites_that_most_need_a_visit():
    plan = likely_sites((HQ, *PLANTS), sample_sizes(10, False), "surveillance")
    assert plan.picks[1:] == (Pick("p05", "open-findings"), Pick("p02", "open-findings"), Pick("p03", "not-ready"))
    assert plan.random_count == 0 and len(plan.random_pool) == 7


def test_the_picks_do_not_depend_on_the_order_the_sites_come_in():
    sizes = sample_sizes(10, True)
    assert likely_sites((HQ, *PLANTS), sizes, "surveillance") == likely_sites(
        tuple(reversed((HQ, *PLANTS))), sizes, "surveillance")


def test_sites_that_do_not_match_the_sizes_are_refused():
    with pytest.raises(ValueError, match="9 sites other than the central function, but the sizes are for 10"):
        likely_sites((HQ, *PLANTS[:9]), sample_sizes(10, True), "initial")
    with pytest.raises(ValueError, match="more than one site is the central function"):
        likely_sites((HQ, SiteFacts("hq2", central=True), *PLANTS), sample_sizes(10, True), "initial")
    with pytest.raises(ValueError, match="two sites share an id"):
        likely_sites((HQ, *PLANTS[:9], PLANTS[0]), sample_sizes(10, True), "initial")
    with pytest.raises(ValueError, match="unknown audit"):
        likely_sites((HQ, *PLANTS), sample_sizes(10, True), "stage2")


# --------------------------------------------------------------------------- IAF MD 5 QMS auditor-days

#: Table QMS 1 as the cited sources give it (iaf-md5-qms.yaml's gost-54318-2021, the EA's FAQ 42.6 for 5 and 15
#: people, SPM Group for the first four bands): each band's first and last count -> stage 1 + stage 2 days
TABLE = [(1, 5, 1.5), (6, 10, 2), (11, 15, 2.5), (16, 25, 3), (26, 45, 4), (46, 65, 5), (66, 85, 6), (86, 125, 7),
         (126, 175, 8), (176, 275, 9), (276, 425, 10), (426, 625, 11), (626, 875, 12), (876, 1175, 13),
         (1176, 1550, 14), (1551, 2025, 15), (2026, 2675, 16), (2676, 3450, 17), (3451, 4350, 18),
         (4351, 5450, 19), (5451, 6800, 20), (6801, 8500, 21), (8501, 10700, 22)]


@pytest.mark.parametrize("low, high, days", TABLE)
def test_the_initial_audit_days_are_the_bands_at_both_edges(low, high, days):
    for n in (low, high):
        got = audit_days(n)
        assert (got.stage1_plus_stage2, got.band, got.basis) == (days, (low, high), "md5-qms-table"), n


#: a third each surveillance year and two thirds at recertification, to the nearest half day:
#:   1.5 -> 0.5, 1.0;  2 -> 0.67 -> 0.5, 1.33 -> 1.5;  2.5 -> 0.83 -> 1.0, 1.67 -> 1.5;  3 -> 1.0, 2.0;
#:   4 -> 1.33 -> 1.5, 2.67 -> 2.5;  7 -> 2.33 -> 2.5, 4.67 -> 4.5;  13 -> 4.33 -> 4.5, 8.67 -> 8.5;
#:   22 -> 7.33 -> 7.5, 14.67 -> 14.5
LATER = {3: (1.5, 0.5, 1.0), 8: (2, 0.5, 1.5), 12: (2.5, 1.0, 1.5), 20: (3, 1.0, 2.0), 30: (4, 1.5, 2.5),
         100: (7, 2.5, 4.5), 1000: (13, 4.5, 8.5), 10000: (22, 7.5, 14.5)}


@pytest.mark.parametrize("n", sorted(LATER))
def test_surveillance_is_a_third_and_recertification_two_thirds_to_the_half_day(n):
    got = audit_days(n)
    assert (got.stage1_plus_stage2, got.surveillance, got.recertification) == LATER[n]


def test_what_rests_on_a_single_source_is_named_provisional():
    small, large = audit_days(20), audit_days(30)
    assert "recertification_share" in small.provisional and "rounding" in small.provisional
    assert not any(p.startswith("qms_table.") for p in small.provisional)  # 16-25: two sources agree
    assert "qms_table.26-45" in large.provisional  # one citable source


def test_the_bands_two_sources_confirm_are_the_ones_not_provisional():
    """docs/certification-practice.md names them: the four bands up to 25 people, and 46-65 (GOST R 54318-2021's
    table and UICEC's worked example of 65 people at 5 days); every other band rests on the GOST table alone."""
    table = yaml.safe_load((PRACTICE / "iaf-md5-qms.yaml").read_text(encoding="utf-8"))["qms_table"]
    assert [(r["from"], r["to"]) for r in table if not r["provisional"]] == [(1, 5), (6, 10), (11, 15), (16, 25),
                                                                              (46, 65)]
    assert not any(p.startswith("qms_table.") for p in audit_days(65).provisional)
    assert audit_days(65).stage1_plus_stage2 == 5 and audit_days(15).stage1_plus_stage2 == 2.5
    assert "qms_table.66-85" in audit_days(66).provisional


def test_beyond_the_table_no_figure_is_invented():
    got = audit_days(10701)
    assert (got.stage1_plus_stage2, got.surveillance, got.recertification) == (None, None, None)
    assert (got.band, got.basis, got.provisional) == ((10701, None), "md5-beyond-table", ("beyond_table.figure",))


@pytest.mark.parametrize("bad, error", [(0, ValueError), (-5, ValueError), (2.5, TypeError), (False, TypeError),
                                        ("12", TypeError)])
def test_personnel_that_is_not_a_whole_number_of_one_or_more_is_refused(bad, error):
    with pytest.raises(error, match="effective number of personnel"):
        audit_days(bad)


# --------------------------------------------------------------------------- the data and its sources

def _values(node, where=""):
    """Every {value: ...} leaf of a data file, with where it is."""
    if isinstance(node, dict):
        if "value" in node:
            yield where, node
        for key, sub in node.items():
            if key != "value":
                yield from _values(sub, f"{where}.{key}".strip("."))
    elif isinstance(node, list):
        for i, sub in enumerate(node):
            yield from _values(sub, f"{where}[{i}]")


@pytest.mark.parametrize("name", ["iaf-md1.yaml", "iaf-md5-qms.yaml"])
def test_every_figure_names_its_sources_and_whether_it_is_provisional(name):
    data = yaml.safe_load((PRACTICE / name).read_text(encoding="utf-8"))
    known = {s["id"] for s in data["sources"]}
    for source in data["sources"]:
        assert source["looked_at"] and source["title"] and source["supports"], source["id"]
        assert source.get("url", "").startswith(("http://", "https://")) or source.get("path"), source["id"]
    rows = [*_values(data), *((f"qms_table[{i}]", r) for i, r in enumerate(data.get("qms_table", ())))]
    rows += [(f"selection_criteria[{i}]", r) for i, r in enumerate(data.get("selection_criteria", ()))]
    assert rows
    for where, row in rows:
        assert isinstance(row.get("provisional"), bool), where
        assert set(row["sources"]) <= known, (where, set(row["sources"]) - known)
        # a confirmed figure has two sources agreeing; one source, or none (our reading), is provisional
        assert row["provisional"] or len(row["sources"]) >= 2, where
        assert row["sources"] or row.get("note"), f"{where}: our own reading needs a note"


def test_the_table_bands_follow_each_other_without_gap_or_overlap():
    table = yaml.safe_load((PRACTICE / "iaf-md5-qms.yaml").read_text(encoding="utf-8"))["qms_table"]
    assert table[0]["from"] == 1
    assert all(a["to"] + 1 == b["from"] and a["days"] < b["days"] for a, b in zip(table, table[1:]))


def test_the_wheel_ships_the_practice_data():
    globs = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"]["isoready"]
    for path in sorted(PRACTICE.glob("*.yaml")):
        rel = path.relative_to(ROOT / "isoready").as_posix()
        assert any(fnmatch.fnmatch(rel, g) for g in globs), rel
    assert sampling.practice_data("iaf-md1.yaml")["document"]["id"] == "iaf-md1"


def test_the_docs_table_shows_the_same_sizes():
    """docs/certification-practice.md's worked table is the rule's, as the tests above hold it."""
    text = (ROOT / "docs" / "certification-practice.md").read_text(encoding="utf-8")
    section = text.split("## 11. Multi-site sampling and audit time (indicative)", 1)[1].split("\n## ", 1)[0]
    rows = {line.split(" | ")[0].lstrip("| "): [int(c) for c in line.rstrip(" |").split(" | ")[1:]]
            for line in section.splitlines() if line.startswith("| ") and "---" not in line}
    xs = rows.pop("x (other sites)")
    assert xs == [1, 2, 4, 10, 26, 100, 400]
    alike = {**ALIKE, 1: (1, 1, 1)}
    assert rows == {"initial, alike": [alike[x][0] for x in xs], "each surveillance, alike": [alike[x][1] for x in xs],
                    "recertification, alike": [alike[x][2] for x in xs],
                    "surveillance year, processes differ": [DIFFER[x][1] for x in xs]}


def test_a_chosen_site_that_is_new_is_named_new_even_when_not_ready() -> None:
    # before certification most sites are not ready: "not ready" would hide that a site is new
    sites = (HQ, SiteFacts("p1", ready=False, last_audit=date(2026, 1, 1)), SiteFacts("p2", ready=False, new=True),
             SiteFacts("p3", ready=False, last_audit=date(2026, 2, 1)), SiteFacts("p4", ready=False,
                                                                                  last_audit=date(2026, 3, 1)))
    plan = likely_sites(sites, sample_sizes(4, True), "initial")  # 2 = 1 chosen + 1 random
    assert plan.picks == (Pick("hq", "central-function"), Pick("p2", "new-site"))
    assert plan.random_pool == ("p1", "p3", "p4")
