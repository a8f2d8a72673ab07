"""The preview's memory between rebuilds (``serve.Preview``): what keeps a one-record edit cheap, beside its caches.

- ``share_records``: the reader's cached records made the very objects of the built project, so that the view
  memos, which compare a record by identity before printing it, hit from the first update on;
- ``keep_heap`` / ``no_collection``: the kept heap (10,000 records, their view-models and pages) out of the
  cyclic collector's sight, which otherwise walked it once per edit;
- ``same``: equality, the very object first (a memo hands its values back).
"""

from __future__ import annotations

import gc
import os

def share_records(known, project) -> None:
    """Make ``known``'s cached records the very objects of ``project`` where they are equal: files parsed in a
    worker process come back as copies, and the view memos (``ViewMemo.reprs``, ``Context.evidence``) compare a
    record by identity before printing it, so that the first update after the full build finds them as every
    later one does."""
    mine = {(e.source, e.id): e for e in project.evidence}
    for rel, hit in list(known.items()):
        if not rel.startswith("evidence/") or not isinstance(hit, (list, tuple)) or len(hit) != 4:
            continue
        records = [mine.get((getattr(r, "source", None), getattr(r, "id", None)), r) for r in hit[2]]
        if all(a is b or a == b for a, b in zip(records, hit[2])):
            known[rel] = type(hit)((hit[0], hit[1], records, hit[3]))


class no_collection:
    """No cyclic garbage collection inside the block (re-enabled after it when it was on): a one-record edit
    allocates enough to start collections that walk what the update made, for nothing it could free."""

    def __enter__(self) -> None:
        self.was = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc: object) -> None:
        if self.was:
            gc.enable()


#: every this many settled updates, the frozen heap is collected once (cycles the updates left behind)
HEAP_SWEEP = 16


def keep_heap(collect: bool) -> None:
    """Move what the preview keeps between rebuilds (the project, caches, view-models, pages: most of the heap)
    out of the garbage collector's sight (``gc.freeze``), after the full build and after each update has
    settled: a full collection then walks only what the next update makes, not the 10,000 records again (it
    was a fifth of a one-record edit). ``collect``: first thaw, collect and only then freeze, so that cycles the
    updates dropped are freed (after the full build, and every HEAP_SWEEP-th update, once the page is shown)."""
    if collect:
        gc.unfreeze()
        gc.collect()
    gc.freeze()


def same(before: object, now: object) -> bool:
    """``before == now``, the very object first (a page kind's memo hands its pages back)."""
    return before is now or before == now


#: templates every page renders through besides its own (the chrome, the macros its template imports)
SHARED_TEMPLATES = ("chrome-header", "chrome-footer", "macros")


def warm_templates(job) -> None:
    """Load every template the pages of ``job`` (the full build's render job) use into its ``get_template``'s
    cache: the full build renders pages in worker processes, so without this the first update compiled them."""
    for name in sorted({p.template for p in job.pages} | set(SHARED_TEMPLATES)):
        try:
            job.get_template(name)
        except Exception:  # a theme without one: the update loads what it needs, as before
            pass


def umask() -> int:
    """The process's umask (read by setting it and putting it back): a file serve puts in place gets the mode a
    plain write would give it."""
    mask = os.umask(0)
    os.umask(mask)
    return mask
