"""Hypothesis over the new input paths of issue 14: Markdown (``text.markdown``, ``markdown_problem``) and SVG
(``svg.problem``). Beyond "no exception": what is accepted is inert (time is ``invoke bench``'s to judge),
checked by an oracle that does not share the code under test (an HTML parser for Markdown; for SVG, the
generator's own record of what hostile thing it put in).
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit
from typing import Optional

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from isoready.core.svg import SVG_NS, XLINK_NS, problem
from isoready.core.text import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, CACHE, _as_plain, markdown, markdown_problem

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --------------------------------------------------------------------------- Markdown

HOSTILE_MARKDOWN = [
    "<script>alert(1)</script>", "<SCRIPT SRC=//evil.example/x.js></SCRIPT>", "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>", "<a href=\"javascript:alert(1)\">x</a>", "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))", "[x](&#106;avascript:alert(1))", "[x](java&#x09;script:alert(1))",
    "<javascript:alert(1)>", "![i](https://evil.example/t.png)", "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "<iframe src=https://evil.example></iframe>", "<style>@import 'https://evil.example/x.css';</style>",
    "<a href=x onclick=alert(1)>y</a>", "<div style=\"background:url(https://evil.example)\">z</div>",
    "&lt;script&gt;", "&#60;script&#62;", "&amp;", "&#0;", "&#xD800;", "&#99999999;", "<!-- c -->", "<![CDATA[x]]>",
    "<form action=https://evil.example><button>b</button></form>", "<object data=x></object>",
    "<span class=\"evil\" id=\"a\">s</span>", "<ol start=\"3\" type=\"a\"><li>x</li></ol>",
    "[ref]: https://evil.example \"t\"\n\n[x][ref]", "<https://example.com>", "`code <script>`",
    "```\n<script>\n```", "| a | b |\n|---|---|\n| <script> | [x](javascript:1) |",
]
PIECES = st.one_of(
    st.sampled_from(HOSTILE_MARKDOWN),
    st.text(alphabet="[]()<>*_`!\\&#;:/-+>. \n\tax1|=\"'", max_size=60),
    st.integers(1, 3000).map(lambda n: "[" * n),  # bracket runs: quadratic in Python-Markdown
    st.integers(1, 1500).map(lambda n: "[a](" * n),
    st.integers(1, 2000).map(lambda n: "*a" * n),
    st.integers(1, 60).map(lambda n: "> " * n + "x\n"),  # deep quotes
    st.integers(1, 60).map(lambda n: "".join("  " * i + "- x\n" for i in range(n))),  # deep lists
    st.integers(1, 60).map(lambda n: "- " * n + "x\n"),
    st.integers(1, 400).map(lambda n: "<b>" * n),
    st.text(max_size=30),  # any Unicode
)
MARKDOWN_TEXTS = st.lists(PIECES, max_size=8).map("".join)


class _Tags(HTMLParser):
    """Every start tag with its attributes, as a browser's tokenizer would see them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, Optional[str]]]]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag


def _inert(html: str) -> None:
    """Only allow-listed tags and attributes; links are http(s), mailto or relative; nothing to fetch or run."""
    parser = _Tags()
    parser.feed(html)
    parser.close()
    for tag, attrs in parser.tags:
        assert tag in ALLOWED_TAGS, (tag, html[:200])
        allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | ({"rel"} if tag == "a" else set()) | (
            {"class"} if tag == "span" else set())
        for name, value in attrs:
            assert name in allowed and not name.startswith("on"), (tag, name, html[:200])
            if name == "href":
                assert urlsplit(value or "").scheme.lower() in ("", "http", "https", "mailto"), (value, html[:200])
            if name == "class":  # nh3 may leave class="" where it removed a class
                assert set((value or "").split()) <= {"nb"}, (value, html[:200])
    assert "<script" not in html.lower()  # (as text, escaped, "javascript:" is harmless words)


@FUZZ
@given(MARKDOWN_TEXTS)
@example("[" * 16_000)
@example("<scr<script>ipt>alert(1)</script>")
def test_markdown_renders_inert_html_in_bounded_time(text: str) -> None:
    CACHE.clear()
    why = markdown_problem(text)
    html = str(markdown(text))
    assert isinstance(why, str)
    if why:  # what validation warns about is exactly what is shown as written
        assert html == _as_plain(text)
    _inert(html)


@FUZZ
@given(MARKDOWN_TEXTS, st.integers(1, 2000))
def test_a_size_limit_decides_plain_text_and_nothing_else(text: str, limit: int) -> None:
    size = len(text.encode("utf-8", "surrogatepass"))
    why = markdown_problem(text, limit)
    if size > limit:
        assert why == f"it is {size:,} bytes, over the {limit:,}-byte limit for Markdown"
        assert str(markdown(text, limit)) == _as_plain(text)
    else:
        assert why == markdown_problem(text, size or 1)  # under the limit, the limit changes nothing


# --------------------------------------------------------------------------- SVG

SAFE_ELEMENTS = ["g", "rect", "circle", "path", "text", "defs", "linearGradient", "stop", "use", "title"]
# (local name, namespace) the generator may use, and whether the element can run or fetch something
HOSTILE_ELEMENTS = ["script", "foreignObject", "iframe", "image", "a", "set", "animate", "style", "handler",
                    "object", "embed", "feImage", "audio", "video"]
NAMESPACES = {"svg": SVG_NS, "h": "http://www.w3.org/1999/xhtml", "x": "urn:x", "xl": XLINK_NS}
SAFE_VALUES = ["0", "10", "#036", "url(#g)", "translate(1,2) rotate(3)", "rgb(1,2,3)", "sans-serif", "Logo &amp; Co",
               "fill:#fff;stroke:url( #g )", "#g"]
HOSTILE_VALUES = {  # value -> what it does, for an attribute where browsers read it
    "url(https://evil.example/x)": "external", "fill:url('//evil.example/x')": "external",
    "background:u\\72 l(https://evil.example/x)": "external", "background-image:image-set('https://e.example' 1x)":
    "external", "@import 'https://evil.example/x.css'": "external", "expression(alert(1))": "script",
    "fill:ur\\l(https://evil.example/x)": "external", "cursor:url(https://evil.example/c.cur),auto": "external",
}
HREFS = {"#g": None, " #g ": None, "https://evil.example/x.svg#a": "external", "javascript:alert(1)": "script",
         "&#106;avascript:alert(1)": "script", "data:image/svg+xml,<svg onload=alert(1)>": "script",
         "//evil.example/x": "external", "x.svg#a": "external"}


@st.composite
def svg_documents(draw) -> tuple[bytes, set[str]]:
    """An SVG document and the set of hostile things the generator put in it."""
    hostile: set[str] = set()
    declared: dict[str, str] = {}

    def element(depth: int) -> str:
        if draw(st.integers(0, 9)) == 0:
            local = draw(st.sampled_from(HOSTILE_ELEMENTS))
            hostile.add("element")
        else:
            local = draw(st.sampled_from(SAFE_ELEMENTS))
        prefix = draw(st.sampled_from(["", "", "svg", "h", "x"]))
        if prefix:
            declared[prefix] = NAMESPACES[prefix]
            if prefix != "svg":
                hostile.add("foreign namespace")  # not a drawing's namespace: a script there runs in XHTML
        attrs = []
        for _ in range(draw(st.integers(0, 3))):
            kind = draw(st.integers(0, 9))
            if kind == 0:
                attrs.append(f'{draw(st.sampled_from(["onload", "onclick", "OnMouseOver", "onbegin"]))}="alert(1)"')
                hostile.add("handler")
            elif kind == 1:
                href = draw(st.sampled_from(sorted(HREFS)))
                name = draw(st.sampled_from(["href", "xl:href"]))
                if name.startswith("xl:"):
                    declared["xl"] = XLINK_NS
                attrs.append(f'{name}="{href}"')
                if HREFS[href]:
                    hostile.add(HREFS[href])
            elif kind == 2:
                value = draw(st.sampled_from(sorted(HOSTILE_VALUES)))
                attrs.append(f'{draw(st.sampled_from(["style", "fill", "filter", "mask"]))}="{value}"')
                hostile.add(HOSTILE_VALUES[value])
            else:
                name = draw(st.sampled_from(["fill", "x", "width", "style", "transform", "font-family", "id"]))
                attrs.append(f'{name}="{draw(st.sampled_from(SAFE_VALUES))}"')
        names = set()
        attrs = [a for a in attrs if not (a.split("=")[0] in names or names.add(a.split("=")[0]))]
        children = "".join(element(depth + 1) for _ in range(draw(st.integers(0, 2 if depth < 3 else 0))))
        if local == "script" or draw(st.booleans()):
            children += draw(st.sampled_from(["alert(1)", "Kestrel", "&lt;b&gt;", "&#60;script&#62;"]))
        tag = f"{prefix}:{local}" if prefix else local
        return f"<{tag}{''.join(' ' + a for a in attrs)}>{children}</{tag}>"

    body = "".join(element(1) for _ in range(draw(st.integers(0, 3))))
    xmlns = "".join(f' xmlns:{p}="{ns}"' for p, ns in sorted(declared.items()))
    doc = f'<svg xmlns="{SVG_NS}"{xmlns} viewBox="0 0 10 10">{body}</svg>'
    prolog = draw(st.sampled_from(["", "dtd", "entity-script", "external-entity", "stylesheet", "cdata"]))
    if prolog == "dtd":
        doc = '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">' + doc
        hostile.add("dtd")
    elif prolog == "entity-script":
        doc = '<!DOCTYPE svg [<!ENTITY e "&#60;script&#62;alert(1)&#60;/script&#62;">]>' + doc.replace(
            "</svg>", "&e;</svg>")
        hostile.add("dtd")
    elif prolog == "external-entity":
        doc = '<!DOCTYPE svg [<!ENTITY x SYSTEM "https://evil.example/x">]>' + doc.replace("</svg>", "&x;</svg>")
        hostile.add("dtd")
    elif prolog == "stylesheet":
        doc = '<?xml-stylesheet type="text/css" href="https://evil.example/x.css"?>' + doc
        hostile.add("external")
    elif prolog == "cdata":
        doc = doc.replace("</svg>", "<![CDATA[<script>alert(1)</script>]]></svg>")
        hostile.add("cdata")
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le-decl"]))
    if encoding == "utf-16-le-decl":
        data = ('<?xml version="1.0" encoding="UTF-16"?>' + doc).encode("utf-16")
    else:
        decl = draw(st.sampled_from(["", '<?xml version="1.0" encoding="UTF-8"?>\n']))
        data = (decl + doc if encoding.startswith("utf-8") else doc).encode(encoding)
    return data, hostile


@FUZZ
@given(svg_documents())
def test_an_svg_with_anything_hostile_is_refused_and_a_plain_one_passes(case: tuple[bytes, set[str]]) -> None:
    data, hostile = case
    why = problem(data)
    if hostile:
        assert why is not None, (hostile, data[:400])
    else:
        assert why is None, (why, data[:400])


@FUZZ
@given(st.binary(max_size=600) | st.lists(st.sampled_from([
    b"<svg xmlns='http://www.w3.org/2000/svg'>", b"</svg>", b"<rect/>", b"<!DOCTYPE", b"<!ENTITY a '&#38;#60;'>",
    b"&a;", b"<?xml version='1.0' encoding='utf-16'?>", b"\xff\xfe", b"\xef\xbb\xbf", b"\x00", b"<script>",
    b"<![CDATA[", b"]]>", b"&#x0;", b"&#xD800;", b"<?pi x?>", b" href='#a'", b"style='fill:url(#a)'", b">",
    b"<!--", b"-->", b"<a:b xmlns:a='urn:a'>", b"\xc3", b"<?xml version='1.0' encoding='x-unknown'?>"]),
    max_size=12).map(b"".join))
@example(b"<?xml version='1.0' encoding='x-unknown'?><svg/>")
@example("<svg xmlns='http://www.w3.org/2000/svg'/>".encode("utf-32"))
def test_any_bytes_get_a_verdict_never_an_exception(data: bytes) -> None:
    why = problem(data)
    assert why is None or (isinstance(why, str) and why)


@pytest.mark.parametrize("data, why", [
    (f'<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE svg [<!ENTITY e "hi">]><svg xmlns="{SVG_NS}">&e;</svg>'
     .encode("utf-16"), "it declares a DTD or entities"),
    (f'<?xml-stylesheet href="https://evil.example/x.css"?><svg xmlns="{SVG_NS}"/>'.encode("utf-16"),
     "it holds a processing instruction (such as xml-stylesheet)"),
    (f'<svg xmlns="{SVG_NS}"><rect style="fill:u\\72 l(https://evil.example/a.svg#x)"/></svg>'.encode(),
     "<rect> style= holds a backslash (a CSS escape can hide a url() or a keyword)"),
    (f"<svg xmlns=\"{SVG_NS}\" style=\"background-image:image-set('https://evil.example/a.png' 1x)\"/>".encode(),
     "<svg> style= uses the function image-set(), which a drawing does not need"),
], ids=["utf-16 DTD", "utf-16 stylesheet", "css escape", "image-set"])
def test_what_the_fuzzing_found_stays_refused(data: bytes, why: str) -> None:
    """UTF-16 hid a DTD and a stylesheet from the byte checks; CSS escapes and image-set() hid a fetch."""
    assert problem(data) == why


def test_words_in_labels_are_not_css() -> None:
    """The CSS checks read values browsers parse as CSS, not a label or an id."""
    svg = (f'<svg xmlns="{SVG_NS}" role="img" aria-label="Acme (UK) Ltd \\ Tools"><rect id="a" fill="rgb(0, 51, 102)"'
           ' transform="translate(1 2) scale(2)"/></svg>')
    assert problem(svg.encode()) is None
