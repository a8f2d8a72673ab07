"""Labels, glossary, URLs and small text helpers every view-model builder shares."""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from typing import Any, Callable, Mapping, Optional
from urllib.parse import quote, unquote

from isoready.core.i18n import gettext as _
from isoready.assess import AT_RISK, NOT_APPLICABLE, NOT_READY, READY
from isoready.assess import LateTarget
from isoready.views.models import Segment
from isoready.views.models import MandatoryView

STATUS_LABELS = {
    "not-started": "Not started", "planned": "Planned", "in-progress": "In progress",
    "implemented": "Implemented", "verified": "Verified", "not-applicable": "Not applicable",
}
STATE_LABELS = {READY: "Ready", AT_RISK: "At risk", NOT_READY: "Not ready", NOT_APPLICABLE: "Not applicable"}
MANDATORY_LABELS = {"present": "Present", "review-overdue": "Present, review overdue", "missing": "Missing",
                    "out-of-window": "Out of window", "conditional": "Conditional", "undeclared": "Condition not declared",
                    "not-applicable": "Not required"}
#: mandatory states with a glossary entry
MANDATORY_TERMS = {"out-of-window": "out-of-window", "undeclared": "undeclared"}
ORIGIN_LABELS = {"internal-audit": "Internal audit", "certification-body": "Certification body audit",
                 "customer": "Customer", "gap-assessment": "Gap assessment", "management-review": "Management review",
                 "other": "Other"}
KIND_LABELS = {"document": "Document (maintained)", "record": "Record (retained)"}
DI_LABELS = {"maintain": "Document to maintain", "retain": "Record to retain"}
GRADE_LABELS = {"major": "Major nonconformity", "minor": "Minor nonconformity", "ofi": "Opportunity for improvement",
                "area-of-concern": "Area of concern (stage 1)"}

GLOSSARY_PATH = "glossary.html"
#: the glossary's words: (anchor, term, what it means in this portal). Pages link a term as glossary.html#anchor.
GLOSSARY = (
    ("as-of-date", "As-of date",
     "The day this portal judges readiness on. Every date check (evidence past its review date, records out of "
     "their window, overdue findings, the days left before an audit) is worked out for this day, not the day you "
     "open the page. It is shown at the top of every page; the next build judges again, on its own date."),
    ("audience", "Audience",
     "Who a build of the portal is for: public, auditor or internal. Each record may say who may see it with a "
     "line such as \"audience: public\"; a record without the line is for the auditor. A build shows the "
     "records for its audience and those for a wider one: an auditor build shows public and auditor records, an "
     "internal build shows everything. The readiness figures are the same in every build."),
    ("withheld", "Withheld",
     "Kept out of this build because the record is for a narrower audience than this build's. A withheld record "
     "is not shown, linked or named: pages only count it (\"2 records not shown in this build\"), and where a "
     "text would name it, \"[withheld]\" stands in its place. It still counts towards readiness."),
    ("out-of-window", "Out of window",
     "A record {family} asks you to keep exists, but none is recent enough. Each such record must be dated within "
     "a window before the as-of date: 12 months unless the catalog or your organisation file sets another (the "
     "reason on the clause page names it). Add a newer record to put it right."),
    ("undeclared", "Undeclared (condition not declared)",
     "{family} leaves a few conditions to you, such as whether your outputs must be traceable. Until your "
     "organisation file says true or false for one (under \"applies:\"), it is undeclared and the clause it "
     "affects is at risk. Leaving a condition out is not the same as false: declare it either way."),
    ("gate", "Gate (stage check)",
     "The checks the portal runs for one certification audit stage: stage 1 (documents, scope and readiness) "
     "and stage 2 (whether the system works in practice). A gate passes when all of its checks pass. The checks "
     "are indicative: they show what a certification body looks at, not how the audit will end."),
    ("commit", "Commit",
     "One saved version of the register in git, named by a short code such as 0123abcd. The code at the top of "
     "each page says which version this portal was built from, so anyone can find the exact files it shows. The "
     "trend and the changes since the last audit compare commits."),
)


def term_url(anchor: str) -> str:
    """The glossary entry of a term (one of GLOSSARY's anchors)."""
    return f"{GLOSSARY_PATH}#{anchor}"
EXCLUSION_TEXT = {"never": "cannot be declared not applicable", "rare": "rarely justifiable",
                  "possible": "may be declared not applicable with a justification"}
REGISTER_PAGE = 1000  # rows per register page
DUE_FLAG_LABELS = {"overdue": "Overdue", "due-today": "Due today"}
SUBJECT_CHARS = 160  # a finding's subject longer than this is cut at a word, with an ellipsis
DASHBOARD_BLOCKERS = 8
DASHBOARD_LAPSES = 5
REPORT_EVIDENCE = 12  # evidence titles per clause in the printable report
REPORT_BLOCKERS = 5  # blockers on page 1 of the printable report (it must stay one page)
#: the report prints the coverage matrix leaf by audit up to this many audits; with more it is too wide for a
#: page, and each audit is printed against the main clauses instead (how many of each one's leaves it reached)
REPORT_COVERAGE_AUDITS = 6
#: shown, visibly, wherever an ISO 9001:2026 entry marked provisional appears
PROVISIONAL_TEXT = "provisional: from the FDIS and secondary sources"
CHANGE_LABELS = {"new": "New in {std}", "changed": "Changed in {std}", "split": "Split in {std}",
                 "moved": "Moved in {std}", "retitled": "Retitled in {std}"}  # unchanged entries carry no badge
TOPIC_STATE_LABELS = {"addressed": "Addressed", "gap": "Gap"}
#: the register types (model.REGISTER_KINDS) as pages name them
REGISTER_KIND_LABELS = {"calibration": "Calibration register", "competence": "Competence register",
                        "suppliers": "Approved supplier list", "objectives": "Quality objectives tracker",
                        "audit-programme": "Internal audit programme", "legal": "Legal register",
                        "nonconformities": "Nonconformities log"}
#: a register row's flags (assess.REGISTER_FLAGS), as the register page words them
REGISTER_FLAG_LABELS = {"overdue": "Overdue", "failed": "Failed", "unapproved": "Not approved",
                        "evaluation-overdue": "Evaluation overdue", "expired": "Expired",
                        "in-training": "In training", "behind-target": "Behind target",
                        "no-recent-result": "No recent result", "audit-overdue": "Audit overdue",
                        "not-compliant": "Not compliant", "open-too-long": "Open too long"}
#: a register's canonical columns (model.REGISTER_COLUMNS) as column headings; a name not here is shown
#: with its first letter capitalised and underscores as spaces
REGISTER_COLUMN_LABELS = {"id": "Id", "due": "Next calibration", "last": "Last calibration",
                          "traceable_to": "Traceable to", "in_use": "In use", "last_evaluation": "Last evaluation",
                          "next_evaluation": "Next evaluation", "last_review": "Last review",
                          "root_cause": "Root cause", "covers": "Covers clauses"}


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
        return "n/a"
    return " · ".join(f"{round(v * 100)}% {STATE_LABELS[k].lower()}" for k, v in shares if v or k == READY)


def display_name(catalog: Any, number: str) -> str:
    """A clause's name as lists show it: "General" sub-clauses carry their parent's title."""
    c = catalog[number]
    if c.title is not None and (c.source_name or c.title) == "General" and c.parent:  # in every language
        return f"{c.name} ({catalog[c.parent].name})"
    return c.name


def withheld(n: int, word: str) -> str:
    """The only trace a withheld record leaves: an aggregate count ('' when nothing is withheld)."""
    return f"{plural(n, word)} not shown in this build." if n else ""


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
    return "n/a" if value is None else f"{round(value * 100)}%"


def plural(n: int, word: str, words: Optional[str] = None) -> str:
    return f"{n} {word if n == 1 else (words or word + 's')}"


#: the page addresses remembered (per kind): every clause, record and finding of a 10,000-record register, and
#: room to spare; past it the least recently asked for are worked out again
URL_CACHE = 1 << 15


@lru_cache(maxsize=URL_CACHE)  # pure, and asked for tens of thousands of times per build
def clause_url(number: str) -> str:
    return "clauses/" + quote(f"{number}.html", safe="/")


@lru_cache(maxsize=URL_CACHE)  # pure, and asked for tens of thousands of times per build
def evidence_url(ev_id: str) -> str:
    """An evidence page's address for href: the id percent-encoded as UTF-8 ('/' kept), so ids in any script
    work from file://, over http and under a sub-path. The page's file is the unquoted path (``page_path``)."""
    return "evidence/" + quote(f"{ev_id}.html", safe="/")


@lru_cache(maxsize=URL_CACHE)  # pure, and asked for tens of thousands of times per build
def finding_url(fid: str) -> str:
    return "findings/" + quote(f"{fid}.html", safe="/")


def site_url(site_id: str) -> str:
    """A site's page (a multi-site organisation): one safe segment under sites/, as a record's is."""
    return "sites/" + quote(f"{site_id}.html", safe="")


def page_path(url: str) -> str:
    """The file a page URL of ours names (the inverse of the quoting above)."""
    return unquote(url) if "%" in url else url  # unquote itself is slow, even on text with nothing to decode


def document_url(path: str) -> str:
    """Where a document is copied; percent-encoded for use in href (file names may hold any character)."""
    return "files/" + quote(path, safe="/")


def bytes_text(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KiB"
    return f"{n / 1024 / 1024:.1f} MiB"


def date_text(value: Optional[date]) -> str:
    return value.isoformat() if value else ""


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

STATE_WORDS = {"ready": "ready", "at-risk": "at risk", "not-ready": "not ready", "not-applicable": "not applicable",
               "absent": "absent"}
FIGURE_WORDS = {"overall": "Ready or at risk", "ready": "Ready", "at_risk": "At risk", "not_ready": "Not ready",
                "open_findings": "Open findings", "stale_evidence": "Stale evidence"}
GATE_WORDS = {"stage1": "Stage 1 gate", "stage2": "Stage 2 gate"}
NO_GIT_TEXT = ("Readiness history is not available: this build has no git history (a zip of the register, a folder "
               "outside git, or git not installed).")


def figure_text(key: str, value: Any) -> str:
    if value is None:
        return "–"
    return f"{value * 100:.0f}%" if key in ("overall", "ready", "at_risk", "not_ready") else str(value)


def verdict_word(v: Optional[bool]) -> str:
    return "absent" if v is None else "pass" if v else "fail"


def exclusion_test_text(number: str, rule: str, justified: bool) -> str:
    """The exclusion test, applied to one exclusion: what the register shows and what is left to the auditor.
    The register cannot judge a justification's truth, so it never says the test is passed."""
    if not justified:
        return (f"No justification is recorded for {number}: the test cannot be applied, and the exclusion stands "
                "on nothing.")
    how = {"possible": f"{number} is commonly excluded where the test holds",
           "rare": f"{number} rarely passes the test: expect the auditor to challenge it and ask for specific reasons",
           "never": f"{number} cannot pass the test"}[rule]
    return (f"{how}. The justification must show that {number} is outside the organisation's control or influence "
            "within its scope, and that leaving it out does not affect conforming products and services or "
            "customer satisfaction; the auditor judges whether it does, against the scope the organisation maintains.")


FRESHNESS_LABELS = {"current": "Current", "due-90": "Review due within 90 days", "stale": "Stale",
                    "no-review": "No review date"}
EXCLUSION_LABELS = {"possible": "Commonly excluded", "rare": "Rarely excludable: expect a challenge",
                    "never": "Never excludable"}


def late_target_text(late: Optional[LateTarget]) -> str:
    return f"target falls after the {stage_label(late.stage)} audit on {late.audit}" if late else ""


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
    return {"stage1": "stage 1", "stage2": "stage 2"}.get(key, key)


def countdown_text(days: int) -> str:
    if days > 0:
        return f"in {plural(days, 'day')}"
    if days == 0:
        return "today"
    return f"{plural(-days, 'day')} ago"


def clause_order(number: str) -> str:
    return ".".join(f"{int(p):03d}" if p.isdigit() else p for p in number.split("."))


def mandatory_summary(items: tuple[MandatoryView, ...]) -> str:
    gaps = sum(m.is_gap for m in items)
    required = sum(m.state not in ("not-applicable", "conditional") for m in items)
    text = f"{required - gaps} of {plural(required, 'required item')} present"
    return text + (f"; {plural(gaps, 'gap')} (missing, stale or out of window)" if gaps else "; no gap")
