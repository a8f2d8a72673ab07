"""Labels, glossary, URLs and small text helpers every view-model builder shares."""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from typing import Any, Callable, Iterator, Mapping, Optional
from urllib.parse import quote, unquote

from isoready.core.i18n import gettext as _
from isoready.assess import AT_RISK, NOT_APPLICABLE, NOT_READY, READY
from isoready.core.i18n import N_, SOURCE_LANGUAGE, active, decimal, gettext as _, ngettext
from isoready.assess import LateTarget
from isoready.views.models import Segment
from isoready.views.models import MandatoryView

class Translated(Mapping[str, str]):
    """Words written at import time (each marked ``N_``), said in the active language when looked up: a
    registry of labels reads as a dict, and every value is translated where it is printed, never at import."""

    def __init__(self, words: Mapping[str, str]):
        self._words = dict(words)

    def __getitem__(self, key: str) -> str:
        return _(self._words[key])

    def __iter__(self) -> Iterator[str]:
        return iter(self._words)

    def __len__(self) -> int:
        return len(self._words)

    def __repr__(self) -> str:
        return f"Translated({self._words!r})"

    def word(self, key: str) -> str:
        """``key``'s words in the active language, or ``key`` itself where none are registered."""
        return _(self._words[key]) if key in self._words else key


STATUS_LABELS = Translated({"not-started": N_("Not started"), "planned": N_("Planned"),
                            "in-progress": N_("In progress"), "implemented": N_("Implemented"),
                            "verified": N_("Verified"), "not-applicable": N_("Not applicable")})
STATE_LABELS = Translated({READY: N_("Ready"), AT_RISK: N_("At risk"), NOT_READY: N_("Not ready"),
                           NOT_APPLICABLE: N_("Not applicable")})
MANDATORY_LABELS = Translated({"present": N_("Present"), "review-overdue": N_("Present, review overdue"),
                               "missing": N_("Missing"), "out-of-window": N_("Out of window"),
                               "conditional": N_("Conditional"), "undeclared": N_("Condition not declared"),
                               "not-applicable": N_("Not required")})
#: a status, a grade, a noun as a sentence names it (English: the code itself)
STATUS_WORDS = Translated({"not-started": N_("not-started"), "planned": N_("planned"),
                           "in-progress": N_("in-progress"), "implemented": N_("implemented"),
                           "verified": N_("verified"), "not-applicable": N_("not-applicable")})
GRADE_WORDS = Translated({"major": N_("major"), "minor": N_("minor"), "ofi": N_("ofi"),
                          "area-of-concern": N_("area-of-concern")})
NOUNS = Translated({"document": N_("document"), "record": N_("record"), "evidence": N_("evidence")})
#: the same states inside a sentence ("8.5.6 (missing)"; English: the state's code)
MANDATORY_WORDS = Translated({"present": N_("present"), "review-overdue": N_("review-overdue"),
                              "missing": N_("missing"), "out-of-window": N_("out-of-window"),
                              "conditional": N_("conditional"), "undeclared": N_("undeclared"),
                              "not-applicable": N_("not-applicable")})
#: mandatory states with a glossary entry
MANDATORY_TERMS = {"out-of-window": "out-of-window", "undeclared": "undeclared"}
ORIGIN_LABELS = Translated({"internal-audit": N_("Internal audit"),
                            "certification-body": N_("Certification body audit"), "customer": N_("Customer"),
                            "gap-assessment": N_("Gap assessment"), "management-review": N_("Management review"),
                            "other": N_("Other")})
KIND_LABELS = Translated({"document": N_("Document (maintained)"), "record": N_("Record (retained)")})
DI_LABELS = Translated({"maintain": N_("Document to maintain"), "retain": N_("Record to retain")})
GRADE_LABELS = Translated({"major": N_("Major nonconformity"), "minor": N_("Minor nonconformity"),
                           "ofi": N_("Opportunity for improvement"),
                           "area-of-concern": N_("Area of concern (stage 1)")})

GLOSSARY_PATH = "glossary.html"
#: the glossary's words: (anchor, term, what it means in this portal). Pages link a term as glossary.html#anchor.
GLOSSARY = (
    ("as-of-date", N_("As-of date"),
     N_("The day this portal judges readiness on. Every date check (evidence past its review date, records out of "
     "their window, overdue findings, the days left before an audit) is worked out for this day, not the day you "
     "open the page. It is shown at the top of every page; the next build judges again, on its own date.")),
    ("audience", N_("Audience"),
     N_("Who a build of the portal is for: public, auditor or internal. Each record may say who may see it with a "
     "line such as \"audience: public\"; a record without the line is for the auditor. A build shows the "
     "records for its audience and those for a wider one: an auditor build shows public and auditor records, an "
     "internal build shows everything. The readiness figures are the same in every build.")),
    ("withheld", N_("Withheld"),
     N_("Kept out of this build because the record is for a narrower audience than this build's. A withheld record "
     "is not shown, linked or named: pages only count it (\"2 records not shown in this build\"), and where a "
     "text would name it, \"[withheld]\" stands in its place. It still counts towards readiness.")),
    ("out-of-window", N_("Out of window"),
     N_("A record %(family)s asks you to keep exists, but none is recent enough. Each such record must be dated within "
     "a window before the as-of date: 12 months unless the catalog or your organisation file sets another (the "
     "reason on the clause page names it). Add a newer record to put it right.")),
    ("undeclared", N_("Undeclared (condition not declared)"),
     N_("%(family)s leaves a few conditions to you, such as whether your outputs must be traceable. Until your "
     "organisation file says true or false for one (under \"applies:\"), it is undeclared and the clause it "
     "affects is at risk. Leaving a condition out is not the same as false: declare it either way.")),
    ("gate", N_("Gate (stage check)"),
     N_("The checks the portal runs for one certification audit stage: stage 1 (documents, scope and readiness) "
     "and stage 2 (whether the system works in practice). A gate passes when all of its checks pass. The checks "
     "are indicative: they show what a certification body looks at, not how the audit will end.")),
    ("commit", N_("Commit"),
     N_("One saved version of the register in git, named by a short code such as 0123abcd. The code at the top of "
     "each page says which version this portal was built from, so anyone can find the exact files it shows. The "
     "trend and the changes since the last audit compare commits.")),
)


def term_url(anchor: str) -> str:
    """The glossary entry of a term (one of GLOSSARY's anchors)."""
    return f"{GLOSSARY_PATH}#{anchor}"
EXCLUSION_TEXT = Translated({"never": N_("cannot be declared not applicable"), "rare": N_("rarely justifiable"),
                             "possible": N_("may be declared not applicable with a justification")})
REGISTER_PAGE = 1000  # rows per register page
DUE_FLAG_LABELS = Translated({"overdue": N_("Overdue"), "due-today": N_("Due today")})
SUBJECT_CHARS = 160  # a finding's subject longer than this is cut at a word, with an ellipsis
DASHBOARD_BLOCKERS = 8
DASHBOARD_LAPSES = 5
REPORT_EVIDENCE = 12  # evidence titles per clause in the printable report
REPORT_BLOCKERS = 5  # blockers on page 1 of the printable report (it must stay one page)
#: the report prints the coverage matrix leaf by audit up to this many audits; with more it is too wide for a
#: page, and each audit is printed against the main clauses instead (how many of each one's leaves it reached)
REPORT_COVERAGE_AUDITS = 6
#: shown, visibly, wherever an ISO 9001:2026 entry marked provisional appears
PROVISIONAL_TEXT = N_("provisional: from the FDIS and secondary sources")
CHANGE_LABELS = Translated({"new": N_("New in {std}"), "changed": N_("Changed in {std}"),
                            "split": N_("Split in {std}"), "moved": N_("Moved in {std}"),
                            "retitled": N_("Retitled in {std}")})  # unchanged entries carry no badge
TOPIC_STATE_LABELS = Translated({"addressed": N_("Addressed"), "gap": N_("Gap")})
#: the register types (model.REGISTER_KINDS) as pages name them
REGISTER_KIND_LABELS = Translated({"calibration": N_("Calibration register"), "competence": N_("Competence register"),
                                   "suppliers": N_("Approved supplier list"),
                                   "objectives": N_("Quality objectives tracker"),
                                   "audit-programme": N_("Internal audit programme"), "legal": N_("Legal register"),
                                   "nonconformities": N_("Nonconformities log")})
#: a register row's flags (assess.REGISTER_FLAGS), as the register page words them
REGISTER_FLAG_LABELS = Translated({"overdue": N_("Overdue"), "failed": N_("Failed"), "unapproved": N_("Not approved"),
                                   "evaluation-overdue": N_("Evaluation overdue"), "expired": N_("Expired"),
                                   "in-training": N_("In training"), "behind-target": N_("Behind target"),
                                   "no-recent-result": N_("No recent result"), "audit-overdue": N_("Audit overdue"),
                                   "not-compliant": N_("Not compliant"), "open-too-long": N_("Open too long")})
#: the same flags inside a sentence or a column heading ("Rows in training")
REGISTER_FLAG_WORDS = Translated({"overdue": N_("overdue"), "failed": N_("failed"), "unapproved": N_("unapproved"),
                                  "evaluation-overdue": N_("evaluation overdue"), "expired": N_("expired"),
                                  "in-training": N_("in training"), "behind-target": N_("behind target"),
                                  "no-recent-result": N_("no recent result"), "audit-overdue": N_("audit overdue"),
                                  "not-compliant": N_("not compliant"), "open-too-long": N_("open too long")})
#: a register's canonical columns (model.REGISTER_COLUMNS) as column headings; a name not here is shown
#: with its first letter capitalised and underscores as spaces
REGISTER_COLUMN_LABELS = Translated({"id": N_("Id"), "due": N_("Next calibration"), "last": N_("Last calibration"),
                                     "traceable_to": N_("Traceable to"), "in_use": N_("In use"),
                                     "last_evaluation": N_("Last evaluation"),
                                     "next_evaluation": N_("Next evaluation"), "last_review": N_("Last review"),
                                     "root_cause": N_("Root cause"), "covers": N_("Covers clauses"),
                                     "action": N_("Action"), "actual": N_("Actual"), "approved": N_("Approved"),
                                     "audit": N_("Audit"), "auditor": N_("Auditor"), "clause": N_("Clause"),
                                     "closed": N_("Closed"), "competence": N_("Competence"),
                                     "compliant": N_("Compliant"), "description": N_("Description"),
                                     "direction": N_("Direction"), "done": N_("Done"), "expires": N_("Expires"),
                                     "objective": N_("Objective"), "period": N_("Period"), "person": N_("Person"),
                                     "planned": N_("Planned"), "raised": N_("Raised"), "rating": N_("Rating"),
                                     "requirement": N_("Requirement"), "result": N_("Result"), "role": N_("Role"),
                                     "source": N_("Source"), "status": N_("Status"), "supplier": N_("Supplier"),
                                     "target": N_("Target"), "unit": N_("Unit")})


def register_url(ev_id: str) -> str:
    """A register's page: the same safe rule as its record's evidence page (``evidence_url``)."""
    return "registers/" + quote(f"{ev_id}.html", safe="/")


def column_label(name: str) -> str:
    return REGISTER_COLUMN_LABELS.get(name) or name.replace("_", " ").capitalize()


def shares_of(result: Any) -> tuple[tuple[str, float], ...]:
    """(state, share) of a clause's (or the whole system's) applicable leaves, ready / at risk / not ready."""
    if result.share(READY) is None:
        return ()
    return tuple((state, result.share(state)) for state in (READY, AT_RISK, NOT_READY))


def shares_text(shares: tuple[tuple[str, float], ...]) -> str:
    """Three figures, never a single one that counts "at risk" as ready."""
    if not shares:
        return _("n/a")
    return " · ".join(_("%(pct)s%% %(state)s", pct=round(v * 100), state=STATE_LABELS[k].lower())
                      for k, v in shares if v or k == READY)


def display_name(catalog: Any, number: str) -> str:
    """A clause's name as lists show it: "General" sub-clauses carry their parent's title."""
    c = catalog[number]
    if c.title is not None and (c.source_name or c.title) == "General" and c.parent:  # in every language
        return f"{c.name} ({catalog[c.parent].name})"
    return c.name


#: how many of a kind this build leaves out, in one message per kind (singular and plural)
WITHHELD_WORDS = {
    "record": lambda n: ngettext("%(num)s record not shown in this build.",
                                 "%(num)s records not shown in this build.", n),
    "stale record": lambda n: ngettext("%(num)s stale record not shown in this build.",
                                       "%(num)s stale records not shown in this build.", n),
    "finding": lambda n: ngettext("%(num)s finding not shown in this build.",
                                  "%(num)s findings not shown in this build.", n),
    "open finding": lambda n: ngettext("%(num)s open finding not shown in this build.",
                                       "%(num)s open findings not shown in this build.", n),
    "register": lambda n: ngettext("%(num)s register not shown in this build.",
                                   "%(num)s registers not shown in this build.", n),
    "audit record": lambda n: ngettext("%(num)s audit record not shown in this build.",
                                       "%(num)s audit records not shown in this build.", n),
    "lapse of a record": lambda n: ngettext("%(num)s lapse of a record not shown in this build.",
                                            "%(num)s lapse of a records not shown in this build.", n),
}


def withheld(n: int, word: str) -> str:
    """The only trace a withheld record leaves: an aggregate count ('' when nothing is withheld)."""
    if not n:
        return ""
    said = WITHHELD_WORDS.get(word)
    return said(n) if said else _("%(what)s not shown in this build.", what=plural(n, word))


_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
#: Markdown marks; a hyphen or underscore inside a word ("MIC-03", "2026-10-02", "file_name") is kept
_MD_MARKS = re.compile(r"[`#>|~*]+|(?<![A-Za-z0-9])[-_]+|[-_]+(?![A-Za-z0-9])")
_SENTENCE_END = re.compile(r"(?<=[a-z0-9)][.!?])\s+(?=[A-Z0-9])")


def prose(text: str) -> str:
    """Markdown source as plain words on one line; hyphens in ids and dates survive."""
    return " ".join(_MD_MARKS.sub(" ", _MD_LINK.sub(r"\1", text or "")).split())


def subject(text: str, limit: int = SUBJECT_CHARS) -> str:
    """What a finding is about: the first sentence of its description's first paragraph, as plain text."""
    first = prose(re.split(r"\n\s*\n", (text or "").strip(), maxsplit=1)[0])
    first = _SENTENCE_END.split(first, maxsplit=1)[0]
    if len(first) <= limit:
        return first
    cut = first.rfind(" ", 0, limit)
    return first[:cut if cut > limit // 2 else limit].rstrip(" ,;:") + "…"


def pct(value: Optional[float]) -> str:
    return _("n/a") if value is None else _("%(pct)s%%", pct=round(value * 100))


def plural(n: int, word: str, words: Optional[str] = None) -> str:
    return f"{n} {word if n == 1 else (words or word + 's')}"


#: the page addresses remembered (per kind): every clause, record and finding of a 10,000-record register, and
#: room to spare; past it the least recently asked for are worked out again
URL_CACHE = 1 << 15


#: what ``quote(text, safe="/")`` leaves as it is (its always-safe characters and "/"): such text is its own
#: quoting, told by one match (quote's own pass is slow, even on text with nothing to encode)
_UNQUOTED = re.compile(r"[A-Za-z0-9_.~/-]*")


def quote_path(text: str) -> str:
    """``quote(text, safe="/")``."""
    return text if _UNQUOTED.fullmatch(text) else quote(text, safe="/")


@lru_cache(maxsize=URL_CACHE)  # pure, and asked for tens of thousands of times per build
def clause_url(number: str) -> str:
    return "clauses/" + quote_path(f"{number}.html")


@lru_cache(maxsize=URL_CACHE)  # pure, and asked for tens of thousands of times per build
def evidence_url(ev_id: str) -> str:
    """An evidence page's address for href: the id percent-encoded as UTF-8 ('/' kept), so ids in any script
    work from file://, over http and under a sub-path. The page's file is the unquoted path (``page_path``)."""
    return "evidence/" + quote_path(f"{ev_id}.html")


@lru_cache(maxsize=URL_CACHE)  # pure, and asked for tens of thousands of times per build
def finding_url(fid: str) -> str:
    return "findings/" + quote_path(f"{fid}.html")


def site_url(site_id: str) -> str:
    """A site's page (a multi-site organisation): one safe segment under sites/, as a record's is."""
    return "sites/" + quote(f"{site_id}.html", safe="")


def page_path(url: str) -> str:
    """The file a page URL of ours names (the inverse of the quoting above)."""
    return unquote(url) if "%" in url else url  # unquote itself is slow, even on text with nothing to decode


def document_url(path: str) -> str:
    """Where a document is copied; percent-encoded for use in href (file names may hold any character)."""
    return "files/" + quote_path(path)


def bytes_text(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KiB"
    return f"{n / 1024 / 1024:.1f} MiB"


def date_text(value: Optional[date]) -> str:
    return value.isoformat() if value else ""


def figure(value: float) -> str:
    """A measured figure in a sentence: as written (``%g``) in English, in the locale's decimal sign otherwise."""
    return f"{value:g}" if active().code == SOURCE_LANGUAGE else decimal(value)


def grouped(n: int) -> str:
    """A count in a sentence, thousands grouped: "1,001" in English, the locale's grouping otherwise."""
    return f"{n:,}" if active().code == SOURCE_LANGUAGE else decimal(n)


def id_list(items: Any) -> str:
    return ", ".join(items)


def site_list(ids: Any, names: Mapping[str, str], redact: Callable[[str], str] = lambda t: t) -> str:
    """Sites named in a sentence: each by its name with its id beside it ("Brno plant (brno)"); by its id alone
    where no name is known (a sentence made without the organisation, as ``isoready diff`` makes them)."""
    return ", ".join(_("%(name)s (%(id)s)", name=redact(names[i]), id=i) if names.get(i) and names[i] != i else i
                     for i in ids)


# --------------------------------------------------------------------------- a readiness diff, in words
# The "since the last audit" page (``since.since``) words a comparison for its audience with these; the
# ``isoready diff`` command's text, Markdown and JSON (diffwords.py, beside the CLI) use the same words.
# diff.py computes the comparison and holds no word; views reads the comparison as data handed to it and imports
# no module that reads or compares commits (history, diff, snapshot, validate).

STATE_WORDS = Translated({"ready": N_("ready"), "at-risk": N_("at risk"), "not-ready": N_("not ready"),
                          "not-applicable": N_("not applicable"), "absent": N_("absent")})
FIGURE_WORDS = Translated({"overall": N_("Ready or at risk"), "ready": N_("Ready"), "at_risk": N_("At risk"),
                           "not_ready": N_("Not ready"), "open_findings": N_("Open findings"),
                           "stale_evidence": N_("Stale evidence")})
GATE_WORDS = Translated({"stage1": N_("Stage 1 gate"), "stage2": N_("Stage 2 gate")})
NO_GIT_TEXT = N_("Readiness history is not available: this build has no git history (a zip of the register, a folder "
               "outside git, or git not installed).")


def figure_text(key: str, value: Any) -> str:
    if value is None:
        return "–"
    return f"{value * 100:.0f}%" if key in ("overall", "ready", "at_risk", "not_ready") else str(value)


def verdict_word(v: Optional[bool]) -> str:
    return _("absent") if v is None else _("pass") if v else _("fail")


def exclusion_test_text(number: str, rule: str, justified: bool) -> str:
    """The exclusion test, applied to one exclusion: what the register shows and what is left to the auditor.
    The register cannot judge a justification's truth, so it never says the test is passed."""
    if not justified:
        return _("No justification is recorded for %(clause)s: the test cannot be applied, and the exclusion stands "
                 "on nothing.", clause=number)
    how = {"possible": _("%(clause)s is commonly excluded where the test holds", clause=number),
           "rare": _("%(clause)s rarely passes the test: expect the auditor to challenge it and ask for specific "
                     "reasons", clause=number),
           "never": _("%(clause)s cannot pass the test", clause=number)}[rule]
    return _("%(how)s. The justification must show that %(clause)s is outside the organisation's control or "
             "influence within its scope, and that leaving it out does not affect conforming products and services "
             "or customer satisfaction; the auditor judges whether it does, against the scope the organisation "
             "maintains.", how=how, clause=number)


FRESHNESS_LABELS = Translated({"current": N_("Current"), "due-90": N_("Review due within 90 days"),
                               "stale": N_("Stale"), "no-review": N_("No review date")})
EXCLUSION_LABELS = Translated({"possible": N_("Commonly excluded"),
                               "rare": N_("Rarely excludable: expect a challenge"), "never": N_("Never excludable")})


def late_target_text(late: Optional[LateTarget]) -> str:
    return _("target falls after the %(stage)s audit on %(date)s", stage=stage_label(late.stage),
             date=late.audit) if late else ""


_WHOLE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._]*(?:-[A-Za-z0-9._]+)+")
WHOLE_MAX = 24  # longer hyphenated names may still break, or they would run out of a narrow column


def segments(text: str) -> tuple[Segment, ...]:
    """``text`` split so that hyphenated ids and dates ("GA-2026-01", "2026-12-01") print on one line."""
    out: list[Segment] = []
    at = 0
    for m in _WHOLE.finditer(text):
        if len(m.group(0)) > WHOLE_MAX:
            continue
        if m.start() > at:
            out.append(Segment(text[at:m.start()]))
        out.append(Segment(m.group(0), True))
        at = m.end()
    if at < len(text):
        out.append(Segment(text[at:]))
    return tuple(out)


def stage_label(key: str) -> str:
    return {"stage1": _("stage 1"), "stage2": _("stage 2")}.get(key, key)


def countdown_text(days: int) -> str:
    if days > 0:
        return ngettext("in %(num)s day", "in %(num)s days", days)
    if days == 0:
        return _("today")
    return ngettext("%(num)s day ago", "%(num)s days ago", -days)


@lru_cache(maxsize=4096)  # a few hundred clause numbers, asked for by every record (each record's first clause)
def clause_order(number: str) -> str:
    return ".".join(f"{int(p):03d}" if p.isdigit() else p for p in number.split("."))


def mandatory_summary(items: tuple[MandatoryView, ...]) -> str:
    gaps = sum(m.is_gap for m in items)
    required = sum(m.state not in ("not-applicable", "conditional") for m in items)
    present = required - gaps
    if not gaps:
        return ngettext("%(present)s of %(num)s required item present; no gap",
                        "%(present)s of %(num)s required items present; no gap", required, present=present)
    return ngettext("%(present)s of %(num)s required item present; %(gaps)s (missing, stale or out of window)",
                    "%(present)s of %(num)s required items present; %(gaps)s (missing, stale or out of window)",
                    required, present=present, gaps=ngettext("%(num)s gap", "%(num)s gaps", gaps))
