"""The page builders' contract, as Pelican's generators: context first, output second.

A builder names one page kind, the inputs it reads (``reads``, from INPUTS), what it adds to the shared
context for builders after it (``provides``) and what it takes from it (``needs``). ``build_site`` runs every
builder's ``context`` in order, then every builder's ``output`` in order: the pages come out in the order of
the registry. What a builder reads is declared so that a later step can rebuild only the view-models whose
inputs changed; today every builder runs on every build."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping, Sequence

from isoready.views.context import Context
from isoready.views.pages import PageView

#: what a builder may read: the project's parts, the readiness, the document hashes and the git facts
#: (every builder also sees the audience, through the Context)
INPUTS = frozenset({"organisation", "catalog", "evidence", "findings", "assessments", "readiness", "documents",
                    "git"})


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
