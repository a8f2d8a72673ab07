"""Chart geometry for inline SVG drawn at build time.

Python computes coordinates and labels; the templates only place them. Every
chart also carries a sentence and a table-ready list so it reads without
JavaScript, without colour and in a screen reader.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Optional, Sequence


@dataclass(frozen=True)
class Bar:
    key: str
    label: str
    value_text: str
    y: int
    width: float  # of the track, 0..track
    url: str = ""


@dataclass(frozen=True)
class Segment:
    key: str
    label: str
    count: int
    x: float
    width: float
    share: str


@dataclass(frozen=True)
class Donut:
    value_text: str
    dash: str  # stroke-dasharray of the filled arc
    circumference: str
    summary: str


@dataclass(frozen=True)
class BarChart:
    title: str
    summary: str
    bars: tuple[Bar, ...]
    height: int
    track: int
    label_width: int
    width: int = 0  # of the whole drawing: labels, track and values


@dataclass(frozen=True)
class StackChart:
    title: str
    summary: str
    segments: tuple[Segment, ...]
    width: int


@dataclass(frozen=True)
class ChartSet:
    overall: Donut
    mains: BarChart
    status: StackChart
    freshness: StackChart


RADIUS = 52
ROW = 28
TRACK = 300
LABEL = 190


def _donut(value: Optional[float]) -> Donut:
    circ = 2 * math.pi * RADIUS
    filled = circ * (value or 0)
    text = "n/a" if value is None else f"{round(value * 100)}%"
    summary = ("Overall readiness is not applicable: no applicable clause." if value is None
               else f"Overall readiness {text}: the share of applicable clauses that are ready or at risk.")
    return Donut(text, f"{filled:.2f} {circ - filled:.2f}", f"{circ:.2f}", summary)


def _mains(mains: Sequence[Any]) -> BarChart:
    bars = tuple(Bar(m.number, f"{m.number} {m.name}", m.readiness, i * ROW,
                     round(TRACK * (m.value or 0), 2), m.url) for i, m in enumerate(mains))
    summary = "Readiness per main clause: " + "; ".join(f"{m.number} {m.name} {m.readiness}" for m in mains) + "."
    return BarChart("Readiness per main clause", summary, bars, len(bars) * ROW, TRACK, LABEL, LABEL + TRACK + 60)


def _stack(title: str, counts: Sequence[Any], width: int = 600) -> StackChart:
    total = sum(c.count for c in counts) or 1
    x = 0.0
    segments = []
    for c in counts:
        w = round(width * c.count / total, 2)
        segments.append(Segment(c.key, c.label, c.count, round(x, 2), w, f"{round(100 * c.count / total)}%"))
        x += w
    summary = f"{title}: " + "; ".join(f"{c.label} {c.count}" for c in counts) + "."
    return StackChart(title, summary, tuple(segments), width)


def build(overall: Optional[float], mains: Sequence[Any], status_counts: Sequence[Any],
          freshness: Sequence[Any]) -> ChartSet:
    return ChartSet(
        overall=_donut(overall),
        mains=_mains(mains),
        status=_stack("Clauses by declared status", status_counts),
        freshness=_stack("Evidence freshness", freshness),
    )
