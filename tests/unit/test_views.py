"""View-models: what pages print, computed before rendering."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from isoready.assess import assess
from isoready.read.catalog import load_catalog
from isoready.model import Assessment, Organisation, Project
from isoready.views import build_site

CAT = load_catalog()


def site_for(assessments=(), audits=None, as_of=date(2026, 11, 24)):
    org = Organisation(name="Org", audits=audits or {})
    p = Project(root=Path("."), organisation=org, catalog=CAT, evidence=(), assessments=tuple(assessments),
                findings=(), documents=())
    return build_site(p, assess(p, as_of))


def dashboard(site):
    return site.models("index")[0]


def clauses(site):
    return site.models("clause")


def test_audit_countdown():
    site = site_for(audits={"stage1": date(2027, 1, 19), "stage2": date(2026, 11, 24)})
    assert [(a.name, a.date, a.countdown) for a in dashboard(site).audits] == [
        ("stage 2", "2026-11-24", "today"), ("stage 1", "2027-01-19", "in 56 days")]
    assert site.models("stages")[0].audits == dashboard(site).audits
    past = site_for(audits={"stage1": date(2026, 11, 23)})
    assert dashboard(past).audits[0].countdown == "1 day ago"


def test_targets_after_a_planned_audit_are_flagged():
    a = [Assessment("7.1.2", "planned", "x", target=date(2027, 2, 1)),
         Assessment("7.1.3", "planned", "x", target=date(2027, 1, 10))]
    site = site_for(a, audits={"stage1": date(2027, 1, 19), "stage2": date(2027, 3, 2)})
    warnings = {t.clause.number: t.warning for t in dashboard(site).targets}
    assert warnings == {"7.1.3": "", "7.1.2": "target falls after the stage 1 audit on 2027-01-19"}
    clause = next(c for c in clauses(site) if c.number == "7.1.2")
    assert clause.target_after_audit == "target falls after the stage 1 audit on 2027-01-19"


def test_inherited_status_shows_the_owner_and_target_of_the_assessment_that_applies():
    site = site_for([Assessment("8.4", "in-progress", "x", owner="Purchasing Manager", target=date(2026, 12, 1))])
    leaf = next(c for c in clauses(site) if c.number == "8.4.1")
    assert (leaf.status, leaf.owner, leaf.target, leaf.status_from.number) == (
        "in-progress", "Purchasing Manager", "2026-12-01", "8.4")


def test_clause_4_1_guidance_reminds_of_the_climate_change_decision():
    clause = next(c for c in clauses(site_for()) if c.number == "4.1")
    assert "climate change" in clause.about.lower()
    assert any("climate" in item.lower() for item in clause.evidence_asked)


def test_page_addresses_are_quoted_exactly_as_urllib_quotes_them() -> None:
    """A page's or document's address skips urllib's quote when the text has nothing to encode (labels.quote_path):
    the address is the same for any text, ids in any script, spaces, '%', '?', '#' and '/' included."""
    from urllib.parse import quote

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from isoready.views.labels import document_url, evidence_url, quote_path

    @given(st.text(alphabet=st.characters(codec="utf-8"), max_size=20)
           | st.text(alphabet="aZ09_.~/-%?# é\n", max_size=20))
    @settings(max_examples=400, deadline=None)
    def same(text: str) -> None:
        assert quote_path(text) == quote(text, safe="/")

    same()
    assert evidence_url("QM-01 v2/é") == "evidence/QM-01%20v2/%C3%A9.html"
    assert document_url("a b/c~d_e.pdf") == "files/a%20b/c~d_e.pdf"
    assert evidence_url("TR-7") == "evidence/TR-7.html"
