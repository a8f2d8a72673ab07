"""Redaction by construction: a withheld record's names reach no byte of a lower audience's artefacts.

An internal record's id is planted in every free-text field a public record, a clause assessment, a
finding and the organisation carry, in every spelling a writer (or an attacker) might use: inside URLs
and longer tokens, HTML entities, percent-escapes, soft hyphens, zero-width characters, full-width forms,
Markdown escapes, hyphens written as spaces. Every byte of the public and auditor site and archive (zip
and XLSX members too) is then searched, after the same normalisation, for the id's letters and digits; the
internal build must contain them (so the search can fail).
"""

from __future__ import annotations

import io
import re
import shutil
import unicodedata
import zipfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from isoready.package.archive import make_archive
from isoready.package.build import Options, build
from isoready.validate.redact import Redactor, _fold, _skeleton

REPO = Path(__file__).resolve().parents[2]
AS_OF = date(2026, 11, 24)
SECRET = "canary-kx-7q41"  # the internal record's id
SECRET_FILE = "canary-kx-7q41-annex.md"
SECRET_FINDING = "NC-CANARY-9z3"
SKELETONS = ["canarykx7q41", "nccanary9z3"]  # what must never be found, however spelt
DUE = "2026-02-17"  # the withheld finding's own due date, which reasons must not print

FORMS = [
    f"https://intranet.example/evidence/{SECRET}/annex?rev=2",
    f"{SECRET}.pdf", f"evidence/{SECRET}/annex", f"{SECRET}_v2", SECRET.upper(),
    "canary&#45;kx&#x2D;7q41", "&#99;anary-kx-7q41", "canary%2Dkx%2D7q41", "canary%252Dkx-7q41",
    "can\u00adary-kx-7q41", "canary-\u200bkx-\u200d7q41", "canary kx 7q41", "\uff43\uff41\uff4e\uff41\uff52\uff59-kx-7q41",
    "canary\\-kx\\-7q41", "canary\u2011kx\u20117q41", f"[{SECRET}](../evidence/{SECRET}.html)",
    f"<{SECRET}@example.org>", "nc&#x2d;canary&#x2d;9z3", "nc canary 9z3",
]
PROSE = "Cross-reference: " + "; ".join(FORMS) + "."


def _copy_demo(dst: Path) -> Path:
    for name in ("content", "evidence", "theme", "pelicanconf.py"):
        src = REPO / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, dst / name)
    return dst


def _yaml_block(text: str, indent: int) -> str:
    pad = " " * indent
    return "|\n" + "".join(pad + line + "\n" for line in text.splitlines())


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> Path:
    root = _copy_demo(tmp_path_factory.mktemp("redaction"))
    ev = root / "evidence" / "support"
    (ev / SECRET_FILE).write_text(f"# Annex\n\nInternal.\n", encoding="utf-8")
    (ev / "shared-procedure.md").write_text("# Shared procedure\n\nUsed by two records.\n", encoding="utf-8")
    (ev / "secret.yaml").write_text(
        f"id: {SECRET}\ntitle: Secret annex\nkind: record\nclauses: [\"7.2\"]\nfile: {SECRET_FILE}\n"
        "audience: internal\ndate: 2026-03-03\n", encoding="utf-8")
    (ev / "secret-shared.yaml").write_text(  # shares a document with a public record
        "id: canary-shared-2b8\ntitle: Secret user of a shared document\nkind: document\nclauses: [\"7.5.1\"]\n"
        "file: shared-procedure.md\naudience: internal\n", encoding="utf-8")
    (ev / "public-shared.yaml").write_text(
        "title: Shared procedure\nkind: document\nclauses: [\"7.5.1\"]\nfile: shared-procedure.md\n"
        "audience: public\n", encoding="utf-8")
    (ev / "public-forms.yaml").write_text(
        f"title: Notes\nkind: document\nclauses: [\"7.5.1\"]\naudience: public\n"
        f"url: https://intranet.example/evidence/{SECRET}/annex\n"
        f"owner: keeper of {SECRET}_v2\n"
        f"description: {_yaml_block(PROSE, 2)}", encoding="utf-8")
    (ev / "public-doc.md").write_text(f"# Public document\n\n{PROSE}\n", encoding="utf-8")
    (ev / "public-doc.yaml").write_text(
        "title: Public document\nkind: document\nclauses: [\"7.5.1\"]\nfile: public-doc.md\naudience: public\n",
        encoding="utf-8")
    (root / "content" / "findings" / "canary.yaml").write_text(
        f"- id: {SECRET_FINDING}\n  clauses: [\"7.2\"]\n  grade: minor\n  status: open\n  raised: 2026-01-10\n"
        f"  due: {DUE}\n  audience: internal\n  description: internal finding\n"
        f"- id: NC-PUBLIC-1\n  clauses: [\"7.1.6\"]\n  grade: minor\n  status: open\n  raised: 2026-10-10\n"
        f"  audience: public\n  description: {_yaml_block(PROSE, 4)}", encoding="utf-8")
    clauses = root / "content" / "clauses" / "8-operation.yaml"
    text = clauses.read_text(encoding="utf-8")
    text = text.replace("    in the scope statement (4.3).\n", f"    in the scope statement (4.3). See {FORMS[0]} and {FORMS[5]}.\n")
    text = text.replace("- clause: \"8.1\"\n", f"- clause: \"8.1\"\n  notes: {_yaml_block(PROSE, 4)}", 1)
    clauses.write_text(text, encoding="utf-8")
    (root / "content" / "pages").mkdir(exist_ok=True)
    (root / "content" / "pages" / "notes.md").write_text(
        f"Title: Notes on {SECRET}\nSlug: notes\nAudience: public\n\n{PROSE}\n", encoding="utf-8")
    org = root / "content" / "organisation.yaml"
    org.write_text(org.read_text(encoding="utf-8").replace(
        "  only to customer-owned designs and hold no design responsibility.\n",
        f"  only to customer-owned designs and hold no design responsibility ({FORMS[7]}, {FORMS[9]}).\n"),
        encoding="utf-8")
    return root


def _members(name: str, data: bytes):
    yield name, data
    if data.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for member in zf.namelist():
                yield from _members(f"{name}!{member}", member.encode() + b"\n" + zf.read(member))


RAW = "files/support/public-doc.md"  # a public document's own bytes: published unchanged, by design


def _skeleton_leaks(base: Path, needles) -> list[str]:
    found = []
    for f in sorted(p for p in base.rglob("*") if p.is_file()):
        for name, data in _members(str(f.relative_to(base)), f.read_bytes()):
            if name.endswith(RAW):
                continue
            text = data.decode("utf-8", "replace")
            # JSON escapes ("\u00ad") and the raw bytes: both normalised like the redactor normalises
            text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)
            skel = _skeleton(_fold(text)[0])[0]
            found += [f"{n} in {name}" for n in needles if n in skel]
    return found


@pytest.fixture(scope="module")
def builds(planted, tmp_path_factory):
    out = {}
    for audience in ("public", "auditor", "internal"):
        base = tmp_path_factory.mktemp(f"red-{audience}")
        opts = Options(root=planted, as_of=AS_OF, audience=audience, output=base / "site", commit="abc123")
        result = build(opts)
        assert result.ok, [str(d) for d in result.diagnostics if d.severity == "error"]
        make_archive(opts, base / "dist")
        out[audience] = base
    return out


@pytest.mark.parametrize("audience", ["public", "auditor"])
def test_no_spelling_of_a_withheld_id_reaches_any_byte(builds, audience):
    assert _skeleton_leaks(builds[audience], SKELETONS) == []


def test_the_internal_build_holds_them_so_the_search_can_fail(builds):
    leaks = "\n".join(_skeleton_leaks(builds["internal"], SKELETONS))
    for needle in SKELETONS:
        assert needle in leaks
    assert "search-index.js" in leaks and "checklist.xlsx!" in leaks and ".zip!" in leaks


@pytest.mark.parametrize("audience", ["public", "auditor"])
def test_a_shared_document_does_not_reveal_the_withheld_record_sharing_it(builds, audience):
    assert _skeleton_leaks(builds[audience], ["canaryshared2b8", "secretuserofashareddocument"]) == []
    site = builds[audience] / "site"
    assert (site / "files" / "support" / "shared-procedure.md").is_file()  # the public record keeps it


def test_redacted_text_stays_readable(builds):
    page = (builds["public"] / "site" / "evidence" / "support" / "public-forms.html").read_text()
    text = re.sub(r"<[^>]+>", "", page)
    assert "[withheld].pdf" in text and "[withheld]_v2" in text
    assert "https://intranet.example/evidence/[withheld]" in text  # "<id>/annex" is also its file's stem
    assert "keeper of [withheld]_v2" in text
    doc = (builds["public"] / "site" / "files" / "support" / "public-doc.md.html").read_text()
    assert "Cross-reference: " in doc and "[withheld]" in doc
    # the document's own bytes are published unchanged: redaction is of what the portal writes, not of files
    page = (builds["public"] / "site" / "pages" / "notes.html").read_text()
    assert "Notes on [withheld]" in page and "Cross-reference: " in page
    raw = (builds["public"] / "site" / "files" / "support" / "public-doc.md").read_text()
    assert SECRET in raw


def test_reasons_print_no_date_of_a_withheld_finding(builds):
    for audience in ("public", "auditor"):
        clause = (builds[audience] / "site" / "clauses" / "7.2.html").read_text()
        assert DUE not in clause
        assert DUE not in (builds[audience] / "site" / "readiness.json").read_text()
    assert DUE in (builds["internal"] / "site" / "clauses" / "7.2.html").read_text()


# --------------------------------------------------------------------------- the redactor itself


def test_every_spelling_is_redacted_and_near_misses_are_not():
    r = Redactor({SECRET, "QM-01", "café-9"}, {"QM-012"})
    for form in FORMS[:-3]:
        assert "7q41" not in _skeleton(_fold(r(form))[0])[0], form
    assert r("QM-012 and QM-01 and qm_01.") == "QM-012 and [withheld] and [withheld]."
    assert r(unicodedata.normalize("NFD", "CAFÉ-9 and café 9")) == "[withheld] and [withheld]"
    assert r("xcanary-kx-7q41 is another token") == "xcanary-kx-7q41 is another token"


def test_redaction_is_deterministic_and_total():
    names = {f"rec-{i}" for i in range(200)}
    a = Redactor(names, set())
    b = Redactor(set(sorted(names, reverse=True)), set())
    text = "see rec-5, rec-50 and rec-199; not rec-2000"
    assert a(text) == b(text) == "see [withheld], [withheld] and [withheld]; not rec-2000"
    assert repr(a) == repr(b)


# --------------------------------------------------------------------------- the fast matcher against the plain one


def _reference(r: Redactor, text: str) -> str:
    """The redactor as first written (character by character over the folded skeleton): the fast matcher,
    which works on whole runs and rejects most texts early, must give exactly this."""
    from isoready.validate.redact import WITHHELD

    if not text or not r._hidden:
        return text
    folded, where = _fold(text)
    skel, index, starts, ends = _skeleton(folded)
    cuts = []
    p, n = 0, len(skel)
    while p < n:
        if p not in starts:
            p += 1
            continue
        for length in r._lengths:
            if p + length in ends and (hidden := r._names.get(skel[p:p + length])) is not None:
                if hidden:
                    cuts.append((where[index[p]][0], where[index[p + length - 1]][1]))
                p += length
                break
        else:
            p += 1
    out, pos = [], 0
    for a, b in cuts:
        out.append(text[pos:max(a, pos)])
        out.append(WITHHELD)
        pos = max(pos, b)
    out.append(text[pos:])
    return "".join(out)


_PIECES = ["QM", "01", "012", "qm-01", "QM-012", "rec", "-", "_", ".", "/", " ", "x", "7q41", "canary", "kx",
           "caf\u00e9", "CAFE\u0301", "9", "&amp;", "&#45;", "%2D", "%41", "\\-", "\u00ad", "\u200b", "\uff31\uff2d",
           "evidence/", ".pdf", ".html", "files/", "\u00e9", "a", "1", "\n", "rec-1", "QM-01"]


@given(st.lists(st.sampled_from(_PIECES), max_size=30), st.sets(st.sampled_from(
    ["QM-01", "qm-012", "012", "rec-1", "x/7q41", "canary-kx", "café-9", "evidence/rec-1.html", "a1", "QM01x"]), max_size=5),
    st.sets(st.sampled_from(["QM-012", "rec-12", "canary", "a1-b", "café-91"]), max_size=3))
@settings(max_examples=400, deadline=None)
def test_the_fast_matcher_gives_exactly_the_plain_matchers_result(pieces, hidden, visible):
    r = Redactor(hidden, visible)
    text = "".join(pieces)
    assert r(text) == _reference(r, text)


_LONG_PIECES = ["bulk", "000", "document", "0000", "68", "681", "-", "/", " ", ".", "md", "record", "rec", "re", "r",
                "evidence", "files/", "x", "xx", "b", "bu", "7", "\n", "&#45;", "\u00ad"]


@given(st.lists(st.sampled_from(_LONG_PIECES), max_size=30), st.sets(st.sampled_from(
    ["bulk-000-document-000068", "bulk-000-document-000068.md", "files/bulk-000-document-000068.md", "record-7",
     "re-7", "r7", "bulk000document0", "evidence/bulk-000-document-0000681.html", "b-u"]), max_size=5),
    st.sets(st.sampled_from(["bulk-000-document-0000681", "bulk-000-document", "record-77", "bulk000document000068md",
                             "bu", "xx-bulk-000-document-000068", "7-record-7"]), max_size=3))
@settings(max_examples=400, deadline=None)
def test_the_fast_matcher_agrees_on_long_names_sharing_their_beginnings(pieces, hidden, visible):
    """Names longer than the quick tests' prefixes (their first three and first ten letters and digits), sharing
    them, visible ones longer than withheld ones and holding them ("xx-bulk-...", "7-record-7"): the runs a name
    cannot begin at are skipped, and a match stops growing once no name begins with it, with exactly the plain
    matcher's result."""
    r = Redactor(hidden, visible)
    text = "".join(pieces)
    assert r(text) == _reference(r, text)


def test_a_longer_visible_name_holding_a_withheld_one_leaves_it_alone_past_the_quick_tests():
    """A visible name that begins with a run no withheld name begins with ("xx", "7") and holds a withheld name
    names the visible record; the withheld name alone, or inside a longer token, is cut."""
    r = Redactor({"bulk-000-document-000068", "record-7"}, {"xx-bulk-000-document-000068", "7-record-7"})
    for text in ("see xx-bulk-000-document-000068 here", "see 7 record 7.", "xx_bulk_000_document_000068"):
        assert r(text) == _reference(r, text) == text
    text = "bulk-000-document-000068.md, files/bulk-000-document-000068 and record-7 but not xrecord-7"
    assert r(text) == _reference(r, text) == "[withheld].md, files/[withheld] and [withheld] but not xrecord-7"


# --------------------------------------------------------------------------- W110's quick tests


_WORDS = st.sampled_from(["QM-01", "qm", "01", "QM01", "pay-07", "PAY", "payroll", "Quality", "manual", "IA-2026-01",
                          "IA", "2026", "café-9", "x", "-", ".", "&amp;", "%41", "\\*", "\u00ad"])


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(st.lists(_WORDS, max_size=8).map(" ".join), max_size=6))
def test_a_document_said_to_name_nothing_has_no_line_the_redactor_would_cut(lines):
    """``may_name`` lets W110 skip a whole document at once: when it says False, every line comes back from the
    redactor unchanged, whatever the words and spellings."""
    r = Redactor({"QM-01", "PAY-07", "IA-2026-01", "café-9"}, {"QM-012", "payroll"})
    text = "\n".join(lines)
    if not r.may_name(text):
        assert all(r(line) == line for line in text.splitlines())
    assert Redactor(set(), set()).may_name(text) is False  # nothing withheld: nothing to find


def test_a_documents_real_path_is_resolved_through_symlinked_folders_and_files(tmp_path):
    """W110 reads only documents inside evidence/: their folders' real paths are resolved once a judgement
    (a folder made a symlink between two judgements is resolved again), a symlinked document itself each time."""
    import os

    from isoready.validate import redact

    inside, outside = tmp_path / "evidence" / "support", tmp_path / "elsewhere"
    inside.mkdir(parents=True)
    outside.mkdir()
    (inside / "a.md").write_text("a", encoding="utf-8")
    (outside / "b.md").write_text("b", encoding="utf-8")
    os.symlink(outside / "b.md", inside / "b.md")
    redact._real_folder.cache_clear()
    for name in ("a.md", "b.md", "missing.md"):
        assert redact._real_path(str(inside / name)) == os.path.realpath(inside / name)
    (inside / "a.md").unlink()
    (inside / "b.md").unlink()
    inside.rmdir()
    os.symlink(outside, inside)  # the folder is now a symlink leading outside
    (outside / "a.md").write_text("a", encoding="utf-8")
    redact._real_folder.cache_clear()  # as each judgement starts
    assert redact._real_path(str(inside / "a.md")) == str(outside / "a.md")
