"""The ISO 9001:2015 clause catalog, read from the data file shipped in the package."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml

from .model import Catalog, Clause, DocumentedInfo

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

CATALOG_FILE = "iso9001-2015.yaml"


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
                DocumentedInfo(kind=d["kind"], what=d["what"], when=d.get("when"))
                for d in row.get("documented_information") or ()
            ),
            about=row.get("about", ""),
            evidence_asked=tuple(row.get("evidence_asked") or ()),
            window_months=row.get("window_months"),
            children=tuple(children.get(str(row["number"]), ())),
        )
        for row in rows
    )
    return Catalog(
        standard=data.get("standard", "ISO 9001:2015"),
        amendments=tuple(data.get("amendments") or ()),
        clauses=clauses,
        by_number={c.number: c for c in clauses},
    )


@lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    text = resources.files("isoready").joinpath("data", CATALOG_FILE).read_text(encoding="utf-8")
    return parse_catalog(text)
