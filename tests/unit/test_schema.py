"""The declarative schema: the docs' key tables, the JSON Schemas and validation all come from it, and the
new optional keys land in the model with their exact values."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from textwrap import dedent

import jsonschema
import pytest
import yaml

from isoready.read import schema
from isoready.read.catalog import load_catalog
from isoready.core.load import load_file
from isoready.model import Applies, Certificate, Transition, Verification
from isoready.validate.project import read_project

REPO = Path(__file__).parents[2]
FORMAT = REPO / "docs" / "format.md"
MINIMAL = REPO / "tests" / "fixtures" / "minimal"


def write(root: Path, rel: str, text: str) -> None:
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_text(dedent(text).lstrip("\n"), encoding="utf-8")


# --------------------------------------------------------------------------- docs/format.md


def test_format_md_key_tables_are_the_schema() -> None:
    """Fails when a key is added, renamed or re-described in the schema without regenerating docs/format.md
    (python3 -m isoready.read.schema docs/format.md)."""
    text = FORMAT.read_text(encoding="utf-8")
    assert schema.render_docs(text) == text


def test_format_md_has_a_table_for_every_file_kind() -> None:
    text = FORMAT.read_text(encoding="utf-8")
    assert [m.group(2) for m in schema.MARKER.finditer(text)] == list(schema.FILE_KINDS)
    for kind in schema.KINDS.values():  # every key of every kind, nested ones too, is in a table row
        for key in kind.keys:
            assert f"| `{key}` |" in text, (kind.name, key)


def test_a_schema_change_shows_in_the_rendered_docs() -> None:
    """The table is rendered from the schema, not copied: a changed description changes the docs."""
    text = FORMAT.read_text(encoding="utf-8")
    fields = tuple(schema.Field(f.key, f.type, "CHANGED" if f.key == "owner" else f.description, f.required,
                                f.default, f.alias_of, f.shape) for f in schema.EVIDENCE.fields)
    changed = schema.Kind("evidence", "evidence record", fields)
    assert "| `owner` | text | no |  | CHANGED |" in schema.markdown_table(changed)
    assert "| `owner` | text | no |  | who keeps it current |" in text


def test_every_field_is_described_and_typed() -> None:
    for kind in schema.KINDS.values():
        for f in kind.fields:
            assert f.description and not f.description.endswith("."), (kind.name, f.key)
            assert f.type.doc() and f.type.json(), (kind.name, f.key)


# --------------------------------------------------------------------------- reading comes from the schema


def test_unknown_key_hint_lists_the_schema_keys(tmp_path: Path) -> None:
    root = tmp_path / "p"
    import shutil
    shutil.copytree(MINIMAL, root)
    write(root, "content/clauses/x.yaml", '- clause: "4.1"\n  status: planned\n  verifed_by: QP-001\n')
    _, diags = read_project(root, load_catalog(), date(2026, 11, 1))
    assert [d.format() for d in diags] == [
        "content/clauses/x.yaml:3:3: E203 unknown key 'verifed_by' in clause assessment "
        "(did you mean 'verified_by'?)"]


# --------------------------------------------------------------------------- JSON Schema


def _validator(kind: str) -> jsonschema.protocols.Validator:
    s = schema.json_schema(schema.FILE_KINDS[kind])
    cls = jsonschema.validators.validator_for(s)
    cls.check_schema(s)
    return cls(s, format_checker=cls.FORMAT_CHECKER)


def _files(root: Path) -> list[tuple[str, Path]]:
    out = [("organisation", root / "content" / "organisation.yaml")]
    out += [("evidence", p) for p in sorted((root / "evidence").rglob("*.yaml"))]
    out += [("assessment", p) for p in sorted((root / "content" / "clauses").glob("*.yaml"))]
    out += [("finding", p) for p in sorted((root / "content" / "findings").glob("*.yaml"))]
    return out


class EditorLoader(yaml.SafeLoader):
    """YAML as an editor's language server reads it (YAML 1.2: dates stay text; true, 12 are typed)."""


EditorLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}


@pytest.mark.parametrize("root", [MINIMAL, REPO], ids=["minimal", "demo"])
def test_valid_projects_pass_their_json_schemas(root: Path) -> None:
    """The JSON Schemas accept what validation accepts, read as an editor reads YAML."""
    checked = 0
    for kind, path in _files(root):
        assert load_file(path, path.name)[1] == []
        value = yaml.load(path.read_text(encoding="utf-8"), Loader=EditorLoader)
        errors = [e.message for e in _validator(kind).iter_errors(value)]
        assert errors == [], path
        checked += 1
    assert checked >= 5


def test_json_schema_refuses_what_validation_refuses() -> None:
    ev = _validator("evidence")
    good = {"title": "T", "kind": "record", "clauses": ["9.3"], "inputs": ["changes"]}
    assert list(ev.iter_errors(good)) == []
    assert [e.validator for e in ev.iter_errors({**good, "colour": "blue"})] == ["anyOf"]
    assert not ev.is_valid({**good, "kind": "memo"})
    assert not ev.is_valid({**good, "inputs": ["budget"]})
    assert not ev.is_valid({"kind": "record", "clauses": ["9.3"]})  # title required
    org = _validator("organisation")
    assert org.is_valid({"name": "X", "applies": {"traceability": True}, "windows": {"9.2.2": 12}})
    assert not org.is_valid({"name": "X", "windows": {"9.2.2": 500}})
    assert not org.is_valid({"name": "X", "public": {"show_findings": "yes"}})
    assert not org.is_valid({"name": "X", "site_url": "ftp://x"})


# --------------------------------------------------------------------------- the new keys reach the model


def test_new_keys_are_read_into_the_model(tmp_path: Path) -> None:
    import shutil
    root = tmp_path / "p"
    shutil.copytree(MINIMAL, root)
    write(root, "content/organisation.yaml", """
        name: Example Works Ltd
        standard: ISO 9001:2026
        applies:
          traceability: true
          customer_property: false
        transition:
          deadline: 2029-09-15
          audit: 2027-11-10
        site_url: https://qms.example.com/portal/
        public:
          show_findings: false
        certificate:
          number: Q-1
          issued: 2026-04-01
          expires: 2029-03-31
          body: Northgate
        last_audit: audit-2026-09
        climate_change:
          relevant: false
          decided: 2026-02-01
        """)
    write(root, "evidence/review.yaml", """
        title: Management review 2026
        kind: record
        clauses: ["9.3", "9.3.2"]
        inputs: [changes, objectives, changes]
        topics: [management-review-inputs]
        auditor: J. Smith
        approved_by: MD
        approved: 2026-10-01
        """)
    write(root, "content/clauses/more.yaml", """
        - clause: "9.2"
          status: verified
          verified_by: performance/internal-audit-2026
        """)
    write(root, "content/findings/more.yaml", """
        - id: CB-1
          clauses: ["8.5.1"]
          grade: area-of-concern
          status: closed
          raised: 2026-09-22
          closed: 2026-10-01
          description: Work instructions out of date.
          source: certification-body
          audit: performance/internal-audit-2026
          requirement: Instructions are current.
          correction: Old copies removed.
          root_cause: No issue control.
          corrective_action: Issue control added.
          verification:
            date: 2026-10-20
            by: QM
            effective: true
            evidence: [performance/internal-audit-2026]
        """)
    project, diags = read_project(root, load_catalog(), date(2026, 11, 1))
    assert diags == []
    org = project.organisation
    assert org.standard == "ISO 9001:2026"
    assert org.applies == Applies(traceability=True, customer_property=False, measurement_traceability=None)
    assert org.transition == Transition(deadline=date(2029, 9, 15), audit=date(2027, 11, 10))
    assert (org.climate_change.relevant, org.climate_change.decided) == (False, date(2026, 2, 1))
    assert (org.site_url, org.show_findings, org.last_audit) == (
        "https://qms.example.com/portal/", False, "audit-2026-09")
    assert org.certificate == Certificate("Q-1", date(2026, 4, 1), date(2029, 3, 31), "Northgate")
    review = next(e for e in project.evidence if e.id == "review")
    assert (review.inputs, review.topics, review.auditor, review.approved_by, review.approved) == (
        ("changes", "objectives"), ("management-review-inputs",), "J. Smith", "MD", date(2026, 10, 1))
    assert next(a for a in project.assessments if a.clause == "9.2").verified_by == "performance/internal-audit-2026"
    cb = next(f for f in project.findings if f.id == "CB-1")
    assert (cb.grade, cb.origin, cb.audit, cb.requirement, cb.correction, cb.root_cause) == (
        "area-of-concern", "certification-body", "performance/internal-audit-2026", "Instructions are current.",
        "Old copies removed.", "No issue control.")
    assert cb.corrective_action == cb.action == "Issue control added."
    assert cb.verification == Verification(date(2026, 10, 20), "QM", True, ("performance/internal-audit-2026",))
    old = next(f for f in project.findings if f.id == "IA-2026-01")  # 'action:' still read, as corrective action
    assert old.corrective_action == "Evaluate or suspend them." and old.origin is None and old.verification is None


def test_absent_new_keys_keep_their_defaults() -> None:
    project, diags = read_project(MINIMAL, load_catalog(), date(2026, 11, 1))
    assert diags == []
    org = project.organisation
    assert (org.standard, org.applies, org.transition, org.site_url, org.show_findings, org.certificate,
            org.last_audit) == ("ISO 9001:2015", Applies(None, None, None), None, None, None, None, None)


# --------------------------------------------------------------------------- the edition follows standard:


def test_standard_chooses_the_catalog_validation_uses(tmp_path: Path) -> None:
    """6.1.3 exists only in ISO 9001:2026 and 10.3 only in ISO 9001:2015: each is an error in the other, with
    the did-you-mean taken from the 2015 <-> 2026 mapping (10.3 merged into 10.1; 6.1.3 split from 6.1.2)."""
    import shutil
    expected = {
        "ISO 9001:2015": ["content/organisation.yaml:5:3: E201 unknown clause '6.1.3' (did you mean '6.1.2'? 6.1.3 "
                          "is a clause of ISO 9001:2026, and this project follows ISO 9001:2015)",
                          "evidence/x.yaml:3:11: E201 unknown clause '6.1.3' (did you mean '6.1.2'? 6.1.3 is a clause "
                          "of ISO 9001:2026, and this project follows ISO 9001:2015)"],
        "ISO 9001:2026": ["content/organisation.yaml:4:3: E201 unknown clause '10.3' (did you mean '10.1'? 10.3 is a "
                          "clause of ISO 9001:2015, and this project follows ISO 9001:2026)",
                          "evidence/x.yaml:3:20: E201 unknown clause '10.3' (did you mean '10.1'? 10.3 is a clause "
                          "of ISO 9001:2015, and this project follows ISO 9001:2026)"],
    }
    for standard, lines in expected.items():
        root = tmp_path / standard[-4:]
        shutil.copytree(MINIMAL, root)
        write(root, "content/organisation.yaml", f'name: Example Works Ltd\nstandard: "{standard}"\n'
                                                 'windows:\n  "10.3": 12\n  "6.1.3": 12\n')
        write(root, "evidence/x.yaml", 'title: T\nkind: record\nclauses: ["6.1.3", "10.3", "6.1"]\n')
        project, diags = read_project(root, load_catalog(), date(2026, 11, 1))
        assert project.catalog.standard == standard == project.organisation.standard
        assert [d.format() for d in diags] == lines
        bad = "6.1.3" if standard.endswith("2015") else "10.3"
        assert next(e for e in project.evidence if e.id == "x").clauses == tuple(
            c for c in ("6.1.3", "10.3", "6.1") if c != bad)
        assert set(project.organisation.windows) == {"6.1.3", "10.3"} - {bad}


def test_each_edition_loads_with_its_edition_data() -> None:
    c2015, c2026 = load_catalog(), load_catalog("ISO 9001:2026")
    assert (c2015.standard, c2026.standard) == ("ISO 9001:2015", "ISO 9001:2026")
    assert c2015.exclusion_test and c2026.provisional_note and c2015.provisional_note is None
    assert c2026["6.1.3"].change == "split" and c2026["6.1.3"].sources and c2015["6.1"].change is None
    assert any(c.provisional for c in c2026.clauses) and not any(c.provisional for c in c2015.clauses)
    assert load_catalog() is load_catalog("ISO 9001:2015")  # one parse per edition
