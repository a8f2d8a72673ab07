"""Issue 23, the cold build's tail: the search index's entries of the site's own pages are made in a background
process while the pages render (``assemble.search_json``), and the team-written pages Pelican read are added
at the end. The file is the very one made in one go: English and German, with team pages, hidden ones left
out, none at all, and text that could end a script element."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest

from isoready.core import i18n
from isoready.outputs import export
from isoready.package.assemble import prepare, search_json
from isoready.read.options import Options

REPO = Path(__file__).resolve().parents[2]
PAGES = [SimpleNamespace(slug="audit-logistics", title="Audit </script> logistics", url="pages/audit-logistics.html",
                         text="Rooms, </b> times and 監査"),
         SimpleNamespace(slug="how-to-read", title="How to read", url="pages/how-to-read.html", text="Guide")]


@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize("pages", [PAGES, PAGES[:1], []])
def test_the_index_made_in_two_steps_is_the_index_made_at_once(language: str, pages: list) -> None:
    site, _project, _diags = prepare(Options(root=REPO, as_of=date(2026, 12, 6), output=REPO / "output",
                                             commit="test", use_cache=False, language=language))
    assert site is not None
    early = search_json(site)
    with i18n.speaking(language):
        at_once = export.search_index_js(site.export, pages)
        in_two = export.search_index_js(site.export, pages, early)
    assert in_two == at_once
    assert ("Abschnitt" if language == "de" else '"Clause"') in at_once
    assert "</" not in at_once and ("audit-logistics" in at_once) == bool(pages)


def test_an_index_of_no_entries_takes_the_pages_alone() -> None:
    empty = SimpleNamespace(clauses=(), evidence=(), findings=(), registers=(), sites=())
    with i18n.speaking("en"):
        assert export.search_index_js(empty, PAGES, "[]") == export.search_script(
            [{"type": "Page", "id": p.slug, "title": p.title, "url": p.url, "text": p.text} for p in PAGES])
        assert export.search_index_js(empty, [], "[]") == "window.PORTAL_SEARCH=[];\n"
