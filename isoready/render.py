"""Stage 5, render: which page is written from which template with which view-model.

``pages`` is the single list of HTML pages; the Pelican generator
(``pelican_plugin``) writes them through Pelican's writer, and ``render_site``
writes them with plain Jinja for tests and tools that run without Pelican.
Both give the same bytes: SITEURL is the page's relative path to the site root.
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from .text import markdown
from .views import SiteView

JINJA_OPTIONS: dict[str, Any] = {"trim_blocks": True, "lstrip_blocks": True, "autoescape": True}


@dataclass(frozen=True)
class Page:
    path: str  # output path relative to the site root
    template: str  # template name without ".html"
    context: dict[str, Any]


def relative_root(path: str) -> str:
    """SITEURL for a page: '.' at the top, '..' one folder down, and so on (as Pelican computes it)."""
    depth = path.count("/")
    return "/".join([".."] * depth) if depth else "."


def pages(site: SiteView, evidence_root: Path) -> Iterator[Page]:
    yield Page("index.html", "index", {"nav": "index", "page_title": "Dashboard"})
    yield Page("clauses.html", "clauses", {"nav": "clauses", "page_title": "Clauses"})
    for clause in site.clauses:
        yield Page(clause.url, "clause", {"nav": "clauses", "clause": clause,
                                          "page_title": f"{clause.number} {clause.name}"})
    yield Page("evidence.html", "register", {"nav": "evidence", "page_title": "Evidence register"})
    for ev in site.evidence:
        yield Page(ev.url, "evidence", {"nav": "evidence", "ev": ev, "page_title": ev.title})
        doc = ev.document
        if doc and doc.page_url:
            text = (evidence_root / doc.source).read_text(encoding="utf-8", errors="replace")
            yield Page(doc.path + ".html", "document", {"nav": "evidence", "ev": ev, "doc": doc, "body": markdown(text),
                                                  "page_title": doc.name})
    yield Page("gaps.html", "gaps", {"nav": "gaps", "page_title": "Gap report"})
    yield Page("findings.html", "findings", {"nav": "findings", "page_title": "Findings"})
    for finding in site.findings:
        yield Page(finding.url, "finding", {"nav": "findings", "finding": finding,
                                            "page_title": f"Finding {finding.id}"})
    yield Page("applicability.html", "applicability", {"nav": "applicability", "page_title": "Applicability"})
    yield Page("stages.html", "stages", {"nav": "stages", "page_title": "Audit stages"})
    yield Page("search.html", "search", {"nav": "", "page_title": "Search"})
    yield Page("report.html", "report", {"nav": "report", "page_title": "Readiness report"})


def environment(theme: Path) -> Environment:
    return Environment(loader=FileSystemLoader(str(theme / "templates")), undefined=StrictUndefined,
                       **JINJA_OPTIONS)


def render_site(site: SiteView, out: Path, theme: Path, evidence_root: Path) -> list[str]:
    """Write every page with plain Jinja (no Pelican). Returns the paths written."""
    env = environment(theme)
    written = []
    for page in pages(site, evidence_root):
        template = env.get_template(page.template + ".html")
        html = template.render(site=site, SITEURL=relative_root(page.path), output_file=page.path, **page.context)
        target = out / page.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
        written.append(page.path)
    copy_tree(theme / "static", out / "theme")
    return written


def copy_tree(src: Path, dst: Path) -> None:
    import shutil

    if src.is_dir():
        shutil.copytree(src, dst, dirs_exist_ok=True)


def site_path(*parts: str) -> str:
    return posixpath.join(*parts).replace(os.sep, "/")
