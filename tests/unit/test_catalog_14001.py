"""The ISO 14001:2015 catalogue (isoready/standards/iso14001/iso14001-2015.yaml): read by the same loader as ISO 9001.

It is data only for now: not a selectable standard (the loader for several standards comes later), so the
file is read through catalog.parse_catalog and the raw YAML, never through load_catalog.
"""

from __future__ import annotations

import re
from importlib import resources

import pytest
import yaml

from isoready.read import catalog
from isoready.read.catalog import parse_catalog

FILE = "iso14001-2015.yaml"
TEXT = resources.files("isoready").joinpath("standards", "iso14001", FILE).read_text(encoding="utf-8")
RAW = yaml.safe_load(TEXT)
CAT = parse_catalog(TEXT)
Q2015 = catalog.load_catalog("ISO 9001:2015")
SOURCE_IDS = {s["id"] for s in RAW["sources"]}
ROWS = {str(r["number"]): r for r in RAW["clauses"]}

#: Harmonized Structure clauses that carry the same number in ISO 9001:2015 and ISO 14001:2015
HS_SHARED = ["4", "4.1", "4.2", "4.3", "4.4", "5", "5.1", "5.2", "5.3", "6", "6.1", "6.2",
             "7", "7.1", "7.2", "7.3", "7.4", "7.5", "8", "8.1", "9", "9.1", "9.2", "9.3",
             "10", "10.1", "10.2", "10.3"]
#: of those, the ones whose title is the same in both (4.3, 4.4, 5.2 and 6.2 name the discipline)
SAME_TITLE = ["4.1", "4.2", "5.1", "5.3", "6.1", "7.1", "7.2", "7.3", "7.4", "7.5", "8.1", "9.1", "9.2",
              "9.3", "10.1", "10.2", "10.3"]
#: clauses only ISO 14001 has, with their titles
SPECIFIC = {
    "6.1.2": "Environmental aspects",
    "6.1.3": "Compliance obligations",
    "6.1.4": "Planning action",
    "8.2": "Emergency preparedness and response",
    "9.1.2": "Evaluation of compliance",
}
#: the mandatory documented information of ISO 14001:2015 as researched: clause -> maintain | retain
MANDATORY = {
    "4.3": "maintain",  # scope
    "5.2": "maintain",  # environmental policy
    "6.1.1": "maintain",  # risks and opportunities, planning processes
    "6.1.2": "maintain",  # aspects, impacts, significance criteria, significant aspects
    "6.1.3": "maintain",  # compliance obligations
    "6.2.1": "maintain",  # environmental objectives (provisional: one source says retain)
    "7.2": "retain",  # evidence of competence
    "7.4.1": "retain",  # evidence of communications
    "8.1": "maintain",  # operational control
    "8.2": "maintain",  # emergency preparedness and response
    "9.1.1": "retain",  # monitoring results
    "9.1.2": "retain",  # evaluation of compliance
    "9.2.2": "retain",  # audit programme and results
    "9.3": "retain",  # management review results
    "10.2": "retain",  # nonconformities and corrective action
}
CONFIDENCE = {"confirmed", "one-source", "provisional"}
#: wording of the standard our guidance must never reproduce (short, distinctive, compared case-insensitively)
ISO_PHRASES = ["shall", "the organization shall", "persons doing work under the organization's control",
               "available as documented information", "intended outcomes of its environmental management system",
               "maintain knowledge and understanding of its compliance status", "as evidence of",
               "can control and those that it can influence", "prevent or mitigate adverse environmental impacts"]


def _own_words(c) -> list[str]:
    return [c.about, *c.evidence_asked, *(d.what for d in c.documented_information), c.label or ""]


def test_the_file_is_read_by_the_catalog_loader():
    assert CAT.standard == "ISO 14001:2015"
    assert CAT.amendments == ("ISO 14001:2015/Amd 1:2024",)
    assert len(CAT.clauses) == len(RAW["clauses"]) == len(CAT.by_number)  # numbers are unique
    assert CAT.provisional_note and "licensed copy" in CAT.provisional_note


def test_a_selectable_standard():
    """A standard package since issue 23: discovered, and its catalog loads with its gate checks and roles."""
    assert "ISO 14001:2015" in catalog.CATALOG_FILES
    loaded = catalog.load_catalog("ISO 14001:2015")
    assert loaded.clauses == CAT.clauses
    assert loaded.role("review") == "9.3" and loaded.role("review_inputs") is None
    # the gate checks of ISO 9001 but edition-accepted: the move to 14001's 2026 edition is not modelled yet
    assert [g.id for g in loaded.gates] == [g.id for g in catalog.load_catalog().gates if g.id != "edition-accepted"]


def test_every_main_clause_4_to_10_is_present_and_every_parent_exists():
    mains = [c.number for c in CAT.clauses if c.parent is None]
    assert mains == [str(n) for n in range(4, 11)]
    for c in CAT.clauses:
        if c.parent:
            assert c.parent in CAT.by_number, c.number
            assert c.number.startswith(c.parent + "."), c.number
        assert c.exclusion == "never", c.number  # 14001 has no "not applicable" test
        assert c.title, c.number  # every 14001 clause in this catalogue has an ISO title


def test_harmonized_structure_clauses_keep_the_iso_9001_numbers():
    for number in HS_SHARED:
        assert number in CAT.by_number and number in Q2015.by_number, number
        assert CAT.by_number[number].hs, number
    for number in SAME_TITLE:
        assert CAT.by_number[number].title == Q2015.by_number[number].title, number
    # the discipline-specific titles name the environment
    for number in ("4.3", "4.4", "5.2", "6.2"):
        assert "nvironmental" in CAT.by_number[number].title, number
    # only Harmonized Structure clauses are flagged
    assert {c.number for c in CAT.clauses if c.hs} == set(HS_SHARED)


def test_the_14001_specific_clauses_exist_with_their_titles():
    for number, title in SPECIFIC.items():
        assert CAT.by_number[number].title == title, number
        assert not CAT.by_number[number].hs, number
    assert "6.3" not in CAT.by_number  # planning of changes arrives only with the 2026 edition
    assert CAT.by_number["6.1"].children == ("6.1.1", "6.1.2", "6.1.3", "6.1.4")
    assert CAT.by_number["9.1"].children == ("9.1.1", "9.1.2")


def test_mandatory_documented_information_names_existing_clauses_with_the_right_kind():
    found = {c.number: sorted({d.kind for d in c.documented_information})
             for c in CAT.clauses if c.documented_information}
    assert found == {number: [kind] for number, kind in MANDATORY.items()}
    for number in MANDATORY:
        assert number in CAT.by_number
        for d in CAT.by_number[number].documented_information:
            assert d.condition is None and d.when is None, number  # none is conditional in 14001:2015


def test_every_entry_cites_known_sources():
    for s in RAW["sources"]:
        assert s["id"] and s["what"] and s["url"], s
    assert len(SOURCE_IDS) == len(RAW["sources"])
    for number, row in ROWS.items():
        assert row.get("sources"), number
        assert set(row["sources"]) <= SOURCE_IDS, number
        for d in row.get("documented_information") or ():
            assert set(d["sources"]) <= SOURCE_IDS and set(d["sources"]) <= set(row["sources"]), number
    used = {s for row in ROWS.values() for s in row["sources"]}
    assert used == SOURCE_IDS  # no source listed and never used


def test_confidence_is_marked_and_anything_short_of_confirmed_is_provisional():
    for number, row in ROWS.items():
        for d in row.get("documented_information") or ():
            assert d.get("confidence") in CONFIDENCE, number
            if d["confidence"] == "confirmed":
                assert len(d["sources"]) >= 2, number  # two independent sources at least
            else:
                assert CAT.by_number[number].provisional, number
        # a title read in one source only is provisional
        if len(row["sources"]) < 2:
            assert CAT.by_number[number].provisional, number
    # the known weak spot is marked, and only it
    assert [c.number for c in CAT.clauses if c.provisional] == ["6.2.1"]


def test_guidance_is_short_and_in_our_own_words():
    for c in CAT.clauses:
        assert c.about, c.number
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", c.about.strip()) if s]
        assert len(sentences) <= 3, (c.number, len(sentences))
        assert len(c.about.split()) <= 70, (c.number, len(c.about.split()))
        assert c.evidence_asked, c.number
        for text in _own_words(c):
            for phrase in ISO_PHRASES:
                assert phrase not in text.lower(), (c.number, phrase)
