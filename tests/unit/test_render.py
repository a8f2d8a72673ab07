"""Render stage: page list, pagination, summaries, and the rule that templates never compute."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from isoready import views
from isoready.package import Options, build, render_plain

REPO = Path(__file__).resolve().parents[2]
TEMPLATES = REPO / "isoready" / "theme" / "templates"


def test_templates_compute_nothing():
    """Counting, arithmetic and pluralisation belong in view-models (isoready/views.py), not in Jinja."""
    offenders = []
    for template in sorted(TEMPLATES.glob("*.html")):
        for n, line in enumerate(template.read_text().splitlines(), 1):
            for expr in re.findall(r"{[{%](.*?)[%}]}", line):
                plural = re.search(r'"s"\s+if', expr)
                expr = re.sub(r'"[^"]*"|\'[^\']*\'', '""', expr)  # text inside quotes is not arithmetic
                if plural or re.search(r"\|\s*(length|count|sum|sort|selectattr|rejectattr|groupby|map)\b", expr) or \
                        re.search(r"[\w)\]]\s*[-+*/%]\s*[\w(]", expr.replace("-%", "").replace("%-", "")):
                    offenders.append(f"{template.name}:{n}: {expr.strip()}")
    assert offenders == []


def test_register_is_split_into_pages_with_a_pager(minimal_project, tmp_path, monkeypatch):
    monkeypatch.setattr(views, "REGISTER_PAGE", 2)
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
    monkeypatch.setattr(views, "REPORT_EVIDENCE", 1)
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
