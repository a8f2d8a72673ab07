"""Incremental view-models (issue 23): a builder whose inputs are unchanged is handed back from the ViewMemo,
not run. Nothing may come out stale, so each builder's declared inputs (``reads``, with what the builders it
needs read) are proved to cover what it reads: after every kind of change, a builder whose output differs from
its output before the change must have a changed input, and the memo's site equals a cold one."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Callable

import pytest

from isoready.assess import assess
from isoready.gitfacts.history import NO_GIT
from isoready.package.assemble import hash_documents
from isoready.read.catalog import load_catalog
from isoready.validate.project import read_project
from isoready.views import BUILDERS, Context, ViewMemo
from isoready.views.builder import closure, fingerprints
from isoready.views.site import generate, run

AS_OF = date(2026, 11, 1)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _add(root: Path) -> None:
    (root / "evidence" / "added.yaml").write_text(
        'title: Added record\nkind: record\nclauses: ["7.2"]\ndate: 2026-10-01\n', encoding="utf-8")


def _internal(root: Path) -> None:
    _edit(root / "evidence" / "support" / "training.yaml", "owner: HR Lead", "owner: HR Lead\naudience: internal")


#: every kind of change: files edited (root) and the build's settings (a dict of Context arguments)
CHANGES: dict[str, Callable[[Path, dict], None]] = {
    "record edited": lambda root, args: _edit(root / "evidence" / "operation" / "suppliers.yaml",
                                              "title: ", "title: Edited "),
    "record description": lambda root, args: _edit(root / "evidence" / "context" / "scope.yaml",
                                                   "description: Scope of the QMS", "description: Scope of our QMS"),
    "record added": lambda root, args: _add(root),
    "record deleted": lambda root, args: (root / "evidence" / "support" / "training.yaml").unlink(),
    "record withheld": lambda root, args: _internal(root),
    "clause mapping": lambda root, args: _edit(root / "evidence" / "operation" / "suppliers.yaml",
                                               '["8.4.1", "8.4.2"]', '["8.4.1", "8.4.3"]'),
    "finding": lambda root, args: _edit(root / "content" / "findings" / "internal-audit-2026.yaml",
                                        "status: open", "status: closed\n  closed: 2026-10-20"),
    "assessment": lambda root, args: _edit(root / "content" / "clauses" / "operation.yaml",
                                           "status: in-progress", "status: implemented"),
    "organisation scope": lambda root, args: _edit(root / "content" / "organisation.yaml",
                                                   "Machining", "Turning"),
    "organisation repository": lambda root, args: (root / "content" / "organisation.yaml").write_text(
        (root / "content" / "organisation.yaml").read_text() + "repository:\n  url: https://github.com/ex/qms\n",
        encoding="utf-8"),
    "document bytes": lambda root, args: (root / "evidence" / "context" / "scope.md").write_bytes(
        (root / "evidence" / "context" / "scope.md").read_bytes() + b"\nAppended line.\n"),
    "as-of date": lambda root, args: args.update(as_of=date(2027, 6, 1)),
    "audience": lambda root, args: args.update(audience="internal"),
    "public audience": lambda root, args: args.update(audience="public"),
    "commit": lambda root, args: args.update(commit="beef"),
    "git facts": lambda root, args: args.update(git=NO_GIT),
}


def _context(root: Path, as_of: date = AS_OF, audience: str = "auditor", commit: str = "c0ffee",
             git: Any = None) -> Context:
    project, diags = read_project(root, load_catalog(), as_of)
    assert project is not None and not [d for d in diags if d.code.startswith("E")], diags
    return Context(project, assess(project, as_of), audience, commit, hash_documents(project), git)


def _by_builder(ctx: Context) -> dict[str, Any]:
    """Each builder's pages and what it provides, run alone (with the builders providing what it needs)."""
    out = {}
    for b in BUILDERS:
        providers = [x for x in BUILDERS if set(x.provides) & set(b.needs) and x is not b]
        theirs = {p.path for p in generate(ctx, providers)[0]}
        pages, shared = generate(ctx, [*providers, b])
        out[b.name] = ([p for p in pages if p.path not in theirs], {k: shared[k] for k in b.provides})
    return out


@pytest.fixture(scope="module")
def before(tmp_path_factory) -> tuple[Path, dict[str, str], dict[str, Any]]:
    import shutil

    root = tmp_path_factory.mktemp("memo") / "project"
    shutil.copytree(Path(__file__).resolve().parents[1] / "fixtures" / "minimal", root)
    ctx = _context(root)
    return root, fingerprints(ctx), _by_builder(ctx)


@pytest.fixture(scope="module")
def after(before, tmp_path_factory) -> dict[str, tuple[set[str], dict[str, Any]]]:
    """Per change: which inputs' fingerprints moved, and each builder's output after it (a cold run)."""
    import shutil

    root, prints, _ = before
    found = {}
    for name, change in CHANGES.items():
        copy = tmp_path_factory.mktemp("change") / "project"
        shutil.copytree(root, copy)
        args: dict = {}
        change(copy, args)
        ctx = _context(copy, **args)
        moved = {k for k, v in fingerprints(ctx).items() if prints[k] != v}
        found[name] = (moved, _by_builder(ctx))
    return found


def test_every_kind_of_change_moves_an_input(after) -> None:
    """The changes above reach every input kind a builder may declare (so each declaration is put to the test)."""
    from isoready.views.builder import INPUTS

    assert {"base", *INPUTS} - {"catalog"} <= {k for moved, _ in after.values() for k in moved}


@pytest.mark.parametrize("builder", [b.name for b in BUILDERS])
def test_a_builders_declared_inputs_cover_what_it_reads(before, after, builder) -> None:
    """Wherever the builder's pages (or the context it provides) changed, one of its declared inputs changed:
    were it not so, the memo would hand back its stale pages."""
    reads = closure(BUILDERS)[builder] | {"base"}
    _, _, old = before
    for change, (moved, outputs) in after.items():
        if outputs[builder] != old[builder]:
            assert moved & reads, f"{builder}: its output changed after '{change}', which moved only " \
                                  f"{sorted(moved)}; it declares {sorted(reads - {'base'})}"


@pytest.mark.parametrize("change", list(CHANGES))
def test_the_memo_reruns_only_the_builders_whose_inputs_changed_and_equals_a_cold_run(before, tmp_path, change):
    import shutil

    root, _, _ = before
    copy = tmp_path / "project"
    shutil.copytree(root, copy)
    memo = ViewMemo()
    first = run(_context(copy), memo=memo)
    prints = fingerprints(_context(copy))
    assert memo.rebuilt == [b.name for b in BUILDERS]
    assert run(_context(copy), memo=memo) == first and memo.rebuilt == []  # nothing changed: nothing runs
    args: dict = {}
    CHANGES[change](copy, args)
    ctx = _context(copy, **args)
    warm = run(ctx, memo=memo)
    cold = run(_context(copy, **args))
    assert warm.pages == cold.pages and warm.export == cold.export and warm.chrome == cold.chrome
    moved = {k for k, v in fingerprints(ctx).items() if prints[k] != v}
    reads = closure(BUILDERS)
    expected = [b.name for b in BUILDERS if "base" in moved or reads[b.name] & moved]
    assert memo.rebuilt == expected
    assert expected, f"'{change}' moved no input"


def test_a_change_of_one_input_leaves_the_builders_that_do_not_read_it_alone(before, tmp_path) -> None:
    """An assessment changed: the evidence register and its 9,000 pages at scale are not rebuilt, nor is the
    glossary; the clause pages are."""
    import shutil

    root, _, _ = before
    copy = tmp_path / "project"
    shutil.copytree(root, copy)
    memo = ViewMemo()
    run(_context(copy), memo=memo)
    CHANGES["assessment"](copy, {})
    run(_context(copy), memo=memo)
    assert "clauses" in memo.rebuilt and "glossary" not in memo.rebuilt and "search" not in memo.rebuilt


def test_the_fingerprints_are_of_values_not_of_objects(before, tmp_path) -> None:
    """The same files read again, from another folder, give the same fingerprints (so an unchanged rebuild
    reuses every builder)."""
    import shutil

    root, prints, _ = before
    assert fingerprints(_context(root)) == prints
    shutil.copytree(root, tmp_path / "elsewhere")
    assert fingerprints(_context(tmp_path / "elsewhere")) == prints


def test_a_record_edited_makes_its_own_evidence_view_only(before, tmp_path, monkeypatch) -> None:
    """Within the builders that run again, each evidence record's view-model is kept by its own key: one record
    edited makes one evidence view-model, and the site equals a cold one."""
    import shutil

    root, _, _ = before
    copy = tmp_path / "project"
    shutil.copytree(root, copy)
    memo = ViewMemo()
    run(_context(copy), memo=memo)
    made: list[str] = []
    real = Context.ev_view

    def counting(self, e):
        made.append(e.id)
        return real(self, e)

    monkeypatch.setattr(Context, "ev_view", counting)
    CHANGES["record edited"](copy, {})
    warm = run(_context(copy), memo=memo)
    assert made == ["operation/suppliers"]
    cold = run(_context(copy))
    assert warm.pages == cold.pages and warm.export == cold.export
    made.clear()
    CHANGES["record withheld"](copy, {})  # the redactor changes: every record's view is made again
    warm = run(_context(copy), memo=memo)
    assert sorted(made) == sorted(e for e in warm.export.evidence for e in [e.id])
    assert warm.pages == run(_context(copy)).pages
