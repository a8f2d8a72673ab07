"""The words of a multi-site organisation's reasons (issue 25), registered in reasons.py's one registry
(``REASONS``): reasons.py is full, so these live beside it; the package's ``__init__`` imports this module, so
they are registered before any sentence is made."""

from __future__ import annotations

from typing import Any, Mapping

from isoready.assess import Reason
from isoready.views.labels import STATE_WORDS, id_list, plural
from isoready.views.reasons import Redact, reason


@reason("site-state")
def _site_state(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    return (f"{STATE_WORDS[p['state']]} at {plural(len(p['sites']), 'site')} ({id_list(p['sites'])}) of the "
            f"{p['total']} where it applies: the organisation is as ready as its least ready site")


@reason("gate-sites-unaudited", "gate-sites-audited")
def _gate_sites(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    if code == "gate-sites-audited":
        named = f" ({id_list(r.evidence)})" if full else ""
        return (f"internal audits within the window{named} reach all {p['total']} sites, the central function "
                "included, and every clause that applies at each")
    parts = [f"no internal audit within the window at {id_list(p['never'])}"] if p["never"] else []
    parts += [f"at {site}, not covered: {id_list(leaves)}" for site, leaves in p["partly"]]
    return ("; ".join(parts) + f" ({len(p['never']) + len(p['partly'])} of {p['total']} sites): every site, the "
            "central function included, needs its own internal audit before certification")
