"""Validate refuses, with a code, file and line, every name build could not write or an auditor could not
unzip (issue 14): Windows-reserved names, invisible format characters, names over 255 bytes, page paths
that need the same file, names colliding under case folding or Unicode normalisation; and ids in any script."""

from __future__ import annotations

from pathlib import Path

import pytest

from isoready.cli import main

RECORD = 'title: T\nkind: record\nclauses: ["7.2"]\n'


def put(root: Path, rel: str, text: str = "") -> None:
    path = root / "evidence" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def validate(root: Path, capsys) -> tuple[int, list[str]]:
    code = main(["validate", "--root", str(root), "--as-of", "2026-11-01"])
    return code, capsys.readouterr().out.splitlines()


def build(root: Path, capsys) -> int:
    code = main(["build", "--root", str(root), "--as-of", "2026-11-01", "--output", str(root / "output")])
    capsys.readouterr()
    return code


CASES = [
    ("reserved-id", {"support/CON.yaml": RECORD + "url: https://example.com\n"},
     ["evidence/support/CON.yaml:1:1: E321 evidence id 'support/CON': 'CON.html' is a name Windows reserves "
      "(rename it: an auditor unzipping the archive on Windows could not create it)"]),
    ("reserved-document", {"support/a.yaml": RECORD + "file: aux.txt\n", "support/aux.txt": "x"},
     ["evidence/support/aux.txt:1:1: E321 document 'aux.txt' is a name Windows reserves "
      "(rename it: an auditor unzipping the archive on Windows could not create it)"]),
    ("trailing-dot", {"support/a.yaml": RECORD + "file: 'old./a.pdf'\n", "support/old./a.pdf": "x"},
     ["evidence/support/old./a.pdf:1:1: E321 document 'old.' ends in a dot or space, which Windows drops "
      "(rename it)"]),
    ("bidi", {"support/a.yaml": RECORD + "file: \"invoice\\u202egpj.exe\"\n", "support/invoice\u202egpj.exe": "x"},
     ["evidence/support/invoice\u202egpj.exe:1:1: E322 document name holds the invisible format character "
      "U+202E (RIGHT-TO-LEFT OVERRIDE) (rename it: such characters can make 'invoice\\u202egpj.exe' display "
      "as 'invoiceexe.jpg')"]),
    # a 251-byte Markdown name is fine on disk, but its generated page <name>.html would be 256 bytes
    ("long-name", {"support/a.yaml": RECORD + f"file: {'n' * 248}.md\n", f"support/{'n' * 248}.md": "# x\n"},
     [f"evidence/support/{'n' * 248}.md:1:1: E323 document name is 256 bytes long; file systems allow 255 "
      "(shorten it)"]),
    ("page-clash", {"support/x.yaml": RECORD + "url: https://example.com\n",
                    "support/x.html/y.yaml": RECORD + "url: https://example.com\n"},
     ["evidence/support/x.html/y.yaml:1:1: E324 evidence id 'support/x.html/y' needs a folder "
      "evidence/support/x.html, which is the page of 'support/x' (evidence/support/x.yaml:1) "
      "(rename one of the two ids)"]),
    ("nfd-nfc-documents", {"support/a.yaml": RECORD + "file: caf\u00e9.txt\n", "support/caf\u00e9.txt": "x",
                           "support/b.yaml": RECORD + "file: cafe\u0301.txt\n", "support/cafe\u0301.txt": "y"},
     ["evidence/support/caf\u00e9.txt:1:1: E307 document 'support/caf\u00e9.txt' differs only in Unicode "
      "normalisation (NFC/NFD) from 'support/cafe\u0301.txt' (the two would be one file on macOS; rename one)"]),
    ("case-clash-unicode-ids", {"support/Prüfmittel.yaml": RECORD + "url: https://example.com\n",
                                "support/prüfmittel.yaml": RECORD + "url: https://example.com\n"},
     ["evidence/support/prüfmittel.yaml:1:1: E307 evidence id 'support/prüfmittel' differs only in letter case "
      "from 'support/Prüfmittel' (the two would overwrite each other on macOS and Windows; rename one)"]),
]


@pytest.mark.parametrize("name,files,lines", CASES, ids=[c[0] for c in CASES])
def test_validate_refuses_names_build_could_not_write(minimal_project: Path, capsys, name, files, lines) -> None:
    for rel, text in files.items():
        put(minimal_project, rel, text)
    code, out = validate(minimal_project, capsys)
    assert (code, out) == (1, lines + ["1 error, 0 warnings"])


def test_build_refuses_the_same_and_writes_nothing(minimal_project: Path, capsys) -> None:
    put(minimal_project, "support/x.yaml", RECORD + "url: https://example.com\n")
    put(minimal_project, "support/x.html/y.yaml", RECORD + "url: https://example.com\n")
    assert build(minimal_project, capsys) == 1
    assert not (minimal_project / "output").exists()


@pytest.mark.parametrize("file_name,default_id", [
    ("improvement/品質改善 kaizen.yaml", "improvement/品質改善-kaizen"),
    ("support/prüfmittel.yaml", "support/prüfmittel"),
    ("support/Quality Policy (v2).yaml", "support/Quality-Policy-v2"),
    ("support/[draft] plan.yaml", "support/draft-plan"),
    ("support/pru\u0308fmittel.yaml", "support/pr\u00fcfmittel"),  # NFD on disk (macOS) gives the NFC id
])
def test_ids_in_any_script_and_clean_default_ids(minimal_project: Path, capsys, file_name, default_id) -> None:
    put(minimal_project, file_name, RECORD + "url: https://example.com\n")
    put(minimal_project, "support/ref.yaml", RECORD + "url: https://example.com\n")
    (minimal_project / "content" / "findings").mkdir(exist_ok=True)
    (minimal_project / "content" / "findings" / "f.yaml").write_text(
        f"- id: 改善-1\n  grade: ofi\n  status: open\n  clauses: ['7.2']\n  raised: 2026-10-01\n"
        f"  description: see\n  evidence: ['{default_id}']\n", encoding="utf-8")
    code, out = validate(minimal_project, capsys)
    assert (code, out) == (0, ["no problems found"])


def test_an_id_with_a_symbol_is_still_refused(minimal_project: Path, capsys) -> None:
    put(minimal_project, "support/a.yaml", RECORD + "id: qm★1\nurl: https://example.com\n")
    code, out = validate(minimal_project, capsys)
    assert code == 1 and out[0].startswith("evidence/support/a.yaml:4:5: E308 invalid evidence id 'qm★1'")


E322_DOC = ("evidence/support/invoice\\u202egpj.exe:1:1: E322 document name holds the invisible format character U+202E "
            "(RIGHT-TO-LEFT OVERRIDE) (rename it: such characters can make 'invoice\\u202egpj.exe' display as "
            "'invoiceexe.jpg')")
E323_DOC = "evidence/support/nnnn.md:1:1: E323 document name is 256 bytes long; file systems allow 255 (shorten it)"
E320_DOC = ("content/extra/index.html:1:1: E320 extra file would replace the portal's own index.html (rename it or "
            "move it to another folder under content/extra/)")


def test_the_documented_e322_and_e323_lines_are_real_output(minimal_project: Path, capsys) -> None:
    put(minimal_project, "support/a.yaml", RECORD + "file: \"invoice\\u202egpj.exe\"\n")
    put(minimal_project, "support/invoice\u202egpj.exe", "x")
    put(minimal_project, "support/b.yaml", RECORD + f"file: {'n' * 248}.md\n")
    put(minimal_project, f"support/{'n' * 248}.md", "# x\n")
    code, out = validate(minimal_project, capsys)
    shown = [line.replace("\u202e", "\\u202e").replace("n" * 248, "nnnn") for line in out]
    assert (code, shown) == (1, [E322_DOC, E323_DOC, "2 errors, 0 warnings"])


def test_extra_files_are_copied_listed_and_never_replace_the_portals_own(minimal_project: Path, capsys) -> None:
    import json

    extra = minimal_project / "content" / "extra"
    (extra / ".well-known").mkdir(parents=True)
    (extra / "CNAME").write_text("portal.example.com\n")
    (extra / ".nojekyll").write_text("")
    (extra / ".well-known" / "security.txt").write_text("Contact: mailto:qa@example.com\n")
    assert build(minimal_project, capsys) == 0
    site = minimal_project / "output"
    assert (site / "CNAME").read_text() == "portal.example.com\n"
    assert (site / ".well-known" / "security.txt").is_file()
    listed = {e["path"] for e in json.loads((site / "manifest.json").read_text())["files"]}
    assert {"CNAME", ".nojekyll", ".well-known/security.txt"} <= listed
    assert "  CNAME\n" in (site / "SHA256SUMS").read_text()
    assert build(minimal_project, capsys) == 0 and (site / "CNAME").is_file()  # still there in the next build
    (extra / "index.html").write_text("<p>mine</p>")
    code = main(["build", "--root", str(minimal_project), "--as-of", "2026-11-01", "--output", str(site)])
    assert code == 1
    out = capsys.readouterr()
    assert E320_DOC in out.out.splitlines()
    assert "left unchanged" in out.err
    assert "<p>mine</p>" not in (site / "index.html").read_text()


def test_validate_refuses_the_extra_files_build_would(minimal_project: Path, capsys) -> None:
    import os

    extra = minimal_project / "content" / "extra"
    extra.mkdir()
    (extra / "index.html").write_text("<p>mine</p>")
    (extra / "CNAME").write_text("portal.example.com\n")
    os.mkfifo(extra / "pipe")
    code, out = validate(minimal_project, capsys)
    assert (code, out) == (1, [E320_DOC, "content/extra/pipe:1:1: E320 extra file is not a regular file (a symlink, "
                                         "FIFO or device) (put the file itself in content/extra/)",
                               "2 errors, 0 warnings"])
    assert build(minimal_project, capsys) == 1 and not (minimal_project / "output").exists()


def test_the_editor_schema_accepts_ids_in_any_script() -> None:
    """The shipped JSON Schema (editors, pre-commit) must not flag what validate accepts."""
    import json
    import re

    from isoready.read.schema import EVIDENCE_ID

    shipped = json.loads((Path(__file__).parents[2] / "isoready" / "schemas" / "evidence.schema.json").read_text())
    assert EVIDENCE_ID.pattern in json.dumps(shipped, ensure_ascii=False).replace("\\\\", "\\")
    pattern = re.compile(EVIDENCE_ID.pattern)
    for good in ("improvement/品質改善-kaizen", "support/prüfmittel", "QP-001", "a_b.c/d"):
        assert pattern.match(good), good
    for bad in ("QP 002", "policy (signed)", "-x", "a//b", "a/", ".x"):
        assert not pattern.match(bad), bad
