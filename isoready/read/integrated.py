"""An integrated management system: one project, several standards (organisation.yaml ``standards:``).

Clause references, wherever a project writes one (evidence ``clauses:`` and ``covers:``, an assessment's
``clause:``, a finding's ``clauses:``, ``windows:``):

- ``"7.5"``: a clause of the first (primary) standard;
- ``"14001:6.1.2"``: a clause of another standard of the project, named by its number;
- ``"hs:7.5"``: the clause of that number in every standard of the project, where it is Harmonized Structure
  text (which clauses are is data: each standard package's ``harmonized.yaml``).

Reading keeps a reference as written, made canonical: the primary's prefix is dropped (``"9001:7.5"`` is
``"7.5"`` when ISO 9001 comes first) and, in a project of one standard, ``"hs:7.5"`` is ``"7.5"``. So a project
of one standard holds plain numbers only, as before.

``project_for(project, standard)`` is the seam every later stage uses: the project as one standard sees it,
with that standard's catalog, its references plain numbers, only the records that touch it and its audits.
``assess`` runs on it unchanged. It will move to the read stage (isoready/read/).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import replace
from functools import lru_cache
from typing import Iterable, Optional

import yaml

from isoready import standards as _standards
from isoready.core.diagnostics import Collector, did_you_mean
from isoready.core.load import Loc, YStr
from isoready.model import Assessment, Catalog, Evidence, Finding, Organisation, Project

#: the prefix of a reference to the same Harmonized Structure clause of every standard of the project
HS = "hs"
#: the file in a standard package that lists each edition's Harmonized Structure clauses
HARMONIZED_FILE = "harmonized.yaml"
_FAMILY_NUMBER = re.compile(r"(\d+)")


def number_of(standard: str) -> str:
    """The number a clause reference names a standard by: "ISO 14001:2015" -> "14001"."""
    family = standard.rsplit(":", 1)[0]
    found = _FAMILY_NUMBER.findall(family)
    return found[-1] if found else family.strip()


@lru_cache(maxsize=32)
def harmonized(standard: str) -> frozenset:
    """The clause numbers of an edition that carry Harmonized Structure text, from its package's data (empty
    when the package lists none)."""
    found = _standards.find(standard)
    if found is None:
        return frozenset()
    path = found.folder / HARMONIZED_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return frozenset()
    row = (data.get("editions") or {}).get(standard) if isinstance(data, dict) else None
    return frozenset(str(n) for n in (row or {}).get("numbers") or ())


def combined(primary: Catalog, others: Iterable[Catalog]) -> Catalog:
    """The primary catalog, knowing the project's other standards (by number) and each one's HS clauses."""
    rest = {number_of(c.standard): replace(c, harmonized=harmonized(c.standard)) for c in others}
    return replace(primary, others=rest, harmonized=harmonized(primary.standard))


def _every(catalog: Catalog) -> list[Catalog]:
    return [catalog, *catalog.others.values()]


def _as(ref: str, text: str) -> str:
    """``text`` keeping the position of ``ref`` when it is a YStr (diagnostics point at it)."""
    return YStr(text, ref.loc, ref.plain) if isinstance(ref, YStr) else text


def canonical(ref: str, catalog: Catalog) -> str:
    """A checked reference in the form the model keeps: the primary's prefix dropped, and ``hs:`` dropped in a
    project of one standard."""
    if ":" not in ref:
        return ref
    prefix, number = (part.strip() for part in ref.split(":", 1))
    if prefix == number_of(catalog.standard) or (prefix.lower() == HS and not catalog.others):
        return _as(ref, number)
    if prefix.lower() == HS:
        return _as(ref, f"{HS}:{number}")
    return _as(ref, f"{prefix}:{number}")


def check_reference(ref: str, loc: Loc, catalog: Catalog, out: Collector) -> bool:
    """A qualified reference (``14001:6.1.2``, ``hs:7.5``): True when it names a clause of the project, else a
    diagnostic (E347 a standard the project does not follow, E348 a clause not in that standard, E349 ``hs:`` on
    a clause outside the Harmonized Structure)."""
    prefix, number = (part.strip() for part in str(ref).split(":", 1))
    every = _every(catalog)
    ours = {number_of(c.standard): c for c in every}
    if prefix.lower() == HS:
        outside = [c for c in every if number not in harmonized(c.standard)]
        if not outside:
            return True
        shared = [p for p in (catalog.ancestors(number) if number in catalog else ())
                  if "." in p and all(p in harmonized(c.standard) for c in every)]
        single = [c for c in every if number in c]
        if shared:
            hint = f"did you mean '{HS}:{shared[0]}'? "
        else:
            hint = ""
        also = (f"write '{_written(number, single[0], catalog)}' for {single[0].standard} alone"
                if len(single) == 1 else "'hs:' names only the clauses every standard of the project shares")
        names = " and ".join(c.standard for c in outside)
        out.add(loc, "E349", f"'{ref}' is not a Harmonized Structure clause of {names}", hint + also)
        return False
    if prefix not in ours:
        close = [n for n in ours if difflib.SequenceMatcher(None, prefix, n).ratio() >= 0.85]
        meant = f"did you mean '{close[0]}:{number}'? " if len(close) == 1 else ""
        listed = " or ".join(f"'{n}:'" for n in ours)
        out.add(loc, "E347", f"clause '{ref}' names standard '{prefix}', which this project does not follow",
                f"{meant}write a plain number, {listed}, or '{HS}:'; to add a standard, list it in 'standards:' "
                "in content/organisation.yaml")
        return False
    target = ours[prefix]
    if number in target:
        return True
    meant = did_you_mean(number, target.by_number)
    meant = meant.replace("'", f"'{prefix}:", 1) if meant else ""
    out.add(loc, "E348", f"clause '{number}' is not in {target.standard} (written '{ref}')",
            meant or f"write a clause number of {target.standard}, like '{prefix}:{target.mains[0].number}.1'")
    return False


def _written(number: str, catalog: Catalog, primary: Catalog) -> str:
    return number if catalog is primary else f"{number_of(catalog.standard)}:{number}"


# --------------------------------------------------------------------------- the project as one standard sees it


def resolve(ref: str, standard: str, primary: str) -> Optional[str]:
    """The clause number a canonical reference names in ``standard`` (None when it names none there)."""
    if ":" not in ref:
        return ref if standard == primary else None
    prefix, number = ref.split(":", 1)
    if prefix == HS:
        return number
    return number if prefix == number_of(standard) else None


def _refs(refs: Iterable[str], standard: str, primary: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(n for n in (resolve(r, standard, primary) for r in refs) if n is not None))


def project_for(project: Project, standard: str) -> Project:
    """The project as ``standard`` sees it: that standard's catalog, its clause references plain numbers, only
    the evidence, assessments and findings that touch it, and its audits. A project of one standard is returned
    as it is (the same object). ``assess(project_for(p, s), as_of)`` judges one standard."""
    if len(project.standards) <= 1:
        return project
    primary = project.standards[0]
    if standard not in project.standards:
        raise KeyError(f"{standard} is not a standard of this project ({', '.join(project.standards)})")
    if standard == primary:
        catalog = replace(project.catalog, others={})
    else:
        catalog = replace(project.catalog.others[number_of(standard)], others={})
    evidence: list[Evidence] = []
    for e in project.evidence:
        clauses = _refs(e.clauses, standard, primary)
        if clauses:
            evidence.append(replace(e, clauses=clauses, covers=_refs(e.covers, standard, primary),
                                    inputs=inputs_for(e.inputs, standard, primary)))
    ids = {e.id for e in evidence}
    assessments: list[Assessment] = []
    for a in project.assessments:
        number = resolve(a.clause, standard, primary)
        if number is not None:
            assessments.append(replace(a, clause=number, evidence=tuple(i for i in a.evidence if i in ids),
                                       verified_by=a.verified_by if a.verified_by in ids else None))
    findings: list[Finding] = []
    for f in project.findings:
        clauses = _refs(f.clauses, standard, primary)
        if clauses:
            findings.append(replace(f, clauses=clauses, evidence=tuple(i for i in f.evidence if i in ids),
                                    audit=f.audit if f.audit in ids else None))
    return replace(project, organisation=organisation_for(project.organisation, standard, primary),
                   catalog=catalog, evidence=tuple(evidence), assessments=tuple(assessments),
                   findings=tuple(findings), standards=(standard,),
                   registers={i: r for i, r in project.registers.items() if i in ids})


def inputs_for(inputs: Iterable[str], standard: str, primary: str) -> tuple[str, ...]:
    """A management review record's inputs as ``standard`` sees them: the plain words are the first standard's,
    ``14001:compliance`` is ISO 14001's ``compliance``."""
    own = number_of(standard)
    out = []
    for word in inputs:
        prefix, colon, rest = word.partition(":")
        if not colon and standard == primary:
            out.append(word)
        elif colon and prefix == own:
            out.append(rest)
    return tuple(out)


def organisation_for(organisation: Organisation, standard: str, primary: str) -> Organisation:
    """organisation.yaml as one standard sees it: its audit plan (its own, else the shared one) and its
    windows."""
    if organisation.audits_by_standard:  # booked per standard: a standard not listed has no audit booked yet
        audits = organisation.audits_by_standard.get(standard, {})
    else:
        audits = organisation.audits
    windows = {n: months for ref, months in organisation.windows.items()
               if (n := resolve(ref, standard, primary)) is not None}
    return replace(organisation, standard=standard, standards=(standard,), audits=dict(audits), windows=windows,
                   audits_by_standard={}, audit_locs=organisation.audit_locs if audits is organisation.audits
                   else {})
