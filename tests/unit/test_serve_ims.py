"""serve on an integrated system (issue 23): every standard's portal keeps its own view memo, so an edit only
one standard sees rebuilds none of another portal's view-models and does not render that portal at all; after
each kind of change the preview holds exactly the bytes a cold ``isoready build`` makes, portal by portal.
On a copy of examples/ims (ISO 9001 at the root, ISO 14001 in iso-14001-2015/)."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from isoready.cli.serve import Fallback, Preview
from isoready.package.build import Options, build

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "ims"
AS_OF = date(2026, 12, 6)
Q, E = "ISO 9001:2015", "ISO 14001:2015"
FOLDER = "iso-14001-2015"
SITE_WIDE = ("manifest.json", "SHA256SUMS")  # at the root, but they list every portal's files

#: change -> (file, old text, new text, the standards whose portal shows the change)
CHANGES = {
    "9001-only record": ("evidence/performance/performance.yaml", "Customer satisfaction survey 2026",
                         "Customer satisfaction survey, 2026", {Q}),
    "14001-only record": ("evidence/planning/registers.yaml", "impacts register, with significance criteria",
                          "impacts register, scored for significance", {E}),
    "hs: record": ("evidence/planning/registers.yaml", "gas per square metre coated down 8 %",
                   "gas per square metre coated down 9 %", {Q, E}),
    # a finding on 14001:9.1.2, and the window of 14001:9.1.2: only the 14001 portal changes
    "finding": ("content/findings/internal-audit-2026.yaml", "no action was raised.",
                "no corrective action was raised.", {E}),
    "organisation.yaml": ("content/organisation.yaml", '"14001:9.1.2": 12', '"14001:9.1.2": 11', {E}),
}


@pytest.fixture
def ims(tmp_path: Path) -> Path:
    root = tmp_path / "ims"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".cache", "output"))
    return root


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.endswith(".part")}


def _edit(root: Path, rel: str, old: str, new: str) -> Path:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, (rel, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _portal(tree: dict[str, bytes], standard: str) -> dict[str, bytes]:
    if standard == E:
        return {k: v for k, v in tree.items() if k.startswith(f"{FOLDER}/")}
    return {k: v for k, v in tree.items() if not k.startswith(f"{FOLDER}/") and k not in SITE_WIDE}


@pytest.mark.parametrize("audience", ["internal", "auditor"])
@pytest.mark.parametrize("change", list(CHANGES))
def test_each_kind_of_change_in_serve_equals_a_cold_build_for_every_portal(ims: Path, tmp_path: Path,
                                                                          change: str, audience: str) -> None:
    opts = Options(root=ims, as_of=AS_OF, output=tmp_path / "preview", commit="ims", use_cache=False,
                   audience=audience)
    preview = Preview(opts)
    assert preview.full().ok and preview.ready
    out = tmp_path / "preview"
    before = _tree(out)
    rel, old, new, shown = CHANGES[change]
    path = _edit(ims, rel, old, new)
    try:
        ok, diags = preview.update({str(path)})
    except Fallback:  # only a full build can vouch for it: it must still equal a cold build
        ok, diags = preview.full().ok, []
    assert ok, diags
    cold = build(replace(opts, output=tmp_path / "cold"))
    assert cold.ok
    after, expected = _tree(out), _tree(tmp_path / "cold")
    for standard in (Q, E):  # byte for byte, portal by portal
        assert _portal(after, standard) == _portal(expected, standard), standard
    assert after == expected
    for standard in (Q, E):  # the change is visible where it belongs, and nowhere else
        assert (_portal(after, standard) != _portal(before, standard)) == (standard in shown), standard


def test_an_edit_only_9001_sees_rebuilds_nothing_of_the_14001_portal(ims: Path, tmp_path: Path) -> None:
    opts = Options(root=ims, as_of=AS_OF, output=tmp_path / "preview", commit="ims", use_cache=False)
    preview = Preview(opts)
    assert preview.full().ok
    out = tmp_path / "preview"
    stamps = {p: p.stat().st_mtime_ns for p in (out / FOLDER).rglob("*") if p.is_file()}
    rel, old, new, _shown = CHANGES["9001-only record"]
    ok, diags = preview.update({str(_edit(ims, rel, old, new))})
    assert ok, diags
    assert "evidence" in preview.views.rebuilt  # the 9001 portal's builders that read the evidence ran
    assert preview.views.portal(E).rebuilt == []  # none of the 14001 portal's
    assert preview.rendered == []  # and its portal was not rendered again
    assert [p for p, t in stamps.items() if p.stat().st_mtime_ns != t] == []
    # the next edit, one only 14001 sees, runs the 14001 portal's evidence builders and renders it
    rel, old, new, _shown = CHANGES["14001-only record"]
    ok, diags = preview.update({str(_edit(ims, rel, old, new))})
    assert ok, diags
    assert "evidence" in preview.views.portal(E).rebuilt
    assert preview.rendered == [E]
    assert _tree(out) == _tree(build(replace(opts, output=tmp_path / "cold")).output)
