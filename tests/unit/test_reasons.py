"""One registry of reason codes (issue 23, as flake8 registers its checks): every code assess can emit is
registered once with its wording, and whether it names audit findings is read from the registry, not from a
hand-kept list."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from isoready.assess import reason
from isoready.views import reasons
from isoready.views.reasons import (FINDINGS_UNPUBLISHED, FINDINGS_UNPUBLISHED_TEXT, REASONS, Words, describe,
                                    describe_to_auditor)

ROOT = Path(__file__).resolve().parents[2]


def _assess_sources() -> list[Path]:
    """assess as a module today, as a package after the move into stage folders."""
    package = ROOT / "isoready" / "assess"
    return sorted(package.rglob("*.py")) if package.is_dir() else [ROOT / "isoready" / "assess.py"]


def _emitted_codes() -> set[str]:
    """The codes assess passes to ``reason(...)``: a literal, or a literal chosen by ``a if ... else b``, either
    as the argument itself or through a local name assigned just before (``code = "x" if ... else "y"``); a
    literal prefix joined to a state ("subclauses-" + state) counts as that prefix."""
    codes: set[str] = set()
    for path in _assess_sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assigned: dict[str, set[str]] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                assigned.setdefault(node.targets[0].id, set()).update(
                    c.value for c in ast.walk(node.value) if isinstance(c, ast.Constant) and isinstance(c.value, str))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and node.args and getattr(node.func, "id", getattr(
                    node.func, "attr", "")) == "reason"):
                continue
            first = node.args[0]
            if isinstance(first, ast.Name):
                codes |= assigned.get(first.id, set())
            else:
                codes |= {c.value for c in ast.walk(first) if isinstance(c, ast.Constant) and isinstance(c.value, str)}
    return codes


def _documented_codes() -> set[str]:
    text = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    table = text.split("## Reason codes", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([a-z0-9-]+)` \|", table, re.M))


def test_every_code_assess_emits_is_registered_and_documented() -> None:
    emitted = _emitted_codes()
    assert {"ready", "finding-open", "finding-open-overdue", "gate-edition-refused", "di-missing"} <= emitted
    # a code made as "subclauses-" + state is a family: some registered code must carry its prefix
    families = {c for c in emitted if c.endswith("-")}
    assert all(any(code.startswith(f) for code in REASONS) for f in families), families
    assert emitted - families <= set(REASONS), sorted(emitted - families - set(REASONS))
    # docs/rules.md's table lists each registered code, and the one views adds (findings not published)
    assert _documented_codes() == set(REASONS) | {FINDINGS_UNPUBLISHED}


def test_a_code_is_registered_once_and_an_unregistered_code_has_no_words() -> None:
    with pytest.raises(ValueError, match="'ready' registered twice"):
        reasons.reason("ready")(lambda *a: "again")
    with pytest.raises(KeyError, match="no wording for reason code 'made-up'"):
        describe(reason("made-up"), True)


def test_naming_findings_is_read_from_the_registry() -> None:
    """The codes a public build without published findings folds into one sentence are those registered with
    names_findings=True, the eight it always folded; any other reason keeps its own words."""
    assert set(reasons.FINDING_CODES) == {code for code, w in REASONS.items() if w.names_findings} == {
        "finding-open", "finding-open-overdue", "finding-overdue", "finding-unverified", "gate-major-open",
        "gate-actions-late", "systemic", "gate-concerns-open"}
    unpublished = Words(set(), set(), lambda t: t, findings_published=False)
    finding = reason("finding-open", findings=("IA-1",), grade="minor", raised_on=None, due=None)
    stale = reason("evidence-stale", ("EV-1",), review_by="2026-01-01")
    assert unpublished(finding) == FINDINGS_UNPUBLISHED_TEXT
    assert unpublished.all((finding, stale, finding)) == (
        (FINDINGS_UNPUBLISHED_TEXT, FINDINGS_UNPUBLISHED), ("stale evidence not shown in this build", "evidence-stale"))
    published = Words({"EV-1"}, {"IA-1"}, lambda t: t)
    assert published(finding) == "open minor finding IA-1"


def test_a_code_registered_as_naming_findings_is_folded_without_a_list_to_edit(monkeypatch) -> None:
    monkeypatch.setitem(REASONS, "finding-new-kind", reasons.ReasonWords(
        "finding-new-kind", lambda r, p, code, full, redact: "a new kind of finding", None, True))
    r = reason("finding-new-kind", findings=("IA-9",))
    assert Words(set(), set(), lambda t: t, findings_published=False)(r) == FINDINGS_UNPUBLISHED_TEXT
    assert Words(set(), {"IA-9"}, lambda t: t)(r) == "a new kind of finding"


def test_an_auditor_wording_is_registered_beside_the_code() -> None:
    """topic-gap tells the team what to add; the page an auditor reads states the fact only."""
    gap = reason("topic-gap", topic="climate-change")
    assert REASONS["topic-gap"].to_auditor is not None and REASONS["ready"].to_auditor is None
    assert describe(gap, True) == "no current evidence names it: add 'topics: [climate-change]' to the records " \
                                  "that address it"
    assert describe_to_auditor(gap, True) == "no current record mapped to its clauses addresses it"
    ready = reason("ready", status="implemented")
    assert describe_to_auditor(ready, True) == describe(ready, True) == \
        "declared implemented; no gap, stale evidence or open nonconformity"


# --------------------------------------------------------------------------- words from the standard's data (issue 23)


def test_a_missing_gate_record_is_worded_on_the_clause_the_check_looked_at():
    from isoready.read.catalog import load_catalog
    from isoready.views.reasons import StandardWords

    policy = reason("gate-missing", check="policy", clause="5.2")
    nine, fourteen = (StandardWords.of(load_catalog(n)) for n in ("ISO 9001:2015", "ISO 14001:2015"))
    assert describe(policy, True, std=nine) == "no current document mapped to 5.2 holds the quality policy"
    assert describe(policy, True, std=fourteen) == "no current document mapped to 5.2 holds the environmental policy"
    # a standard whose data gives no words for the check: the clause in the reason, never ISO 9001's 5.2
    bare = StandardWords(name="Fictional Standard 1:2025", family="Fictional Standard 1")
    assert describe(reason("gate-missing", check="policy", clause="1.2"), True, std=bare) == \
        "no current evidence mapped to 1.2"
    assert describe(reason("gate-no-programme", clause="2.2"), True, std=bare) == \
        "an internal audit was performed, but no current document mapped to 2.2 sets out the programme"
    assert nine.title("scope") == "Scope of the QMS documented (4.3)"
    assert fourteen.title("scope") == "Scope of the EMS documented (4.3)"
    assert bare.title("policy") == "Policy documented"


def test_review_inputs_and_conditions_are_worded_from_the_standard():
    from isoready.views.reasons import StandardWords

    bare = StandardWords(name="X:1", family="X", roles={}, inputs={"alpha": "the alpha input"},
                         conditions={"traceability": "tracing things"})
    assert describe(reason("review-inputs-no-review", window=12), True, std=bare) == (
        "no management review record within the last 12 months shows the inputs a review must consider")
    assert describe(reason("review-inputs-missing", ["MR-1"], date="2026-01-01", missing=("alpha",)), True,
                    std=bare) == "the management review MR-1 of 2026-01-01 does not show these inputs: the alpha input"
    undeclared = reason("di-condition-undeclared", clause="8.5.2", what="traceability record", noun="record",
                        condition="traceability", when="When outputs must be traced")
    assert "declare whether tracing things applies" in describe(undeclared, True, std=bare)
    assert "declare whether traceability of outputs applies" in describe(undeclared, True)  # the default: 9001's
