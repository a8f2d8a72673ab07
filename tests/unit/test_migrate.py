"""``isoready migrate --to EDITION``: exact rewritten YAML with comments kept, what it could not decide, exit
codes, and nothing half-written."""

from __future__ import annotations

import os
from pathlib import Path
from textwrap import dedent

import pytest

from isoready import migrate as migrate_mod
from isoready.cli import main

ORG = """\
# Kestrel's settings (a comment that must survive)
name: Example Works Ltd   # trailing comment
scope: |
  Machining to customer drawings.
windows:
  "10.3": 6     # improvement reviews twice a year
  "9.2.2": 12
"""

EVIDENCE = """\
# improvement records
- id: CI-LOG
  title: Continual improvement log
  kind: record
  clauses: ["10.1", '10.3']   # both, in 2015
  date: 2026-11-13
- id: RR-1
  title: Risk and opportunity register
  kind: document
  clauses:
    - "6.1.1"
    - 6.1.2        # plain, unquoted
- id: AUDIT-1
  title: Internal audit 2026
  kind: record
  clauses: ["9.2.2"]
  covers: ["4", "10.3"]
  date: 2026-09-22
"""

ASSESSMENTS = """\
- clause: "10.2"
  status: implemented
- clause: '10.3'    # continual improvement
  status: in-progress
  target: 2027-02-26
"""

FINDINGS = """\
- id: IA-1
  clauses: [10.3]
  grade: minor
  status: open
  raised: 2026-09-22
  description: Improvement log not reviewed.
"""


def make(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(text), encoding="utf-8")
    return root


def project(tmp_path: Path, **over: str) -> Path:
    files = {"content/organisation.yaml": ORG, "evidence/improvement.yaml": EVIDENCE,
             "content/clauses/improvement.yaml": ASSESSMENTS, "content/findings/audit.yaml": FINDINGS}
    files.update({k.replace("__", "/").replace("_yaml", ".yaml"): v for k, v in over.items()})
    return make(tmp_path, files)


def run(capsys, root: Path, *to: str) -> tuple[int, list[str]]:
    code = main(["migrate", "--root", str(root), "--to", *(to or ("ISO 9001:2026",))])
    captured = capsys.readouterr()
    return code, (captured.out + captured.err).splitlines()


def test_rewrites_what_the_mapping_decides_keeps_comments_and_lists_the_rest(tmp_path, capsys):
    root = project(tmp_path)
    code, out = run(capsys, root)
    assert code == 1
    assert out == [
        "content/clauses/improvement.yaml:3:11: 10.3 -> 10.1",
        "content/findings/audit.yaml:2:13: 10.3 -> 10.1",
        "content/organisation.yaml:6:3: 10.3 -> 10.1",
        "evidence/improvement.yaml:5:21: 10.3 -> 10.1 (10.1 is now listed twice: delete one)",
        "evidence/improvement.yaml:17:17: 10.3 -> 10.1",
        "evidence/improvement.yaml:12:7: 6.1.2 undecided: 6.1.2 was split in ISO 9001:2026: choose 6.1.2 "
        "(Actions to address risks) or 6.1.3 (Actions to address opportunities), or map the record to several",
        "migrated from ISO 9001:2015 to ISO 9001:2026: 5 clause numbers rewritten in 4 files, standard set in "
        "content/organisation.yaml; 1 left for you to decide (listed above)",
    ]
    assert (root / "content/organisation.yaml").read_text(encoding="utf-8") == """\
# Kestrel's settings (a comment that must survive)
standard: "ISO 9001:2026"
name: Example Works Ltd   # trailing comment
scope: |
  Machining to customer drawings.
windows:
  "10.1": 6     # improvement reviews twice a year
  "9.2.2": 12
"""
    assert (root / "evidence/improvement.yaml").read_text(encoding="utf-8") == EVIDENCE.replace(
        """["10.1", '10.3']""", """["10.1", '10.1']""").replace('covers: ["4", "10.3"]', 'covers: ["4", "10.1"]')
    assert (root / "content/findings/audit.yaml").read_text(encoding="utf-8") == FINDINGS.replace(
        "[10.3]", "[10.1]")


def test_an_assessment_is_never_moved_onto_a_clause_already_assessed(tmp_path, capsys):
    root = project(tmp_path, content__clauses__improvement_yaml=ASSESSMENTS + '- clause: "10.1"\n  status: planned\n')
    code, out = run(capsys, root)
    assert code == 1
    assert ("content/clauses/improvement.yaml:3:11: 10.3 undecided: 10.1 is assessed already "
            "(content/clauses/improvement.yaml:6): merge this assessment into it, then delete this one") in out
    assert (root / "content/clauses/improvement.yaml").read_text(encoding="utf-8").count("'10.3'") == 1


def test_a_lone_10_3_assessment_moves_to_10_1(tmp_path, capsys):
    root = project(tmp_path)
    run(capsys, root)
    assert (root / "content/clauses/improvement.yaml").read_text(encoding="utf-8") == ASSESSMENTS.replace(
        "'10.3'", "'10.1'")


def test_everything_decided_exits_0_and_an_existing_standard_is_replaced_in_place(tmp_path, capsys):
    root = make(tmp_path, {
        "content/organisation.yaml": 'name: X\nstandard: "ISO 9001:2015"   # until the transition audit\n',
        "evidence/a.yaml": "title: A\nkind: record\nclauses: [\"10.3\", \"8.4.1\"]\n",
    })
    code, out = run(capsys, root)
    assert code == 0
    assert out == ["evidence/a.yaml:3:11: 10.3 -> 10.1",
                   "migrated from ISO 9001:2015 to ISO 9001:2026: 1 clause number rewritten in 1 file, standard set "
                   "in content/organisation.yaml"]
    assert (root / "content/organisation.yaml").read_text(encoding="utf-8") == (
        'name: X\nstandard: "ISO 9001:2026"   # until the transition audit\n')
    assert (root / "evidence/a.yaml").read_text(encoding="utf-8") == 'title: A\nkind: record\nclauses: ["10.1", "8.4.1"]\n'
    # a second run has nothing to do
    assert run(capsys, root) == (0, ["already on ISO 9001:2026: nothing to do (isoready validate lists anything "
                                     "left to decide)"])


def test_the_migrated_project_validates_and_warns_about_the_split_it_left(tmp_path, capsys):
    root = make(tmp_path, {
        "content/organisation.yaml": "name: X\n",
        "evidence/r.yaml": 'id: RR-1\ntitle: Risks\nkind: document\nclauses: ["6.1.2", "10.3"]\n',
    })
    assert run(capsys, root)[0] == 1
    code = main(["validate", "--root", str(root), "--as-of", "2026-11-24"])
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert out == ["evidence/r.yaml:4:11: W106 evidence 'RR-1' is mapped to 6.1.2, which ISO 9001:2026 split into "
                   "6.1.2 and 6.1.3 (choose 6.1.2 (Actions to address risks), 6.1.3 (Actions to address "
                   "opportunities) or both)", "0 errors, 1 warning"]


def test_back_to_2015_carries_6_1_3_and_asks_about_10_1(tmp_path, capsys):
    root = make(tmp_path, {
        "content/organisation.yaml": 'name: X\nstandard: "ISO 9001:2026"\n',
        "evidence/r.yaml": 'title: Opportunities\nkind: record\nclauses: ["6.1.3", "10.1"]\n',
    })
    code, out = run(capsys, root, "ISO 9001:2015")
    assert code == 1
    assert out[0] == "evidence/r.yaml:3:11: 6.1.3 -> 6.1.2"
    assert out[1] == ("evidence/r.yaml:3:20: 10.1 undecided: 10.1 covers several clauses of ISO 9001:2015: choose "
                      "10.1 (General) or 10.3 (Continual improvement), or map the record to several")
    assert (root / "content/organisation.yaml").read_text(encoding="utf-8") == 'name: X\nstandard: "ISO 9001:2015"\n'


def test_a_broken_file_stops_the_migration_before_anything_is_written(tmp_path, capsys):
    root = project(tmp_path, evidence__broken_yaml="title: a\nkind: [document\n")
    before = {p: p.read_bytes() for p in root.rglob("*.yaml")}
    code, out = run(capsys, root)
    assert code == 1
    assert out == ["evidence/broken.yaml:3:1: E102 malformed YAML: did not find expected ',' or ']' "
                   "(check indentation, colons and quotes)",
                   "migrate stopped: fix the files above first (isoready validate); nothing was changed"]
    assert {p: p.read_bytes() for p in root.rglob("*.yaml")} == before


@pytest.mark.parametrize("args, message", [
    (["--to", "ISO 9001:2030"], "isoready: error: --to must be one of 'ISO 9001:2015', 'ISO 9001:2026', not "
                                "'ISO 9001:2030'"),
    (["--to", "ISO 9001:2026", "--root", "nowhere"], "isoready: error: --root nowhere is not a folder"),
])
def test_usage_mistakes_exit_2(tmp_path, capsys, monkeypatch, args, message):
    project(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["migrate", *args]) == 2
    assert capsys.readouterr().err.splitlines() == [message]


def test_a_folder_without_organisation_yaml_is_not_a_project(tmp_path, capsys):
    assert main(["migrate", "--root", str(tmp_path), "--to", "ISO 9001:2026"]) == 2
    assert capsys.readouterr().err == (f"isoready: error: {tmp_path}/content/organisation.yaml not found: --root "
                                       "must be a project folder (with content/organisation.yaml)\n")


def test_a_failed_write_leaves_the_file_whole_and_no_temporary_file(tmp_path, monkeypatch):
    target = tmp_path / "a.yaml"
    target.write_text("clauses: [\"10.3\"]\n", encoding="utf-8")
    os.chmod(target, 0o640)

    def fail(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(migrate_mod.os, "replace", fail)
    with pytest.raises(OSError):
        migrate_mod.write_atomically(target, 'clauses: ["10.1"]\n')
    assert target.read_text(encoding="utf-8") == 'clauses: ["10.3"]\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml"]
    monkeypatch.undo()
    migrate_mod.write_atomically(target, 'clauses: ["10.1"]\n')
    assert target.read_text(encoding="utf-8") == 'clauses: ["10.1"]\n'
    assert target.stat().st_mode & 0o777 == 0o640


def test_crlf_and_a_byte_order_mark_survive(tmp_path, capsys):
    (tmp_path / "content").mkdir()
    (tmp_path / "evidence").mkdir()
    (tmp_path / "content/organisation.yaml").write_bytes(b"\xef\xbb\xbfname: X\r\n")
    (tmp_path / "evidence/a.yaml").write_bytes(b'\xef\xbb\xbfclauses: ["10.3"]\r\ntitle: A\r\nkind: record\r\n')
    assert run(capsys, tmp_path)[0] == 0
    assert (tmp_path / "content/organisation.yaml").read_bytes() == (
        b'\xef\xbb\xbfstandard: "ISO 9001:2026"\r\nname: X\r\n')
    assert (tmp_path / "evidence/a.yaml").read_bytes() == b'\xef\xbb\xbfclauses: ["10.1"]\r\ntitle: A\r\nkind: record\r\n'


def test_editions_md_shows_what_migrate_really_prints_for_the_demo(tmp_path, capsys):
    import re
    import shutil

    repo = Path(__file__).resolve().parents[2]
    for folder in ("content", "evidence"):
        shutil.copytree(repo / folder, tmp_path / folder)
    code, out = run(capsys, tmp_path)
    doc = (repo / "docs" / "editions.md").read_text(encoding="utf-8")
    block = re.search(r"prints one line per change and per open question, then a summary:\n\n  ```\n(.*?)\n  ```",
                      doc, re.S).group(1)
    assert [line.strip() for line in block.splitlines()] == out
    assert code == 1
