"""Markdown to safe HTML: one Markdown instance, an allow-list sanitiser (nh3)."""

from __future__ import annotations

import re
from dataclasses import dataclass

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


class _WholeTokens(InlineProcessor):
    """Hyphenated ids and dates ("GA-2026-01", "2026-12-03", "MIC-03") never break across lines."""

    def handleMatch(self, m: re.Match, data: str):  # noqa: ANN201 (markdown's own signature)
        el = ET.Element("span", {"class": "nb"})
        el.text = m.group(0)
        return el, m.start(0), m.end(0)


class _WholeTokensExtension(Extension):
    def extendMarkdown(self, md: _markdown.Markdown) -> None:  # noqa: N802 (markdown's own name)
        pattern = r"(?<![\w-])(?=[\w-]{3,32}(?![\w-]))(?=[^\s]*\d)[A-Za-z0-9]+(?:-[A-Za-z0-9]+)+(?![\w-])"
        md.inlinePatterns.register(_WholeTokens(pattern, md), "whole-tokens", 5)


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


#: rendered HTML by Markdown source; filled as pages render, persisted by the build cache
CACHE: dict[str, str] = {}


def markdown(text: str | None) -> Markup:
    """Render Markdown written by users into sanitised HTML (raw HTML in it is sanitised too)."""
    if not text:
        return Markup("")
    html = CACHE.get(text)
    if html is None:
        _md.reset()
        html = CACHE[text] = sanitise(_md.convert(text))
    return Markup(html)


@dataclass(frozen=True)
class Md:
    """Markdown that renders when a template prints it, so the work runs in the render workers."""

    source: str = ""

    def __html__(self) -> str:
        return str(markdown(self.source))

    def __str__(self) -> str:
        return self.__html__()

    def __bool__(self) -> bool:
        return bool(self.source and self.source.strip())


_MARKS = re.compile(r"[*_`#>|\[\]()!~-]+")


def plain(text: str | None) -> str:
    """Markdown source reduced to words (for the search index)."""
    return " ".join(_MARKS.sub(" ", text or "").split())
