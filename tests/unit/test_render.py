"""Render stage: page list, pagination, summaries, and the rule that templates never compute."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from isoready import views
from isoready.package.build import Options, build, render_plain

REPO = Path(__file__).resolve().parents[2]
TEMPLATES = REPO / "isoready" / "theme" / "templates"


def test_templates_compute_nothing():
    """Counting, arithmetic and pluralisation belong in view-models (isoready/views/), not in Jinja."""
    offenders = []
    for template in sorted(TEMPLATES.glob("*.html")):
        for n, line in enumerate(template.read_text().splitlines(), 1):
            for expr in re.findall(r"{[{%](.*?)[%}]}", line):
                plural = re.search(r'"s"\s+if', expr)
                expr = re.sub(r'"[^"]*"|\'[^\']*\'', '""', expr)  # text inside quotes is not arithmetic
                if plural or re.search(r"\|\s*(length|count|sum|sort|selectattr|rejectattr|groupby|map)\b", expr) or \
                        re.search(r"[\w)\]]\s*[-+*/%]\s*[\w(]", expr.replace("-%", "").replace("%-", "")) or \
                        "~" in expr:  # words joined in Jinja (a caption, a label): the view-model makes them
                    offenders.append(f"{template.name}:{n}: {expr.strip()}")
    assert offenders == []


def test_register_is_split_into_pages_with_a_pager(minimal_project, tmp_path, monkeypatch):
    monkeypatch.setattr(views.labels, "REGISTER_PAGE", 2)  # the constant lives in views.labels
    out = tmp_path / "site"
    result = build(Options(root=minimal_project, as_of=date(2026, 11, 1), output=out, use_cache=False, commit="x"))
    assert result.ok
    site = result.site
    register = site.models("register")
    assert [p.url for p in register] == ["evidence.html", "evidence-2.html", "evidence-3.html"]
    assert [e.id for p in register for e in p.rows] == [e.id for e in site.export.evidence]
    page2 = (out / "evidence-2.html").read_text()
    assert "records 3 to 4 of 6 in this build" in page2
    assert '<a href="./evidence-2.html" aria-current="page">2</a>' in page2
    assert '<a href="./evidence.html">1</a>' in page2


def test_small_register_has_one_page_and_no_pager(minimal_project, tmp_path):
    out = tmp_path / "site"
    assert build(Options(root=minimal_project, as_of=date(2026, 11, 1), output=out, use_cache=False)).ok
    page = (out / "evidence.html").read_text()
    assert "6 records in this build" in page and 'class="pager"' not in page
    assert not (out / "evidence-2.html").exists()


def test_report_lists_a_few_evidence_titles_per_clause_and_counts_the_rest(minimal_project, tmp_path, monkeypatch):
    monkeypatch.setattr(views.labels, "REPORT_EVIDENCE", 1)
    for n in (1, 2, 3):
        (minimal_project / "evidence" / f"extra-{n}.yaml").write_text(
            f'title: Training record {n}\nkind: record\nclauses: ["7.2"]\n', encoding="utf-8")
    out = tmp_path / "site"
    result = build(Options(root=minimal_project, as_of=date(2026, 11, 1), output=out, use_cache=False))
    clause = next(c for c in result.site.models("clause") if c.number == "7.2")
    report = (out / "report.html").read_text()
    assert f"and {len(clause.evidence) - 1} more on the clause page" in report
    assert len(clause.evidence) >= 3


def test_plain_renderer_and_pelican_give_the_same_bytes(minimal_project, tmp_path):
    opts = Options(root=minimal_project, as_of=date(2026, 11, 1), output=tmp_path / "pelican", use_cache=False,
                   commit="x")
    assert build(opts).ok
    assert build(replace(opts, output=tmp_path / "plain"), render=render_plain).ok
    a = {p.relative_to(tmp_path / "pelican"): p.read_bytes() for p in (tmp_path / "pelican").rglob("*") if p.is_file()}
    b = {p.relative_to(tmp_path / "plain"): p.read_bytes() for p in (tmp_path / "plain").rglob("*") if p.is_file()}
    assert a == b


# --------------------------------------------------------------------------- registers people can read (issue 12)


@pytest.mark.parametrize(("as_of", "flag", "label"), [
    (date(2026, 11, 30), "", ""),
    (date(2026, 12, 1), "due-today", "Due today"),  # the day itself: flagged, not yet overdue
    (date(2026, 12, 2), "overdue", "Overdue"),
])
def test_open_finding_is_flagged_due_today_on_its_due_date_and_overdue_after(minimal_project, tmp_path, as_of, flag,
                                                                             label):
    out = tmp_path / "site"
    result = build(Options(root=minimal_project, as_of=as_of, output=out, use_cache=False))
    assert result.ok
    (page,) = result.site.models("findings")
    major = next(f for f in page.findings if f.id == "IA-2026-01")
    assert (major.due_flag, major.due_flag_label, major.overdue) == (flag, label, flag == "overdue")
    closed = next(f for f in page.findings if f.id == "IA-2026-02")
    assert closed.due_flag == "" and closed.status_label == "Closed 2026-10-15" and not closed.is_open
    html = (out / "findings.html").read_text()
    row = re.search(r'<tr class="finding-open[^"]*">.*?</tr>', html, re.S).group(0)
    if flag:
        assert f'<span class="badge flag-{flag}">{label}</span>' in row
    else:
        assert "flag-" not in row
    summary = {"": "1 open.", "due-today": "1 open, 1 due today.", "overdue": "1 open, 1 overdue."}[flag]
    assert page.summary == summary and summary in html


def test_findings_register_groups_open_then_closed_with_subject_and_owner(minimal_project, tmp_path):
    out = tmp_path / "site"
    assert build(Options(root=minimal_project, as_of=date(2026, 11, 1), output=out, use_cache=False)).ok
    html = (out / "findings.html").read_text()
    assert html.index('<h2 id="h-open">Open (1)</h2>') < html.index('<h2 id="h-closed">Closed (1)</h2>')
    assert ('<a href="./findings/IA-2026-01.html" class="finding-subject">Three active suppliers have no '
            'evaluation record.</a> <code class="id">IA-2026-01</code>') in html
    assert '<th scope="col">Owner</th>' in html
    assert 'Minor nonconformity, open' not in html


@pytest.mark.parametrize(("source", "expected"), [
    ("Micrometers MIC-03 and MIC-07 were due on 2026-10-02. The review lapsed.",
     "Micrometers MIC-03 and MIC-07 were due on 2026-10-02."),
    ("Three suppliers: **S-005 Stourvale** (outsourced), S-007\nand S-009.\n\nSecond paragraph.",
     "Three suppliers: S-005 Stourvale (outsourced), S-007 and S-009."),
    ("See [the register](evidence/x.html) and `CAR-2026-017`", "See the register and CAR-2026-017"),
    ("- a list item first\n- and another", "a list item first and another"),
    ("Amd 1:2024 applies to ISO 9001:2015/Amd 1:2024.", "Amd 1:2024 applies to ISO 9001:2015/Amd 1:2024."),
    ("word " * 60, ("word " * 32).strip() + "…"),
])
def test_finding_subject_is_the_first_sentence_as_plain_text(source, expected):
    assert views.subject(source) == expected
    assert len(views.subject(source)) <= views.SUBJECT_CHARS + 1


def test_search_entries_keep_hyphens_and_dates_and_keep_state_words_apart(minimal_project, tmp_path):
    from isoready.outputs.export import search_entries

    result = build(Options(root=minimal_project, as_of=date(2026, 12, 1), output=tmp_path / "s", use_cache=False))
    entries = {(e["type"], e["id"]): e for e in search_entries(result.site.export)}
    finding = entries[("Finding", "IA-2026-01")]
    assert finding["title"] == "Three active suppliers have no evaluation record."
    assert finding["facts"] == ("Major nonconformity · Status: Open · Clauses: 8.4.1 · Due: 2026-12-01 · Due today")
    clause = entries[("Clause", "8.4.1")]
    assert clause["facts"].startswith("State: Not ready · Status: ")
    assert not clause["text"].startswith(("Not ready", " "))  # prose only
    assert views.prose("MIC-03 due 2026-10-02, see _IA-1_ and **x-y**") == "MIC-03 due 2026-10-02, see IA-1 and x-y"


def test_rendering_in_parallel_and_serially_gives_the_same_site(tmp_path, monkeypatch):
    """The one parallel map renders pages in a fork pool; ISOREADY_WORKERS=1 renders every page in-process."""
    import os

    from isoready.render import pages as render
    from tests.bench import generate

    root = tmp_path / "org"
    generate(root, 450)  # enough pages to cross the parallel threshold
    seen: list[int] = []
    real = render.pmap

    def spy(func, items, **kw):  # noqa: ANN001, ANN003, ANN202
        seen.append(len(items))
        return real(func, items, **kw)

    monkeypatch.setattr(render, "pmap", spy)
    trees = {}
    for workers in ("2", "1"):
        monkeypatch.setenv("ISOREADY_WORKERS", workers)
        out = tmp_path / f"site-{workers}"
        assert build(Options(root=root, as_of=date(2026, 11, 1), output=out, use_cache=False, commit="x")).ok
        trees[workers] = {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    assert seen and seen[0] > 1, "the parallel path was not taken"
    assert len(trees["1"]) > 400 and trees["1"] == trees["2"]
    assert os.environ["ISOREADY_WORKERS"] == "1"


def test_a_build_reads_each_template_from_the_disk_once_not_once_per_page(minimal_project, tmp_path, monkeypatch):
    """Jinja's auto_reload would look at every template a page extends or imports again for every page (a stat
    each); a build's templates do not change while it runs."""
    import os.path

    monkeypatch.setenv("ISOREADY_WORKERS", "1")  # every page rendered in this process, where the looks are counted
    looked: list[str] = []
    real = os.path.getmtime

    def getmtime(path):  # noqa: ANN001, ANN202
        if str(path).endswith(".html"):
            looked.append(str(path))
        return real(path)

    monkeypatch.setattr(os.path, "getmtime", getmtime)
    for renderer, out in ((None, tmp_path / "pelican"), (render_plain, tmp_path / "plain")):
        looked.clear()
        result = build(Options(root=minimal_project, as_of=date(2026, 11, 1), output=out, use_cache=False),
                       render=renderer)
        assert result.ok and len(result.files) > 60
        assert looked and max(looked.count(p) for p in looked) == 1, renderer
