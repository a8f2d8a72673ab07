"""Every link in the built demo site works, from disk and under a GitHub Pages-like sub-path.

No browser: the standard library's html.parser reads every HTML file; a ThreadingHTTPServer serves the
site at http://127.0.0.1:PORT/repo/ for the sub-path check. The site is built once for the module.

Rules (DESIGN.md, "The site"): links are relative and end in a file (never ``/...``, ``//host``, ``./``
or a folder), every internal target and #fragment exists, nothing is loaded from another host, and
an external ``<a href="https://...">`` carries ``rel="noopener noreferrer"``.
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import posixpath
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
AS_OF = "2026-11-24"
SUB_PATH = "repo"

# Attributes that name a URL, by element. Everything here is checked; "loads" marks the ones the
# browser fetches by itself (as opposed to a link the reader follows).
URL_ATTRS = {
    "a": {"href": False},
    "area": {"href": False},
    "link": {"href": True},
    "script": {"src": True},
    "img": {"src": True},
    "source": {"src": True},
    "iframe": {"src": True},
    "embed": {"src": True},
    "object": {"data": True},
    "audio": {"src": True},
    "video": {"src": True, "poster": True},
    "track": {"src": True},
    "input": {"src": True},
    "image": {"href": True, "xlink:href": True},  # SVG
    "use": {"href": True, "xlink:href": True},  # SVG
    "form": {"action": False},
}


@dataclass(frozen=True)
class Ref:
    page: str  # site-relative path of the HTML file
    line: int
    tag: str
    attr: str
    url: str
    loads: bool
    rel: str  # the element's rel attribute ("" when none)

    def where(self) -> str:
        return f"{self.page}:{self.line}: <{self.tag} {self.attr}={self.url!r}>"


class _Collector(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.refs: list[Ref] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: (v or "") for k, v in attrs}
        if values.get("id"):
            self.ids.add(values["id"])
        if tag == "a" and values.get("name"):
            self.ids.add(values["name"])
        line = self.getpos()[0]
        for attr, loads in URL_ATTRS.get(tag, {}).items():
            if attr in values:
                self.refs.append(Ref(self.page, line, tag, attr, values[attr].strip(), loads, values.get("rel", "")))
        if tag == "img" and "srcset" in values:
            for part in values["srcset"].split(","):
                if part.strip():
                    self.refs.append(Ref(self.page, line, tag, "srcset", part.split()[0], True, ""))

    handle_startendtag = handle_starttag


@dataclass
class Site:
    root: Path
    pages: dict[str, _Collector]  # site-relative path -> parsed page


def _build(output: Path) -> Path:
    cmd = [sys.executable, "-m", "isoready", "build", "--root", str(ROOT), "--as-of", AS_OF,
           "--audience", "auditor", "--output", str(output)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"build failed (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return output


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    # Built inside a parent folder so the same tree can be served at /repo/ below.
    root = _build(tmp_path_factory.mktemp("pages") / SUB_PATH)
    pages = {}
    for path in sorted(root.rglob("*.html")):
        rel = path.relative_to(root).as_posix()
        collector = _Collector(rel)
        collector.feed(path.read_text(encoding="utf-8"))
        collector.close()
        pages[rel] = collector
    assert "index.html" in pages and len(pages) > 50, f"suspiciously small site: {len(pages)} pages"
    return Site(root, pages)


def _refs(site: Site) -> list[Ref]:
    return [ref for page in site.pages.values() for ref in page.refs]


def _is_external(url: str) -> bool:
    scheme = urlsplit(url).scheme.lower()
    return bool(scheme) or url.startswith("//")


def _target(ref: Ref) -> tuple[str, str]:
    """(site-relative path, fragment) a relative URL points at from its page; path '' means the page itself."""
    parts = urlsplit(ref.url)
    if not parts.path:
        return ref.page, unquote(parts.fragment)
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(ref.page), unquote(parts.path)))
    return joined, unquote(parts.fragment)


def _report(problems: list[str], what: str) -> str:
    shown = "\n  ".join(problems[:60])
    more = f"\n  ... and {len(problems) - 60} more" if len(problems) > 60 else ""
    return f"{len(problems)} {what}:\n  {shown}{more}"


def test_every_page_has_links_to_check(site: Site) -> None:
    refs = _refs(site)
    assert len(refs) > 1000, f"only {len(refs)} URLs found: is the parser seeing the pages?"


def test_no_absolute_path_protocol_relative_or_folder_urls(site: Site) -> None:
    problems = []
    for ref in _refs(site):
        url = ref.url
        path = urlsplit(url).path
        if url == "":
            problems.append(f"{ref.where()}: empty URL")
        elif url.startswith("//"):
            problems.append(f"{ref.where()}: protocol-relative URL")
        elif url.startswith("/"):
            problems.append(f"{ref.where()}: absolute path (breaks under file:// and a sub-path)")
        elif _is_external(url):
            continue
        elif path in (".", "./", "..", "../") or path.endswith("/"):
            problems.append(f"{ref.where()}: points at a folder (no index.html under file://)")
        elif "\\" in url:
            problems.append(f"{ref.where()}: backslash in URL")
    assert not problems, _report(problems, "bad URL forms")


def test_no_javascript_or_unknown_scheme_urls(site: Site) -> None:
    problems = []
    for ref in _refs(site):
        scheme = urlsplit(ref.url).scheme.lower()
        if not scheme or ref.url.startswith("//"):
            continue
        if scheme in ("http", "https") and not ref.loads and ref.tag == "a":
            continue  # judged by test_external_anchors_are_safe
        if scheme == "data" and ref.loads and ref.tag in ("img", "image"):
            continue  # CSP img-src allows data: (inline SVG/PNG)
        if scheme == "mailto" and ref.tag == "a":
            continue
        problems.append(f"{ref.where()}: scheme {scheme}: is not allowed here")
    assert not problems, _report(problems, "URLs with a forbidden scheme (external resources or script URLs)")


def test_external_anchors_are_safe(site: Site) -> None:
    problems = []
    for ref in _refs(site):
        if ref.tag == "a" and urlsplit(ref.url).scheme.lower() in ("http", "https"):
            rel = set(ref.rel.lower().split())
            if not {"noopener", "noreferrer"} <= rel:
                problems.append(f"{ref.where()}: external link without rel=\"noopener noreferrer\" (rel={ref.rel!r})")
    assert not problems, _report(problems, "unsafe external links")


def test_every_internal_url_resolves_to_a_file_and_fragment(site: Site) -> None:
    problems = []
    for ref in _refs(site):
        if not ref.url or _is_external(ref.url) or ref.url.startswith("/"):
            continue  # judged by the tests above
        path, fragment = _target(ref)
        if path == ".." or path.startswith("../"):
            problems.append(f"{ref.where()}: leaves the site (-> {path})")
            continue
        target = site.root / path
        if not target.is_file():
            problems.append(f"{ref.where()}: no such file {path}")
            continue
        if fragment:
            if path not in site.pages:
                problems.append(f"{ref.where()}: #{fragment} on a non-HTML file {path}")
            elif fragment not in site.pages[path].ids:
                problems.append(f"{ref.where()}: no id={fragment!r} in {path}")
    assert not problems, _report(problems, "broken internal links")


def test_manifest_lists_every_file(site: Site) -> None:
    manifest = json.loads((site.root / "manifest.json").read_text(encoding="utf-8"))
    listed = {f["path"] for f in manifest["files"]}
    on_disk = {p.relative_to(site.root).as_posix() for p in site.root.rglob("*") if p.is_file()}
    # manifest.json and SHA256SUMS describe the others; they cannot list themselves with a hash.
    missing = sorted(on_disk - listed - {"manifest.json", "SHA256SUMS"})
    ghosts = sorted(listed - on_disk)
    assert not missing and not ghosts, f"not in manifest.json: {missing}; listed but absent: {ghosts}"


# --------------------------------------------------------------------------- served under /repo/


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A folder URL answered by a redirect is a broken link for us: report the 301, do not follow it."""

    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        return None


@pytest.fixture(scope="module")
def sub_path_base(site: Site):  # noqa: ANN201
    handler = functools.partial(_QuietHandler, directory=str(site.root.parent))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/{SUB_PATH}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _fetch(opener: urllib.request.OpenerDirector, url: str) -> tuple[int, bytes]:
    try:
        with opener.open(url, timeout=10) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, b""


def test_site_works_under_a_sub_path(site: Site, sub_path_base: str) -> None:
    """Like https://org.github.io/repo/: every page in manifest.json and every internal link found in it is 200."""
    opener = urllib.request.build_opener(_NoRedirect)
    manifest = json.loads((site.root / "manifest.json").read_text(encoding="utf-8"))
    problems: list[str] = []
    fetched: dict[str, int] = {}
    pending: list[tuple[str, str]] = []  # (absolute URL, where it was found)

    for entry in manifest["files"]:
        url = sub_path_base + entry["path"]
        status, body = _fetch(opener, url)
        fetched[url] = status
        if status != 200:
            problems.append(f"manifest.json lists {entry['path']}: HTTP {status}")
            continue
        if hashlib.sha256(body).hexdigest() != entry["sha256"]:
            problems.append(f"{entry['path']}: served bytes differ from manifest.json's sha256")
        if not entry["path"].endswith(".html"):
            continue
        collector = _Collector(entry["path"])
        collector.feed(body.decode("utf-8"))
        collector.close()
        for ref in collector.refs:
            if not ref.url or urlsplit(ref.url).scheme or ref.url.startswith("#"):
                continue
            absolute = urljoin(url, ref.url).split("#", 1)[0].split("?", 1)[0]
            if not absolute.startswith(sub_path_base):
                problems.append(f"{ref.where()}: resolves outside {sub_path_base} to {absolute}")
                continue
            pending.append((absolute, ref.where()))

    for absolute, where in pending:
        if absolute not in fetched:
            fetched[absolute] = _fetch(opener, absolute)[0]
        if fetched[absolute] != 200:
            problems.append(f"{where}: HTTP {fetched[absolute]} for {absolute}")
    assert len(pending) > 1000, f"only {len(pending)} internal links followed"
    assert not problems, _report(sorted(set(problems)), "problems under a sub-path")
