"""Stage 5, render: which page is written from which template with which view-model.

``pages`` is the single list of HTML pages. ``render_pages`` writes them, on
every core (a fork pool on Linux), and returns each file's size and SHA-256 so
the manifest needs no second read. The Pelican generator (``pelican_plugin``)
calls it with Pelican's Jinja environment; ``render_site`` with a plain one, for
tests and tools that run without Pelican. Both give the same bytes: SITEURL is
the page's relative path to the site root.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterator, Optional, Sequence

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template
from markupsafe import Markup

from .options import workers
from .text import Md
from .views import SiteView

JINJA_OPTIONS: dict[str, Any] = {"trim_blocks": True, "lstrip_blocks": True, "autoescape": True}
PARALLEL_FROM = 400  # pages; below this a pool costs more than it saves


@dataclass(frozen=True)
class Page:
    path: str  # output path relative to the site root
    template: str  # template name without ".html"
    context: dict[str, Any] = field(default_factory=dict)
    markdown_file: Optional[Path] = None  # a document shown as a page: read and rendered when written


@dataclass(frozen=True)
class Written:
    path: str
    size: int
    sha256: str
    fingerprint: str = ""
    reused: bool = False  # hard-linked from the previous build, not rendered


def relative_root(path: str) -> str:
    """SITEURL for a page: '.' at the top, '..' one folder down, and so on (as Pelican computes it)."""
    depth = path.count("/")
    return "/".join([".."] * depth) if depth else "."


def pages(site: SiteView, evidence_root: Path) -> Iterator[Page]:
    """The pages views planned, each with its own view-model as ``page`` in its template."""
    for p in site.pages:
        context = {"nav": p.nav, "page_title": p.title, "page": p.model}
        yield Page(p.path, p.template, context, evidence_root / p.markdown if p.markdown else None)


@dataclass(frozen=True)
class Chrome:
    """The header and footer every page shares: rendered from their templates once per (SITEURL, nav)."""

    header: Markup
    footer: Markup


_CHROME: dict[tuple[int, str, str], Chrome] = {}


def chrome(get_template: Callable[[str], Template], site: SiteView, root: str, nav: str) -> Chrome:
    key = (id(site), root, nav)
    if key not in _CHROME:
        context = {"site": site.chrome, "SITEURL": root, "nav": nav}
        _CHROME[key] = Chrome(Markup(get_template("chrome-header").render(context)),
                              Markup(get_template("chrome-footer").render(context)))
    return _CHROME[key]


def render_page(page: Page, get_template: Callable[[str], Template], site: SiteView) -> bytes:
    context = dict(page.context)
    if page.markdown_file is not None:
        text = page.markdown_file.read_text(encoding="utf-8", errors="replace")
        redact = getattr(context.get("page"), "redact", None)  # names of withheld records (views.Redactor)
        context["body"] = Md(redact(text) if redact else text)
    root = relative_root(page.path)
    return get_template(page.template).render(
        site=site.chrome, SITEURL=root, output_file=page.path, chrome=chrome(get_template, site, root, context.get("nav", "")),
        **context).encode("utf-8")


def write_bytes(out: Path, rel: str, data: bytes) -> Written:
    target = out / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return Written(rel, len(data), hashlib.sha256(data).hexdigest())


# The pool's workers are forked after the view-models are built: they inherit them (no pickling) and
# receive only index ranges. These globals hold the job for the duration of one render_pages call.
_JOB: dict[str, Any] = {}


def _render_range(bounds: tuple[int, int]) -> list[Written]:
    job = _JOB
    out, site, get_template, items, plan = job["out"], job["site"], job["get_template"], job["pages"], job["plan"]
    done = []
    for page in items[bounds[0]:bounds[1]]:
        fingerprint = None
        if plan is not None:  # the build cache: reuse the previous build's page when nothing it needs changed
            fingerprint, reused = plan(page)
            if reused is not None:
                done.append(reused)
                continue
        written = write_bytes(out, page.path, render_page(page, get_template, site))
        done.append(replace(written, fingerprint=fingerprint) if fingerprint else written)
    return done


#: given a page: its fingerprint (None: not reusable) and, when the previous build's copy was reused, what it wrote
Planner = Callable[[Page], "tuple[Optional[str], Optional[Written]]"]


def render_pages(items: Sequence[Page], site: SiteView, get_template: Callable[[str], Template],
                 out: Path, plan: Optional[Planner] = None) -> list[Written]:
    """Render and write every page; in parallel when there are many and fork is available.

    With ``plan`` (the build cache), pages whose inputs did not change are reused, not rendered; the
    fingerprinting and linking run in the workers too.
    """
    items = list(items)
    n = workers()
    _CHROME.clear()
    _JOB.update(out=out, site=site, get_template=get_template, pages=items, plan=plan)
    try:
        if n == 1 or len(items) < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
            return _render_range((0, len(items)))
        for name in {p.template for p in items} | {"chrome-header", "chrome-footer"}:
            get_template(name)  # compile every template once, before forking
        step = max(50, len(items) // (n * 8))
        ranges = [(i, min(i + step, len(items))) for i in range(0, len(items), step)]
        with multiprocessing.get_context("fork").Pool(n) as pool:
            return [w for chunk in pool.map(_render_range, ranges) for w in chunk]
    finally:
        _JOB.clear()


def environment(theme: Path) -> Environment:
    return Environment(loader=FileSystemLoader(str(theme / "templates")), undefined=StrictUndefined,
                       **JINJA_OPTIONS)


def template_getter(env: Environment) -> Callable[[str], Template]:
    cache: dict[str, Template] = {}

    def get(name: str) -> Template:
        if name not in cache:
            cache[name] = env.get_template(name + ".html")
        return cache[name]

    return get


def render_site(site: SiteView, out: Path, theme: Path, evidence_root: Path,
                plan: Optional[Planner] = None) -> list[Written]:
    """Write every page with plain Jinja (no Pelican), and the theme's static files."""
    written = render_pages(list(pages(site, evidence_root)), site, template_getter(environment(theme)), out, plan)
    copy_tree(theme / "static", out / "theme")
    return written


def copy_tree(src: Path, dst: Path) -> None:
    if src.is_dir():
        shutil.copytree(src, dst, dirs_exist_ok=True)
