"""Chart geometry for inline SVG drawn at build time.

Python computes coordinates and labels; the templates only place them. Every
chart also carries a sentence and a table-ready list so it reads without
JavaScript, without colour and in a screen reader.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional, Sequence


@dataclass(frozen=True)
class Part:
    """One state's share of a bar: x and width along the track."""

    key: str
    x: float
    width: float


@dataclass(frozen=True)
class Bar:
    key: str
    label: str
    value_text: str
    y: int
    width: float  # of the track, 0..track: ready or at risk
    url: str = ""
    parts: tuple[Part, ...] = ()  # ready, at risk, not ready, side by side


@dataclass(frozen=True)
class Segment:
    key: str
    label: str
    count: int
    x: float
    width: float
    share: str


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
    states: StackChart  # applicable clauses: ready, at risk, not ready
    mains: BarChart
    status: StackChart
    freshness: StackChart


RADIUS = 52
ROW = 28
TRACK = 300
LABEL = 190


def _parts(shares: Sequence[tuple[str, float]]) -> tuple[Part, ...]:
    x, parts = 0.0, []
    for key, share in shares:
        width = round(TRACK * share, 2)
        if width:
            parts.append(Part(key, round(x, 2), width))
        x += width
    return tuple(parts)


def _mains(mains: Sequence[Any]) -> BarChart:
    bars = tuple(Bar(m.number, f"{m.number} {m.name}", m.readiness, i * ROW,
                     round(TRACK * (m.value or 0), 2), m.url, _parts(m.shares)) for i, m in enumerate(mains))
    summary = "Readiness per main clause: " + "; ".join(f"{m.number} {m.name} {m.readiness}" for m in mains) + "."
    return BarChart("Readiness per main clause: ready, at risk and not ready", summary, bars, len(bars) * ROW,
                    TRACK, LABEL, LABEL + TRACK + 260)


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


def build(states: Sequence[Any], mains: Sequence[Any], status_counts: Sequence[Any],
          freshness: Sequence[Any]) -> ChartSet:
    return ChartSet(
        states=_stack("Applicable clauses by state", states),
        mains=_mains(mains),
        status=_stack("Clauses by declared status", status_counts),
        freshness=_stack("Evidence freshness", freshness),
    )
