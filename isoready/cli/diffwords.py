"""The ``isoready diff`` command's words: the comparison of two commits as text, Markdown (a job summary, a pull
request comment) or JSON (schema: ``diff.DIFF_SCHEMA``, documented in docs/format.md).

It sits beside the CLI, above both ``diff`` (which computes the comparison and holds no word) and ``views``
(whose words it shares with the site's "since the last audit" page: states, figures, gates, each reason's
sentence), so that ``views`` need not import the modules that read and compare commits.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Mapping, Optional, Sequence

from isoready import standards
from isoready.gitfacts.diff import DIFF_VERSION, MARKER, EditionChange, ReadinessDiff
from isoready.model import FIGURES
from isoready.core.text import md_code, md_text, one_line
from isoready.read.catalog import load_catalog
from isoready.views import (FIGURE_WORDS, GATE_WORDS, STATE_WORDS, StandardWords, describe, figure_text,
    verdict_word)


def _side_name(s: Mapping[str, Any], say: Callable[[str], str] = one_line) -> str:
    short = s["commit"][:10]
    if short and s["commit"].startswith(s["ref"]):
        return short  # the ref is the commit id itself
    return f"{say(s['ref'])} ({short})" if short else say(s["ref"])


def _standard_words(d: ReadinessDiff) -> Optional[StandardWords]:
    """The words of the standard the later side follows (None: the default standard's)."""
    return StandardWords.of(load_catalog(d.standard)) if d.standard in standards.names() else None


def diff_lines(d: ReadinessDiff, markdown: bool) -> list[str]:
    """``isoready diff`` as text or Markdown: every record (the command reads the whole repository anyway).

    Every string the team wrote (ids, titles, reasons with their commit subjects, ref names, grades) goes
    through ``say`` or ``code``: one line each, and in Markdown (a pull-request comment) escaped text or a code
    span, so a contributor's title cannot add a line, hide the ones after it or start HTML (text.md_text)."""
    code = md_code if markdown else one_line
    say = md_text if markdown else one_line
    std = _standard_words(d)
    out = []
    title = f"Readiness: {_side_name(d.before, say)} → {_side_name(d.after, say)}"
    out += [f"### {title}" if markdown else title, ""]
    fb, fa = d.before["figures"], d.after["figures"]
    if markdown:
        out += ["| | before | after |", "| --- | ---: | ---: |"]
        out += [f"| {FIGURE_WORDS[k]} | {figure_text(k, fb[k])} | {figure_text(k, fa[k])} |" for k in FIGURES]
    else:
        out += [f"{FIGURE_WORDS[k]}: {figure_text(k, fb[k])} -> {figure_text(k, fa[k])}" for k in FIGURES]
    out.append("")
    if d.empty:
        out.append("No change to readiness, evidence, findings or gates.")
        return out
    bullet = "- "
    if d.edition:
        out += edition_lines(d.edition, markdown)
    if d.gates:
        out.append("**Gates**" if markdown else "Gates:")
        for g in d.gates:
            failing = f" (failing: {', '.join(code(c) for c in g.failing)})" if g.failing else ""
            out.append(f"{bullet}{GATE_WORDS.get(g.gate) or say(g.gate)}: {verdict_word(g.before)} → "
                       f"{verdict_word(g.after)}{failing}")
        out.append("")
    if d.clauses:
        out.append("**Clauses whose state changed**" if markdown else "Clauses whose state changed:")
        for c in d.clauses:
            why = say("; ".join(describe(r, True, std=std) for r in c.reasons))
            out.append(f"{bullet}{code(c.clause)} {say(c.title)}: {STATE_WORDS[c.before]} → {STATE_WORDS[c.after]}"
                       + (f": {why}" if why else ""))
        out.append("")
    if d.evidence:
        out.append("**Evidence**" if markdown else "Evidence:")
        for e in d.evidence:
            what = f" ({' and '.join(say(w) for w in e.what)})" if e.what else ""
            out.append(f"{bullet}{say(e.change)}: {code(e.id)} {say(e.title)}{what}")
        out.append("")
    if d.findings:
        out.append("**Findings**" if markdown else "Findings:")
        for f in d.findings:
            out.append(f"{bullet}{say(f.change)}: {code(f.id)} ({say(f.grade)})")
        out.append("")
    return out


def edition_lines(e: EditionChange, markdown: bool) -> list[str]:
    """The edition change, then one line per clause the move added, removed or split (catalog data: no text
    the team wrote)."""
    def code(n: str) -> str:
        return f"`{n}`" if markdown else n

    def each(numbers: Sequence[str]) -> str:
        named = [code(n) for n in numbers]
        return named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]

    head = f"Edition: {e.before} → {e.after}"
    out = [f"**{head}**" if markdown else head]
    out += [f"- added: {code(n)}" + (f" (from {each(src)})" if src else "") for n, src in e.added]
    out += [f"- removed: {code(n)}" + (f" (now in {each(dst)})" if dst else "") for n, dst in e.removed]
    out += [f"- split: {code(n)} became {each(dst)}" for n, dst in e.split]
    return out + [""]


def diff_json(d: ReadinessDiff) -> dict:
    """``isoready diff --format json`` (schema: diff.DIFF_SCHEMA): the data, each reason as its sentence."""
    return {"version": DIFF_VERSION, "before": d.before, "after": d.after,
            "clauses": [{"clause": c.clause, "title": c.title, "before": c.before, "after": c.after,
                         "reasons": [describe(r, True, std=_standard_words(d)) for r in c.reasons]}
                        for c in d.clauses],
            "evidence": [{"id": e.id, "title": e.title, "change": e.change, "what": list(e.what)} for e in d.evidence],
            "findings": [{"id": f.id, "grade": f.grade, "change": f.change} for f in d.findings],
            "gates": [{"gate": g.gate, "before": g.before, "after": g.after, "failing": list(g.failing)}
                      for g in d.gates],
            **({"edition": {"before": d.edition.before, "after": d.edition.after,
                            **{k: [{"clause": n, "related": list(r)} for n, r in getattr(d.edition, k)]
                               for k in ("added", "removed", "split")}}} if d.edition else {})}


def diff_text(d: ReadinessDiff, fmt: str = "text") -> str:
    """The whole output of ``isoready diff --format text|markdown|json``."""
    if fmt == "json":
        return json.dumps(diff_json(d), indent=2, sort_keys=True) + "\n"
    body = "\n".join(diff_lines(d, fmt == "markdown")).rstrip("\n") + "\n"
    return (MARKER + "\n" + body) if fmt == "markdown" else body
