"""Reasons into words: one registry of reason codes (as flake8 registers its checks).

Each code assess can emit is registered once, with its sentence, the sentence for pages an auditor reads where
that differs, and whether it names audit findings. ``describe`` and ``Words`` look a code up here; nothing else
keeps a list of codes (FINDING_CODES is derived from the registry)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, Callable, Mapping, Optional, Sequence

from isoready.assess import Reason
from isoready.model import DEFAULT_STANDARD
from isoready.read.catalog import load_catalog
from isoready.core.i18n import N_, gettext as _, ngettext, prose_date as D
from isoready.views.labels import GRADE_WORDS, NOUNS, STATUS_WORDS, Translated, id_list, plural

# --------------------------------------------------------------------------- reasons into words

#: a gate check's name where its standard's data gives none (gates.yaml's ``title:``): plain words for its
#: contracted id, followed by the clauses it looks at
GATE_TITLES = Translated({
    "scope": N_("Scope documented"),
    "policy": N_("Policy documented"),
    "objectives": N_("Objectives documented"),
    "context": N_("Context and interested parties determined"),
    "processes": N_("Processes determined"),
    "risks": N_("Risks and opportunities addressed"),
    "mandatory-documents": N_("Mandatory documents maintained and reviewed"),
    "internal-audit-performed": N_("Internal audit planned and performed"),
    "management-review-performed": N_("Management review planned and performed"),
    "all-clauses-ready": N_("Every applicable clause ready"),
    "internal-audit-coverage": N_("Internal audits within the window cover every applicable clause"),
    "management-review": N_("Management review within the window, after the audits"),
    "no-open-major": N_("No open major nonconformity"),
    "no-overdue-actions": N_("Corrective actions on time and verified"),
    "mandatory-records": N_("Every mandatory record retained, within its window"),
    "stage1-concerns-resolved": N_("Areas of concern from the stage 1 audit resolved"),
    "evidence-behind-every-clause": N_("Evidence of its own behind every applicable clause"),
    "documents-current": N_("Scope, policy, objectives and mandatory documents still current"),
    "edition-accepted": N_("Stage 2 booked to an edition the certification body may still certify"),
})
#: a standard's words where its data names none (standard.yaml's ``words:``)
SYSTEM_WORDS = Translated({"system": N_("management system"), "system_short": N_("management system"),
                           "policy": N_("policy"),
                "objectives": N_("objectives")})


@dataclass(frozen=True)
class StandardWords:
    """The words a portal takes from its standard's data: the standard's name, its system's words, each gate
    check's title and what its missing evidence would show, and the clause of each role. Built once per build
    from the project's catalog (``of``); reasons that name a gate check or a role are worded with it."""

    name: str = ""  # "ISO 9001:2015"
    family: str = ""  # "ISO 9001"
    words: Mapping[str, str] = field(default_factory=dict)
    titles: Mapping[str, str] = field(default_factory=dict)
    missing: Mapping[str, str] = field(default_factory=dict)
    nouns: Mapping[str, str] = field(default_factory=dict)  # check id -> "document" or "evidence"
    roles: Mapping[str, str] = field(default_factory=dict)
    conditions: Mapping[str, str] = field(default_factory=dict)  # applies: key -> its words (standard.yaml)
    inputs: Mapping[str, str] = field(default_factory=dict)  # review input key -> its words (review_inputs:)
    sites: Mapping[str, str] = field(default_factory=dict)  # a site's id -> its name (organisation.yaml sites:)

    @classmethod
    def of(cls, catalog: Any) -> "StandardWords":
        titles, missing, nouns = {}, {}, {}
        for g in catalog.gates:
            titles[g.id] = g.title or (f"{GATE_TITLES.get(g.id, g.id)} ({', '.join(g.clauses)})" if g.clauses
                                       else GATE_TITLES.get(g.id, g.id))
            if g.missing:
                missing[g.id] = g.missing
            nouns[g.id] = "document" if g.option("record_kind") == "document" else "evidence"
        return cls(catalog.standard, catalog.standard.rsplit(":", 1)[0], {**SYSTEM_WORDS, **catalog.words},
                   titles, missing, nouns, dict(catalog.roles),
                   {k: c["words"] for k, c in catalog.conditions.items()}, dict(catalog.review_input_words))

    def word(self, key: str) -> str:
        """One of the system's words (``system``, ``system_short``, ``policy``, ``objectives``)."""
        return self.words.get(key) or SYSTEM_WORDS[key]

    def input(self, key: str) -> str:
        """A management review input in the standard's words (its key, where the data gives none)."""
        return self.inputs.get(key) or key.replace("-", " ")

    def condition(self, key: str) -> str:
        """A condition of organisation.yaml's applies: in the standard's words (its key's, where it names none)."""
        return self.conditions.get(key) or key.replace("_", " ")

    def title(self, check: str) -> str:
        """A gate check's name on the pages."""
        return self.titles.get(check) or GATE_TITLES.get(check, check)


@lru_cache(maxsize=1)
def default_words() -> StandardWords:
    """The words of the default standard, for a reason worded with no project at hand (``describe`` alone)."""
    return StandardWords.of(load_catalog(DEFAULT_STANDARD))


#: what a leaf lacks, in the stage 2 evidence-behind-every-clause check (assess.UNEVIDENCED)
UNEVIDENCED_WORDS = Translated({"no-evidence": N_("no evidence"),
                                "parent-document-only": N_("a document on a clause above only"),
                     "review-inputs-no-review": N_("no management review in the window"),
                     "review-inputs-unknown": N_("review inputs not listed"),
                     "review-inputs-missing": N_("review inputs missing")})
LAPSE_WORDS = Translated({"review-due": N_("review falls due"), "window-closes": N_("record leaves its window"),
               "finding-due": N_("corrective action falls due"), "target": N_("target date passes"),
               "calibration-due": N_("calibration falls due"), "competence-expires": N_("competence expires"),
               "evaluation-due": N_("supplier evaluation falls due")})


def _di_sentence(p: Mapping[str, Any], code: str, ids: tuple[str, ...], full: bool, std: "StandardWords") -> str:
    label, noun = f"{p['clause']} {p['what']}", p["noun"]
    if code == "di-not-required":
        return _("%(label)s: not required, the clause is not applicable", label=label)
    q = {"label": label, "window": p.get("window"), "id": ids[0] if ids and full else "", "noun": NOUNS.word(noun),
         "date": D(p.get("date") or ""), "review_by": D(p.get("review_by") or ""), "ids": id_list(ids),
         "count": _counted(len(ids), noun)}
    if code == "di-in-window":  # a withheld record's date is withheld too
        return (_("%(label)s: latest record %(id)s dated %(date)s, within %(window)s months") if full else
                _("%(label)s: a record within the last %(window)s months")) % q
    if code == "di-until-review":  # a withheld record's dates are withheld too
        return (_("%(label)s: latest record %(id)s dated %(date)s, valid until its review date %(review_by)s")
                if full else _("%(label)s: a record valid until its review date")) % q
    if code == "di-review-passed":
        return (_("%(label)s: no record still valid (%(id)s was valid until %(review_by)s)") if full else
                _("%(label)s: no record still valid (the latest record's review date has passed)")) % q
    if code == "di-out-of-window":  # a withheld latest record: its date is not for this audience either
        if not full:
            return _("%(label)s: no record within the last %(window)s months") % q
        when = _("the latest is dated %(date)s", date=D(p["latest"])) if p["latest"] else \
            _("no record carries a date")
        return _("%(label)s: no record within the last %(window)s months (%(when)s)", when=when, **q)
    if code == "di-present":
        return (_("%(label)s: %(noun)s %(ids)s present") if full else _("%(label)s: %(count)s present")) % q
    if code == "di-review-overdue":
        return (_("%(label)s: present, review overdue since %(review_by)s (%(noun)s %(ids)s)") if full else
                _("%(label)s: present, review overdue (%(count)s)")) % q
    if code == "di-conditional":
        return _("%(label)s: no %(noun)s mapped; it is needed %(when)s", when=_lower_first(p["when"]), **q)
    if code == "di-condition-false":
        return _("%(label)s: not required: organisation.yaml declares that %(condition)s does not apply",
                 condition=std.condition(p["condition"]), **q)
    if code == "di-condition-undeclared":
        return _("%(label)s: declare whether %(condition)s applies (applies: %(key)s: true or false in "
                 "organisation.yaml); the record is needed %(when)s", label=label, key=p["condition"],
                 condition=std.condition(p["condition"]), when=_lower_first(p["when"]))
    if code == "di-condition-evidence":
        return _("%(label)s: %(condition)s applies and current evidence is mapped%(named)s; this record is needed "
                 "%(when)s", label=label, condition=std.condition(p["condition"]),
                 named=f" ({id_list(ids)})" if full else "", when=_lower_first(p["when"]))
    if code == "di-condition-no-evidence":
        return _("%(label)s: %(condition)s is declared to apply, but no current evidence is mapped to %(clause)s to "
                 "show it is controlled", label=label, condition=std.condition(p["condition"]), clause=p["clause"])
    if p.get("declared_true"):
        return _("%(label)s: required, since the condition is declared to apply, but no current %(noun)s is mapped",
                 label=label, noun=NOUNS.word(noun))
    return _("%(label)s: no current %(noun)s mapped to %(clause)s", label=label, noun=NOUNS.word(noun),
             clause=p["clause"])  # di-missing


def _counted(n: int, noun: str) -> str:
    """``n`` documents, records or pieces of evidence."""
    if noun == "document":
        return ngettext("%(num)s document", "%(num)s documents", n)
    if noun == "record":
        return ngettext("%(num)s record", "%(num)s records", n)
    return ngettext("%(num)s evidence", "%(num)s evidences", n) if noun == "evidence" else plural(n, noun)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


Redact = Callable[[str], str]
#: the sentence for one reason: (reason, its params, its code, full, redact) -> text
Wording = Callable[[Reason, Mapping[str, Any], str, bool, Redact], str]


@dataclass(frozen=True)
class ReasonWords:
    """One reason code's entry in the registry: its sentence (every page, the exports), the sentence for pages an
    auditor reads where it differs (``to_auditor``), and whether it names audit findings (then a public build that
    does not publish findings words it as FINDINGS_UNPUBLISHED_TEXT)."""

    code: str
    words: Wording
    to_auditor: Optional[Wording] = None
    names_findings: bool = False
    #: its sentence names a gate check or a role's clause: ``words`` takes the standard's words (``std=``)
    uses_standard: bool = False


#: every reason code assess can emit, registered once with its wording (as flake8 registers its checks)
REASONS: dict[str, ReasonWords] = {}


def reason(*codes: str, names_findings: bool = False, standard: bool = False) -> Callable[[Wording], Wording]:
    """Register ``words`` as the sentence of each of ``codes``; a code registered twice is a bug. With
    ``standard``, ``words`` also takes the standard's words (``std``: StandardWords)."""
    def register(words: Wording) -> Wording:
        for code in codes:
            if code in REASONS:
                raise ValueError(f"reason code {code!r} registered twice")
            REASONS[code] = ReasonWords(code, words, None, names_findings, standard)
        return words
    return register


def to_auditor(*codes: str) -> Callable[[Wording], Wording]:
    """Register ``words`` as the sentence of each of ``codes`` on a page an auditor reads (the transition page)."""
    def register(words: Wording) -> Wording:
        for code in codes:
            REASONS[code] = replace(REASONS[code], to_auditor=words)
        return words
    return register


# --------------------------------------------------------------------------- the words of each reason code


@reason("di-not-required", "di-in-window", "di-until-review", "di-review-passed", "di-out-of-window",
        "di-present", "di-review-overdue", "di-conditional", "di-condition-false", "di-condition-undeclared",
        "di-condition-evidence", "di-condition-no-evidence", "di-missing", standard=True)
def _documented_information(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact,
                            std: StandardWords) -> str:
    said = _di_sentence(p, code, r.evidence, full, std)
    return _("declared %(status)s, but %(reason)s", status=STATUS_WORDS.word(p["declared"]), reason=said) \
        if p.get("declared") else said


@reason("status-not-done")
def _status_not_done(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    src = _(" (from %(clause)s)", clause=p["inherited_from"]) if p["inherited_from"] else ""
    due = _(", target %(date)s", date=D(p["target"])) if p["target"] else ""
    return _("status is %(status)s%(source)s%(target)s; ready needs implemented or verified",
             status=STATUS_WORDS.word(p["status"]), source=src, target=due)


@reason("finding-open", "finding-open-overdue", names_findings=True)
def _finding_open(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    where = _(" (raised on %(clauses)s)", clauses=", ".join(p["raised_on"])) if p["raised_on"] else ""
    named = f" {r.findings[0]}" if full else ""
    late = "" if code != "finding-open-overdue" else _(", action overdue since %(date)s", date=D(p["due"])) \
        if full else _(", action overdue")  # a withheld finding's dates are withheld too
    closes = _(", closed only on %(date)s (after this date)", date=D(p["closes"])) if p.get("closes") and full else ""
    return _("open %(grade)s finding%(id)s%(where)s%(late)s%(closes)s", grade=GRADE_WORDS.word(p["grade"]), id=named,
             where=where, late=late, closes=closes)


@reason("systemic", names_findings=True)
def _systemic(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    named = f" ({id_list(r.findings)})" if full else ""
    return _("systemic failure: %(count)s open minor findings against %(clause)s%(ids)s; %(threshold)s or more "
             "against one requirement count as a major", count=p["count"], clause=p["clause"], ids=named,
             threshold=p["threshold"])


@reason("finding-overdue", names_findings=True)
def _finding_overdue(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    if not full:
        return _("corrective action for %(grade)s finding overdue", grade=GRADE_WORDS.word(p["grade"]))
    return _("corrective action for %(grade)s finding %(id)s overdue since %(date)s",
             grade=GRADE_WORDS.word(p["grade"]),
             id=r.findings[0], date=D(p["due"]))


@reason("finding-unverified", names_findings=True)
def _finding_unverified(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    named = f" {r.findings[0]}" if full else ""
    if p.get("not_effective"):
        return _("%(grade)s finding%(id)s closed, but its verification found the action not effective",
                 grade=GRADE_WORDS.word(p["grade"]), id=named)
    return _("%(grade)s finding%(id)s closed without a verification that the action was effective",
             grade=GRADE_WORDS.word(p["grade"]), id=named)


@reason("not-verified")
def _not_verified(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    named = f" {r.evidence[0]}" if full and r.evidence else ""
    if p["problem"] == "no-verified-by":
        return _("declared verified, but no verified_by names the audit that verified it: treated as implemented")
    if p["problem"] == "not-yet":
        return _("declared verified, but the audit record%(id)s it names does not exist on this date: treated as "
                 "implemented", id=named)
    return _("declared verified, but the audit%(id)s it names did not cover it and raised findings: treated as "
             "implemented", id=named)


@reason("review-inputs-no-review", standard=True)
def _review_inputs_no_review(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact,
                             std: StandardWords) -> str:
    clause = std.roles.get("review_inputs")
    if clause:
        return _("no management review record within the last %(window)s months shows the inputs %(clause)s asks "
                 "for", window=p["window"], clause=clause)
    return _("no management review record within the last %(window)s months shows the inputs a review must "
             "consider", window=p["window"])


@reason("review-inputs-unknown")
def _review_inputs_unknown(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    named = _(" %(id)s of %(date)s", id=r.evidence[0], date=D(p["date"])) if full else ""
    return _("the management review minutes%(named)s list no inputs: nothing shows what the review considered "
             "(list them under inputs: in the minutes' record)", named=named)


@reason("review-inputs-missing", standard=True)
def _review_inputs_missing(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact,
                           std: StandardWords) -> str:
    missing = ", ".join(std.input(i) for i in p["missing"])
    if not full:
        return _("the management review does not show these inputs: %(missing)s", missing=missing)
    return _("the management review %(id)s of %(date)s does not show these inputs: %(missing)s", id=r.evidence[0],
             date=D(p["date"]), missing=missing)


@reason("no-evidence")
def _no_evidence(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    return _("declared %(status)s, but no current evidence is mapped to it or to a clause above it: nothing shows "
             "it in place", status=STATUS_WORDS.word(p["status"]))


@reason("parent-document-only")
def _parent_document_only(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    named = f" ({id_list(r.evidence)})" if full else ""
    return _("declared %(status)s, but documented, not shown in operation: only a document on %(on)s%(named)s is "
             "behind it; map a record or evidence to the clause itself", status=STATUS_WORDS.word(p["status"]),
             on=id_list(p["on"]), named=named)


@reason("evidence-stale")
def _evidence_stale(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    if not full:  # a withheld record's own dates are not for this audience either
        return _("stale evidence not shown in this build")
    return _("stale evidence %(id)s (review was due %(date)s)", id=r.evidence[0], date=D(p["review_by"]))


@reason("document-changed-since-approval")
def _document_changed_since_approval(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    if not full:
        return _("a document changed after its approval (not shown in this build)")
    more = _(" and %(more)s more", more=p["count"] - 1) if p["count"] > 1 else ""
    return _("document %(id)s changed since its approval on %(approved)s: commit %(commit)s of %(date)s "
             "(%(subject)s)%(more)s; re-approve it or revert the change", id=r.evidence[0],
             approved=D(p["approved"]), commit=p["commit"], date=D(p["date"]), subject=p["subject"], more=more)


@reason("ready")
def _ready(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    return _("declared %(status)s; no gap, stale evidence or open nonconformity", status=STATUS_WORDS.word(p["status"]))


@reason("not-applicable")
def _not_applicable(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    return _("not applicable (declared on %(clause)s): %(why)s", clause=p["declared_on"],
             why=redact(p["justification"])).rstrip(": ")


@reason("no-applicable-subclause")
def _no_applicable_subclause(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    return _("none of its sub-clauses is applicable")


@reason("subclauses-ready")
def _subclauses_ready(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    return ngettext("all %(num)s applicable sub-clause ready", "all %(num)s applicable sub-clauses ready", p["count"])


@reason("subclauses-not-ready", "subclauses-at-risk")
def _subclauses_not_ready(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    if code == "subclauses-not-ready":
        return _("%(count)s of %(total)s applicable sub-clauses not ready: %(clauses)s", count=len(p["clauses"]),
                 total=p["total"], clauses=id_list(p["clauses"]))
    return _("%(count)s of %(total)s applicable sub-clauses at risk: %(clauses)s", count=len(p["clauses"]),
             total=p["total"], clauses=id_list(p["clauses"]))


@reason("topic-addressed")
def _topic_addressed(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    return _("addressed by %(ids)s", ids=id_list(r.evidence)) if full else \
        ngettext("addressed by %(num)s record", "addressed by %(num)s records", len(r.evidence))


@reason("topic-stale")
def _topic_stale(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    if not full:
        return _("only evidence past its review date names it")
    return _("only evidence past its review date names it (%(ids)s, review was due %(date)s)",
             ids=id_list(r.evidence), date=D(p["review_by"]))


@reason("new-requirement-unevidenced")
def _new_requirement_unevidenced(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    what = _("new in %(edition)s", edition=p["edition"]) if p["change"] == "new" else \
        _("changed in %(edition)s", edition=p["edition"])
    named, n = (f" ({id_list(r.evidence)})" if full and r.evidence else ""), len(r.evidence)
    older = "" if not r.evidence else ngettext(
        "; %(num)s record mapped to it predates the move", "; %(num)s records mapped to it predate the move", n) \
        if p.get("since") else ngettext("; %(num)s record mapped to it is not dated after a recorded move",
                                        "; %(num)s records mapped to it are not dated after a recorded move", n)
    ways = [_("dated after %(date)s", date=D(p["since"]))] if p.get("since") else []
    ways += [_("naming the topic (%(topics)s)", topics=", ".join(p["topics"]))] if p["topics"] else []
    how = _("map a current record %(ways)s", ways=_(" or ").join(ways)) if ways else \
        _("map a current record dated after the move")
    unknown = "" if p.get("since") else _(" (record the day of the move as migrated: in organisation.yaml)")
    return _("%(what)s: no evidence for the new requirement yet%(older)s%(named)s; %(how)s%(unknown)s", what=what,
             older=older, named=named, how=how, unknown=unknown)


@reason("topic-unmapped")
def _topic_unmapped(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    named = id_list(r.evidence) if full else _counted(len(r.evidence), "record")
    return _("named by %(named)s, but not mapped to %(clauses)s: a keyword is not evidence; map the record that "
             "addresses it to one of those clauses", named=named, clauses=id_list(p["clauses"]))


@reason("topic-gap")
def _topic_gap(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    return _("no current evidence names it: add 'topics: [%(topic)s]' to the records that address it", topic=p["topic"])


@reason("climate-undetermined", "gate-climate-undetermined")
def _climate_undetermined(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    lead = "" if code == "climate-undetermined" else \
        _("the context (%(clauses)s) is not understood: ", clauses=id_list(p["clauses"]))
    later = _(" (the decision in organisation.yaml is dated %(date)s, after this date)", date=D(p["decided"])) \
        if p.get("decided") else ""
    return _("%(lead)sno climate-change determination%(later)s: since Amendment 1:2024 the organisation must decide "
             "whether climate change is a relevant issue; record it as current evidence mapped to %(clause)s with "
             "'topics: [%(topic)s]', or as 'climate_change: {relevant: true or false, decided: YYYY-MM-DD}' in "
             "organisation.yaml", lead=lead, later=later, clause=p["clause"], topic=p["topic"])


@to_auditor("topic-gap")
def _topic_gap_to_auditor(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    return _("no current record mapped to its clauses addresses it")


@to_auditor("topic-unmapped")
def _topic_unmapped_to_auditor(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    named = id_list(r.evidence) if full else _counted(len(r.evidence), "record")
    return _("named by %(named)s, which is not mapped to %(clauses)s: a keyword alone is not evidence", named=named,
             clauses=id_list(p["clauses"]))


def describe(r: Reason, full: bool, redact: Redact = lambda t: t, std: Optional[StandardWords] = None) -> str:
    """The sentence for one reason. ``full``: the audience may see every record it names; otherwise the
    sentence names none of them (and says nothing a withheld record alone would give away). ``std``: the
    words of the project's standard (the default standard's when not given)."""
    if r.code not in REASONS:
        raise KeyError(f"no wording for reason code {r.code!r}")  # a rule added without words is a bug
    entry = REASONS[r.code]
    if entry.uses_standard:
        return entry.words(r, dict(r.params), r.code, full, redact, std or default_words())  # type: ignore[call-arg]
    return entry.words(r, dict(r.params), r.code, full, redact)


def describe_to_auditor(r: Reason, full: bool, redact: Redact = lambda t: t,
                        std: Optional[StandardWords] = None) -> str:
    """The sentence for a page an auditor reads (the transition page): facts about the register, never a file
    name, a YAML key to add or a docs path; the team's instructions stay on the dashboard and in readiness.json."""
    entry = REASONS.get(r.code)
    if entry is not None and entry.to_auditor is not None:
        return entry.to_auditor(r, dict(r.params), r.code, full, redact)
    return describe(r, full, redact, std)


def names_findings(code: str) -> bool:
    """Whether reasons of ``code`` are about audit findings (registered with names_findings=True)."""
    entry = REASONS.get(code)
    return entry is not None and entry.names_findings


def __getattr__(name: str) -> Any:
    """FINDING_CODES: the reasons about audit findings (registered with names_findings=True), read from the registry
    when asked, once every module has registered its codes (gatereasons.py registers some); a public build that
    does not publish findings words them without count or grade."""
    if name == "FINDING_CODES":
        return tuple(code for code, words in REASONS.items() if words.names_findings)
    raise AttributeError(name)


#: in a build that does not publish findings, every reason about them becomes this one sentence, said once per
#: clause (its code: FINDINGS_UNPUBLISHED), so that nothing about them can be counted
FINDINGS_UNPUBLISHED_TEXT = N_("open actions, not published in this build")  # said through gettext
FINDINGS_UNPUBLISHED = "findings-not-published"
#: what the findings page, the gap report, the report and the workbook say instead, findings or none
FINDINGS_NOT_PUBLISHED = N_("Audit findings are not published in this build.")  # said through gettext
#: what a closed major lacks to count as closed for the gates (assess.MAJOR_CLOSURE)
MAJOR_CLOSURE_WORDS = Translated({"root-cause": N_("a root cause"), "corrective-action": N_("a corrective action"),
                       "verification": N_("an effective verification dated on or after closing and by this date")})


class Words:
    """Sentences for one audience: withheld ids are dropped as each sentence is made."""

    def __init__(self, visible_evidence: set[str], visible_findings: set[str], redact: Callable[[str], str],
                 findings_published: bool = True, std: Optional[StandardWords] = None,
                 catalog_words: Optional[Mapping[str, str]] = None):
        self.visible_evidence, self.visible_findings, self.redact = visible_evidence, visible_findings, redact
        self.findings_published = findings_published
        self.std = std  # the project's standard's words (None: the default standard's)
        #: the catalog's English words (a documented information's what and when, which assess keeps) -> the
        #: build's language; empty in English
        self.catalog_words = catalog_words or {}

    def spoken(self, r: Reason) -> Reason:
        """``r`` with the catalog's words among its parameters in the build's language."""
        if not self.catalog_words or not any(k in ("what", "when") for k, _v in r.params):
            return r
        return replace(r, params=tuple((k, self.catalog_words.get(v, v) if k in ("what", "when") and
                                        isinstance(v, str) else v) for k, v in r.params))

    def full(self, r: Reason) -> bool:
        return all(e in self.visible_evidence for e in r.evidence) and all(
            f in self.visible_findings for f in r.findings)

    def __call__(self, r: Reason) -> str:
        if not self.findings_published and names_findings(r.code):
            return _(FINDINGS_UNPUBLISHED_TEXT)
        return describe(self.spoken(r), self.full(r), self.redact, self.std)

    def to_auditor(self, r: Reason) -> str:
        """The sentence for a page that speaks to an auditor (describe_to_auditor)."""
        return describe_to_auditor(self.spoken(r), self.full(r), self.redact, self.std)

    def all(self, reasons: Sequence[Reason]) -> tuple[tuple[str, str], ...]:
        """Each reason's sentence and code; where findings are not published, the reasons about them are one
        sentence, said once (so the number of findings behind a clause cannot be counted)."""
        out: list[tuple[str, str]] = []
        for r in reasons:
            if not self.findings_published and names_findings(r.code):
                if (_(FINDINGS_UNPUBLISHED_TEXT), FINDINGS_UNPUBLISHED) not in out:
                    out.append((_(FINDINGS_UNPUBLISHED_TEXT), FINDINGS_UNPUBLISHED))
                continue
            out.append((self(r), r.code))
        return tuple(out)
