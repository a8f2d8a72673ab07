"""Issue 21, the dashboard and its trend chart: view-models and SVG geometry.

The trend is drawn twice (wide, narrow); each drawing must span the time it covers, mark today and the booked
audits inside its frame, keep every label inside the drawing and apart, and set labels at least 12 px at the
width the stylesheet gives it. The browser measures the same on the built page (tests/e2e/test_dashboard.py)."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

from isoready.views import charts
from isoready import cli
from isoready.model import Assessment
from tests.unit.test_views import dashboard, site_for

ROOT = Path(__file__).resolve().parents[2]
CSS = ROOT / "isoready/theme/static/css/portal.css"


def entry(day: str, overall: float, ready: float, sha: str = "a") -> dict:
    return {"date": day, "commit": sha * 40, "short": sha * 10, "overall": overall, "ready": ready,
            "gates": {"stage1": False, "stage2": False}, "open_findings": 1, "stale_evidence": 0, "tags": []}


#: the demo's shape: a week of commits, judged a few days later, audits booked months ahead
ENTRIES = [entry("2026-11-24", .73, .53, "a"), entry("2026-11-28", .78, .6, "b"), entry("2026-12-01", .81, .68, "c")]
AUDITS = [("stage 1 audit", date(2027, 1, 19)), ("stage 2 audit", date(2027, 3, 2))]
AS_OF = date(2026, 12, 6)


def layouts(chart: charts.TrendChart) -> dict:
    return {lay.name: lay for lay in chart.layouts}


def test_the_trend_spans_its_commits_and_today_not_the_audits_months_ahead():
    chart = charts.trend(ENTRIES, AUDITS, as_of=AS_OF)
    assert (chart.start, chart.end) == ("2026-11-24", "2026-12-06")
    for lay in chart.layouts:
        xs = [x for x, _ in lay.dots]
        plot = lay.right - lay.left
        # the first commit at the left edge, the last one most of the way across (it filled the left 7 %)
        assert xs[0] == lay.left and (xs[-1] - lay.left) / plot > 0.5, (lay.name, xs)
    assert chart.summary.endswith("Today is 2026-12-06. Booked after the period shown: stage 1 audit 2027-01-19. "
                                  "Booked after the period shown: stage 2 audit 2027-03-02.")


def test_today_and_the_audits_are_marked_inside_the_frame():
    inside = [("stage 1 audit", date(2026, 11, 30))] + AUDITS
    chart = charts.trend(ENTRIES, inside, as_of=AS_OF)
    for lay in chart.layouts:
        kinds = {m.kind: m for m in lay.marks}
        assert set(kinds) == {"today", "audit"}
        for m in lay.marks:
            assert lay.left <= m.x <= lay.right and lay.top <= m.y1 < m.y2 <= lay.bottom
        assert kinds["today"].x == lay.right  # today is the last day shown
        texts = {lab.kind: lab.text for lab in lay.labels if lab.kind in ("today", "audit")}
        assert texts == {"today": "today 2026-12-06", "audit": "stage 1 audit 2026-11-30"}
        later = [lab for lab in lay.labels if lab.kind == "later"]
        assert [lab.text for lab in later] == ["stage 1 audit 2027-01-19 →", "stage 2 audit 2027-03-02 →"]
        assert all(lab.x + lab.width <= lay.width for lab in later)  # it ran past the edge


def test_no_label_leaves_the_drawing_or_overlaps_another():
    chart = charts.trend(ENTRIES, [("stage 1 audit", date(2026, 12, 5)), ("stage 2 audit", date(2026, 12, 6))],
                         last_audit="aaaa", as_of=AS_OF)
    for lay in chart.layouts:
        boxes = []
        for lab in lay.labels:
            assert 0 <= lab.x and lab.x + lab.width <= lay.width, (lay.name, lab)
            assert lay.font <= lab.y <= lay.height, (lay.name, lab)
            assert lab.width == round(len(lab.text) * lay.font * charts.GLYPH_EM, 1)
            boxes.append((lab.x, lab.y - lay.font, lab.x + lab.width, lab.y))
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (lay.name, a, b)


def test_an_audit_before_the_span_and_a_long_tag_stay_inside():
    tagged = [dict(e, tags=["release-candidate-for-the-certification-body-review-2026"]) if e["short"] == "b" * 10
              else e for e in ENTRIES]
    chart = charts.trend(tagged, [("stage 1 audit", date(2026, 10, 1))],
                         last_audit="release-candidate-for-the-certification-body-review-2026", as_of=AS_OF)
    for lay in chart.layouts:
        texts = {lab.kind: lab for lab in lay.labels}
        assert texts["later"].text == "← stage 1 audit 2026-10-01" and texts["later"].x == 0
        last = texts["last-audit"]
        assert 0 <= last.x and last.x + last.width <= lay.width, (lay.name, last)
        assert last.text.startswith("last audit (release-") and (lay.name == "wide") == (not last.text.endswith("…"))


def test_labels_are_at_least_12px_where_each_drawing_is_shown():
    """The narrow drawing is shown below 48rem, the wide one from there: at the narrowest width each is shown
    at (a 390 px phone's content box, 358 px; 768 - 2 x 24 px), its font size scaled is 12 px or more."""
    css = CSS.read_text(encoding="utf-8")
    assert ".trend-narrow { display: none; }" in css and "@media (max-width: 47.99rem)" in css
    lay = layouts(charts.trend(ENTRIES, AUDITS, as_of=AS_OF))
    assert lay["narrow"].font * 358 / lay["narrow"].width >= 12
    assert lay["wide"].font * 720 / lay["wide"].width >= 12
    cap = float(re.search(r"\.trend-narrow svg \{ max-width: ([\d.]+)rem", css).group(1)) * 16
    assert lay["narrow"].font * cap / lay["narrow"].width <= 20  # and not shouting on a small tablet


def test_an_open_target_past_its_date_is_flagged_overdue():
    a = [Assessment("7.1.2", "planned", "x", target=date(2026, 11, 1)),
         Assessment("7.1.3", "planned", "x", target=date(2026, 12, 10))]
    targets = {t.clause.number: t for t in dashboard(site_for(a, as_of=date(2026, 11, 24))).targets}
    assert (targets["7.1.2"].overdue, targets["7.1.3"].overdue) == ("Overdue", "")


def test_the_dashboard_page_orders_readiness_before_the_transition_and_flags_the_late_target(minimal_project,
                                                                                              tmp_path):
    clauses = minimal_project / "content/clauses/context.yaml"
    clauses.write_text(clauses.read_text(encoding="utf-8").replace("target: 2027-01-31", "target: 2026-10-15"),
                       encoding="utf-8")
    out = tmp_path / "site"
    assert cli.main(["build", "--root", str(minimal_project), "--as-of", "2026-11-01", "--output", str(out)]) == 0
    html = (out / "index.html").read_text(encoding="utf-8")
    assert html.index('class="summary-grid"') < html.index('class="card transition-panel"')
    assert '<div class="stat-wide"><dt>Mandatory documented information</dt>' in html
    assert ('<h2 id="targets-h">Open targets</h2>' in html and '<td><time datetime="2026-10-15">2026-10-15</time> '
            '<span class="badge flag-overdue">Overdue</span></td>' in html)
    shutil.rmtree(out)
