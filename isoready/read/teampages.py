"""Team-written pages (content/pages) are data: never a path, a template, a setting or a file to read.

Read stage. ``page_problems`` is what ``validate`` (and so every build, before Pelican runs) says about the
pages; the Pelican adapter (``pelican_plugin``) applies the same rules again to what Pelican actually read,
and reads reStructuredText with ``SAFE_DOCUTILS`` whatever a project's settings say. One rule, two places:

- a page's metadata that becomes a path (``Slug:``, ``Lang:``) is one safe name: letters, digits, ``.``,
  ``_`` and ``-``, starting with a letter or digit (E331); a page is always written to ``pages/<slug>.html``
  with the theme's ``page.html``, so the metadata that would choose another path or template (``Save_as:``,
  ``Url:``, ``Template:``, ...) is refused (E332); ``Status:`` is one of Pelican's three (E334);
- two pages never share a path, in any letter case (E333);
- a reStructuredText page reads no file and inserts no raw HTML: docutils' ``include``, ``raw`` (also its
  ``:file:`` and ``:url:``, and roles derived from it) and ``csv-table``'s ``:file:``/``:url:`` are refused
  (E330); a page over the Markdown size limit is shown as plain text (W108);
- a link with Pelican's ``{static}``/``{attach}`` publishes the file it names only where ``STATIC_PATHS``
  could: inside content/, never the portal's own data (organisation.yaml, clauses/, findings/, pages/) (E336).
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path
from typing import Iterator, Optional

from isoready.core.diagnostics import Diagnostic
from isoready.core.text import MAX_MARKDOWN_BYTES

PAGES_DIR = "content/pages"
MARKDOWN_SUFFIXES = (".md", ".markdown", ".mkd", ".mdown")  # what Pelican's Markdown reader reads
RST_SUFFIXES = (".rst",)  # what Pelican's reStructuredText reader reads
PAGE_URL = "pages/{slug}.html"
#: what STATIC_PATHS (and a {static} link) may never publish: the portal's own data under content/
PROTECTED_CONTENT = ("organisation.yaml", "clauses", "findings", "pages")

#: docutils settings every reST page is read with, applied after pelicanconf.py's DOCUTILS_SETTINGS: no file
#: is read (include, raw :file:/:url:, csv-table :file:/:url:), no raw HTML, no docutils.conf obeyed (it could
#: turn file insertion back on, or name files to write), and no problem halts or shows in the page
SAFE_DOCUTILS = {"file_insertion_enabled": False, "raw_enabled": False, "_disable_config": True,
                 "halt_level": 5, "report_level": 5, "traceback": True, "record_dependencies": None}

#: metadata that would choose where or how a page is written, or overwrite Pelican's own attributes
REFUSED_KEYS = ("save_as", "url", "template", "override_save_as", "override_url", "source_path",
                "relative_source_path", "settings", "content", "metadata", "translations", "in_default_lang")
STATUSES = ("published", "hidden", "draft")
_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_LANG = re.compile(r"[A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{1,8})*")
_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{n}" for p in ("COM", "LPT") for n in range(1, 10)}
MAX_SLUG = 200  # bytes: with "pages/" and ".html" well inside every file system's 255

# Python-Markdown's meta extension, as Pelican's Markdown reader uses it
_META = re.compile(r"^[ ]{0,3}(?P<key>[A-Za-z0-9_-]+):\s*(?P<value>.*)")
_META_MORE = re.compile(r"^[ ]{4,}(?P<value>.*)")
_BEGIN = re.compile(r"^-{3}(\s.*)?")
_END = re.compile(r"^(-{3}|\.{3})(\s.*)?")
# Pelican's INTRASITE_LINK_REGEX ('[{|](?P<what>.*?)[|}]') for the two kinds that publish a file
_FILE_LINK = re.compile(r"[{|](?P<what>static|attach)[|}](?P<value>[^\s\"'<>)\]`]*)")
_REFUSED_MESSAGE = re.compile(r'"(?P<name>[\w-]+)" directive disabled|ignoring "(?P<table>[\w-]+)" directive'
                              r'|(?P<role>raw) \(and derived\) roles disabled')


def segment_problem(value: str) -> Optional[str]:
    """Why ``value`` cannot be one path segment of a published name (None: it can)."""
    if not _SEGMENT.fullmatch(value):
        return "only letters, digits, '.', '_' and '-', starting with a letter or digit"
    if value.endswith("."):
        return "a name may not end in a dot"
    if value.split(".")[0].upper() in _RESERVED:
        return "Windows reserves that name"
    if len(value.encode()) > MAX_SLUG:
        return f"it is longer than {MAX_SLUG} bytes"
    return None


def metadata_problems(rel: str, items: list[tuple[str, str, int, int]]) -> list[Diagnostic]:
    """E331, E332, E334 for a page's metadata: (key, value, line, column), keys in lower case."""
    found = []
    for key, value, line, col in items:
        shown = value if len(value) <= 80 else value[:77] + "..."
        if key in REFUSED_KEYS:
            found.append(Diagnostic(rel, line, col, "E332", f"'{key.capitalize()}:' cannot be set by a page: every "
                                    "team page is written to pages/<slug>.html with the theme's page.html",
                                    "remove the line; to change every page, override theme/templates/page.html"))
        elif key == "slug":
            why = segment_problem(value.strip())
            if why:
                found.append(Diagnostic(rel, line, col, "E331", f"Slug {shown!r} is not one safe name ({why})",
                                        "write one name, like 'audit-logistics': the page is published as pages/<slug>.html"))
        elif key == "lang" and not _LANG.fullmatch(value.strip()):
            found.append(Diagnostic(rel, line, col, "E331", f"Lang {shown!r} is not a language tag",
                                    "write a tag like 'en' or 'en-GB'"))
        elif key == "status" and value.strip().lower() not in STATUSES:
            found.append(Diagnostic(rel, line, col, "E334", f"Status {shown!r} is not a page status",
                                    "use one of: " + ", ".join(STATUSES)))
    return found


def markdown_metadata(text: str) -> list[tuple[str, str, int, int]]:
    """The metadata lines of a Markdown page as Python-Markdown's meta extension reads them: (key, value, line,
    column). A value continued on indented lines is joined with newlines (never one safe name)."""
    lines = text.split("\n")
    found: list[list] = []
    n = 0
    if lines and _BEGIN.match(lines[0]):
        n = 1
    while n < len(lines):
        line = lines[n]
        if not line.strip() or _END.match(line):
            break
        m = _META.match(line)
        if m:
            found.append([m.group("key").lower(), m.group("value").strip(), n + 1, m.start("value") + 1])
        else:
            more = _META_MORE.match(line)
            if not (more and found):
                break
            found[-1][1] += "\n" + more.group("value").strip()
        n += 1
    return [tuple(f) for f in found]  # type: ignore[misc]


def read_rst(text: str, source: str) -> tuple[object, list[tuple[str, int]]]:
    """Parse a reST page with SAFE_DOCUTILS; (the document, the refused directives as (name, line))."""
    import docutils.core
    import docutils.nodes

    settings = {**SAFE_DOCUTILS, "report_level": 1, "warning_stream": io.StringIO(), "input_encoding": "unicode"}
    doc = docutils.core.publish_doctree(text, source_path=source, settings_overrides=settings)
    refused = []
    for message in doc.findall(docutils.nodes.system_message):
        m = _REFUSED_MESSAGE.search(message.astext())
        if m:
            refused.append((m.group("name") or m.group("table") or "raw", message.get("line") or 1))
    return doc, refused


def rst_metadata(doc: object, text: str) -> list[tuple[str, str, int, int]]:
    """The docinfo fields of a parsed reST page, as Pelican's reST reader names them (lower case)."""
    import docutils.nodes

    found = []
    lines = text.split("\n")
    for docinfo in doc.findall(docutils.nodes.docinfo):  # type: ignore[attr-defined]
        for element in docinfo.children:
            if element.tagname == "field":
                name, value = element.children[0].astext(), element.children[1].astext()
            else:
                name, value = element.tagname, element.astext()
            key = name.lower()
            line, col = element.line or 1, 1
            for n, text_line in enumerate(lines, 1):
                m = re.match(rf":{re.escape(name)}:\s*", text_line, re.IGNORECASE)
                if m:
                    line, col = n, m.end() + 1
                    break
            found.append((key, value, line, col))
    return found


def file_link_problem(content: Path, target: str) -> Optional[str]:
    """Why a {static}/{attach} link to ``target`` (relative to content/, as Pelican resolves it) may not publish
    its file (None: STATIC_PATHS could publish it too)."""
    norm = os.path.normpath(target.replace("%20", " "))
    if os.path.isabs(norm) or norm == "." or norm == ".." or norm.startswith(".." + os.sep):
        return "it is outside content/"
    first = norm.split(os.sep)[0]
    if first in PROTECTED_CONTENT:
        return "it is the portal's own data"
    real, base = os.path.realpath(content / norm), os.path.realpath(content)
    if not real.startswith(base + os.sep):
        return "it leads outside content/ through a symlink"
    inside = os.path.relpath(real, base).split(os.sep)[0]
    if inside in PROTECTED_CONTENT:
        return "it is the portal's own data"
    return None


def link_target(page_rel_dir: str, value: str) -> str:
    """Where Pelican looks for a {static}/{attach} link's file, relative to content/."""
    path = value.split("#")[0].split("?")[0]
    if path.startswith("/"):
        return path[1:]
    return os.path.join(page_rel_dir, path)


def file_link_problems(rel: str, text: str, content: Path, page_dir: str) -> list[Diagnostic]:
    found = []
    for m in _FILE_LINK.finditer(text):
        why = file_link_problem(content, link_target(page_dir, m.group("value")))
        if why:
            line = text.count("\n", 0, m.start()) + 1
            col = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
            found.append(Diagnostic(rel, line, col, "E336", f"link {m.group(0)!r} would publish a file a page may not "
                                    f"publish: {why}", "link a published document or page instead"))
    return found


def page_files(root: Path) -> Iterator[Path]:
    folder = Path(root) / PAGES_DIR
    if not folder.is_dir() or folder.is_symlink():
        return
    for dirpath, dirs, names in os.walk(folder):
        dirs.sort()
        for name in sorted(names):
            if name.lower().endswith(MARKDOWN_SUFFIXES + RST_SUFFIXES):
                yield Path(dirpath) / name


def page_problems(root: Path, max_markdown_bytes: int = MAX_MARKDOWN_BYTES) -> list[Diagnostic]:
    """Everything validate says about content/pages (W108 for Markdown pages is records.markdown_pages')."""
    root = Path(root)
    found: list[Diagnostic] = []
    slugs: dict[str, tuple[str, int]] = {}
    limit = max_markdown_bytes
    for path in page_files(root):
        rel = path.relative_to(root).as_posix()
        try:
            if not path.is_file() or path.is_symlink():
                continue  # read by Pelican or not at all: the reader says so
            with open(path, "rb") as fh:
                data = fh.read(limit + 1)
        except OSError:
            continue
        # as Pelican (pelican_open drops a BOM) and Python-Markdown (line ends, tabs) see the text
        text = data.decode("utf-8", "replace").removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
        if path.name.lower().endswith(RST_SUFFIXES):
            problem = rst_problem(data, limit)
            if problem:
                why, line = problem
                found.append(Diagnostic(rel, line, 1, "W108", f"page will be shown as plain text: {why}",
                                        "split the page, or raise the limit with --max-markdown-bytes"
                                        if line == 1 and "limit" in why else "nest lists and quotes less deeply"))
                meta = [(k.lower(), v.strip(), n, 1) for n, k, v in rst_head_fields(text)]
            else:
                try:
                    doc, refused = read_rst(text, rel)
                except Exception:  # docutils gave up: Pelican's reader will too, and the build says so
                    continue
                meta = rst_metadata(doc, text)
                for name, line in refused:
                    found.append(Diagnostic(rel, line, 1, "E330", f"reStructuredText directive '{name}' is refused: "
                                            "a page may not read files or insert raw HTML",
                                            "write the text into the page, or link to a published document"))
        else:
            meta = markdown_metadata(text.expandtabs(4))
        found += metadata_problems(rel, meta)
        found += file_link_problems(rel, text, root / "content", os.path.dirname(path.relative_to(root / "content")))
        slug = next((v.strip() for k, v, *_ in meta if k == "slug"), None)
        if slug and not segment_problem(slug):
            line = next(n for k, _, n, _ in meta if k == "slug")
            other = slugs.setdefault(slug.casefold(), (rel, line))
            if other[0] != rel:
                found.append(Diagnostic(rel, line, 1, "E333", f"page would replace {PAGE_URL.format(slug=slug)}, which "
                                        f"{other[0]}:{other[1]} writes too (in some letter case)",
                                        "give each page its own Slug:"))
    return found


def key_position(path: Path, key: str) -> tuple[int, int]:
    """Line and column of a metadata key's value in a page: 'Key: value' (Markdown) or ':key: value' (reST)."""
    rst = path.name.lower().endswith(RST_SUFFIXES)
    pattern = re.compile(rf":{re.escape(key)}:\s*" if rst else rf"[ ]{{0,3}}{re.escape(key)}\s*:\s*", re.IGNORECASE)
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            for n, line in enumerate(fh, 1):
                m = pattern.match(line)
                if m:
                    return n, m.end() + 1
                if n > 200 or (not rst and not line.strip()):
                    break
    except OSError:
        pass
    return 1, 1


MAX_RST_DEPTH = 16  # indentation levels; docutils recurses once per level (300 levels overflow the stack)


def rst_problem(data: bytes, limit: int) -> Optional[tuple[str, int]]:
    """Why a reST page cannot be rendered in bounded time and depth, and the line (None: it can): over the size
    limit, or indented more levels deep than MAX_RST_DEPTH. Linear in the text."""
    if len(data) > limit:
        return f"it is over the {limit:,}-byte limit for a page", 1
    stack = [0]
    for n, line in enumerate(data.decode("utf-8", "replace").expandtabs(8).splitlines(), 1):
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip(" "))
        while len(stack) > 1 and indent < stack[-1]:
            stack.pop()
        if indent > stack[-1]:
            stack.append(indent)
            if len(stack) - 1 > MAX_RST_DEPTH:
                return f"it is indented more than {MAX_RST_DEPTH} levels deep", n
    return None


def rst_head_fields(text: str) -> Iterator[tuple[int, str, str]]:
    """Field lines (':key: value') of an over-long reST page, read without docutils."""
    for n, line in enumerate(text.split("\n")[:200], 1):
        m = re.match(r":([\w-]+):\s*(.*)$", line)
        if m:
            yield n, m.group(1), m.group(2)
