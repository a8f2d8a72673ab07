"""The ISO 9001 clause catalogs, one per edition, read from the data files shipped in the package."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml

from .model import DEFAULT_STANDARD, Catalog, Clause, DocumentedInfo

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

#: edition (organisation.yaml's ``standard:``) -> its catalog file in isoready/data
CATALOG_FILES = {"ISO 9001:2015": "iso9001-2015.yaml", "ISO 9001:2026": "iso9001-2026.yaml"}
CATALOG_FILE = CATALOG_FILES[DEFAULT_STANDARD]


def parse_catalog(text: str) -> Catalog:
    data = yaml.load(text, Loader=_Loader)
    rows = data["clauses"]
    children: dict[str, list[str]] = {}
    for row in rows:
        if row.get("parent"):
            children.setdefault(str(row["parent"]), []).append(str(row["number"]))
    clauses = tuple(
        Clause(
            number=str(row["number"]),
            title=row.get("title"),
            label=row.get("label"),
            parent=str(row["parent"]) if row.get("parent") else None,
            exclusion=row.get("exclusion", "rare"),
            documented_information=tuple(
                DocumentedInfo(kind=d["kind"], what=d["what"], when=d.get("when"), condition=d.get("condition"),
                               if_true=d.get("if_true", "record"))
                for d in row.get("documented_information") or ()
            ),
            about=row.get("about", ""),
            evidence_asked=tuple(row.get("evidence_asked") or ()),
            window_months=row.get("window_months"),
            children=tuple(children.get(str(row["number"]), ())),
            change=row.get("change"),
            hs=bool(row.get("hs")),
            provisional=bool(row.get("provisional")),
            sources=tuple(row.get("sources") or ()),
        )
        for row in rows
    )
    return Catalog(
        standard=data.get("standard", "ISO 9001:2015"),
        amendments=tuple(data.get("amendments") or ()),
        clauses=clauses,
        by_number={c.number: c for c in clauses},
        exclusion_test=data.get("exclusion_test"),
        provisional_note=data.get("provisional_note"),
    )


def load_catalog(standard: str = DEFAULT_STANDARD) -> Catalog:
    """The catalog of an edition (one of ``CATALOG_FILES``; the schema refuses any other ``standard:``)."""
    return _load(standard)


@lru_cache(maxsize=len(CATALOG_FILES))
def _load(standard: str) -> Catalog:
    text = resources.files("isoready").joinpath("data", CATALOG_FILES[standard]).read_text(encoding="utf-8")
    return parse_catalog(text)


MAPPING_FILE = "iso9001-2015-2026.yaml"


@lru_cache(maxsize=1)
def edition_mapping() -> dict[tuple[str, str], dict[str, tuple[str, ...]]]:
    """(from edition, to edition) -> clause -> the clauses it became, both ways (from the mapping file)."""
    text = resources.files("isoready").joinpath("data", MAPPING_FILE).read_text(encoding="utf-8")
    data = yaml.load(text, Loader=_Loader)
    old, new = data["from_standard"], data["to_standard"]
    forward: dict[str, tuple[str, ...]] = {}
    back: dict[str, list[str]] = {}
    for row in data["mappings"]:
        if row.get("from") is None:
            continue
        targets = tuple(str(t) for t in row.get("to") or ())
        forward[str(row["from"])] = targets
        for t in targets:
            back.setdefault(t, []).append(str(row["from"]))
    return {(old, new): forward, (new, old): {k: tuple(v) for k, v in back.items()}}


def other_edition(number: str, catalog: Catalog) -> tuple[str, tuple[str, ...]] | None:
    """When a clause number belongs to another edition only: that edition and what the number is in ours."""
    for (source, target), table in edition_mapping().items():
        if target == catalog.standard and number in table and number in _load(source).by_number:
            found = tuple(n for n in table[number] if n in catalog)
            if found:
                return source, found
    return None
