"""The since-the-last-audit page: the comparison git facts carry, in this audience's words."""

from __future__ import annotations

from typing import Any, Mapping, Optional

from isoready.core.i18n import gettext as _, prose_date
from isoready.model import FIGURES
from isoready.views.builder import builder
from isoready.views.context import Context
from isoready.views.dashboard import tag_labels
from isoready.views.labels import (FIGURE_WORDS, GATE_WORDS, GRADE_LABELS, STATE_WORDS, evidence_url, figure_text,
    finding_url, verdict_word)
from isoready.views.models import Link
from isoready.views.pages import PageView, SinceView


def since(ctx: Context) -> Optional[SinceView]:
    """The "since last audit" page: None when organisation.yaml names no last_audit."""
    git, org = ctx.git, ctx.project.organisation
    if not org.last_audit:
        return None
    ref = tag_labels(ctx).get(org.last_audit) or ctx.redact(org.last_audit)  # named as the trend names it
    if git is None or not git.available:
        return SinceView(ref, _("The comparison with the last audit needs git history, which this build does not "
                                "have (for example a zip of the register)."))
    d = git.since
    if d is None:
        return SinceView(ref, _("last_audit: '%(ref)s' in content/organisation.yaml names no commit, tag or branch of "
                                "this repository (a shallow clone may lack it: fetch with fetch-depth: 0)", ref=ref))
    # the comparison covers every record: this audience sees the changes of the records it may see, and a
    # clause's reasons in the words its clause page uses (ctx.say: withheld ids dropped, findings unpublished)
    ev_ok = set(ctx.visible_ev)
    f_ok = set(ctx.visible_f) if ctx.findings_published else set()
    fb, fa = d.before["figures"], d.after["figures"]
    figures = tuple((FIGURE_WORDS[k], figure_text(k, fb[k]), figure_text(k, fa[k])) for k in FIGURES
                    if k != "open_findings" or ctx.findings_published)
    gates = tuple(_("%(gate)s: %(before)s then, %(after)s now", gate=GATE_WORDS.get(g.gate, g.gate),
                    before=verdict_word(g.before), after=verdict_word(g.after)) for g in d.gates)
    clauses = tuple((ctx.clink(c.clause), STATE_WORDS[c.before], STATE_WORDS[c.after],
                     "; ".join(text for text, _ in ctx.say.all(c.reasons)))
                    for c in d.clauses)
    evidence = tuple((e.change, Link(evidence_url(e.id), ctx.redact(e.title), e.id) if e.id in ctx.evidence
                      else None, (ctx.redact(e.title) if e.change == "removed" else "")
                      + (f" ({_(' and ').join(e.what)})" if e.what else "")) for e in d.evidence if e.id in ev_ok)
    findings = tuple((f.change, Link(finding_url(f.id), f.id, f.id) if f.id in ctx.findings else None,
                      GRADE_LABELS.get(f.grade, f.grade)) for f in d.findings if f.id in f_ok)
    before = _("%(ref)s (%(commit)s), judged on %(date)s", ref=ref, commit=d.before["commit"][:10],
               date=prose_date(d.before["as_of"]))
    after = _("this build, judged on %(date)s", date=prose_date(d.after["as_of"]))
    return SinceView(ref, "", before, after, figures, gates,
                     clauses, evidence, findings, not (clauses or evidence or findings or gates))


@builder("since", reads=("organisation", "catalog", "evidence", "findings", "readiness", "git"))
def SINCE(ctx: Context, shared: Mapping[str, Any]) -> list[PageView]:
    view = since(ctx)
    return [] if view is None else [
        PageView("since-last-audit.html", "since", _("Since the last audit"), "index", view)]
