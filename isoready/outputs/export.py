"""Machine-readable exports, built from the audience-filtered view-models only.

``readiness.json`` is a contract: its ``schema`` number changes only when a key
is renamed or removed (never, we hope); keys are added freely.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any, Iterator, Optional, Sequence

from isoready.core.i18n import gettext as _
from isoready.views import ClauseView, ExportView, prose

SCHEMA = 3


def readiness_dict(site: ExportView) -> dict[str, Any]:
    clauses_out = []
    for c in site.clauses:
        clauses_out.append({
            "number": c.number,
            "title": c.title,
            "title_is_ours": not c.official,
            "parent": c.parent.number if c.parent else None,
            "status": c.status,
            "assessed": c.assessed,
            "applicable": c.applicable,
            "state": c.state,
            "reasons": list(c.reasons),
            "reason_codes": list(c.reason_codes),
            "verified_by": c.verified_by,
            "conditions": dict(c.conditions),
            "readiness": c.readiness_value,
            "owner": c.owner or None,
            "target": c.target or None,
            "evidence": [e.id for e in c.evidence],
            "stale_evidence": [e.id for e in c.evidence if e.stale],
            "findings": [f.id for f in c.open_findings],
            "documented_information": [
                {"kind": m.kind_label, "what": m.what, "state": m.state, "reason": m.reason, "code": m.code,
                 "evidence": [e.note for e in m.evidence]}
                for m in c.mandatory],
        })
    out: dict[str, Any] = {
        "schema": SCHEMA,
        "organisation": site.organisation,
        "as_of": site.as_of,
        "standard": site.standard,
        "amendments": list(site.amendments),
        "audience": site.audience,
        "language": site.language,
        "commit": site.commit or None,
        "readiness": {
            "overall": site.overall,
            "by_main_clause": dict(site.by_main),
            "ready_clauses": site.leaves_ready,
            "applicable_clauses": site.leaves_applicable,
            "ready_share": dict(site.shares).get("ready"),
            "at_risk_share": dict(site.shares).get("at-risk"),
            "not_ready_share": dict(site.shares).get("not-ready"),
            "states": {c.key: c.count for c in site.state_counts},
            "statuses": {c.key: c.count for c in site.status_counts},
        },
        "clauses": clauses_out,
        "evidence": [{
            "id": e.id, "title": e.title, "kind": e.kind, "clauses": [c.number for c in e.clauses],
            "stale": e.stale, "document": e.document.path if e.document else None, "url": e.external_url,
            "sha256": e.document.sha256 if e.document else None, "owner": e.owner or None,
            "date": e.date or None, "review_by": e.review_by or None, "audience": e.audience,
        } for e in site.evidence],
        "findings": [{
            "id": f.id, "clauses": [c.number for c in f.clauses], "grade": f.grade, "status": f.status,
            "raised": f.raised, "due": f.due or None, "closed": f.closed or None, "overdue": f.overdue,
            "owner": f.owner or None, "evidence": [e.note for e in f.evidence],
            "description": f.description.source, "action": f.action.source or None, "audience": f.audience,
            "url": f.url,
            "source": f.origin or None, "audit": f.audit.note if f.audit else None,
            "requirement": f.requirement.source or None, "correction": f.correction.source or None,
            "root_cause": f.root_cause.source or None, "corrective_action": f.corrective_action.source or None,
            "verification": {"date": f.verification_date or None, "by": f.verification_by or None,
                             "effective": f.verification_effective,
                             "evidence": [e.note for e in f.verification_evidence]}
            if f.verification_date or f.verification_by or f.verification_effective is not None else None,
            "unverified": f.unverified, "due_today": f.due_today,
        } for f in site.findings],
        "review_inputs": site.review_inputs,
        "gates": {g.key: {"passed": g.passed, "items": _items(g.items), "verdict": g.verdict,
                          "on_audit_date": {"date": g.on_date.date, "passed": g.on_date.passed,
                                            "items": _items(g.on_date.items)} if g.on_date else None}
                  for g in site.gates},
        "lapses": [_lapse(x) for x in site.lapses],
        "coverage": {"leaves": dict(site.coverage_leaves),
                     "uncovered": [c.number for c in site.coverage.uncovered] if site.coverage else []},
        "exclusions": [{"clause": x.clause.number, "justification": x.justification, "rule": x.rule}
                       for x in site.exclusions],
        "withheld": {"evidence": site.hidden_evidence, "findings": site.hidden_findings},
        # the move to ISO 9001:2026, topic by topic: for projects on ISO 9001:2015; null once on the new edition
        "transition": site.transition,
        # the recorded certificate judged on the as-of date (null when organisation.yaml records none)
        "certificate": site.certificate,
        # the register's own settings the verdict rests on (organisation.yaml; docs/format.md)
        "systemic_minors": site.systemic_minors,
        "climate_change": site.climate_change,
        # each register's content (records declaring register:, issue 24): rows, reading problems, flags, reasons
        "registers": [dict(x) for x in site.register_entries],
    }
    if site.sites:  # a multi-site organisation (sites:, issue 25); a project of one site has neither key
        out["sites"] = [dict(x) for x in site.sites]
        out["sampling"] = site.sampling
    if site.other_standards:  # an integrated system's site root: where each other standard's portal and exports are
        out["other_standards"] = [dict(o) for o in site.other_standards]
    return out


def _items(items: Any) -> list[dict[str, Any]]:
    return [{"name": i.name, "check": i.check, "passed": i.passed, "reason": i.reason, "code": i.code} for i in items]


def _lapse(x: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"date": x.date, "kind": x.kind}
    if x.evidence:
        out["evidence"] = x.evidence
    if x.finding:
        out["finding"] = x.finding
    if x.clause:
        out["clause"] = x.clause
    out.update({"clauses": [c.number for c in x.clauses], "before": x.before_key, "text": x.text})
    return out


def readiness_json(site: ExportView) -> str:
    return json.dumps(readiness_dict(site), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def readiness_json_parts(site: ExportView, size: int = 1 << 20) -> Iterator[bytes]:
    """``readiness_json(site)`` encoded, in pieces of about ``size`` bytes, for a file written piece by piece: the
    same bytes. ``json.dumps`` with an indent joins the text from millions of small strings held at once (the
    pure-Python encoder): 300 MB at 100,000 records, in the process writing the exports (issue 25)."""
    pending: list[str] = []
    held = 0
    for part in json.JSONEncoder(indent=2, ensure_ascii=False, sort_keys=False).iterencode(readiness_dict(site)):
        pending.append(part)
        held += len(part)
        if held >= size:
            yield "".join(pending).encode()
            pending, held = [], 0
    pending.append("\n")
    yield "".join(pending).encode()


CHECKLIST_COLUMNS = ("clause", "title", "applicability", "status", "state", "owner", "evidence", "evidence_links",
                     "open_findings", "reasons")


def full_title(c: ClauseView) -> str:
    """A clause's title as a person reads it out of context: "General" sub-clauses carry their parent's title."""
    name = c.name if c.official else _("%(name)s (label ours)", name=c.name)
    if c.name == "General" and c.parent is not None:
        name += f" ({c.parent.name})"
    return name


def applicability_text(c: ClauseView) -> str:
    if c.applicable:
        return _("applicable")
    return _("not applicable: %(why)s", why=c.justification) if c.justification else _("not applicable")


def auditor_checks(c: ClauseView) -> str:
    """What an auditor looks at for the clause: the catalog's guidance, in our own words."""
    return "\n".join([c.about, *(f"- {item}" for item in c.evidence_asked)]).strip()


def documented_information_text(c: ClauseView) -> str:
    """Each item of mandatory documented information with its state today."""
    return "\n".join(f"{m.kind_label}: {m.what} ({m.state_label})" for m in c.mandatory)


def open_findings_text(c: ClauseView, sep: str = "; ") -> str:
    return sep.join(f"{f.id} ({f.grade})" for f in c.open_findings)


def checklist_rows(site: ExportView, base_url: str = "") -> list[list[str]]:
    rows = []
    for c in site.clauses:
        rows.append([
            c.number,
            c.name + ("" if c.official else " (label ours)"),
            applicability_text(c),
            c.status,
            c.state,
            c.owner,
            "; ".join(e.title for e in c.evidence),
            " ".join(base_url + e.url for e in c.evidence),
            open_findings_text(c),
            " | ".join(c.reasons),
        ])
    return rows


def _csv_safe(cell: str) -> str:
    """Neutralise spreadsheet formula injection (OWASP CSV injection)."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def checklist_csv(site: ExportView) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CHECKLIST_COLUMNS)
    for row in checklist_rows(site):
        writer.writerow([_csv_safe(cell) for cell in row])
    return buf.getvalue()


def _facts(*pairs: tuple[str, str]) -> str:
    """State words, kept apart from prose: "State: Not ready · Status: In progress" (empty values left out)."""
    return " · ".join(f"{name}: {value}" if name else value for name, value in pairs if value)


def search_entries(site: ExportView) -> list[dict[str, str]]:
    """One entry per clause, evidence record, finding, register page and site page (and the table of sites):
    ``title``, ``facts`` (labelled state words, shown on their own line) and ``text`` (prose, with hyphens and
    dates as written). A site is found by its name, id and country (its row, as sites.html prints it). A register
    is found by its title and its kind, never by its rows: a row may name a person (and the index is one file
    every page loads), so the rows stay on the register's own page."""
    entries = []
    for c in site.clauses:
        entries.append({"type": _("Clause"), "id": c.number, "title": c.name, "url": c.url,
                        "facts": _facts((_("State"), c.state_label), (_("Status"), c.status_label),
                                        (_("Owner"), c.owner), (_("Target"), c.target)),
                        "text": prose(c.about)})
    for e in site.evidence:
        entries.append({"type": _("Evidence"), "id": e.id, "title": e.title, "url": e.url,
                        "facts": _facts(("", e.kind_label), (_("Clauses"), ", ".join(c.number for c in e.clauses)),
                                        (_("Owner"), e.owner), (_("Review by"), e.review_by),
                                        ("", _("Stale") if e.stale else "")),
                        "text": prose(e.description.source)})
    for f in site.findings:
        entries.append({"type": _("Finding"), "id": f.id, "title": f.subject or f.id, "url": f.url,
                        "facts": _facts(("", f.grade_label), (_("Status"), f.status_label),
                                        (_("Clauses"), ", ".join(c.number for c in f.clauses)), (_("Owner"), f.owner),
                                        (_("Due"), f.due), ("", f.due_flag_label)),
                        "text": prose(f.description.source)})
    for r in site.registers:
        entries.append({"type": _("Register"), "id": r.evidence, "title": r.title, "url": r.url,
                        "facts": _facts(("", r.kind_label), ("", r.summary)), "text": ""})
    if site.site_rows:  # a multi-site organisation: the table of sites and each site's page, by name, id, country
        entries.append({"type": _("Page"), "id": "sites", "title": _("Sites"), "url": "sites.html",
                        "facts": "", "text": ", ".join(s.name for s in site.site_rows)})
    for s in site.site_rows:
        entries.append({"type": _("Site"), "id": s.id, "title": s.name, "url": s.url,
                        "facts": _facts((_("Country"), s.country), ("", _("Central function") if s.central else "")),
                        "text": ""})
    return entries


def search_index_js(site: ExportView, pages: Sequence[Any] = (), site_json: Optional[str] = None) -> str:
    """The index as a classic script (works from file://, where fetch() is blocked).

    ``pages``: the team-written pages of this build (render.ContentPage: slug, title, url, text), already
    filtered to its audience. ``site_json``: ``search_json(site)``, made beforehand (a build makes it in a
    background process while the pages render, before Pelican has read the team's pages): the same file."""
    own = [{"type": _("Page"), "id": p.slug, "title": p.title, "url": p.url, "text": p.text} for p in pages]
    if site_json is None:
        return search_script(search_entries(site) + own)
    if own:
        more = _search_json(own)[1:]
        site_json = site_json[:-1] + ("," + more if site_json != "[]" else more)
    return _search_wrapped(site_json)


def search_json(site: ExportView) -> str:
    """The site's own entries (``search_entries``) as the index's JSON, before the team's pages are known."""
    return _search_json(search_entries(site))


def _search_json(entries: Sequence[dict[str, str]]) -> str:
    return json.dumps(list(entries), ensure_ascii=True, separators=(",", ":"))


def _search_wrapped(data: str) -> str:
    return "window.PORTAL_SEARCH=" + data.replace("</", "<\\/") + ";\n"


def search_script(entries: Sequence[dict[str, str]]) -> str:
    """The entries as search-index.js: ASCII only (any script, Japanese too, as \\u escapes, so the file reads
    the same whatever charset a browser assumes from file://), no "</" that could end a script element.
    portal.js does the matching: Latin words as words, runs of scripts written without spaces (CJK, kana)
    found whole or in pieces (docs/format.md, search-index.js)."""
    return _search_wrapped(_search_json(entries))
