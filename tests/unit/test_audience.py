"""What a build for one audience says: the findings policy of public builds, names that must pass the redactor,
and no redactor within a template's reach (issue 19).

Canary values are planted in a copy of the demo project; every byte of every output (zip and XLSX members
opened) is searched, as in test_trust.py.
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml

from isoready.archive import make_archive
from isoready.package import Options, build

from .test_trust import _all_bytes, _copy_demo, _leaks

AS_OF = date(2026, 11, 24)
PUBLIC_FINDING = "CANARY-PUBFINDING-ID-4d2e"
PUBLIC_FINDING_TEXT = "CANARY-PUBFINDING-TEXT-8a1c"


def _finding_ids(root: Path) -> list[str]:
    ids = []
    for f in sorted((root / "content" / "findings").glob("*.yaml")):
        ids += [x["id"] for x in yaml.safe_load(f.read_text(encoding="utf-8"))]
    return ids


def _plant_public_finding(root: Path) -> None:
    (root / "content" / "findings" / "public-one.yaml").write_text(
        f"- id: {PUBLIC_FINDING}\n"
        '  clauses: ["7.2"]\n'
        "  grade: minor\n"
        "  status: open\n"
        "  raised: 2026-10-01\n"
        "  due: 2026-11-02\n"
        "  audience: public\n"
        f"  description: Training gap {PUBLIC_FINDING_TEXT}\n", encoding="utf-8")


@pytest.fixture(scope="module")
def findings_project(tmp_path_factory) -> Path:
    root = _copy_demo(tmp_path_factory.mktemp("findings"))
    _plant_public_finding(root)
    return root


def _build(root: Path, base: Path, audience: str, archive: bool = True) -> Path:
    opts = Options(root=root, as_of=AS_OF, audience=audience, output=base / "site", commit="abc123")
    result = build(opts)
    assert result.ok, result.diagnostics
    if archive:
        make_archive(opts, base / "dist")
    return base


@pytest.fixture(scope="module")
def findings_builds(findings_project, tmp_path_factory):
    return {a: _build(findings_project, tmp_path_factory.mktemp(f"f-{a}"), a) for a in ("public", "auditor")}


# --------------------------------------------------------------------------- the findings policy


#: words that count findings, in any output of a public build that does not publish them
_COUNTING = re.compile(rb"open findings? ?\(\d|(?<=[\s>('])\d+ (?:open |major |minor |overdue )?findings?\b|findings? not shown|"
                       rb"open major finding|open minor finding|\"findings\": ?\[\"", re.IGNORECASE)


def test_public_build_without_show_findings_says_nothing_countable_about_findings(findings_builds, findings_project):
    base = findings_builds["public"]
    ids = _finding_ids(findings_project)
    assert PUBLIC_FINDING in ids and len(ids) > 3
    # not the public finding's id or text, nor any other finding's id, anywhere (pages, JSON, CSV, XLSX, zip)
    assert _leaks(base, [PUBLIC_FINDING, PUBLIC_FINDING_TEXT, *ids]) == []
    counted = sorted({f"{name}: {m.group(0)!r}" for name, data in _all_bytes(base)
                      for m in _COUNTING.finditer(data)})
    assert counted == []
    site = base / "site"
    assert not (site / "findings").exists()  # no finding pages
    data = json.loads((site / "readiness.json").read_text(encoding="utf-8"))
    assert data["findings"] == [] and data["withheld"]["findings"] is None
    assert all(c["findings"] == [] for c in data["clauses"])
    codes = {code for c in data["clauses"] for code in c["reason_codes"]}
    assert not codes & {"finding-open", "finding-open-overdue", "finding-overdue", "finding-unverified"}
    assert "findings-not-published" in codes
    clause = next(c for c in data["clauses"] if c["number"] == "7.2")
    assert clause["reasons"].count("open actions, not published in this build") == 1
    search = (site / "search-index.js").read_text(encoding="utf-8")
    assert '"type":"Finding"' not in search
    assert "Audit findings are not published in this build." in (site / "findings.html").read_text()
    gaps = (site / "gaps.html").read_text(encoding="utf-8")
    assert '<a href="#findings">Open findings</a>' in gaps
    assert "Audit findings are not published in this build." in gaps
    assert "No open findings" not in gaps  # not a claim that there are none, either
    csv = (site / "checklist.csv").read_text(encoding="utf-8")
    assert "open actions, not published in this build" in csv


def test_clause_states_are_the_same_in_public_and_auditor_builds(findings_builds):
    states = {}
    for audience, base in findings_builds.items():
        data = json.loads((base / "site" / "readiness.json").read_text(encoding="utf-8"))
        states[audience] = ([(c["number"], c["state"]) for c in data["clauses"]], data["readiness"])
    assert states["public"] == states["auditor"]
    assert ("7.2", "at-risk") in states["public"][0] or ("7.2", "not-ready") in states["public"][0]


def test_auditor_build_still_publishes_findings(findings_builds):
    site = findings_builds["auditor"] / "site"
    data = json.loads((site / "readiness.json").read_text(encoding="utf-8"))
    assert PUBLIC_FINDING in [f["id"] for f in data["findings"]]
    assert (site / "findings" / f"{PUBLIC_FINDING}.html").is_file()
    assert re.search(r"Open findings \(\d+\)", (site / "gaps.html").read_text(encoding="utf-8"))
    assert PUBLIC_FINDING_TEXT in (site / "search-index.js").read_text(encoding="utf-8")


def test_show_findings_true_publishes_public_findings_only(findings_project, tmp_path):
    root = tmp_path / "p"
    shutil.copytree(findings_project, root)
    org = root / "content" / "organisation.yaml"
    org.write_text(org.read_text(encoding="utf-8") + "public:\n  show_findings: true\n", encoding="utf-8")
    site = _build(root, tmp_path / "out", "public", archive=False) / "site"
    data = json.loads((site / "readiness.json").read_text(encoding="utf-8"))
    assert [f["id"] for f in data["findings"]] == [PUBLIC_FINDING]
    assert isinstance(data["withheld"]["findings"], int) and data["withheld"]["findings"] > 0
    assert (site / "findings" / f"{PUBLIC_FINDING}.html").is_file()
