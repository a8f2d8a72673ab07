"""The certification body's view of a multi-site organisation (issue 25), INDICATIVE: how many sites a CB
visits at each audit (IAF MD 1), which sites it is likely to pick and why, and the auditor-days IAF MD 5's QMS
table starts from. Pure functions of their arguments and of the practice data in isoready/standards/practice/
(``iaf-md1.yaml``, ``iaf-md5-qms.yaml``), which hold every figure with its sources and whether it is
provisional. Nothing here names a section of those documents or a clause of a standard.

``x`` everywhere is the number of sites OTHER THAN the central function. Every count in a ``Sampling`` or a
``SitePlan`` is of those sites; the central function is visited at every audit on top of them
(``Sampling.with_central`` adds it, ``SitePlan.picks`` lists it first). docs/certification-practice.md explains
the practice in words; views/multisite.py maps the register's sites onto ``SiteFacts`` (``site_is_new`` says
which of them are new) and words the codes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from functools import lru_cache
from importlib import resources
from typing import Any, Iterable, Mapping, Optional

import yaml

from isoready.assess.clauses import months_before
from isoready.model import CB_AUDITS, CB_BASES, CB_DAY_BASES, CB_METHODS, CB_PICKS, Organisation, Site

#: the audits of a certification cycle, in order (surveillance: each year between them)
AUDITS, METHODS, BASES, PICK_CODES, DAY_BASES = CB_AUDITS, CB_METHODS, CB_BASES, CB_PICKS, CB_DAY_BASES
SAMPLING, NO_SAMPLING, SINGLE_SITE = METHODS
_MD1_FILE, _MD5_FILE = "iaf-md1.yaml", "iaf-md5-qms.yaml"


@lru_cache(maxsize=None)
def practice_data(name: str) -> Mapping[str, Any]:
    """One practice data file (package data, so a wheel has it), parsed once."""
    text = resources.files("isoready").joinpath("standards", "practice", name).read_text(encoding="utf-8")
    return yaml.safe_load(text)


# --------------------------------------------------------------------------- IAF MD 1: how many sites

@dataclass(frozen=True)
class Sampling:
    """The minimum number of sites OTHER THAN the central function a CB visits at each audit.

    ``surveillance`` is per surveillance audit when sampling, per calendar year when not. ``provisional`` names
    the data values behind these figures that are provisional (empty: every one is confirmed)."""

    other_sites: int  # x: the sites other than the central function
    initial: int
    surveillance: int
    recertification: int
    method: str  # METHODS
    basis: str  # BASES
    provisional: tuple[str, ...] = ()

    def size(self, audit: str) -> int:
        """The sites other than the central function visited at ``audit`` (one of AUDITS)."""
        if audit not in AUDITS:
            raise ValueError(f"unknown audit {audit!r}: one of {', '.join(AUDITS)}")
        return getattr(self, audit)

    def with_central(self, audit: str) -> int:
        """Every site visited at ``audit``, the central function included."""
        return self.size(audit) + 1


def _whole(x: Any, what: str, least: int) -> int:
    if isinstance(x, bool) or not isinstance(x, int):
        raise TypeError(f"{what} must be a whole number, not {x!r}")
    if x < least:
        raise ValueError(f"{what} must be {least} or more, not {x}")
    return x


def _ceil_root(factor: Fraction, x: int) -> int:
    """The least whole y with y >= factor * sqrt(x), in integers (no float: 0.6 * sqrt(25) is exactly 3)."""
    p, q = factor.numerator, factor.denominator
    need = p * p * x  # y >= p/q * sqrt(x)  <=>  y*y*q*q >= p*p*x, for y >= 0
    y = math.isqrt(need // (q * q))
    while y * y * q * q < need:
        y += 1
    return y


def _flagged(node: Mapping[str, Any], name: str) -> tuple[str, ...]:
    return (name,) if node.get("provisional") else ()


def sample_sizes(x: int, same_processes: bool) -> Sampling:
    """The minimum sites other than the central function per audit, for ``x`` such sites.

    Sites alike (``same_processes``) and at least the data's minimum number of them: a sample of
    factor * sqrt(x), rounded up (1, 0.6 and 0.8 for the initial, each surveillance and the recertification
    audit). Otherwise no sample: every site at the initial and the recertification audit, and a share of them
    (rounded up) in each surveillance year. x = 0 is a single-site organisation: only the central function.
    A negative or non-whole x raises (the caller validates the register first)."""
    x = _whole(x, "the number of sites other than the central function", 0)
    md1 = practice_data(_MD1_FILE)
    if x == 0:
        return Sampling(0, 0, 0, 0, SINGLE_SITE, "md1-central-only")
    rule = md1["sampling"]
    if same_processes and x >= rule["minimum_other_sites"]["value"]:
        sizes = [_ceil_root(Fraction(rule["factor"][a]["value"]), x) for a in AUDITS]
        flags = [f for a in AUDITS for f in _flagged(rule["factor"][a], f"sampling.factor.{a}")]
        flags += _flagged(rule["rounding"], "sampling.rounding")
        return Sampling(x, *sizes, SAMPLING, "md1-sites-alike", tuple(flags))
    other = md1["no_sampling"]
    shares = (other["initial_share"], other["surveillance_share_per_year"], other["recertification_share"])
    sizes = [math.ceil(Fraction(share["value"]) * x) for share in shares]
    flags = [f for key in ("initial_share", "surveillance_share_per_year", "recertification_share",
                           "surveillance_share_of", "rounding") for f in _flagged(other[key], f"no_sampling.{key}")]
    basis = "md1-processes-differ"
    if same_processes:  # alike, but a single site besides the central function: nothing to sample
        basis = "md1-one-other-site"
        flags += _flagged(rule["minimum_other_sites"], "sampling.minimum_other_sites")
    return Sampling(x, *sizes, NO_SAMPLING, basis, tuple(flags))


# --------------------------------------------------------------------------- IAF MD 1: which sites, and why

@dataclass(frozen=True)
class SiteFacts:
    """What the portal knows of one site, for the likely picks (a later step fills it from the register)."""

    id: str
    open_findings: int = 0  # findings at the site not yet closed
    ready: bool = True  # the site's own readiness verdict
    last_audit: Optional[date] = None  # the site's last audit (the CB's visit where known); None: never audited
    new: bool = False  # added recently or since the last certification audit (site_is_new)
    central: bool = False  # the central function (visited every audit, outside the sample)


#: a site added within this many months before the as-of date is new (a CB weighs new sites in its sample)
NEW_SITE_MONTHS = 12


def last_certification_audit(organisation: Organisation, as_of: date) -> Optional[date]:
    """The latest certification (external) audit the register books on or before ``as_of``: a stage 1, a stage
    2 or a transition audit that has taken place (``audits:``, ``transition: audit``); None when none has."""
    booked = [*organisation.audits.values(), *(d for a in organisation.audits_by_standard.values()
                                              for d in a.values())]
    if organisation.transition is not None and organisation.transition.audit:
        booked.append(organisation.transition.audit)
    return max((d for d in booked if d and d <= as_of), default=None)


def site_is_new(site: Site, organisation: Organisation, as_of: date) -> bool:
    """A site is new when it was ``added:`` within the NEW_SITE_MONTHS before ``as_of`` (or after it: it joins
    later), or after the last certification audit the register records. A site without ``added:`` is not."""
    if site.added is None:
        return False
    if site.added > months_before(as_of, NEW_SITE_MONTHS):
        return True
    last = last_certification_audit(organisation, as_of)
    return last is not None and site.added > last


@dataclass(frozen=True)
class Pick:
    """One site a CB is likely to visit, and why (PICK_CODES)."""

    site: str
    code: str


@dataclass(frozen=True)
class SitePlan:
    """The likely visits of one audit. ``picks``: the central function first, then the sites a CB would
    choose on purpose, most likely first. The random share is never named: the build cannot draw at random
    and a fixed 'random' pick would mislead, so it is a count drawn from ``random_pool`` (every other site)."""

    audit: str
    method: str
    size: int  # sites other than the central function visited (targeted picks + random_count)
    picks: tuple[Pick, ...]
    random_count: int
    random_pool: tuple[str, ...]


def _priority(site: SiteFacts) -> tuple:
    """Open findings (most first), not ready, never or least recently audited, new; then the id, so the order
    is the same on every build."""
    return (site.open_findings <= 0, -site.open_findings, site.ready, site.last_audit is not None,
            site.last_audit or date.min, not site.new, site.id)


def _code(site: SiteFacts) -> str:
    """Why a chosen site is likely to be visited: its open findings, else that it is new (before a register is
    certified most sites are not ready, so "not ready" would hide the rarer fact), else not ready, else its
    audits."""
    if site.open_findings > 0:
        return "open-findings"
    if site.new:
        return "new-site"
    if not site.ready:
        return "not-ready"
    return "not-yet-audited" if site.last_audit is None else "least-recently-audited"


def _split(sites: Iterable[SiteFacts], sizes: Sampling) -> tuple[list[SiteFacts], list[SiteFacts]]:
    sites = list(sites)
    ids = [s.id for s in sites]
    if len(set(ids)) != len(ids):
        raise ValueError("two sites share an id")
    central = [s for s in sites if s.central]
    others = [s for s in sites if not s.central]
    if len(central) > 1:
        raise ValueError("more than one site is the central function")
    if len(others) != sizes.other_sites:
        raise ValueError(f"{len(others)} sites other than the central function, but the sizes are for "
                         f"{sizes.other_sites}")
    return central, others


def likely_sites(sites: Iterable[SiteFacts], sizes: Sampling, audit: str) -> SitePlan:
    """Which sites a CB is likely to visit at ``audit`` and why, for ``sizes`` from sample_sizes.

    When every site is visited, each is picked ("every-site"). When sampling, at least the data's share of the
    sample (rounded up) is left to the CB's random draw and the rest goes to the sites that most need a visit
    (_priority). Without sampling, a surveillance year's share goes wholly to those sites, since the next
    year should visit others. Raises ValueError on sites that do not match ``sizes``."""
    size = sizes.size(audit)
    central, others = _split(sites, sizes)
    first = tuple(Pick(s.id, "central-function") for s in central)
    ranked = sorted(others, key=_priority)
    if size >= len(ranked):
        return SitePlan(audit, sizes.method, size, first + tuple(Pick(s.id, "every-site") for s in ranked), 0, ())
    random_count = 0
    if sizes.method == SAMPLING:
        share = Fraction(practice_data(_MD1_FILE)["sampling"]["random_share_minimum"]["value"])
        random_count = math.ceil(share * size)
    chosen = ranked[: size - random_count]
    pool = tuple(sorted(s.id for s in ranked[size - random_count:]))
    return SitePlan(audit, sizes.method, size, first + tuple(Pick(s.id, _code(s)) for s in chosen),
                    random_count, pool)


# --------------------------------------------------------------------------- IAF MD 5: auditor-days

@dataclass(frozen=True)
class AuditDays:
    """Indicative auditor-days for a QMS of ``effective_personnel`` people, before a CB's adjustments.

    ``surveillance`` is per year. Above the table's last band every figure is None (``basis``
    "md5-beyond-table"): the table only says to follow its progression. ``provisional`` names the data values
    behind the figures that are provisional (empty: every one is confirmed)."""

    effective_personnel: int
    stage1_plus_stage2: Optional[float]
    surveillance: Optional[float]
    recertification: Optional[float]
    band: tuple[int, Optional[int]]  # the table's band holding the count (to None: beyond the table)
    basis: str  # DAY_BASES
    provisional: tuple[str, ...] = ()


def _half_days(days: Fraction) -> float:
    """To the nearest half day, a tie upwards (exact: halves are exact floats)."""
    return math.floor(days * 2 + Fraction(1, 2)) / 2


def audit_days(effective_personnel: int) -> AuditDays:
    """The QMS table's auditor-days for stage 1 + stage 2 of the initial audit, read as steps, with a third
    of them for each surveillance year and two thirds for the recertification, to the nearest half day.
    Fewer than one person or a non-whole count raises (the caller validates the register first)."""
    n = _whole(effective_personnel, "the effective number of personnel", 1)
    md5 = practice_data(_MD5_FILE)
    beyond = md5["beyond_table"]
    if n >= beyond["from"]["value"]:
        flags = _flagged(beyond["figure"], "beyond_table.figure")
        return AuditDays(n, None, None, None, (beyond["from"]["value"], None), "md5-beyond-table", flags)
    row = next(r for r in md5["qms_table"] if r["from"] <= n <= r["to"])
    initial = Fraction(str(row["days"]))
    flags = [*_flagged(row, f"qms_table.{row['from']}-{row['to']}")]
    for key in ("reading", "surveillance_share", "recertification_share", "rounding"):
        flags += _flagged(md5[key], key)
    return AuditDays(n, float(initial), _half_days(initial * Fraction(md5["surveillance_share"]["value"])),
                     _half_days(initial * Fraction(md5["recertification_share"]["value"])),
                     (row["from"], row["to"]), "md5-qms-table", tuple(flags))
