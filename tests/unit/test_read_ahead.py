"""Issue 23, the cold build: while ``isoready build`` imports and sets up, another process parses the evidence
files (``reader.read_ahead`` in a ``parallel.Ahead``); what it made joins the build cache's per-file results,
each used only for the same bytes. A file changed after it was parsed ahead is parsed again; a failure of the
process ahead costs nothing but the time."""

from __future__ import annotations

import functools
import time
from datetime import date
from pathlib import Path

import pytest

from isoready.core.parallel import Ahead
from isoready.package.build import build
from isoready.read.catalog import load_catalog
from isoready.read.options import Options
from isoready.read.reader import read_ahead


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _opts(root: Path, out: Path, **extra) -> Options:
    return Options(root=root, as_of=date(2026, 12, 6), output=out, commit="test", **extra)


def _counting(n: int, put, stopping) -> None:
    for i in range(n):
        if stopping():
            return
        put(i)
        time.sleep(0.001)


def test_ahead_hands_back_what_it_made_in_order_and_stops_when_asked(monkeypatch):
    monkeypatch.setenv("ISOREADY_WORKERS", "2")
    all_done = Ahead(functools.partial(_counting, 20))
    time.sleep(0.5)
    assert all_done.stop() == list(range(20))
    stopped = Ahead(functools.partial(_counting, 100_000))
    time.sleep(0.2)
    made = stopped.stop()
    assert 0 < len(made) < 100_000 and made == list(range(len(made)))


def _fails(put, stopping) -> None:
    put("one")
    raise ValueError("a hostile file")


def test_ahead_that_fails_or_cannot_fork_hands_back_nothing(monkeypatch):
    monkeypatch.setenv("ISOREADY_WORKERS", "2")
    assert Ahead(_fails).stop() == []
    monkeypatch.setenv("ISOREADY_WORKERS", "1")  # no process: the caller does all the work
    assert Ahead(functools.partial(_counting, 5)).stop() == []


def _ahead_of(project: Path) -> Ahead:
    return Ahead(functools.partial(read_ahead, project, load_catalog(), 1 << 20, 1 << 20))


def test_a_build_with_its_files_parsed_ahead_equals_one_without(minimal_project: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("ISOREADY_WORKERS", "2")
    plain = build(_opts(minimal_project, tmp_path / "plain", use_cache=False))
    assert plain.ok
    seen: list = []
    ahead = _ahead_of(minimal_project)
    stop = ahead.stop
    monkeypatch.setattr(ahead, "stop", lambda: seen.extend(stop()) or list(seen))
    time.sleep(1.0)
    result = build(_opts(minimal_project, tmp_path / "ahead"), ahead=ahead)
    assert result.ok
    yaml_files = sorted(p.relative_to(minimal_project).as_posix()
                        for p in (minimal_project / "evidence").rglob("*.yaml"))
    assert sorted(rel for rel, _entry in seen) == yaml_files  # every one parsed ahead, in its own process
    assert tree(tmp_path / "ahead") == tree(tmp_path / "plain")


def test_a_file_changed_after_it_was_parsed_ahead_is_parsed_again(minimal_project: Path, tmp_path: Path,
                                                                   monkeypatch):
    """The entry made ahead is for the bytes read then: the build reads the file itself, finds other bytes,
    and parses them; the site is the one a cold build of the changed project makes."""
    monkeypatch.setenv("ISOREADY_WORKERS", "2")
    ahead = _ahead_of(minimal_project)
    time.sleep(1.0)  # every file parsed ahead
    record = minimal_project / "evidence" / "operation" / "suppliers.yaml"
    record.write_text(record.read_text(encoding="utf-8").replace("title: ", "title: Changed "), encoding="utf-8")
    result = build(_opts(minimal_project, tmp_path / "ahead"), ahead=ahead)
    assert result.ok
    assert b"Changed " in (tmp_path / "ahead" / "readiness.json").read_bytes()
    cold = build(_opts(minimal_project, tmp_path / "cold", use_cache=False))
    assert tree(tmp_path / "ahead") == tree(tmp_path / "cold")


@pytest.mark.parametrize("cache", ["none saved", "--no-cache", "saved"])
def test_the_command_parses_ahead_only_when_the_build_will_parse_every_file(minimal_project: Path, tmp_path: Path,
                                                                            monkeypatch, cache):
    from isoready import cli
    from isoready.package import build as package_build

    monkeypatch.setenv("ISOREADY_WORKERS", "2")
    args = ["build", "--root", str(minimal_project), "--as-of", "2026-12-06", "--output", str(tmp_path / "out")]
    if cache != "none saved":
        assert cli.main(args) == 0
        (minimal_project / "evidence" / "added.yaml").write_text(
            'title: Added record\nkind: record\nclauses: ["7.2"]\ndate: 2026-10-01\n', encoding="utf-8")
    handed: list = []
    real = package_build.build
    monkeypatch.setattr(package_build, "build", lambda opts, **kw: (handed.append(kw.get("ahead")), real(opts, **kw))[1])
    assert cli.main(args + (["--no-cache"] if cache == "--no-cache" else [])) == 0
    assert (handed[0] is not None) == (cache != "saved")
