"""Markdown to safe HTML: one Markdown instance, an allow-list sanitiser (nh3)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

import xml.etree.ElementTree as ET

import markdown as _markdown
import nh3
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markupsafe import Markup

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "div", "dl", "dt", "em",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "kbd", "li", "ol", "p", "pre", "s", "span",
    "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan", "scope"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}
#: the only class user Markdown may carry: "nb", put there by us around ids and dates
ALLOWED_CLASSES = {"span": {"nb"}}


#: a hyphenated id or date with a digit in it, 3 to 32 characters, not part of a longer word
WHOLE_TOKEN = r"(?<![\w-])(?=[\w-]{3,32}(?![\w-]))(?=[^\s]*\d)[A-Za-z0-9]+(?:-[A-Za-z0-9]+)+(?![\w-])"


class _WholeTokens(InlineProcessor):
    """Hyphenated ids and dates ("GA-2026-01", "2026-12-03", "MIC-03") never break across lines."""

    def handleMatch(self, m: re.Match, data: str):  # noqa: ANN201 (markdown's own signature)
        el = ET.Element("span", {"class": "nb"})
        el.text = m.group(0)
        return el, m.start(0), m.end(0)


class _WholeTokensExtension(Extension):
    def extendMarkdown(self, md: _markdown.Markdown) -> None:  # noqa: N802 (markdown's own name)
        md.inlinePatterns.register(_WholeTokens(WHOLE_TOKEN, md), "whole-tokens", 5)


_md = _markdown.Markdown(extensions=["tables", "fenced_code", "sane_lists", _WholeTokensExtension()],
                         output_format="html")


def sanitise(html: str) -> str:
    """Keep only the allow-listed tags, attributes and URL schemes; links to other sites get rel."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


#: rendered HTML by Markdown source, as it renders within the size limit (text over the limit of the run is
#: shown as plain text without looking here); filled as pages render, and bounded (``serve`` lives for days):
#: past CACHE_ENTRIES texts or CACHE_CHARS characters (sources and HTML) the oldest are forgotten first
CACHE: dict[str, str] = {}
#: room for every Markdown text of a 10,000-record register (a description and a note or two each) and its pages
CACHE_ENTRIES = 1 << 15
#: about 64 MB of text at most, however large each text is (one is up to ``--max-markdown-bytes``)
CACHE_CHARS = 1 << 26
_cached_chars = [0]  # the characters CACHE holds now


def _remember(text: str, html: str) -> None:
    """Put one rendering in CACHE, forgetting the oldest until it fits both bounds; one larger than the
    whole room is not kept."""
    size = len(text) + len(html)
    if size > CACHE_CHARS:
        return
    if not CACHE:
        _cached_chars[0] = 0  # emptied with CACHE.clear()
    while CACHE and (len(CACHE) >= CACHE_ENTRIES or _cached_chars[0] + size > CACHE_CHARS):
        old = next(iter(CACHE))
        _cached_chars[0] -= len(old) + len(CACHE.pop(old))
    CACHE[text] = html
    _cached_chars[0] += size


def forget_renderings() -> None:
    """Empty the Markdown render cache."""
    CACHE.clear()
    _cached_chars[0] = 0

#: Markdown larger than this (in UTF-8 bytes) is shown as plain text, with a diagnostic (W108); the default of
#: ``--max-markdown-bytes``
MAX_MARKDOWN_BYTES = 512 * 1024
#: Python-Markdown's inline patterns take time that grows faster than the text where markup characters
#: crowd one paragraph (16 KB of "[" took a minute) and recurse on nested containers: past these bounds a
#: text is shown as plain text, which takes linear time, with a diagnostic (W108)
MAX_MARKUP_PER_BLOCK = 400
MAX_NESTING = 16
_MARKUP = re.compile(r"[\[\]()<>*_`!\\&]")
_BLOCKS = re.compile(r"\n[ \t]*\n")
_CONTAINERS = re.compile(r"^(?:[ \t]*(?:[>*+-]|\d{1,9}[.)])(?:[ \t]+|$))+", re.MULTILINE)
_MARKER = re.compile(r"[>*+-]|\d{1,9}[.)]")

def checked_limit(limit: object) -> int:
    """``limit`` when it can be a Markdown size limit (``Options.max_markdown_bytes``); else ValueError."""
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise ValueError(f"the Markdown size limit must be a whole number of bytes, at least 1, not {limit!r}")
    return limit


def _size(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def _too_large(text: str, limit: int) -> bool:
    # a character is 1 to 4 bytes: most texts are decided without encoding them
    return len(text) > limit or (len(text) * 4 > limit and _size(text) > limit)


def problem_at(text: Optional[str], limit: int = MAX_MARKDOWN_BYTES) -> tuple[str, int]:
    """(why this Markdown would be shown as plain text, the offset in ``text`` where the trouble starts),
    or ("", 0)."""
    if not text:
        return "", 0
    if _too_large(text, limit):
        return f"it is {_size(text):,} bytes, over the {limit:,}-byte limit for Markdown", 0
    start = 0
    for m in _BLOCKS.finditer(text + "\n\n"):
        if len(_MARKUP.findall(text, start, m.start())) > MAX_MARKUP_PER_BLOCK:
            return (f"one paragraph holds more than {MAX_MARKUP_PER_BLOCK} markup characters ([ ] ( ) < > * _ ` ! \\ &),"
                    " which Markdown cannot render in bounded time", start)
        start = m.end()
    for m in _CONTAINERS.finditer(text):
        if len(_MARKER.findall(m.group(0))) > MAX_NESTING or len(m.group(0)) > 4 * MAX_NESTING + 64:
            return f"lists or quotes are nested more than {MAX_NESTING} deep", m.start()
    return "", 0


def markdown_problem(text: Optional[str], limit: int = MAX_MARKDOWN_BYTES) -> str:
    """Why this Markdown would be shown as plain text rather than rendered (words for a diagnostic), or "".

    ``limit`` is the size limit in bytes (the run's ``Options.max_markdown_bytes``; default MAX_MARKDOWN_BYTES).
    """
    return problem_at(text, limit)[0]


def as_plain(text: str) -> str:
    """Text shown as it is written (escaped, line breaks kept): linear time whatever it holds."""
    import html as _html

    paragraphs = [p for p in _BLOCKS.split(text) if p.strip()]
    return "".join("<p>" + _html.escape(p).replace("\n", "<br>\n") + "</p>\n" for p in paragraphs)


_as_plain = as_plain  # the name tests used


# ------------------------------------------------------------------ the quick path for plain text
# Most texts of a register are a sentence or two of words (a record's description, a note), and many documents
# a heading, a few paragraphs and a simple table. Python-Markdown costs about half a millisecond for each text
# whatever its length, and a cold build renders one per record and per Markdown document: at 10,000 records,
# half of the pages' rendering time. A text that holds nothing else is written out here, with the very bytes
# Python-Markdown (with our extensions) and the sanitiser give (tests/unit/test_markdown_quick.py compares the
# two on random texts near every shape the path accepts); any other text goes to Python-Markdown.

#: the characters of a quick paragraph: ASCII letters, digits, spaces, line breaks and punctuation that means
#: nothing to Markdown here (no & < > for HTML, no [ ] ` \\ _ # | ~ for links, code, emphasis, headings, tables
#: and fences; '*' only as the ``**strong**`` of _QUICK_STRONG, '-' and '=' never at a line's start)
_QUICK_TEXT = re.compile(r"[A-Za-z0-9 \n.,;:'\"?!%/()+=@$*-]*")
#: every line starts with a letter, a digit or a '(' or '"' (no list, quote, heading, rule, setext underline or
#: indented code), is no ordered list item, and ends without a space (no hard line break)
_QUICK_BAD_LINE = re.compile(r"^(?![A-Za-z0-9(\"*]|$)|^\d+[.)]|^\*(?!\*)| $", re.MULTILINE)
#: ``**words**`` standing apart (a space or the line's start before it; a space, the line's end or . , ; : after
#: it), holding letters, digits, spaces, commas and full stops, starting and ending with a letter or digit (no
#: whole token: Python-Markdown wraps one inside ``**`` twice)
_QUICK_STRONG = re.compile(r"(?:(?<=[ \n])|^)\*\*([A-Za-z0-9](?:[A-Za-z0-9 ,.]*[A-Za-z0-9])?)\*\*(?=[ \n.,;:]|$)")
_QUICK_TOKEN = re.compile(WHOLE_TOKEN)
#: the characters of a heading's words and a table cell: a quick paragraph's, without '*' and line breaks
_QUICK_WORDS = r"[A-Za-z0-9 .,;:'\"?!%/()+=@$-]"
#: an ATX heading alone on its line: '#' to '######', one space, words that start with a letter or digit and
#: end without a space
_QUICK_HEADING = re.compile(rf"(#{{1,6}}) ([A-Za-z0-9]{_QUICK_WORDS}*(?<! ))")
_QUICK_CELL = re.compile(rf" *(?:[A-Za-z0-9(]{_QUICK_WORDS}*)?")
#: a table's second line: every column three or more '-', no alignment
_QUICK_RULE = re.compile(r"\|(?:-{3,}\|)+")


def _quick_inline(text: str) -> str:
    return _QUICK_TOKEN.sub(r'<span class="nb">\g<0></span>', text)


def _quick_paragraph(block: str) -> Optional[str]:
    if not _QUICK_TEXT.fullmatch(block) or _QUICK_BAD_LINE.search(block):
        return None
    parts = _QUICK_STRONG.split(block)  # text, strong, text, strong, ..., text
    if any("*" in part for part in parts[::2]):
        return None
    return "<p>" + "".join(_quick_inline(part) if n % 2 == 0 else "<strong>" + _quick_inline(part) + "</strong>"
                           for n, part in enumerate(parts)) + "</p>"


def _quick_table(block: str) -> Optional[str]:
    """A table whose every line starts and ends with '|', all with the rule's count of cells, with one row at
    least below the rule."""
    lines = block.split("\n")
    if len(lines) < 3 or not _QUICK_RULE.fullmatch(lines[1]):
        return None
    columns = lines[1].count("|") - 1
    rows = []
    for line in lines[:1] + lines[2:]:
        cells = line[1:-1].split("|")
        if len(line) < 2 or line[0] != "|" or line[-1] != "|" or len(cells) != columns or not all(
                _QUICK_CELL.fullmatch(cell) for cell in cells):
            return None
        rows.append([_quick_inline(cell.strip(" ")) for cell in cells])
    head = "".join(f"<th>{cell}</th>\n" for cell in rows[0])
    body = "".join("<tr>\n" + "".join(f"<td>{cell}</td>\n" for cell in row) + "</tr>\n" for row in rows[1:])
    return f"<table>\n<thead>\n<tr>\n{head}</tr>\n</thead>\n<tbody>\n{body}</tbody>\n</table>"


def _quick_block(block: str) -> Optional[str]:
    if block.startswith("#"):
        m = _QUICK_HEADING.fullmatch(block)
        return f"<h{len(m.group(1))}>{_quick_inline(m.group(2))}</h{len(m.group(1))}>" if m else None
    if block.startswith("|"):
        return _quick_table(block)
    return _quick_paragraph(block)


def quick_html(text: str) -> Optional[str]:
    """The sanitised HTML of ``text`` when it is plain paragraphs (words, ``**strong**`` words, whole tokens),
    one-line headings and simple tables, made without Python-Markdown; None for any other text (rendered by
    Python-Markdown)."""
    blocks = [b for b in re.split(r"\n{2,}", text.strip("\n")) if b]
    done = []
    for block in blocks:
        html = _quick_block(block)
        if html is None:
            return None
        done.append(html)
    return "\n".join(done) if done else None


def markdown(text: Optional[str], limit: int = MAX_MARKDOWN_BYTES) -> Markup:
    """Render Markdown written by users into sanitised HTML (raw HTML in it is sanitised too).

    Bounded: text that ``markdown_problem`` finds too large (over ``limit`` bytes, the run's
    ``Options.max_markdown_bytes``), too dense or too deeply nested is shown as plain text instead (validation reports
    it, W108), so no input costs more than linear time or exhausts the stack.
    """
    if not text:
        return Markup("")
    if _too_large(text, limit):
        return Markup(as_plain(text))
    html = CACHE.get(text)
    if html is None:
        if markdown_problem(text, limit):
            html = as_plain(text)
        else:
            html = quick_html(text)
            if html is None:
                _md.reset()
                try:
                    html = sanitise(_md.convert(text))
                except RecursionError:
                    html = as_plain(text)
        _remember(text, html)
    return Markup(html)


@dataclass(frozen=True)
class Md:
    """Markdown that renders when a template prints it, so the work runs in the render workers."""

    source: str = ""
    #: the size limit it renders under: the run's (``Options.max_markdown_bytes``; part of its repr, so of a
    #: page's fingerprint in the build cache: another --max-markdown-bytes renders the page again)
    limit: int = MAX_MARKDOWN_BYTES

    def __html__(self) -> str:
        return str(markdown(self.source, self.limit))

    def __str__(self) -> str:
        return self.__html__()

    def __bool__(self) -> bool:
        return bool(self.source and self.source.strip())


_MARKS = re.compile(r"[*_`#>|\[\]()!~-]+")


def plain(text: str | None) -> str:
    """Markdown source reduced to words (for the search index)."""
    return " ".join(_MARKS.sub(" ", text or "").split())


# --------------------------------------------------------------------------- team text inside Markdown we write
# ``isoready diff --format markdown`` is posted as a pull-request comment: whatever a contributor wrote there (a
# title, an id, a commit subject inside a reason, a ref name) must stay one piece of text on its own line. It
# never becomes HTML, a hidden comment, a second line, emphasis, a link, a heading or a table cell.

#: every character a Markdown reader, a terminal or ``str.splitlines`` ends a line at (CR, LF, VT, FF, the file,
#: group and record separators, NEL, LINE SEPARATOR, PARAGRAPH SEPARATOR)
_BREAKS = re.compile("[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]+")
#: the bidirectional controls, which make a line read in another order than it is written
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
#: the other control characters (C0, DEL, C1: terminal escapes among them)
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")
#: ASCII punctuation that means something anywhere in a GitHub-flavoured Markdown line (``$`` is math there)
_MD_PUNCT = re.compile(r"([\\`*_\[\]#|~$])")
#: what means something at the start of a line only: a list item, a setext underline, an ordered item
_MD_LEAD = re.compile(r"^([-+=])|^(\d+)([.)])")


def one_line(text: object) -> str:
    """``text`` on one line: every line break becomes a space, bidi controls go, other controls become spaces."""
    return _CONTROLS.sub(" ", _BIDI.sub("", _BREAKS.sub(" ", str(text))))


def md_text(text: object) -> str:
    """Team-written text as literal GitHub-flavoured Markdown inline text: on one line (:func:`one_line`), ``&``,
    ``<`` and ``>`` as entities (so no HTML and no ``<!--``), and every other character with a meaning
    (backslash, backtick, ``*``, ``_``, ``[``, ``]``, ``#``, ``|``, ``~``, ``$``; a list or heading marker at
    the start) backslash-escaped. Rendered, it shows exactly the characters written."""
    text = one_line(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_PUNCT.sub(r"\\\1", text)
    return _MD_LEAD.sub(lambda m: "\\" + m.group(1) if m.group(1) else m.group(2) + "\\" + m.group(3), text)


def md_code(text: object) -> str:
    """Team-written text as a GitHub-flavoured Markdown code span, which shows every character as written
    (HTML, ``<!--`` and punctuation included): on one line, fenced by more backticks than it holds in a row.
    Not for table cells, where GitHub splits even a code span at ``|`` (use :func:`md_text` there)."""
    text = one_line(text)
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    if not text or text.startswith("`") or text.endswith("`") or (text.startswith(" ") and text.endswith(" ")):
        text = f" {text} "  # a reader strips one space from each side of a span that has both
    return fence + text + fence
