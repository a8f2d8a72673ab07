"""The clause index and clause pages, the evidence register, evidence and document pages, search, glossary."""

from __future__ import annotations

from typing import Any, Mapping

from isoready.core.i18n import gettext as _, ngettext
from isoready.views.builder import builder
from isoready.views.context import Context
from isoready.views import labels
from isoready.views.labels import GLOSSARY, GLOSSARY_PATH, grouped, page_path, withheld
from isoready.views.models import EvidenceRowView, GlossaryTermView, GlossaryView, Link, RegisterPageView
from isoready.views.pages import ClauseIndexView, DocumentPageView, PageView


def register_pages(rows: tuple[EvidenceRowView, ...], hidden: int) -> tuple[RegisterPageView, ...]:
    per_page = labels.REGISTER_PAGE  # read when called: a test may lower it
    chunks = [rows[i:i + per_page] for i in range(0, len(rows), per_page)] or [()]
    urls = ["evidence.html"] + [f"evidence-{n}.html" for n in range(2, len(chunks) + 1)]
    pages = []
    for index, chunk in enumerate(chunks):
        if len(chunks) == 1:
            summary = ngettext("%(num)s record in this build", "%(num)s records in this build", len(rows))
        else:
            first = index * per_page + 1
            summary = _("records %(first)s to %(last)s of %(count)s in this build", first=grouped(first),
                        last=grouped(first + len(chunk) - 1), count=grouped(len(rows)))
        pager = tuple(Link(url, str(n + 1), "current" if n == index else "")
                      for n, url in enumerate(urls)) if len(chunks) > 1 else ()
        pages.append(RegisterPageView(urls[index], index + 1, chunk, summary, withheld(hidden, "record"), pager))
    return tuple(pages)


@builder("clauses", reads=("organisation", "catalog", "evidence", "findings", "assessments", "readiness", "documents",
                            "git"))
def CLAUSES(ctx: Context, shared: Mapping[str, Any]) -> list[PageView]:
    return [PageView("clauses.html", "clauses", _("Clauses"), "clauses",
                     ClauseIndexView(_("Clauses of %(standard)s", standard=ctx.catalog.standard),
                                     tuple(ctx.rows.values()))),
            *(PageView(page_path(c.url), "clause", f"{c.number} {c.name}", "clauses", c) for c in ctx.clauses)]


@builder("evidence", reads=("organisation", "catalog", "evidence", "findings", "readiness", "documents",
                             "git", "descriptions"))
def EVIDENCE(ctx: Context, shared: Mapping[str, Any]) -> list[PageView]:
    evidence = tuple(ctx.evidence.values())
    pages: list[PageView] = []
    for reg in register_pages(tuple(ctx.ev_rows.values()), ctx.hidden_ev):
        title = _("Evidence register, page %(page)s", page=reg.number) if reg.number > 1 else _("Evidence register")
        pages.append(PageView(reg.url, "register", title, "evidence", reg))
    doc_at: dict[str, int] = {}  # a Markdown document two records share is one page (the writer refuses two)
    for ev in evidence:
        pages.append(PageView(page_path(ev.url), "evidence", ev.title, "evidence", ev))
        if ev.document and ev.document.page_url:
            view = PageView(ev.document.path + ".html", "document", ev.document.name, "evidence",
                            DocumentPageView(ev, ev.document, ctx.md_limit), markdown=ev.document.source)
            if view.path in doc_at:
                pages[doc_at[view.path]] = view  # the last record's, as when it overwrote the first's
            else:
                doc_at[view.path] = len(pages)
                pages.append(view)
    return pages


@builder("search", reads=())
def SEARCH(ctx: Context, shared: Mapping[str, Any]) -> list[PageView]:
    return [PageView("search.html", "search", _("Search"), "")]


@builder("glossary", reads=())
def GLOSSARY_PAGE(ctx: Context, shared: Mapping[str, Any]) -> list[PageView]:
    return [PageView(GLOSSARY_PATH, "glossary", _("Glossary"), "", GlossaryView(
        _("The words this portal uses in a sense of its own, in plain terms."),
        tuple(GlossaryTermView(anchor, _(term), _(text, family=ctx.std.family))  # the standard's name
              for anchor, term, text in GLOSSARY)))]
