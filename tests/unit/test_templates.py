"""The ready-to-copy records ``isoready init`` writes into templates/: each one, copied where its first lines say
(with a document beside it where it names one), validates in a fresh register with no problem; each matches its
JSON Schema; and validate never reads templates/ itself."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from isoready import cli
from isoready.cli.init import TEMPLATES, template_files
from isoready.outputs.contract import schema_text

AS_OF = "2026-12-06"
RECORDS = ["calibration-certificate.yaml", "clause-assessment.yaml", "finding.yaml", "internal-audit-report.yaml",
           "management-review-minutes.yaml", "policy-document.yaml", "procedure.yaml", "supplier-evaluation.yaml",
           "training-list.yaml"]
SCHEMA_OF = {"evidence/": "evidence", "content/findings/": "finding", "content/clauses/": "assessment"}


@pytest.fixture(autouse=True)
def from_the_index(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if isoready 0.1.0 came from the package index, so init builds no wheel (as in test_init.py)."""
    import isoready.cli.install

    monkeypatch.setattr(isoready.cli.install, "install_record", lambda: None)
    monkeypatch.setattr(isoready.cli.install, "version", lambda: "0.1.0")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1793491200")  # 2026-11-01


@pytest.fixture
def register(tmp_path: Path, capsys) -> Path:
    root = tmp_path / "acme"
    assert cli.main(["init", str(root), "--name", "Acme Ltd", "--yes"]) == 0
    capsys.readouterr()
    return root


def save_as(text: str) -> str:
    """The path a template says to save it at (its "Save as:" line), or content/clauses/ for an assessment."""
    found = re.search(r"^# Save as: (\S+)", text, re.M)
    if found:
        return found.group(1)
    assert re.search(r"^# Where: content/clauses/", text, re.M), "a template names where it goes"
    return "content/clauses/assessed.yaml"


def copy_in(root: Path, name: str) -> Path:
    """Copy one template from the register's templates/ to where it says, as a quality manager would, with
    each document its records name (a stand-in file) beside it. An assessment replaces the not-started entry
    init wrote for the same clause (a clause is assessed once)."""
    text = (root / TEMPLATES / name).read_text(encoding="utf-8")
    target = root / save_as(text)
    data = yaml.safe_load(text)
    entries = data if isinstance(data, list) else [data]
    if target.parent.name == "clauses":
        for entry in entries:
            for path in (root / "content" / "clauses").glob("*.yaml"):
                old = path.read_text(encoding="utf-8")
                new = re.sub(rf'^- clause: "{re.escape(entry["clause"])}"[^\n]*\n  status: not-started\n', "", old,
                             flags=re.M)
                path.write_text(new, encoding="utf-8")
    target.parent.mkdir(parents=True, exist_ok=True)
    assert not target.exists(), target
    target.write_text(text, encoding="utf-8")
    for entry in entries:
        if "file" in entry:
            doc = target.parent / entry["file"]
            doc.parent.mkdir(parents=True, exist_ok=True)
            doc.write_bytes(b"the document itself\n")
    return target


def test_init_writes_every_template(register: Path) -> None:
    names = sorted(p.name for p in (register / TEMPLATES).iterdir())
    assert names == sorted(RECORDS + ["README.md"])
    assert sorted(template_files()) == names
    readme = (register / TEMPLATES / "README.md").read_text(encoding="utf-8")
    for name in RECORDS:
        assert f"`{name}`" in readme, name


@pytest.mark.parametrize("name", RECORDS)
def test_each_template_is_commented_and_matches_its_schema(register: Path, name: str) -> None:
    text = (register / TEMPLATES / name).read_text(encoding="utf-8")
    assert text.startswith("# TEMPLATE: ")
    where = save_as(text)
    (schema,) = [s for prefix, s in SCHEMA_OF.items() if where.startswith(prefix)]
    jsonschema.validate(json.loads(json.dumps(yaml.safe_load(text), default=str)), json.loads(schema_text(schema)))
    # every key of the first entry says in plain words what it is: a note on its line or just above it
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("- ")]
    first = lines[:starts[1]] if len(starts) > 1 else lines
    for i, line in enumerate(first):
        if re.match(r"^(?:- |  )?[a-z_]+:", line):
            assert "#" in line or first[i - 1].lstrip().startswith("#"), f"{name}: {line!r} has no note"


@pytest.mark.parametrize("name", RECORDS)
def test_each_template_copied_into_a_fresh_register_validates(register: Path, name: str, capsys) -> None:
    if name == "finding.yaml":  # its findings name the internal audit that raised them
        copy_in(register, "internal-audit-report.yaml")
    copy_in(register, name)
    code = cli.main(["validate", "--root", str(register), "--as-of", AS_OF])
    out = capsys.readouterr()
    assert (code, out.out) == (0, "no problems found\n"), out.out + out.err


def test_all_templates_together_validate_and_build(register: Path, capsys) -> None:
    for name in RECORDS:
        copy_in(register, name)
    assert cli.main(["validate", "--root", str(register), "--as-of", AS_OF]) == 0
    assert capsys.readouterr().out == "no problems found\n"


def test_calibration_template_says_which_clause_in_plain_words(register: Path) -> None:
    text = (register / TEMPLATES / "calibration-certificate.yaml").read_text(encoding="utf-8")
    assert yaml.safe_load(text)["clauses"] == ["7.1.5.2"]
    assert "that is clause 7.1.5.2 (measurement traceability)" in text
    assert "your equipment list or calibration register" in text and "belongs there" in text


def test_validate_never_reads_the_templates_folder(register: Path, capsys) -> None:
    """Broken YAML, an unknown clause and a document no record names, all in templates/: no problem, as the
    folder is not evidence; the same file under evidence/ is an error (so the check could fail)."""
    broken = "title: [unclosed\nkind: record\nclauses: [\"99.9\"]\n"
    (register / TEMPLATES / "broken.yaml").write_text(broken, encoding="utf-8")
    (register / TEMPLATES / "orphan.pdf").write_bytes(b"%PDF")
    assert cli.main(["validate", "--root", str(register), "--as-of", AS_OF]) == 0
    assert capsys.readouterr().out == "no problems found\n"
    (register / "evidence" / "broken.yaml").write_text(broken, encoding="utf-8")
    assert cli.main(["validate", "--root", str(register), "--as-of", AS_OF]) == 1
    assert "evidence/broken.yaml" in capsys.readouterr().out
