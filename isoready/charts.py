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


# --------------------------------------------------------------------------- readiness over time


@dataclass(frozen=True)
class TrendMark:
    """A vertical mark on the trend: an audit date or the last audit's commit."""

    x: float
    label: str
    kind: str  # audit | last-audit


@dataclass(frozen=True)
class TrendRow:
    """One point of the trend, as a table row (the chart's text alternative)."""

    date: str
    commit: str
    overall: str
    ready: str
    gates: str
    open_findings: str
    stale: str
    tags: str


@dataclass(frozen=True)
class TrendChart:
    title: str
    summary: str
    width: int
    height: int
    left: int  # the plot area's left edge (y labels sit before it)
    top: int
    right: int  # the plot area's right edge
    bottom: int  # the plot area's bottom edge
    label_x: int  # where the y labels end
    date_y: int  # baseline of the date labels under the plot
    mark_y: int  # baseline of the marks' labels
    overall_points: str  # "x,y x,y ..." ready or at risk
    ready_points: str  # ready only
    dots: tuple[tuple[float, float], ...]  # the overall line's points, for markers
    grid: tuple[tuple[float, float, str], ...]  # y of the line, y of its label, label (0%, 50%, 100%)
    marks: tuple[TrendMark, ...]
    x_labels: tuple[tuple[float, str], ...]  # x, date text: first and last
    rows: tuple[TrendRow, ...]


def _pct(v: Optional[float]) -> str:
    return "–" if v is None else f"{round(v * 100)}%"


def trend(entries: Sequence[dict], audits: Sequence[tuple[str, Any]] = (), last_audit: Optional[str] = None,
          show_findings: bool = True, gate_names: Optional[dict] = None) -> Optional[TrendChart]:
    """Readiness over the commits of history.json: None when there are no points."""
    from datetime import date as _date

    points = [e for e in entries if e.get("overall") is not None]
    if not points:
        return None
    width, height, left, top, right, bottom = 640, 220, 44, 12, 16, 36
    pw, ph = width - left - right, height - top - bottom
    days = [_date.fromisoformat(e["date"]) for e in points]
    start, end = min(days), max(days)
    booked = [(label, d) for label, d in audits if d and start <= d <= _date.fromordinal(end.toordinal() + 366)]
    end = max([end, *(d for _, d in booked)])
    span = max((end - start).days, 1)

    def x(d: Any) -> float:
        return round(left + pw * ((d - start).days / span if span else 0.5), 1)

    def y(v: float) -> float:
        return round(top + ph * (1 - v), 1)

    overall = [(x(d), y(e["overall"])) for d, e in zip(days, points)]
    ready = [(x(d), y(e["ready"] or 0)) for d, e in zip(days, points)]
    marks = [TrendMark(x(d), label, "audit") for label, d in booked]
    if last_audit:
        for d, e in zip(days, points):
            if last_audit in e.get("tags", ()) or e["commit"].startswith(last_audit):
                marks.append(TrendMark(x(d), f"last audit ({last_audit})", "last-audit"))
                break
    names = gate_names or {}
    rows = tuple(TrendRow(
        e["date"], e["short"], _pct(e["overall"]), _pct(e["ready"]),
        ", ".join(f"{names.get(k, k)} {'passes' if v else 'fails'}" for k, v in sorted(e["gates"].items())),
        str(e["open_findings"]) if show_findings and e.get("open_findings") is not None else "–",
        str(e["stale_evidence"]), ", ".join(e.get("tags", ()))) for e in points)
    first, last = points[0], points[-1]
    summary = (f"Readiness over {len(points)} commits from {first['date']} to {last['date']}: ready or at risk "
               f"went from {_pct(first['overall'])} to {_pct(last['overall'])}, ready from {_pct(first['ready'])} "
               f"to {_pct(last['ready'])}."
               + "".join(f" {m.label.capitalize()} marked." for m in marks))
    return TrendChart(
        "Readiness over time: ready or at risk (solid) and ready (dashed), per commit", summary, width, height,
        left, top, left + pw, top + ph, left - 6, top + ph + 14, top + ph + 28, " ".join(f"{a},{b}" for a, b in overall), " ".join(f"{a},{b}" for a, b in ready),
        tuple(overall), tuple((y(v), y(v) + 4, f"{round(v * 100)}%") for v in (0.0, 0.5, 1.0)), tuple(marks),
        ((left, start.isoformat()), (left + pw, end.isoformat())), rows)
