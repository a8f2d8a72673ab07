"""Every per-clause figure in every export and summary comes from the assessment: readiness.json, the CSV, the
workbook and the pull-request summary say what assess decided, clause by clause, and agree with each other."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from isoready.assess import assess
from isoready.read.catalog import load_catalog
from isoready.package.build import Options, build
from isoready.outputs.summary import markdown_summary
from isoready.validate.project import read_project
from isoready.outputs.xlsx import CHECKLIST_HEADERS, TITLE_ROWS

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2026, 12, 6)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    out = tmp_path_factory.mktemp("one-source") / "site"
    result = build(Options(root=ROOT, as_of=AS_OF, audience="internal", output=out, use_cache=False,
                           commit="0123456789ab"))
    assert result.ok, "\n".join(map(str, result.diagnostics))
    project, diags = read_project(ROOT, load_catalog(), AS_OF)
    assert project is not None
    return out, project, assess(project, AS_OF)


def test_each_clause_lists_the_open_findings_the_assessment_weighs(demo) -> None:  # noqa: ANN001
    out, _project, readiness = demo
    data = {c["number"]: c for c in json.loads((out / "readiness.json").read_text(encoding="utf-8"))["clauses"]}
    rows = {r["clause"]: r for r in csv.DictReader((out / "checklist.csv").open(encoding="utf-8"))}
    ws = load_workbook(out / "checklist.xlsx")["Checklist"]
    col = [h for h, _ in CHECKLIST_HEADERS].index("Open findings") + 1
    book = {str(ws.cell(row=r, column=1).value): ws.cell(row=r, column=col).value or ""
            for r in range(TITLE_ROWS + 1, ws.max_row + 1) if ws.cell(row=r, column=1).value}
    differ = []
    with_findings = 0
    for number, res in readiness.clauses.items():
        want = list(res.findings)
        with_findings += bool(want)
        got = {"json": data[number]["findings"],
               "csv": [p.split(" (")[0] for p in rows[number]["open_findings"].split("; ") if p],
               "xlsx": [line.split(" (")[0] for line in book.get(number, "").split("\n") if line]}
        differ += [f"{number} {where}: {ids} (assessment: {want})" for where, ids in got.items() if ids != want]
        assert data[number]["state"] == res.state
    assert with_findings >= 5, "the demo has open findings on several clauses: the comparison means something"
    assert not differ, "\n".join(differ)


def test_the_summary_counts_agree_with_each_other_and_the_assessment(demo) -> None:  # noqa: ANN001
    _out, project, readiness = demo
    text = markdown_summary(project, readiness)
    counts = readiness.state_counts
    ready_or_at_risk = counts["ready"] + counts["at-risk"]
    applicable = ready_or_at_risk + counts["not-ready"]
    assert (f"of the applicable clauses ready or at risk ({ready_or_at_risk} of {applicable})." in text)
    assert (f"Clauses: {counts['ready']} ready, {counts['at-risk']} at risk, {counts['not-ready']} not ready, "
            f"{counts['not-applicable']} not applicable." in text)
    assert f"({counts['ready'] + counts['at-risk']} of {applicable} applicable clauses ready)" not in text
