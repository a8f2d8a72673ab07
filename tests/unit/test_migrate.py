"""``isoready migrate --to EDITION``: exact rewritten YAML with comments kept, what it could not decide, exit
codes, and nothing half-written."""

from __future__ import annotations

import os
from pathlib import Path
from textwrap import dedent

import pytest

from isoready.cli import migrate as migrate_mod
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


#: the day the CLI records as migrated: (SOURCE_DATE_EPOCH gives the as-of date): 2026-11-24
MIGRATED_ON = "2026-11-24"


@pytest.fixture(autouse=True)
def _migration_day(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795478400")


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
        "changed content/clauses/improvement.yaml",
        "changed content/findings/audit.yaml",
        "changed content/organisation.yaml",
        "changed evidence/improvement.yaml",
        "migrated from ISO 9001:2015 to ISO 9001:2026: 5 clause numbers rewritten in 4 files, standard set in "
        "content/organisation.yaml, migrated: 2026-11-24 recorded; 1 left for you to decide (listed above)",
    ]
    assert (root / "content/organisation.yaml").read_text(encoding="utf-8") == """\
# Kestrel's settings (a comment that must survive)
standard: "ISO 9001:2026"
migrated: 2026-11-24
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
    assert ("content/clauses/improvement.yaml:3:11: 10.3 undecided: 10.1 has a clause entry already "
            "(content/clauses/improvement.yaml:6): merge this clause entry into it, then delete this one") in out
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
                   "changed content/organisation.yaml",
                   "changed evidence/a.yaml",
                   "migrated from ISO 9001:2015 to ISO 9001:2026: 1 clause number rewritten in 1 file, standard set "
                   "in content/organisation.yaml, migrated: 2026-11-24 recorded"]
    assert (root / "content/organisation.yaml").read_text(encoding="utf-8") == (
        'migrated: 2026-11-24\nname: X\nstandard: "ISO 9001:2026"   # until the transition audit\n')
    assert (root / "evidence/a.yaml").read_text(encoding="utf-8") == 'title: A\nkind: record\nclauses: ["10.1", "8.4.1"]\n'
    # a second run has nothing to do
    assert run(capsys, root) == (0, ["already on ISO 9001:2026: no file needed changing (isoready validate lists "
                                     "anything left to decide)"])


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
    assert out == ["evidence/broken.yaml:2:7: E102 this '[' is never closed: add ']' (put it after the last item)",
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


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under root (hidden ones too: a temporary file left behind would show), with its bytes."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_a_read_only_file_stops_the_run_before_any_file_changes(tmp_path, capsys):
    root = project(tmp_path)
    os.chmod(root / "content/findings/audit.yaml", 0o444)  # the second of four files to write
    before = snapshot(root)
    code, out = run(capsys, root)
    assert code == 1
    assert out == ["migrate stopped: cannot write content/findings/audit.yaml: the file is read-only; make it "
                   "writable to migrate it; nothing was changed"]
    assert snapshot(root) == before  # content/organisation.yaml still has no standard: 2026
    assert b"standard" not in (root / "content/organisation.yaml").read_bytes()


def test_a_failed_rename_puts_back_the_files_already_renamed(tmp_path, capsys, monkeypatch):
    root = project(tmp_path, content__organisation_yaml='name: X\nstandard: "ISO 9001:2015"\n')
    before = snapshot(root)
    real = os.replace
    calls = []

    def replace(src, dst):  # the third rename of four fails: two files are in place already
        calls.append(dst)
        if len(calls) == 3:
            raise OSError(28, "No space left on device", str(dst))
        return real(src, dst)

    monkeypatch.setattr(migrate_mod.os, "replace", replace)
    code, out = run(capsys, root)
    assert code == 1
    assert out == ["migrate stopped: cannot write content/organisation.yaml: No space left on device; nothing was "
                   "changed"]
    assert snapshot(root) == before  # standard: is still ISO 9001:2015, and no temporary or backup file is left
    assert (root / "content/organisation.yaml").read_text(encoding="utf-8") == 'name: X\nstandard: "ISO 9001:2015"\n'


def test_a_folder_it_cannot_write_to_stops_the_run_naming_the_file(tmp_path, capsys, monkeypatch):
    root = project(tmp_path)
    before = snapshot(root)
    real = migrate_mod.tempfile.mkstemp

    def mkstemp(*args, dir=None, **kw):  # as root, chmod cannot make a folder unwritable: refuse it here
        if Path(dir).name == "evidence":
            raise PermissionError(13, "Permission denied", str(dir))
        return real(*args, dir=dir, **kw)

    monkeypatch.setattr(migrate_mod.tempfile, "mkstemp", mkstemp)
    code, out = run(capsys, root)
    assert code == 1
    assert out == ["migrate stopped: cannot write evidence/improvement.yaml: Permission denied; nothing was changed"]
    assert snapshot(root) == before


def test_a_symbolic_link_is_not_replaced(tmp_path, capsys):
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text('title: Shared\nkind: record\nclauses: ["10.3"]\n', encoding="utf-8")
    root = project(tmp_path / "p")
    (root / "evidence/shared.yaml").symlink_to(outside)
    before = snapshot(root)
    code, out = run(capsys, root)
    assert code == 1
    assert out == ["migrate stopped: cannot write evidence/shared.yaml: not a regular file (a symbolic link?); "
                   "migrate edits only regular files; nothing was changed"]
    assert snapshot(root) == before and (root / "evidence/shared.yaml").is_symlink()


def test_success_names_every_file_it_changed_and_a_second_run_none(tmp_path, capsys):
    root = make(tmp_path, {"content/organisation.yaml": "name: X\n",
                           "evidence/a.yaml": 'title: A\nkind: record\nclauses: ["8.4.1"]\n'})
    code, out = run(capsys, root)
    assert (code, out) == (0, ["changed content/organisation.yaml",
                               "migrated from ISO 9001:2015 to ISO 9001:2026: 0 clause numbers rewritten in 0 files, "
                               "standard set in content/organisation.yaml, migrated: 2026-11-24 recorded"])
    assert run(capsys, root) == (0, ["already on ISO 9001:2026: no file needed changing (isoready validate lists "
                                     "anything left to decide)"])


LSEP, NEL, PSEP = "\u2028", "\x85", "\u2029"


@pytest.mark.parametrize("before, after", [
    # a line or paragraph separator, or NEL, is a line break to YAML: a comment holding one has two lines
    *[(f"# a{brk}# b\ntitle: A\nkind: record\nclauses: [\"10.3\"]\n#         10.3 is improvement\n",
       f"# a{brk}# b\ntitle: A\nkind: record\nclauses: [\"10.1\"]\n#         10.3 is improvement\n")
      for brk in (LSEP, NEL, PSEP)],
    (f"title: A  # {LSEP}# 10.3\nkind: record\nclauses:\n  - 10.3\n  # - 10.3\n",
     f"title: A  # {LSEP}# 10.3\nkind: record\nclauses:\n  - 10.1\n  # - 10.3\n"),
    ("title: A\r\n# clauses: [\"10.3\"]\r\nkind: record\r\nclauses: ['10.3']  # 10.3\r\n",
     "title: A\r\n# clauses: [\"10.3\"]\r\nkind: record\r\nclauses: ['10.1']  # 10.3\r\n"),
    ("title: A\nkind: record\nclauses:   # clauses: [10.3]\n  - \"10.3\"\n",
     "title: A\nkind: record\nclauses:   # clauses: [10.3]\n  - \"10.1\"\n"),
    ('{title: "A # 10.3", kind: record, clauses: [ 10.3 ,"8.4.1"]}  # clauses: [10.3]\n',
     '{title: "A # 10.3", kind: record, clauses: [ 10.1 ,"8.4.1"]}  # clauses: [10.3]\n'),
    ("\"title\": A\n'kind': record\n\"clau\\x73es\": [&n 10.3, *n]\n",
     "\"title\": A\n'kind': record\n\"clau\\x73es\": [&n 10.1, *n]\n"),
    ("title: A\nkind: record\nclauses: [\"10\\x2E3\"]   # written with an escape\n",
     "title: A\nkind: record\nclauses: [\"10.1\"]   # written with an escape\n"),
], ids=["U+2028", "U+0085", "U+2029", "separator-in-trailing-comment", "crlf", "key-in-comment", "flow-mapping",
        "quoted-keys-and-alias", "escaped-value"])
def test_the_value_is_edited_where_its_node_is_never_a_comment(tmp_path, capsys, before, after):
    root = make(tmp_path, {"content/organisation.yaml": "name: X\n"})
    (root / "evidence").mkdir()
    (root / "evidence/a.yaml").write_bytes(before.encode("utf-8"))
    code, out = run(capsys, root)
    assert code == 0, out
    assert (root / "evidence/a.yaml").read_bytes().decode("utf-8") == after
    assert out[0].startswith("evidence/a.yaml:") and out[0].endswith(": 10.3 -> 10.1")


def test_an_assessment_in_a_flow_mapping_and_windows_with_quoted_keys(tmp_path, capsys):
    org = f"# windows: {{10.3: 1}}{LSEP}# 10.3\nname: X\nwindows: {{'10.3': 6, \"9.2.2\": 12}}  # '10.3'\n"
    root = make(tmp_path, {"content/organisation.yaml": org,
                           "content/clauses/c.yaml": "- {status: planned, 'clause': '10.3'}  # clause: '10.3'\n"})
    code, out = run(capsys, root)
    assert code == 0, out
    assert out[:2] == ["content/clauses/c.yaml:1:31: 10.3 -> 10.1", "content/organisation.yaml:4:11: 10.3 -> 10.1"]  # U+2028 is a line break to YAML
    assert (root / "content/clauses/c.yaml").read_text(encoding="utf-8") == (
        "- {status: planned, 'clause': '10.1'}  # clause: '10.3'\n")
    assert (root / "content/organisation.yaml").read_bytes().decode("utf-8") == (
        f"# windows: {{10.3: 1}}{LSEP}# 10.3\nstandard: \"ISO 9001:2026\"\nmigrated: 2026-11-24\nname: X\n"
        "windows: {'10.1': 6, \"9.2.2\": 12}  # '10.3'\n")


def test_a_clause_number_written_as_a_block_scalar_is_refused_with_nothing_changed(tmp_path, capsys):
    root = make(tmp_path, {"content/organisation.yaml": "name: X\n",
                           "evidence/a.yaml": "title: A\nkind: record\nclauses:\n  - |-\n    10.3\n"})
    before = snapshot(root)
    assert main(["migrate", "--root", str(root), "--to", "ISO 9001:2026"]) == 2
    assert capsys.readouterr().err == (
        "isoready: error: evidence/a.yaml:4:5: the clause number 10.3 is written as a block scalar (| or >); "
        "write it as plain or quoted text and run migrate again; nothing was changed\n")
    assert snapshot(root) == before


def test_crlf_and_a_byte_order_mark_survive(tmp_path, capsys):
    (tmp_path / "content").mkdir()
    (tmp_path / "evidence").mkdir()
    (tmp_path / "content/organisation.yaml").write_bytes(b"\xef\xbb\xbfname: X\r\n")
    (tmp_path / "evidence/a.yaml").write_bytes(b'\xef\xbb\xbfclauses: ["10.3"]\r\ntitle: A\r\nkind: record\r\n')
    assert run(capsys, tmp_path)[0] == 0
    assert (tmp_path / "content/organisation.yaml").read_bytes() == (
        b'\xef\xbb\xbfstandard: "ISO 9001:2026"\r\nmigrated: 2026-11-24\r\nname: X\r\n')
    assert (tmp_path / "evidence/a.yaml").read_bytes() == b'\xef\xbb\xbfclauses: ["10.1"]\r\ntitle: A\r\nkind: record\r\n'


def test_editions_md_shows_what_migrate_really_prints_for_the_demo(tmp_path, capsys):
    import re
    import shutil

    repo = Path(__file__).resolve().parents[2]
    for folder in ("content", "evidence"):
        shutil.copytree(repo / folder, tmp_path / folder)
    code, out = run(capsys, tmp_path)
    doc = (repo / "docs" / "editions.md").read_text(encoding="utf-8")
    block = re.search(r"prints one line per change and per open question, one per file it changed, then a summary:\n\n  ```\n(.*?)\n  ```",
                      doc, re.S).group(1)
    assert [line.strip() for line in block.splitlines()] == out
    assert code == 1


# --------------------------------------------------------------------------- untouched clause entries (issue 21)

FRESH_ORG = """\
name: Example Works Ltd
scope: Machining to customer drawings.
"""

#: clause entries as `init` writes them: untouched, each with its catalog title as a comment
FRESH_PLANNING = """\
- clause: "6.1.1"  # Determining risks and opportunities (label ours)
  status: not-started
- clause: "6.1.2"  # Planning actions on risks and opportunities (label ours)
  status: not-started
- clause: "6.2.1"  # Quality objectives (label ours)
  status: not-started
"""

FRESH_IMPROVEMENT = """\
# Clause entries for section 10.
- clause: "10.1"  # General
  status: planned
- clause: "10.2.1"
  status: not-started
- clause: "10.3"  # Continual improvement
  status: not-started
"""


def fresh(tmp_path: Path, planning: str = FRESH_PLANNING, improvement: str = FRESH_IMPROVEMENT) -> Path:
    return make(tmp_path, {"content/organisation.yaml": FRESH_ORG, "content/clauses/6-planning.yaml": planning,
                           "content/clauses/10-improvement.yaml": improvement})


def test_untouched_clause_entries_are_merged_and_split_by_migrate_itself(tmp_path, capsys):
    """A register fresh from init failed validation after migrate (E201 on 10.3) until two untouched entries
    were merged by hand, and migrate exited 1 asking about an untouched 6.1.2 entry."""
    root = fresh(tmp_path)
    code, out = run(capsys, root)
    assert out == [
        "content/clauses/10-improvement.yaml:6:11: 10.3 merged into the clause entry of 10.1 "
        "(content/clauses/10-improvement.yaml:2): both not-started, this clause entry removed",
        "content/clauses/6-planning.yaml:3:11: 6.1.2 split: a clause entry of 6.1.3 added after this one, "
        "not-started as it is",
        "changed content/clauses/10-improvement.yaml",
        "changed content/clauses/6-planning.yaml",
        "changed content/organisation.yaml",
        "migrated from ISO 9001:2015 to ISO 9001:2026: 0 clause numbers rewritten, 1 clause entry merged and 1 "
        "clause entry added in 2 files, standard set in content/organisation.yaml, migrated: 2026-11-24 recorded",
    ]
    assert code == 0
    assert (root / "content/clauses/10-improvement.yaml").read_text(encoding="utf-8") == """\
# Clause entries for section 10.
- clause: "10.1"  # General
  status: planned
- clause: "10.2.1"
  status: not-started
"""
    assert (root / "content/clauses/6-planning.yaml").read_text(encoding="utf-8") == """\
- clause: "6.1.1"  # Determining risks and opportunities (label ours)
  status: not-started
- clause: "6.1.2"  # Planning actions on risks and opportunities (label ours)
  status: not-started
- clause: "6.1.3"
  status: not-started
- clause: "6.2.1"  # Quality objectives (label ours)
  status: not-started
"""
    assert main(["validate", "--root", str(root), "--as-of", MIGRATED_ON]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "no problems found"


def test_a_clause_entry_someone_worked_on_is_left_to_decide_and_called_a_clause_entry(tmp_path, capsys):
    root = fresh(tmp_path, improvement=FRESH_IMPROVEMENT.replace(
        '"10.1"  # General\n  status: planned', '"10.1"  # General\n  status: not-started').replace(
        '"10.3"  # Continual improvement\n  status: not-started', '"10.3"  # Continual improvement\n  status: planned'),
        planning=FRESH_PLANNING.replace(
            "(label ours)\n  status: not-started\n- clause: \"6.2.1\"",
            "(label ours)\n  status: not-started\n  owner: Quality Manager\n- clause: \"6.2.1\""))
    code, out = run(capsys, root)
    assert out[:2] == [
        "content/clauses/10-improvement.yaml:6:11: 10.3 undecided: 10.1 has a clause entry already "
        "(content/clauses/10-improvement.yaml:2): merge this clause entry into it, then delete this one",
        "content/clauses/6-planning.yaml:3:11: 6.1.2 undecided: 6.1.2 was split in ISO 9001:2026: choose 6.1.2 "
        "(Actions to address risks) or 6.1.3 (Actions to address opportunities), or give each its own clause entry",
    ]
    assert code == 1
    assert "10.3" in (root / "content/clauses/10-improvement.yaml").read_text(encoding="utf-8")
    assert "6.1.3" not in (root / "content/clauses/6-planning.yaml").read_text(encoding="utf-8")


def test_an_untouched_6_1_2_entry_is_not_split_when_6_1_3_has_an_entry(tmp_path, capsys):
    root = fresh(tmp_path, planning=FRESH_PLANNING + '- clause: "6.1.3"\n  status: planned\n')
    code, out = run(capsys, root)
    assert ("content/clauses/6-planning.yaml:3:11: 6.1.2 undecided: 6.1.2 was split in ISO 9001:2026: choose 6.1.2 "
            "(Actions to address risks) or 6.1.3 (Actions to address opportunities), or give each its own clause "
            "entry") in out
    assert code == 1


def test_a_register_fresh_from_init_migrates_with_nothing_left_and_validates(tmp_path, capsys, monkeypatch):
    import isoready.cli.install
    from isoready.read.catalog import load_catalog
    from isoready.validate.project import read_project

    monkeypatch.setattr(isoready.cli.install, "install_record", lambda: None)  # as test_init: no wheel build
    monkeypatch.setattr(isoready.cli.install, "version", lambda: "0.1.0")
    root = tmp_path / "acme-qms"
    assert main(["init", str(root), "--name", "Acme Ltd", "--scope", "Machining.", "--yes"]) == 0
    capsys.readouterr()
    code, out = run(capsys, root)
    assert [line for line in out if "content/clauses/" in line and ": " in line] == [
        "content/clauses/10-improvement.yaml:19:11: 10.3 merged into the clause entry of 10.1 "
        "(content/clauses/10-improvement.yaml:13): both not-started, this clause entry removed",
        "content/clauses/6-planning.yaml:15:11: 6.1.2 split: a clause entry of 6.1.3 added after this one, "
        "not-started as it is"]
    assert code == 0
    assert main(["validate", "--root", str(root), "--as-of", MIGRATED_ON]) == 0
    assert capsys.readouterr().out == "no problems found\n"
    catalog = load_catalog("ISO 9001:2026")
    project, _ = read_project(root, catalog, migrate_mod.date(2026, 11, 24))
    assert sorted(a.clause for a in project.assessments) == sorted(c.number for c in catalog.clauses if c.is_leaf)


def test_a_registers_column_headers_are_never_read_as_clause_numbers(tmp_path, capsys):
    """``columns:`` maps a register's canonical columns (``covers``, ``clause`` among them) to its file's headers:
    migrate leaves it alone and asks nothing about it (issue 24)."""
    schedule = """\
        title: Internal audit schedule
        kind: record
        clauses: ["9.2.1"]
        file: schedule.csv
        register: audit-programme
        columns:
          covers: Clauses
          clause: "10.3"
        """
    root = project(tmp_path, evidence__schedule_yaml=schedule)
    code, lines = run(capsys, root)
    assert (root / "evidence/schedule.yaml").read_text(encoding="utf-8") == dedent(schedule)
    assert not [line for line in lines if "schedule.yaml" in line], lines
