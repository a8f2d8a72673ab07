"""The ISO 9001:2026 data: the clause catalogue, the 2015 -> 2026 mapping and the transition topics.

The files are read with yaml.safe_load, not through package code, so these checks hold whatever the
loaders later do with them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).parents[2]
DATA = ROOT / "isoready" / "standards" / "iso9001"
C2015 = yaml.safe_load((DATA / "iso9001-2015.yaml").read_text(encoding="utf-8"))
C2026 = yaml.safe_load((DATA / "iso9001-2026.yaml").read_text(encoding="utf-8"))
MAPPING = yaml.safe_load((DATA / "iso9001-2015-2026.yaml").read_text(encoding="utf-8"))
TOPICS = yaml.safe_load((DATA / "transition-topics.yaml").read_text(encoding="utf-8"))
EDITIONS_DOC = ROOT / "docs" / "editions.md"

OLD = [c["number"] for c in C2015["clauses"]]
NEW = [c["number"] for c in C2026["clauses"]]
NEW_BY = {c["number"]: c for c in C2026["clauses"]}
OLD_BY = {c["number"]: c for c in C2015["clauses"]}
CHANGES = {"new", "changed", "split", "moved", "retitled", "unchanged"}
KINDS = {"identical", "renumbered", "split", "new", "merged"}
CONTRACT = {
    "quality-culture-ethics": ["5.1.1", "7.3"],
    "risks-and-opportunities": ["6.1"],
    "climate-change": ["4.1", "4.2"],
}

# Wording of the standard (2015 text and the 2026 draft as quoted in the sources read) that our own
# guidance must never reproduce. Kept short on purpose: distinctive phrases, compared case-insensitively.
ISO_PHRASES = [
    "the organization shall",
    "top management shall",
    "give assurance that the quality management system can achieve its intended result",
    "prevent, or reduce, undesired effects",
    "enhance desired effects",
    "continually and consistently provide conforming products and services",
    "determine whether climate change is a relevant issue",
    "relevant interested parties can have requirements related to climate change",
    "promote quality culture and ethical behaviour",
    "the organizational quality culture and ethical behaviour",
    "persons doing work under the organization's control",
    "in a planned and systematic manner",
    "the integrity of the quality management system",
    "proportionate to the potential impact",
    "continually improve the suitability, adequacy and effectiveness",
    "the knowledge necessary for the operation of its processes",
    "available as documented information",
    "taking into consideration",
]


def key(number: str) -> tuple[int, ...]:
    return tuple(int(p) for p in number.split("."))


def own_words(entry: dict) -> list[str]:
    texts = [entry.get("about") or "", *(entry.get("evidence_asked") or [])]
    texts += [d["what"] for d in entry.get("documented_information") or []]
    if entry.get("label"):
        texts.append(entry["label"])
    return texts


# ----------------------------------------------------------------------------- the 2026 catalogue


def test_2026_catalogue_names_its_edition_and_says_what_is_provisional():
    assert C2026["standard"] == "ISO 9001:2026"
    assert C2026["amendments"] == []
    assert "provisional" in C2026["provisional_note"] and len(C2026["provisional_note"]) > 100
    assert C2026["sources"] and all(isinstance(s, str) and s for s in C2026["sources"])


def test_2026_numbers_unique_in_order_with_parents_before_children():
    assert len(NEW) == len(set(NEW)) == 91
    assert NEW == sorted(NEW, key=key)
    for c in C2026["clauses"]:
        n, parent = c["number"], c["parent"]
        assert re.fullmatch(r"\d+(\.\d+){0,3}", n), n
        if parent is None:
            assert "." not in n and 4 <= int(n) <= 10, n
        else:
            assert n.rsplit(".", 1)[0] == parent, n
            assert parent in NEW_BY and NEW.index(parent) < NEW.index(n), n
    parents = {c["parent"] for c in C2026["clauses"]}
    assert len([n for n in NEW if n not in parents]) == 65


def test_2026_structure_reported_by_the_sources():
    """6.1 is divided in three, 10.3 is folded into 10.1; the rest keeps the 2015 numbers."""
    assert [n for n in NEW if n.startswith("6.1.")] == ["6.1.1", "6.1.2", "6.1.3"]
    assert "10.3" not in NEW_BY
    assert set(NEW) == (set(OLD) - {"10.3"}) | {"6.1.3"}
    assert NEW_BY["6.1.2"]["title"] == "Actions to address risks"
    assert NEW_BY["6.1.3"]["title"] == "Actions to address opportunities"
    assert NEW_BY["10.1"]["title"] == "Continual improvement"
    for n in ("6.1.1", "6.1.2", "6.1.3", "10.1"):  # numbering not confirmed against the published text
        assert NEW_BY[n]["provisional"] is True, n


def test_every_2026_clause_has_the_2015_shape_plus_edition_fields():
    for c in C2026["clauses"]:
        n = c["number"]
        assert (c["title"] is None) != (c["label"] is None), n
        assert c["exclusion"] in {"never", "rare", "possible"}, n
        assert c["about"] and 2 <= len(c["evidence_asked"]) <= 4, n
        for d in c["documented_information"]:
            assert d["kind"] in {"maintain", "retain"} and d["what"], n
        assert c["change"] in CHANGES, n
        assert isinstance(c["hs"], bool), n
        if "provisional" in c:
            assert isinstance(c["provisional"], bool), n
        if c["change"] != "unchanged":
            assert c["sources"] and all(isinstance(s, str) and len(s) > 10 for s in c["sources"]), n


def test_unchanged_clauses_really_match_2015():
    for c in C2026["clauses"]:
        if c["change"] == "unchanged":
            old = OLD_BY[c["number"]]
            for field in ("title", "label", "parent", "exclusion", "documented_information", "window_months"):
                assert c.get(field) == old.get(field), (c["number"], field)


def test_documented_information_and_record_windows_carry_over():
    def kinds(catalogue, kind):
        return {c["number"] for c in catalogue["clauses"] for d in c["documented_information"] if d["kind"] == kind}

    assert kinds(C2026, "maintain") == kinds(C2015, "maintain")
    assert kinds(C2026, "retain") == kinds(C2015, "retain")
    assert {c["number"] for c in C2026["clauses"] if c.get("window_months")} == {"7.2", "9.2.2", "9.3.3"}
    # the 2026 additions ask for no document of their own
    for n in ("5.1.1", "7.3", "6.1.3"):
        assert NEW_BY[n]["documented_information"] == [], n


def test_harmonized_structure_flags():
    hs = {c["number"] for c in C2026["clauses"] if c["hs"]}
    assert {"4", "4.1", "4.2", "4.3", "4.4", "5.1", "5.2", "5.3", "6.1", "6.2", "6.3", "7.1", "7.2", "7.3",
            "7.4", "7.5", "8.1", "9.1", "9.2", "9.3", "10.1", "10.2"} <= hs
    # quality-specific requirements are not shared with ISO 14001 / 45001 / 27001
    assert not hs & {"5.1.2", "6.1.2", "6.1.3", "7.1.5", "7.1.6", "8.2", "8.3", "8.4", "8.5", "8.6", "8.7",
                     "9.1.2", "9.1.3"}


def test_guidance_is_in_our_own_words():
    for catalogue in (C2026,):
        for c in catalogue["clauses"]:
            for text in own_words(c):
                assert not re.search(r"\bshall\b", text, re.I), (c["number"], text)
                for phrase in ISO_PHRASES:
                    assert phrase not in text.lower(), (c["number"], phrase)
    for t in TOPICS["topics"]:
        for phrase in ISO_PHRASES:
            assert phrase not in t["look_for"].lower(), (t["key"], phrase)


def test_no_long_sentence_copied_from_the_2015_catalogue_into_changed_entries():
    """A changed entry must say what changed; reusing a 2015 sentence over 25 words would hide that."""
    old_sentences = {s.strip() for c in C2015["clauses"] for s in re.split(r"(?<=[.:])\s", c["about"])}
    for c in C2026["clauses"]:
        if c["change"] in {"new", "split"}:
            for s in re.split(r"(?<=[.:])\s", c["about"]):
                assert not (len(s.split()) > 25 and s.strip() in old_sentences), (c["number"], s)


# ----------------------------------------------------------------------------- the mapping


def test_mapping_covers_every_2015_clause_exactly_once():
    assert MAPPING["from_standard"] == "ISO 9001:2015" and MAPPING["to_standard"] == "ISO 9001:2026"
    froms = [m["from"] for m in MAPPING["mappings"] if m["from"] is not None]
    assert sorted(froms, key=key) == sorted(OLD, key=key)
    assert len(froms) == len(set(froms)) == 91


def test_mapping_targets_exist_and_kinds_are_consistent():
    for m in MAPPING["mappings"]:
        assert m["kind"] in KINDS, m
        assert m["to"] and all(t in NEW_BY for t in m["to"]), m
        assert isinstance(m.get("provisional", False), bool), m
        assert m["note"], m
        if m["kind"] == "identical":
            assert m["to"] == [m["from"]], m
        if m["kind"] == "split":
            assert len(m["to"]) >= 2, m
        if m["kind"] == "new":
            assert m["from"] is None, m
        if m["from"] is None:
            assert m["kind"] == "new", m


def test_every_2026_clause_is_reached_by_the_mapping_or_marked_new():
    reached = {t for m in MAPPING["mappings"] for t in m["to"]}
    for c in C2026["clauses"]:
        assert c["number"] in reached or c["change"] == "new", c["number"]


def test_the_split_and_the_merge_are_the_ones_reported():
    by_from = {m["from"]: m for m in MAPPING["mappings"] if m["from"]}
    assert by_from["6.1.2"]["kind"] == "split" and by_from["6.1.2"]["to"] == ["6.1.2", "6.1.3"]
    assert by_from["10.3"]["kind"] == "merged" and by_from["10.3"]["to"] == ["10.1"]
    assert by_from["6.1.1"]["to"] == ["6.1.1"]
    not_one_to_one = {m["from"] for m in MAPPING["mappings"] if m["kind"] != "identical"}
    assert not_one_to_one == {"6.1.2", "10.3"}


def test_mapping_agrees_with_the_catalogue_change_field():
    split_targets = {t for m in MAPPING["mappings"] if m["kind"] == "split" for t in m["to"]}
    assert split_targets == {c["number"] for c in C2026["clauses"] if c["change"] == "split"}


# ----------------------------------------------------------------------------- transition topics


def test_contract_topic_keys_exist_with_their_clauses():
    topics = {t["key"]: t for t in TOPICS["topics"]}
    for k, clauses in CONTRACT.items():
        assert topics[k]["clauses"] == clauses, k


def test_every_topic_is_complete_and_points_at_2026_clauses():
    keys = [t["key"] for t in TOPICS["topics"]]
    assert len(keys) == len(set(keys))
    for t in TOPICS["topics"]:
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", t["key"]), t["key"]
        assert t["title"] and len(t["look_for"]) > 60, t["key"]
        assert t["clauses"] and all(n in NEW_BY for n in t["clauses"]), t["key"]
        assert t["change"] in CHANGES - {"unchanged"}, t["key"]
        assert isinstance(t["provisional"], bool), t["key"]
        assert t["sources"] and all(isinstance(s, str) and s for s in t["sources"]), t["key"]
        # a topic's clause must itself (or a sub-clause of it) be one the edition changed
        changed = {c["number"] for c in C2026["clauses"] if c["change"] != "unchanged"}
        assert any(n == c or c.startswith(n + ".") for n in t["clauses"] for c in changed), t["key"]


@pytest.mark.parametrize("item", ["publication", "deadline", "new_certificates_on_2026_from"])
def test_transition_defaults_carry_date_confidence_and_sources(item):
    block = TOPICS["transition"]
    assert block["to"] == "ISO 9001:2026"
    entry = block[item]
    assert re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", entry["date"]), entry
    assert entry["confidence"] in {"low", "medium", "high"}
    assert entry["sources"] and entry["note"]
    if item != "publication":
        assert "certification body" in entry["note"].lower()
        assert entry["confidence"] == "low"  # no official decision was found


# ----------------------------------------------------------------------------- docs/editions.md


def test_editions_doc_names_every_topic_and_the_reported_dates():
    text = EDITIONS_DOC.read_text(encoding="utf-8")
    for t in TOPICS["topics"]:
        assert f"`{t['key']}`" in text, t["key"]
    for item in ("publication", "deadline", "new_certificates_on_2026_from"):
        assert TOPICS["transition"][item]["date"] in text, item
    assert "confirm with your certification body" in text.lower()
    assert 'isoready migrate --to "ISO 9001:2026"' in text
    for n in ("6.1.3", "10.3"):
        assert n in text, n
