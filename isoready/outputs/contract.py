"""The output contract: the JSON Schema of ``readiness.json`` (what a build promises other tools), apart from
the input schema (``schema``) whose types it borrows for clause numbers and dates. Also the JSON Schema files
the package ships (isoready/schemas/) and ``init`` copies into a register: the input kinds' and this one.

Every key is described and required (but the three a lapse has only sometimes), and no undescribed key is
allowed, so a renamed or dropped key fails the contract test.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from isoready.model import (AUDIENCES, CB_AUDITS, CB_BASES, CB_DAY_BASES, CB_METHODS, CB_PICKS, DEFAULT_STANDARD,
    EVIDENCE_KINDS, FINDING_SOURCES, FINDING_STATUSES, GRADES, REGISTER_KINDS, STATUSES)
from isoready.core.i18n import LANGUAGES
from isoready.read.catalog import load_catalog
from isoready.read.schema import AUDITS, DATE, FILE_KINDS, PAGE, json_schema

# --------------------------------------------------------------------------- readiness.json, the output contract

STATES = ("ready", "at-risk", "not-ready", "not-applicable")  # assess.STATE_ORDER (a test keeps them equal)
READINESS_VERSION = 3  # export.SCHEMA, the format's version (a test keeps them equal; no import up the pipeline)
LAPSE_KINDS = ("review-due", "window-closes", "finding-due", "target", "calibration-due", "competence-expires",
               "evaluation-due")

#: outputs are per standard: plain clause numbers (an input may qualify them: "14001:6.1.2", "hs:7.5")
PLAIN_CLAUSE = {"type": "string", "pattern": r"^[0-9]+(\.[0-9]+)*$"}
#: a standard's edition as organisation.yaml names it: any installed standard package's, not only the built-in
#: ones (a third-party standard's readiness.json passes the shipped schema; format.md says so)
EDITION = {"type": "string", "pattern": r"^[^:]+:[^:]+$"}
#: a stable key a standard's data names (a gate check's id, a review input): lower-case words joined by '-'
KEY = {"type": "string", "pattern": r"^[a-z0-9]+(-[a-z0-9]+)*$"}
#: the default standard's roles, for the descriptions (no clause number lives in this module)
_ROLE = load_catalog(DEFAULT_STANDARD).roles


def _text(description: str, nullable: bool = False) -> dict[str, Any]:
    return {"type": ["string", "null"] if nullable else "string", "description": description}


def _date(description: str, nullable: bool = False) -> dict[str, Any]:
    d = DATE.json()
    return {**d, "type": ["string", "null"] if nullable else "string", "description": description}


def _words(choices: tuple[str, ...], description: str, nullable: bool = False) -> dict[str, Any]:
    return {"enum": [*choices, *([None] if nullable else [])], "description": description}


def _bool(description: str, nullable: bool = False) -> dict[str, Any]:
    return {"type": ["boolean", "null"] if nullable else "boolean", "description": description}


def _count(description: str) -> dict[str, Any]:
    return {"type": "integer", "minimum": 0, "description": description}


def _share(description: str, nullable: bool = True) -> dict[str, Any]:
    return {"type": ["number", "null"] if nullable else "number", "minimum": 0, "maximum": 1,
            "description": description}


def _list(item: dict[str, Any], description: str) -> dict[str, Any]:
    return {"type": "array", "items": item, "description": description}


def _record(description: str, props: dict[str, dict[str, Any]], optional: tuple[str, ...] = (),
            nullable: bool = False) -> dict[str, Any]:
    """An object whose keys are all listed (no others) and all required but ``optional``."""
    return {"type": ["object", "null"] if nullable else "object", "description": description, "properties": props,
            "required": [k for k in props if k not in optional], "additionalProperties": False}


def _by(key: dict[str, Any], value: dict[str, Any], description: str) -> dict[str, Any]:
    return {"type": "object", "propertyNames": key, "additionalProperties": value, "description": description}


def _ids(description: str = "ids") -> dict[str, Any]:
    return _list({"type": "string"}, description)


def _gate() -> dict[str, Any]:
    """One audit stage's gate: its checks, judged today and on the booked audit date."""
    gate_items = _list(_record("one check of the gate", {
        "name": _text("what the check asks"),
        "check": {**KEY, "description": "the check's stable id (docs/rules.md; a standard's gates.yaml names it)"},
        "passed": _bool("whether it passes"),
        "reason": _text("why, in words"),
        "code": _text("the reason's stable code"),
    }), "the gate's checks, in order")
    return _record("one audit stage's gate", {
        "passed": _bool("whether every check passes on the as-of date"),
        "items": gate_items,
        "verdict": _text("the verdict in one sentence, today and on the booked audit date"),
        "on_audit_date": _record("the gate judged on its booked audit date, assuming nothing changes", {
            "date": _date("the booked audit date"),
            "passed": _bool("whether every check would pass then"),
            "items": gate_items,
        }, nullable=True),
    })


def _clause_row() -> dict[str, Any]:
    clause, ids = dict(PLAIN_CLAUSE), _ids()
    return _record("one clause of the catalog", {
        "number": {**clause, "description": "the clause number"},
        "title": _text("ISO's short title, or our label"),
        "title_is_ours": _bool("true when the title is our label (the clause has no official title)"),
        "parent": {**clause, "type": ["string", "null"], "description": "the parent clause (null: a main clause)"},
        "status": _words(STATUSES, "how far the project says it is implemented"),
        "assessed": _bool("whether the project assessed this clause itself (false: taken from a parent, or none)"),
        "applicable": _bool("false when the clause is declared not applicable or its condition does not hold"),
        "state": _words(STATES, "the computed state: what the evidence supports"),
        "reasons": _list({"type": "string"}, "why it has that state, in words"),
        "reason_codes": _list({"type": "string"}, "the reasons' stable codes (docs/rules.md)"),
        "verified_by": _text("the audit record that verified it", nullable=True),
        "conditions": _by({"type": "string"}, {"type": ["boolean", "null"]},
                          "the declared conditions the clause depends on (organisation.yaml applies:)"),
        "readiness": _share("the clause's readiness, 0 to 1 (null: not applicable)"),
        "owner": _text("who is responsible", nullable=True),
        "target": _date("when it should be implemented", nullable=True),
        "evidence": {**ids, "description": "the evidence supporting it, by id"},
        "stale_evidence": {**ids, "description": "its evidence past its review date, by id"},
        "findings": {**ids, "description": "the open findings that weigh on its state (raised on it or an ancestor), by id"},
        "documented_information": _list(_record("one item of mandatory documented information", {
            "kind": _text("document (maintained) or record (retained)"),
            "what": _text("what must exist"),
            "state": _text("its state today"),
            "reason": _text("why, in words"),
            "code": _text("the reason's stable code"),
            "evidence": {**ids, "description": "the evidence that provides it"},
        }), "the mandatory documented information the clause asks for"),
    })


def _evidence_row() -> dict[str, Any]:
    clause = dict(PLAIN_CLAUSE)
    return _record("one evidence record this audience may see", {
        "id": _text("its id; its page is evidence/<id>.html"),
        "title": _text("what it is"),
        "kind": _words(EVIDENCE_KINDS, "document (maintained) or record (retained)"),
        "clauses": _list(clause, "the clauses it supports"),
        "stale": _bool("whether its review date has passed"),
        "document": _text("the document's path in the site", nullable=True),
        "url": _text("a link instead of a file", nullable=True),
        "sha256": {"type": ["string", "null"], "pattern": "^[0-9a-f]{64}$",
                   "description": "the document's SHA-256 (null: no file)"},
        "owner": _text("who keeps it current", nullable=True),
        "date": _date("issued or recorded", nullable=True),
        "review_by": _date("next review due", nullable=True),
        "audience": _words(AUDIENCES, "who may see it"),
    })


def _finding_row() -> dict[str, Any]:
    clause, ids = dict(PLAIN_CLAUSE), _ids()
    return _record("one finding this audience may see", {
        "id": _text("its id; its page is findings/<id>.html"),
        "clauses": _list(clause, "the clauses it is raised against"),
        "grade": _words(GRADES, "how serious it is"),
        "status": _words(FINDING_STATUSES, "open or closed"),
        "raised": _date("when it was raised"),
        "due": _date("when it must be closed", nullable=True),
        "closed": _date("when it was closed", nullable=True),
        "overdue": _bool("open and past its due date"),
        "owner": _text("who is responsible for closing it", nullable=True),
        "evidence": {**ids, "description": "evidence of the correction"},
        "description": _text("what was found (Markdown)"),
        "action": _text("the corrective action (Markdown; also under corrective_action)", nullable=True),
        "audience": _words(AUDIENCES, "who may see it"),
        "url": _text("its page in the site"),
        "source": _words(FINDING_SOURCES, "where the finding came from", nullable=True),
        "audit": _text("the audit record that raised it", nullable=True),
        "requirement": _text("the requirement not met", nullable=True),
        "correction": _text("what was done at once to contain it", nullable=True),
        "root_cause": _text("why it happened", nullable=True),
        "corrective_action": _text("what removes the cause", nullable=True),
        "verification": _record("the check that the corrective action was effective", {
            "date": _date("when effectiveness was checked", nullable=True),
            "by": _text("who checked it", nullable=True),
            "effective": _bool("whether the action was effective", nullable=True),
            "evidence": {**ids, "description": "the records of the check"},
        }, nullable=True),
        "unverified": _bool("a closed nonconformity without a verification of effectiveness"),
        "due_today": _bool("open and due on the as-of date"),
    })


def _lapse() -> dict[str, Any]:
    clause = dict(PLAIN_CLAUSE)
    return _record("a date on which something lapses, before an audit", {
        "date": _date("when it lapses"),
        "kind": _words(LAPSE_KINDS, "what lapses"),
        "evidence": _text("the evidence record concerned"),
        "finding": _text("the finding concerned"),
        "clause": {**clause, "description": "the clause concerned"},
        "clauses": _list(clause, "the clauses it affects"),
        "before": _words(tuple(AUDITS.keys), "the booked audit it comes before"),
        "text": _text("the lapse in one sentence"),
    }, optional=("evidence", "finding", "clause"))


def _register() -> dict[str, Any]:
    return _record("one register read for its content (a record declaring register:)", {
        "evidence": _text("the register's evidence record"),
        "register": _words(REGISTER_KINDS, "the register's type"),
        "rows": _count("its data rows read"),
        "problems": _list(_record("a problem met reading it", {
            "code": _text("the diagnostic code (docs/diagnostics.md)"),
            "row": {"type": ["integer", "null"], "minimum": 1, "description": "the row in its file (null: the "
                                                                              "whole file)"},
            "text": _text("the problem in one sentence"),
        }), "the problems met reading it, in order"),
        "flags": _by(KEY, {"type": "integer", "minimum": 1},
                     "flag (docs/rules.md: overdue, failed, unapproved, ...) -> the rows carrying it"),
        "reasons": _list(_record("one judgement of its content", {
            "code": _text("the reason's stable code (docs/rules.md)"),
            "text": _text("the reason in one sentence"),
        }), "what its content shows, for the clauses the standard puts each check on"),
    })


def _overall() -> dict[str, Any]:
    clause = dict(PLAIN_CLAUSE)
    return _record("the overall figures", {
        "overall": _share("overall readiness, 0 to 1 (null: nothing applicable)"),
        "by_main_clause": _by(clause, {"type": ["number", "null"], "minimum": 0, "maximum": 1},
                              "readiness per main clause"),
        "ready_clauses": _count("applicable leaf clauses that are ready"),
        "applicable_clauses": _count("applicable leaf clauses"),
        "ready_share": _share("share of applicable leaf clauses ready"),
        "at_risk_share": _share("share at risk"),
        "not_ready_share": _share("share not ready"),
        "states": _by({"enum": list(STATES)}, {"type": "integer", "minimum": 0}, "leaf clauses per state"),
        "statuses": _by({"enum": list(STATUSES)}, {"type": "integer", "minimum": 0}, "leaf clauses per status"),
    })


def _sites() -> dict[str, Any]:
    """readiness.json "sites" (a multi-site organisation only, issue 25)."""
    return _list(_record("one site, as organisation.yaml's sites: declares it, judged on its own", {
        "id": {**KEY, "description": "the site's id"},
        "name": _text("the site's name"),
        "employees": {"type": ["integer", "null"], "minimum": 1, "description": "the people working there"},
        "central": _bool("whether it is the central function (IAF MD 1)"),
        "readiness": _record("the shares of its applicable clauses by state, at this site", {
            "ready_share": _share("ready"), "at_risk_share": _share("at risk (counted ready)"),
            "not_ready_share": _share("not ready")}),
        "blockers": _list(_record("a clause not ready at this site", {
            "clause": {**PLAIN_CLAUSE, "description": "the clause"},
            "codes": _ids("its reasons' stable codes (docs/rules.md)"),
            "reasons": _ids("its reasons, in words for this audience")}), "the clauses not ready there"),
    }), "each site, in declared order (only when organisation.yaml declares sites:)")


def _sampling() -> dict[str, Any]:
    """readiness.json "sampling": a CB's view, indicative (assess/sampling.py; docs/certification-practice.md)."""
    size = "the sites other than the central function visited at the {} audit (IAF MD 1; minimum, indicative)"
    return _record("how a certification body is likely to sample the sites and the audit time it starts from: "
                   "indicative (only when organisation.yaml declares sites:)", {
        **{a: _count(size.format(a)) for a in CB_AUDITS},
        "method": _words(CB_METHODS, "a sample (sites alike), no sample (processes differ), or the central function "
                                  "alone"),
        "sites_likely": _list(_record("the sites likely visited at one audit, and why", {
            "audit": _words(CB_AUDITS, "the audit"),
            "size": _count("the sites other than the central function visited"),
            "picks": _list(_record("a site a CB would choose on purpose", {
                "site": {**KEY, "description": "the site's id"},
                "code": _words(CB_PICKS, "why (docs/certification-practice.md)")}),
                "the central function first, then the most likely picks"),
            "random_count": _count("how many more the CB draws at random"),
            "random_pool": _ids("the sites the random draw is made from"),
        }), "one plan per audit of the cycle"),
        "audit_days": _record("IAF MD 5's QMS table for everyone working at the sites (before a CB's "
                              "adjustments; null when no site gives its employees)", {
            "effective_personnel": _count("the sum of the sites' employees"),
            **{k: {"type": ["number", "null"], "minimum": 0, "description": f"auditor-days: {k.replace('_', ' ')}"}
               for k in ("stage1_plus_stage2", "surveillance", "recertification")},
            "band": _list({"type": ["integer", "null"]}, "the table's band holding the count (to null: beyond it)"),
            "basis": _words(CB_DAY_BASES, "the table, or beyond its last band (the CB calculates)"),
            "provisional": _ids("the data values behind the figures that are provisional"),
        }, nullable=True),
        "basis": _words(CB_BASES, "the rule that gave the sizes (docs/certification-practice.md)"),
    })


def readiness_schema() -> dict[str, Any]:
    """The JSON Schema of ``readiness.json`` (export.readiness_dict): every key described, every key required
    (but the three a lapse has only sometimes), no undescribed key allowed, so a renamed or dropped key fails."""
    clause, ids = dict(PLAIN_CLAUSE), _ids()
    body = _record("readiness.json: the portal's figures for one build (one audience, one as-of date)", {
        "schema": {"const": READINESS_VERSION, "description": "the version of this format; changes only when a key is renamed "
                                                    "or removed"},
        "organisation": _text("the organisation's name"),
        "as_of": _date("the date readiness is judged on"),
        "standard": {**EDITION, "description": f"the edition assessed against, as organisation.yaml names it "
                                               f"(e.g. '{DEFAULT_STANDARD}')"},
        "amendments": _list({"type": "string"}, "the amendments the catalog includes"),
        "audience": _words(AUDIENCES, "who the build is for"),
        "language": _words(LANGUAGES, "the language the build's pages, workbook and report speak (organisation.yaml "
                           "language:, or --language); this file's own words and codes are the same in every language"),
        "commit": _text("the git commit the inputs come from", nullable=True),
        "readiness": _overall(),
        "clauses": _list(_clause_row(), "every clause of the catalog, in order"),
        "evidence": _list(_evidence_row(), "every evidence record this audience may see"),
        "findings": _list(_finding_row(), "every finding this audience may see"),
        "review_inputs": _record(f"the latest management review's inputs ({_ROLE['review_inputs']})", {
            "review": _text("the review record, when this audience may see it", nullable=True),
            "date": _date("the review's date", nullable=True),
            "considered": _list(KEY, "the inputs it considered (the standard's own keys)"),
            "missing": _list(KEY, "the inputs it did not"),
        }, nullable=True),
        "gates": _by({"enum": ["stage1", "stage2"]}, _gate(), "the audit stage gates"),
        "lapses": _list(_lapse(), "what lapses before the audits, by date"),
        "registers": _list(_register(), "each register this audience may see, in evidence-id order"),
        "coverage": _record("internal audit coverage of the leaf clauses", {
            "leaves": _by(clause, ids, "leaf clause -> the audit records that covered it"),
            "uncovered": _list(clause, "leaf clauses no internal audit covered"),
        }),
        "exclusions": _list(_record("a clause declared not applicable", {
            "clause": {**clause, "description": "the clause"},
            "justification": _text("why it cannot apply"),
            "rule": _words(("possible", "rare"), "whether the standard expects it can be excluded, or rarely"),
        }), "the clauses declared not applicable"),
        "withheld": _record("what this audience may not see, counted", {
            "evidence": _count("evidence records left out"),
            "findings": {"type": ["integer", "null"], "minimum": 0,
                         "description": "findings left out (null in a public build that does not publish findings: "
                                        "nothing about them is counted)"},
        }),
        "transition": _record("the move to ISO 9001:2026, topic by topic (null for a project on ISO 9001:2026)", {
            "to": {**EDITION, "description": "the edition to move to"},
            "deadline": _date("organisation.yaml transition.deadline (from the certification body)", nullable=True),
            "audit": _date("the planned transition audit", nullable=True),
            "addressed": _count("topics addressed"),
            "total": _count("topics"),
            "topics": _list(_record("a requirement topic the new edition adds or changes", {
                "key": _text("its stable key (evidence names it in topics:)"),
                "clauses": _list({"type": "string"}, "its clauses in the new edition"),
                "state": _words(("addressed", "gap"), "whether current evidence addresses it"),
                "provisional": _bool("whether the public sources on it are provisional"),
                "evidence": {**ids, "description": "the current records naming it that this audience may see"},
                "reason": _text("why, in words"),
                "code": _text("the reason's stable code (docs/rules.md)"),
            }), "the topics, in the order of transition-topics.yaml"),
        }, nullable=True),
        "certificate": _record("the certificate organisation.yaml records, judged on the as-of date (null when none "
                               "is recorded)", {
            "state": _words(("valid", "not-yet-valid", "expired"), "whether it may be claimed on the as-of date"),
            "reason": _text("why, in words"),
            "code": _text("the reason's stable code (docs/rules.md)"),
            "transition": _record("a certificate to ISO 9001:2015 expiring after the transition deadline (null "
                                  "otherwise)", {
                "reason": _text("by when it must move, in words"),
                "code": _text("the reason's stable code (docs/rules.md)"),
            }, nullable=True),
        }, nullable=True),
        "systemic_minors": _count("the threshold: this many open minors on one clause (or its sub-clauses) "
                                  "count as one major for the gates (organisation.yaml systemic_minors, default 3)"),
        "climate_change": _record("the climate-change determination organisation.yaml declares (Amendment "
                                  "1:2024; null when not declared: then only evidence with topics: "
                                  f"[climate-change] on {_ROLE['context']} can show it)", {
            "relevant": {"type": ["boolean", "null"], "description": "whether climate change is a relevant issue"},
            "decided": _date("when the determination was made", nullable=True),
        }, nullable=True),
        "other_standards": _list(_record("another standard's portal in this site", {
            "standard": {**EDITION, "description": "the standard, as organisation.yaml names it"},
            "portal": _text("its dashboard, relative to this file"),
            "readiness": _text("its readiness.json, relative to this file"),
            "checklist_csv": _text("its checklist.csv, relative to this file"),
            "checklist_xlsx": _text("its checklist.xlsx, relative to this file"),
        }), "an integrated management system's other standards, each with its own portal and exports in a folder "
            "(only in the site root's readiness.json, and only when the project follows several standards)"),
        "sites": _sites(),
        "sampling": _sampling(),
    }, optional=("other_standards", "sites", "sampling"))
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "isoready readiness.json", **body}


#: the JSON Schemas the package ships (isoready/schemas/) and ``init`` copies into a register (.schemas/)
SCHEMA_FILES: dict[str, str] = {"organisation": "organisation.schema.json", "evidence": "evidence.schema.json",
                                "assessment": "clauses.schema.json", "finding": "findings.schema.json",
                                "page": "page.schema.json", "readiness": "readiness.schema.json"}


def schema_for(name: str) -> dict[str, Any]:
    """The JSON Schema of one kind of file (a key of SCHEMA_FILES)."""
    if name == "readiness":
        return readiness_schema()
    return json_schema(PAGE if name == "page" else FILE_KINDS[name])


def schema_text(name: str) -> str:
    return json.dumps(schema_for(name), indent=2, ensure_ascii=False) + "\n"


def shipped_schema(name: str) -> str:
    """The schema file shipped in the package (what a wheel installs)."""
    from importlib import resources

    return resources.files("isoready").joinpath("schemas", SCHEMA_FILES[name]).read_text(encoding="utf-8")


def write_schemas(folder: Path) -> list[Path]:
    """Write every schema file into ``folder``; returns the files that changed."""
    folder.mkdir(parents=True, exist_ok=True)
    changed = []
    for name, filename in SCHEMA_FILES.items():
        path = folder / filename
        text = schema_text(name)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed
