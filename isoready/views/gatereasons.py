"""The words of the gates' and the certificate's reasons, registered in reasons.py's one registry (``REASONS``):
reasons.py is full, so these live beside it, as sitereasons.py's and registerreasons.py's do; the package's
``__init__`` imports this module, so they are registered before any sentence is made.

Each sentence is one message with named placeholders (a translator may reorder them).
"""

from __future__ import annotations

from typing import Any, Mapping

from isoready.assess import Reason
from isoready.core.i18n import gettext as _, ngettext, prose_date
from isoready.views.labels import MANDATORY_WORDS, NOUNS, id_list, site_list
from isoready.views.reasons import MAJOR_CLOSURE_WORDS, UNEVIDENCED_WORDS, Redact, StandardWords, reason, to_auditor


@reason("gate-present")
def _gate_present(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    return _("present: %(ids)s", ids=id_list(r.evidence)) if full else \
        ngettext("present: %(num)s record", "present: %(num)s records", len(r.evidence))


@reason("gate-missing", standard=True)
def _gate_missing(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact,
                  std: StandardWords) -> str:
    if p["check"] in std.missing:  # the check's words in its standard's data, on the clause it looked at
        return _("no current %(noun)s mapped to %(clause)s %(missing)s", noun=NOUNS.word(std.nouns[p["check"]]),
                 clause=p["clause"], missing=std.missing[p["check"]])
    return _("no current evidence mapped to %(clauses)s", clauses=id_list(p.get("missing") or (p["clause"],)))


@reason("gate-planned-only")
def _gate_planned_only(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    plan = f" ({id_list(r.evidence)})" if full else ""
    return _("planned, not yet performed: a plan is present%(plan)s, but no %(what)s record mapped to %(clause)s "
             "is dated within the last %(window)s months (since %(since)s)", plan=plan, what=p["what"],
             clause=p["clause"], window=p["window"], since=prose_date(p["since"]))


@reason("gate-no-programme")
def _gate_no_programme(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    return _("an internal audit was performed, but no current document mapped to %(clause)s sets out the programme",
             clause=p["clause"])


@reason("gate-coverage-ok")
def _gate_coverage_ok(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    named = f" ({id_list(r.evidence)})" if full else ""
    return _("internal audits within the window%(ids)s together cover all %(total)s applicable clauses", ids=named,
             total=p["total"])


@reason("gate-review-before-audit")
def _gate_review_before_audit(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    if not full:
        return _("the latest management review is dated before the latest internal audit: review the audit "
                 "results before the certification audit")
    return _("the latest management review (%(review)s) is dated before the latest internal audit (%(audit)s): "
             "review the audit results before the certification audit", review=prose_date(p["review"]),
             audit=prose_date(p["audit"]))


@reason("gate-actions-ok")
def _gate_actions_ok(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    return _("no corrective action overdue; every closed nonconformity has a verification of effectiveness")


@reason("gate-actions-late", names_findings=True)
def _gate_actions_late(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    parts = []
    if p["overdue"]:
        parts.append(_("overdue: %(ids)s", ids=id_list(p["overdue"])) if full else
                     ngettext("%(num)s overdue action", "%(num)s overdue actions", len(p["overdue"])))
    if p["unverified"]:
        parts.append(_("closed without verified effectiveness: %(ids)s", ids=id_list(p["unverified"])) if full
                     else ngettext("%(num)s closed finding without verified effectiveness",
                                   "%(num)s closed findings without verified effectiveness", len(p["unverified"])))
    return "; ".join(parts)


@reason("gate-mandatory-gaps")
def _gate_mandatory_gaps(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    gaps = id_list(f"{c} ({MANDATORY_WORDS.word(s)})" for c, s in p["gaps"])
    if p["kind"] == "maintain":
        return ngettext("%(gaps)s of %(num)s mandatory document missing, review overdue or out of window: %(list)s",
                        "%(gaps)s of %(num)s mandatory documents missing, review overdue or out of window: %(list)s",
                        p["total"], gaps=len(p["gaps"]), list=gaps)
    return ngettext("%(gaps)s of %(num)s mandatory record missing, review overdue or out of window: %(list)s",
                    "%(gaps)s of %(num)s mandatory records missing, review overdue or out of window: %(list)s",
                    p["total"], gaps=len(p["gaps"]), list=gaps)


@reason("gate-mandatory-ok")
def _gate_mandatory_ok(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    if p["kind"] == "maintain":
        return ngettext("all %(num)s required document present", "all %(num)s required documents present", p["count"])
    return ngettext("all %(num)s required record present", "all %(num)s required records present", p["count"])


@reason("gate-recurring-ok")
def _gate_recurring_ok(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    if not full:
        return _("%(what)s within %(window)s months", what=p["what"], window=p["window"])
    return _("%(what)s %(id)s dated %(date)s, within %(window)s months", what=p["what"], id=r.evidence[0],
             date=prose_date(p["date"]), window=p["window"])


@reason("gate-recurring-missing")
def _gate_recurring_missing(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    return _("no %(what)s record mapped to %(clause)s dated within the last %(window)s months (since %(since)s)",
             what=p["what"], clause=p["clause"], window=p["window"], since=prose_date(p["since"]))


@reason("gate-coverage-gap")
def _gate_coverage_gap(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    more = []
    if p.get("before"):
        more.append(_("audited only before they were in place: %(clauses)s", clauses=id_list(p["before"])))
    if p.get("own"):
        more.append(_("audited only by their own owner: %(clauses)s", clauses=id_list(p["own"])))
    if p.get("empty"):
        more.append(_("audit records listing no clauses under 'covers': %(ids)s", ids=id_list(p["empty"])) if full
                    else ngettext("%(num)s audit record listing no clauses under 'covers'",
                                  "%(num)s audit records listing no clauses under 'covers'", len(p["empty"])))
    extra = f"; {'; '.join(more)}" if more else ""
    return _("%(count)s of %(total)s applicable clauses not covered by an internal audit within the window: "
             "%(clauses)s (list audited clauses under 'covers' on the audit records)%(more)s",
             count=len(p["leaves"]), total=p["total"], clauses=id_list(p["leaves"]), more=extra)


@reason("audited-before-in-place")
def _audited_before_in_place(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    where = _("its assessment's since:") if p["source"] == "since" else _("git: the commit that made it implemented")
    if not full:
        return _("not covered by internal audit: audited only before it was in place (since %(date)s, from "
                 "%(where)s)", date=prose_date(p["in_place"]), where=where)
    held = ", ".join(_("%(id)s of %(date)s", id=i, date=prose_date(d)) for i, d in zip(r.evidence, p["audited"]))
    return _("not covered by internal audit: the audit (%(held)s) was held before it was in place (since %(date)s, "
             "from %(where)s)", held=held, date=prose_date(p["in_place"]), where=where)


@reason("auditor-own-work")
def _auditor_own_work(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    named = f" ({id_list(r.evidence)})" if full else ""
    return _("not covered by internal audit: its owner, %(owner)s, audited it%(named)s; auditors do not audit their "
             "own work", owner=redact(p["owner"]), named=named)


@reason("gate-not-ready")
def _gate_not_ready(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    return _("%(count)s applicable clauses not ready: %(clauses)s", count=len(p["clauses"]),
             clauses=id_list(p["clauses"]))


@reason("gate-all-ready")
def _gate_all_ready(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    return _("all %(count)s applicable clauses ready or at risk", count=p["count"])


@reason("gate-major-open", names_findings=True, standard=True)
def _gate_major_open(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact,
                     std: StandardWords) -> str:
    if not full:
        n = len(r.findings)
        return ngettext("%(num)s open major finding", "%(num)s open major findings", n) if "open" not in p or not (
            p.get("incomplete") or p.get("systemic")) else ngettext(
            "%(num)s finding counting as an open major nonconformity",
            "%(num)s findings counting as an open major nonconformity", n)
    at = {i: _(" (at %(sites)s)", sites=site_list(sites, std.sites, redact))  # a multi-site organisation: where
          for i, sites in p.get("sites", ())}
    parts = [_("open major finding(s): %(ids)s", ids=", ".join(i + at.get(i, "") for i in p.get("open", r.findings)))
             ] if p.get("open", r.findings) else []
    for fid, lacks in p.get("incomplete", ()):
        parts.append(_("major finding %(id)s closed without %(lacks)s: it counts as open", id=fid,
                       lacks=_(" or ").join(MAJOR_CLOSURE_WORDS[x] for x in lacks)))
    for clause, ids in p.get("systemic", ()):
        parts.append(_("%(count)s open minor findings against %(clause)s (%(ids)s): %(threshold)s or more count as a "
                       "major (systemic)", count=len(ids), clause=clause, ids=id_list(ids), threshold=p["threshold"]))
    return "; ".join(parts)


@reason("gate-concerns-open", names_findings=True)
def _gate_concerns_open(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    if not full:
        return ngettext("%(num)s area of concern from the certification body still open",
                        "%(num)s areas of concern from the certification body still open", len(r.findings))
    return _("area(s) of concern from the certification body still open: %(ids)s", ids=id_list(r.findings))


@reason("gate-evidence-missing")
def _gate_evidence_missing(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    leaves = tuple(dict.fromkeys(n for n, _kind in p["leaves"]))
    return _("%(count)s of %(total)s applicable clauses without evidence behind them: %(clauses)s",
             count=len(leaves), total=p["total"],
             clauses=id_list(f"{n} ({UNEVIDENCED_WORDS[c]})" for n, c in p["leaves"]))


@reason("gate-evidence-behind")
def _gate_evidence_behind(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    return _("every one of the %(count)s applicable clauses has evidence of its own behind it", count=p["count"])


@reason("gate-documents-lapsed", standard=True)
def _gate_documents_lapsed(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact,
                           std: StandardWords) -> str:
    parts = [_("not current on this date: %(documents)s", documents=id_list(std.title(c) for c in p["documents"]))
             ] if p["documents"] else []
    if p["gaps"]:
        parts.append(_("mandatory documents missing or past review: %(gaps)s",
                       gaps=id_list(f"{c} ({MANDATORY_WORDS.word(s)})" for c, s in p["gaps"])))
    return "; ".join(parts)


@reason("gate-documents-current")
def _gate_documents_current(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    return (_("scope, policy, objectives and mandatory documents current on this date: %(ids)s",
              ids=id_list(r.evidence)) if full else
            _("scope, policy, objectives and mandatory documents current on this date"))


@reason("gate-concerns-resolved")
def _gate_concerns_resolved(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    return _("no area of concern from the certification body is open")


@reason("gate-stage1-not-held")
def _gate_stage1_not_held(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    if not p["date"]:
        return _("no stage 1 audit held by this date and none is booked: there is no stage 1 report whose areas of "
                 "concern could be resolved yet")
    return _("no stage 1 audit held by this date (booked for %(date)s): there is no stage 1 report whose areas of "
             "concern could be resolved yet", date=prose_date(p["date"]))


@reason("gate-nothing-examined")
def _gate_nothing_examined(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    return _("nothing to judge yet: no internal audit record mapped to %(clause)s is dated within the last "
             "%(window)s months (since %(since)s); until the system is audited, no finding on record shows only "
             "that nobody has looked", clause=p["clause"], window=p["window"], since=prose_date(p["since"]))


@reason("gate-no-major")
def _gate_no_major(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    return _("no open major finding")


@reason("certificate-valid")
def _certificate_valid(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    if p["expires"]:
        return _("the certificate is valid on this date (expires %(date)s)", date=prose_date(p["expires"]))
    return _("the certificate is valid on this date")


@reason("certificate-not-yet-valid")
def _certificate_not_yet_valid(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    return _("not yet certified: the certificate recorded is issued only on %(date)s, after this date",
             date=prose_date(p["issued"]))


@reason("certificate-expired")
def _certificate_expired(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    return _("certificate expired on %(date)s: not certified on this date", date=prose_date(p["expires"]))


@reason("certificate-past-transition")
def _certificate_past_transition(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    where = _("organisation.yaml's transition deadline") if p["source"] == "organisation" else _(
        "the reported transition deadline (%(confidence)s confidence; confirm with your certification body)",
        confidence=p["confidence"])
    return _past_transition(p, where)


def _past_transition(p: Mapping[str, Any], where: str) -> str:
    return _("the %(edition)s certificate expires on %(expires)s, after %(where)s of %(deadline)s: it must move to "
             "%(to)s by %(deadline)s, or it ends then", edition=p["edition"], expires=prose_date(p["expires"]),
             where=where, deadline=prose_date(p["deadline"]), to=p["to"])


@reason("gate-edition-ok")
def _gate_edition_ok(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    on = _(" on %(date)s", date=prose_date(p["stage2"])) if p["stage2"] else \
        _(" (no stage 2 date booked: judged on this date)")
    if not p["applies"]:
        return _("stage 2 to %(edition)s%(on)s", edition=p["edition"], on=on)
    if not p["new_from"]:
        return _("stage 2 to %(edition)s%(on)s; no date is known from which it must be to %(to)s",
                 edition=p["edition"], on=on, to=p["to"])
    return _("stage 2 to %(edition)s%(on)s, before new certifications must use %(to)s (from %(date)s, reported)",
             edition=p["edition"], on=on, to=p["to"], date=prose_date(p["new_from"]))


@reason("gate-edition-provisional", "gate-edition-refused")
def _gate_edition_provisional(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    said = _("stage 2 to %(edition)s on %(stage2)s, on or after the date new certifications must use %(to)s "
             "(%(new_from)s, reported as %(reported)s; %(confidence)s confidence; sources: %(sources)s)",
             edition=p["edition"], stage2=prose_date(p["stage2"]), to=p["to"], new_from=prose_date(p["new_from"]),
             reported=p["reported"], confidence=p["confidence"],
             sources="; ".join(x for x in p["sources"] if x.startswith("https://")) or "docs/editions.md")
    if code == "gate-edition-provisional":
        return _("warning: %(said)s. The date is provisional, so this check warns but does not fail: confirm with "
                 "your certification body, or book the stage 2 to %(to)s", said=said, to=p["to"])
    return _("%(said)s: book the stage 2 to %(to)s", said=said, to=p["to"])


@to_auditor("certificate-past-transition")
def _certificate_past_transition_to_auditor(r: Reason, p: Mapping[str, Any], code: str, full: bool,
                                            redact: Redact) -> str:
    where = _("the organisation's transition deadline") if p["source"] == "organisation" else _(
        "the reported transition deadline (%(confidence)s confidence; to be confirmed with the certification body)",
        confidence=p["confidence"])
    return _past_transition(p, where)
