"""The swap: at every instant output/ is a complete site, the old one or the new one (issue 14).

Each step of the swap is killed with SIGKILL in a real build process (ISOREADY_FAULT=<step>), with the
atomic exchange (Linux renameat2) and with the two-rename fallback; then what a user sees is checked:
output/ is a whole site that matches its manifest, and `clean` or the next build never loses the only copy.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from isoready.package.archive import verify
from isoready.cli import main
from isoready.package.build import exchange, swap_in

REPO = Path(__file__).resolve().parents[2]


def tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def run_build(root: Path, out: Path, as_of: str, **env: str) -> subprocess.CompletedProcess:
    environ = {**os.environ, "PYTHONPATH": str(REPO), "ISOREADY_SYNC_DELETE": "1", "ISOREADY_COMMIT": "abc", **env}
    return subprocess.run([sys.executable, "-m", "isoready", "build", "--root", str(root), "--output", str(out),
                           "--as-of", as_of, "--no-cache"], env=environ, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> tuple[Path, dict[str, str], dict[str, str]]:
    """A project with the old site (as of 2026-11-01) and what the new one (2026-11-02) looks like."""
    import shutil

    from tests.conftest import MINIMAL

    base = tmp_path_factory.mktemp("swap")
    root = base / "project"
    shutil.copytree(MINIMAL, root)
    assert run_build(root, base / "new", "2026-11-02").returncode == 0
    assert run_build(root, base / "old", "2026-11-01").returncode == 0
    return root, tree(base / "old"), tree(base / "new")


def _fresh_old(sites, tmp_path: Path) -> Path:
    import shutil

    root, old, _new = sites
    out = tmp_path / "output"
    shutil.copytree(root.parent / "old", out)
    assert tree(out) == old
    return out


def test_the_atomic_exchange_is_available_here(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    (a / "f").write_text("a"), (b / "f").write_text("b")
    assert exchange(a, b)  # renameat2(RENAME_EXCHANGE) on this Linux file system
    assert (a / "f").read_text() == "b" and (b / "f").read_text() == "a"


@pytest.mark.parametrize("step,expect", [("before-swap", "old"), ("after-exchange", "new"), ("after-aside", "new")])
def test_a_kill_at_any_step_of_the_exchange_leaves_a_complete_site(sites, tmp_path: Path, step: str,
                                                                   expect: str) -> None:
    root, old, new = sites
    out = _fresh_old(sites, tmp_path)
    proc = run_build(root, out, "2026-11-02", ISOREADY_FAULT=step)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert tree(out) == (old if expect == "old" else new)
    assert verify(out) == []
    assert main(["clean", "--root", str(root), "--output", str(out)]) == 0  # removes the site and every leftover
    assert not out.exists() and not list(tmp_path.glob(".output-*"))


def test_the_fallback_window_is_recovered_by_clean_never_deleted(sites, tmp_path: Path, capsys) -> None:
    root, old, _new = sites
    out = _fresh_old(sites, tmp_path)
    proc = run_build(root, out, "2026-11-02", ISOREADY_FAULT="between-renames", ISOREADY_NO_EXCHANGE="1")
    assert proc.returncode == -signal.SIGKILL
    assert not out.exists()  # the window of two renames: the previous site is aside, complete
    aside = list(tmp_path.glob(".output-old-*"))
    assert len(aside) == 1 and tree(aside[0]) == old
    assert main(["clean", "--root", str(root), "--output", str(out)]) == 0
    assert "recovered the previous site from .output-old-" in capsys.readouterr().out
    assert tree(out) == old  # the only copy was put back, not deleted
    assert verify(out) == []


def test_the_next_build_recovers_the_fallback_window_too(sites, tmp_path: Path) -> None:
    root, _old, new = sites
    out = _fresh_old(sites, tmp_path)
    assert run_build(root, out, "2026-11-02", ISOREADY_FAULT="between-renames",
                     ISOREADY_NO_EXCHANGE="1").returncode == -signal.SIGKILL
    proc = run_build(root, out, "2026-11-02", ISOREADY_NO_EXCHANGE="1")
    assert proc.returncode == 0, proc.stderr
    assert "recovered the previous site from .output-old-" in proc.stderr
    assert tree(out) == new and not list(tmp_path.glob(".output-old-*"))


@pytest.mark.parametrize("step,expect", [("before-swap", "old"), ("after-renames", "new")])
def test_fallback_kills_outside_the_window_leave_a_site(sites, tmp_path: Path, step: str, expect: str) -> None:
    root, old, new = sites
    out = _fresh_old(sites, tmp_path)
    assert run_build(root, out, "2026-11-02", ISOREADY_FAULT=step,
                     ISOREADY_NO_EXCHANGE="1").returncode == -signal.SIGKILL
    assert tree(out) == (old if expect == "old" else new)


def test_an_error_during_the_swap_keeps_the_old_site(tmp_path: Path, monkeypatch) -> None:
    out, new = tmp_path / "output", tmp_path / ".output-build-x"
    out.mkdir(), new.mkdir()
    (out / "index.html").write_text("old"), (new / "index.html").write_text("new")

    def boom(a, b):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr("isoready.package.build.exchange", boom)
    with pytest.raises(OSError):
        swap_in(new, out)
    assert (out / "index.html").read_text() == "old"


def test_an_incomplete_folder_aside_is_never_restored(sites, tmp_path: Path) -> None:
    root, _old, _new = sites
    out = tmp_path / "output"
    half = tmp_path / ".output-old-1-2"
    half.mkdir()
    (half / "manifest.json").write_text('{"generator": "isoready", "files": [{"path": "index.html"}]}')
    assert main(["clean", "--root", str(root), "--output", str(out)]) == 0
    assert not out.exists()  # a site missing files listed in its manifest is not a previous site


def test_a_page_edited_in_place_keeping_size_and_mtime_is_never_reused(minimal_project: Path, tmp_path: Path) -> None:
    """Trust by content: the next build renders the page again instead of carrying the edit forward."""
    from datetime import date

    from isoready.read.options import Options
    from isoready.package.build import build

    opts = Options(root=minimal_project, as_of=date(2026, 11, 1), output=tmp_path / "site", commit="abc")
    assert build(opts).ok
    page = tmp_path / "site" / "clauses.html"
    original = page.read_bytes()
    st = page.stat()
    tampered = original.replace(b"<h1", b"<H1", 1)
    assert tampered != original and len(tampered) == len(original)
    page.write_bytes(tampered)
    os.utime(page, ns=(st.st_atime_ns, st.st_mtime_ns))  # same size, same mtime
    again = build(opts)
    assert again.ok and again.reused > 5  # the rest was reused
    assert page.read_bytes() == original
    assert verify(tmp_path / "site") == []
