"""Stage 5, render: which page is written from which template with which view-model.

Rendering is generic: a list of ``Page`` (output path, template, the page's own context) plus one
``shared`` mapping every page and the page chrome see (today ``{"site": SiteView, ...}``; the chrome
model once views supply one, with SITENAME, the navigation's team-written pages, MENUITEMS and LINKS).
``pages`` builds the portal's list from the site. ``render_pages`` writes a list, on every core (a fork
pool on Linux, behind ``parallel_map``), and returns each file's size and SHA-256 so the manifest needs no
second read. The Pelican writer (``pelican_plugin.PortalWriter``) calls it with Pelican's Jinja
environment; ``render_site`` with a plain one, for tests and tools that run without Pelican. Both give the
same bytes: SITEURL is the page's relative path to the site root.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
from datetime import date as _date
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Optional, Sequence, Union

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, Template
from markupsafe import Markup

from isoready.core import i18n
from isoready.core.parallel import pmap, shared as job_in_progress, workers
from isoready.core.text import MAX_MARKDOWN_BYTES, Md
from isoready.render.folding import fold_words, in_language
from isoready.views import SiteView

#: the theme shipped in the package; a project's theme/ overrides it template by template, file by file
PACKAGED_THEME = Path(__file__).resolve().parents[1] / "theme"
#: the portal's name beside the organisation's (header, <title>) unless pelicanconf.py sets SITENAME
DEFAULT_SITENAME = "ISO 9001 readiness"

JINJA_OPTIONS: dict[str, Any] = {"trim_blocks": True, "lstrip_blocks": True, "autoescape": True}
PARALLEL_FROM = 400  # pages; below this a pool costs more than it saves


@dataclass(frozen=True)
class Page:
    path: str  # output path relative to the site root
    template: str  # template name without ".html"
    context: dict[str, Any] = field(default_factory=dict)
    markdown_file: Optional[Path] = None  # a document shown as a page: read and rendered when written
    #: the build's redactor (SiteView.redact) for markdown_file's text: kept out of ``context``, so no template
    #: can reach it; compared (and fingerprinted by its repr) like the rest of the page
    redact: Optional[Callable[[str], str]] = None
    #: the Markdown size limit markdown_file's text renders under (the build's ``Options.max_markdown_bytes``,
    #: carried here because pages render in forked workers; in the fingerprint through the page's
    #: DocumentPageView.limit)
    markdown_limit: int = MAX_MARKDOWN_BYTES


@dataclass(frozen=True)
class Written:
    path: str
    size: int
    sha256: str
    fingerprint: str = ""
    reused: bool = False  # hard-linked from the previous build, not rendered


@dataclass(frozen=True)
class ContentPage:
    """A team-written page (content/pages/*.md, read by Pelican's reader), ready for page.html."""

    slug: str
    title: str
    url: str  # pages/<slug>.html
    audience: str
    body: Markup  # sanitised HTML
    text: str  # plain words, for the search index
    source: str  # path relative to the project, for diagnostics
    listed: bool = True  # Pelican's "Status: hidden" pages are written but not in the navigation
    edit_url: str = ""  # the page's file on its git host (repository:), when this build shows such links
    view_url: str = ""


@dataclass(frozen=True)
class NavLink:
    """A navigation or footer entry: a site page (href relative to the root) or another site (external)."""

    key: str
    label: str
    href: str
    external: bool = False


def relative_root(path: str) -> str:
    """SITEURL for a page: '.' at the top, '..' one folder down, and so on (as Pelican computes it)."""
    depth = path.count("/")
    return "/".join([".."] * depth) if depth else "."


def default_shared(site: SiteView) -> dict[str, Any]:
    """What every page and the chrome see when no Pelican settings or team-written pages add to it."""
    return {"site": site.chrome, "SITENAME": site.chrome.sitename or DEFAULT_SITENAME, "nav_links": (),
            "footer_links": ()}


def shared_key(shared: Mapping[str, Any]) -> str:
    """What of ``shared`` a page may print, for the build cache (the site's chrome fields are keyed apart)."""
    return repr(sorted((k, v) for k, v in shared.items() if k != "site"))


def pages(site: SiteView, evidence_root: Path) -> Iterator[Page]:
    """The pages views planned, each with its own view-model as ``page`` in its template."""
    for p in site.pages:
        context = {"nav": p.nav, "page_title": p.title, "page": p.model}
        yield Page(p.path, p.template, context, evidence_root / p.markdown if p.markdown else None,
                   site.redact if p.markdown else None, site.max_markdown_bytes)


def content_pages(items: Sequence[ContentPage]) -> Iterator[Page]:
    for cp in items:
        yield Page(cp.url, "page", {"nav": "page:" + cp.slug, "page_title": cp.title, "page": cp})


@dataclass(frozen=True)
class Chrome:
    """The header and footer every page shares: rendered from their templates once per (SITEURL, nav)."""

    header: Markup
    footer: Markup


_CHROME: dict[tuple[str, str, str], Chrome] = {}
#: the (page depth, section) pairs whose header and footer are kept: a site has a few dozen; past this bound
#: (ids with many '/' make deep pages) the oldest are forgotten and rendered again when asked for
CHROME_CACHE = 256


def chrome(get_template: Callable[[str], Template], shared: Mapping[str, Any], root: str, nav: str) -> Chrome:
    key = (root, nav, i18n.active().code)
    if key not in _CHROME:
        while len(_CHROME) >= CHROME_CACHE:
            del _CHROME[next(iter(_CHROME))]
        context = {**shared, "SITEURL": root, "nav": nav}
        _CHROME[key] = Chrome(Markup(in_language(get_template("chrome-header"), key[2]).render(context)),
                              Markup(in_language(get_template("chrome-footer"), key[2]).render(context)))
    return _CHROME[key]


def forget_chrome() -> None:
    """Drop the header and footer rendered for the pages so far (a new site, or a new set of view-models)."""
    _CHROME.clear()


def render_page(page: Page, get_template: Callable[[str], Template], shared: "Mapping[str, Any] | SiteView") -> bytes:
    """One page's bytes; ``shared`` may be a SiteView (then the shared context is ``default_shared`` of it)."""
    if not isinstance(shared, Mapping):
        shared = default_shared(shared)
    context = dict(page.context)
    if page.markdown_file is not None:
        text = page.markdown_file.read_text(encoding="utf-8", errors="replace")
        context["body"] = Md(page.redact(text) if page.redact else text, page.markdown_limit)  # names of withheld records
    root = relative_root(page.path)
    # the site's language (its chrome says it), whichever process or command renders the page; the template
    # compiled with its own words already in that language (render/folding.py)
    code = site_language(shared)
    with i18n.speaking(code):
        return in_language(get_template(page.template), code).render(
            **shared, SITEURL=root, output_file=page.path,
            chrome=chrome(get_template, shared, root, context.get("nav", "")), **context).encode("utf-8")


def site_language(shared: Mapping[str, Any]) -> str:
    """The language the pages of ``shared``'s site speak (the active one when it names none)."""
    return getattr(shared.get("site"), "language", None) or i18n.active().code


class WriteRefused(Exception):
    """The writer's guard, as Pelican's own Writer has one: a path outside the output folder or a second
    write to one path is refused, never carried out. The checks before rendering (teampages, validate) should
    make it unreachable; reaching it is a bug, reported as a clear error (E335) instead of a silent overwrite."""

    def __init__(self, path: str, why: str, source: str = "") -> None:
        super().__init__(f"refused to write {path!r}: {why}")
        self.path, self.why, self.source = path, why, source

    def __reduce__(self) -> Any:  # crosses the fork pool's pipe intact
        return (WriteRefused, (self.path, self.why, self.source))


def unsafe_path(rel: str) -> Optional[str]:
    """Why ``rel`` is not a relative path inside the output folder (None: it is)."""
    parts = rel.split("/")
    if not rel or rel.startswith("/") or "\\" in rel or "\0" in rel or any(p in ("", ".", "..") for p in parts):
        return "it is not a relative path inside the output folder"
    return None


@functools.lru_cache(maxsize=64)
def _real(folder: str) -> str:
    """The output folder's real path: resolved once per folder (a build writes thousands of files into one)."""
    return os.path.realpath(folder)


@functools.lru_cache(maxsize=4096)
def _inside(base: str, parent: str) -> bool:
    real = os.path.realpath(parent)
    return real == base or real.startswith(base + os.sep)


def write_bytes(out: Path, rel: str, data: "bytes | Iterable[bytes]", source: str = "") -> Written:
    """Write one new file of the site: refused (WriteRefused) outside ``out`` (also through a symlink) and
    where a file already is (a second write to one path). ``data``: the bytes, or their pieces in order (a
    large export written without holding it whole)."""
    why = unsafe_path(rel)
    if why:
        raise WriteRefused(rel, why, source)
    target = out / rel
    base = _real(str(out))
    if not _inside(base, os.path.join(base, os.path.dirname(rel))):
        raise WriteRefused(rel, "it leads outside the output folder through a symlink", source)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        try:
            fd = os.open(target, flags, 0o666)
        except FileNotFoundError:  # the first file of its folder: made once, not checked before every file
            target.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(target, flags, 0o666)
    except FileExistsError:
        raise WriteRefused(rel, "the build has written that path already", source) from None
    with os.fdopen(fd, "wb") as fh:
        if isinstance(data, bytes):
            fh.write(data)
            return Written(rel, len(data), hashlib.sha256(data).hexdigest())
        digest, size = hashlib.sha256(), 0
        for piece in data:
            fh.write(piece)
            digest.update(piece)
            size += len(piece)
    return Written(rel, size, digest.hexdigest())


def check_targets(items: Sequence[Page]) -> None:
    """Before anything is rendered: every page's path is inside the output folder and written once."""
    seen: set[str] = set()
    for page in items:
        model = page.context.get("page")
        source = model.source if isinstance(model, ContentPage) else ""
        why = unsafe_path(page.path) or ("another page of this build is written there" if page.path in seen else None)
        if why:
            raise WriteRefused(page.path, why, source)
        seen.add(page.path)


#: given a page and the shared context's key: its fingerprint (None: not reusable) and, when the previous
#: build's copy was reused, what it wrote
Planner = Callable[[Page, str], "tuple[Optional[str], Optional[Written]]"]

def _render_range(bounds: tuple[int, int]) -> list[Written]:
    # The pool's workers are forked after the view-models are built: they inherit the render_pages call's job
    # (pmap's shared=, no pickling) and receive only index ranges.
    job = job_in_progress()
    out, shared, get_template, items, plan = job["out"], job["shared"], job["get_template"], job["pages"], job["plan"]
    key = job["key"]
    done = []
    for page in items[bounds[0]:bounds[1]]:
        fingerprint = None
        if plan is not None:  # the build cache: reuse the previous build's page when nothing it needs changed
            fingerprint, reused = plan(page, key)
            if reused is not None:
                done.append(reused)
                continue
        model = page.context.get("page")
        written = write_bytes(out, page.path, render_page(page, get_template, shared),
                              model.source if isinstance(model, ContentPage) else "")
        done.append(replace(written, fingerprint=fingerprint) if fingerprint else written)
    return done


#: the page workers' niceness: the build's workbook (one process, the longest job: ``package.build``) runs while
#: they render, and must keep a whole core to end with them; at equal priority the scheduler shared two cores
#: between it and the two workers, and it ended last, alone on one core (0.6 s at 10,000 records)
RENDER_NICE = 5


def parallel_map(fn: Callable[[tuple[int, int]], list], count: int, min_items: Optional[int] = None,
                 job: Any = None) -> list:
    """fn over index ranges covering 0..count, concatenated in order, through the tool's one parallel map
    (parallel.pmap: a fork pool when there are enough items, else in this process; ISOREADY_WORKERS=1 runs
    everything here). ``job`` is what fn reads through ``parallel.shared()``, in this process or a worker."""
    threshold = PARALLEL_FROM if min_items is None else min_items
    if count < threshold:  # one range: pmap runs it here
        ranges = [(0, count)]
    else:
        step = max(50, count // (workers() * 8))
        ranges = [(i, min(i + step, count)) for i in range(0, count, step)]
    return [w for chunk in pmap(fn, ranges, min_parallel=2, chunk=1, shared=job, nice=RENDER_NICE) for w in chunk]


def render_pages(items: Sequence[Page], shared: Mapping[str, Any], get_template: Callable[[str], Template],
                 out: Path, plan: Optional[Planner] = None) -> list[Written]:
    """Render and write every page; in parallel when there are many and fork is available.

    With ``plan`` (the build cache), pages whose inputs did not change are reused, not rendered; the
    fingerprinting and linking run in the workers too.
    """
    items = list(items)
    check_targets(items)
    _CHROME.clear()
    job = {"out": out, "shared": shared, "get_template": get_template, "pages": items, "plan": plan,
           "key": shared_key(shared)}
    try:
        if len(items) >= PARALLEL_FROM:
            code = site_language(shared)
            for name in sorted({p.template for p in items} | {"chrome-header", "chrome-footer"}):
                in_language(get_template(name), code)  # compile every template once, before forking
        return parallel_map(_render_range, len(items), job=job)
    finally:
        _CHROME.clear()


def theme_dirs(root: Optional[Path]) -> list[Path]:
    """The theme folders in priority order: the project's theme/ (when it has templates or static files),
    then the packaged theme."""
    own = root / "theme" if root is not None else None
    if own is not None and ((own / "templates").is_dir() or (own / "static").is_dir()):
        return [own, PACKAGED_THEME]
    return [PACKAGED_THEME]


def environment(themes: Union[Path, Sequence[Path]], language: Optional[str] = None) -> Environment:
    """The theme folders' templates with plain Jinja; with ``language``, compiled for it (render/folding.py)."""
    folders = [themes] if isinstance(themes, Path) else list(themes)
    loader = ChoiceLoader([FileSystemLoader(str(t / "templates")) for t in folders])
    # auto_reload off: a build's templates do not change while it runs (every build makes its environment), and
    # Jinja would otherwise stat every template a page extends or imports, for every page
    return speaking_templates(Environment(loader=loader, undefined=StrictUndefined, auto_reload=False,
                                          **JINJA_OPTIONS), language)


def speaking_templates(env: Environment, language: Optional[str] = None) -> Environment:
    """``env`` with Jinja's i18n extension speaking the build's language (ours, and Pelican's environment);
    render_page's templates have their own words looked up when they compile, in ``language`` (the build's)
    by ``env`` itself, in any other by an overlay of it (render/folding.py)."""
    env.add_extension("jinja2.ext.i18n")
    fold_words(env, language)
    # {% trans %} and _() speak the build's active language (core/i18n.py), looked up when a page renders;
    # new-style: _("%(n)s records", n=3) fills and escapes its parameters
    env.install_gettext_callables(i18n.raw_gettext, i18n.raw_ngettext, newstyle=True,
                                pgettext=i18n.raw_pgettext)
    # dates in prose and numbers in the active language's way ({{ d|prose_date }}); ISO dates in tables stay as
    # the view-model gives them
    env.filters.update(prose_date=prose_date, decimal=i18n.decimal)
    return env


def prose_date(value: Any) -> Any:
    """``{{ d|prose_date }}``: a date in a sentence, in the active language (an ISO date as view-models hold
    it, too); English keeps ISO 8601, as tables and exports do in every language."""
    if isinstance(value, str):
        try:
            value = _date.fromisoformat(value)
        except ValueError:
            return value
    return i18n.prose_date(value)


def template_getter(env: Environment) -> Callable[[str], Template]:
    cache: dict[str, Template] = {}

    def get(name: str) -> Template:
        if name not in cache:
            cache[name] = env.get_template(name + ".html")
        return cache[name]

    return get


def render_site(items: Sequence[Page], shared: Mapping[str, Any], out: Path, themes: Sequence[Path],
                plan: Optional[Planner] = None) -> list[Written]:
    """Write every page with plain Jinja (no Pelican), and the theme's static files (overrides last)."""
    written = render_pages(items, shared, template_getter(environment(themes, site_language(shared))), out, plan)
    for theme in reversed(list(themes)):
        copy_tree(theme / "static", out / "theme")
    return written


def copy_tree(src: Path, dst: Path) -> None:
    if src.is_dir():
        shutil.copytree(src, dst, dirs_exist_ok=True)
