"""Readiness diff between two commits of a real repository made here (see test_history.make_register)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from isoready import cli
from isoready.gitfacts.diff import DIFF_SCHEMA, MARKER

from .test_history import commit, edit, make_register


@pytest.fixture
def register(tmp_path, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    return make_register(tmp_path)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


EXPECTED_MARKDOWN = """<!-- isoready-readiness-diff -->
### Readiness: audit-2026-10 ({c2}) → HEAD ({c3})

| | before | after |
| --- | ---: | ---: |
| Ready or at risk | 5% | 5% |
| Ready | 5% | 3% |
| At risk | 0% | 2% |
| Not ready | 95% | 95% |
| Open findings | 0 | 0 |
| Stale evidence | 0 | 0 |

**Clauses whose state changed**
- `4.3` Determining the scope of the quality management system: ready → at risk: document context/scope changed since its approval on 2026-10-01: commit {c3} of 2026-11-03 (Scope: add the Denholm annex; induction records); re-approve it or revert the change

**Evidence**
- changed: `context/scope` QMS scope statement (document)
- added: `support/induction` Induction records 2026
"""


def test_markdown_for_a_fixture_pair_of_commits(register, capsys):
    repo, shas = register
    code, out, _ = run(capsys, "diff", "audit-2026-10", "HEAD", "--root", str(repo), "--format", "markdown",
                       "--as-of", "2026-11-03")
    assert code == 0
    assert out == EXPECTED_MARKDOWN.format(c2=shas["c2"][:10], c3=shas["c3"][:10])


def test_findings_closed_and_gates_and_text(register, capsys):
    repo, shas = register
    code, out, _ = run(capsys, "diff", shas["c1"], shas["c2"], "--root", str(repo), "--as-of", "2026-10-21")
    assert code == 0
    assert "Open findings: 1 -> 0" in out
    assert "Findings:\n- closed: IA-2026-01 (major)\n" in out
    assert out.startswith(f"Readiness: {shas['c1'][:10]} → {shas['c2'][:10]}\n")
    assert MARKER not in out  # the hidden marker is for Markdown only


def test_json_matches_its_schema_and_names_document_bytes(register, capsys):
    repo, shas = register
    code, out, _ = run(capsys, "diff", "audit-2026-10", "HEAD", "--root", str(repo), "--format", "json")
    assert code == 0
    data = json.loads(out)
    jsonschema.validate(data, DIFF_SCHEMA)
    assert data["before"]["commit"] == shas["c2"] and data["after"]["commit"] == shas["c3"]
    assert {"id": "context/scope", "title": "QMS scope statement", "change": "changed", "what": ["document"]} \
        in data["evidence"]
    # each side judged on its own commit's date when --as-of is not given
    assert (data["before"]["as_of"], data["after"]["as_of"]) == ("2026-10-21", "2026-11-03")


def test_same_commit_says_nothing_changed(register, capsys):
    repo, _ = register
    code, out, _ = run(capsys, "diff", "HEAD", "HEAD", "--root", str(repo), "--format", "markdown")
    assert code == 0 and "No change to readiness, evidence, findings or gates." in out


def test_bad_refs_and_no_git_are_usage_errors(register, tmp_path, capsys):
    repo, _ = register
    code, _, err = run(capsys, "diff", "no-such-tag", "HEAD", "--root", str(repo))
    assert code == 2 and "'no-such-tag' names no commit, tag or branch of this repository" in err
    plain = tmp_path / "plain"
    plain.mkdir()
    code, _, err = run(capsys, "diff", "A", "B", "--root", str(plain))
    assert code == 2 and "is not in a git repository with a commit" in err


def test_since_last_audit_page(register, tmp_path, capsys):
    repo, shas = register
    edit(repo / "content/organisation.yaml", "name: Example Works Ltd\n",
         "name: Example Works Ltd\nlast_audit: audit-2026-10\n")
    commit(repo, "2026-11-04", "Name the last audit")
    out = tmp_path / "site"
    assert cli.main(["build", "--root", str(repo), "--as-of", "2026-11-04", "--output", str(out)]) == 0
    page = (out / "since-last-audit.html").read_text(encoding="utf-8")
    assert f"audit-2026-10 ({shas['c2'][:10]}), judged on 2026-10-21" in page
    assert "QMS scope statement</a> <code>context/scope</code>  (document)" in page
    assert "Added: <a" in page and "Induction records 2026" in page
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="./since-last-audit.html">What changed since the last audit</a>' in index
    # a last_audit that names nothing: the page says so, the build still succeeds
    edit(repo / "content/organisation.yaml", "last_audit: audit-2026-10\n", "last_audit: audit-1999\n")
    assert cli.main(["build", "--root", str(repo), "--as-of", "2026-11-04", "--output", str(out)]) == 0
    assert "last_audit: &#39;audit-1999&#39; in content/organisation.yaml names no commit" in (
        out / "since-last-audit.html").read_text(encoding="utf-8")


def test_workflow_posts_the_pull_request_diff_and_finds_its_comment_by_the_marker():
    workflow = (Path(__file__).resolve().parents[2] / ".github/workflows/portal.yml").read_text(encoding="utf-8")
    assert 'python -m isoready diff "$BASE_SHA" "$HEAD_SHA" --format markdown' in workflow
    assert f"marker='{MARKER}'" in workflow  # the same hidden line the Markdown diff starts with
    assert "--method PATCH" in workflow  # an existing comment is updated, not duplicated


def _secret_after_the_audit(repo: Path) -> None:
    """After the audit: an internal record, and an internal finding on 4.3 (whose state changes)."""
    edit(repo / "content/organisation.yaml", "name: Example Works Ltd\n",
         "name: Example Works Ltd\nlast_audit: audit-2026-10\n")
    (repo / "evidence/support/secret.yaml").write_text(
        "title: Confidential pay review\nkind: record\nclauses: [\"7.1.2\"]\ndate: 2026-11-02\naudience: internal\n",
        encoding="utf-8")
    with open(repo / "content/findings/internal-audit-2026.yaml", "a", encoding="utf-8") as fh:
        fh.write("- id: IA-2026-03\n  clauses: [\"4.3\"]\n  grade: minor\n  status: open\n  raised: 2026-11-01\n"
                 "  due: 2026-11-02\n  description: Scope not re-approved.\n  action: Re-approve.\n"
                 "  audience: internal\n")
    commit(repo, "2026-11-04", "Name the last audit; pay review")


def test_since_last_audit_page_shows_each_audience_only_its_records(register, tmp_path):
    """The comparison is made once for every record; each audience's page leaves out what it may not see."""
    repo, _ = register
    _secret_after_the_audit(repo)
    pages = {}
    for audience in ("public", "auditor", "internal"):
        out = tmp_path / audience
        assert cli.main(["build", "--root", str(repo), "--as-of", "2026-11-04", "--audience", audience,
                         "--output", str(out)]) == 0
        pages[audience] = (out / "since-last-audit.html").read_text(encoding="utf-8")
    public, auditor, internal = pages["public"], pages["auditor"], pages["internal"]
    for withheld in ("support/secret", "Confidential pay review", "IA-2026-03", "overdue since"):
        assert withheld not in auditor and withheld not in public and withheld in internal
    # 4.3's reasons in the words of its clause page for each audience: the withheld finding unnamed for the
    # auditor, not even graded in a public build that does not publish findings; the visible document named
    assert "open minor finding, action overdue; document context/scope changed since its approval on 2026-10-01" \
        in auditor
    assert "open actions, not published in this build; document context/scope changed" \
        in public and "minor" not in public
    assert "open minor finding IA-2026-03, action overdue since 2026-11-02; document context/scope changed since " \
           "its approval on 2026-10-01" in internal
    # what the auditor may see is there, and no line stands for a withheld record
    assert auditor.count("<li>Added: ") == 1 and "Added: <a" in auditor and "Induction records 2026" in auditor
    assert internal.count("<li>Added: ") == 2
    assert "<li>Opened: " not in auditor and "Minor nonconformity" not in auditor
    assert "Opened: <a" in internal and "Minor nonconformity" in internal


def test_the_diff_command_lists_every_record(register, capsys):
    """``isoready diff`` reads the whole repository: it is not an audience's view, so nothing is left out."""
    repo, _ = register
    _secret_after_the_audit(repo)
    code, out, _ = run(capsys, "diff", "audit-2026-10", "HEAD", "--root", str(repo))
    assert code == 0
    assert "- added: support/secret Confidential pay review\n" in out
    assert "Findings:\n- opened: IA-2026-03 (minor)\n- overdue: IA-2026-03 (minor)\n" in out
    assert "- 4.3 Determining the scope of the quality management system: ready → at risk: open minor finding " \
           "IA-2026-03, action overdue since 2026-11-02; document context/scope" in out


def test_the_comparison_is_data_and_flows_down_the_pipeline():
    """diff and history compute, views word: neither imports views (not even inside a function), diff does
    not import history, and the shared reading of a commit (snapshot) imports neither."""
    from .test_layout import imported_by

    def views(found: set[str]) -> set[str]:
        return {m for m in found if m.startswith("isoready.views")}

    assert not views(imported_by("isoready.gitfacts.diff"))
    assert "isoready.gitfacts.history" not in imported_by("isoready.gitfacts.diff")
    assert not views(imported_by("isoready.gitfacts.history"))
    found = imported_by("isoready.gitfacts.snapshot")
    assert not views(found) and not {"isoready.gitfacts.diff", "isoready.gitfacts.history"} & found


def test_views_words_the_build_and_imports_nothing_that_reads_commits():
    """Issue 23: views imported history -> diff -> snapshot -> validate only to word the ``isoready diff``
    command's output. That wording lives beside the command (diffwords), so views, which words the site from
    data handed to it, imports none of the modules that read or compare commits, not even inside a function."""
    from .test_layout import imported_by

    found = imported_by("isoready.views")
    assert found and not {m for m in found if m.startswith("isoready.gitfacts") or m == "isoready.validate.project"}
    words = imported_by("isoready.cli.diffwords")  # it sits beside the CLI, under it
    assert not {m for m in words if m == "isoready.cli" or m.startswith("isoready.package")}
    assert "isoready.cli.diffwords" in imported_by("isoready.cli")


def test_a_migration_names_the_edition_change_and_the_clauses_it_added_removed_or_split(register, capsys,
                                                                                      monkeypatch):
    """Issue 21: the diff of a migration showed only a 6.1.3 "absent -> not ready", neither the edition change
    nor the 10.3 the move removed. Both sides' catalogs and the edition mapping name them."""
    repo, shas = register
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1796515200")  # 2026-12-06
    assert cli.main(["migrate", "--root", str(repo), "--to", "ISO 9001:2026"]) == 0
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    capsys.readouterr()
    commit(repo, "2026-12-06", "Move to ISO 9001:2026")
    code, out, _ = run(capsys, "diff", shas["c3"], "HEAD", "--root", str(repo))
    assert code == 0
    lines = out.splitlines()
    at = lines.index("Edition: ISO 9001:2015 → ISO 9001:2026")
    assert lines[at:at + 6] == [
        "Edition: ISO 9001:2015 → ISO 9001:2026",
        "- added: 6.1.3 (from 6.1.2)",
        "- removed: 10.3 (now in 10.1)",
        "- split: 6.1.2 became 6.1.2 and 6.1.3",
        "",
        "Clauses whose state changed:"]
    code, out, _ = run(capsys, "diff", shas["c3"], "HEAD", "--root", str(repo), "--format", "markdown")
    assert code == 0
    assert ("**Edition: ISO 9001:2015 → ISO 9001:2026**\n- added: `6.1.3` (from `6.1.2`)\n"
            "- removed: `10.3` (now in `10.1`)\n- split: `6.1.2` became `6.1.2` and `6.1.3`\n") in out
    code, out, _ = run(capsys, "diff", shas["c3"], "HEAD", "--root", str(repo), "--format", "json")
    data = json.loads(out)
    jsonschema.validate(data, DIFF_SCHEMA)
    assert data["edition"] == {"before": "ISO 9001:2015", "after": "ISO 9001:2026",
                               "added": [{"clause": "6.1.3", "related": ["6.1.2"]}],
                               "removed": [{"clause": "10.3", "related": ["10.1"]}],
                               "split": [{"clause": "6.1.2", "related": ["6.1.2", "6.1.3"]}]}
    # one edition on both sides: no edition section, no edition key
    code, out, _ = run(capsys, "diff", shas["c2"], shas["c3"], "--root", str(repo))
    assert "Edition" not in out
    code, out, _ = run(capsys, "diff", shas["c2"], shas["c3"], "--root", str(repo), "--format", "json")
    assert "edition" not in json.loads(out)
