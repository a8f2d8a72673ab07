"""Issue 23, the cold build's tail: the build cache's pages.json is made by another process from the new site
while the build writes the manifest, before the site is swapped in, then put in place. Each page's state must
be the state of the file as it is in the output after the swap (its size, SHA-256 and time), every page the
build rendered must be there, and the next build must reuse every page of an unchanged site; a build that stops
leaves no pages.json of a site that was never swapped in."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import date
from pathlib import Path

from isoready.package.build import build
from isoready.read.options import Options


def _opts(root: Path) -> Options:
    return Options(root=root, as_of=date(2026, 12, 6), output=root / "output", commit="test")


def test_pages_json_holds_the_state_of_each_page_in_the_output(minimal_project: Path, monkeypatch) -> None:
    monkeypatch.setenv("ISOREADY_WORKERS", "2")
    first = build(_opts(minimal_project))
    assert first.ok
    saved = json.loads((minimal_project / ".cache" / "isoready" / "pages.json").read_text(encoding="utf-8"))
    pages = saved["pages"]
    html = {f for f in first.files if f.endswith(".html") and not f.startswith("pages/")}
    assert html and html <= set(pages)
    for rel, state in pages.items():
        target = first.output / rel
        st = os.stat(target)
        assert (state["size"], state["mtime_ns"]) == (st.st_size, st.st_mtime_ns), rel
        assert state["sha256"] == hashlib.sha256(target.read_bytes()).hexdigest(), rel
    assert saved["output"] == str(first.output)
    assert not list((minimal_project / ".cache" / "isoready").glob(".*.part"))
    again = build(_opts(minimal_project))
    assert again.ok and again.reused >= len(html)


def test_a_build_stopped_before_the_swap_leaves_the_pages_json_it_had(minimal_project: Path, monkeypatch) -> None:
    monkeypatch.setenv("ISOREADY_WORKERS", "2")
    assert build(_opts(minimal_project)).ok
    pages = minimal_project / ".cache" / "isoready" / "pages.json"
    before = pages.read_bytes()
    import isoready.package.build as package_build

    def stopped(tmp: Path, out: Path) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(package_build, "swap_in", stopped)
    try:
        build(_opts(minimal_project))
    except KeyboardInterrupt:
        pass
    assert pages.read_bytes() == before


def test_a_build_leaves_nothing_frozen_out_of_the_collector(minimal_project: Path) -> None:
    """The build freezes what lives before its workers fork (gc.freeze); a process that goes on (tests, serve's
    fallback builds) gets every object back to the collector, so the cycles a build leaves are freed."""
    import gc

    before = gc.get_freeze_count()
    assert build(_opts(minimal_project)).ok
    assert gc.get_freeze_count() == before == 0
