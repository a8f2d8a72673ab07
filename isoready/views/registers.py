"""The registers (issue 24): an index of the registers this build shows and one page per register, its rows
with their flags, the problems met reading it, its reasons and, for objectives, a chart per objective.

What a build shows of a register was decided once, in validate.redact.registers_for (a withheld record's
register is gone; names leave a competence register unless the audience may see them); this module words it."""

from __future__ import annotations

from datetime import date
from typing import Any, Mapping, Optional

from isoready.core.i18n import gettext as _, ngettext
from isoready.assess import RegisterResult
from isoready.model import REGISTER_COLUMNS, Evidence, Register, RegisterRow
from isoready.validate.redact import PERSONAL_COLUMNS, people_shown, rows_shown
from isoready.views import charts
from isoready.views.builder import builder
from isoready.views.context import Context
from isoready.views.labels import (REGISTER_FLAG_LABELS, REGISTER_KIND_LABELS, column_label, evidence_url,
    grouped, page_path, register_url, withheld)
from isoready.views.models import (FlagView, RegisterColumnView, RegisterProblemView, RegisterRowView,
    RegisterView)
from isoready.views.pages import PageView, RegistersIndexView
from isoready.views.reasons import REASONS

REGISTERS_PAGE = "registers.html"
#: column kinds (model.Column.kind) the page's script sorts as numbers
NUMERIC = ("number",)


def cell(value: Any, kind: str, redact: Any) -> tuple[str, str]:
    """A cell's text and its sort key: dates as written (ISO sorts as text), numbers as numbers."""
    if value is None or value == ():
        return "", ""
    if kind == "number":
        return charts.number_text(value), repr(float(value))
    if kind == "period":
        return charts.period_text(value), value.isoformat()
    if isinstance(value, bool):
        return (_("Yes"), "1") if value else (_("No"), "0")
    if isinstance(value, date):
        text = value.isoformat()
        return (f"Yes, {text}", text) if kind == "yesno-date" else (text, text)
    if isinstance(value, tuple):
        text = ", ".join(redact(str(v)) for v in value)
        return text, text
    text = redact(str(value))
    return text, text


def _flags(codes: tuple[str, ...]) -> tuple[FlagView, ...]:
    return tuple(FlagView(c, REGISTER_FLAG_LABELS.get(c, c)) for c in codes)


def _reasons(ctx: Context, result: Optional[RegisterResult]) -> tuple[tuple[str, str], ...]:
    """Each reason's sentence and code; a code the reason registry does not word yet is shown as its code."""
    if result is None:
        return ()
    return tuple((ctx.say(r), r.code) if r.code in REASONS else (r.code, r.code) for r in result.reasons)


def _note(e: Evidence, audience: str) -> str:
    column = PERSONAL_COLUMNS.get(e.register or "")
    if column is None or people_shown(e, audience):
        return ""
    if not rows_shown(e, audience):
        return _("This register names people: a public build shows its counts only.")
    return _("This register names people: this build shows roles, competences and statuses without names.")


def register_view(ctx: Context, reg: Register, result: Optional[RegisterResult], raw_rows: int) -> RegisterView:
    """One register as this build shows it. ``reg``: already filtered for the audience; ``raw_rows``: how many
    rows the file has (a register shown as counts only has none left to count)."""
    e = ctx.project_evidence[reg.evidence]  # registers_for keeps only the registers of this build's records
    kinds = {c.name: c.kind for c in REGISTER_COLUMNS.get(reg.kind, ())}
    hidden = PERSONAL_COLUMNS.get(reg.kind) if not people_shown(e, ctx.audience) else None
    names = tuple(c for c in (reg.columns or tuple(kinds)) if c != hidden)
    columns = tuple(RegisterColumnView(n, column_label(n), "number" if kinds.get(n) in NUMERIC else "text")
                    for n in names)
    flags = dict(result.flags) if result is not None else {}
    rows = tuple(_row(r, names, kinds, flags, ctx.redact) for r in reg.rows)
    flagged = sum(1 for codes in flags.values() if codes)
    count = result.rows if result is not None else raw_rows
    per_flag = {}
    for codes in flags.values():
        for c in codes:
            per_flag[c] = per_flag.get(c, 0) + 1
    said = _reasons(ctx, result)
    counts_only = not rows_shown(e, ctx.audience)
    return RegisterView(
        evidence=reg.evidence, url=register_url(reg.evidence), title=ctx.redact(e.title),
        kind=reg.kind, kind_label=REGISTER_KIND_LABELS.get(reg.kind, reg.kind),
        evidence_url=evidence_url(reg.evidence), file=ctx.redact(reg.file), columns=columns, rows=rows,
        row_count=count, flagged_count=flagged, summary=ngettext("%(num)s row, %(flagged)s flagged",
                                                                 "%(num)s rows, %(flagged)s flagged", count,
                                                                 flagged=grouped(flagged)),
        problems=tuple(RegisterProblemView(p.code, ctx.redact(p.where), ctx.redact(p.text), p.severity, p.row)
                       for p in reg.problems),
        problem_count=len(reg.problems),
        reasons=tuple(t for t, _ in said), reason_codes=tuple(c for _, c in said),
        flag_counts=tuple((REGISTER_FLAG_LABELS.get(c, c), per_flag[c]) for c in REGISTER_FLAG_LABELS
                          if c in per_flag) + tuple((c, n) for c, n in sorted(per_flag.items())
                                                    if c not in REGISTER_FLAG_LABELS),
        counts_only=counts_only, people_note=_note(e, ctx.audience),
        charts=_charts(ctx, reg, result) if not counts_only else (), sheet=ctx.redact(reg.sheet or ""))


def _row(r: RegisterRow, names: tuple[str, ...], kinds: Mapping[str, str], flags: Mapping[int, tuple[str, ...]],
         redact: Any) -> RegisterRowView:
    shown = _flags(tuple(flags.get(r.row, ())))
    return RegisterRowView(r.row, tuple(cell(r.get(n), kinds.get(n, "text"), redact) for n in names), shown,
                           " ".join(("0", *(f.label for f in shown))) if shown else "1")


def _charts(ctx: Context, reg: Register, result: Optional[RegisterResult]) -> tuple[charts.ObjectiveChart, ...]:
    """One chart per objective of an objectives register, from the points assess gathered."""
    if result is None or reg.kind != "objectives":
        return ()
    units = {}
    for r in reg.rows:
        units.setdefault(r.get("objective"), r.get("unit") or "")
    return tuple(charts.objective(ctx.redact(name), f"objective-{i}", points, ctx.redact(str(units.get(name, ""))))
                 for i, (name, points) in enumerate(sorted(result.series.items()), 1))


def register_views(ctx: Context) -> Mapping[str, Any]:
    """The registers this build shows, in evidence-id order (what the pages and the exports read)."""
    results = {r.evidence: r for r in ctx.r.registers}
    raw = ctx.project.registers
    return {"registers": tuple(register_view(ctx, reg, results.get(key), len(raw[key].rows))
                               for key, reg in ctx.registers.items())}


@builder("registers", reads=("organisation", "catalog", "evidence", "findings", "readiness"),
         provides=("registers",), context=register_views)
def REGISTERS(ctx: Context, shared: Mapping[str, Any]) -> list[PageView]:
    """registers.html and registers/<evidence id>.html: no page at all in a build that shows no register."""
    views = shared["registers"]
    if not views:
        return []
    hidden = sum(1 for key in ctx.project.registers if key not in ctx.registers)
    index = RegistersIndexView(
        views, ngettext("%(num)s register in this build: each register's rows as read from its file, with the rows "
                        "the rules flag.", "%(num)s registers in this build: each register's rows as read from its "
                        "file, with the rows the rules flag.", len(views)), withheld(hidden, "register"))
    return [PageView(REGISTERS_PAGE, "registers", _("Registers"), "registers", index),
            *(PageView(page_path(v.url), "register-table", v.title, "registers", v) for v in views)]
