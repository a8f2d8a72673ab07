"""The glossary page (issue 22): the words the portal uses in a sense of its own, explained in plain terms, and
the pages' labels linked to them (glossary.html#<term>)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from isoready.package.build import Options, build

AS_OF = date(2026, 11, 1)
ANCHORS = ("as-of-date", "audience", "withheld", "out-of-window", "undeclared", "gate", "commit")
AS_OF_TEXT = ("The day this portal judges readiness on. Every date check (evidence past its review date, records out "
              "of their window, overdue findings, the days left before an audit) is worked out for this day, not the "
              "day you open the page. It is shown at the top of every page; the next build judges again, on its own "
              "date.")


def _site(root: Path, audience: str = "auditor", commit: str = "0123abcd") -> Path:
    result = build(Options(root=root, as_of=AS_OF, audience=audience, commit=commit, use_cache=False))
    assert result.ok, result.diagnostics
    return root / "output"


def test_the_glossary_explains_each_term_under_its_anchor(minimal_project: Path) -> None:
    page = (_site(minimal_project) / "glossary.html").read_text(encoding="utf-8")
    assert re.findall(r'<dt id="([a-z-]+)">', page) == list(ANCHORS)
    assert f'<dt id="as-of-date">As-of date</dt>\n  <dd>{AS_OF_TEXT}</dd>' in page
    assert "<title>Glossary · Example Works Ltd" in page


def test_the_chrome_links_its_terms_and_the_footer_the_glossary(minimal_project: Path) -> None:
    site = _site(minimal_project)
    clause = (site / "clauses" / "8.4.html").read_text(encoding="utf-8")
    assert ('<p class="wrap"><a href="../glossary.html#as-of-date">As of</a> <time datetime="2026-11-01">'
            '2026-11-01</time> · <a href="../glossary.html#audience">Auditor build</a>: shows public and auditor '
            'evidence; internal records are <a href="../glossary.html#withheld">withheld</a>. · '
            '<a href="../glossary.html#commit">commit</a> <code>0123abcd</code></p>') in clause
    assert '<a href="../glossary.html">Glossary</a></p>' in clause
    public = (_site(minimal_project, "public") / "index.html").read_text(encoding="utf-8")
    assert ('<a href="./glossary.html#audience">Public build</a>: shows readiness and public evidence only; other '
            'records are <a href="./glossary.html#withheld">withheld</a>.') in public


def test_gates_windows_and_undeclared_conditions_link_to_their_entries(minimal_project: Path) -> None:
    site = _site(minimal_project)
    assert '<a href="./glossary.html#gate">What a gate is</a>' in (site / "index.html").read_text(encoding="utf-8")
    assert ('Each stage\'s checks form a <a href="./glossary.html#gate">gate</a>, which passes when all of them '
            'pass.</p>') in (site / "stages.html").read_text(encoding="utf-8")
    gaps = (site / "gaps.html").read_text(encoding="utf-8")
    assert '<a href="./glossary.html#out-of-window">out of its window</a>' in gaps
    assert ('<a href="./glossary.html#out-of-window"><span class="badge mstate-out-of-window">Out of window</span>'
            '</a>') in gaps
    assert ('<a href="./glossary.html#undeclared"><span class="badge mstate-undeclared">Condition not declared'
            '</span></a>') in gaps
    # a state without an entry keeps its plain badge
    assert '<td><span class="badge mstate-missing">Missing</span></td>' in gaps


def test_every_glossary_link_in_the_site_names_an_entry(minimal_project: Path) -> None:
    site = _site(minimal_project, "internal")
    linked = {m for p in site.rglob("*.html") for m in re.findall(r'glossary\.html#([a-z-]+)"',
                                                                  p.read_text(encoding="utf-8"))}
    assert linked == set(ANCHORS) - {"withheld"}  # an internal build withholds nothing
