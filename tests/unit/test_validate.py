"""Stage 3, validate: every diagnostic code produced from files, with its exact line, count and exit code.

Each broken project is the minimal fixture (tests/fixtures/minimal) copied to a temporary folder with one
file added, replaced or removed, then checked through the command line (`isoready.cli.main`), so these
tests assert exactly what a user sees. `test_every_code_is_asserted` fails when a code in
`isoready.core.diagnostics.CODES` has no exact-line assertion in this file or in test_cli.py.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from textwrap import dedent

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from isoready.validate import project as validate
from isoready.read.catalog import load_catalog
from isoready.cli import main
from isoready.core.diagnostics import CODES, Diagnostic
from isoready.core.load import parse_text

MINIMAL = Path(__file__).parents[1] / "fixtures" / "minimal"
AS_OF = "2026-11-01"


def write(root: Path, rel: str, content: str | bytes) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(dedent(content).lstrip("\n"), encoding="utf-8")
    return path


def run(capsys, root: Path, *args: str) -> tuple[int, list[str]]:
    """`isoready validate` on root; returns the exit code and the printed lines."""
    code = main(["validate", "--root", str(root), "--as-of", AS_OF, *args])
    return code, capsys.readouterr().out.splitlines()


# --------------------------------------------------------------------------- one broken file per code

SUPPLIERS_NO_BRACKET = """\
title: Approved supplier list
kind: record
clauses: ["8.4.1", "8.4.2"
file: suppliers.csv
date: 2026-09-14
"""

RECORD = """\
title: Test record
kind: document
clauses: ["4.1"]
"""


@dataclass
class Case:
    id: str
    files: dict[str, str]  # path -> content, written over the minimal project
    lines: list[str]  # the exact diagnostic lines, in the order printed
    count: str  # the count line
    exit: int = 1
    args: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()


CASES = [
    # ------------------------------------------------------------------ files and YAML
    Case("E102-malformed-yaml", {"evidence/x.yaml": "title: a\nkind: [document\n"},
         ["evidence/x.yaml:2:7: E102 this '[' is never closed: add ']' (put it after the last item)"],
         "1 error, 0 warnings"),
    # the YAML mistakes people make, in plain words at the line to change (issue 22)
    Case("E102-tab", {"evidence/x.yaml": 'title: Test record\nkind: document\nclauses:\n\t- "4.1"\n'},
         ["evidence/x.yaml:4:1: E102 a tab character: indent with spaces "
          "(replace the tab with spaces, as many as the lines around it use)"],
         "1 error, 0 warnings"),
    Case("E102-block-text-not-indented",
         {"evidence/x.yaml": RECORD + "description: |\nThe scope covers one site.\nIt excludes design.\n"},
         ["evidence/x.yaml:4:1: E102 indent the text under 'description: |' "
          "(start each line of the text with 2 spaces, two more than 'description')"],
         "1 error, 0 warnings"),
    Case("E102-list-item-out-of-line",
         {"evidence/x.yaml": 'title: Test record\nkind: document\nclauses:\n  - "4.1"\n   - "4.2"\n'},
         ["evidence/x.yaml:5:4: E102 this list item is indented differently from the one above "
          "(line its '-' up with the '-' on line 4)"],
         "1 error, 0 warnings"),
    Case("E102-bracket-never-closed", {"evidence/x.yaml": 'title: Test record\nkind: document\nclauses: ["4.1"\n'},
         ["evidence/x.yaml:3:10: E102 this '[' is never closed: add ']' (put it after the last item)"],
         "1 error, 0 warnings"),
    Case("E102-quote-never-closed", {"evidence/x.yaml": 'title: "Test record\nkind: document\nclauses: ["4.1"]\n'},
         ["evidence/x.yaml:1:8: E102 this quote is never closed (close it with \" at the end of the value)"],
         "1 error, 0 warnings"),
    Case("E102-quote-never-closed-at-the-end", {"evidence/x.yaml": RECORD + "owner: 'Quality Manager\n"},
         ["evidence/x.yaml:4:8: E102 this quote is never closed (close it with ' at the end of the value)"],
         "1 error, 0 warnings"),
    Case("E102-control-character", {"evidence/x.yaml": "title: Caf\u00e9 \x01\n"},
         ["evidence/x.yaml:1:13: E102 malformed YAML: unacceptable character #x0001: control characters are "
          "not allowed (remove the character; YAML text allows no control characters)"],
         "1 error, 0 warnings"),
    Case("E102-two-documents", {"evidence/x.yaml": RECORD + "---\n" + RECORD},
         ["evidence/x.yaml:4:1: E102 more than one YAML document in the file "
          "(keep one document per file; remove the '---' separator)"],
         "1 error, 0 warnings"),
    Case("E102-unknown-alias", {"evidence/x.yaml": RECORD + "owner: *boss\n"},
         ["evidence/x.yaml:4:8: E102 unknown alias '*boss' (define the anchor first)"],
         "1 error, 0 warnings"),
    Case("E105-deep-nesting", {"evidence/x.yaml": "title: " + "[" * 40 + "]" * 40 + "\n"},
         ["evidence/x.yaml:1:39: E105 YAML nested deeper than 32 levels "
          "(flatten the structure; records need only a few levels)"],
         "1 error, 0 warnings"),
    Case("E106-shapes", {
        "evidence/x.yaml": "- just text\n",
        "evidence/y.yaml": "a plain sentence\n",
        "evidence/z.yaml": "# nothing but a comment\n",
        "content/clauses/x.yaml": 'clause: "4.1"\nstatus: planned\n',
        "content/findings/x.yaml": "- IA-2026-09\n",
    }, [
        "content/clauses/x.yaml:1:1: E106 this file must hold a list of clause assessments "
        "(start each entry with '- clause: \"4.1\"')",
        "content/findings/x.yaml:1:3: E106 each finding must be a mapping (write '- id: IA-2026-01')",
        "evidence/x.yaml:1:3: E106 each item of an evidence list must be a mapping (a record) "
        "(start each record with '- title: ...')",
        "evidence/y.yaml:1:1: E106 an evidence file holds a record (a mapping) or a list of records "
        "(write 'title: ...', 'kind: ...', 'clauses: [...]' on separate lines)",
        "evidence/z.yaml:1:1: E106 evidence file holds no record (add title, kind and clauses, or delete the file)",
    ], "5 errors, 0 warnings"),
    Case("E106-field-shapes", {"evidence/x.yaml": """\
        title: [Quality, policy]
        kind: document
        clauses: {"4.1": yes}
        owner:
          name: QM
        """},
         ["evidence/x.yaml:1:8: E106 'title' must be text, not a list (write a single value)",
          "evidence/x.yaml:3:10: E106 'clauses' must be a list, not a mapping (write clauses: [\"...\"])",
          "evidence/x.yaml:5:3: E106 'owner' must be text, not a mapping (write a single value)"],
         "3 errors, 0 warnings"),
    Case("E106-mapping-key", {"evidence/x.yaml": RECORD + "[a, b]: c\n"},
         ["evidence/x.yaml:4:1: E106 a mapping key must be plain text (write the key as a word)"],
         "1 error, 0 warnings"),
    Case("E107-duplicate-key", {"evidence/x.yaml": RECORD + "title: Another title\n"},
         ["evidence/x.yaml:4:1: E107 duplicate key 'title' (first at line 1) (keep one of them)"],
         "1 error, 0 warnings"),
    # ------------------------------------------------------------------ fields
    Case("E201-unknown-clauses", {"evidence/x.yaml": "title: T\nkind: document\nclauses: [11.2, 8.30]\n"},
         ["evidence/x.yaml:3:11: E201 unknown clause '11.2' (did you mean '10.2'?)",
          "evidence/x.yaml:3:17: E201 unknown clause '8.30' (did you mean '8.3'?)"],
         "2 errors, 0 warnings"),
    Case("E201-assessment", {"content/clauses/x.yaml": "- clause: 8.30\n  status: planned\n"
                                                       "- clause: ten\n  status: planned\n"},
         ["content/clauses/x.yaml:1:11: E201 unknown clause '8.30' (did you mean '8.3'?)",
          "content/clauses/x.yaml:3:11: E201 unknown clause 'ten' "
          "(clauses run from 4 to 10.3; quote numbers like \"8.3\")"],
         "2 errors, 0 warnings"),
    # the number is there, with words or signs around it: say what to write, whether it was quoted or not
    Case("E201-words-around-the-number",
         {"evidence/x.yaml": 'title: T\nkind: document\nclauses: ["Clause 8.4", "\u00a78.5", 8.4 Purchasing, "ten"]\n'},
         ["evidence/x.yaml:3:11: E201 unknown clause 'Clause 8.4' (write the number only: \"8.4\")",
          "evidence/x.yaml:3:25: E201 unknown clause '\u00a78.5' (write the number only: \"8.5\")",
          "evidence/x.yaml:3:33: E201 unknown clause '8.4 Purchasing' (write the number only: \"8.4\")",
          "evidence/x.yaml:3:49: E201 unknown clause 'ten' (clauses run from 4 to 10.3, written as numbers like "
          "\"8.3\")"],
         "4 errors, 0 warnings"),
    Case("E201-other-edition", {"evidence/x.yaml": 'title: T\nkind: record\nclauses: ["6.1.3"]\n'},
         ["evidence/x.yaml:3:11: E201 unknown clause '6.1.3' (did you mean '6.1.2'? 6.1.3 is a clause of "
          "ISO 9001:2026, and this project follows ISO 9001:2015)"],
         "1 error, 0 warnings"),
    Case("E202-missing-key", {"evidence/x.yaml": 'kind: document\nclauses: ["4.1"]\n',
                              "content/clauses/x.yaml": "- clause: \"4.1\"\n  status:\n"},
         ["content/clauses/x.yaml:2:3: E202 clause assessment has no 'status' (add 'status:')",
          "evidence/x.yaml:1:1: E202 evidence record has no 'title' (add 'title:')"],
         "2 errors, 0 warnings"),
    Case("E202-list-record-without-id", {"evidence/x.yaml": "- " + RECORD.replace("\n", "\n  ").rstrip() + "\n"},
         ["evidence/x.yaml:1:3: E202 evidence record has no 'id' (add 'id:')"],
         "1 error, 0 warnings"),
    Case("E203-unknown-key", {"evidence/x.yaml": RECORD + "review_date: 2027-01-01\nflavour: blue\n"},
         ["evidence/x.yaml:4:1: E203 unknown key 'review_date' in evidence record (did you mean 'review_by'?)",
          "evidence/x.yaml:5:1: E203 unknown key 'flavour' in evidence record (use one of: title, kind, clauses, "
          "file, url, owner, date, review_by, audience, version, description, id, covers, auditor, inputs, topics, "
          "approved_by, approved, register, sheet, header_row, columns, show_people, sites)"],
         "2 errors, 0 warnings"),
    Case("E204-unknown-words", {
        "evidence/x.yaml": 'title: T\nkind: documnet\nclauses: ["4.1"]\naudience: everyone\n',
        "content/clauses/x.yaml": '- clause: "4.1"\n  status: done\n',
    }, [
        "content/clauses/x.yaml:2:11: E204 unknown status 'done' (use one of: not-started, planned, "
        "in-progress, implemented, verified, not-applicable)",
        "evidence/x.yaml:2:7: E204 unknown kind 'documnet' (did you mean 'document'?)",
        "evidence/x.yaml:4:11: E204 unknown audience 'everyone' (use one of: public, auditor, internal)",
    ], "3 errors, 0 warnings"),
    # did-you-mean reads the vocabulary's synonyms first: a supplier is an external provider (before: the
    # look-alike 'process-performance'), a registrar a certification body
    Case("E204-synonyms", {
        "evidence/x.yaml": RECORD.replace("document", "record") + "inputs: [supplier-performance, vendors]\n",
        "content/findings/x.yaml": "- id: F-9\n  clauses: [\"8.4\"]\n  grade: minor\n  status: open\n"
                                   "  raised: 2026-09-22\n  description: x\n  source: registrar\n",
    }, [
        "content/findings/x.yaml:7:11: E204 unknown source 'registrar' (did you mean 'certification-body'?)",
        "evidence/x.yaml:4:10: E204 'supplier-performance' is not one of the allowed inputs "
        "(did you mean 'external-providers'?)",
        "evidence/x.yaml:4:32: E204 'vendors' is not one of the allowed inputs (did you mean 'external-providers'?)",
    ], "3 errors, 0 warnings"),
    Case("E205-impossible-date", {"evidence/x.yaml": RECORD + "date: 2026-13-45\nreview_by: next spring\n"},
         ["evidence/x.yaml:4:7: E205 impossible date '2026-13-45' (write a real date as YYYY-MM-DD)",
          "evidence/x.yaml:5:12: E205 impossible review_by 'next spring' (write a real date as YYYY-MM-DD)"],
         "2 errors, 0 warnings"),
    Case("E206-empty-values", {"evidence/x.yaml": 'title: "  "\nkind: document\nclauses: []\n'},
         ["evidence/x.yaml:1:8: E206 'title' is empty (give evidence record a title)",
          "evidence/x.yaml:3:10: E206 'clauses' is empty (list at least one clause)"],
         "2 errors, 0 warnings"),
    Case("E207-invalid-window", {"content/organisation.yaml": """\
        name: Example Works Ltd
        windows:
          "9.2.2": 0
          "9.3.3": twelve
        """},
         ["content/organisation.yaml:3:12: E207 window for clause '9.2.2' must be a whole number of months "
          "from 1 to 120 (write e.g. '\"9.2.2\": 12')",
          "content/organisation.yaml:4:12: E207 window for clause '9.3.3' must be a whole number of months "
          "from 1 to 120 (write e.g. '\"9.2.2\": 12')"],
         "2 errors, 0 warnings"),
    # ------------------------------------------------------------------ evidence documents and links
    Case("E301-file-not-found", {"evidence/x.yaml": RECORD + "file: policy.pdf\n"},
         ["evidence/x.yaml:4:7: E301 file 'policy.pdf' not found (looked for evidence/policy.pdf) "
          "(check the name, or add the document)"],
         "1 error, 0 warnings"),
    Case("E301-file-name-too-long", {"evidence/x.yaml": RECORD + "file: " + "a" * 300 + "\n"},
         ["evidence/x.yaml:4:7: E301 file '" + "a" * 300 + "' not found (looked for evidence/" + "a" * 300
          + ") (check the name, or add the document)"],
         "1 error, 0 warnings"),
    Case("E301-not-a-document", {"evidence/x.yaml": RECORD + "file: context\n",
                                 "evidence/y.yaml": RECORD + "file: context/scope.yaml\n"},
         ["evidence/x.yaml:4:7: E301 file 'context' is not a regular file (point 'file' at a document)",
          "evidence/y.yaml:4:7: E301 file 'context/scope.yaml' is a YAML file; evidence documents are the "
          "other files (point 'file' at the document itself)"],
         "2 errors, 0 warnings"),
    Case("E302-absolute-path", {"evidence/x.yaml": RECORD + "file: /etc/passwd\n",
                                "evidence/y.yaml": RECORD + "file: C:\\Users\\qm\\policy.pdf\n"},
         ["evidence/x.yaml:4:7: E302 file '/etc/passwd' is an absolute path "
          "(write the path relative to this YAML file)",
          "evidence/y.yaml:4:7: E302 file 'C:\\Users\\qm\\policy.pdf' is an absolute path "
          "(write the path relative to this YAML file)"],
         "2 errors, 0 warnings"),
    Case("E303-escaping-path", {"evidence/x.yaml": RECORD + "file: ../../etc/passwd\n",
                                "evidence/y.yaml": RECORD + "file: ../content/organisation.yaml\n",
                                "evidence/z.yaml": RECORD + "file: context\\scope.md\n"},
         ["evidence/x.yaml:4:7: E303 file '../../etc/passwd' leads outside evidence/ "
          "(keep evidence documents inside evidence/)",
          "evidence/y.yaml:4:7: E303 file '../content/organisation.yaml' leads outside evidence/ "
          "(keep evidence documents inside evidence/)",
          "evidence/z.yaml:4:7: E303 file 'context\\scope.md' uses backslashes (separate folders with '/')"],
         "3 errors, 0 warnings"),
    Case("E305-url-not-http", {"evidence/x.yaml": RECORD + "url: javascript:alert(1)\n",
                               "evidence/y.yaml": RECORD + "url: ftp://files.example.com/policy.pdf\n"},
         ["evidence/x.yaml:4:6: E305 url 'javascript:alert(1)' is not an http or https address "
          "(link to http:// or https:// only)",
          "evidence/y.yaml:4:6: E305 url 'ftp://files.example.com/policy.pdf' is not an http or https address "
          "(link to http:// or https:// only)"],
         "2 errors, 0 warnings"),
    Case("E306-file-and-url", {"evidence/x.yaml": RECORD + "file: context/scope.md\nurl: https://intranet.example.com/\n"},
         ["evidence/x.yaml:5:6: E306 record has both 'file' and 'url' (keep one of them)"],
         "1 error, 0 warnings"),
    Case("E307-ids-differ-in-case", {"evidence/x.yaml": "- id: qp-001\n" + "  " + RECORD.replace("\n", "\n  ").rstrip() + "\n"},
         ["evidence/x.yaml:1:3: E307 evidence id 'qp-001' differs only in letter case from 'QP-001' "
          "(the two would overwrite each other on macOS and Windows; rename one)"],
         "1 error, 0 warnings"),
    Case("E307-documents-differ-in-case", {"evidence/context/Scope.md": "# Old scope\n",
                                           "evidence/x.yaml": RECORD + "file: context/Scope.md\n"},
         ["evidence/context/scope.md:1:1: E307 document 'context/scope.md' differs only in letter case from "
          "'context/Scope.md' (the two would overwrite each other on macOS and Windows; rename one)"],
         "1 error, 0 warnings"),
    Case("E307-finding-ids-differ-in-case", {"content/findings/x.yaml": """\
        - id: ia-2026-01
          clauses: ["8.4.1"]
          grade: minor
          status: open
          raised: 2026-09-22
          description: Same finding, different case.
        """},
         ["content/findings/x.yaml:1:3: E307 finding id 'ia-2026-01' differs only in letter case from "
          "'IA-2026-01' (the two would overwrite each other on macOS and Windows; rename one)"],
         "1 error, 0 warnings"),
    Case("E308-invalid-ids", {"evidence/★.yaml": RECORD,
                              "evidence/x.yaml": "- id: QP 002\n  " + RECORD.replace("\n", "\n  ").rstrip() + "\n",
                              "evidence/y.yaml": "id: |\n  QP-003\n" + RECORD},
         ["evidence/x.yaml:1:7: E308 invalid evidence id 'QP 002' "
          "(use letters and digits (any script), '.', '_', '-' and '/' between parts (set 'id:' or rename the file))",
          "evidence/y.yaml:1:5: E308 invalid evidence id 'QP-003\\n' "
          "(use letters and digits (any script), '.', '_', '-' and '/' between parts (set 'id:' or rename the file))",
          "evidence/★.yaml:1:1: E308 invalid evidence id '★' "
          "(use letters and digits (any script), '.', '_', '-' and '/' between parts (set 'id:' or rename the file))"],
         "3 errors, 0 warnings"),
    Case("E309-bad-document-name", {"evidence/tab\there.txt": "x\n",
                                     "evidence/x.yaml": RECORD + "file: \"tab\\there.txt\"\n"},
         ["evidence/tab\\there.txt:1:1: E309 document name holds a control character or backslash "
          "(rename the file: such names break checksum lists and other systems)"],
         "1 error, 0 warnings"),
    Case("E308-invalid-finding-id", {"content/findings/x.yaml": """\
        - id: IA/2026/09
          clauses: ["8.4.1"]
          grade: minor
          status: open
          raised: 2026-09-22
          description: A slash would make a folder of the finding page.
        """},
         ["content/findings/x.yaml:1:7: E308 invalid finding id 'IA/2026/09' "
          "(use letters and digits (any script), '.', '_' and '-' only)"],
         "1 error, 0 warnings"),
    # an invalid id no longer hides the finding's other problems until the next run
    Case("E308-invalid-finding-id-and-more", {"content/findings/x.yaml": """\
        - id: IA/2026/09
          clauses: ["8.4.1"]
          grade: minor
          status: open
          raised: 2026-09-22
          due: 2026-09-01
          description: A slash would make a folder of the finding page.
          action: Re-evaluate the suppliers.
          corrective_action: Re-evaluate the suppliers.
        """},
         ["content/findings/x.yaml:1:7: E308 invalid finding id 'IA/2026/09' "
          "(use letters and digits (any script), '.', '_' and '-' only)",
          "content/findings/x.yaml:6:8: E407 due 2026-09-01 is before raised 2026-09-22 "
          "('due' must fall on or after 'raised')",
          "content/findings/x.yaml:8:11: E412 finding has both 'action' and 'corrective_action' "
          "(keep only 'corrective_action'; 'action' is its older name)"],
         "3 errors, 0 warnings"),
    # ------------------------------------------------------------------ references and rules
    Case("E401-duplicate-evidence-id", {"evidence/x.yaml": """\
        - id: QP-001
          title: Quality policy (draft)
          kind: document
          clauses: ["5.2"]
        - id: support/training
          title: Training records
          kind: record
          clauses: ["7.2"]
        """},
         ["evidence/x.yaml:1:3: E401 duplicate evidence id 'QP-001' "
          "(also in evidence/leadership/policies.yaml:1) (give each record its own id)",
          "evidence/x.yaml:5:3: E401 duplicate evidence id 'support/training' "
          "(also in evidence/support/training.yaml:1) (give each record its own id)"],
         "2 errors, 0 warnings"),
    Case("E402-clause-assessed-twice", {"content/clauses/x.yaml": '- clause: "4.3"\n  status: planned\n'},
         ["content/clauses/x.yaml:1:11: E402 clause '4.3' assessed twice (first in content/clauses/context.yaml:1) "
          "(keep one clause entry per clause)"],
         "1 error, 0 warnings"),
    Case("E403-not-applicable-unjustified", {"content/clauses/x.yaml": """\
        - clause: "8.5.3"
          status: not-applicable
        - clause: "8.5.5"
          status: not-applicable
          justification: "  "
        """},
         ["content/clauses/x.yaml:2:11: E403 clause '8.5.3' is not-applicable without a justification "
          "(add 'justification:' saying why it cannot apply within the scope)",
          "content/clauses/x.yaml:4:11: E403 clause '8.5.5' is not-applicable without a justification "
          "(add 'justification:' saying why it cannot apply within the scope)"],
         "2 errors, 0 warnings"),
    Case("E404-unknown-evidence-id", {"content/clauses/x.yaml": """\
        - clause: "4.1"
          status: planned
          evidence: [context/scop, nothing-like-it]
        """, "content/findings/x.yaml": """\
        - id: IA-2026-09
          clauses: ["8.4.1"]
          grade: minor
          status: open
          raised: 2026-09-22
          description: d
          evidence: [qp-001]
        """},
         ["content/clauses/x.yaml:3:14: E404 unknown evidence id 'context/scop' (did you mean 'context/scope'? "
          "An id is the record's path under evidence/ without .yaml, or its id: key)",
          "content/clauses/x.yaml:3:28: E404 unknown evidence id 'nothing-like-it' "
          "(an id is the record's path under evidence/ without .yaml, or its id: key)",
          "content/findings/x.yaml:7:14: E404 unknown evidence id 'qp-001' "
          "(did you mean 'QP-001'? An id is the record's path under evidence/ without .yaml, or its id: key)"],
         "3 errors, 0 warnings"),
    # a file named instead of its record: its YAML file (by path or by name) or its document (issue 22)
    Case("E404-file-named-instead-of-id", {
        "evidence/support/Schulungsnachweise M\u00fcller.yaml": 'id: support/training-records\ntitle: Schulungen\n'
                                                              'kind: record\nclauses: ["7.2"]\n',
        "evidence/support/courses.yaml": '- id: TR-01\n  title: Course 1\n  kind: record\n  clauses: ["7.2"]\n'
                                         '- id: TR-02\n  title: Course 2\n  kind: record\n  clauses: ["7.2"]\n',
        "content/clauses/x.yaml": '- clause: "7.2"\n  status: planned\n  evidence: [support/training.yaml, '
                                  '"Schulungsnachweise M\u00fcller.yaml", suppliers.csv, support/courses]\n'},
         ["content/clauses/x.yaml:3:14: E404 unknown evidence id 'support/training.yaml' (did you mean "
          "'support/training'? An id is the record's path under evidence/ without .yaml, or its id: key)",
          "content/clauses/x.yaml:3:37: E404 unknown evidence id 'Schulungsnachweise M\u00fcller.yaml' (did you mean "
          "'support/training-records'? An id is the record's path under evidence/ without .yaml, or its id: key)",
          "content/clauses/x.yaml:3:71: E404 unknown evidence id 'suppliers.csv' (did you mean "
          "'operation/suppliers'? An id is the record's path under evidence/ without .yaml, or its id: key)",
          "content/clauses/x.yaml:3:86: E404 unknown evidence id 'support/courses' (did you mean 'TR-01' or "
          "'TR-02'? An id is the record's path under evidence/ without .yaml, or its id: key)"],
         "4 errors, 0 warnings"),
    Case("finding-rules", {"content/findings/x.yaml": """\
        - id: F-1
          clauses: ["8.4"]
          grade: severe
          status: pending
          raised: 2026-09-01
          description: Unknown grade and status.
        - id: F-2
          clauses: ["8.4"]
          grade: minor
          status: closed
          raised: 2026-09-01
          description: Closed without a date.
        - id: F-3
          clauses: ["8.4"]
          grade: minor
          status: closed
          raised: 2026-09-01
          due: 2026-08-01
          closed: 2026-08-15
          description: Dates out of order.
        - id: F-4
          clauses: ["8.4"]
          grade: ofi
          status: open
          raised: 2026-09-01
          closed: 2026-09-15
          description: Open, yet closed.
        - id: F-5
          clauses: ["8.4"]
          grade: minor
          status: closed
          raised: 2026-09-01
          closed:
          description: Closed with an empty date.
        - id: IA-2026-01
          clauses: ["8.4"]
          grade: minor
          status: open
          raised: 2026-09-01
          description: Duplicate id.
        """},
         ["content/findings/x.yaml:3:10: E204 unknown grade 'severe' (use one of: major, minor, ofi, "
          "area-of-concern)",
          "content/findings/x.yaml:4:11: E204 unknown status 'pending' (use one of: open, closed)",
          "content/findings/x.yaml:10:11: E406 finding 'F-2' is closed but has no 'closed' date "
          "(add 'closed: YYYY-MM-DD')",
          "content/findings/x.yaml:18:8: E407 due 2026-08-01 is before raised 2026-09-01 "
          "('due' must fall on or after 'raised')",
          "content/findings/x.yaml:19:11: E407 closed 2026-08-15 is before raised 2026-09-01 "
          "('closed' must fall on or after 'raised')",
          "content/findings/x.yaml:26:11: E406 finding 'F-4' is open but has a 'closed' date "
          "(set 'status: closed' or remove 'closed')",
          "content/findings/x.yaml:31:11: E406 finding 'F-5' is closed but has no 'closed' date "
          "(add 'closed: YYYY-MM-DD')",
          "content/findings/x.yaml:35:3: E405 duplicate finding id 'IA-2026-01' "
          "(also in content/findings/internal-audit-2026.yaml:1) (give each finding its own id)"],
         "8 errors, 0 warnings"),
    Case("E407-other-dates", {"evidence/x.yaml": RECORD + "date: 2026-05-01\nreview_by: 2026-04-01\n",
                              "content/organisation.yaml": """\
        name: Example Works Ltd
        audits:
          stage1: 2027-02-01
          stage2: 2027-01-15
        """},
         ["content/organisation.yaml:4:11: E407 stage2 2027-01-15 is before stage1 2027-02-01 "
          "(stage 2 follows stage 1)",
          "evidence/x.yaml:5:12: E407 review_by 2026-04-01 is before date 2026-05-01 "
          "(the next review falls after the issue date)",
          "evidence/x.yaml:5:12: W103 evidence 'x' is stale: its review was due 2026-04-01 "
          "(review it and move review_by forward)"],
         "2 errors, 1 warning"),
    Case("E408-never-excludable", {"content/clauses/x.yaml": """\
        - clause: "7.2"
          status: not-applicable
          justification: Nobody needs to be competent.
        - clause: "8.5"
          status: not-applicable
          justification: We produce nothing.
        """},
         ["content/clauses/x.yaml:1:11: E408 clause '7.2' (Competence) can never be declared not-applicable "
          "(only requirements that cannot apply within the scope may be excluded (ISO 9001 4.3); "
          "give it a real status)",
          # the training records mapped to 7.2 contradict the exclusion too (issue 20)
          "content/clauses/x.yaml:1:11: E422 evidence contradicts the exclusion of clause '7.2': support/training "
          "is mapped to it (if the requirement applies, give it a real status; if not, map those records elsewhere)",
          "content/clauses/x.yaml:4:11: E408 clause '8.5' cannot be declared not-applicable (it covers 8.5.1 "
          "Control of production and service provision, which can never be excluded) (only requirements that "
          "cannot apply within the scope may be excluded (ISO 9001 4.3); give it a real status)"],
         "3 errors, 0 warnings"),
    Case("E408-resources-never-excludable", {"content/clauses/x.yaml": """\
        - clause: "7.1.3"
          status: not-applicable
          justification: We have no infrastructure.
        """},
         ["content/clauses/x.yaml:1:11: E408 clause '7.1.3' (Infrastructure) can never be declared not-applicable "
          "(only requirements that cannot apply within the scope may be excluded (ISO 9001 4.3); give it a real status)"],
         "1 error, 0 warnings"),
    Case("E408-not-fired-when-never-leaves-assessed", {"content/clauses/x.yaml": """\
        - clause: "8.5"
          status: not-applicable
          justification: Only 8.5.1 and 8.5.6 apply; both are assessed on their own.
        - clause: "8.5.1"
          status: implemented
        - clause: "8.5.6"
          status: planned
        """},
         ["content/clauses/x.yaml:1:11: W102 clause '8.5' (Production and service provision) is rarely "
          "excludable (expect the auditor to challenge this; make the justification specific)"],
         "0 errors, 1 warning", exit=0),
    Case("W102-rarely-excludable", {"content/clauses/operation.yaml": """\
        - clause: "8.3"
          status: not-applicable
          justification: We machine to customer drawings and hold no design responsibility.
        - clause: "8.5.4"
          status: not-applicable
          justification: We only machine parts; nothing is stored or preserved beyond dispatch.
        """},
         ["content/clauses/operation.yaml:4:11: W102 clause '8.5.4' (Preservation) is rarely excludable "
          "(expect the auditor to challenge this; make the justification specific)"],
         "0 errors, 1 warning", exit=0),
    Case("E409-exclusion-without-scope-document",
         # the scope record becomes a record (retained), so no *document* is mapped to 4.3 any more
         {"evidence/context/scope.yaml": 'title: QMS scope statement\nkind: record\nclauses: ["4.3"]\n'
                                         "file: scope.md\n"},
         ["content/clauses/operation.yaml:1:11: E409 clause '8.3' is excluded but no scope document is mapped "
          "to 4.3 (add a document record with clauses [\"4.3\"] that states the scope and its exclusions)"],
         "1 error, 0 warnings"),
    Case("E410-organisation-missing", {}, remove=("content/organisation.yaml",),
         lines=["content/organisation.yaml:1:1: E410 organisation settings file is missing "
                "(create content/organisation.yaml with 'name:' and 'scope:')"],
         count="1 error, 0 warnings"),
    Case("E410-organisation-not-a-mapping", {"content/organisation.yaml": "- Example Works Ltd\n"},
         ["content/organisation.yaml:1:1: E410 organisation settings must be a mapping "
          "(write 'name: Your Company Ltd' and 'scope: ...')"],
         "1 error, 0 warnings"),
    Case("E410-not-repeated-after-E102", {"content/organisation.yaml": "name: [Example\n"},
         ["content/organisation.yaml:1:7: E102 this '[' is never closed: add ']' (put it after the last item)"],
         "1 error, 0 warnings"),
    # ------------------------------------------------------------------ a file that does not parse
    # the issue's case: a missing ']' made the findings' reference "unknown" and the CSV "unreferenced", and
    # both sorted before the real error; now one error, and one note on what was held back, right after it
    Case("W190-missing-bracket", {"evidence/operation/suppliers.yaml": SUPPLIERS_NO_BRACKET},
         ["evidence/operation/suppliers.yaml:3:10: E102 this '[' is never closed: add ']' (put it after the last item)",
          "evidence/operation/suppliers.yaml:3:10: W190 2 problems (E404, W101) not reported until this file can be "
          "read: what it defines is unknown, so they may be false (fix the error above and run again)"],
         "1 error, 1 warning"),
    Case("W190-scope-document-unparsed", {"evidence/context/scope.yaml": "title: QMS scope statement\nclauses: [4.3\n"},
         ["evidence/context/scope.yaml:2:10: E102 this '[' is never closed: add ']' (put it after the last item)",
          "evidence/context/scope.yaml:2:10: W190 4 problems (E404, E409, W101) not reported until this file can be "
          "read: what it defines is unknown, so they may be false (fix the error above and run again)"],
         "1 error, 1 warning"),
    Case("W190-two-files", {"evidence/operation/suppliers.yaml": SUPPLIERS_NO_BRACKET,
                            "evidence/zz.yaml": "title: [a\n"},
         ["evidence/operation/suppliers.yaml:3:10: E102 this '[' is never closed: add ']' (put it after the last item)",
          "evidence/operation/suppliers.yaml:3:10: W190 2 problems (E404, W101) not reported until this file and 1 "
          "other can be read: what it defines is unknown, so they may be false (fix the error above and run again)",
          "evidence/zz.yaml:1:8: E102 this '[' is never closed: add ']' (put it after the last item)"],
         "2 errors, 1 warning"),
    # organisation.yaml names the edition: unread, a 2026 clause would be "unknown" against the 2015 default
    Case("W190-organisation-unparsed", {
        "content/organisation.yaml": 'name: Example Works Ltd\nstandard: "ISO 9001:2026"\nscope: [x\n',
        "evidence/x.yaml": 'title: Opportunities register\nkind: record\nclauses: ["6.1.3"]\n'},
         ["content/organisation.yaml:3:8: E102 this '[' is never closed: add ']' (put it after the last item)",
          "content/organisation.yaml:3:8: W190 1 problem (E201) not reported until this file can be read: what it "
          "defines is unknown, so it may be false (fix the error above and run again)"],
         "1 error, 1 warning"),
    # nothing held back: no note (the E102 cases above), and a parse error elsewhere holds back nothing
    Case("W190-not-for-a-clause-file", {"content/clauses/extra.yaml": "- clause: [4.1\n",
                                        "evidence/leadership/old-policy.pdf": "%PDF-1.4\n"},
         ["content/clauses/extra.yaml:1:11: E102 this '[' is never closed: add ']' (put it after the last item)",
          "evidence/leadership/old-policy.pdf:1:1: W101 evidence document that no record refers to "
          "(add a record with 'file:' pointing at it, or remove it)"],
         "1 error, 1 warning"),
    # ------------------------------------------------------------------ the root cause first, every problem at once
    # issue 22: a four-line clause entry took three runs (E204, then E402, then E404); all three come in one run,
    # and the record it names, broken itself, is not also called unknown (E404) or its document unreferenced (W101)
    Case("one-run-every-problem-of-an-entry", {
        "content/clauses/purchasing.yaml": '- clause: "8.4"\n  status: done\n  owner: Purchasing Manager\n'
                                           '  evidence: [operation/suppliers.yaml]\n',
        "evidence/operation/suppliers.yaml": SUPPLIERS_NO_BRACKET.replace("kind: record", "kind: recrd").replace(
            '"8.4.2"\n', '"8.4.2"]\n')},
         ["content/clauses/purchasing.yaml:1:11: E402 clause '8.4' assessed twice (first in "
          "content/clauses/operation.yaml:5) (keep one clause entry per clause)",
          "content/clauses/purchasing.yaml:2:11: E204 unknown status 'done' (use one of: not-started, planned, "
          "in-progress, implemented, verified, not-applicable)",
          "content/clauses/purchasing.yaml:4:14: E404 unknown evidence id 'operation/suppliers.yaml' (did you mean "
          "'operation/suppliers'? An id is the record's path under evidence/ without .yaml, or its id: key)",
          "evidence/operation/suppliers.yaml:2:7: E204 unknown kind 'recrd' (did you mean 'record'?)"],
         "4 errors, 0 warnings"),
    # a record with its own error still defines its id and refers to its document: no knock-on listed before it
    Case("rejected-record-no-knock-on", {"evidence/operation/suppliers.yaml": SUPPLIERS_NO_BRACKET.replace(
        "title: Approved supplier list\n", "").replace('"8.4.2"\n', '"8.4.2"]\n')},
         ["evidence/operation/suppliers.yaml:1:1: E202 evidence record has no 'title' (add 'title:')"],
         "1 error, 0 warnings"),
    Case("rejected-record-without-id-keeps-its-document", {
        "evidence/leadership/old-policy.pdf": "%PDF-1.4\n",
        "evidence/leadership/old.yaml": '- title: Old policy\n  kind: document\n  clauses: ["5.2"]\n'
                                        '  file: old-policy.pdf\n'},
         ["evidence/leadership/old.yaml:1:3: E202 evidence record has no 'id' (add 'id:')"],
         "1 error, 0 warnings"),
    Case("rejected-scope-record-no-E409", {"evidence/context/scope.yaml": "kind: document\nclauses: [\"4.3\"]\n"
                                                                          "file: scope.md\n"},
         ["evidence/context/scope.yaml:1:1: E202 evidence record has no 'title' (add 'title:')"],
         "1 error, 0 warnings"),
    Case("rejected-finding-still-checked", {"content/findings/x.yaml": "- id: IA-2026-01\n  clauses: [\"8.5\"]\n"
                                                                       "  grade: minr\n  evidence: [QP-01]\n"},
         ["content/findings/x.yaml:1:3: E202 finding has no 'description' (add 'description:')",
          "content/findings/x.yaml:1:3: E202 finding has no 'raised' (add 'raised:')",
          "content/findings/x.yaml:1:3: E202 finding has no 'status' (add 'status:')",
          "content/findings/x.yaml:1:3: E405 duplicate finding id 'IA-2026-01' (also in "
          "content/findings/internal-audit-2026.yaml:1) (give each finding its own id)",
          "content/findings/x.yaml:3:10: E204 unknown grade 'minr' (did you mean 'minor'?)",
          "content/findings/x.yaml:4:14: E404 unknown evidence id 'QP-01' (did you mean 'QP-001'? An id is the "
          "record's path under evidence/ without .yaml, or its id: key)"],
         "6 errors, 0 warnings"),
    # a file saved as Windows-1252: its error, then the one note on what it held back, and nothing before them
    Case("windows-1252-root-cause-first", {"evidence/operation/suppliers.yaml": SUPPLIERS_NO_BRACKET.replace(
        '"8.4.2"\n', '"8.4.2"]\n').replace("Approved supplier list", "Lieferanten M\u00fcller").encode("cp1252")},
         ["evidence/operation/suppliers.yaml:1:21: E101 not UTF-8 text (byte 0xfc) (save the file as UTF-8)",
          "evidence/operation/suppliers.yaml:1:21: W190 2 problems (E404, W101) not reported until this file can be "
          "read: what it defines is unknown, so they may be false (fix the error above and run again)"],
         "1 error, 1 warning"),
    # ------------------------------------------------------------------ warnings
    Case("W101-unreferenced-document", {"evidence/leadership/old-policy.pdf": "%PDF-1.4\n"},
         ["evidence/leadership/old-policy.pdf:1:1: W101 evidence document that no record refers to "
          "(add a record with 'file:' pointing at it, or remove it)"],
         "0 errors, 1 warning", exit=0),
    Case("W101-strict", {"evidence/leadership/old-policy.pdf": "%PDF-1.4\n"}, args=("--strict",),
         lines=["evidence/leadership/old-policy.pdf:1:1: W101 evidence document that no record refers to "
                "(add a record with 'file:' pointing at it, or remove it)"],
         count="0 errors, 1 warning", exit=1),
    Case("W103-stale", {"evidence/x.yaml": RECORD + "review_by: 2026-10-31\n"},
         ["evidence/x.yaml:4:12: W103 evidence 'x' is stale: its review was due 2026-10-31 "
          "(review it and move review_by forward)"],
         "0 errors, 1 warning", exit=0),
    Case("W103-not-stale-on-the-day", {"evidence/x.yaml": RECORD + "review_by: 2026-11-01\n"},
         [], "no problems found", exit=0),
    Case("W103-W104-later-as-of", {}, args=("--as-of", "2027-02-16"),
         lines=["content/findings/internal-audit-2026.yaml:6:8: W104 finding 'IA-2026-01' is overdue: "
                "it was due 2026-12-01 (close it, or agree a new due date)",
                "evidence/leadership/policies.yaml:7:14: W103 evidence 'QP-001' is stale: its review was due "
                "2027-02-15 (review it and move review_by forward)"],
         count="0 errors, 2 warnings", exit=0),
    Case("W105-future-dated", {"evidence/x.yaml": RECORD + "date: 2026-11-02\n"},
         ["evidence/x.yaml:4:7: W105 evidence 'x' is dated 2026-11-02, after the as-of date 2026-11-01: it counts "
          "for nothing until then (correct the date, or add the record once it exists)"],
         "0 errors, 1 warning", exit=0),
    Case("W105-not-on-the-day", {"evidence/x.yaml": RECORD + "date: 2026-11-01\n"},
         [], "no problems found", exit=0),
    Case("W104-overdue", {"content/findings/x.yaml": """\
        - id: IA-2026-09
          clauses: ["8.4.1"]
          grade: minor
          status: open
          raised: 2026-09-22
          due: 2026-10-31
          description: Overdue.
        - id: IA-2026-10
          clauses: ["8.4.1"]
          grade: minor
          status: closed
          raised: 2026-09-22
          due: 2026-10-01
          closed: 2026-10-20
          description: Closed late, so not overdue.
        """},
         ["content/findings/x.yaml:6:8: W104 finding 'IA-2026-09' is overdue: it was due 2026-10-31 "
          "(close it, or agree a new due date)"],
         "0 errors, 1 warning", exit=0),
    # ------------------------------------------------------------------ keys added for the audit-grade verdict,
    # the 2026 edition and git (issues 10, 11, 13): each is optional, and each mistake is a diagnostic
    Case("E208-wrong-form", {"evidence/x.yaml": RECORD + 'topics: ["Quality Culture", climate-change]\n',
                             "content/organisation.yaml": "name: Example Works Ltd\nlast_audit: audit 2026\n"},
         ["content/organisation.yaml:2:13: E208 'audit 2026' is not a git tag, branch or commit name "
          "(write the tag as git shows it, e.g. audit-2026-09)",
          "evidence/x.yaml:4:10: E208 'Quality Culture' is not a valid topics key "
          "(use lower-case letters, digits and '-', e.g. quality-culture-ethics)"],
         "2 errors, 0 warnings"),
    Case("E411-not-a-record", {
        "content/clauses/x.yaml": '- clause: "6.1"\n  status: verified\n  verified_by: QP-001\n',
        "content/findings/x.yaml": '- id: F-1\n  clauses: ["8.4"]\n  grade: minor\n  status: open\n'
                                   '  raised: 2026-09-01\n  description: x\n  audit: QP-001\n'},
         ["content/clauses/x.yaml:3:16: E411 verified_by 'QP-001' is a document, not a record "
          "(name the audit record that verified it: an evidence record with kind: record)",
          "content/findings/x.yaml:7:10: E411 audit 'QP-001' is a document, not a record "
          "(name the audit record that raised it: an evidence record with kind: record)"],
         "2 errors, 0 warnings"),
    Case("E308-id-too-long-for-a-page-name", {
        "evidence/x.yaml": RECORD + "id: " + "a" * 251 + "\n",
        "content/findings/x.yaml": "- id: " + "F" * 300 + '\n  clauses: ["8.4"]\n  grade: minor\n  status: open\n'
                                   "  raised: 2026-09-01\n  description: x\n"},
         ["content/findings/x.yaml:1:7: E308 invalid finding id '" + "F" * 300
          + "' (an id names a page file: keep it within 250 bytes)",
          "evidence/x.yaml:4:5: E308 invalid evidence id '" + "a" * 251
          + "' (each part of an id names a page file: keep it within 250 bytes)"],
         "2 errors, 0 warnings"),
    Case("E412-action-twice", {
        "content/findings/x.yaml": '- id: F-1\n  clauses: ["8.4"]\n  grade: minor\n  status: open\n'
                                   '  raised: 2026-09-01\n  description: x\n  action: Retrain.\n'
                                   '  corrective_action: Retrain the team.\n'},
         ["content/findings/x.yaml:7:11: E412 finding has both 'action' and 'corrective_action' "
          "(keep only 'corrective_action'; 'action' is its older name)"],
         "1 error, 0 warnings"),
    Case("new-keys-mistakes", {
        "content/organisation.yaml": """\
        name: Example Works Ltd
        standard: ISO 9001:2016
        applies:
          traceability: yes
          measurment_traceability: true
        transition:
          deadline: 2029-09-15
          audit: 2029-10-01
        site_url: ftp://example.com
        public: true
        certificate:
          issued: 2027-04-01
          expires: 2027-03-01
        windows:
          "9.2.2": "\u00b2"
          "9.3.3": """ + "9" * 5000 + "\n",
        "evidence/x.yaml": RECORD.replace("document", "record") + "inputs: [changes, customer-satisfation, budget]\n",
        "content/clauses/x.yaml": '- clause: "6.1"\n  status: verified\n  verified_by: performance/internal-audit-2025\n',
        "content/findings/x.yaml": """\
        - id: F-1
          clauses: ["8.4"]
          grade: area-of-concern
          status: closed
          raised: 2026-09-22
          closed: 2026-10-01
          description: Work instructions out of date.
          source: customer-complaint
          audit: performance/internal-audit
          verification:
            date: 2026-09-01
            effective: maybe
            evidence: [performance/internal-audit-2027]
            note: checked
        - id: F-2
          clauses: ["8.4"]
          grade: minor
          status: open
          raised: 2026-09-22
          description: x
          verification: soon
        """}, [
        "content/clauses/x.yaml:3:16: E404 unknown evidence id 'performance/internal-audit-2025' "
        "(did you mean 'performance/internal-audit-2026'? An id is the record's path under evidence/ without .yaml, "
        "or its id: key)",
        "content/findings/x.yaml:8:11: E204 unknown source 'customer-complaint' (did you mean 'customer'?)",
        "content/findings/x.yaml:9:10: E404 unknown evidence id 'performance/internal-audit' "
        "(did you mean 'performance/internal-audit-2026'? An id is the record's path under evidence/ without .yaml, "
        "or its id: key)",
        "content/findings/x.yaml:11:11: E407 verification date 2026-09-01 is before raised 2026-09-22 "
        "(effectiveness is checked after the finding is raised)",
        "content/findings/x.yaml:12:16: E204 'effective' must be true or false, not 'maybe' (write true or false)",
        "content/findings/x.yaml:13:16: E404 unknown evidence id 'performance/internal-audit-2027' "
        "(did you mean 'performance/internal-audit-2026'? An id is the record's path under evidence/ without .yaml, "
        "or its id: key)",
        "content/findings/x.yaml:14:5: E203 unknown key 'note' in verification (use one of: date, by, effective, "
        "evidence)",
        "content/findings/x.yaml:21:17: E106 'verification' must be a mapping "
        "(write 'verification:' then its keys on the lines below, indented)",
        "content/organisation.yaml:2:11: E204 unknown standard 'ISO 9001:2016' (did you mean 'ISO 9001:2026'?)",
        "content/organisation.yaml:4:17: E204 'traceability' must be true or false, not 'yes' (write true or false)",
        "content/organisation.yaml:5:3: E203 unknown key 'measurment_traceability' in applies "
        "(did you mean 'measurement_traceability'?)",
        "content/organisation.yaml:8:10: E407 transition audit 2029-10-01 is after the deadline 2029-09-15 "
        "(plan the transition audit before the deadline)",
        "content/organisation.yaml:9:11: E305 site_url 'ftp://example.com' is not an http or https address "
        "(link to http:// or https:// only)",
        "content/organisation.yaml:10:9: E106 'public' must be a mapping "
        "(write 'public:' then its keys on the lines below, indented)",
        "content/organisation.yaml:13:12: E407 certificate expires 2027-03-01, not after issued 2027-04-01 "
        "(a certificate expires after it is issued)",
        "content/organisation.yaml:15:12: E207 window for clause '9.2.2' must be a whole number of months "
        "from 1 to 120 (write e.g. '\"9.2.2\": 12')",
        "content/organisation.yaml:16:12: E207 window for clause '9.3.3' must be a whole number of months "
        "from 1 to 120 (write e.g. '\"9.2.2\": 12')",
        "evidence/x.yaml:4:9: W170 inputs on evidence 'x' are not read: it is not mapped to 9.3 or its sub-clauses "
        "(list the inputs the review considered under inputs: in the minutes' record)",
        "evidence/x.yaml:4:19: E204 'customer-satisfation' is not one of the allowed inputs "
        "(did you mean 'customer-satisfaction'?)",
        "evidence/x.yaml:4:41: E204 'budget' is not one of the allowed inputs (use one of: previous-actions, "
        "changes, customer-satisfaction, objectives, process-performance, nonconformities, monitoring, "
        "audit-results, external-providers, resources, risks-opportunities, improvement)",
    ], "19 errors, 1 warning"),
    # ------------------------------------------------------------------ issue 11: a clause ISO 9001:2026 split
    Case("W106-split-clause", {"content/organisation.yaml": 'name: Example Works Ltd\nstandard: "ISO 9001:2026"\n',
                               "evidence/planning/risks.yaml": 'id: RR-01\ntitle: Risk register\nkind: record\n'
                                                               'clauses: ["6.1.2"]\n'},
         ["evidence/planning/risks.yaml:4:11: W106 evidence 'RR-01' is mapped to 6.1.2, which ISO 9001:2026 split "
          "into 6.1.2 and 6.1.3 (choose 6.1.2 (Actions to address risks), 6.1.3 (Actions to address opportunities) "
          "or both)"],
         "0 errors, 1 warning", exit=0),
    Case("W106-split-made", {"content/organisation.yaml": 'name: Example Works Ltd\nstandard: "ISO 9001:2026"\n',
                             "evidence/planning/risks.yaml": '- id: RR-01\n  title: Risk register\n  kind: record\n'
                                                             '  clauses: ["6.1.2"]\n- id: OP-01\n  title: '
                                                             'Opportunities\n  kind: record\n  clauses: ["6.1.3"]\n'},
         [], "no problems found", exit=0),
    Case("W107-unknown-topic", {"evidence/x.yaml": RECORD + "topics: [quality-culture, climate-change, zz-top]\n"},
         ["evidence/x.yaml:4:10: W107 unknown transition topic 'quality-culture' on evidence 'x' (did you mean "
          "'quality-culture-ethics'?)",
          "evidence/x.yaml:4:43: W107 unknown transition topic 'zz-top' on evidence 'x' (use a key listed in "
          "docs/editions.md, e.g. climate-change)"],
         "0 errors, 2 warnings", exit=0),
    # ------------------------------------------------------------------ issue 20: the verdict cross-examines
    Case("E420-exclusion-while-applies-true", {
        "content/organisation.yaml": "name: Example Works Ltd\napplies:\n  measurement_traceability: true\n",
        "content/clauses/x.yaml": '- clause: "7.1.5"\n  status: not-applicable\n'
                                  '  justification: We only use go/no-go gauges checked by eye.\n'},
         ["content/clauses/x.yaml:1:11: E420 clause '7.1.5' is excluded, but organisation.yaml declares 'applies: "
          "measurement_traceability: true' (7.1.5.2 Measurement traceability) (a requirement the organisation says "
          "applies cannot be excluded: give 7.1.5 a real status, or set 'measurement_traceability: false' if it does "
          "not apply)",
          "content/clauses/x.yaml:1:11: W102 clause '7.1.5' (Monitoring and measuring resources) is rarely "
          "excludable (expect the auditor to challenge this; make the justification specific)"],
         "1 error, 1 warning"),
    Case("E420-not-when-declared-false", {
        "content/organisation.yaml": "name: Example Works Ltd\napplies:\n  measurement_traceability: false\n",
        "content/clauses/x.yaml": '- clause: "7.1.5.2"\n  status: not-applicable\n'
                                  '  justification: No measurement needs traceability in our scope.\n'},
         [], "no problems found", exit=0),
    Case("E421-outsourcing-is-no-exclusion", {
        "content/clauses/x.yaml": '- clause: "8.5.5"\n  status: not-applicable\n'
                                  '  justification: Installation and servicing are subcontracted to our distributor.\n'},
         ["content/clauses/x.yaml:1:11: E421 clause '8.5.5' is excluded because the work is outsourced "
          "('subcontract') (outsourced processes stay in the QMS and are controlled under 8.4 (ISO 9001 4.3): give "
          "the clause a real status and map the supplier controls to it)"],
         "1 error, 0 warnings"),
    Case("E421-not-for-a-real-reason", {
        "content/clauses/x.yaml": '- clause: "8.5.5"\n  status: not-applicable\n'
                                  '  justification: Parts are shipped to the customer; there is no post-delivery work.\n'},
         [], "no problems found", exit=0),
    Case("E422-evidence-contradicts-exclusion", {
        "evidence/design.yaml": 'id: DR-01\ntitle: Design review minutes\nkind: record\nclauses: ["8.3.4", "8.3.5"]\n'
                                'date: 2026-06-01\n'},
         ["content/clauses/operation.yaml:1:11: E422 evidence contradicts the exclusion of clause '8.3': DR-01 is "
          "mapped to it (if the requirement applies, give it a real status; if not, map those records elsewhere)"],
         "1 error, 0 warnings"),
    Case("E423-verified-by-not-an-audit", {
        "evidence/inspection.yaml": 'id: FI-01\ntitle: Final inspection records\nkind: record\nclauses: ["8.6"]\n'
                                    'date: 2026-10-01\n',
        "content/clauses/x.yaml": '- clause: "8.6"\n  status: verified\n  verified_by: FI-01\n'
                                  '- clause: "8.7"\n  status: verified\n  verified_by: performance/internal-audit-2026\n'},
         ["content/clauses/x.yaml:3:16: E423 verified_by 'FI-01' is not an audit: it is mapped to 8.6, not to 9.2 or "
          "9.2.2 (name the internal audit record (mapped to 9.2.2) or the certification body's audit that verified it)"],
         "1 error, 0 warnings"),
    Case("W160-W161-finding-dates", {
        "content/findings/x.yaml": """\
        - id: F-1
          clauses: ["7.5.3"]
          grade: minor
          status: closed
          raised: 2026-09-22
          closed: 2026-11-20
          description: Closed later than the as-of date.
        - id: F-2
          clauses: ["7.5.3"]
          grade: minor
          status: closed
          raised: 2026-09-22
          closed: 2026-10-15
          description: Verified before it was closed.
          verification: {date: 2026-10-01, effective: true}
        - id: F-3
          clauses: ["7.5.3"]
          grade: minor
          status: closed
          raised: 2026-09-22
          closed: 2026-10-15
          description: Verified in the future.
          verification: {date: 2026-12-01, effective: true}
        - id: F-4
          clauses: ["7.5.3"]
          grade: minor
          status: closed
          raised: 2026-09-22
          closed: 2026-10-15
          description: Verified in order.
          verification: {date: 2026-10-20, effective: true}
        """},
         ["content/findings/x.yaml:1:3: W160 finding 'F-1' is closed on 2026-11-20, after the as-of date 2026-11-01: "
          "it counts as open until then (correct the date, or close the finding once it is closed)",
          "content/findings/x.yaml:8:3: W161 finding 'F-2' verification dated 2026-10-01 is before closed "
          "2026-10-15: it does not count (verify effectiveness after the corrective action is closed, and date it "
          "then)",
          "content/findings/x.yaml:16:3: W161 finding 'F-3' verification dated 2026-12-01 is after the as-of date "
          "2026-11-01: it does not count yet (record the verification once it has been done)"],
         "0 errors, 3 warnings", exit=0),
    # ------------------------------------------------------------------ repository: (issue 22), the links back
    # to the files: a value that cannot make a safe link is an error naming its line, never a traceback
    Case("E340-E341-repository-url-and-branch", {
        "content/organisation.yaml": "name: Example Works Ltd\nrepository:\n  url: javascript:alert(1)\n"
                                     "  branch: 'main\"><script>'\n"},
         ["content/organisation.yaml:3:8: E340 repository url 'javascript:alert(1)' cannot be used: it is not an "
          "http or https address with a host (write the address of the repository's page, e.g. "
          "https://github.com/acme/qms)",
          "content/organisation.yaml:4:11: E341 repository branch 'main\"><script>' is not a branch name (write the "
          "branch as git shows it, e.g. main)"],
         "2 errors, 0 warnings"),
    Case("E340-repository-url-with-a-token", {
        "content/organisation.yaml": "name: Example Works Ltd\nrepository:\n"
                                     "  url: https://ci:ghp_x@github.com/acme/qms\n"},
         ["content/organisation.yaml:3:8: E340 repository url 'https://ci:ghp_x@github.com/acme/qms' cannot be used: "
          "it holds a user name or password, which the portal would publish (write the address of the "
          "repository's page, e.g. https://github.com/acme/qms)"],
         "1 error, 0 warnings"),
    Case("E342-repository-pattern", {
        "content/organisation.yaml": "name: Example Works Ltd\nrepository:\n  url: https://git.example.org/qms\n"
                                     "  edit_uri: 'src/{branch}/{file}'\n  new_uri: 'new/{branch}'\n"},
         ["content/organisation.yaml:4:13: E342 repository edit_uri 'src/{branch}/{file}' cannot make a safe link: "
          "'{file}' is not a placeholder (use {branch}, {path}, {folder}, {filename}, {content}) (write e.g. "
          "'src/{branch}/{path}' or a full https:// address with {path})",
          "content/organisation.yaml:5:12: E342 repository new_uri 'new/{branch}' cannot make a safe link: it has no "
          "{folder}, so every link would open the same page (write e.g. 'new/{branch}/{folder}?name={filename}')"],
         "2 errors, 0 warnings"),
    # an integrated management system: 'standards:' and clause references to another standard ('14001:6.1.2')
    # or to the Harmonized Structure clause of every standard ('hs:7.5'); each mistake names its fix
    Case("E343-standard-and-standards", {
        "content/organisation.yaml": 'name: Example Works Ltd\nstandard: "ISO 9001:2015"\n'
                                     'standards: ["ISO 9001:2015", "ISO 14001:2015"]\n'},
         ["content/organisation.yaml:2:1: E343 both 'standard:' and 'standards:' are given (keep one: 'standards:' "
          "lists every standard, the primary first; 'standard:' names a single one)"],
         "1 error, 0 warnings"),
    Case("E344-standards-empty", {"content/organisation.yaml": "name: Example Works Ltd\nstandards: []\n"},
         ["content/organisation.yaml:2:12: E344 'standards:' lists no standard (write standards: [\"ISO 9001:2015\"], "
          "or use 'standard:' for a single standard)"],
         "1 error, 0 warnings"),
    Case("E345-standard-twice-or-two-editions", {
        "content/organisation.yaml": 'name: Example Works Ltd\nstandards: ["ISO 9001:2015", "ISO 14001:2015", '
                                     '"ISO 9001:2015", "ISO 9001:2026"]\n'},
         ["content/organisation.yaml:2:48: E345 'ISO 9001:2015' is listed twice in 'standards:' (list each standard "
          "once, in one edition)",
          "content/organisation.yaml:2:65: E345 'ISO 9001:2026' is a second edition of a standard listed as ISO "
          "9001:2015 in 'standards:' (a project follows one edition of a standard: keep the one you are certified "
          "or certifying to)"],
         "2 errors, 0 warnings"),
    Case("E346-unknown-standard", {
        "content/organisation.yaml": 'name: Example Works Ltd\nstandards: ["ISO 9001:2015", "ISO 14001:2016"]\n'},
         ["content/organisation.yaml:2:30: E346 'ISO 14001:2016' is not a standard isoready knows (did you mean "
          "'ISO 14001:2015'?)"],
         "1 error, 0 warnings"),
    Case("E346-audits-for-a-standard-not-followed", {
        "content/organisation.yaml": 'name: Example Works Ltd\nstandards: ["ISO 9001:2015", "ISO 14001:2015"]\n'
                                     'audits:\n  "ISO 9001:2015":\n    stage1: 2027-01-10\n'
                                     '  "ISO 45001:2018":\n    stage1: 2027-01-10\n'},
         ["content/organisation.yaml:6:3: E346 audits are booked for 'ISO 45001:2018', which this project does not "
          "follow (name ISO 9001:2015 or ISO 14001:2015, or add it to 'standards:')"],
         "1 error, 0 warnings"),
    Case("E346-E402-shared-plan-mixed-in-and-hs-assessed-twice", {
        "content/organisation.yaml": 'name: Example Works Ltd\nstandards: ["ISO 9001:2015", "ISO 14001:2015"]\n'
                                     'audits:\n  "ISO 9001:2015":\n    stage1: 2027-01-10\n  stage2: 2027-03-01\n',
        "content/clauses/x.yaml": '- clause: "hs:7.5"\n  status: implemented\n- clause: "14001:7.5"\n'
                                  '  status: planned\n'},
         ["content/clauses/x.yaml:3:11: E402 clause '14001:7.5' assessed twice (first as 'hs:7.5' in "
          "content/clauses/x.yaml:1) (keep one clause entry per clause and standard)",
          "content/organisation.yaml:6:3: E346 'stage2' is written beside plans per standard (put 'stage2:' under the "
          "standard it is for, or write one shared plan for all)"],
         "2 errors, 0 warnings"),
    Case("E408-E409-another-standards-exclusion-judged-by-it", {
        "content/organisation.yaml": 'name: Example Works Ltd\nstandards: ["ISO 9001:2015", "ISO 14001:2015"]\n',
        "content/clauses/x.yaml": '- clause: "14001:8.2"\n  status: not-applicable\n'
                                  '  justification: We hold no chemicals.\n'},
         ["content/clauses/x.yaml:1:11: E408 ISO 14001:2015: clause '8.2' (Emergency preparedness and response) can "
          "never be declared not-applicable (only requirements that cannot apply within the scope may be excluded "
          "(ISO 14001 4.3); give it a real status)",
          "content/clauses/x.yaml:1:11: E409 ISO 14001:2015: clause '8.2' is excluded but no scope document is "
          "mapped to 4.3 (add a document record with clauses [\"4.3\"] that states the scope and its exclusions)"],
         "2 errors, 0 warnings"),
    Case("E347-E348-E349-clause-references", {
        "content/organisation.yaml": 'name: Example Works Ltd\nstandards: ["ISO 9001:2015", "ISO 14001:2015"]\n',
        "evidence/x.yaml": 'title: X\nkind: record\nclauses: ["1401:6.1.2", "45001:8.1", "14001:6.1.7", '
                           '"14001:8.2", "hs:7.1.5", "hs:8.5", "hs:9.3.2", "9001:7.5", "hs:7.5"]\n'
                           'date: 2026-10-01\n'},
         ["evidence/x.yaml:3:11: E347 clause '1401:6.1.2' names standard '1401', which this project does not follow "
          "(did you mean '14001:6.1.2'? write a plain number, '9001:' or '14001:', or 'hs:'; to add a standard, list "
          "it in 'standards:' in content/organisation.yaml)",
          "evidence/x.yaml:3:25: E347 clause '45001:8.1' names standard '45001', which this project does not follow "
          "(write a plain number, '9001:' or '14001:', or 'hs:'; to add a standard, list it in 'standards:' in "
          "content/organisation.yaml)",
          "evidence/x.yaml:3:38: E348 clause '6.1.7' is not in ISO 14001:2015 (written '14001:6.1.7') (did you mean "
          "'14001:6.1.4'?)",
          "evidence/x.yaml:3:66: E349 'hs:7.1.5' is not a Harmonized Structure clause of ISO 9001:2015 and ISO "
          "14001:2015 (did you mean 'hs:7.1'? write '7.1.5' for ISO 9001:2015 alone)",
          "evidence/x.yaml:3:78: E349 'hs:8.5' is not a Harmonized Structure clause of ISO 9001:2015 and ISO "
          "14001:2015 (write '8.5' for ISO 9001:2015 alone)",
          "evidence/x.yaml:3:88: E349 'hs:9.3.2' is not a Harmonized Structure clause of ISO 9001:2015 and ISO "
          "14001:2015 (did you mean 'hs:9.3'? write '9.3.2' for ISO 9001:2015 alone)"],
         "6 errors, 0 warnings"),
    Case("E347-another-standard-in-a-single-standard-project", {
        "evidence/x.yaml": 'title: X\nkind: record\nclauses: ["14001:6.1.2", "hs:7.5"]\ndate: 2026-10-01\n'},
         ["evidence/x.yaml:3:11: E347 clause '14001:6.1.2' names standard '14001', which this project does not "
          "follow (write a plain number, '9001:', or 'hs:'; to add a standard, list it in 'standards:' in "
          "content/organisation.yaml)"],
         "1 error, 0 warnings"),
    Case("W140-repository-host-without-links", {
        "content/organisation.yaml": "name: Example Works Ltd\nrepository:\n  url: https://git.example.org/qms\n"},
         ["content/organisation.yaml:3:8: W140 the portal has no built-in links for the host of "
          "'https://git.example.org/qms', and no edit_uri, view_uri or new_uri says how to make them: no link back "
          "to the files is shown (add edit_uri and new_uri patterns, or use a GitHub or GitLab address)"],
         "0 errors, 1 warning", exit=0),
    Case("W162-window-above-ceiling", {
        "content/organisation.yaml": 'name: Example Works Ltd\nwindows:\n  "9.2.2": 120\n  "9.3.3": 12\n'
                                     '  "8.6": 48\n  "8.5.2": 36\n'},
         ["content/organisation.yaml:3:12: W162 window for clause '9.2.2' is 120 months; the gates use 12, the "
          "longest a certification body accepts for it (write at most 12, or leave it out for the default)",
          "content/organisation.yaml:5:10: W162 window for clause '8.6' is 48 months; the gates use 36, the longest "
          "a certification body accepts for it (write at most 36, or leave it out for the default)"],
         "0 errors, 2 warnings", exit=0),
    Case("W170-inputs-beside-the-review", {
        "evidence/performance/mr.yaml": 'id: MR\ntitle: Minutes\nkind: record\nclauses: ["9.3.3"]\ndate: 2026-10-01\n'
                                        'inputs: [changes]\n',
        "evidence/performance/tick.yaml": 'id: TICK\ntitle: Tick list\nkind: record\nclauses: ["9.3.2"]\n'
                                          'date: 2026-10-02\ninputs: [changes, objectives]\n',
        "evidence/performance/agenda.yaml": 'id: AG\ntitle: Agenda\nkind: document\nclauses: ["9.3.2"]\n'
                                            'inputs: [changes]\n',
        "evidence/support/slides.yaml": 'id: SL\ntitle: Slides\nkind: record\nclauses: ["7.4"]\ninputs: [changes]\n'},
         ["evidence/performance/agenda.yaml:5:9: W170 inputs on evidence 'AG' are not read: it is a document, not the "
          "record of a review (list the inputs the review considered under inputs: in the minutes' record)",
          "evidence/performance/tick.yaml:6:9: W170 inputs on evidence 'TICK' are not read: the review's own record is "
          "'MR' (mapped to 9.3 or 9.3.3) (list the inputs the review considered under inputs: in the minutes' record)",
          "evidence/support/slides.yaml:5:9: W170 inputs on evidence 'SL' are not read: it is not mapped to 9.3 or its "
          "sub-clauses (list the inputs the review considered under inputs: in the minutes' record)"],
         "0 errors, 3 warnings", exit=0),
    Case("W175-W176-since", {
        "content/clauses/x.yaml": '- clause: "7.5"\n  status: implemented\n  since: 2026-12-01\n'
                                  '- clause: "7.4"\n  status: in-progress\n  since: 2026-10-01\n'
                                  '- clause: "7.3"\n  status: implemented\n  since: 2026-10-01\n'},
         ["content/clauses/x.yaml:1:11: W175 clause '7.5' is in place only since 2026-12-01, after the as-of date "
          "2026-11-01: no internal audit can have covered it yet (correct the date, or mark the clause implemented "
          "once it is)",
          "content/clauses/x.yaml:4:11: W176 clause '7.4' gives since: 2026-10-01 but its status is in-progress: it "
          "is ignored (give since: only once the clause is implemented or verified)"],
         "0 errors, 2 warnings", exit=0),
    Case("W177-W179-certificate-and-edition", {
        "content/organisation.yaml": 'name: Example Works Ltd\naudits:\n  stage1: 2028-02-01\n  stage2: 2028-03-15\n'
                                     'certificate:\n  number: Q-1\n  issued: 2027-01-10\n  expires: 2030-01-09\n'},
         ["content/organisation.yaml:4:11: W179 stage 2 on 2028-03-15 to ISO 9001:2015: new certifications must use "
          "ISO 9001:2026 from 2028-03-01 (reported as 2028-03, low confidence) (book the stage 2 to ISO 9001:2026 "
          "(isoready migrate), or confirm with your certification body that it still certifies to ISO 9001:2015 on "
          "that date)",
          "content/organisation.yaml:7:11: W177 certificate 'Q-1' is issued on 2027-01-10, after the as-of date "
          "2026-11-01: the portal says 'not yet certified' until then (correct the date, or record the certificate "
          "once it is issued)",
          "content/organisation.yaml:8:12: W178 certificate 'Q-1' to ISO 9001:2015 expires on 2030-01-09, after the "
          "transition deadline 2029-09-16: it ends then unless it moves to ISO 9001:2026 (plan the transition audit "
          "to ISO 9001:2026 before 2029-09-16)"],
         "0 errors, 3 warnings", exit=0),
    Case("W177-certificate-expired", {
        "content/organisation.yaml": 'name: Example Works Ltd\ncertificate:\n  number: Q-1\n  issued: 2022-12-01\n'
                                     '  expires: 2025-11-30\n'},
         ["content/organisation.yaml:5:12: W177 certificate 'Q-1' expired on 2025-11-30: the portal says "
          "'certificate expired', never 'Certified' (record the renewed certificate, or remove it)"],
         "0 errors, 1 warning", exit=0),
    Case("W180-climate-decision-after-as-of", {
        "content/organisation.yaml": 'name: Example Works Ltd\nclimate_change:\n  relevant: false\n'
                                     '  decided: 2026-12-01\n'},
         ["content/organisation.yaml:4:12: W180 climate_change is decided 2026-12-01, after the as-of date "
          "2026-11-01: there is no climate-change determination until then (correct the date, or record the "
          "decision once it is made)"],
         "0 errors, 1 warning", exit=0),
    Case("W181-topic-off-its-clauses", {
        "evidence/support/deck.yaml": 'title: Transition slide deck\nkind: document\nclauses: ["7.3"]\n'
                                      'topics: [climate-change, quality-culture-ethics]\n'},
         ["evidence/support/deck.yaml:4:10: W181 evidence 'support/deck' names the transition topic "
          "'climate-change' but is mapped to none of its clauses (4.1, 4.2): it does not address the topic (map the "
          "record to the clause it shows, or remove the topic)"],
         "0 errors, 1 warning", exit=0),
    Case("W182-retired-topic", {
        "evidence/leadership/policy-review.yaml": 'title: Policy review\nkind: record\nclauses: ["5.2.1"]\n'
                                                  'date: 2026-10-01\ntopics: [strategic-direction]\n'},
         ["evidence/leadership/policy-review.yaml:5:10: W182 'strategic-direction' on evidence "
          "'leadership/policy-review' is no transition topic: not a new 2026 requirement: a policy that suits the "
          "organisation's purpose and context and supports its strategic direction is already asked by 2015's 5.2.1 "
          "a); the 2026 Annex A only explains it. It is audited against 2015 today, so it is no transition gap. "
          "(remove it; the record counts for its clauses as it is)"],
         "0 errors, 1 warning", exit=0),
    Case("W183-migrated-before-the-edition", {
        "content/organisation.yaml": 'name: Example Works Ltd\nstandard: ISO 9001:2026\nmigrated: 2025-01-01\n'},
         ["content/organisation.yaml:3:11: W183 migrated 2025-01-01 is before ISO 9001:2026 was published "
          "(2026-09-16): evidence for its new requirements counts only from 2026-09-16 (write the day the project "
          "moved to the edition (isoready migrate writes it))"],
         "0 errors, 1 warning", exit=0, remove=("content/clauses/context.yaml", "content/clauses/operation.yaml",
                                                "content/findings/internal-audit-2026.yaml")),
    Case("W183-migrated-after-as-of", {
        "content/organisation.yaml": 'name: Example Works Ltd\nmigrated: 2026-12-01\n'},
         ["content/organisation.yaml:2:11: W183 migrated 2026-12-01 is after the as-of date 2026-11-01: no evidence "
          "for the edition's new requirements counts yet (write the day the project moved)"],
         "0 errors, 1 warning", exit=0),
    Case("climate-decision-in-order", {
        "content/organisation.yaml": 'name: Example Works Ltd\nclimate_change:\n  relevant: false\n'
                                     '  decided: 2026-11-01\n'},
         [], "no problems found", exit=0),
    Case("climate-decision-incomplete", {
        "content/organisation.yaml": 'name: Example Works Ltd\nclimate_change:\n  relevant: true\n'},
         ["content/organisation.yaml:3:3: E202 climate_change has no 'decided' (add 'decided:')"],
         "1 error, 0 warnings"),
    Case("systemic-minors-not-a-number", {
        "content/organisation.yaml": 'name: Example Works Ltd\nsystemic_minors: many\n'},
         ["content/organisation.yaml:2:18: E207 'systemic_minors' must be a whole number from 1 to 99 (write e.g. "
          "'systemic_minors: 3')"],
         "1 error, 0 warnings"),
    Case("W106-not-in-2015", {"evidence/planning/risks.yaml": 'id: RR-01\ntitle: Risk register\nkind: record\n'
                                                              'clauses: ["6.1.2"]\n'},
         [], "no problems found", exit=0),
    # ------------------------------------------------------------------ issue 19: published as written
    Case("W110-public-document-names-withheld", {
        "evidence/support/pay.yaml": 'id: PAY-07\ntitle: Pay review\nkind: record\nclauses: ["7.2"]\n'
                                     'audience: internal\nfile: pay-07.pdf\n',
        "evidence/support/pay-07.pdf": "%PDF-1.4\n",
        "evidence/support/handbook.md": "# Handbook\n\nSee the pay review PAY-07 (pay-07.pdf) and IA-2026-01.\n",
        "evidence/support/handbook.yaml": 'title: Handbook\nkind: document\nclauses: ["7.2"]\naudience: public\n'
                                          'file: handbook.md\n',
        "evidence/support/manual.md": "# Manual\n\nSee PAY-07.\n",  # auditor: the record is withheld from it
        "evidence/support/manual.yaml": 'title: Manual\nkind: document\nclauses: ["7.2"]\nfile: manual.md\n',
        "evidence/support/notes.md": "See PAY-07 and IA-2026-01.\n",  # internal: sees everything
        "evidence/support/notes.yaml": 'title: Notes\nkind: document\nclauses: ["7.2"]\naudience: internal\n'
                                       'file: notes.md\n'},
         ["evidence/support/handbook.md:3:20: W110 this public document names evidence 'PAY-07', which public "
          "builds withhold: the document is published as written (remove the name from the document, or raise "
          "the audience of the records that publish it)",
          "evidence/support/handbook.md:3:44: W110 this public document names finding 'IA-2026-01', which public "
          "builds withhold: the document is published as written (remove the name from the document, or raise "
          "the audience of the records that publish it)",
          "evidence/support/manual.md:3:5: W110 this auditor document names evidence 'PAY-07', which auditor "
          "builds withhold: the document is published as written (remove the name from the document, or raise "
          "the audience of the records that publish it)"],
         "0 errors, 3 warnings", exit=0),
    Case("W110-names-only-visible-records", {
        "evidence/support/handbook.md": "# Handbook\n\nSee the scope, context/scope and scope.md.\n",
        "evidence/support/handbook.yaml": 'title: Handbook\nkind: document\nclauses: ["7.2"]\naudience: public\n'
                                          'file: handbook.md\n'},
         [], "no problems found", exit=0),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_broken_project(case: Case, minimal_project: Path, capsys) -> None:
    for rel in case.remove:
        (minimal_project / rel).unlink()
    for rel, content in case.files.items():
        write(minimal_project, rel, content)
    code, lines = run(capsys, minimal_project, *case.args)
    assert lines == [*case.lines, case.count]
    assert code == case.exit


# --------------------------------------------------------------------------- cases that need more than text


def test_E101_not_utf8(minimal_project: Path, capsys) -> None:
    write(minimal_project, "evidence/x.yaml", b'title: T\nkind: caf\xe9\nclauses: ["4.1"]\n')
    assert run(capsys, minimal_project) == (1, [
        "evidence/x.yaml:2:10: E101 not UTF-8 text (byte 0xe9) (save the file as UTF-8)",
        "1 error, 0 warnings"])


def test_E101_unreadable(minimal_project: Path, capsys) -> None:
    # a dangling symlink inside evidence/: listed, but reading it fails
    os.symlink("gone.yaml", minimal_project / "evidence/x.yaml")
    assert run(capsys, minimal_project) == (1, [
        "evidence/x.yaml:1:1: E101 cannot read file: No such file or directory (check permissions)",
        "1 error, 0 warnings"])


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs need a POSIX system")
def test_E108_special_files_are_never_opened(minimal_project: Path, capsys) -> None:
    """A FIFO named *.yaml, a symlink to a device, and a FIFO among the documents: each a diagnostic, no hang."""
    os.mkfifo(minimal_project / "evidence/x.yaml")
    os.mkfifo(minimal_project / "evidence/pipe.pdf")
    os.symlink("/dev/zero", minimal_project / "content/clauses/zero.yaml")
    assert run(capsys, minimal_project) == (1, [  # a FIFO opened would block: this would never return
        "content/clauses/zero.yaml:1:1: E108 a device, not a regular file; it is never opened "
        "(remove it, or put an ordinary file in its place)",
        "evidence/pipe.pdf:1:1: E108 a FIFO (named pipe), not a regular file; it is never opened "
        "(remove it, or put an ordinary file in its place)",
        "evidence/x.yaml:1:1: E108 a FIFO (named pipe), not a regular file; it is never opened "
        "(remove it, or put an ordinary file in its place)",
        "3 errors, 0 warnings"])


def test_bom_is_accepted(minimal_project: Path, capsys) -> None:
    write(minimal_project, "evidence/x.yaml", "\ufeff" + RECORD)
    assert run(capsys, minimal_project) == (0, ["no problems found"])


def test_E103_oversized_file(minimal_project: Path, capsys) -> None:
    # every file of the minimal project is under 500 bytes; this one is not
    write(minimal_project, "evidence/x.yaml", RECORD + "description: " + "x" * 500 + "\n")
    assert run(capsys, minimal_project, "--max-yaml-bytes", "500") == (1, [
        "evidence/x.yaml:1:1: E103 file is 565 bytes, over the 500-byte limit "
        "(split it into smaller files, or raise the limit with --max-yaml-bytes)",
        "1 error, 0 warnings"])
    assert run(capsys, minimal_project, "--max-yaml-bytes", "565") == (0, ["no problems found"])


BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_E104_alias_bomb_rejected_fast(minimal_project: Path, capsys) -> None:
    write(minimal_project, "evidence/x.yaml", BILLION_LAUGHS)
    result = run(capsys, minimal_project)  # how fast: `invoke bench` (tests/bench.py bounds), not a test
    assert result == (1, [
        "evidence/x.yaml:6:11: E104 YAML aliases expand to more than 200000 values "
        "(aliases must not multiply content; write values out)",
        "1 error, 0 warnings"])


def test_aliases_within_the_limit_are_fine(minimal_project: Path, capsys) -> None:
    write(minimal_project, "evidence/x.yaml", 'title: T\nkind: document\nclauses: &c ["4.1"]\ncovers: *c\n')
    assert run(capsys, minimal_project) == (0, ["no problems found"])


def test_E304_symlink_leading_outside(minimal_project: Path, tmp_path: Path, capsys) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("not evidence\n")
    os.symlink(secret, minimal_project / "evidence/context/link.txt")
    os.symlink(tmp_path, minimal_project / "evidence/outside")  # a folder link is not followed
    write(minimal_project, "evidence/x.yaml", RECORD + "file: context/link.txt\n")
    write(minimal_project, "evidence/y.yaml", RECORD + "file: outside/secret.txt\n")
    assert run(capsys, minimal_project) == (1, [
        "evidence/context/link.txt:1:1: W101 evidence document that no record refers to "
        "(add a record with 'file:' pointing at it, or remove it)",
        "evidence/x.yaml:4:7: E304 file 'context/link.txt' is a symlink leading outside evidence/ "
        "(copy the document into evidence/ instead of linking it)",
        "evidence/y.yaml:4:7: E304 file 'outside/secret.txt' is a symlink leading outside evidence/ "
        "(copy the document into evidence/ instead of linking it)",
        "2 errors, 1 warning"])


def test_E304_yaml_symlink_leading_outside(minimal_project: Path, tmp_path: Path, capsys) -> None:
    outside = tmp_path / "private.yaml"
    outside.write_text("title: Salaries\nkind: record\nclauses: [\"7.2\"]\n")
    os.symlink(outside, minimal_project / "evidence/x.yaml")
    assert run(capsys, minimal_project) == (1, [
        "evidence/x.yaml:1:1: E304 this YAML file is a symlink leading outside evidence/ "
        "(copy the record into evidence/ instead of linking it)",
        "1 error, 0 warnings"])


def test_symlink_inside_evidence_is_fine(minimal_project: Path, capsys) -> None:
    os.symlink("scope.md", minimal_project / "evidence/context/scope-latest.md")
    write(minimal_project, "evidence/x.yaml", RECORD + "file: context/scope-latest.md\n")
    assert run(capsys, minimal_project) == (0, ["no problems found"])


def test_hidden_files_are_ignored(minimal_project: Path, capsys) -> None:
    write(minimal_project, "evidence/.draft.yaml", "this: [is not valid\n")
    write(minimal_project, "evidence/.git/config", "[core]\n")
    assert run(capsys, minimal_project) == (0, ["no problems found"])


def test_many_errors_all_reported_sorted(minimal_project: Path, capsys) -> None:
    """Problems in several files, written out of order, come back sorted: a file that does not parse first (the
    rest may follow from it), then by path, line and column."""
    write(minimal_project, "evidence/z.yaml", "title: T\nkind: memo\nclauses: [\"11.2\"]\nfile: /etc/passwd\n")
    write(minimal_project, "evidence/a.yaml", "kind: document\nclauses: [\"4.1\"]\nurl: javascript:alert(1)\n")
    write(minimal_project, "content/clauses/x.yaml", "".join(
        f'- clause: "{n}"\n  status: planned\n' for n in ("4.1", "4.2", "4.4", "4.1", "4.2")))
    write(minimal_project, "content/findings/x.yaml", "nonsense: [\n")
    code, lines = run(capsys, minimal_project)
    assert code == 1
    assert lines == [
        "content/findings/x.yaml:1:11: E102 this '[' is never closed: add ']' (put it after the last item)",
        "content/clauses/x.yaml:7:11: E402 clause '4.1' assessed twice (first in content/clauses/x.yaml:1) "
        "(keep one clause entry per clause)",
        "content/clauses/x.yaml:9:11: E402 clause '4.2' assessed twice (first in content/clauses/x.yaml:3) "
        "(keep one clause entry per clause)",
        "evidence/a.yaml:1:1: E202 evidence record has no 'title' (add 'title:')",
        "evidence/a.yaml:3:6: E305 url 'javascript:alert(1)' is not an http or https address "
        "(link to http:// or https:// only)",
        "evidence/z.yaml:2:7: E204 unknown kind 'memo' (use one of: document, record)",
        "evidence/z.yaml:3:11: E201 unknown clause '11.2' (did you mean '10.2'?)",
        "evidence/z.yaml:4:7: E302 file '/etc/passwd' is an absolute path "
        "(write the path relative to this YAML file)",
        "8 errors, 0 warnings",
    ]


def test_a_file_that_does_not_read_is_listed_first(tmp_path: Path, capsys) -> None:
    """Issue 22: in the demo, a training list saved as Windows-1252 came fourth of five lines, after warnings of
    files earlier in the alphabet. A file that cannot be read or parsed is the root cause: it comes first."""
    repo = Path(__file__).parents[2]
    for folder in ("evidence", "content"):
        shutil.copytree(repo / folder, tmp_path / folder)
    training = tmp_path / "evidence" / "support" / "training-records.yaml"
    text = training.read_text(encoding="utf-8").replace("title:", "title: Schulungsnachweise M\u00fcller \u2013", 1)
    training.write_bytes(text.encode("cp1252"))
    code = main(["validate", "--root", str(tmp_path), "--as-of", "2026-12-06"])
    assert (code, capsys.readouterr().out.splitlines()) == (1, [
        "evidence/support/training-records.yaml:3:30: E101 not UTF-8 text (byte 0xfc) (save the file as UTF-8)",
        "evidence/support/training-records.yaml:3:30: W190 8 problems (E404, W101) not reported until this file can "
        "be read: what it defines is unknown, so they may be false (fix the error above and run again)",
        "content/findings/internal-audit-2026.yaml:24:8: W104 finding 'IA-2026-02' is overdue: it was due 2026-12-01 "
        "(close it, or agree a new due date)",
        "content/findings/internal-audit-2026.yaml:44:8: W104 finding 'IA-2026-03' is overdue: it was due 2026-11-15 "
        "(close it, or agree a new due date)",
        "evidence/support/communication-matrix.yaml:7:12: W103 evidence 'support/communication-matrix' is stale: its "
        "review was due 2026-09-30 (review it and move review_by forward)",
        "1 error, 4 warnings"])


def test_diagnostics_stay_on_one_line(minimal_project: Path, capsys) -> None:
    write(minimal_project, "evidence/x.yaml", 'title: T\nkind: "doc\\nument\\e[31m"\nclauses: ["4.1"]\n')
    assert run(capsys, minimal_project) == (1, [
        "evidence/x.yaml:2:7: E204 unknown kind 'doc\\nument\\x1b[31m' (did you mean 'document'?)",
        "1 error, 0 warnings"])


def test_minimal_fixture_is_clean(capsys) -> None:
    assert run(capsys, MINIMAL) == (0, ["no problems found"])


def test_minimal_fixture_reads_as_intended() -> None:
    project, diags = validate.read_project(MINIMAL, load_catalog(), date(2026, 11, 1))
    assert diags == []
    assert project.organisation.name == "Example Works Ltd"
    assert {e.id: (e.file, e.url) for e in project.evidence} == {
        "context/scope": ("context/scope.md", None),
        "QP-001": (None, None),
        "OBJ-001": (None, None),
        "operation/suppliers": ("operation/suppliers.csv", None),
        "performance/internal-audit-2026": (None, None),
        "support/training": (None, "https://intranet.example.com/hr/training"),
    }
    assert [(a.clause, a.status) for a in project.assessments] == [
        ("4.3", "implemented"), ("5.2", "verified"), ("7.1.2", "planned"),
        ("8.3", "not-applicable"), ("8.4", "in-progress")]
    assert [(f.id, f.status) for f in project.findings] == [("IA-2026-01", "open"), ("IA-2026-02", "closed")]
    assert project.documents == ("context/scope.md", "operation/suppliers.csv")


# --------------------------------------------------------------------------- every code is asserted somewhere

CODE_IN_LINE = re.compile(r"(?::\d+:\d+|![A-Z]+\d+): ([EW]\d{3}) |title=([EW]\d{3})::")  # or a workbook's cell


def test_every_code_is_asserted() -> None:
    here = Path(__file__).parent
    text = "".join((here / name).read_text(encoding="utf-8") for name in ("test_validate.py", "test_cli.py",
                                                                           "test_names.py", "test_outputs.py",
                                                                           "test_git_hostile.py", "test_team_pages.py",
                                                                           "test_registers_read.py",
                                                                           "test_rollup.py", "test_sites.py"))
    asserted = {a or b for a, b in CODE_IN_LINE.findall(text)}
    assert sorted(set(CODES) - asserted) == []
    assert sorted(asserted - set(CODES)) == []


# --------------------------------------------------------------------------- property: never raises

CATALOG = load_catalog()
FIXTURE_YAML = sorted(p for p in MINIMAL.rglob("*.yaml"))
TOKENS = ["title", "kind", "clauses", "file", "url", "id", "status", "clause", "justification", "evidence",
          "grade", "raised", "due", "closed", "description", "covers", "review_by", "date", "audience",
          ": ", ":", "- ", "-", "\n", "  ", "    ", "[", "]", "{", "}", ",", "'", '"', "#", "&a ", "*a", "!!str ",
          "!!python/object/apply:os.system ", "? ", "|", ">", "---\n", "...\n", "8.30", "8.3", "4.3", "11.2",
          "2026-13-45", "2026-11-01", "not-applicable", "document", "record", "open", "closed", "major",
          "../../etc/passwd", "/etc/passwd", "javascript:alert(1)", "https://x.example", "context/scope.md",
          "a" * 300, "\\0", "\\x01", "\u00e9", "\ufeff", "~", "null", "\t", "%YAML 1.1\n", "<<: *a\n",
          # keys added later, and values of their types
          "register", "sheet", "header_row", "columns", "show_people", "calibration", "suppliers", "x.csv",
          "verified_by", "verification", "effective", "corrective_action", "action", "source", "audit", "inputs",
          "topics", "approved", "name", "standard", "applies", "traceability", "transition", "deadline",
          "site_url", "public", "show_findings", "certificate", "expires", "last_audit", "windows", "true", "yes",
          "\u00b2", "9" * 60, "changes", "quality-culture-ethics", "area-of-concern", "ISO 9001:2026",
          # an integrated system (issue 23)
          "standards", "ISO 14001:2015", "hs:7.5", "14001:6.1.2", "hs:", ":8.4", "45001:8.1"]


@pytest.fixture(scope="module")
def fuzz_root():
    """A project root with the minimal evidence/ for file checks (module scope: hypothesis runs it many times)."""
    folder = Path(tempfile.mkdtemp(prefix="isoready-fuzz-"))
    shutil.copytree(MINIMAL, folder / "p", symlinks=True)
    yield folder / "p"
    shutil.rmtree(folder)


def _organisation_diags(value, root: Path) -> list[Diagnostic]:
    out = validate.Collector()
    validate.organisation_from(value, "content/organisation.yaml", CATALOG, out, root)
    return out.items


def _check_never_raises(text: str, root: Path) -> None:
    for rel, check in (
        ("evidence/fuzz.yaml", lambda v: validate.evidence_from_file("evidence/fuzz.yaml", v, root, CATALOG).diagnostics),
        ("content/clauses/fuzz.yaml", lambda v: validate.assessments_from_file("content/clauses/fuzz.yaml", v, CATALOG)[1]),
        ("content/findings/fuzz.yaml", lambda v: validate.findings_from_file("content/findings/fuzz.yaml", v, CATALOG)[1]),
        ("content/organisation.yaml", lambda v: _organisation_diags(v, root)),
    ):
        value, diags = parse_text(text, rel)
        for d in [*diags, *check(value)]:
            assert isinstance(d, Diagnostic) and d.code in CODES
            assert d.path == rel and d.line >= 1 and d.column >= 1
            assert "\n" not in d.format()


# text as read_text returns it: decoded UTF-8, so never a lone surrogate
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
YAMLISH = st.lists(st.sampled_from(TOKENS), max_size=60).map("".join)


@st.composite
def mutated_fixture(draw) -> str:
    data = bytearray(draw(st.sampled_from(FIXTURE_YAML)).read_bytes())
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, len(data)))
        op = draw(st.sampled_from(["set", "insert", "delete"]))
        byte = draw(st.integers(0, 255))
        if op == "set" and at < len(data):
            data[at] = byte
        elif op == "insert":
            data.insert(at, byte)
        elif at < len(data):
            del data[at]
    return data.decode("utf-8", errors="replace")


FUZZ = settings(max_examples=500, deadline=None)


@FUZZ
@given(text=TEXT)
def test_random_text_never_raises(text: str, fuzz_root: Path) -> None:
    _check_never_raises(text, fuzz_root)


@FUZZ
@given(text=YAMLISH)
def test_yaml_like_text_never_raises(text: str, fuzz_root: Path) -> None:
    _check_never_raises(text, fuzz_root)


@FUZZ
@given(text=mutated_fixture())
def test_mutated_fixture_never_raises(text: str, fuzz_root: Path) -> None:
    _check_never_raises(text, fuzz_root)
