"""serve's kept assessment (``assess.assess_kept``): a project whose records changed only in words no rule reads
(``WORDS_ONLY``) is judged as it was, so the last readiness is handed back; any other change is judged again."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from isoready.assess import WORDS_ONLY, AssessMemo, assess, assess_kept, judged_alike
from isoready.assess import judge
from isoready.read.catalog import load_catalog
from isoready.validate.project import read_project

REPO = Path(__file__).resolve().parents[2]
AS_OF = date(2026, 11, 1)


def _reworded(e, n: int):
    """``e`` with every WORDS_ONLY field set to other words (none empty where it was set: a rule reading one
    would see another value, not a missing one)."""
    return replace(e, description=f"Other words {n}.", title=f"Another title {n}", version=f"v{n}",
                   url=f"https://example.invalid/{n}", approved_by=f"Someone {n}")


@pytest.mark.parametrize("where", ["demo", "multi-site"])
def test_no_rule_reads_the_words_only_fields(where):
    """Every rule, on today and each booked date, over the demo and the multi-site example: their records with
    other titles, descriptions, versions, links and approvers give the very same readiness."""
    root = REPO if where == "demo" else REPO / "examples" / where
    project, _ = read_project(root, load_catalog(), AS_OF)
    assert project.evidence and set(WORDS_ONLY) == {"description", "title", "version", "url", "approved_by"}
    reworded = replace(project, evidence=tuple(_reworded(e, n) for n, e in enumerate(project.evidence)))
    assert reworded != project and judged_alike(project, reworded)
    assert assess(reworded, AS_OF) == assess(project, AS_OF)


def test_the_last_readiness_is_handed_back_only_while_no_rule_would_see_the_change(minimal_project, monkeypatch):
    project, _ = read_project(minimal_project, load_catalog(), AS_OF)
    memo = AssessMemo()
    runs = []
    monkeypatch.setattr(judge, "assess", lambda *a: runs.append(a) or assess(*a))
    first = assess_kept(memo, project, AS_OF)
    evidence = list(project.evidence)
    evidence[0] = replace(evidence[0], description="Edited.", title="Edited title")
    reworded = replace(project, evidence=tuple(evidence))
    assert assess_kept(memo, reworded, AS_OF) is first and len(runs) == 1
    # another date, a review date moved, a record gone, an assessment changed: judged again, as assess judges
    assert assess_kept(memo, reworded, date(2027, 6, 1)) == assess(reworded, date(2027, 6, 1)) and len(runs) == 2
    evidence[0] = replace(evidence[0], review_by=date(2026, 1, 1))
    moved = replace(project, evidence=tuple(evidence))
    assert assess_kept(memo, moved, AS_OF) == assess(moved, AS_OF) != first and len(runs) == 3
    fewer = replace(project, evidence=project.evidence[1:])
    assert assess_kept(memo, fewer, AS_OF) == assess(fewer, AS_OF) and len(runs) == 4
    status = replace(project, assessments=tuple(replace(a, status="not-started") for a in project.assessments))
    assert assess_kept(memo, status, AS_OF) == assess(status, AS_OF) and len(runs) == 5
    assert assess_kept(None, project, AS_OF) == first and len(runs) == 6  # no memo: always judged
