"""The clause catalog: every ISO 9001:2015 clause 4 to 10, numbers, parents, documented information."""

from __future__ import annotations

import re

from isoready.catalog import load_catalog

CAT = load_catalog()
MAINTAIN = {"4.3", "4.4.2", "5.2.2", "6.2.1", "8.1", "8.5.1"}
RETAIN = {"4.4.2", "7.1.5.1", "7.1.5.2", "7.2", "8.1", "8.2.3.2", "8.3.3", "8.3.4", "8.3.5", "8.3.6", "8.4.1",
          "8.5.2", "8.5.3", "8.5.6", "8.6", "8.7.2", "9.1.1", "9.2.2", "9.3.3", "10.2.2"}
NEVER = ["4", "5", "6", "7.2", "7.3", "7.4", "7.5", "8.1", "8.2", "8.5.1", "8.5.6", "8.6", "8.7", "9", "10"]


def key(number: str) -> tuple[int, ...]:
    return tuple(int(p) for p in number.split("."))


def test_91_clauses_in_standard_order_with_valid_parents():
    numbers = [c.number for c in CAT.clauses]
    assert len(numbers) == 91 == len(set(numbers))
    assert numbers == sorted(numbers, key=key)
    assert [c.number for c in CAT.mains] == ["4", "5", "6", "7", "8", "9", "10"]
    for c in CAT.clauses:
        assert re.fullmatch(r"\d+(\.\d+){0,3}", c.number)
        if c.parent is None:
            assert "." not in c.number
        else:
            assert c.number.rsplit(".", 1)[0] == c.parent and c.parent in CAT
            assert numbers.index(c.parent) < numbers.index(c.number)
    assert len([c for c in CAT.clauses if c.is_leaf]) == 65


def test_every_clause_has_a_title_or_our_label_and_guidance():
    for c in CAT.clauses:
        assert (c.title is None) != (c.label is None), c.number
        assert c.name and c.about and 2 <= len(c.evidence_asked) <= 4, c.number
    untitled = {c.number for c in CAT.clauses if c.title is None}
    assert {"4.4.1", "4.4.2", "6.1.1", "6.1.2", "6.2.1", "6.2.2", "9.2.1", "9.2.2", "10.2.1", "10.2.2"} <= untitled


def test_documented_information_matches_the_rules_page():
    maintain = {c.number for c in CAT.clauses for d in c.documented_information if d.kind == "maintain"}
    retain = {c.number for c in CAT.clauses for d in c.documented_information if d.kind == "retain"}
    assert (maintain, retain) == (MAINTAIN, RETAIN)
    assert {c.number for c in CAT.clauses if c.window_months} == {"9.2.2", "9.3.3"}


def test_never_excludable_clauses_and_their_sub_clauses():
    for number in NEVER:
        for n in [number, *CAT.descendants(number)]:
            assert CAT[n].exclusion == "never", n
    assert CAT["8.3"].exclusion == "possible" and CAT["8.4"].exclusion == "rare"


def test_no_requirement_text_in_our_words():
    for c in CAT.clauses:
        for text in (c.about, *c.evidence_asked, *(d.what for d in c.documented_information)):
            assert not re.search(r"\bshall\b", text, re.I), (c.number, text)
