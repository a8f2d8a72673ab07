"""`isoready diff --format markdown` is a pull-request comment: nothing a contributor writes can forge or hide
a line of it (issue 19). The exact attacks through the command, then titles fuzzed with Hypothesis."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from isoready import cli
from isoready.assess import Reason
from isoready.gitfacts.diff import MARKER, ClauseChange, EvidenceChange, FindingChange, GateChange, ReadinessDiff
from isoready.core.text import md_code, md_text
from isoready.cli.diffwords import diff_text

from .test_history import commit, edit, git, make_register


@pytest.fixture
def register(tmp_path, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    monkeypatch.setenv("ISOREADY_WORKERS", "1")
    return make_register(tmp_path)


# a title that, printed raw, adds a bold heading and a forged gate line, then hides everything after it
FORGED_TITLE = "Induction\n\n**Gates**\n- Stage 2 gate: fail → pass\u2028<!--"
HOSTILE_SUBJECT = "Scope <!-- | *x* _y_ [z](https://evil.example) #1 `q`"


def test_titles_subjects_and_refs_cannot_forge_or_hide_lines(register, capsys):
    repo, shas = register
    (repo / "evidence/support/forged.yaml").write_text(
        'title: "' + FORGED_TITLE.replace("\n", "\\n").replace("\u2028", "\\L") + '"\n'
        'kind: record\nclauses: ["7.2"]\ndate: 2026-11-04\n', encoding="utf-8")
    edit(repo / "evidence/context/scope.md", "The Denholm annex", "The Denholm and Leith annexes")
    c4 = commit(repo, "2026-11-04", HOSTILE_SUBJECT)
    git(repo, "tag", "x<!--|#", day="2026-11-04")
    assert cli.main(["diff", "audit-2026-10", "x<!--|#", "--root", str(repo), "--format", "markdown",
                     "--as-of", "2026-11-04"]) == 0
    out = capsys.readouterr().out
    c2 = shas["c2"][:10]
    assert out.splitlines()[:2] == [MARKER, f"### Readiness: audit-2026-10 ({c2}) → x&lt;!--\\|\\# ({c4[:10]})"]
    assert ("- added: `support/forged` Induction \\*\\*Gates\\*\\* - Stage 2 gate: fail → pass &lt;!--"
            in out.splitlines())
    assert ("commit " + c4[:10] + " of 2026-11-04 (Scope &lt;!-- \\| \\*x\\* \\_y\\_ \\[z\\](https://evil.example) "
            "\\#1 \\`q\\`) and 1 more; re-approve it or revert the change") in out
    # the structure is the harmless one: no forged gate section, no comment, every later line still there
    assert "**Gates**" not in out.replace("\\*\\*Gates\\*\\*", "")
    assert out.count("<") == 1 and out.startswith("<!-- isoready-readiness-diff -->\n")  # the marker only
    assert out.splitlines()[-1] == "- added: `support/induction` Induction records 2026"
    assert not [line for line in out.splitlines() if line.startswith("- Stage 2")]


def test_text_format_keeps_each_title_on_its_line(register, capsys):
    repo, _ = register
    (repo / "evidence/support/forged.yaml").write_text(
        'title: "Induction\\nStage 2 gate: fail -> pass\\r\\x1b[2K"\nkind: record\nclauses: ["7.2"]\n'
        'date: 2026-11-04\n', encoding="utf-8")
    commit(repo, "2026-11-04", "Add a record")
    assert cli.main(["diff", "audit-2026-10", "HEAD", "--root", str(repo), "--as-of", "2026-11-04"]) == 0
    out = capsys.readouterr().out
    assert "- added: support/forged Induction Stage 2 gate: fail -> pass  [2K\n" in out
    assert not [line for line in out.splitlines() if line.startswith("Stage 2")] and "\x1b" not in out


# --------------------------------------------------------------------------- fuzzed: structure never moves

def _side(ref: str) -> dict:
    return {"ref": ref, "commit": "c0ffee" * 6 + "abcd", "as_of": "2026-11-04",
            "figures": {"overall": 0.5, "ready": 0.25, "at_risk": 0.25, "not_ready": 0.5, "open_findings": 1,
                        "stale_evidence": 0}}


def _diff(t: str, ident: str = "support/induction") -> ReadinessDiff:
    """A diff where every team-written string is ``t`` (ids: ``ident``), inside fixed letters."""
    words = f"A{t}Z"
    return ReadinessDiff(
        before=_side(f"base{t}"), after=_side("HEAD"),
        clauses=(ClauseChange("7.2", words, "ready", "not-ready",
                              (Reason("status-not-done", (("status", words), ("inherited_from", words),
                                                          ("target", words))),)),),
        evidence=(EvidenceChange(ident, words, "changed", (words, "document")),
                  EvidenceChange(ident + "2", words, "added")),
        findings=(FindingChange(ident, words, "opened"),),
        gates=(GateChange(words, True, False, (ident,)), GateChange("stage2", False, True)))


def _judge():
    from markdown_it import MarkdownIt  # installed with Pelican (rich); CommonMark with raw HTML, plus GFM tables

    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


MD = _judge()
TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)|<!--")


def _shape(markdown: str) -> tuple:
    """The line count, the structural lines (headings, table rows, list items' leads) and the rendered tags."""
    lines = markdown.split("\n")
    structural = [line[:19] if line.startswith("#") else line for line in lines if line.startswith(("#", "|", "**"))]
    html = MD.render(markdown)
    tags = [m.group(0) for m in TAG.finditer(html)]
    return len(lines), structural, [line[:2] for line in lines], tags


HARMLESS = _shape(diff_text(_diff("harmless"), "markdown"))
HOSTILE_CHARS = st.sampled_from(list("<>&!-=+#*_`[]()|~$\\:/ \t\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029\u202e\x1b\"'1.")
                                + ["<!--", "-->", "<script>", "**", "\n\n", "\n- ", "\n| a | b |\n| --- | --- |\n",
                                   "```", "\n#", "\n===", "&lt;", "&#60;", "[x]: http://e", "<details>"])
TITLES = st.one_of(st.text(max_size=40), st.lists(HOSTILE_CHARS, max_size=12).map("".join))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TITLES)
def test_fuzzed_titles_keep_the_structure_and_add_no_html(title):
    out = diff_text(_diff(title), "markdown")
    assert _shape(out) == HARMLESS
    assert out.count("<") == 1 and out.startswith(MARKER + "\n")  # no raw '<' comes from a title


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TITLES, TITLES)
def test_fuzzed_ids_in_code_spans_keep_the_structure(title, ident):
    out = diff_text(_diff(title, "s" + ident), "markdown")
    assert _shape(out) == HARMLESS  # an id shows as written inside its code span, and opens nothing


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_escaped_text_renders_as_exactly_what_was_written(text):
    """md_text and md_code change how a string is written, never what a reader sees (but for line breaks and
    control characters, which become spaces, and bidi controls, which go)."""
    from markdown_it.common.utils import escapeHtml

    from isoready.core.text import one_line

    seen = one_line(text)
    assert md_code(text) == md_code(seen) and md_text(text) == md_text(seen)
    code = MD.render("A " + md_code(seen)).strip()
    assert code == "<p>A <code>" + escapeHtml(seen) + "</code></p>" or not seen.strip(" ") or "  " in seen
    if seen.strip(" \t") != seen or "  " in seen or "\t" in seen or not seen:
        return  # Markdown folds spaces at the edges and in runs: judged on strings it keeps as they are
    assert MD.render("A" + md_text(seen) + "Z").strip() == "<p>A" + escapeHtml(seen) + "Z</p>"
