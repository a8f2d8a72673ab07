"""The Pelican adapter: our settings, our generator, our writer. Thin on purpose.

Two ways in, one code path:

- ``package.build`` prepares the site (load, validate, assess, views), puts it in a ``Job`` and calls
  ``run(job, root, out)``, which holds the job in a context variable for the duration of one
  ``Pelican.run()`` (``current()``). Nothing travels through the settings dict;
- a direct ``pelican content -s pelicanconf.py`` finds no job: the ``initialized`` handler prepares one
  itself (auditor audience unless ``ISOREADY_AUDIENCE``, organisation.yaml's language unless ``ISOREADY_LANGUAGE``;
  as-of date from ``ISOREADY_AS_OF``,
  ``SOURCE_DATE_EPOCH`` or today), prints our diagnostics and exits non-zero when the project has errors,
  and ``finalized`` writes the exports and the manifest.

Pelican does the reading of team-written pages (content/pages/*.md, its own reader and page generator),
the theme loading (THEME_TEMPLATES_OVERRIDES: a project's theme/templates first), the static files (the
theme's, a project's theme/static over them, and STATIC_PATHS) and the writing, through ``PortalWriter``
(registered with ``get_writer``), which renders in parallel and hashes as it writes.

Imports run one way: package -> pelican_plugin -> assemble -> render (never back).
"""

from __future__ import annotations

import copy
import html
import os
import re
import shutil
import sys
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Optional

from jinja2 import StrictUndefined
from markdown import Markdown
from markupsafe import Markup
from pelican import Pelican, signals
from pelican.generators import Generator
from pelican.readers import MarkdownReader, RstReader
from pelican.settings import get_settings_from_file, read_settings
from pelican.utils import pelican_open
from pelican.writers import Writer

from isoready.package.assemble import PageError
from isoready.core.diagnostics import Diagnostic, errors, one_of, report
from isoready.core.i18n import LANGUAGES
from isoready.model import AUDIENCES, audience_rank
from isoready.validate.redact import redact_name
from isoready.read.repolinks import for_audience
from isoready.render.pages import (DEFAULT_SITENAME, JINJA_OPTIONS, PACKAGED_THEME, ContentPage, NavLink, Page,
    Planner, Written, WriteRefused, content_pages, render_pages, speaking_templates, theme_dirs)
from isoready.read.teampages import (MARKDOWN_SUFFIXES, PAGE_URL, PROTECTED_CONTENT, REFUSED_KEYS, RST_SUFFIXES,
    SAFE_DOCUTILS, file_link_problem, file_link_problems, key_position, metadata_problems, rst_head_fields, rst_problem,
    segment_problem)
from isoready.core.text import MAX_MARKDOWN_BYTES, as_plain, markdown_problem, sanitise

PLUGIN = "isoready.pelican_plugin"  # the name registers write in pelicanconf.py (isoready/pelican_plugin.py)
REPO_THEME = PACKAGED_THEME  # the old name, still used by tools and tests
PAGE_SUFFIXES = MARKDOWN_SUFFIXES + RST_SUFFIXES  # and its reStructuredText reader
CONF = "pelicanconf.py"

#: Settings every portal build needs, whatever pelicanconf.py says (docs/pelican.md explains each).
#: A pelicanconf.py that sets one of them differently gets a one-line warning naming it.
FORCED: dict[str, Any] = {
    "RELATIVE_URLS": True,  # the site works from file:// and under any sub-path
    "SITEURL": "",
    "ARTICLE_PATHS": [],  # a portal has no blog
    "PAGE_PATHS": ["pages"],  # team-written pages: content/pages/*.md
    "PAGE_URL": PAGE_URL,
    "PAGE_SAVE_AS": "",  # Pelican reads them; PortalWriter writes them, in the portal's chrome
    "DIRECT_TEMPLATES": [],
    "TEMPLATE_PAGES": {},
    "OUTPUT_SOURCES": False,
    "THEME_STATIC_DIR": "theme",
    "DELETE_OUTPUT_DIRECTORY": False,  # the output is ours to replace, checked first (package / direct runs)
    "FEED_ALL_ATOM": None, "FEED_ALL_RSS": None, "CATEGORY_FEED_ATOM": None, "TRANSLATION_FEED_ATOM": None,
    "AUTHOR_FEED_ATOM": None, "AUTHOR_FEED_RSS": None,
    "TAG_SAVE_AS": "", "CATEGORY_SAVE_AS": "", "AUTHOR_SAVE_AS": "", "ARCHIVES_SAVE_AS": "",
    "YEAR_ARCHIVE_SAVE_AS": "", "MONTH_ARCHIVE_SAVE_AS": "", "DAY_ARCHIVE_SAVE_AS": "",
    "DRAFT_SAVE_AS": "", "DRAFT_PAGE_SAVE_AS": "", "PAGE_LANG_SAVE_AS": "", "DRAFT_PAGE_LANG_SAVE_AS": "",
    "CACHE_CONTENT": False, "LOAD_CONTENT_CACHE": False, "TIMEZONE": "UTC", "DEFAULT_LANG": "en",
    "JINJA_ENVIRONMENT": {**JINJA_OPTIONS, "extensions": []},  # autoescape: YAML text never becomes markup
    # the Markdown of team-written pages: the same extensions as every other Markdown (isoready/core/text.py)
    "MARKDOWN": {"extension_configs": {"markdown.extensions.tables": {}, "markdown.extensions.fenced_code": {},
                                       "markdown.extensions.sane_lists": {}}, "output_format": "html"},
}
#: set by the build, not by pelicanconf.py: silently replaced
BUILD_SET = ("PATH", "OUTPUT_PATH", "THEME", "THEME_TEMPLATES_OVERRIDES", "THEME_STATIC_PATHS", "PLUGINS")


@dataclass
class Job:
    """One portal build handed to Pelican: the prepared site in, what was written out."""

    site: Any
    project: Any
    pages: list[Page]  # the portal's own pages; team-written pages are added by the generator
    plan: Optional[Planner] = None  # the build cache
    direct: bool = False  # a direct `pelican` run: the plugin prepared it and writes the exports too
    written: list[Written] = field(default_factory=list)
    content: list[ContentPage] = field(default_factory=list)  # team-written pages in this build's audience
    shared: dict[str, Any] = field(default_factory=dict)  # what every page and the chrome saw
    diagnostics: list[Diagnostic] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # forced settings pelicanconf.py set differently
    get_template: Any = None  # the theme's templates as Pelican loaded them (serve re-renders pages with it)
    #: a direct run of an integrated system: the other standards' portals (assemble.Portal), which ``finalized``
    #: renders into their folders as ``isoready build`` does, and the run's Options
    others: list = field(default_factory=list)
    opts: Any = None


_JOB: ContextVar[Optional[Job]] = ContextVar("isoready_job", default=None)


def current() -> Optional[Job]:
    return _JOB.get()


def markdown_limit() -> int:
    """The Markdown size limit of the build Pelican runs for (its site's ``Options.max_markdown_bytes``): the
    readers of team pages judge by the one validation's W108 did."""
    job = current()
    return getattr(job.site, "max_markdown_bytes", MAX_MARKDOWN_BYTES) if job is not None else MAX_MARKDOWN_BYTES


# ---------------------------------------------------------------- settings


def forced_settings(settings: dict[str, Any], root: Path) -> list[str]:
    """Apply FORCED and the theme folders to ``settings`` in place; one warning line per setting that
    root/pelicanconf.py sets differently."""
    conf = root / CONF
    own = get_settings_from_file(str(conf)) if conf.is_file() else {}
    warnings = [f"{CONF}: warning: {key} = {own[key]!r} is ignored: the portal needs {value!r} (docs/pelican.md)"
                for key, value in FORCED.items() if key in own and own[key] != value]
    settings.update(copy.deepcopy(FORCED))  # copies: Pelican's Markdown reader adds to MARKDOWN in place
    themes = theme_dirs(root)
    settings["THEME"] = str(PACKAGED_THEME)
    settings["THEME_TEMPLATES_OVERRIDES"] = [str(t / "templates") for t in themes[:-1] if (t / "templates").is_dir()]
    settings["THEME_STATIC_PATHS"] = [str(t / "static") for t in reversed(themes) if (t / "static").is_dir()]
    plugins = [PLUGIN] + [p for p in own.get("PLUGINS", settings.get("PLUGINS") or []) if p not in (PLUGIN,)]
    settings["PLUGINS"] = plugins
    static = []
    for entry in settings.get("STATIC_PATHS") or []:
        norm = os.path.normpath(str(entry))
        if norm.startswith("..") or os.path.isabs(norm) or norm == "." or any(
                norm == p or norm.startswith(p + os.sep) or p.startswith(norm + os.sep) for p in PROTECTED_CONTENT):
            warnings.append(f"{CONF}: warning: STATIC_PATHS entry {entry!r} is ignored: it would publish the "
                            f"portal's own data or files outside content/ (docs/pelican.md)")
        else:
            static.append(entry)
    settings["STATIC_PATHS"] = static
    return warnings


def pelican_settings(root: Path, out: Path) -> dict[str, Any]:
    """pelicanconf.py (when the project has one) with the paths of this build and FORCED (applied again, with
    the warnings, in ``initialized``, the one place a direct run and a build share)."""
    conf = root / CONF
    override = {**copy.deepcopy(FORCED), "PATH": str(root / "content"), "OUTPUT_PATH": str(out), "THEME": str(PACKAGED_THEME),
                "PLUGINS": [PLUGIN]}
    if conf.is_file():
        own = get_settings_from_file(str(conf))
        override["PLUGINS"] = [PLUGIN] + [p for p in own.get("PLUGINS", []) if p != PLUGIN]
    return read_settings(str(conf) if conf.is_file() else None, override=override)


def run(job: Job, root: Path, out: Path) -> Job:
    """Render ``job`` into ``out`` with Pelican; ``job.written`` then lists every page written."""
    import logging

    settings = pelican_settings(root, out)
    logging.getLogger("pelican").setLevel(logging.WARNING)
    from pelican.log import console

    quiet, token = console.quiet, _JOB.set(job)
    console.quiet = True  # Pelican's own "Done: processed 0 articles" line means nothing here
    try:
        Pelican(settings).run()
    finally:
        console.quiet = quiet
        _JOB.reset(token)
    return job


# ---------------------------------------------------------------- direct runs


def _as_of(settings: dict[str, Any]) -> date:
    value = settings.get("ISOREADY_AS_OF")
    if isinstance(value, date):
        return value
    if value:
        return date.fromisoformat(str(value))
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc).date()
    return date.today()


def _fail(message: str, code: int) -> None:
    print(message, file=sys.stderr, flush=True)
    raise SystemExit(code)  # not an Exception: Pelican's main() lets it through, no traceback


def _prepare_direct(pelican: Any, root: Path) -> Job:
    from isoready.package.assemble import prepare_portals, replaceable
    from isoready.read.options import Options

    settings = pelican.settings
    try:
        opts = Options(root=root, as_of=_as_of(settings), audience=settings.get("ISOREADY_AUDIENCE", "auditor"),
                       output=Path(pelican.output_path), use_cache=False,
                       language=settings.get("ISOREADY_LANGUAGE") or None)
    except (ValueError, OverflowError) as exc:
        _fail(f"isoready: error: ISOREADY_AS_OF or SOURCE_DATE_EPOCH is not a date: {exc}", 2)
    if opts.audience not in AUDIENCES:
        _fail(f"isoready: error: ISOREADY_AUDIENCE must be one of {', '.join(AUDIENCES)}", 2)
    if opts.language is not None and opts.language not in LANGUAGES:
        _fail(f"isoready: error: ISOREADY_LANGUAGE must be one of {', '.join(LANGUAGES)}", 2)
    portals, project, diags = prepare_portals(opts)  # every standard's portal, as `isoready build` makes them
    if diags:
        print(report(diags), flush=True)
    if not portals or project is None:
        _fail(f"build stopped: {opts.out} left unchanged", 1)
    out = Path(pelican.output_path)
    if not replaceable(out):
        _fail(f"isoready: error: refusing to replace {out}: it is not a site built by isoready", 2)
    from isoready.render.pages import pages

    site = portals[0].site
    return Job(site, project, list(pages(site, project.root / "evidence")), direct=True, diagnostics=list(diags),
               others=portals[1:], opts=opts)


def initialized(pelican: Any) -> None:
    root = Path(pelican.settings["PATH"]).resolve().parent
    warnings = forced_settings(pelican.settings, root)
    for line in warnings:
        print(line, file=sys.stderr)
    pelican.theme = pelican.settings["THEME"]
    job = current()
    if job is None:
        job = _prepare_direct(pelican, root)
        _JOB.set(job)  # for the rest of this direct run (this process runs nothing else)
    job.warnings.extend(warnings)


def finalized(pelican: Any) -> None:
    job = current()
    if job is None or not job.direct:
        return
    from isoready.package.assemble import render_portal, switcher_css, write_assets, write_manifest

    out = Path(pelican.output_path)
    assets = write_assets(job.site, job.project, out, pages=job.content)
    if job.others:  # an integrated system: the switcher's style, and every other standard's portal in its folder
        assets += switcher_css(out)
        for portal in job.others:
            assets += render_portal(portal, _render_nested, job.opts, out)
    files = write_manifest(out, job.site, job.written + assets)
    print(f"built {len(files)} files into {out} for the {job.site.audience} audience as of {job.site.as_of}")


def _render_nested(site: Any, project: Any, out: Path, opts: Any, plan: Any = None) -> tuple[list, list]:
    """Another standard's portal of a direct run, through Pelican as ``isoready build`` renders it (a run of its
    own, with its own job, inside this one's ``finalized``)."""
    from isoready.render.pages import pages

    job = run(Job(site, project, list(pages(site, project.root / "evidence")), plan), opts.root, out)
    return job.written, job.content


# ---------------------------------------------------------------- team-written pages


def _line_of(path: Path, key: str) -> tuple[int, int]:
    try:
        for n, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            m = re.match(rf"\s*{key}\s*:\s*", line, re.IGNORECASE)
            if m:
                return n, m.end() + 1
            if not line.strip():
                break
    except OSError:
        pass
    return 1, 1


_TAGS = re.compile(r"<[^>]+>")


class BoundedMarkdownReader(MarkdownReader):
    """Pelican's Markdown reader under the portal's bounds (``text.markdown_problem``, the run's limit): a page
    too large, dense or deeply nested for Python-Markdown is shown as plain text, in linear time, like every
    other Markdown text (validation warns, W108). Its metadata lines are read as Pelican reads them."""

    def read(self, source_path: str) -> tuple[str, dict]:
        with pelican_open(source_path) as text:
            if not markdown_problem(text, markdown_limit()):
                return super().read(source_path)
        head, _, body = text.partition("\n\n")
        self._source_path = source_path
        self._md = Markdown(**self.settings["MARKDOWN"])
        self._md.convert(head)  # the "Title: ..." lines only: a few short lines
        metadata = self._parse_metadata(self._md.Meta) if hasattr(self._md, "Meta") else {}
        return as_plain(body), metadata


class SafeRstReader(RstReader):
    """Pelican's reStructuredText reader, reading no file: SAFE_DOCUTILS applied after the project's
    DOCUTILS_SETTINGS (so pelicanconf.py cannot turn file insertion or raw HTML back on). A page over the
    Markdown size limit or indented too deep for docutils' recursion (teampages.rst_problem) is shown as plain
    text, like a Markdown page (validation warns, W108)."""

    def _get_publisher(self, source_path: str) -> Any:
        settings = self.settings
        self.settings = {**settings, "DOCUTILS_SETTINGS": {**(settings.get("DOCUTILS_SETTINGS") or {}),
                                                           **SAFE_DOCUTILS}}
        try:
            return super()._get_publisher(source_path)
        finally:
            self.settings = settings

    def read(self, source_path: str) -> tuple[str, dict]:
        limit = markdown_limit()
        with open(source_path, "rb") as fh:
            data = fh.read(limit + 1)
        if not rst_problem(data, limit):
            try:
                return super().read(source_path)
            except RecursionError:  # deeper than the check foresaw: plain text all the same
                pass
        text = Path(source_path).read_text(encoding="utf-8", errors="replace")
        metadata = {key.lower(): self.process_metadata(key.lower(), value.strip())
                    for _, key, value in rst_head_fields(text)}
        metadata.setdefault("title", next((line.strip() for line in text.splitlines() if line.strip()), "Untitled"))
        return as_plain(text), metadata


def _rel(source: Path, root: Path) -> str:
    """A page's path for a diagnostic: relative to the project where it can be."""
    try:
        return source.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(source)


def _page_problems(page: Any, source: Path, rel: str) -> list[Diagnostic]:
    """The rules validate applies (teampages), applied again to what Pelican read: its metadata and its slug."""
    items = [(key, str(value), *key_position(source, key)) for key, value in page.metadata.items()
             if key in ("slug", "lang", "status") or key in REFUSED_KEYS]
    diags = metadata_problems(rel, items)
    if "slug" not in page.metadata and segment_problem(str(getattr(page, "slug", "") or "")):
        diags.append(Diagnostic(rel, 1, 1, "E331", f"the slug made from the title ({getattr(page, 'slug', '')!r}) "
                                "is not one safe name", "add a 'Slug:' line, like 'Slug: audit-logistics'"))
    return diags


def _file_links(context: dict[str, Any], root: Path) -> list[Diagnostic]:
    """E336 for every {static}/{attach} link of a page that would publish the portal's own data or a file
    outside content/; such links are dropped, so Pelican's static generator never copies their files."""
    content = root / "content"
    diags, bad = [], set()
    every = {id(p): p for key in ("pages", "hidden_pages") for p in context.get(key, []) or []}
    every.update((id(p), p) for p in _unwritten(context))
    for each in every.values():
        refused = {link for link in each.get_static_links() if file_link_problem(content, link)}
        if not refused:
            continue
        bad |= refused
        source = Path(each.source_path)
        rel = _rel(source, root)
        text = source.read_text(encoding="utf-8", errors="replace")
        folder = os.path.dirname(os.path.relpath(source.resolve(), content.resolve()))
        found = file_link_problems(rel, text, content, folder)
        diags += found or [Diagnostic(rel, 1, 1, "E336", f"link to {link!r} would publish a file a page may "
                                      f"not publish: {file_link_problem(content, link)}",
                                      "link a published document or page instead") for link in sorted(refused)]
    links = context.get("static_links")
    if isinstance(links, set):
        links.difference_update(bad)
    return diags


def _unwritten(context: dict[str, Any]) -> list[Any]:
    found: dict[int, Any] = {}
    for key in ("draft_pages", "translations", "hidden_translations", "draft_translations"):
        for page in context.get(key, []) or []:
            found.setdefault(id(page), page)
    for key in ("pages", "hidden_pages", "draft_pages"):
        for page in context.get(key, []) or []:
            for each in getattr(page, "translations", []) or []:
                found.setdefault(id(each), each)
    return list(found.values())


def read_content_pages(context: dict[str, Any], root: Path, audience: str,
                       redact: Any = None, taken: Any = (),
                       links: Any = None) -> tuple[list[ContentPage], list[Diagnostic]]:
    """Pelican's pages (read by its reader and page generator) as ContentPages in this build's audience.
    ``taken``: the paths the portal's own pages use (a team page may never replace one). ``links``: the
    build's links back to the files (repolinks.for_audience), or None."""
    found, diags = [], []
    rank = audience_rank(audience)
    claimed = {str(p).casefold(): "the portal" for p in taken}
    for page in _unwritten(context):  # drafts and translations are not written by us, but Pelican would write
        source = Path(page.source_path)  # one whose metadata names a path (Save_as:): refused all the same
        diags += _page_problems(page, source, _rel(source, root))
    for page, listed in [(p, True) for p in context.get("pages", [])] + \
                        [(p, False) for p in context.get("hidden_pages", [])]:
        source = Path(page.source_path)
        rel = source.resolve().relative_to(root.resolve()).as_posix() if source.is_absolute() else str(source)
        problems = _page_problems(page, source, rel)
        if problems:
            diags += problems
            continue
        url = PAGE_URL.format(slug=page.slug)
        other = claimed.setdefault(url.casefold(), rel)
        if other != rel:
            line, col = key_position(source, "slug")
            diags.append(Diagnostic(rel, line, col, "E333", f"page would replace {url}, which {other} writes too "
                                    "(in some letter case)", "give each page its own Slug:"))
            continue
        wanted = str(page.metadata.get("audience", "auditor")).strip().lower()
        if wanted not in AUDIENCES:
            line, col = _line_of(source, "audience")
            diags.append(Diagnostic(rel, line, col, "E204", f"Audience '{wanted}' is not an audience",
                                    one_of(AUDIENCES)))
            continue
        if audience_rank(wanted) > rank:
            continue  # above this build's audience: not written, not listed, not indexed
        body = sanitise(redact(page.content)) if redact else sanitise(page.content)  # withheld names, too
        title = redact(str(page.title)) if redact else str(page.title)
        slug = redact_name(redact, page.slug) if redact else page.slug  # its URL and file name, too
        shown = links is not None and (redact is None or redact(rel) == rel)  # no link naming a withheld record
        found.append(ContentPage(slug, title, PAGE_URL.format(slug=slug), wanted, Markup(body),
                                 " ".join(html.unescape(_TAGS.sub(" ", body)).split()), rel, listed,
                                 edit_url=links.edit(rel) if shown else "", view_url=links.view(rel) if shown else ""))
    read = {Path(p.source_path).resolve() for key in ("pages", "hidden_pages", "draft_pages")
            for p in context.get(key, [])}
    folder = root / "content" / "pages"
    for source in sorted(folder.rglob("*")) if folder.is_dir() else []:
        if source.suffix.lower() in PAGE_SUFFIXES and source.is_file() and source.resolve() not in read:
            rel = source.relative_to(root).as_posix()
            if not _has_key(source, "title"):
                diags.append(Diagnostic(rel, 1, 1, "E202", "page has no 'Title:' line, so it cannot be published",
                                        "start the file with 'Title: ...', then 'Slug: ...'"))
            else:
                diags.append(Diagnostic(rel, 1, 1, "E101", "Pelican could not read this page",
                                        "see Pelican's message above"))
    return found, diags


def _has_key(path: Path, key: str) -> bool:
    try:
        head = path.read_text(encoding="utf-8", errors="replace").split("\n\n", 1)[0]
    except OSError:
        return False
    return any(re.match(rf"\s*{key}\s*:", line, re.IGNORECASE) for line in head.splitlines())


def navigation(settings: dict[str, Any], content: list[ContentPage], sitename: str = "") -> dict[str, Any]:
    """SITENAME (``sitename``, the standard's, unless pelicanconf.py sets one); the navigation's extra entries
    (team-written pages, then MENUITEMS); LINKS in the footer."""

    def links(items: Any, kind: str) -> tuple[NavLink, ...]:
        out = []
        for n, item in enumerate(items or ()):
            label, href = item[0], item[1]
            external = bool(re.match(r"[a-z][a-z0-9+.-]*:", href, re.IGNORECASE))
            out.append(NavLink(f"{kind}:{n}", str(label), href if external else href.lstrip("/"), external))
        return tuple(out)

    name = settings.get("SITENAME")
    # Pelican's own default and ours, as the scaffold writes it, are not a name the team chose: the portal's
    # (its standard's, in the build's language) is shown instead
    return {"SITENAME": name if name and name not in ("A Pelican Blog", DEFAULT_SITENAME)
            else sitename or DEFAULT_SITENAME,
            "nav_links": tuple(NavLink("page:" + c.slug, c.title, c.url) for c in content if c.listed)
            + links(settings.get("MENUITEMS"), "menu"),
            "footer_links": links(settings.get("LINKS"), "link")}


# ---------------------------------------------------------------- generator and writer


class PortalWriter(Writer):
    """Pelican's writer, taught to write many pages at once: in parallel, each file hashed as it is written."""

    def write_pages(self, items: list[Page], shared: dict[str, Any], get_template: Any,
                    plan: Optional[Planner] = None) -> list[Written]:
        try:
            written = render_pages(items, shared, get_template, Path(self.output_path), plan)
        except WriteRefused as exc:  # the writer's guard: never a silent overwrite, never outside the output
            raise PageError([Diagnostic(exc.source or exc.path, 1, 1, "E335", str(exc),
                                        "report this: a page path the checks let through")]) from None
        for w in written:
            signals.content_written.send(os.path.join(self.output_path, w.path), context=shared)
        return written


class PortalGenerator(Generator):
    """Hands the portal's pages (and the team-written ones Pelican read) to the writer."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        job = current()  # {% trans %} and _() in the build's language, as render's environment; compiled in it
        portal_environment(self.env, job.site.chrome.language if job is not None else None)
        compiling = _COMPILING.get()
        if compiling is not None:  # the templates compiled meanwhile by another process (render/compiled.py)
            self.env.bytecode_cache = compiling.cache()

    def generate_context(self) -> None:
        job = current()
        if job is None:
            raise RuntimeError("isoready's generator ran without a prepared site")
        from isoready.validate.redact import audience_redactor

        root = Path(job.project.root)
        diags = _file_links(self.context, root)
        content, more = read_content_pages(self.context, root, job.site.audience,
                                           audience_redactor(job.project, job.site.audience),
                                           taken=[p.path for p in job.pages],
                                           links=for_audience(job.project.organisation.repository,
                                                              job.site.audience))
        diags += more
        if errors(diags):
            if job.direct:
                print(report(diags), flush=True)
                _fail(f"build stopped: {self.output_path} left unchanged", 1)
            raise PageError(diags)
        job.content = content
        job.shared = {"site": job.site.chrome, **navigation(self.settings, content, job.site.chrome.sitename)}

    def generate_output(self, writer: Any) -> None:
        job = current()
        assert job is not None
        out = Path(self.output_path)
        items = job.pages + list(content_pages(job.content))
        clashes = _static_clashes(self.context.get("staticfiles", []), items, Path(job.project.root))
        if clashes:  # before anything is written (Pelican's static generator copies last, over anything)
            if job.direct:
                print(report(clashes), flush=True)
                _fail(f"build stopped: {self.output_path} left unchanged", 1)
            raise PageError(clashes)
        if job.direct and out.exists():  # checked ours in initialized; emptied only now that nothing can stop us,
            shutil.rmtree(out)  # so no page of an earlier build (another audience) remains
            out.mkdir()
        if not isinstance(writer, PortalWriter):  # another plugin's writer: ours still writes our pages
            writer = PortalWriter(self.output_path, settings=self.settings)
        job.get_template = self.get_template
        job.written.extend(writer.write_pages(items, job.shared, self.get_template, job.plan))


def portal_environment(env: Any, language: Optional[str]) -> Any:
    """Pelican's template environment made the portal's: autoescaped, strict, compiled for ``language``."""
    env.autoescape = True  # whatever the settings say: YAML text must never become markup
    env.undefined = StrictUndefined  # a misspelt variable is a bug, never an empty string
    # a run's templates do not change while it runs (each Pelican run makes its generator and environment):
    # without this, Jinja stats every template a page extends or imports, for each of thousands of pages
    env.auto_reload = False
    return speaking_templates(env, language)


def compile_theme(root: Path, out: Path, told: int) -> tuple[dict, dict]:
    """The theme's templates (each name the packaged theme has, as the build would load it: a project's
    override first; ``_plain_template``) compiled as this build's Pelican run will compile them (its settings,
    its environment, the language read from the file descriptor ``told``): ``render.compiled.compile_templates``'
    bytecode and sources. Run in a process of its own (``TemplatesCompiling``), silent: the build reports whatever
    the templates say when it renders. Nothing when the project adds Pelican plugins (one may change the
    environment) or no language is told (the build stopped)."""
    import logging

    from isoready.render.compiled import compile_templates

    logging.disable(logging.CRITICAL)
    settings = pelican_settings(root, out)
    forced_settings(settings, root)
    if any(p != PLUGIN for p in settings["PLUGINS"]):
        return {}, {}
    generator = Generator(context={}, settings=settings, path=settings["PATH"], theme=settings["THEME"],
                          output_path=str(out))
    names = [name for name in sorted(p.relative_to(PACKAGED_THEME / "templates").as_posix()
                                     for p in (PACKAGED_THEME / "templates").rglob("*.html"))
             if _plain_template(root, name)]
    try:  # waits until the build has read its files (one write of a few bytes: one read takes it whole)
        language = os.read(told, 64).decode("ascii", "replace").strip()
    finally:
        os.close(told)
    if language not in LANGUAGES:
        return {}, {}
    return compile_templates(portal_environment(generator.env, language), names)


#: a theme template larger than this is left to the build (the packaged ones are a few KB each)
COMPILED_AHEAD_BYTES = 1024 * 1024


def _plain_template(root: Path, name: str) -> bool:
    """Whether the template the build would load for ``name`` (a project's override first) is a regular file
    of a size worth compiling ahead: a FIFO, a device or a huge file is never opened here (the build meets it,
    if a page uses it, as it always did)."""
    import stat

    for theme in theme_dirs(root):
        try:
            st = os.stat(theme / "templates" / name)
        except OSError:
            continue
        return stat.S_ISREG(st.st_mode) and st.st_size <= COMPILED_AHEAD_BYTES
    return False


class TemplatesCompiling:
    """The theme's templates compiled by another process while this one checks, assesses and builds the views;
    the build's Pelican runs take them (``offered``) instead of compiling them (render/compiled.py).

    The process is forked when the build starts (``start``: a fork copies little then, and the pages this process
    writes later are its own, not copies made for the fork), prepares Pelican's environment, then waits for the
    build's language, told once the files are read (``tell``), and compiles while this process goes on."""

    def __init__(self) -> None:
        self._job: Any = None
        self._cache: Any = None
        self._tell: Optional[int] = None

    def start(self, root: Path, out: Path) -> None:
        from isoready.core.parallel import Background, can_fork, workers

        if self._job is not None or workers() <= 1 or not can_fork():
            return
        told, self._tell = os.pipe()

        def compile_when_told() -> tuple[dict, dict]:
            os.close(self._tell)  # this process's copy: the end of the build's copy is the end of the wait
            return _quietly(compile_theme, root, out, told)

        try:
            self._job = Background(compile_when_told)
        finally:
            os.close(told)

    def tell(self, language: str) -> None:
        """The build's language: the other process compiles in it now."""
        if self._tell is not None:
            try:
                os.write(self._tell, language.encode("ascii", "replace")[:64] + b"\n")
            except OSError:  # it ended: the build compiles its templates itself
                pass
            self._close()

    def _close(self) -> None:
        if self._tell is not None:
            os.close(self._tell)
            self._tell = None

    def cache(self) -> Any:
        """The compiled templates (a ``render.compiled.CompiledTemplates``), or None: compile as usual."""
        if self._tell is not None:  # never told the language: nothing to wait for
            self.cancel()
        if self._job is not None:
            from isoready.render.compiled import CompiledTemplates

            try:
                found, sources = self._job.result()
            except Exception:  # noqa: BLE001 (the build compiles them itself, and reports what it finds)
                found, sources = {}, {}
            self._job = None
            self._cache = CompiledTemplates(found, sources) if found else None
        return self._cache

    def cancel(self) -> None:
        self._close()
        if self._job is not None:
            self._job.cancel()
            self._job = None

    def offered(self) -> Any:
        """A context in which the Pelican runs of this build take these templates."""
        import contextlib

        @contextlib.contextmanager
        def offer() -> Any:
            token = _COMPILING.set(self)
            try:
                yield self
            finally:
                _COMPILING.reset(token)
                self.cancel()

        return offer()


_COMPILING: ContextVar[Optional[TemplatesCompiling]] = ContextVar("isoready_compiling", default=None)


def _quietly(func: Any, *args: Any) -> Any:
    """``func(*args)`` with this process's output thrown away (a background process's: nothing of it is shown)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
    finally:
        os.close(devnull)
    try:
        return func(*args)
    except Exception:  # noqa: BLE001
        return {}, {}


def _static_clashes(statics: Any, items: list[Page], root: Path) -> list[Diagnostic]:
    """E333 for a file STATIC_PATHS (or a {static} link) would copy over a page or into the theme's folder."""
    pages = {p.path.casefold() for p in items}
    found = []
    for sc in statics:
        target = str(getattr(sc, "save_as", "") or "").replace(os.sep, "/")
        key = target.casefold()
        if key in pages or key == "theme" or key.startswith("theme/"):
            source = Path(sc.source_path)
            found.append(Diagnostic(_rel(source, root), 1, 1, "E333", f"static file would replace {target}, which the portal "
                                    "writes", "rename it, or move it to another folder of STATIC_PATHS"))
    return found


def get_generators(pelican: Any) -> type:
    return PortalGenerator


def get_writer(pelican: Any) -> type:
    return PortalWriter


def _bounded_readers(readers: Any) -> None:
    """Team-written pages are read by BoundedMarkdownReader and SafeRstReader wherever Pelican's own Markdown
    and reStructuredText readers would be (a plugin's other reader for those suffixes is replaced too)."""
    for ext, cls in list(readers.reader_classes.items()):
        if cls is MarkdownReader or ext in ("md", "markdown", "mkd", "mdown"):
            readers.reader_classes[ext] = BoundedMarkdownReader
        elif cls is RstReader or ext == "rst":
            readers.reader_classes[ext] = SafeRstReader


def register() -> None:
    signals.readers_init.connect(_bounded_readers)
    signals.initialized.connect(initialized)
    signals.get_generators.connect(get_generators)
    signals.get_writer.connect(get_writer)
    signals.finalized.connect(finalized)
