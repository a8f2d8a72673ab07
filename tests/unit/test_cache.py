"""A cache that cannot run code: JSON validated on load, a planted pickle never loaded, no symlinked cache."""

from __future__ import annotations

import json
import os
import pickle
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from isoready.package.cache import BuildCache
from isoready.cli import main
from isoready.package.build import Options, build

MINIMAL = Path(__file__).resolve().parents[1] / "fixtures" / "minimal"


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(MINIMAL, root)
    return root


class _Payload:
    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return (Path(self.marker).write_text, ("pwned",))


def test_a_planted_pickle_never_runs(project, tmp_path, capsys):
    marker = tmp_path / "pwned"
    folder = project / ".cache" / "isoready"
    folder.mkdir(parents=True)
    for name in ("pages.pickle", "results.pickle"):
        (folder / name).write_bytes(pickle.dumps(_Payload(str(marker))))
    pickle.loads((folder / "pages.pickle").read_bytes())  # the payload does run when unpickled ...
    assert marker.exists()
    marker.unlink()
    opts = Options(root=project, as_of=date(2026, 11, 1), output=tmp_path / "out")
    result = build(opts)
    assert result.ok and not marker.exists()  # ... but the build never unpickles it
    err = capsys.readouterr().err
    assert "note: build cache: pages.pickle, results.pickle ignored (never loaded: the cache is JSON now)" in err
    assert not (folder / "pages.pickle").exists() and (folder / "pages.json").is_file()


@pytest.mark.parametrize("damage", [
    lambda d: d.update(pages=[1, 2]),
    lambda d: d.update(output=7),
    lambda d: d["pages"].update({"index.html": {"fingerprint": 1}}),
])
def test_an_odd_pages_file_means_a_cold_build_with_identical_output(project, tmp_path, capsys, damage):
    opts = Options(root=project, as_of=date(2026, 11, 1), output=tmp_path / "out", commit="c0ffee")
    assert build(opts).ok
    path = project / ".cache" / "isoready" / "pages.json"
    data = json.loads(path.read_text())
    damage(data)
    path.write_text(json.dumps(data))
    capsys.readouterr()
    again = build(opts)
    assert again.ok and again.reused == 0
    assert "note: build cache ignored (" in capsys.readouterr().err
    assert build(replace(opts, output=tmp_path / "cold", use_cache=False)).ok
    assert tree(tmp_path / "out") == tree(tmp_path / "cold")


@pytest.mark.parametrize("planted", [
    {"$type": "Project", "fields": {}},  # not a type the cache may make
    {"$type": "Evidence", "fields": {"id": "x"}},  # fields missing
    {"__reduce__": "os.system"},
    "x" * 10,
])
def test_results_are_rebuilt_only_as_our_own_record_types(project, tmp_path, capsys, planted):
    opts = Options(root=project, as_of=date(2026, 11, 1), output=tmp_path / "out", commit="c0ffee")
    assert build(opts).ok
    path = project / ".cache" / "isoready" / "results.json"
    data = json.loads(path.read_text())
    key = sorted(data["results"])[0]
    data["results"][key] = {"$tuple": ["0" * 64, {"$tuple": []}, [planted], []]}
    path.write_text(json.dumps(data))
    capsys.readouterr()
    assert build(opts).ok
    assert "note: build cache ignored" in capsys.readouterr().err
    assert build(replace(opts, output=tmp_path / "cold", use_cache=False)).ok
    assert tree(tmp_path / "out") == tree(tmp_path / "cold")


def test_a_warm_cache_round_trips_records_and_diagnostics(project, tmp_path):
    opts = Options(root=project, as_of=date(2026, 11, 1), output=tmp_path / "out", commit="c0ffee")
    first = build(opts)
    cache = BuildCache.open(project)
    assert cache.results and cache.pages
    second = build(opts)
    assert second.ok and second.reused > 0
    assert [str(d) for d in second.diagnostics] == [str(d) for d in first.diagnostics]


def test_a_cache_symlink_is_neither_followed_nor_cleaned(project, tmp_path, capsys):
    outside = tmp_path / "outside"
    (outside / "isoready").mkdir(parents=True)
    (outside / "isoready" / "keep.txt").write_text("precious", encoding="utf-8")
    os.symlink(outside, project / ".cache")
    out = tmp_path / "out"
    assert main(["build", "--root", str(project), "--as-of", "2026-11-01", "--output", str(out)]) == 0
    assert "note: build cache not used: " in capsys.readouterr().err
    assert sorted(p.name for p in (outside / "isoready").iterdir()) == ["keep.txt"]  # nothing written there
    assert main(["clean", "--root", str(project), "--output", str(out)]) == 0
    assert "note: build cache not removed: " in capsys.readouterr().err
    assert (outside / "isoready" / "keep.txt").read_text() == "precious"


def test_the_results_are_written_entry_by_entry_with_the_same_bytes(tmp_path) -> None:
    """results.json is streamed (the whole encoded cache at once was hundreds of MB at 100,000 files): the bytes
    are those of one json.dumps of the whole, and it loads back."""
    from datetime import date as _date

    from isoready.package import cache as cache_mod
    from isoready.read.catalog import load_catalog
    from isoready.validate.project import read_project

    known: dict = {}
    read_project(Path(__file__).resolve().parents[2], load_catalog(), _date(2026, 12, 1), known=known)
    assert len(known) > 20
    cache_mod._dump_results(tmp_path / "streamed.json", "v1", known)
    cache_mod._dump(tmp_path / "whole.json", {"code": "v1", "results": {k: cache_mod._enc(v) for k, v in sorted(known.items())}})
    assert (tmp_path / "streamed.json").read_bytes() == (tmp_path / "whole.json").read_bytes()
    json.loads((tmp_path / "streamed.json").read_text(encoding="utf-8"))


def test_every_per_file_result_loads_back_as_it_was_saved(tmp_path) -> None:
    """The encoder takes the common exact types by a look-up (``_enc``) and anything else by the generic tests
    (``_enc_any``): both give one format, whose every value loads back equal, with plain strings only (a
    YAML string's position is not kept)."""
    from datetime import date as _date

    from isoready.core.load import Loc
    from isoready.package import cache as cache_mod
    from isoready.read.catalog import load_catalog
    from isoready.validate.project import read_project

    known: dict = {}
    read_project(Path(__file__).resolve().parents[2], load_catalog(), _date(2026, 12, 1), known=known)
    cache_mod._dump_results(tmp_path / "results.json", "v1", known)
    data = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))["results"]
    assert data.keys() == known.keys()
    for rel, entry in known.items():
        assert cache_mod._result(data[rel]) == entry
        assert cache_mod._enc(entry) == cache_mod._enc_any(entry)

    def strings(value):
        if isinstance(value, dict):
            return [s for k, v in value.items() for s in [k, *strings(v)]]
        if isinstance(value, list):
            return [s for v in value for s in strings(v)]
        return [value] if isinstance(value, str) else []

    encoded = [cache_mod._enc(entry) for entry in known.values()]
    assert {type(s) for e in encoded for s in strings(e)} == {str}
    assert cache_mod._enc(Loc("a.yaml", 2, 3)) == {"$loc": ["a.yaml", 2, 3]}
    assert cache_mod._enc((_date(2026, 1, 2), None, True, 1.5)) == {"$tuple": [{"$date": "2026-01-02"}, None, True, 1.5]}


def test_a_per_file_result_is_kept_only_for_bytes_read_in_this_build(project, monkeypatch) -> None:
    """The results hold each evidence file's SHA-256 as the reader just read it (a cold build's site key is
    made from them): a cached entry that still holds is kept as the very same object (nothing to save again,
    even from forked readers), and a file the reader could not read this time keeps no entry of older bytes."""
    from isoready.read import reader
    from isoready.read.catalog import load_catalog
    from isoready.validate.project import read_project

    monkeypatch.setattr(reader, "PARALLEL_FILES", 0)  # forked readers even for a few files
    monkeypatch.setenv("ISOREADY_WORKERS", "2")
    known: dict = {}
    read_project(project, load_catalog(), date(2026, 11, 1), known=known)
    first = dict(known)
    assert "evidence/operation/suppliers.yaml" in first
    read_project(project, load_catalog(), date(2026, 11, 1), known=known)
    assert known.keys() == first.keys() and all(known[k] is first[k] for k in first)
    record = project / "evidence" / "operation" / "suppliers.yaml"
    record.write_bytes(record.read_bytes() + b"#" * (1024 * 1024))  # over the YAML size limit: not read
    _project, diags = read_project(project, load_catalog(), date(2026, 11, 1), known=known)
    assert any(d.path == "evidence/operation/suppliers.yaml" for d in diags)
    assert "evidence/operation/suppliers.yaml" not in known
    assert all(known[k] is first[k] for k in known)


def _changed(value):
    """Another value of the same kind, or None when there is no obvious one."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, str):
        return type(value)(value + "x") if type(value) is str else value + "x"
    if isinstance(value, tuple) and value:
        return value[:-1]
    return None


def test_a_change_in_any_field_of_a_page_view_model_changes_its_fingerprint(project) -> None:
    """A false hit is a wrong page: every field of each page's view-model, and of the records it holds, is in
    the page's fingerprint."""
    import dataclasses

    from isoready.package.assemble import prepare
    from isoready.render.pages import pages

    site, _project, _diags = prepare(Options(root=project, as_of=date(2026, 11, 1), output=project / "out",
                                             commit="c0ffee"))
    cache = BuildCache(project / ".cache" / "isoready")
    seen = 0
    for page in pages(site, project / "evidence"):
        model = page.context["page"]
        if not dataclasses.is_dataclass(model):
            continue
        before = cache.fingerprint(page, "key", "chrome")
        assert cache.fingerprint(page, "key", "chrome") == before
        targets = [(model, None)] + [(getattr(model, f.name), f.name) for f in dataclasses.fields(model)
                                     if dataclasses.is_dataclass(getattr(model, f.name))]
        for inner, outer in targets:
            for f in dataclasses.fields(inner):
                new = _changed(getattr(inner, f.name))
                if new is None or not f.init:
                    continue
                try:
                    changed = dataclasses.replace(inner, **{f.name: new})
                    if outer is not None:
                        changed = dataclasses.replace(model, **{outer: changed})
                except (TypeError, ValueError):
                    continue
                other = dataclasses.replace(page, context={**page.context, "page": changed})
                assert cache.fingerprint(other, "key", "chrome") != before, (page.path, outer, f.name)
                seen += 1
    assert seen > 100
