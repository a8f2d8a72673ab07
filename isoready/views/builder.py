"""The page builders' contract, as Pelican's generators: context first, output second.

A builder names one page kind, the inputs it reads (``reads``, from INPUTS), what it adds to the shared
context for builders after it (``provides``) and what it takes from it (``needs``). ``build_site`` runs every
builder's ``context`` in order, then every builder's ``output`` in order: the pages come out in the order of
the registry. What a builder reads is declared so that only the view-models whose inputs changed are
rebuilt: ``fingerprints`` gives one SHA-256 per input kind, a builder's key is made of the fingerprints of what
it reads (and of what the builders it needs read), and ``generate`` (site.py) hands back a ``ViewMemo``'s last
context and pages for a builder whose key is unchanged. tests/unit/test_view_memo.py proves, builder by
builder, that what each declares covers what it reads."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field, fields
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence

from isoready.assess import AssessMemo
from isoready.core import i18n
from isoready.views.context import Context
from isoready.views.pages import PageView

#: what a builder may read: the project's parts, the readiness, the document hashes and the git facts
#: (every builder also sees the audience, through the Context). Whatever prints team-written text reads
#: "evidence" and "findings": the redactor is made of the names of the records this audience may not see
INPUTS = frozenset({"organisation", "catalog", "evidence", "findings", "assessments", "readiness", "documents",
                    "git", "descriptions"})
#: the fields of an evidence record only its own page (and the exports) print: fingerprinted apart, as
#: "descriptions", so that editing one runs the evidence builder alone (the lists hold rows without them)
OWN_PAGE_FIELDS = ("description", "version", "approved_by")


def _nothing(ctx: Context) -> Mapping[str, Any]:
    return {}


@dataclass(frozen=True)
class PageBuilder:
    """One page kind: ``context(ctx)`` adds what later builders need (named in ``provides``); ``output(ctx,
    shared)`` returns its pages, reading from ``shared`` only what it ``needs``."""

    name: str
    reads: frozenset[str]
    output: Callable[[Context, Mapping[str, Any]], Sequence[PageView]]
    context: Callable[[Context], Mapping[str, Any]] = _nothing
    provides: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()


def builder(name: str, reads: Iterable[str], provides: tuple[str, ...] = (), needs: tuple[str, ...] = (),
            context: Callable[[Context], Mapping[str, Any]] = _nothing) -> Callable[..., PageBuilder]:
    """Decorate a page kind's output function to make it a PageBuilder."""
    unknown = set(reads) - INPUTS
    if unknown:
        raise ValueError(f"builder {name!r} reads unknown inputs {sorted(unknown)}")

    def make(output: Callable[[Context, Mapping[str, Any]], Sequence[PageView]]) -> PageBuilder:
        return PageBuilder(name, frozenset(reads), output, context, provides, needs)
    return make


def _sha(*parts: Any) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(repr(part).encode("utf-8", "surrogatepass") + b"\0")
    return h.hexdigest()


@functools.lru_cache(maxsize=None)  # one entry per record type
def _rest_fields(kind: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(kind) if f.name not in OWN_PAGE_FIELDS)


def _digests(e: Any) -> tuple[bytes, bytes]:
    """A record's two digests: of every field but OWN_PAGE_FIELDS, and of those."""
    own = tuple(getattr(e, f) for f in OWN_PAGE_FIELDS)
    rest = tuple(getattr(e, f) for f in _rest_fields(type(e)))
    return (hashlib.sha256(repr((type(e).__name__, rest)).encode("utf-8", "surrogatepass")).digest(),
            hashlib.sha256(repr(own).encode("utf-8", "surrogatepass")).digest())


def _records_sha(records: Sequence[Any], registers: Any, reprs: Optional[dict]) -> tuple[str, str]:
    """The "evidence" fingerprint (the records but their OWN_PAGE_FIELDS, the registers) and the
    "descriptions" one (those fields). With ``reprs`` (a long-lived process's, by the record object: id(record)
    -> (record, its two digests)) each record the reader handed back unchanged (the very object) is not printed
    again; ``reprs`` then holds this build's records only."""
    rest, own = hashlib.sha256(), hashlib.sha256()
    kept = {}
    for e in records:
        hit = reprs.get(id(e)) if reprs is not None else None
        digests = hit[1] if hit is not None and hit[0] is e else _digests(e)
        kept[id(e)] = (e, digests)
        rest.update(digests[0])
        own.update(digests[1])
    if reprs is not None:
        reprs.clear()
        reprs.update(kept)
    rest.update(repr(registers).encode("utf-8", "surrogatepass") + b"\0")
    return rest.hexdigest(), own.hexdigest()


def _kept_sha(kept: Optional[dict], name: str, value: Any) -> str:
    """``_sha(value)``, or with ``kept`` (name -> (the object, its digest)) the last digest of the very same
    object: serve's kept assessment (``assess.assess_kept``) hands back the Readiness it printed last time."""
    if kept is None:
        return _sha(value)
    hit = kept.get(name)
    if hit is not None and hit[0] is value:
        return hit[1]
    digest = _sha(value)
    kept[name] = (value, digest)
    return digest


def fingerprints(ctx: Context, reprs: Optional[dict] = None, kept: Optional[dict] = None) -> dict[str, str]:
    """One SHA-256 per input kind (INPUTS), of the values views are made from, and ``base``: what every builder
    reads (the audience, the commit, the Markdown limit, the project's standards, the language its words are made
    in; views read no path). Made from the
    values' ``repr`` (frozen records, compared by value): two builds whose fingerprints are equal hand the views
    the same values. ``reprs``: see ``_records_sha``; ``kept``: see ``_kept_sha`` (serve's ViewMemo keeps both)."""
    p, r = ctx.project, ctx.r
    evidence, descriptions = _records_sha(p.evidence, p.registers, reprs)
    return {"base": _sha(ctx.audience, ctx.commit, ctx.md_limit, p.standards, i18n.active().code),
            "organisation": _sha(p.organisation), "catalog": _kept_sha(kept, "catalog", p.catalog),
            "evidence": evidence, "descriptions": descriptions, "findings": _sha(p.findings),
            "assessments": _sha(p.assessments),
            "readiness": _kept_sha(kept, "readiness", r), "documents": _sha(p.documents, sorted(ctx.hashes.items())),
            "git": _sha(ctx.git)}


def closure(builders: Sequence[PageBuilder]) -> dict[str, frozenset[str]]:
    """What each builder reads, with what the builders providing its ``needs`` read (their context is its
    input too)."""
    providers = {p: b for b in builders for p in b.provides}
    out: dict[str, frozenset[str]] = {}
    for b in builders:
        reads, todo, seen = set(b.reads), list(b.needs), set()
        while todo:
            need = todo.pop()
            giver = providers.get(need)
            if giver is None or need in seen:
                continue
            seen.add(need)
            reads |= giver.reads
            todo += [n for n in giver.needs if n not in seen]
        out[b.name] = frozenset(reads)
    return out


@dataclass
class ViewMemo:
    """Each builder's last context and pages, by the key of what it read: one entry per builder (and one for
    the export), replaced when its key changes, so it stays the size of one site. ``rebuilt`` names the
    builders the last ``generate`` ran (the others were handed back)."""

    entries: dict[str, tuple[str, Any]] = field(default_factory=dict)
    rebuilt: list[str] = field(default_factory=list)
    #: each evidence record's view-model by its own key (Context.use_record_memo): a one-record edit makes one
    records: dict[str, tuple[Any, Any, Any]] = field(default_factory=dict)
    #: each evidence record's row in the lists by its view-model (Context.ev_rows)
    rows: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    #: each evidence record's two digests by the record object (``fingerprints``' ``reprs``)
    reprs: dict[int, tuple[Any, tuple[bytes, bytes]]] = field(default_factory=dict)
    #: the digests of the readiness and the catalog by their object (``fingerprints``' ``kept``)
    kept: dict[str, tuple[Any, str]] = field(default_factory=dict)
    #: the last assessment the views were made from (``assess.assess_kept``): the build that fills the memo
    #: fills it too, so that serve's first edit finds it
    judged: AssessMemo = field(default_factory=AssessMemo)
    #: an integrated system's other standards' portals, each its own memo (by standard): their inputs are another
    #: project's (the project as that standard sees it), so each keeps and compares its own keys
    portals: dict[str, "ViewMemo"] = field(default_factory=dict)

    def portal(self, standard: str) -> "ViewMemo":
        """The memo of another standard's portal (made on first use)."""
        return self.portals.setdefault(standard, ViewMemo())

    def get(self, name: str, key: str) -> Optional[Any]:
        hit = self.entries.get(name)
        return hit[1] if hit is not None and hit[0] == key else None

    def put(self, name: str, key: str, value: Any) -> None:
        self.entries[name] = (key, value)
