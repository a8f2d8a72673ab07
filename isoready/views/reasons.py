"""Reasons into words: one registry of reason codes (as flake8 registers its checks).

Each code assess can emit is registered once, with its sentence, the sentence for pages an auditor reads where
that differs, and whether it names audit findings. ``describe`` and ``Words`` look a code up here; nothing else
keeps a list of codes (FINDING_CODES is derived from the registry).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, Callable, Mapping, Optional, Sequence

from isoready.assess import Reason
from isoready.model import DEFAULT_STANDARD
from isoready.read.catalog import load_catalog
from isoready.views.labels import id_list, plural

# --------------------------------------------------------------------------- reasons into words

#: a gate check's name where its standard's data gives none (gates.yaml's ``title:``): plain words for its
#: contracted id, followed by the clauses it looks at
GATE_TITLES = {
    "scope": "Scope documented",
    "policy": "Policy documented",
    "objectives": "Objectives documented",
    "context": "Context and interested parties determined",
    "processes": "Processes determined",
    "risks": "Risks and opportunities addressed",
    "mandatory-documents": "Mandatory documents maintained and reviewed",
    "internal-audit-performed": "Internal audit planned and performed",
    "management-review-performed": "Management review planned and performed",
    "all-clauses-ready": "Every applicable clause ready",
    "internal-audit-coverage": "Internal audits within the window cover every applicable clause",
    "management-review": "Management review within the window, after the audits",
    "no-open-major": "No open major nonconformity",
    "no-overdue-actions": "Corrective actions on time and verified",
    "mandatory-records": "Every mandatory record retained, within its window",
    "stage1-concerns-resolved": "Areas of concern from the stage 1 audit resolved",
    "evidence-behind-every-clause": "Evidence of its own behind every applicable clause",
    "documents-current": "Scope, policy, objectives and mandatory documents still current",
    "edition-accepted": "Stage 2 booked to an edition the certification body may still certify",
}
#: a standard's words where its data names none (standard.yaml's ``words:``)
SYSTEM_WORDS = {"system": "management system", "system_short": "management system", "policy": "policy",
                "objectives": "objectives"}


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
UNEVIDENCED_WORDS = {"no-evidence": "no evidence", "parent-document-only": "a document on a clause above only",
                     "review-inputs-no-review": "no management review in the window",
                     "review-inputs-unknown": "review inputs not listed",
                     "review-inputs-missing": "review inputs missing"}
LAPSE_WORDS = {"review-due": "review falls due", "window-closes": "record leaves its window",
               "finding-due": "corrective action falls due", "target": "target date passes",
               "calibration-due": "calibration falls due", "competence-expires": "competence expires",
               "evaluation-due": "supplier evaluation falls due"}


def _di_sentence(p: Mapping[str, Any], code: str, ids: tuple[str, ...], full: bool, std: "StandardWords") -> str:
    label, noun = f"{p['clause']} {p['what']}", p["noun"]
    if code == "di-not-required":
        return f"{label}: not required, the clause is not applicable"
    if code == "di-in-window":
        if not full:  # a withheld record's date is withheld too
            return f"{label}: a record within the last {p['window']} months"
        return f"{label}: latest record {ids[0]} dated {p['date']}, within {p['window']} months"
    if code == "di-until-review":
        if not full:  # a withheld record's dates are withheld too
            return f"{label}: a record valid until its review date"
        return f"{label}: latest record {ids[0]} dated {p['date']}, valid until its review date {p['review_by']}"
    if code == "di-review-passed":
        if not full:
            return f"{label}: no record still valid (the latest record's review date has passed)"
        return f"{label}: no record still valid ({ids[0]} was valid until {p['review_by']})"
    if code == "di-out-of-window":
        if not full:  # the latest record is withheld: its date is not for this audience either
            return f"{label}: no record within the last {p['window']} months"
        when = f"the latest is dated {p['latest']}" if p["latest"] else "no record carries a date"
        return f"{label}: no record within the last {p['window']} months ({when})"
    if code == "di-present":
        return f"{label}: {noun} {id_list(ids)} present" if full else f"{label}: {plural(len(ids), noun)} present"
    if code == "di-review-overdue":
        what = f"{noun} {id_list(ids)}" if full else plural(len(ids), noun)
        since = f" since {p['review_by']}" if full else ""
        return f"{label}: present, review overdue{since} ({what})"
    if code == "di-conditional":
        return f"{label}: no {noun} mapped; it is needed {_lower_first(p['when'])}"
    if code == "di-condition-false":
        return (f"{label}: not required: organisation.yaml declares that {std.condition(p['condition'])} "
                "does not apply")
    if code == "di-condition-undeclared":
        return (f"{label}: declare whether {std.condition(p['condition'])} applies (applies: "
                f"{p['condition']}: true or false in organisation.yaml); the record is needed {_lower_first(p['when'])}")
    if code == "di-condition-evidence":
        named = f" ({id_list(ids)})" if full else ""
        return (f"{label}: {std.condition(p['condition'])} applies and current evidence is mapped{named}; "
                f"this record is needed {_lower_first(p['when'])}")
    if code == "di-condition-no-evidence":
        return (f"{label}: {std.condition(p['condition'])} is declared to apply, but no current evidence is "
                f"mapped to {p['clause']} to show it is controlled")
    if p.get("declared_true"):
        return f"{label}: required, since the condition is declared to apply, but no current {noun} is mapped"
    return f"{label}: no current {noun} mapped to {p['clause']}"  # di-missing


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
    lead = f"declared {p['declared']}, but " if p.get("declared") else ""
    return lead + _di_sentence(p, code, r.evidence, full, std)


@reason("status-not-done")
def _status_not_done(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    src = f" (from {p['inherited_from']})" if p["inherited_from"] else ""
    due = f", target {p['target']}" if p["target"] else ""
    return f"status is {p['status']}{src}{due}; ready needs implemented or verified"


@reason("finding-open", "finding-open-overdue", names_findings=True)
def _finding_open(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    where = f" (raised on {', '.join(p['raised_on'])})" if p["raised_on"] else ""
    named = f" {r.findings[0]}" if full else ""
    since = f" since {p['due']}" if full else ""  # a withheld finding's dates are withheld too
    late = f", action overdue{since}" if code == "finding-open-overdue" else ""
    closes = f", closed only on {p['closes']} (after this date)" if p.get("closes") and full else ""
    return f"open {p['grade']} finding{named}{where}{late}{closes}"


@reason("systemic", names_findings=True)
def _systemic(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    named = f" ({id_list(r.findings)})" if full else ""
    return (f"systemic failure: {p['count']} open minor findings against {p['clause']}{named}; "
            f"{p['threshold']} or more against one requirement count as a major")


@reason("finding-overdue", names_findings=True)
def _finding_overdue(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    named = f" {r.findings[0]}" if full else ""
    since = f" since {p['due']}" if full else ""
    return f"corrective action for {p['grade']} finding{named} overdue{since}"


@reason("finding-unverified", names_findings=True)
def _finding_unverified(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    named = f" {r.findings[0]}" if full else ""
    if p.get("not_effective"):
        return f"{p['grade']} finding{named} closed, but its verification found the action not effective"
    return f"{p['grade']} finding{named} closed without a verification that the action was effective"


@reason("not-verified")
def _not_verified(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    named = f" {r.evidence[0]}" if full and r.evidence else ""
    if p["problem"] == "no-verified-by":
        why = "no verified_by names the audit that verified it"
    elif p["problem"] == "not-yet":
        why = f"the audit record{named} it names does not exist on this date"
    else:
        why = f"the audit{named} it names did not cover it and raised findings"
    return f"declared verified, but {why}: treated as implemented"


@reason("review-inputs-no-review", standard=True)
def _review_inputs_no_review(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact,
                             std: StandardWords) -> str:
    clause = std.roles.get("review_inputs")
    asks = f"the inputs {clause} asks for" if clause else "the inputs a review must consider"
    return f"no management review record within the last {p['window']} months shows {asks}"


@reason("review-inputs-unknown")
def _review_inputs_unknown(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    named = f" {r.evidence[0]} of {p['date']}" if full else ""
    return (f"the management review minutes{named} list no inputs: nothing shows what the review considered "
            "(list them under inputs: in the minutes' record)")


@reason("review-inputs-missing", standard=True)
def _review_inputs_missing(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact,
                           std: StandardWords) -> str:
    named = f" {r.evidence[0]} of {p['date']}" if full else ""
    missing = ", ".join(std.input(i) for i in p["missing"])
    return f"the management review{named} does not show these inputs: {missing}"


@reason("no-evidence")
def _no_evidence(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    return (f"declared {p['status']}, but no current evidence is mapped to it or to a clause above it: "
            "nothing shows it in place")


@reason("parent-document-only")
def _parent_document_only(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    named = f" ({id_list(r.evidence)})" if full else ""
    return (f"declared {p['status']}, but documented, not shown in operation: only a document on "
            f"{id_list(p['on'])}{named} is behind it; map a record or evidence to the clause itself")


@reason("evidence-stale")
def _evidence_stale(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    if not full:  # a withheld record's own dates are not for this audience either
        return "stale evidence not shown in this build"
    return f"stale evidence {r.evidence[0]} (review was due {p['review_by']})"


@reason("document-changed-since-approval")
def _document_changed_since_approval(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    if not full:
        return "a document changed after its approval (not shown in this build)"
    more = f" and {p['count'] - 1} more" if p["count"] > 1 else ""
    return (f"document {r.evidence[0]} changed since its approval on {p['approved']}: commit {p['commit']} "
            f"of {p['date']} ({p['subject']}){more}; re-approve it or revert the change")


@reason("ready")
def _ready(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    return f"declared {p['status']}; no gap, stale evidence or open nonconformity"


@reason("not-applicable")
def _not_applicable(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    return f"not applicable (declared on {p['declared_on']}): {redact(p['justification'])}".rstrip(": ")


@reason("no-applicable-subclause")
def _no_applicable_subclause(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    return "none of its sub-clauses is applicable"


@reason("subclauses-ready")
def _subclauses_ready(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    return f"all {plural(p['count'], 'applicable sub-clause')} ready"


@reason("subclauses-not-ready", "subclauses-at-risk")
def _subclauses_not_ready(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    word = "not ready" if code == "subclauses-not-ready" else "at risk"
    return f"{len(p['clauses'])} of {p['total']} applicable sub-clauses {word}: {id_list(p['clauses'])}"


@reason("gate-present")
def _gate_present(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    return f"present: {id_list(r.evidence)}" if full else f"present: {plural(len(r.evidence), 'record')}"


@reason("gate-missing", standard=True)
def _gate_missing(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact,
                  std: StandardWords) -> str:
    if p["check"] in std.missing:  # the check's words in its standard's data, on the clause it looked at
        return f"no current {std.nouns[p['check']]} mapped to {p['clause']} {std.missing[p['check']]}"
    return f"no current evidence mapped to {id_list(p.get('missing') or (p['clause'],))}"


@reason("gate-planned-only")
def _gate_planned_only(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    plan = f" ({id_list(r.evidence)})" if full else ""
    return (f"planned, not yet performed: a plan is present{plan}, but no {p['what']} record mapped to "
            f"{p['clause']} is dated within the last {p['window']} months (since {p['since']})")


@reason("gate-no-programme")
def _gate_no_programme(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    return f"an internal audit was performed, but no current document mapped to {p['clause']} sets out the programme"


@reason("gate-coverage-ok")
def _gate_coverage_ok(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    named = f" ({id_list(r.evidence)})" if full else ""
    return f"internal audits within the window{named} together cover all {p['total']} applicable clauses"


@reason("gate-review-before-audit")
def _gate_review_before_audit(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    if not full:
        return ("the latest management review is dated before the latest internal audit: review the audit "
                "results before the certification audit")
    return (f"the latest management review ({p['review']}) is dated before the latest internal audit "
            f"({p['audit']}): review the audit results before the certification audit")


@reason("gate-actions-ok")
def _gate_actions_ok(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    return "no corrective action overdue; every closed nonconformity has a verification of effectiveness"


@reason("gate-actions-late", names_findings=True)
def _gate_actions_late(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    parts = []
    if p["overdue"]:
        parts.append(f"overdue: {id_list(p['overdue'])}" if full else plural(len(p["overdue"]), "overdue action"))
    if p["unverified"]:
        parts.append(f"closed without verified effectiveness: {id_list(p['unverified'])}" if full
                     else plural(len(p["unverified"]), "closed finding") + " without verified effectiveness")
    return "; ".join(parts)


@reason("gate-mandatory-gaps")
def _gate_mandatory_gaps(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    noun = "document" if p["kind"] == "maintain" else "record"
    return (f"{len(p['gaps'])} of {plural(p['total'], 'mandatory ' + noun)} missing, review overdue or out of window: "
            + id_list(f"{c} ({s})" for c, s in p["gaps"]))


@reason("gate-mandatory-ok")
def _gate_mandatory_ok(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    noun = "document" if p["kind"] == "maintain" else "record"
    return f"all {plural(p['count'], 'required ' + noun)} present"


@reason("gate-recurring-ok")
def _gate_recurring_ok(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    if not full:
        return f"{p['what']} within {p['window']} months"
    return f"{p['what']} {r.evidence[0]} dated {p['date']}, within {p['window']} months"


@reason("gate-recurring-missing")
def _gate_recurring_missing(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    return (f"no {p['what']} record mapped to {p['clause']} dated within the last {p['window']} months "
            f"(since {p['since']})")


@reason("gate-coverage-gap")
def _gate_coverage_gap(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    more = []
    if p.get("before"):
        more.append(f"audited only before they were in place: {id_list(p['before'])}")
    if p.get("own"):
        more.append(f"audited only by their own owner: {id_list(p['own'])}")
    if p.get("empty"):
        more.append(f"audit records listing no clauses under 'covers': {id_list(p['empty'])}" if full
                    else plural(len(p["empty"]), "audit record") + " listing no clauses under 'covers'")
    extra = f"; {'; '.join(more)}" if more else ""
    return (f"{len(p['leaves'])} of {p['total']} applicable clauses not covered by an internal audit within "
            f"the window: {id_list(p['leaves'])} (list audited clauses under 'covers' on the audit records){extra}")


@reason("audited-before-in-place")
def _audited_before_in_place(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    where = "its assessment's since:" if p["source"] == "since" else "git: the commit that made it implemented"
    if not full:
        return (f"not covered by internal audit: audited only before it was in place (since {p['in_place']}, "
                f"from {where})")
    held = ", ".join(f"{i} of {d}" for i, d in zip(r.evidence, p["audited"]))
    return (f"not covered by internal audit: the audit ({held}) was held before it was in place (since "
            f"{p['in_place']}, from {where})")


@reason("auditor-own-work")
def _auditor_own_work(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    named = f" ({id_list(r.evidence)})" if full else ""
    return (f"not covered by internal audit: its owner, {redact(p['owner'])}, audited it{named}; auditors do not "
            "audit their own work")


@reason("gate-not-ready")
def _gate_not_ready(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    return f"{len(p['clauses'])} applicable clauses not ready: {id_list(p['clauses'])}"


@reason("gate-all-ready")
def _gate_all_ready(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    return f"all {p['count']} applicable clauses ready or at risk"


@reason("gate-major-open", names_findings=True)
def _gate_major_open(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    if not full:
        return plural(len(r.findings), "open major finding") if "open" not in p or not (
            p.get("incomplete") or p.get("systemic")) else plural(len(r.findings), "finding") + \
            " counting as an open major nonconformity"
    at = {i: f" (at {id_list(sites)})" for i, sites in p.get("sites", ())}  # a multi-site organisation: where
    parts = [f"open major finding(s): {', '.join(i + at.get(i, '') for i in p.get('open', r.findings))}"] \
        if p.get("open", r.findings) else []
    for fid, lacks in p.get("incomplete", ()):
        parts.append(f"major finding {fid} closed without {' or '.join(MAJOR_CLOSURE_WORDS[x] for x in lacks)}: "
                     "it counts as open")
    for clause, ids in p.get("systemic", ()):
        parts.append(f"{len(ids)} open minor findings against {clause} ({id_list(ids)}): {p['threshold']} or more "
                     "count as a major (systemic)")
    return "; ".join(parts)


@reason("gate-concerns-open", names_findings=True)
def _gate_concerns_open(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    if not full:
        return plural(len(r.findings), "area of concern") + " from the certification body still open"
    return f"area(s) of concern from the certification body still open: {id_list(r.findings)}"


@reason("gate-evidence-missing")
def _gate_evidence_missing(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    leaves = tuple(dict.fromkeys(n for n, _ in p["leaves"]))
    return (f"{len(leaves)} of {p['total']} applicable clauses without evidence behind them: "
            + id_list(f"{n} ({UNEVIDENCED_WORDS[c]})" for n, c in p["leaves"]))


@reason("gate-evidence-behind")
def _gate_evidence_behind(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    return f"every one of the {p['count']} applicable clauses has evidence of its own behind it"


@reason("gate-documents-lapsed", standard=True)
def _gate_documents_lapsed(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact,
                           std: StandardWords) -> str:
    parts = [f"not current on this date: {id_list(std.title(c) for c in p['documents'])}"] if p["documents"] else []
    if p["gaps"]:
        parts.append("mandatory documents missing or past review: " + id_list(f"{c} ({s})" for c, s in p["gaps"]))
    return "; ".join(parts)


@reason("gate-documents-current")
def _gate_documents_current(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    return (f"scope, policy, objectives and mandatory documents current on this date: {id_list(r.evidence)}"
            if full else "scope, policy, objectives and mandatory documents current on this date")


@reason("gate-concerns-resolved")
def _gate_concerns_resolved(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    return "no area of concern from the certification body is open"


@reason("gate-stage1-not-held")
def _gate_stage1_not_held(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    when = f" (booked for {p['date']})" if p["date"] else " and none is booked"
    return (f"no stage 1 audit held by this date{when}: there is no stage 1 report whose areas of concern "
            "could be resolved yet")


@reason("gate-nothing-examined")
def _gate_nothing_examined(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    return (f"nothing to judge yet: no internal audit record mapped to {p['clause']} is dated within the last "
            f"{p['window']} months (since {p['since']}); until the system is audited, no finding on record "
            "shows only that nobody has looked")


@reason("gate-no-major")
def _gate_no_major(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    return "no open major finding"


@reason("certificate-valid")
def _certificate_valid(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    return "the certificate is valid on this date" + (f" (expires {p['expires']})" if p["expires"] else "")


@reason("certificate-not-yet-valid")
def _certificate_not_yet_valid(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    return f"not yet certified: the certificate recorded is issued only on {p['issued']}, after this date"


@reason("certificate-expired")
def _certificate_expired(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    return f"certificate expired on {p['expires']}: not certified on this date"


@reason("certificate-past-transition")
def _certificate_past_transition(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    where = ("organisation.yaml's transition deadline" if p["source"] == "organisation" else
             f"the reported transition deadline ({p['confidence']} confidence; confirm with your certification body)")
    return (f"the {p['edition']} certificate expires on {p['expires']}, after {where} of {p['deadline']}: "
            f"it must move to {p['to']} by {p['deadline']}, or it ends then")


@reason("gate-edition-ok")
def _gate_edition_ok(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    on = f" on {p['stage2']}" if p["stage2"] else " (no stage 2 date booked: judged on this date)"
    if not p["applies"]:
        return f"stage 2 to {p['edition']}{on}"
    if not p["new_from"]:
        return f"stage 2 to {p['edition']}{on}; no date is known from which it must be to {p['to']}"
    return (f"stage 2 to {p['edition']}{on}, before new certifications must use {p['to']} "
            f"(from {p['new_from']}, reported)")


@reason("gate-edition-provisional", "gate-edition-refused")
def _gate_edition_provisional(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    said = (f"stage 2 to {p['edition']} on {p['stage2']}, on or after the date new certifications must use "
            f"{p['to']} ({p['new_from']}, reported as {p['reported']}; {p['confidence']} confidence; sources: "
            f"{'; '.join(x for x in p['sources'] if x.startswith('https://')) or 'docs/editions.md'})")
    if code == "gate-edition-provisional":
        return (f"warning: {said}. The date is provisional, so this check warns but does not fail: confirm "
                f"with your certification body, or book the stage 2 to {p['to']}")
    return f"{said}: book the stage 2 to {p['to']}"


@reason("topic-addressed")
def _topic_addressed(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    return f"addressed by {id_list(r.evidence)}" if full else f"addressed by {plural(len(r.evidence), 'record')}"


@reason("topic-stale")
def _topic_stale(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    if not full:
        return "only evidence past its review date names it"
    return f"only evidence past its review date names it ({id_list(r.evidence)}, review was due {p['review_by']})"


@reason("new-requirement-unevidenced")
def _new_requirement_unevidenced(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    what = "new" if p["change"] == "new" else "changed"
    named = f" ({id_list(r.evidence)})" if full and r.evidence else ""
    verb = ("predate" if len(r.evidence) != 1 else "predates") + " the move" if p.get("since") else \
        ("are" if len(r.evidence) != 1 else "is") + " not dated after a recorded move"
    older = f"; {plural(len(r.evidence), 'record')} mapped to it {verb}" if r.evidence else ""
    ways = [f"dated after {p['since']}"] if p.get("since") else []
    ways += [f"naming the topic ({', '.join(p['topics'])})"] if p["topics"] else []
    how = f"map a current record {' or '.join(ways)}" if ways else "map a current record dated after the move"
    unknown = "" if p.get("since") else " (record the day of the move as migrated: in organisation.yaml)"
    return f"{what} in {p['edition']}: no evidence for the new requirement yet{older}{named}; {how}{unknown}"


@reason("topic-unmapped")
def _topic_unmapped(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    named = id_list(r.evidence) if full else plural(len(r.evidence), "record")
    return (f"named by {named}, but not mapped to {id_list(p['clauses'])}: a keyword is not evidence; map the "
            "record that addresses it to one of those clauses")


@reason("topic-gap")
def _topic_gap(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    return f"no current evidence names it: add 'topics: [{p['topic']}]' to the records that address it"


@reason("climate-undetermined", "gate-climate-undetermined")
def _climate_undetermined(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    lead = "" if code == "climate-undetermined" else f"the context ({id_list(p['clauses'])}) is not understood: "
    later = f" (the decision in organisation.yaml is dated {p['decided']}, after this date)" \
        if p.get("decided") else ""
    return (f"{lead}no climate-change determination{later}: since Amendment 1:2024 the organisation must decide "
            f"whether climate change is a relevant issue; record it as current evidence mapped to "
            f"{p['clause']} with 'topics: [{p['topic']}]', or as 'climate_change: {{relevant: true or false, "
            "decided: YYYY-MM-DD}' in organisation.yaml")


@to_auditor("topic-gap")
def _topic_gap_to_auditor(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    return "no current record mapped to its clauses addresses it"


@to_auditor("topic-unmapped")
def _topic_unmapped_to_auditor(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    named = id_list(r.evidence) if full else plural(len(r.evidence), "record")
    return f"named by {named}, which is not mapped to {id_list(p['clauses'])}: a keyword alone is not evidence"


@to_auditor("certificate-past-transition")
def _certificate_past_transition_to_auditor(r: Reason, p: Mapping[str, Any], code: str, full: bool,
                                            redact: Redact) -> str:
    where = ("the organisation's transition deadline" if p["source"] == "organisation" else
             f"the reported transition deadline ({p['confidence']} confidence; to be confirmed with the "
             "certification body)")
    return (f"the {p['edition']} certificate expires on {p['expires']}, after {where} of {p['deadline']}: "
            f"it must move to {p['to']} by {p['deadline']}, or it ends then")


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


#: reasons about audit findings (registered with names_findings=True); a public build that does not publish
#: findings words them without count or grade
FINDING_CODES = tuple(code for code, words in REASONS.items() if words.names_findings)
#: in a build that does not publish findings, every reason about them becomes this one sentence, said once per
#: clause (its code: FINDINGS_UNPUBLISHED), so that nothing about them can be counted
FINDINGS_UNPUBLISHED_TEXT = "open actions, not published in this build"
FINDINGS_UNPUBLISHED = "findings-not-published"
#: what the findings page, the gap report, the report and the workbook say instead, findings or none
FINDINGS_NOT_PUBLISHED = "Audit findings are not published in this build."
#: what a closed major lacks to count as closed for the gates (assess.MAJOR_CLOSURE)
MAJOR_CLOSURE_WORDS = {"root-cause": "a root cause", "corrective-action": "a corrective action",
                       "verification": "an effective verification dated on or after closing and by this date"}


class Words:
    """Sentences for one audience: withheld ids are dropped as each sentence is made."""

    def __init__(self, visible_evidence: set[str], visible_findings: set[str], redact: Callable[[str], str],
                 findings_published: bool = True, std: Optional[StandardWords] = None):
        self.visible_evidence, self.visible_findings, self.redact = visible_evidence, visible_findings, redact
        self.findings_published = findings_published
        self.std = std  # the project's standard's words (None: the default standard's)

    def full(self, r: Reason) -> bool:
        return all(e in self.visible_evidence for e in r.evidence) and all(
            f in self.visible_findings for f in r.findings)

    def __call__(self, r: Reason) -> str:
        if not self.findings_published and names_findings(r.code):
            return FINDINGS_UNPUBLISHED_TEXT
        return describe(r, self.full(r), self.redact, self.std)

    def to_auditor(self, r: Reason) -> str:
        """The sentence for a page that speaks to an auditor (describe_to_auditor)."""
        return describe_to_auditor(r, self.full(r), self.redact, self.std)

    def all(self, reasons: Sequence[Reason]) -> tuple[tuple[str, str], ...]:
        """Each reason's sentence and code; where findings are not published, the reasons about them are one
        sentence, said once (so the number of findings behind a clause cannot be counted)."""
        out: list[tuple[str, str]] = []
        for r in reasons:
            if not self.findings_published and names_findings(r.code):
                if (FINDINGS_UNPUBLISHED_TEXT, FINDINGS_UNPUBLISHED) not in out:
                    out.append((FINDINGS_UNPUBLISHED_TEXT, FINDINGS_UNPUBLISHED))
                continue
            out.append((self(r), r.code))
        return tuple(out)
