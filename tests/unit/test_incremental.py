"""Incremental rebuilds produce exactly the site a cold build produces, after every kind of change."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from isoready.render import pages as render
from isoready.package.build import Options, build

REPO = Path(__file__).resolve().parents[2]
MINIMAL = REPO / "tests" / "fixtures" / "minimal"


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(MINIMAL, root)
    shutil.copytree(REPO / "isoready" / "theme", root / "theme")
    shutil.copy(REPO / "pelicanconf.py", root / "pelicanconf.py")
    return root


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _first_record(root: Path) -> Path:
    return next(p for p in sorted((root / "evidence").rglob("*.yaml")) if "title:" in p.read_text())


CHANGES = {
    "nothing": lambda root: None,
    "evidence added": lambda root: (root / "evidence" / "added.yaml").write_text(
        'title: Added record\nkind: record\nclauses: ["7.2"]\ndate: 2026-10-01\n', encoding="utf-8"),
    "evidence edited": lambda root: _edit(_first_record(root), "title: ", "title: Edited "),
    "evidence removed": lambda root: (root / "evidence" / "support" / "training.yaml").unlink(),
    "document bytes changed": lambda root: _append_to_a_document(root),
    "assessment changed": lambda root: _edit(next((root / "content" / "clauses").glob("*.yaml")),
                                             "status: implemented", "status: in-progress"),
    "template changed": lambda root: _edit(root / "theme" / "templates" / "evidence.html",
                                           "<h1>", "<h1 class=\"changed\">"),
    "macro template changed": lambda root: _edit(root / "theme" / "templates" / "macros.html",
                                                 "{% macro", "{# changed #}\n{% macro"),
    "settings changed": lambda root: (root / "pelicanconf.py").write_text(
        (root / "pelicanconf.py").read_text() + "\nSITENAME = 'Changed'\n", encoding="utf-8"),
    "organisation renamed": lambda root: _edit(root / "content" / "organisation.yaml", "name: ", "name: Renamed "),
    "clause mapping edited": lambda root: _edit(root / "evidence" / "operation" / "suppliers.yaml",
                                                '["8.4.1", "8.4.2"]', '["8.4.1", "8.4.3"]'),
    "finding edited": lambda root: _edit(root / "content" / "findings" / "internal-audit-2026.yaml",
                                         "status: open", "status: closed\n  closed: 2026-10-20"),
    "content page added": lambda root: _content_page(root),
}


def _content_page(root: Path) -> None:
    pages = root / "content" / "pages"
    pages.mkdir(parents=True, exist_ok=True)
    (pages / "about.md").write_text("Title: About\n\nThe register, in short.\n", encoding="utf-8")


def _append_to_a_document(root: Path) -> None:
    doc = next(p for p in sorted((root / "evidence").rglob("*")) if p.suffix in (".md", ".csv"))
    doc.write_bytes(doc.read_bytes() + b"\nAppended line.\n")


@pytest.mark.parametrize("change", list(CHANGES))
def test_incremental_rebuild_equals_cold_build(project, tmp_path, change):
    opts = Options(root=project, as_of=date(2026, 11, 1), output=tmp_path / "incremental", commit="c0ffee")
    first = build(opts)
    assert first.ok and first.reused == 0
    CHANGES[change](project)
    again = build(opts)
    assert again.ok, again.diagnostics
    cold = build(replace(opts, output=tmp_path / "cold", use_cache=False))
    assert cold.ok
    assert tree(tmp_path / "incremental") == tree(tmp_path / "cold")
    if change in ("template changed", "macro template changed", "settings changed", "organisation renamed",
                  "content page added"):  # every page: the chrome (a team page is in the menu) or templates
        docs = [f for f in again.files if f.startswith("files/") and not f.endswith(".html")]
        assert again.reused == len(docs)  # only the documents themselves
    else:
        assert again.reused > 5, "nothing was reused: the rebuild was not incremental"


def test_as_of_and_audience_changes_rebuild_what_they_touch(project, tmp_path):
    opts = Options(root=project, as_of=date(2026, 11, 1), output=tmp_path / "out", commit="c0ffee")
    assert build(opts).ok
    for changed in (replace(opts, as_of=date(2027, 6, 1)), replace(opts, audience="internal"),
                    replace(opts, audience="public"), replace(opts, commit="beef")):
        assert build(changed).ok
        assert build(replace(changed, output=tmp_path / "cold", use_cache=False)).ok
        assert tree(tmp_path / "out") == tree(tmp_path / "cold"), changed


def test_a_page_edited_in_the_output_is_never_served_again(project, tmp_path):
    opts = Options(root=project, as_of=date(2026, 11, 1), output=tmp_path / "out", commit="c0ffee")
    assert build(opts).ok
    page = next((tmp_path / "out" / "evidence").rglob("*.html"))
    page.write_text("tampered", encoding="utf-8")
    again = build(opts)
    assert again.reused > 0
    assert build(replace(opts, output=tmp_path / "cold", use_cache=False)).ok
    assert tree(tmp_path / "out") == tree(tmp_path / "cold")


def test_a_corrupt_cache_only_costs_a_cold_build(project, tmp_path):
    opts = Options(root=project, as_of=date(2026, 11, 1), output=tmp_path / "out", commit="c0ffee")
    assert build(opts).ok
    for name in ("pages.json", "results.json"):
        assert (project / ".cache" / "isoready" / name).exists()
        (project / ".cache" / "isoready" / name).write_bytes(b"not JSON {")
    again = build(opts)
    assert again.ok and again.reused == 0


def test_parallel_and_serial_rendering_give_the_same_bytes(project, tmp_path, monkeypatch):
    opts = Options(root=project, as_of=date(2026, 11, 1), output=tmp_path / "serial", use_cache=False, commit="x")
    monkeypatch.setenv("ISOREADY_WORKERS", "1")
    assert build(opts).ok
    monkeypatch.setenv("ISOREADY_WORKERS", "2")
    monkeypatch.setattr(render, "PARALLEL_FROM", 0)
    assert build(replace(opts, output=tmp_path / "parallel")).ok
    assert tree(tmp_path / "serial") == tree(tmp_path / "parallel")


def _doc_and_record(root: Path) -> tuple[Path, Path]:
    for record in sorted((root / "evidence").rglob("*.yaml")):
        for line in record.read_text().splitlines():
            if line.startswith("file:"):
                return record, record.parent / line.split(":", 1)[1].strip()
    raise AssertionError("the fixture has no record with a file")


@pytest.mark.parametrize("what", ["deleted", "replaced by a folder", "replaced by a symlink leading outside"])
def test_cached_validation_still_sees_a_referenced_document_change(project, tmp_path, what):
    opts = Options(root=project, as_of=date(2026, 11, 1), output=tmp_path / "out", commit="c0ffee")
    assert build(opts).ok
    record, doc = _doc_and_record(project)
    doc.unlink()
    if what == "replaced by a folder":
        doc.mkdir()
    elif what == "replaced by a symlink leading outside":
        outside = tmp_path / "outside.md"
        outside.write_text("secret", encoding="utf-8")
        doc.symlink_to(outside)
    warm = build(opts)
    cold = build(replace(opts, output=tmp_path / "cold", use_cache=False))
    assert not warm.ok and not cold.ok
    assert warm.diagnostics == cold.diagnostics
    assert any(d.code in ("E301", "E304") and d.path == record.relative_to(project).as_posix()
               for d in warm.diagnostics)


def test_cached_validation_reports_the_same_problems_as_a_cold_run(project, tmp_path):
    opts = Options(root=project, as_of=date(2026, 11, 1), output=tmp_path / "out", commit="c0ffee")
    assert build(opts).ok
    (project / "evidence" / "bad.yaml").write_text('title: Bad\nkind: recrod\nclauses: ["8.30"]\n', encoding="utf-8")
    warm, cold = build(opts), build(replace(opts, output=tmp_path / "cold", use_cache=False))
    assert not warm.ok and warm.diagnostics == cold.diagnostics
    (project / "evidence" / "bad.yaml").unlink()
    assert build(opts).ok


def test_no_cache_builds_cold_and_still_writes_the_cache(project, tmp_path):
    from isoready.cli import main

    out = tmp_path / "out"
    args = ["build", "--root", str(project), "--as-of", "2026-11-01", "--output", str(out)]
    assert main(args) == 0
    first = tree(out)
    assert main([*args, "--no-cache"]) == 0
    assert tree(out) == first
    again = build(Options(root=project, as_of=date(2026, 11, 1), output=out))
    assert again.reused > 5  # the cold build wrote a cache the next build could use


def test_a_template_included_by_a_page_prints_only_that_page_and_stays_correct(project, tmp_path):
    """A custom theme's include sees the page's own view-model; a change to it is never served stale."""
    templates = project / "theme" / "templates"
    (templates / "extra.html").write_text("<p class=\"extra\">{{ page.findings|length }} findings cite this</p>\n")
    _edit(templates / "evidence.html", "{% block content %}", "{% block content %}{% include \"extra.html\" %}")
    opts = Options(root=project, as_of=date(2026, 11, 1), output=tmp_path / "out", commit="c0ffee")
    assert build(opts).ok
    findings = next((project / "content" / "findings").glob("*.yaml"))
    _edit(findings, "status: open", "status: closed\n  closed: 2026-10-30")
    again = build(opts)
    assert again.ok, again.diagnostics
    assert build(replace(opts, output=tmp_path / "cold", use_cache=False)).ok
    assert tree(tmp_path / "out") == tree(tmp_path / "cold")


def test_every_page_is_reusable_because_templates_see_only_their_own_view_model(project, tmp_path):
    """No template analysis: a page is made from its view-model, the chrome and the templates, nothing else."""
    opts = Options(root=project, as_of=date(2026, 11, 1), output=tmp_path / "out", commit="c0ffee")
    first = build(opts)
    assert first.ok
    again = build(opts)
    pages = [f for f in again.files if f.endswith(".html") or f == "report-print.css"]
    assert again.reused == len(pages) + len(again.site.documents)  # every page and every document copy


# --------------------------------------------------------------------------- `isoready build` with nothing changed

def _cli_build(project: Path, out: Path, *extra: str) -> int:
    from isoready.cli import main

    return main(["build", "--root", str(project), "--as-of", "2026-11-01", "--output", str(out), *extra])


def _cold(project: Path, tmp_path: Path, *extra: str) -> dict[str, bytes]:
    assert _cli_build(project, tmp_path / "cold", "--no-cache", *extra) == 0
    return tree(tmp_path / "cold")


def _stamps(out: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(out).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.rglob("*")
            if p.is_file()}


KEPT = "nothing changed since the last build: its site is kept"


def test_a_build_with_nothing_changed_keeps_the_site_and_writes_nothing(project, tmp_path, capsys):
    out = tmp_path / "out"
    assert _cli_build(project, out) == 0
    first = capsys.readouterr()
    stamps = _stamps(out)
    assert _cli_build(project, out) == 0
    again = capsys.readouterr()
    assert KEPT in again.out and KEPT not in first.out
    assert again.out.splitlines()[:-1] == first.out.splitlines()[:-1]  # the same diagnostics, from the record
    assert again.err == first.err
    assert _stamps(out) == stamps  # not one file written, renamed or replaced
    assert tree(out) == _cold(project, tmp_path)


@pytest.mark.parametrize("change", [c for c in CHANGES if c != "nothing"] + ["as-of date", "audience"])
def test_a_build_after_any_change_is_a_real_one_and_equals_a_cold_build(project, tmp_path, capsys, change):
    out = tmp_path / "out"
    assert _cli_build(project, out) == 0
    extra: tuple[str, ...] = ()
    if change == "as-of date":
        extra = ("--as-of", "2027-06-01")
    elif change == "audience":
        extra = ("--audience", "public")
    else:
        CHANGES[change](project)
    capsys.readouterr()
    assert _cli_build(project, out, *extra) == 0
    assert KEPT not in capsys.readouterr().out
    assert tree(out) == _cold(project, tmp_path, *extra)


@pytest.mark.parametrize("tamper", ["page edited, same size and time", "file added", "file removed"])
def test_an_output_touched_by_hand_is_built_again(project, tmp_path, capsys, tamper):
    out = tmp_path / "out"
    assert _cli_build(project, out) == 0
    page = out / "clauses.html"
    if tamper == "page edited, same size and time":
        st = page.stat()
        data = page.read_bytes()
        page.write_bytes(data[:-8] + b"tampered"[:len(data[-8:])])
        os.utime(page, ns=(st.st_atime_ns, st.st_mtime_ns))
    elif tamper == "file added":
        (out / "notes.txt").write_text("mine", encoding="utf-8")
    else:
        page.unlink()
    capsys.readouterr()
    assert _cli_build(project, out) == 0
    printed = capsys.readouterr()
    assert KEPT not in printed.out
    if tamper == "file added":
        assert "W130" in printed.out  # said, as any build says it, before the file goes with the old site
    assert tree(out) == _cold(project, tmp_path)


def test_a_damaged_record_is_ignored_with_a_note(project, tmp_path, capsys):
    out = tmp_path / "out"
    assert _cli_build(project, out) == 0
    (project / ".cache" / "isoready" / "site.json").write_bytes(b'{"version": "4", "files": [')
    capsys.readouterr()
    assert _cli_build(project, out) == 0
    printed = capsys.readouterr()
    assert KEPT not in printed.out and "note: build cache: site.json ignored (JSONDecodeError: " in printed.err
    assert tree(out) == _cold(project, tmp_path)


def test_an_input_written_while_the_build_runs_is_never_taken_for_unchanged(project, tmp_path, capsys, monkeypatch):
    """A record edited after the build made its key but before it read the record: the site (made from the
    edit) is not recorded under the key (made from the bytes before), so when the edit is undone, bytes and
    modification time as they were, the next build is a real one."""
    from isoready.package import build as build_mod

    out = tmp_path / "out"
    record = project / "evidence" / "operation" / "suppliers.yaml"
    original, st = record.read_bytes(), record.stat()
    prepare = build_mod.prepare_portals  # what the build reads its inputs through

    def edit_then_prepare(*args, **kwargs):
        record.write_bytes(original.replace(b"title: ", b"title: Late "))
        return prepare(*args, **kwargs)

    monkeypatch.setattr(build_mod, "prepare_portals", edit_then_prepare)
    assert _cli_build(project, out) == 0
    monkeypatch.setattr(build_mod, "prepare_portals", prepare)
    assert b"Late " in (out / "readiness.json").read_bytes()
    record.write_bytes(original)
    os.utime(record, ns=(st.st_atime_ns, st.st_mtime_ns))
    capsys.readouterr()
    assert _cli_build(project, out) == 0
    assert KEPT not in capsys.readouterr().out
    assert tree(out) == _cold(project, tmp_path)


def test_a_cold_build_hashes_no_evidence_file_twice_and_its_key_holds(project, tmp_path, capsys, monkeypatch):
    """With no record to compare with, the key's stats are taken first and its bytes come at the end from the
    digests the build made as it read each evidence file and document: none is read for the key alone. The key
    is the one the next build makes by hashing every input, so that build redoes nothing."""
    from isoready.package import cache

    hashed: list[str] = []
    digest = cache._digest
    monkeypatch.setattr(cache, "_digest", lambda path: hashed.append(path) or digest(path))
    evidence = sorted(str(p) for p in (project / "evidence").rglob("*") if p.is_file())
    assert len(evidence) == 7  # every one a record's file or a document a record points at
    out = tmp_path / "out"
    assert _cli_build(project, out) == 0
    assert [p for p in hashed if p in evidence] == []
    assert str(project / "content" / "organisation.yaml") in hashed  # what the build hashes nowhere else: here
    hashed.clear()
    capsys.readouterr()
    assert _cli_build(project, out) == 0
    assert KEPT in capsys.readouterr().out
    record = json.loads((project / ".cache" / "isoready" / "site.json").read_text(encoding="utf-8"))
    # an unchanged build compares bytes, but for the files whose stamps the record may trust (written long
    # enough before it was made: test_stamps_settled_before_the_record_spare_reading_and_still_catch_an_edit)
    assert sorted(p for p in hashed if p in evidence) == [p for p in evidence if p not in record["inputs"]]


# --------------------------------------------------------------------------- stamps: what need not be read again

def test_a_stamp_vouches_only_when_both_times_are_a_clock_tick_older_than_the_stamping():
    from isoready.package.cache import settled

    at = 1_800_000_000_123_456_789
    fine = at - 150_000_000  # 150 ms before, off the whole second
    assert settled((fine, fine - 5, 10, 1), at)
    assert not settled((at - 20_000_000, fine, 10, 1), at)  # changed 20 ms before: a write in its tick could hide
    assert not settled((fine, at - 20_000_000, 10, 1), at)
    assert not settled((at + 10**9, fine, 10, 1), at)  # a time in the future never vouches
    whole = (at // 10**9 - 1) * 10**9  # a file system that keeps whole seconds (FAT, ext3): 2 s, not a tick
    assert not settled((whole, whole, 10, 1), at)
    assert settled((whole - 2 * 10**9, whole - 2 * 10**9, 10, 1), at)


@pytest.mark.parametrize("tamper", ["output page", "evidence record", "document"])
def test_stamps_settled_before_the_record_spare_reading_and_still_catch_an_edit(project, tmp_path, capsys,
                                                                                monkeypatch, tamper):
    """Every file stamped as if written long before the record: the unchanged build hashes none of the site's
    files and none of the evidence (its time is the walk and the stats); an edit that keeps the size and the
    modification time still moves the change time, so the next build is a real one, equal to a cold build."""
    import time

    from isoready.package import cache

    monkeypatch.setattr(cache, "RACY_NS", -10 * 10**9)  # every stamp settled: as if all were written long ago
    monkeypatch.setattr(cache, "COARSE_RACY_NS", -10 * 10**9)
    out = tmp_path / "out"
    assert _cli_build(project, out) == 0
    record = json.loads((project / ".cache" / "isoready" / "site.json").read_text(encoding="utf-8"))
    assert set(record["stamps"]) == set(record["files"]) and "clauses.html" in record["stamps"]
    evidence = sorted(str(p) for p in (project / "evidence").rglob("*") if p.is_file())
    assert set(evidence) <= set(record["inputs"])
    hashed: list[str] = []
    digest = cache._digest
    monkeypatch.setattr(cache, "_digest", lambda path: hashed.append(path) or digest(path))
    capsys.readouterr()
    assert _cli_build(project, out) == 0
    assert KEPT in capsys.readouterr().out
    assert [p for p in hashed if p.startswith((str(out), str(project / "evidence")))] == []
    target = {"output page": out / "clauses.html",
              "evidence record": project / "evidence" / "operation" / "suppliers.yaml",
              "document": next(p for p in sorted((project / "evidence").rglob("*")) if p.suffix in (".md", ".csv"))
              }[tamper]
    time.sleep(0.05)  # a clock tick after the build's last write, as any later edit is
    st, data = target.stat(), target.read_bytes()
    at = data.index(b"title: ") + 7 if target.suffix == ".yaml" else len(data) - 2  # one byte, same size
    target.write_bytes(data[:at] + (b"Q" if data[at:at + 1] != b"Q" else b"R") + data[at + 1:])
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert (target.stat().st_size, target.stat().st_mtime_ns) == (st.st_size, st.st_mtime_ns)
    capsys.readouterr()
    assert _cli_build(project, out) == 0
    assert KEPT not in capsys.readouterr().out
    assert tree(out) == _cold(project, tmp_path)


def test_the_site_record_survives_a_record_process_that_finishes_before_the_cache_is_saved(project, tmp_path,
                                                                                          monkeypatch):
    """The site's record is made by another process into a part file and put in place after the swap; the
    cache's save, which clears half-made part files, runs meanwhile. A record process that finishes first
    (a small site, a busy machine) must still leave site.json: its part file is this build's, not a leftover.
    (Seen in a full CI run: two builds in a row kept no record.)"""
    import time

    from isoready.package import cache

    save = cache.BuildCache.save

    def save_after_the_record(self, *args, **kwargs):
        until = time.monotonic() + 20  # the record process's part file exists before the clean-up runs
        while not list(self.folder.glob(".site.json.*.made.part")) and time.monotonic() < until:
            time.sleep(0.01)
        return save(self, *args, **kwargs)

    monkeypatch.setattr(cache.BuildCache, "save", save_after_the_record)
    out = tmp_path / "out"
    assert _cli_build(project, out) == 0
    record = json.loads((project / ".cache" / "isoready" / "site.json").read_text(encoding="utf-8"))
    assert record["output"] == str(out.resolve()) and "clauses.html" in record["files"]
    assert not list((project / ".cache" / "isoready").glob(".*.part"))


def test_a_new_commit_is_a_change_though_no_file_moved(project, tmp_path, capsys):
    """A build outside a pinned commit reads git facts (the commit id, revisions, history): a commit with no
    change to the files still makes a real build."""
    import subprocess

    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=project,
                       check=True, capture_output=True)

    git("init", "-q")
    git("add", "-A")
    git("commit", "-qm", "first")
    out = tmp_path / "out"
    assert _cli_build(project, out) == 0
    assert _cli_build(project, out) == 0
    assert KEPT in capsys.readouterr().out
    git("commit", "-q", "--allow-empty", "-m", "second")
    assert _cli_build(project, out) == 0
    assert KEPT not in capsys.readouterr().out


def test_another_version_of_a_library_the_outputs_depend_on_is_a_change(project, tmp_path, capsys, monkeypatch):
    """lxml's arrival changes the workbook's bytes (docs/performance.md): a library the page cache's code
    version does not cover still makes a real build."""
    from isoready.package import cache

    out = tmp_path / "out"
    assert _cli_build(project, out) == 0
    monkeypatch.setattr(cache, "_library_versions", lambda: "openpyxl=3.1.5,lxml=6.2.1")
    capsys.readouterr()
    assert _cli_build(project, out) == 0
    assert KEPT not in capsys.readouterr().out
