"""Chart geometry for inline SVG drawn at build time.

Python computes coordinates and labels; the templates only place them. Every
chart also carries a sentence and a table-ready list so it reads without
JavaScript, without colour and in a screen reader.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Optional, Sequence

from isoready.core.i18n import gettext, ngettext


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
    summary = gettext("Readiness per main clause: %(mains)s.",
                      mains="; ".join(f"{m.number} {m.name} {m.readiness}" for m in mains))
    return BarChart(gettext("Readiness per main clause: ready, at risk and not ready"), summary, bars, len(bars) * ROW,
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
        states=_stack(gettext("Applicable clauses by state"), states),
        mains=_mains(mains),
        status=_stack(gettext("Clauses by declared status"), status_counts),
        freshness=_stack(gettext("Evidence freshness"), freshness),
    )


# --------------------------------------------------------------------------- readiness over time


@dataclass(frozen=True)
class TrendMark:
    """A vertical line on the trend: today, a booked audit or the last audit's commit, inside the plot."""

    x: float
    label: str
    kind: str  # today | audit | last-audit
    y1: float = 0.0  # the line runs from the plot's top to its bottom; its label sits above the plot
    y2: float = 0.0


@dataclass(frozen=True)
class TrendLabel:
    """A text placed by its left edge (text-anchor start), so it is known to sit inside the drawing."""

    x: float
    y: float  # baseline
    text: str
    kind: str  # today | audit | last-audit | later | date | axis
    width: float  # estimated from the font size: what placement kept inside the frame and apart


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
class TrendLayout:
    """One drawing of the trend at one size: "wide" for desktops, "narrow" for phones. The font size is in the
    drawing's units; the stylesheet caps each drawing's rendered width so labels stay at least 12 px."""

    name: str  # wide | narrow
    width: int
    height: int
    font: int
    left: int  # the plot area's edges
    top: int
    right: int
    bottom: int
    overall_points: str  # "x,y x,y ..." ready or at risk
    ready_points: str  # ready only
    dots: tuple[tuple[float, float], ...]  # the overall line's points, for markers
    grid: tuple[tuple[float, str], ...]  # y of the line, its label (0%, 50%, 100%)
    marks: tuple[TrendMark, ...]
    labels: tuple[TrendLabel, ...]  # y-axis, dates, marks' labels: each inside 0..width


@dataclass(frozen=True)
class TrendChart:
    title: str
    summary: str
    start: str  # the first and last day the chart spans: its points and today
    end: str
    layouts: tuple[TrendLayout, ...]  # wide, narrow
    rows: tuple[TrendRow, ...]


def _pct(v: Optional[float]) -> str:
    return "–" if v is None else f"{round(v * 100)}%"


#: an upper bound of a sans-serif glyph's advance, in ems (DejaVu Sans digits are 0.64 em)
GLYPH_EM = 0.66
#: the drawings: (name, width, font size) in the drawing's units
TREND_SIZES = (("wide", 640, 12), ("narrow", 340, 13))


def _text_width(text: str, font: int) -> float:
    return round(len(text) * font * GLYPH_EM, 1)


def _layout(name: str, width: int, font: int, start: Any, end: Any, days: Sequence[Any],
            points: Sequence[dict], marks: Sequence[tuple[Any, str, str]],
            outside: Sequence[tuple[str, str]]) -> TrendLayout:
    """Place one drawing. Marks' labels go in rows above the plot, each row holding labels that do not overlap,
    each label clamped inside the drawing; audits outside the span become arrow labels at the edge they lie
    beyond, so nothing is drawn past the frame and the data keeps the whole width."""
    line = font + 5
    left = int(_text_width("100%", font) + 8)
    right = width - 10
    span = max((end - start).days, 0)

    def x(d: Any) -> float:
        return round(left + (right - left) * ((d - start).days / span if span else 0.5), 1)

    wanted = [(x(d), text, kind) for d, text, kind in marks]
    wanted += [(left if side == "before" else right, text, "later") for text, side in outside]
    rows: list[list[tuple[float, float]]] = []
    placed = []
    fits = int(width / (font * GLYPH_EM))  # a label longer than the drawing (a long tag name) is shortened
    for mx, text, kind in sorted(wanted, key=lambda m: m[0]):
        text = text if len(text) <= fits else text[:fits - 1] + "…"
        w = _text_width(text, font)
        x0 = round(min(max(mx - w / 2, 0), width - w), 1)
        for i, row in enumerate(rows):
            if all(x0 >= b + 8 or x0 + w + 8 <= a for a, b in row):
                row.append((x0, x0 + w))
                break
        else:
            rows.append([(x0, x0 + w)])
            i = len(rows) - 1
        placed.append((mx, text, kind, x0, w, i))
    top = 4 + line * len(rows) + 4
    plot_h = 150 if name == "wide" else 140
    bottom = top + plot_h

    def y(v: float) -> float:
        return round(top + plot_h * (1 - v), 1)

    labels = [TrendLabel(x0, 4 + line * (i + 1) - 4, text, kind, w) for _, text, kind, x0, w, i in placed]
    # the lines stay inside the plot: drawn up into the label band they would cross the labels of other rows
    lines = [TrendMark(mx, text, kind, top, bottom) for mx, text, kind, _, _, i in placed if kind != "later"]
    grid = tuple((y(v), f"{round(v * 100)}%") for v in (0.0, 0.5, 1.0))
    for gy, text in grid:
        w = _text_width(text, font)
        labels.append(TrendLabel(round(left - 6 - w, 1), round(gy + font * 0.35, 1), text, "axis", w))
    date_y = bottom + font + 4
    first, last = start.isoformat(), end.isoformat()
    labels.append(TrendLabel(left, date_y, first, "date", _text_width(first, font)))
    if last != first:
        labels.append(TrendLabel(round(right - _text_width(last, font), 1), date_y, last, "date",
                                 _text_width(last, font)))
    overall = [(x(d), y(e["overall"])) for d, e in zip(days, points)]
    ready = [(x(d), y(e["ready"] or 0)) for d, e in zip(days, points)]
    return TrendLayout(name, width, date_y + 6, font, left, top, right, bottom,
                       " ".join(f"{a},{b}" for a, b in overall), " ".join(f"{a},{b}" for a, b in ready),
                       tuple(overall), grid, tuple(lines), tuple(labels))


def trend(entries: Sequence[dict], audits: Sequence[tuple[str, Any]] = (), last_audit: Optional[str] = None,
          show_findings: bool = True, gate_names: Optional[dict] = None,
          as_of: Any = None) -> Optional[TrendChart]:
    """Readiness over the commits of history.json: None when there are no points.

    The chart spans the time its points cover, and today; today and the audits inside that span are lines,
    booked audits after it (or before it) are arrow labels at that edge."""
    from datetime import date as _date

    points = [e for e in entries if e.get("overall") is not None]
    if not points:
        return None
    days = [_date.fromisoformat(e["date"]) for e in points]
    start, end = min(days), max(days)
    if as_of is not None:
        start, end = min(start, as_of), max(end, as_of)
    marks: list[tuple[Any, str, str]] = []
    if as_of is not None:
        marks.append((as_of, gettext("today %(date)s", date=as_of.isoformat()), "today"))
    outside = []
    for label, d in audits:
        if not d:
            continue
        if start <= d <= end:
            marks.append((d, f"{label} {d.isoformat()}", "audit"))
        elif d > end:
            outside.append((f"{label} {d.isoformat()} →", "after"))
        else:
            outside.append((f"← {label} {d.isoformat()}", "before"))
    if last_audit:
        for d, e in zip(days, points):
            if last_audit in e.get("tags", ()) or e["commit"].startswith(last_audit):
                marks.append((d, gettext("last audit (%(ref)s)", ref=last_audit), "last-audit"))
                break
    names = gate_names or {}
    rows = tuple(TrendRow(
        e["date"], e["short"], _pct(e["overall"]), _pct(e["ready"]),
        ", ".join(gettext("%(gate)s passes", gate=names.get(k, k)) if v else
                  gettext("%(gate)s fails", gate=names.get(k, k)) for k, v in sorted(e["gates"].items())),
        str(e["open_findings"]) if show_findings and e.get("open_findings") is not None else "–",
        str(e["stale_evidence"]), ", ".join(e.get("tags", ()))) for e in points)
    first, last = points[0], points[-1]
    summary = (gettext("Readiness over %(count)s commits from %(first)s to %(last)s: ready or at risk went from "
                       "%(overall_from)s to %(overall_to)s, ready from %(ready_from)s to %(ready_to)s.",
                       count=len(points), first=first["date"], last=last["date"], overall_from=_pct(first["overall"]),
                       overall_to=_pct(last["overall"]), ready_from=_pct(first["ready"]), ready_to=_pct(last["ready"]))
               + "".join(gettext(" %(what)s marked.", what=text[0].upper() + text[1:]) for _, text, kind in marks
                         if kind != "today")
               + (gettext(" Today is %(date)s.", date=as_of.isoformat()) if as_of is not None else "")
               + "".join(gettext(" Booked after the period shown: %(what)s.", what=t.rstrip(" →"))
                         for t, side in outside if side == "after"))
    layouts = tuple(_layout(name, width, font, start, end, days, points, marks, outside)
                    for name, width, font in TREND_SIZES)
    return TrendChart(gettext("Readiness over time: ready or at risk (solid) and ready (dashed), per commit"), summary,
                      start.isoformat(), end.isoformat(), layouts, rows)


# --------------------------------------------------------------------------- an objective's chart (issue 24)


@dataclass(frozen=True)
class ObjectiveChart:
    """One objective's actual against its target over its periods: two lines (the target dashed, the actual
    solid with a dot per period, so colour is not needed to tell them apart), the value axis at its lowest,
    middle and highest value, the first and last period; ``summary`` is the text alternative and ``table`` the
    data beside it ((period, target, actual) as text, oldest first)."""

    name: str
    anchor: str  # the chart's id on the page
    summary: str
    width: int
    height: int
    target_points: str
    actual_points: str
    dots: tuple[tuple[float, float], ...]
    labels: tuple[TrendLabel, ...]
    grid: tuple[float, ...]  # the value axis lines' y
    left: int
    right: int
    table: tuple[tuple[str, str, str], ...]
    font: int = 13


#: the drawing's size and font, in its units: as the trend's narrow drawing, read at 12 px or more on a phone
OBJECTIVE_SIZE = (340, 13)


def number_text(v: float) -> str:
    """A register's number as pages print it: up to six significant digits, thousands separated."""
    return f"{v:,.6g}"


def objective(name: str, anchor: str, points: Sequence[tuple[Any, float, float]], unit: str = "") -> ObjectiveChart:
    """The chart of one objective from its (period, target, actual) points, oldest first."""
    width, font = OBJECTIVE_SIZE
    values = [v for _, t, a in points for v in (t, a)] or [0.0]
    low, high = _nice(min(values), max(values))
    axis = [number_text(v) for v in (high, (low + high) / 2, low)]
    left = int(max(_text_width(t, font) for t in axis) + 10)
    right, top, plot_h = width - 12, font, 140
    bottom = top + plot_h
    n = len(points)

    def x(i: int) -> float:
        return round(left + (right - left) * (i / (n - 1) if n > 1 else 0.5), 1)

    def y(v: float) -> float:
        return round(top + plot_h * (high - v) / (high - low), 1)

    grid = tuple(y(v) for v in (high, (low + high) / 2, low))
    labels = [TrendLabel(round(left - 6 - _text_width(t, font), 1), round(gy + font * 0.35, 1), t, "axis",
                         _text_width(t, font)) for t, gy in zip(axis, grid)]
    period = [period_text(p) for p, _, _ in points]
    if period:
        labels.append(TrendLabel(left, bottom + font + 4, period[0], "date", _text_width(period[0], font)))
        if n > 1:
            w = _text_width(period[-1], font)
            labels.append(TrendLabel(round(right - w, 1), bottom + font + 4, period[-1], "date", w))
    target = " ".join(f"{x(i)},{y(t)}" for i, (_, t, _) in enumerate(points))
    actual = tuple((x(i), y(a)) for i, (_, _, a) in enumerate(points))
    suffix = unit if unit == "%" else f" {unit}" if unit else ""
    if points:
        _, last_t, last_a = points[-1]
        summary = ngettext("%(name)s: actual against target over %(num)s period, %(first)s to %(last)s; in %(last)s "
                           "the actual was %(actual)s%(unit)s against a target of %(target)s%(unit)s.",
                           "%(name)s: actual against target over %(num)s periods, %(first)s to %(last)s; in "
                           "%(last)s the actual was %(actual)s%(unit)s against a target of %(target)s%(unit)s.", n,
                           name=name, first=period[0], last=period[-1], actual=number_text(last_a), unit=suffix,
                           target=number_text(last_t))
    else:
        summary = gettext("%(name)s: no period has a result.", name=name)
    table = tuple((p, number_text(t) + suffix, number_text(a) + suffix) for p, (_, t, a) in zip(period, points))
    return ObjectiveChart(name, anchor, summary, width, bottom + font + 10, target,
                          " ".join(f"{a},{b}" for a, b in actual), actual, tuple(labels), grid, left, right, table,
                          font)


def _nice(low: float, high: float) -> tuple[float, float]:
    """The value axis: from ``low`` to ``high`` widened to whole steps of 1, 2 or 5 times a power of ten, so its
    lowest, middle and highest labels are round numbers."""
    span = high - low or abs(high) or 1.0
    power = 10 ** math.floor(math.log10(span / 2))
    step = next(power * m for m in (1, 2, 5, 10) if power * m * 2 >= span / 2)
    low, high = math.floor(low / step) * step, math.ceil(high / step) * step
    if high == low:
        high = low + step
    if round((high - low) / step) % 2:  # an even number of steps: the middle label is round too
        high += step
    return low, high


def period_text(d: Any) -> str:
    """A period as written: YYYY-MM for the first of a month (how a monthly period is read), else the date."""
    return d.strftime("%Y-%m") if getattr(d, "day", None) == 1 else str(d)
