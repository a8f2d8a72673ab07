"""A Markdown readiness summary (for a CI job summary or a pull-request comment).

It says no more than the portal built for the same audience: the organisation's name goes through that
build's redactor (as the pages' header does), so a public build's summary names no withheld record."""

from __future__ import annotations

from isoready import standards
from isoready.assess import Readiness
from isoready.model import DEFAULT_AUDIENCE, Project
from isoready.validate.redact import audience_redactor
from isoready.views import pct


def markdown_summary(project: Project, readiness: Readiness, audience: str = DEFAULT_AUDIENCE) -> str:
    name = audience_redactor(project, audience)(project.organisation.name)
    known = standards.find(project.catalog.standard)  # the family every edition shares, from its package
    lines = [f"## {known.family if known else project.catalog.standard} readiness: {name}", "",
             f"As of {readiness.as_of}: **{pct(readiness.overall)}** of the applicable clauses ready or at risk "
             f"({readiness.leaves_ready} of {readiness.leaves_applicable}).", "",
             "| Main clause | Readiness |", "| --- | --- |"]
    for clause in project.catalog.mains:
        lines.append(f"| {clause.number} {clause.name} | {pct(readiness.by_main[clause.number])} |")
    lines.append("")
    for key, gate in readiness.gates.items():
        passed = sum(i.passed for i in gate.items)
        lines.append(f"- {key.replace('stage', 'Stage ')}: {passed} of {len(gate.items)} checks pass")
    counts = readiness.state_counts
    lines += ["", f"Clauses: {counts['ready']} ready, {counts['at-risk']} at risk, {counts['not-ready']} not ready, "
              f"{counts['not-applicable']} not applicable. Stale evidence: {len(readiness.stale_evidence)}.", ""]
    return "\n".join(lines)
