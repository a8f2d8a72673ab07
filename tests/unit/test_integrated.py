"""An integrated management system (issue 23): ``standards:``, clause references ``14001:6.1.2`` and ``hs:7.5``,
audits per standard or shared, and ``integrated.project_for``, the project as one standard sees it.

Most tests use examples/ims (Fenwick Valley Coatings Ltd, ISO 9001:2015 + ISO 14001:2015), copied when changed.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from isoready.assess import assess
from isoready.read.catalog import load_catalog
from isoready.cli import main
from isoready.read.integrated import harmonized, number_of, project_for
from isoready.validate.project import read_project

EXAMPLE = Path(__file__).parents[2] / "examples" / "ims"
AS_OF = date(2026, 12, 6)
Q, E = "ISO 9001:2015", "ISO 14001:2015"


def read(root: Path, integrated: bool = True):
    project, diags = read_project(root, load_catalog(), AS_OF, integrated=integrated)
    return project, [d for d in diags if d.code.startswith("E")]


@pytest.fixture(scope="module")
def ims():
    project, errors = read(EXAMPLE)
    assert errors == []
    return project


@pytest.fixture
def ims_copy(tmp_path: Path) -> Path:
    root = tmp_path / "ims"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".cache", "output"))
    return root


def by_id(project, ident):
    return next((e for e in project.evidence if e.id == ident), None)


def test_the_example_declares_both_standards_the_first_primary(ims) -> None:
    assert ims.standards == (Q, E)
    assert ims.standard == Q and ims.organisation.standard == Q
    assert ims.catalog.standard == Q and set(ims.catalog.others) == {"14001"}


def test_references_are_kept_canonical_in_the_whole_project(ims) -> None:
    assert by_id(ims, "DOC-CTRL-01").clauses == ("hs:7.5",)
    assert by_id(ims, "ENV-ASP-01").clauses == ("14001:6.1.1", "14001:6.1.2")
    assert by_id(ims, "IMS-POL-01").clauses == ("5.2.1", "5.2.2", "14001:5.2")


def test_a_single_standard_project_is_returned_unchanged(minimal_project: Path) -> None:
    project, errors = read(minimal_project)
    assert errors == [] and project.standards == (Q,)
    assert project_for(project, Q) is project


def test_the_9001_view(ims) -> None:
    view = project_for(ims, Q)
    assert view.catalog.standard == Q and view.standards == (Q,) and view.catalog.others == {}
    assert by_id(view, "DOC-CTRL-01").clauses == ("7.5",)  # hs: lands here
    assert by_id(view, "IMS-POL-01").clauses == ("5.2.1", "5.2.2")  # the 14001 reference is dropped
    assert by_id(view, "ENV-ASP-01") is None  # 14001 only: not a 9001 record
    assert by_id(view, "EPR-TEST-2026") is None
    assert {a.clause for a in view.assessments} == {"4.3", "8.3"}  # not 14001's 6.1.2, 8.2, 9.1.2
    assert [f.id for f in view.findings] == ["IA-2026-01"]
    assert all(":" not in n for e in view.evidence for n in (*e.clauses, *e.covers))


def test_the_14001_view(ims) -> None:
    view = project_for(ims, E)
    assert view.catalog.standard == E and view.standards == (E,) and view.organisation.standard == E
    assert by_id(view, "DOC-CTRL-01").clauses == ("7.5",)  # hs: lands here too
    assert by_id(view, "ENV-ASP-01").clauses == ("6.1.1", "6.1.2")
    assert by_id(view, "IMS-POL-01").clauses == ("5.2",)
    assert by_id(view, "CONTRACT-LOG") is None  # 9001 only
    assert by_id(view, "IA-2026").covers == ("4", "5", "6", "7", "8", "9", "10")
    assert {a.clause: a.status for a in view.assessments} == {"6.1.2": "implemented", "8.2": "in-progress",
                                                              "9.1.2": "implemented"}
    assert [(f.id, f.clauses) for f in view.findings] == [("IA-2026-02", ("9.1.2",))]
    assert view.organisation.windows == {"9.1.2": 12}
    assert project_for(ims, Q).organisation.windows == {}


def test_a_finding_against_14001_9_2_is_not_among_9001s(ims_copy: Path) -> None:
    (ims_copy / "content" / "findings" / "env.yaml").write_text(
        '- id: ENV-01\n  clauses: ["14001:9.2"]\n  grade: minor\n  status: open\n  raised: 2026-11-02\n'
        "  description: The audit programme does not weigh the significant aspects.\n", encoding="utf-8")
    project, errors = read(ims_copy)
    assert errors == []
    assert "ENV-01" not in [f.id for f in project_for(project, Q).findings]
    assert [f.clauses for f in project_for(project, E).findings if f.id == "ENV-01"] == [("9.2",)]


def test_assess_runs_unchanged_on_the_primary_view(ims) -> None:
    quality = assess(project_for(ims, Q), AS_OF)
    assert "8.5.2" in quality.clauses and quality.clauses["8.3"].status == "not-applicable"
    assert [f.finding.id for f in quality.findings] == ["IA-2026-01"]
    assert not any(":" in n for n in quality.clauses)


def test_assess_runs_unchanged_on_the_14001_view(ims) -> None:
    environment = assess(project_for(ims, E), AS_OF)
    assert "8.5.2" not in environment.clauses and "9.1.2" in environment.clauses
    assert environment.clauses["8.2"].status == "in-progress"
    assert [f.finding.id for f in environment.findings] == ["IA-2026-02"]


def test_read_project_gives_the_primary_view_by_default(ims) -> None:
    view, errors = read(EXAMPLE, integrated=False)
    assert errors == [] and view.standards == (Q,)
    assert [e.id for e in view.evidence] == [e.id for e in project_for(ims, Q).evidence]


def test_one_shared_audit_plan_reaches_every_standard(ims) -> None:
    plan = {"stage1": date(2027, 2, 9), "stage2": date(2027, 3, 23)}
    assert dict(project_for(ims, Q).organisation.audits) == plan
    assert dict(project_for(ims, E).organisation.audits) == plan


def test_audits_booked_per_standard(ims_copy: Path) -> None:
    org = ims_copy / "content" / "organisation.yaml"
    text = org.read_text(encoding="utf-8").replace(
        "audits:                        # one plan shared by both standards (an integrated audit)\n"
        "  stage1: 2027-02-09\n  stage2: 2027-03-23\n",
        'audits:\n  "ISO 9001:2015":\n    stage1: 2027-02-09\n    stage2: 2027-03-23\n'
        '  "ISO 14001:2015":\n    stage1: 2027-05-11\n')
    assert text != org.read_text(encoding="utf-8")
    org.write_text(text, encoding="utf-8")
    project, errors = read(ims_copy)
    assert errors == []
    assert dict(project_for(project, Q).organisation.audits) == {"stage1": date(2027, 2, 9),
                                                                 "stage2": date(2027, 3, 23)}
    assert dict(project_for(project, E).organisation.audits) == {"stage1": date(2027, 5, 11)}
    assert dict(project.organisation.audits) == {"stage1": date(2027, 2, 9), "stage2": date(2027, 3, 23)}


def test_the_primary_prefix_and_hs_in_one_standard_are_plain_numbers(minimal_project: Path) -> None:
    (minimal_project / "evidence" / "x.yaml").write_text(
        'title: X\nkind: document\nclauses: ["9001:7.5.1", "hs:7.2"]\ndate: 2026-10-01\n', encoding="utf-8")
    project, errors = read(minimal_project)
    assert errors == []
    assert by_id(project, "x").clauses == ("7.5.1", "7.2")


def test_harmonized_clauses_are_the_packages_data() -> None:
    assert {"4.3", "7.5", "9.2.2", "10.2"} <= harmonized(Q) and {"4.3", "7.5", "10.2"} <= harmonized(E)
    assert "8.5" not in harmonized(Q) and "6.1.2" not in harmonized(E) and "10.1" not in harmonized(E)
    assert number_of(E) == "14001" and number_of(Q) == "9001"


def test_an_unknown_standard_is_refused_by_project_for(ims) -> None:
    with pytest.raises(KeyError):
        project_for(ims, "ISO 45001:2018")


def test_the_example_validates_and_builds(tmp_path: Path, capsys) -> None:
    assert main(["validate", "--root", str(EXAMPLE), "--as-of", "2026-12-06"]) == 0
    assert capsys.readouterr().out.strip().endswith("no problems found")
    out = tmp_path / "site"
    assert main(["build", "--root", str(EXAMPLE), "--as-of", "2026-12-06", "--output", str(out), "--no-cache"]) == 0
    assert (out / "index.html").is_file()
    assert "Fenwick Valley Coatings Ltd" in (out / "index.html").read_text(encoding="utf-8")


def test_the_build_cache_rechecks_records_when_the_standards_change(ims_copy: Path, tmp_path: Path,
                                                                     capsys) -> None:
    """A record's cached check holds for the standards it was checked against: dropping ISO 14001 from
    'standards:' makes its '14001:' references errors at once, not on the next edit of each file."""
    out = tmp_path / "site"
    assert main(["build", "--root", str(ims_copy), "--as-of", "2026-12-06", "--output", str(out)]) == 0
    org = ims_copy / "content" / "organisation.yaml"
    org.write_text(org.read_text(encoding="utf-8").replace('standards: ["ISO 9001:2015", "ISO 14001:2015"]',
                                                           'standards: ["ISO 9001:2015"]'), encoding="utf-8")
    capsys.readouterr()
    assert main(["build", "--root", str(ims_copy), "--as-of", "2026-12-06", "--output", str(out)]) == 1
    printed = capsys.readouterr().out
    assert ("evidence/planning/registers.yaml:11:13: E347 clause '14001:6.1.1' names standard '14001', which this "
            "project does not follow") in printed


def test_the_organisation_json_schema_takes_both_audit_forms_and_standards() -> None:
    """Editors check organisation.yaml with the shipped JSON Schema: the example's 'standards:' and shared plan,
    and a plan per standard, pass; a plan for a standard isoready does not know does not."""
    import json

    import jsonschema
    import yaml

    schema = json.loads((Path(__file__).parents[2] / "isoready" / "schemas" / "organisation.schema.json")
                        .read_text(encoding="utf-8"))
    check = jsonschema.Draft202012Validator(schema)
    example = yaml.safe_load((EXAMPLE / "content" / "organisation.yaml").read_text(encoding="utf-8"))
    example["audits"] = {k: str(v) for k, v in example["audits"].items()}
    example["climate_change"]["decided"] = str(example["climate_change"]["decided"])
    assert list(check.iter_errors(example)) == []
    per_standard = {**example, "audits": {Q: {"stage1": "2027-02-09"}, E: {"stage1": "2027-05-11"}}}
    assert list(check.iter_errors(per_standard)) == []
    assert list(check.iter_errors({**example, "audits": {"ISO 45001:2018": {"stage1": "2027-02-09"}}})) != []
    evidence = jsonschema.Draft202012Validator(json.loads(
        (Path(__file__).parents[2] / "isoready" / "schemas" / "evidence.schema.json").read_text(encoding="utf-8")))
    record = {"title": "Aspects register", "kind": "document", "clauses": ["14001:6.1.2", "hs:7.5", "8.4"]}
    assert list(evidence.iter_errors(record)) == []
    assert list(evidence.iter_errors({**record, "clauses": ["ISO 14001 6.1.2"]})) != []


# --------------------------------------------------------------------------- bad input never raises

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from isoready.validate import project as validate  # noqa: E402
from isoready.core.diagnostics import CODES, Collector, Diagnostic  # noqa: E402
from isoready.read.integrated import combined  # noqa: E402
from isoready.core.load import parse_text  # noqa: E402

IMS_CATALOG = combined(load_catalog(Q), [load_catalog(E)])
REF_TOKENS = ["title: a\n", "kind: record\n", "clauses: ", "clause: ", "covers: ", "standards: ", "audits:\n",
              "windows:\n", "  ", "- ", "[", "]", ", ", '"', "hs:", "14001:", "9001:", "45001:", ":", "7.5", "6.1.2",
              "9.3.2", "8.5", "hs:7.5", "14001:6.1.2", "ISO 9001:2015", "ISO 14001:2015", "ISO 9001:2026",
              "stage1: 2027-01-01", "status: implemented\n", "name: x\n", "\n", "{", "}", "12"]


@settings(max_examples=300, deadline=None)
@given(text=st.lists(st.sampled_from(REF_TOKENS), max_size=40).map("".join))
def test_references_and_standards_never_raise(text: str, tmp_path_factory) -> None:
    root = tmp_path_factory.getbasetemp()
    for rel, check in (
        ("evidence/fuzz.yaml", lambda v: validate.evidence_from_file("evidence/fuzz.yaml", v, root,
                                                                      IMS_CATALOG).diagnostics),
        ("content/clauses/fuzz.yaml", lambda v: validate.assessments_from_file("content/clauses/fuzz.yaml", v,
                                                                               IMS_CATALOG)[1]),
        ("content/organisation.yaml", lambda v: _organisation(v, root)),
    ):
        value, diags = parse_text(text, rel)
        for d in [*diags, *check(value)]:
            assert isinstance(d, Diagnostic) and d.code in CODES and d.path == rel


def _organisation(value, root: Path) -> list[Diagnostic]:
    out = Collector()
    validate.organisation_from(value, "content/organisation.yaml", IMS_CATALOG, out, root)
    return out.items
