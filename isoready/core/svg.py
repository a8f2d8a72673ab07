"""SVG that cannot run or reach out: parsed with a real XML parser, then held to an allow-list.

A regular expression cannot tell what a browser will see in an SVG: ``<svg:script>``, ``<x:script
xmlns:x="http://www.w3.org/2000/svg">``, an entity that expands to ``<script>``, ``&#x6A;avascript:``.
So the file is parsed (DTDs, entities and processing instructions refused before parsing, since they are
where XML hides things), and every element, attribute and reference is checked against what a logo needs:
shapes, text, gradients, filters and internal ``#`` references. Anything else is refused, named.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Optional
from xml.parsers import expat

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"

ELEMENTS = frozenset("""
svg g defs symbol use title desc path rect circle ellipse line polyline polygon text tspan textPath
linearGradient radialGradient stop clipPath mask pattern marker filter feGaussianBlur feOffset feBlend
feColorMatrix feFlood feComposite feMerge feMergeNode feMorphology feDropShadow
""".split())

ATTRIBUTES = frozenset("""
id class style x y width height viewBox preserveAspectRatio version baseProfile d fill fill-opacity fill-rule
stroke stroke-width stroke-linecap stroke-linejoin stroke-miterlimit stroke-dasharray stroke-dashoffset
stroke-opacity opacity transform cx cy r rx ry x1 y1 x2 y2 points pathLength font-family font-size font-weight
font-style font-variant text-anchor dominant-baseline alignment-baseline baseline-shift letter-spacing
word-spacing text-decoration dx dy rotate textLength lengthAdjust startOffset offset stop-color stop-opacity
gradientUnits gradientTransform spreadMethod fx fy fr clip-path clip-rule mask clipPathUnits maskUnits
maskContentUnits patternUnits patternContentUnits patternTransform markerWidth markerHeight markerUnits refX
refY orient marker-start marker-mid marker-end filter filterUnits primitiveUnits stdDeviation in in2 result
mode values type flood-color flood-opacity operator k1 k2 k3 k4 radius color display visibility overflow
shape-rendering text-rendering image-rendering color-interpolation color-interpolation-filters vector-effect
paint-order mix-blend-mode isolation role aria-label aria-labelledby aria-describedby aria-hidden lang
focusable href
""".split())

# a CSS or attribute value may point only inside the file: url(#id)
_EXTERNAL_URL = re.compile(r"url\s*\(\s*(?![\"']?\s*#)", re.IGNORECASE)
_CSS_DANGER = re.compile(r"@import|expression\s*\(|javascript:|behavio(?:u)?r\s*:|-moz-binding", re.IGNORECASE)
# Functions a drawing's values use (colours, transforms, filters, arithmetic). Others may fetch (image-set(),
# image(), cross-fade(), element()) or are not needed: an allow-list, like the elements and attributes.
_FUNCTION = re.compile(r"([A-Za-z_-][\w-]*)\s*\(")
FUNCTIONS = frozenset("""
url rgb rgba hsl hsla hwb lab lch oklab oklch color color-mix device-cmyk
translate translatex translatey scale scalex scaley rotate skewx skewy matrix
calc min max clamp var attr
blur brightness contrast drop-shadow grayscale hue-rotate invert opacity saturate sepia
linear-gradient radial-gradient conic-gradient repeating-linear-gradient repeating-radial-gradient
local format
""".split())
# attributes whose value no browser reads as CSS: a backslash there is text, not a CSS escape
_NOT_CSS = frozenset({"id", "aria-label", "aria-labelledby", "aria-describedby", "lang", "role", "class"})
_DECLARATION = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<\?xml\s[^?]*\?>")


def _local(name: str) -> tuple[str, str]:
    if name.startswith("{"):
        ns, _, local = name[1:].partition("}")
        return ns, local
    return "", name


def problem(data: bytes) -> Optional[str]:
    """Why this SVG is not a plain drawing (in words for a diagnostic), or None when it is."""
    head = _DECLARATION.sub(b"", data, count=1)
    lowered = head.lower()
    if b"<![cdata[" in lowered:
        return "it holds a CDATA section"
    if b"<!doctype" in lowered or b"<!entity" in lowered or b"<!" in lowered.replace(b"<!--", b""):
        return "it declares a DTD or entities"
    if b"<?" in head:
        return "it holds a processing instruction (such as xml-stylesheet)"
    hidden = _declarations(data)  # the same, in any encoding the parser reads (UTF-16 hides them from bytes)
    if hidden:
        return hidden
    try:
        root = ET.fromstring(data)
    except ET.ParseError as e:
        return f"it is not well-formed XML ({e})"
    except (ValueError, LookupError) as e:  # encodings the parser refuses, or that Python does not know
        return f"it cannot be read as XML ({e})"
    for el in root.iter():
        if not isinstance(el.tag, str):
            return "it holds a processing instruction or comment the parser kept"
        ns, local = _local(el.tag)
        if ns not in ("", SVG_NS) or local not in ELEMENTS:
            return f"it holds a <{local}> element" + (f" in namespace {ns}" if ns not in ("", SVG_NS) else "")
        for name, value in el.attrib.items():
            ans, alocal = _local(name)
            if ans == XML_NS and alocal in ("space", "lang"):
                continue
            if ans not in ("", XLINK_NS) or alocal not in ATTRIBUTES or (ans == XLINK_NS and alocal != "href"):
                return f"<{local}> has an attribute {alocal!r}" + (f" in namespace {ans}" if ans else "")
            if alocal == "href" and not value.strip().startswith("#"):
                return f"<{local}> links to {value.strip()[:60]!r} (only #references inside the file are allowed)"
            if _EXTERNAL_URL.search(value) or _CSS_DANGER.search(value):
                return f"<{local}> {alocal}= refers outside the file"
            if alocal in _NOT_CSS:
                continue  # words (a label, an id): "Acme (UK) Ltd" is no CSS function
            if "\\" in value:
                return f"<{local}> {alocal}= holds a backslash (a CSS escape can hide a url() or a keyword)"
            for fn in _FUNCTION.findall(value):
                if fn.lower() not in FUNCTIONS:
                    return f"<{local}> {alocal}= uses the function {fn}(), which a drawing does not need"
    return None


class _Declared(Exception):
    pass


def _declarations(data: bytes) -> Optional[str]:
    """A DTD, an entity, a processing instruction or a CDATA section, as the XML parser itself sees them (in any
    encoding)."""
    parser = expat.ParserCreate()

    def dtd(*_args: object) -> None:
        raise _Declared("it declares a DTD or entities")

    def pi(*_args: object) -> None:
        raise _Declared("it holds a processing instruction (such as xml-stylesheet)")

    def cdata(*_args: object) -> None:
        raise _Declared("it holds a CDATA section")

    parser.StartDoctypeDeclHandler = dtd
    parser.EntityDeclHandler = dtd
    parser.ProcessingInstructionHandler = pi
    parser.StartCdataSectionHandler = cdata
    try:
        parser.Parse(data, True)
    except _Declared as e:
        return str(e)
    except (expat.ExpatError, ValueError, UnicodeError, LookupError):
        return None  # not well-formed, or an encoding it refuses: the tree parse says which
    return None
