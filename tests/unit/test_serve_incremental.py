"""The incremental serve: after every kind of change the incremental tests cover, the preview folder holds
exactly the bytes a cold build makes; only the changed pages are rewritten; what it cannot reason about
(templates, settings, the organisation's chrome) takes a full build."""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from isoready.package.build import Options, build
from isoready.cli.serve import Fallback, Preview

sys.path.insert(0, str(Path(__file__).parent))
from test_incremental import CHANGES, project, tree  # noqa: E402,F401  (the same changes, the same fixture)

REASONED = {"nothing", "evidence added", "evidence edited", "evidence removed", "document bytes changed",
            "assessment changed", "clause mapping edited", "finding edited"}


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in root.rglob("*") if p.is_file() and ".cache" not in p.parts}


def reported(before: dict[str, bytes], after: dict[str, bytes]) -> set[str]:
    """What a file watcher reports: every path added, removed or changed."""
    return {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}


@pytest.mark.parametrize("change", list(CHANGES))
def test_serve_update_equals_a_cold_build(project, tmp_path, change):
    opts = Options(root=project, as_of=date(2026, 11, 1), output=tmp_path / "preview", commit="c0ffee",
                   audience="internal")
    preview = Preview(opts)
    assert preview.full().ok and preview.ready
    before = snapshot(project)
    CHANGES[change](project)
    changed = reported(before, snapshot(project))
    stamps = {p: p.stat().st_mtime_ns for p in (tmp_path / "preview").rglob("*.html")}
    if change in REASONED:
        ok, diags = preview.update(changed or {str(project / "evidence" / "touched.yaml")})
        assert ok, diags
    else:
        with pytest.raises(Fallback):
            preview.update(changed)
        assert preview.full().ok
    cold = build(replace(opts, output=tmp_path / "cold", use_cache=False))
    assert cold.ok
    assert tree(tmp_path / "preview") == tree(tmp_path / "cold")
    if change == "nothing":  # no builder's inputs moved: none is run again (the memo the full build filled)
        assert preview.views.rebuilt == []
    if change == "document bytes changed":  # only the builders that read the documents' hashes run again
        assert "evidence" in preview.views.rebuilt and "gaps" not in preview.views.rebuilt
    if change == "nothing":  # no view-model changed: no page is rewritten (Markdown document pages included)
        rewritten = [p for p, t in stamps.items() if p.exists() and p.stat().st_mtime_ns != t]
        assert [p.name for p in rewritten] == []


@pytest.mark.parametrize("audience", ["internal", "auditor"])
def test_an_edit_rewrites_only_the_pages_that_show_it(project, tmp_path, audience):
    """One record's description edited: its own page and the pages listing it change; the pages of Markdown
    documents (which carry the build's redactor) are not rendered again."""
    opts = Options(root=project, as_of=date(2026, 11, 1), output=tmp_path / "preview", commit="c0ffee",
                   audience=audience)
    preview = Preview(opts)
    assert preview.full().ok
    out = tmp_path / "preview"
    documents = [p for p in out.rglob("*.md.html")]
    assert documents, "the fixture has Markdown documents"
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*.html")}
    before = snapshot(project)
    record = next(r for r in sorted((project / "evidence").rglob("*.yaml"))
                  if ".md" not in r.read_text() and "title: " in r.read_text())  # a record no document page shows
    record.write_text(record.read_text().replace("title: ", "title: Edited ", 1))
    ok, diags = preview.update(reported(before, snapshot(project)))
    assert ok, diags
    rewritten = {p for p, t in stamps.items() if p.exists() and p.stat().st_mtime_ns != t}
    assert rewritten and not rewritten & set(documents)
    assert tree(out) == tree((build(replace(opts, output=tmp_path / "cold", use_cache=False))).output)


@pytest.mark.parametrize("audience", ["internal", "auditor"])
def test_a_description_edit_rewrites_only_the_records_page(project, tmp_path, audience, monkeypatch):
    """A record's description is printed on its own page only: the lists that name the record (the evidence
    register, its clause's page, the report, the gap report) hold its row, which has no description, so they
    are not rendered again, nor their builders run; no rule reads it, so the full build's assessment is kept
    (serve's first edit too); the preview still equals a cold build, edit after edit."""
    from isoready.assess import judge

    judged = []
    monkeypatch.setattr(judge, "assess", lambda *a, _assess=judge.assess: judged.append(a) or _assess(*a))
    opts = Options(root=project, as_of=date(2026, 11, 1), output=tmp_path / "preview", commit="c0ffee",
                   audience=audience)
    preview = Preview(opts)
    assert preview.full().ok
    out = tmp_path / "preview"
    record = project / "evidence" / "support" / "training.yaml"
    for n, description in enumerate(("Signed-off training plans.", "Signed-off training plans for 2026.")):
        stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*.html")}
        text = record.read_text(encoding="utf-8").split("description:")[0].rstrip("\n")
        record.write_text(f"{text}\ndescription: {description}\n", encoding="utf-8")
        runs = len(judged)
        ok, diags = preview.update({str(record)})
        assert ok, diags
        rewritten = sorted(p.relative_to(out).as_posix() for p, t in stamps.items()
                           if p.exists() and p.stat().st_mtime_ns != t)
        assert rewritten == ["evidence/support/training.html"], n
        assert len(judged) == runs, n  # the full build's assessment, handed back
        assert preview.views.rebuilt == ["evidence"], n  # the only builder printing a description
        assert description in (out / "evidence" / "support" / "training.html").read_text(encoding="utf-8")
        cold = build(replace(opts, output=tmp_path / f"cold-{n}", use_cache=False))
        assert cold.ok
        assert tree(out) == tree(tmp_path / f"cold-{n}"), n


def test_a_sequence_of_updates_stays_equal_to_a_cold_build_and_rewrites_few_pages(project, tmp_path):
    opts = Options(root=project, as_of=date(2026, 11, 1), output=tmp_path / "preview", commit="c0ffee",
                   audience="internal")
    preview = Preview(opts)
    assert preview.full().ok
    out = tmp_path / "preview"
    for change in ("evidence edited", "evidence added", "assessment changed", "evidence removed"):
        before = snapshot(project)
        pages_before = {p: p.stat().st_mtime_ns for p in out.rglob("*.html")}
        CHANGES[change](project)
        ok, diags = preview.update(reported(before, snapshot(project)))
        assert ok, diags
        rewritten = [p for p, t in pages_before.items() if p.exists() and p.stat().st_mtime_ns != t]
        assert 0 < len(rewritten) < len(pages_before), change  # some pages, never all of them
    cold = build(replace(opts, output=tmp_path / "cold", use_cache=False))
    assert tree(out) == tree(tmp_path / "cold")
    assert not [p for p in out.rglob("*") if p.name.endswith(".part")]  # no temporary file left behind


def test_an_update_with_an_error_keeps_the_site_and_the_next_fix_is_incremental(project, tmp_path):
    opts = Options(root=project, as_of=date(2026, 11, 1), output=tmp_path / "preview", commit="c0ffee",
                   audience="internal")
    preview = Preview(opts)
    assert preview.full().ok
    site_before = tree(tmp_path / "preview")
    broken = project / "evidence" / "broken.yaml"
    broken.write_text("title: [unclosed\n", encoding="utf-8")
    ok, diags = preview.update({str(broken)})
    assert not ok and any(d.path == "evidence/broken.yaml" for d in diags)
    assert tree(tmp_path / "preview") == site_before  # the last good site is still served, unchanged
    broken.unlink()
    ok, diags = preview.update({str(broken)})
    assert ok
    cold = build(replace(opts, output=tmp_path / "cold", use_cache=False))
    assert tree(tmp_path / "preview") == tree(tmp_path / "cold")


def test_paths_it_cannot_reason_about_take_a_full_build(project, tmp_path):
    preview = Preview(Options(root=project, as_of=date(2026, 11, 1), output=tmp_path / "p", audience="internal"))
    assert preview.full().ok
    for path in (project / "theme" / "templates" / "base.html", project / "pelicanconf.py",
                 project / "content" / "pages" / "about.md", tmp_path / "elsewhere.yaml"):
        assert not preview.can_reason_about({str(path)}), path
    assert preview.can_reason_about({str(project / "evidence" / "a.yaml"), str(project / "evidence" / "a.pdf"),
                                     str(project / "content" / "clauses" / "8.yaml")})


def test_a_stale_build_cache_never_seeds_the_preview(project, tmp_path):
    """serve --no-cache leaves an older cache on disk: the preview checks each saved result against the file."""
    opts = Options(root=project, as_of=date(2026, 11, 1), output=tmp_path / "preview", commit="c0ffee",
                   audience="internal")
    assert build(replace(opts, output=tmp_path / "first")).ok  # writes the cache
    CHANGES["evidence edited"](project)  # the cache's result for this file is now stale
    preview = Preview(replace(opts, use_cache=False))
    assert preview.full().ok and preview.ready
    added = project / "evidence" / "added.yaml"
    CHANGES["evidence added"](project)
    ok, diags = preview.update({str(added)})
    assert ok, diags
    cold = build(replace(opts, output=tmp_path / "cold", use_cache=False))
    assert tree(tmp_path / "preview") == tree(tmp_path / "cold")
    assert b"Edited " in (tmp_path / "preview" / "readiness.json").read_bytes()


#: the kinds of change issue 23 names, beyond CHANGES: each goes through serve's own rebuild step
#: (``_build_once``: the incremental update, or a full build where it cannot reason about the change)
SERVE_CHANGES = {
    "record edited": lambda root: _edit_text(root / "evidence" / "operation" / "suppliers.yaml",
                                             "clauses:", "owner: Purchasing\nclauses:"),
    "record added": CHANGES["evidence added"],
    "record deleted": CHANGES["evidence removed"],
    "clause mapping edited": CHANGES["clause mapping edited"],
    "finding edited": CHANGES["finding edited"],
    "organisation.yaml edited": CHANGES["organisation renamed"],
    "content page added": CHANGES["content page added"],
    "theme template edited": CHANGES["template changed"],
}


@pytest.mark.parametrize("option", ["as-of date", "audience"])
def test_serve_restarted_with_another_option_equals_a_cold_build(project, tmp_path, option, capsys):
    """A running preview's as-of date and audience are fixed (serve's options): changing one is serve started
    again on the same preview folder, whose build cache and pages were made under the old one."""
    from isoready.cli.serve import _build_once

    opts = Options(root=project, as_of=date(2026, 11, 1), output=tmp_path / "preview", commit="c0ffee",
                   audience="internal")
    assert _build_once(Preview(opts), "text")
    again = replace(opts, as_of=date(2027, 6, 1)) if option == "as-of date" else replace(opts, audience="public")
    preview = Preview(again)
    assert _build_once(preview, "text"), capsys.readouterr().out
    cold = build(replace(again, output=tmp_path / "cold", use_cache=False))
    assert cold.ok
    assert tree(tmp_path / "preview") == tree(tmp_path / "cold")
    record = project / "evidence" / "operation" / "suppliers.yaml"  # and its next edit is incremental
    _edit_text(record, "title: ", "title: Edited ")
    ok, diags = preview.update({str(record)})
    assert ok, diags
    assert build(replace(again, output=tmp_path / "cold", use_cache=False)).ok
    assert tree(tmp_path / "preview") == tree(tmp_path / "cold")


def _edit_text(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("change", list(SERVE_CHANGES))
def test_serve_rebuild_after_each_kind_of_change_equals_a_cold_build(project, tmp_path, change, capsys):
    from isoready.cli.serve import _build_once

    opts = Options(root=project, as_of=date(2026, 11, 1), output=tmp_path / "preview", commit="c0ffee",
                   audience="internal")
    preview = Preview(opts)
    assert _build_once(preview, "text")
    before = snapshot(project)
    SERVE_CHANGES[change](project)
    changed = reported(before, snapshot(project))
    assert changed
    assert _build_once(preview, "text", changed), capsys.readouterr().out
    cold = build(replace(opts, output=tmp_path / "cold", use_cache=False))
    assert cold.ok
    assert tree(tmp_path / "preview") == tree(tmp_path / "cold")


def test_a_change_the_watcher_missed_is_seen_by_its_stats(project, tmp_path):
    """The reader's in-memory cache trusts a file only while its stats (mtime, size, inode) are unchanged: an
    edit nobody reported is still read on the next update."""
    opts = Options(root=project, as_of=date(2026, 11, 1), output=tmp_path / "preview", commit="c0ffee",
                   audience="internal")
    preview = Preview(opts)
    assert preview.full().ok and preview.ready
    record = project / "evidence" / "operation" / "suppliers.yaml"
    _edit_text(record, "title: ", "title: Unreported ")
    CHANGES["evidence added"](project)
    ok, diags = preview.update({str(project / "evidence" / "added.yaml")})  # only the new file is reported
    assert ok, diags
    assert b"Unreported " in (tmp_path / "preview" / "readiness.json").read_bytes()
    cold = build(replace(opts, output=tmp_path / "cold", use_cache=False))
    assert tree(tmp_path / "preview") == tree(tmp_path / "cold")


def test_an_update_opens_only_the_files_that_changed(project, tmp_path, monkeypatch):
    from isoready.read import reader

    opts = Options(root=project, as_of=date(2026, 11, 1), output=tmp_path / "preview", commit="c0ffee",
                   audience="internal")
    preview = Preview(opts)
    assert preview.full().ok and preview.ready
    opened: list[str] = []
    real = reader.read_bytes

    def counting(path, rel, max_bytes):
        opened.append(rel)
        return real(path, rel, max_bytes)

    monkeypatch.setattr(reader, "read_bytes", counting)
    record = project / "evidence" / "operation" / "suppliers.yaml"
    _edit_text(record, "title: ", "title: Edited ")
    ok, diags = preview.update({str(record)})
    assert ok, diags
    assert [r for r in opened if r.startswith("evidence/")] == ["evidence/operation/suppliers.yaml"]


def test_a_save_without_a_change_rewrites_nothing(project, tmp_path):
    """An editor's save with the same bytes (or a touch): no page, document, export or manifest is written."""
    opts = Options(root=project, as_of=date(2026, 11, 1), output=tmp_path / "preview", commit="c0ffee",
                   audience="internal")
    preview = Preview(opts)
    result = preview.full()
    assert result.ok and preview.ready
    stamps = {p: p.stat().st_mtime_ns for p in (tmp_path / "preview").rglob("*") if p.is_file()}
    record = project / "evidence" / "operation" / "suppliers.yaml"
    document = project / "evidence" / "context" / "scope.md"
    for path in (record, document):
        path.write_bytes(path.read_bytes())
        os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    ok, diags = preview.update({str(record), str(document)})
    assert ok and sorted(diags) == sorted(result.diagnostics)
    assert [p.name for p, t in stamps.items() if p.stat().st_mtime_ns != t] == []
    cold = build(replace(opts, output=tmp_path / "cold", use_cache=False))
    assert tree(tmp_path / "preview") == tree(tmp_path / "cold")
    # and an edit after it is still seen
    record.write_text(record.read_text(encoding="utf-8").replace("title: ", "title: Edited ", 1), encoding="utf-8")
    ok, diags = preview.update({str(record)})
    assert ok and b"Edited " in (tmp_path / "preview" / "readiness.json").read_bytes()


W110_FILES = {  # as in test_validate's W110 case: documents that name a record withheld from their audience
    "evidence/support/pay.yaml": 'id: PAY-07\ntitle: Pay review\nkind: record\nclauses: ["7.2"]\n'
                                 'audience: internal\nfile: pay-07.pdf\n',
    "evidence/support/pay-07.pdf": "%PDF-1.4\n",
    "evidence/support/handbook.md": "# Handbook\n\nSee the pay review PAY-07 (pay-07.pdf).\n",
    "evidence/support/handbook.yaml": 'title: Handbook\nkind: document\nclauses: ["7.2"]\naudience: public\n'
                                      'file: handbook.md\n',
    "evidence/support/manual.md": "# Manual\n\nSee the policy.\n",
    "evidence/support/manual.yaml": 'title: Manual\nkind: document\nclauses: ["7.2"]\nfile: manual.md\n',
    "evidence/support/guide.md": "# Guide\n\nNothing to withhold.\n",
    "evidence/support/guide.yaml": 'title: Guide\nkind: document\nclauses: ["7.2"]\nfile: guide.md\n',
}


def _validate_lines(root: Path, capsys) -> list[str]:
    from isoready.cli import main

    capsys.readouterr()
    main(["validate", "--root", str(root), "--as-of", "2026-11-01"])
    return [line for line in capsys.readouterr().out.splitlines() if ": W" in line or ": E" in line]


def _serve_lines(diags) -> list[str]:
    from isoready.core.diagnostics import report

    return [line for line in report(sorted(set(diags))).splitlines() if ": W" in line or ": E" in line]


def test_an_update_reads_again_only_the_documents_that_moved_and_says_what_validate_says(project, tmp_path,
                                                                                        monkeypatch, capsys):
    """The per-document checks (W108's bounds, W110's withheld names) read, on an update, only the Markdown
    documents reported or moved since the first build, not every one; what serve reports stays what
    `isoready validate` reports, after a document edit and after an edit that withholds another record."""
    import builtins

    from isoready.read import records
    from isoready.validate import redact

    for rel, text in W110_FILES.items():
        (project / rel).write_text(text, encoding="utf-8")
    opts = Options(root=project, as_of=date(2026, 11, 1), output=tmp_path / "preview", commit="c0ffee",
                   audience="internal")
    preview = Preview(opts)
    assert preview.full().ok and preview.ready
    opened: list[str] = []

    def counting(path, *args, **kwargs):
        if str(path).endswith(".md"):
            opened.append(Path(path).name)
        return builtins.open(path, *args, **kwargs)

    monkeypatch.setattr(records, "open", counting, raising=False)  # W108's reads
    monkeypatch.setattr(redact, "open", counting, raising=False)  # W110's reads
    manual = project / "evidence" / "support" / "manual.md"
    _edit_text(manual, "the policy", "PAY-07")  # the auditor's manual now names a record auditors may not see
    ok, diags = preview.update({str(manual)})
    assert ok, diags
    assert sorted(set(opened)) == ["manual.md"]  # not handbook.md, guide.md, nor the fixture's documents
    assert any("manual.md:3:5: W110" in line for line in _serve_lines(diags))
    assert _serve_lines(diags) == _validate_lines(project, capsys)
    opened.clear()
    guide = project / "evidence" / "support" / "guide.yaml"  # the guide's record becomes internal: the
    _edit_text(guide, "title: Guide", "title: Guide\naudience: internal")  # ... manual names no more, handbook more
    pay = project / "evidence" / "support" / "pay.yaml"
    _edit_text(pay, "audience: internal", "audience: auditor")  # PAY-07 is no longer withheld from auditors
    ok, diags = preview.update({str(guide), str(pay)})
    assert ok, diags
    assert not any("manual.md" in line for line in _serve_lines(diags))
    assert _serve_lines(diags) == _validate_lines(project, capsys)
    cold = build(replace(opts, output=tmp_path / "cold", use_cache=False))
    assert tree(tmp_path / "preview") == tree(tmp_path / "cold")


AUDIT_2025 = ('title: Internal audit report 2025\nkind: record\nclauses: ["9.2.2"]\ncovers: ["7", "8"]\n'
              'date: 2025-12-02\n')
NEW_FINDING = ('- id: IA-2026-03\n  clauses: ["7.2"]\n  grade: minor\n  status: open\n  raised: 2026-10-01\n'
               '  due: 2027-01-15\n  description: A training record is unsigned.\n  action: Sign it.\n'
               '  evidence: [support/training]\n')

#: issue 23's kinds of one-record change, in one running preview, in this order: each leaves the preview equal
#: to a cold build (the per-record memos of views, fingerprints and the reader's identity reuse must follow
#: every kind: a record's clauses, its date, its audience, a record added and deleted, a finding, an audit,
#: organisation.yaml, and an edit undone)
SEQUENCE = {
    "a record's clauses": lambda root: _edit_text(root / "evidence" / "operation" / "suppliers.yaml",
                                                 '["8.4.1", "8.4.2"]', '["8.4.1", "8.5.1"]'),
    "a record's date": lambda root: _edit_text(root / "evidence" / "operation" / "suppliers.yaml",
                                              "date: 2026-09-14", "date: 2024-03-14"),
    "a record's audience": lambda root: _edit_text(root / "evidence" / "support" / "training.yaml",
                                                  "title:", "audience: internal\ntitle:"),
    "a record added": CHANGES["evidence added"],
    "an audit added": lambda root: (root / "evidence" / "performance" / "internal-audit-2025.yaml").write_text(
        AUDIT_2025, encoding="utf-8"),
    "an audit's date": lambda root: _edit_text(root / "evidence" / "performance" / "internal-audit-2025.yaml",
                                              "date: 2025-12-02", "date: 2026-02-02"),
    "a finding added": lambda root: (root / "content" / "findings" / "internal-audit-2026.yaml").write_text(
        (root / "content" / "findings" / "internal-audit-2026.yaml").read_text(encoding="utf-8") + NEW_FINDING,
        encoding="utf-8"),
    "a finding edited": CHANGES["finding edited"],
    "a record's audience undone": lambda root: _edit_text(root / "evidence" / "support" / "training.yaml",
                                                         "audience: internal\ntitle:", "title:"),
    "a record deleted": lambda root: (root / "evidence" / "added.yaml").unlink(),
    "organisation.yaml edited": CHANGES["organisation renamed"],
    "a record's date undone after the full build": lambda root: _edit_text(
        root / "evidence" / "performance" / "internal-audit-2025.yaml", "date: 2026-02-02", "date: 2025-12-02"),
}


@pytest.mark.parametrize("audience", ["internal", "auditor"])
def test_one_preview_through_every_kind_of_one_record_change_equals_a_cold_build_each_time(project, tmp_path,
                                                                                         audience, capsys):
    """One running preview (serve's own rebuild step), each kind of change after the last: after every one the
    preview holds the bytes of a cold build, and the incremental path (not a full build) made all but
    organisation.yaml's."""
    from isoready.cli.serve import _build_once

    opts = Options(root=project, as_of=date(2026, 11, 1), output=tmp_path / "preview", commit="c0ffee",
                   audience=audience)
    preview = Preview(opts)
    assert _build_once(preview, "text")
    for n, (change, make) in enumerate(SEQUENCE.items()):
        before = snapshot(project)
        make(project)
        changed = reported(before, snapshot(project))
        assert changed, change
        capsys.readouterr()
        assert _build_once(preview, "text", changed), (change, capsys.readouterr().out)
        printed = capsys.readouterr().out
        assert ("updated in" in printed) == (change != "organisation.yaml edited"), (change, printed)
        cold = build(replace(opts, output=tmp_path / f"cold-{n}", use_cache=False))
        assert cold.ok, change
        assert tree(tmp_path / "preview") == tree(tmp_path / f"cold-{n}"), change
