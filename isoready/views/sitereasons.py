"""The words of a multi-site organisation's reasons (issue 25), registered in reasons.py's one registry
(``REASONS``): reasons.py is full, so these live beside it; the package's ``__init__`` imports this module, so
they are registered before any sentence is made. Sites are named by their name with their id beside it (the
standard's words carry the organisation's site names: ``StandardWords.sites``)."""

from __future__ import annotations

from typing import Any, Mapping

from isoready.assess import Reason
from isoready.core.i18n import gettext as _, ngettext
from isoready.views.labels import STATE_WORDS, id_list, site_list
from isoready.views.reasons import Redact, StandardWords, reason


@reason("site-state", standard=True)
def _site_state(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact, std: StandardWords) -> str:
    return ngettext("%(state)s at %(num)s site (%(sites)s) of the %(total)s where it applies: the organisation is "
                    "as ready as its least ready site",
                    "%(state)s at %(num)s sites (%(sites)s) of the %(total)s where it applies: the organisation is "
                    "as ready as its least ready site", len(p["sites"]),
                    state=STATE_WORDS[p["state"]], sites=site_list(p["sites"], std.sites, redact), total=p["total"])


@reason("gate-sites-unaudited", "gate-sites-audited", standard=True)
def _gate_sites(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact, std: StandardWords) -> str:
    if code == "gate-sites-audited":
        named = f" ({id_list(r.evidence)})" if full else ""
        return _("internal audits within the window%(named)s reach all %(total)s sites, the central function "
                 "included, and every clause that applies at each", named=named, total=p["total"])
    parts = [_("no internal audit within the window at %(sites)s", sites=site_list(p["never"], std.sites, redact))] \
        if p["never"] else []
    parts += [_("at %(site)s, not covered: %(clauses)s", site=site_list((site,), std.sites, redact),
                clauses=id_list(leaves)) for site, leaves in p["partly"]]
    return _("%(parts)s (%(count)s of %(total)s sites): every site, the central function included, needs its own "
             "internal audit before certification", parts="; ".join(parts),
             count=len(p["never"]) + len(p["partly"]), total=p["total"])
