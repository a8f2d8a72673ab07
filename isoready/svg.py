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
    if b"<!doctype" in lowered or b"<!entity" in lowered or b"<!" in lowered.replace(b"<!--", b""):
        return "it declares a DTD or entities"
    if b"<?" in head:
        return "it holds a processing instruction (such as xml-stylesheet)"
    try:
        root = ET.fromstring(data)
    except ET.ParseError as e:
        return f"it is not well-formed XML ({e})"
    except ValueError as e:  # encodings the parser refuses
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
    return None
