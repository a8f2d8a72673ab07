"""The words of the registers' reasons (issue 24), registered in reasons.py's one registry (``REASONS``):
reasons.py is full, so these live beside it, as sitereasons.py's do; the package's ``__init__`` imports this
module, so they are registered before any sentence is made.

Each sentence is one message with named placeholders (a translator may reorder them); an item of a list is a
message of its own, and the list is joined as the English one is. Each names its items only when the register
is visible to the build's audience.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from isoready.assess import Reason
from isoready.core.i18n import gettext as _, ngettext, prose_date
from isoready.views.labels import figure, id_list
from isoready.views.reasons import Redact, reason


def _items(p: Mapping[str, Any], key: str, full: bool, redact: Redact, counted: Callable[[int], str],
           fmt: Callable[..., str]) -> str:
    """The register's items one by one (``fmt``) where the audience sees them, else only how many (``counted``)."""
    rows = p[key]
    return "; ".join(redact(fmt(*row) if isinstance(row, tuple) else fmt(row)) for row in rows) if full else \
        counted(len(rows))


def _suppliers(n: int) -> str:
    return ngettext("%(num)s supplier", "%(num)s suppliers", n)


def _objectives(n: int) -> str:
    return ngettext("%(num)s objective", "%(num)s objectives", n)


def _audits(n: int) -> str:
    return ngettext("%(num)s audit", "%(num)s audits", n)


def _requirements(n: int) -> str:
    return ngettext("%(num)s requirement", "%(num)s requirements", n)


def _nonconformities(n: int) -> str:
    return ngettext("%(num)s nonconformity", "%(num)s nonconformitys", n)


def _due(name: str, day: Any) -> str:
    return _("%(name)s (due %(date)s)", name=name, date=prose_date(day))


def _planned(name: str, day: Any) -> str:
    return _("%(name)s (planned %(date)s)", name=name, date=prose_date(day))


def _raised(name: str, day: Any) -> str:
    return _("%(name)s (raised %(date)s)", name=name, date=prose_date(day))


def _compliance(name: str, compliance: str) -> str:
    return _("%(name)s (partly compliant)", name=name) if compliance == "partly" else \
        _("%(name)s (not compliant)", name=name)


def _competence(p: Mapping[str, Any], redact: Redact) -> str:
    """Counted per role: never a person's name."""
    roles = []
    for role, expired, training in p["roles"]:
        counts = ([ngettext("%(num)s expired competence", "%(num)s expired competences", expired)] if expired
                  else []) + ([ngettext("%(num)s person in training", "%(num)s person in trainings", training)]
                              if training else [])
        roles.append(_("%(role)s: %(counts)s", role=redact(role) or _("no role given"), counts=", ".join(counts)))
    return _("competence not assured, per role: %(roles)s", roles="; ".join(roles))


def _calibration(p: Mapping[str, Any], full: bool, redact: Redact) -> str:
    parts = []
    if p["overdue"]:
        parts.append(_("past calibration due date: %(items)s", items=redact(id_list(p["overdue"]))) if full else
                     ngettext("%(num)s item past calibration due date", "%(num)s items past calibration due date",
                              len(p["overdue"])))
    if p["failed"]:
        parts.append(_("failed calibration: %(items)s", items=redact(id_list(p["failed"]))) if full else
                     ngettext("%(num)s item failed calibration", "%(num)s items failed calibration",
                              len(p["failed"])))
    return _("measuring equipment in service that cannot be relied on (%(what)s): results it gave are in doubt",
             what="; ".join(parts))


def _behind(n: str, d: Any, t: float, a: float, u: str) -> str:
    return _("%(name)s (%(period)s: %(actual)s%(unit)s against a target of %(target)s%(unit)s)", name=n,
             period=f"{d:%Y-%m}", actual=figure(a), unit=u, target=figure(t))


def _review(r: Reason, p: Mapping[str, Any], code: str, full: bool) -> str:
    """gate-register-reviewed and gate-register-not-reviewed: the register named only where it is visible."""
    named = {"id": r.evidence[0]} if full else {}
    if code == "gate-register-reviewed":
        text = (_("register %(id)s reviewed on %(date)s, within %(window)s months") if full else
                _("register reviewed on %(date)s, within %(window)s months"))
        return text % {**named, "date": prose_date(p["reviewed"]), "window": p["window"]}
    when = (_("last reviewed on %(date)s", date=prose_date(p["reviewed"])) if p["reviewed"] else
            _("no review date on the record or every row"))
    text = (_("register %(id)s not reviewed within %(window)s months (since %(since)s): %(when)s") if full else
            _("register not reviewed within %(window)s months (since %(since)s): %(when)s"))
    return text % {**named, "window": p["window"], "since": prose_date(p["since"]), "when": when}


@reason("register-calibration", "register-supplier-unapproved", "register-evaluation-overdue",
        "register-objective-no-result", "register-objective-behind", "register-audit-overdue",
        "register-legal-not-compliant", "register-nc-open-too-long", "register-competence", "register-nc-trend",
        "coverage-planned", "gate-register-missing", "gate-register-not-reviewed", "gate-register-reviewed")
def _register_items(r: Reason, p: Mapping[str, Any], code: str, full: bool, redact: Redact) -> str:
    if code == "register-competence":
        return _competence(p, redact)
    if code == "register-nc-trend":
        months = ", ".join(_("%(month)s: %(raised)s raised, %(closed)s closed", month=m, raised=raised, closed=closed)
                           for m, raised, closed in p["months"])
        return _("nonconformities per month, an input for management review (%(months)s)", months=months)
    if code == "coverage-planned":
        said = ", ".join(_("%(audit)s on %(date)s", audit=redact(a), date=prose_date(d)) for a, d in p["audits"]) \
            if full else _audits(len(p["audits"]))
        return _("not covered yet: planned in the audit programme (%(audits)s); covered only once done as planned",
                 audits=said)
    if code == "register-calibration":
        return _calibration(p, full, redact)
    if code == "register-supplier-unapproved":
        return _("in use but never approved: %(suppliers)s; approve external providers against criteria before "
                 "using them", suppliers=_items(p, "suppliers", full, redact, _suppliers, str))
    if code == "register-evaluation-overdue":
        due = _items(p, "suppliers", full, redact, _suppliers, _due)
        return _("re-evaluation overdue for external providers in use: %(suppliers)s", suppliers=due)
    if code == "register-objective-no-result":
        what = _items(p, "objectives", full, redact, _objectives,
                      lambda n, d: _("%(name)s (latest result %(date)s)", name=n, date=prose_date(d)) if d
                      else _("%(name)s (no result)", name=n))
        return _("no result in the last %(months)s months for: %(objectives)s: nobody shows the objective is "
                 "monitored", months=p["months"], objectives=what)
    if code == "register-objective-behind":
        return _("behind target in the latest period, an input for management review: %(objectives)s",
                 objectives=_items(p, "objectives", full, redact, _objectives, _behind))
    if code == "register-audit-overdue":
        audits = _items(p, "audits", full, redact, _audits, _planned)
        return _("planned internal audits past their date and not done: %(audits)s", audits=audits)
    if code == "register-legal-not-compliant":
        requirements = _items(p, "requirements", full, redact, _requirements, _compliance)
        return _("legal and other requirements not complied with: %(requirements)s", requirements=requirements)
    if code == "register-nc-open-too-long":
        items = _items(p, "nonconformities", full, redact, _nonconformities, _raised)
        return _("nonconformities open more than %(days)s days with no action recorded: %(items)s", days=p["days"],
                 items=items)
    if code == "gate-register-missing":
        return _("no %(register)s register: no record declares register: %(register)s (map it to %(clause)s)",
                 register=p["register"], clause=p["clause"])
    return _review(r, p, code, full)
