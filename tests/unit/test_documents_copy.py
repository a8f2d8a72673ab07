"""The evidence documents copied into the site (``documents.copy_documents``, ``write_documents``): byte for byte,
at the planned path only, never through a symlink or over a file already written, with the site's file mode,
while the pages render; a document that vanished mid-build stops the build as it always did."""

from __future__ import annotations

import os
import stat
import threading
import time
from pathlib import Path

import pytest

from isoready.cli import main
from isoready.package import build as build_mod, documents
from isoready.render.pages import WriteRefused, write_bytes

AS_OF = ["--as-of", "2026-11-01"]
DOC = "context/scope.md"  # the minimal project's document (evidence/context/scope.yaml names it)


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_documents_are_copied_byte_for_byte_with_the_mode_of_every_file_of_the_site(tmp_path: Path) -> None:
    src, out = tmp_path / "evidence", tmp_path / "site"
    (src / "a" / "b").mkdir(parents=True)
    out.mkdir()
    (src / "a" / "b" / "big.bin").write_bytes(os.urandom(300_000))
    (src / "a" / "empty.txt").write_bytes(b"")
    (src / "one.pdf").write_bytes(b"%PDF-1.7\n")
    pairs = [("a/b/big.bin", "files/a/b/big.bin"), ("a/empty.txt", "files/a/empty.txt"), ("one.pdf", "files/one.pdf")]
    documents.copy_documents(src, out, pairs)
    assert _tree(out) == {target: (src / source).read_bytes() for source, target in pairs}
    write_bytes(out, "page.html", b"<p>")
    mode = stat.S_IMODE((out / "page.html").stat().st_mode)
    assert {stat.S_IMODE((out / t).stat().st_mode) for _s, t in pairs} == {mode}


@pytest.mark.parametrize("kernel", ["no sendfile", "sendfile refuses"])
def test_without_sendfile_the_bytes_are_copied_through_a_buffer(tmp_path: Path, monkeypatch, kernel: str) -> None:
    import errno

    src, out = tmp_path / "evidence", tmp_path / "site"
    src.mkdir()
    out.mkdir()
    data = os.urandom(200_000)
    (src / "x.bin").write_bytes(data)
    if kernel == "no sendfile":  # macOS, Windows
        monkeypatch.setattr(documents, "_SENDFILE", False)
    else:
        def refuse(*args):
            raise OSError(errno.EINVAL, "Invalid argument")

        monkeypatch.setattr(os, "sendfile", refuse)
    documents.copy_documents(src, out, [("x.bin", "files/x.bin")])
    assert (out / "files" / "x.bin").read_bytes() == data


def test_a_second_copy_to_one_path_is_refused_and_the_first_stays(tmp_path: Path) -> None:
    src, out = tmp_path / "evidence", tmp_path / "site"
    src.mkdir()
    (src / "x.pdf").write_bytes(b"first")
    (src / "y.pdf").write_bytes(b"second")
    out.mkdir()
    with pytest.raises(WriteRefused, match=r"refused to write 'files/x\.pdf': the build has written that path"):
        documents.copy_documents(src, out, [("x.pdf", "files/x.pdf"), ("y.pdf", "files/x.pdf")])
    assert (out / "files" / "x.pdf").read_bytes() == b"first"


@pytest.mark.parametrize("link", ["files", "files/sub", "files/sub/x.pdf"])
def test_nothing_is_written_through_a_symlink_out_of_the_site(tmp_path: Path, link: str) -> None:
    src, out, away = tmp_path / "evidence", tmp_path / "site", tmp_path / "away"
    src.mkdir()
    (src / "x.pdf").write_bytes(b"document")
    away.mkdir()
    (out / link).parent.mkdir(parents=True)
    (out / link).symlink_to(away / "x.pdf" if link.endswith(".pdf") else away)
    with pytest.raises(WriteRefused, match="files/sub/x.pdf"):
        documents.copy_documents(src, out, [("x.pdf", "files/sub/x.pdf")])
    assert list(away.rglob("*")) == []


@pytest.mark.parametrize("rel", ["../x.pdf", "/tmp/x.pdf", "files/../../x.pdf", ""])
def test_a_path_outside_the_site_is_refused(tmp_path: Path, rel: str) -> None:
    src, out = tmp_path / "evidence", tmp_path / "deep" / "site"
    src.mkdir()
    (src / "x.pdf").write_bytes(b"document")
    out.mkdir(parents=True)
    with pytest.raises(WriteRefused):
        documents.copy_documents(src, out, [("x.pdf", rel)])
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["deep", "evidence", "site", "x.pdf"]


def test_a_source_that_became_a_fifo_is_refused_not_waited_on(tmp_path: Path) -> None:
    src, out = tmp_path / "evidence", tmp_path / "site"
    src.mkdir()
    out.mkdir()
    os.mkfifo(src / "x.pdf")
    with pytest.raises(OSError, match="x.pdf"):
        documents.copy_documents(src, out, [("x.pdf", "files/x.pdf")])
    assert not (out / "files" / "x.pdf").exists()


def _cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_document_that_vanishes_mid_build_stops_it_and_the_site_stays(minimal_project: Path, capsys, monkeypatch,
                                                                        workers: str) -> None:
    monkeypatch.setenv("ISOREADY_WORKERS", workers)
    root, site = minimal_project, minimal_project / "output"
    assert _cli(capsys, "build", "--root", str(root), *AS_OF)[0] == 0
    before = _tree(site)
    assert before[f"files/{DOC}"] == (root / "evidence" / DOC).read_bytes()
    real = build_mod.prepare_portals

    def prepare_then_remove(*args, **kwargs):  # hashed by the views, gone before the copy
        made = real(*args, **kwargs)
        (root / "evidence" / DOC).unlink()
        return made

    monkeypatch.setattr(build_mod, "prepare_portals", prepare_then_remove)
    code, out, err = _cli(capsys, "build", "--root", str(root), "--no-cache", *AS_OF)  # a cold build copies
    assert (code, err) == (2, f"isoready: error: No such file or directory: {root / 'evidence' / DOC}\n")
    assert _tree(site) == before
    assert sorted(p.name for p in root.iterdir() if p.name.startswith(".output")) == []


def test_documents_are_copied_while_the_pages_render(minimal_project: Path, capsys, monkeypatch) -> None:
    """Off the critical path: the documents need nothing from the pages, so they are in the site before the
    render has ended (a background process, with two workers)."""
    monkeypatch.setenv("ISOREADY_WORKERS", "2")
    real, seen = build_mod.render_with_pelican, threading.Event()

    def render(site, project, tmp, opts, plan=None):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not seen.is_set():
            if (tmp / "files" / DOC).is_file() and (tmp / "files" / DOC).stat().st_size:
                seen.set()
            time.sleep(0.02)
        return real(site, project, tmp, opts, plan)

    monkeypatch.setattr(build_mod, "render_with_pelican", render)
    assert _cli(capsys, "build", "--root", str(minimal_project), *AS_OF)[0] == 0
    assert seen.is_set()
    source, copied = minimal_project / "evidence" / DOC, minimal_project / "output" / "files" / DOC
    assert copied.read_bytes() == source.read_bytes()
