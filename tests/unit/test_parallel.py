"""parallel.pmap: the same results in one process or many, every fallback, and the reader using it."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import threading
from datetime import date
from pathlib import Path

import pytest

from isoready.core import parallel
from isoready.read import reader
from isoready.read.catalog import load_catalog
from isoready.validate.project import read_project

MINIMAL = Path(__file__).parents[1] / "fixtures" / "minimal"
needs_fork = pytest.mark.skipif(not parallel.can_fork(), reason="this platform cannot fork")


def square_with_pid(x: int) -> tuple[int, int]:
    return x * x, os.getpid()


def through_shared(x: int) -> int:
    state = parallel.shared()
    with state["lock"]:  # a lock cannot be pickled: it reached the worker through the fork
        return state["table"][x]


def test_workers_one_runs_in_this_process(monkeypatch) -> None:
    monkeypatch.setenv("ISOREADY_WORKERS", "1")
    out = parallel.pmap(square_with_pid, range(50), min_parallel=0)
    assert [r for r, _ in out] == [x * x for x in range(50)]
    assert {pid for _, pid in out} == {os.getpid()}


@needs_fork
@pytest.mark.parametrize("chunk", [None, 3])
def test_parallel_gives_the_same_results_in_order(monkeypatch, chunk) -> None:
    monkeypatch.setenv("ISOREADY_WORKERS", "3")
    out = parallel.pmap(square_with_pid, list(range(40)), min_parallel=10, chunk=chunk)
    assert [r for r, _ in out] == [x * x for x in range(40)]
    assert len({pid for _, pid in out} - {os.getpid()}) >= 1  # other processes did some of the work


def test_below_min_parallel_stays_in_process(monkeypatch) -> None:
    monkeypatch.setenv("ISOREADY_WORKERS", "4")
    out = parallel.pmap(square_with_pid, range(20), min_parallel=21)
    assert {pid for _, pid in out} == {os.getpid()}


@needs_fork
def test_env_lowers_the_threshold(monkeypatch) -> None:
    monkeypatch.setenv("ISOREADY_WORKERS", "2")
    monkeypatch.setenv("ISOREADY_PARALLEL_MIN", "2")
    out = parallel.pmap(square_with_pid, range(20), min_parallel=10_000)
    assert len({pid for _, pid in out}) == 2


@needs_fork
def test_shared_state_is_not_pickled(monkeypatch) -> None:
    monkeypatch.setenv("ISOREADY_WORKERS", "2")
    state = {"lock": threading.Lock(), "table": {i: -i for i in range(30)}}
    assert parallel.pmap(through_shared, range(30), shared=state) == [-i for i in range(30)]
    assert parallel.shared() is None  # cleared after the call


def test_without_fork_runs_in_process(monkeypatch) -> None:
    monkeypatch.setenv("ISOREADY_WORKERS", "4")
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    out = parallel.pmap(square_with_pid, range(30))
    assert [r for r, _ in out] == [x * x for x in range(30)] and {pid for _, pid in out} == {os.getpid()}


def test_a_pool_that_cannot_start_falls_back(monkeypatch) -> None:
    class NoPool:
        def Pool(self, *args, **kwargs):
            raise OSError(38, "Function not implemented")

    monkeypatch.setenv("ISOREADY_WORKERS", "4")
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["fork"])
    monkeypatch.setattr(multiprocessing, "get_context", lambda method: NoPool())
    out = parallel.pmap(square_with_pid, range(30))
    assert [r for r, _ in out] == [x * x for x in range(30)] and {pid for _, pid in out} == {os.getpid()}


def boom(x: int) -> int:
    if x == 17:
        raise ValueError("seventeen")
    return x


@needs_fork
def test_errors_in_workers_reach_the_caller(monkeypatch) -> None:
    monkeypatch.setenv("ISOREADY_WORKERS", "3")
    with pytest.raises(ValueError, match="seventeen"):
        parallel.pmap(boom, range(30))


@pytest.mark.parametrize("value, expected", [("1", 1), ("3", 3), ("0", 1), ("", None), ("lots", None),
                                             ("\u0663", None)])
def test_workers_setting(monkeypatch, value, expected) -> None:
    monkeypatch.setenv("ISOREADY_WORKERS", value)
    assert parallel.workers() == (expected if expected is not None else parallel.workers())
    assert 1 <= parallel.workers() <= 256


# --------------------------------------------------------------------------- the reader uses it


def big_project(tmp_path: Path) -> Path:
    """The minimal fixture plus 120 evidence files, some broken, some referring to documents."""
    root = tmp_path / "p"
    shutil.copytree(MINIMAL, root)
    for i in range(120):
        folder = root / "evidence" / f"bulk{i % 7}"
        folder.mkdir(exist_ok=True)
        text = f'title: Record {i}\nkind: record\nclauses: ["9.1.{1 + i % 3}"]\ndate: 2026-0{1 + i % 9}-10\n'
        if i % 10 == 0:
            text += "colour: blue\n"  # E203
        if i % 15 == 0:
            (folder / f"doc{i}.pdf").write_bytes(b"%PDF-1.4 " + bytes([i]))
            text += f"file: doc{i}.pdf\n"
        (folder / f"r{i}.yaml").write_text(text, encoding="utf-8")
    return root


@needs_fork
def test_serial_and_parallel_reading_agree(tmp_path: Path, monkeypatch) -> None:
    root = big_project(tmp_path)
    pids = tmp_path / "pids"
    job = reader._evidence_job

    def spy(path):
        with open(pids, "a", encoding="utf-8") as fh:
            fh.write(f"{os.getpid()}\n")
        return job(path)

    monkeypatch.setattr(reader, "_evidence_job", spy)
    monkeypatch.setattr(reader, "PARALLEL_FILES", 10)  # 125 files: above the threshold
    results = {}
    for n in ("1", "4"):
        monkeypatch.setenv("ISOREADY_WORKERS", n)
        pids.write_text("")
        known: dict = {}
        project, diags = read_project(root, load_catalog(), date(2026, 11, 1), known=known)
        used = set(pids.read_text().split())
        assert len(used) == (1 if n == "1" else 4), used
        results[n] = (project, diags, {k: v[:2] for k, v in known.items()})
    assert results["1"] == results["4"]
    project, diags, known = results["1"]
    assert len(project.evidence) == 126 and len(known) == 125  # 125 files (one holds two records)
    assert sum(d.code == "E203" for d in diags) == 12


# --------------------------------------------------------------------------- Background (the exports beside the pages)


def _pid_and(value: int) -> tuple[int, int]:
    return os.getpid(), value


def _fails() -> None:
    raise ValueError("export broke: checklist.xlsx")


@needs_fork
def test_background_runs_in_another_process_and_returns_its_result(monkeypatch) -> None:
    monkeypatch.setenv("ISOREADY_WORKERS", "2")
    job = parallel.Background(lambda: _pid_and(41 + 1))
    pid, value = job.result()
    assert value == 42 and pid != os.getpid()


def test_background_with_one_worker_runs_here_when_asked(monkeypatch) -> None:
    monkeypatch.setenv("ISOREADY_WORKERS", "1")
    calls = []
    job = parallel.Background(lambda: calls.append(1) or _pid_and(7))
    assert calls == []  # nothing ran yet: the serial fallback runs it in result()
    assert job.result() == (os.getpid(), 7) and calls == [1]


@needs_fork
@pytest.mark.parametrize("workers", ["1", "2"])
def test_background_errors_reach_the_caller(monkeypatch, workers) -> None:
    monkeypatch.setenv("ISOREADY_WORKERS", workers)
    with pytest.raises(ValueError, match="export broke: checklist.xlsx"):
        parallel.Background(_fails).result()


@needs_fork
def test_a_cancelled_background_job_leaves_no_process(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ISOREADY_WORKERS", "2")
    marker = tmp_path / "done"

    def slow() -> None:
        import time

        time.sleep(30)
        marker.write_text("finished")

    job = parallel.Background(slow)
    proc = job._proc
    assert proc is not None and proc.is_alive()
    job.cancel()
    assert not proc.is_alive() and not marker.exists()
    assert multiprocessing.active_children() == []


# A Ctrl+C in a terminal reaches every process of the group. One that lands while a process forks runs inside
# Python's at-fork hooks (logging registers one), where an exception is only printed ("Exception ignored in")
# and the interrupt is lost: the build went on and exited 0, and the child printed a traceback. These programs
# send the signal from an at-fork hook, so it lands exactly there, every time. They start with Ctrl+C handled as
# Python does from a terminal: a test run started as a background job inherits it ignored.
CTRL_C_IN_FORK = """
import os, signal, sys
signal.signal(signal.SIGINT, signal.default_int_handler)  # as a terminal starts it (a background job ignores it)
from isoready.core import parallel
os.environ["ISOREADY_WORKERS"] = "2"
os.register_at_fork(after_in_parent=lambda: os.kill(os.getpid(), signal.SIGINT) if {parent} else None,
                    after_in_child=lambda: os.kill(os.getpid(), signal.SIGINT) if {child} else None)
try:
    {call}
except KeyboardInterrupt:
    print("interrupted")
    sys.exit(130)
print("finished")
"""
PMAP = "parallel.pmap(abs, list(range(40)), chunk=5)"
BACKGROUND = "parallel.Background(lambda: 1).result()"


@needs_fork
@pytest.mark.parametrize("call", [PMAP, BACKGROUND], ids=["pool", "background"])
def test_ctrl_c_while_forking_interrupts_the_parent_and_no_child_prints(call: str) -> None:
    import subprocess
    import sys

    program = CTRL_C_IN_FORK.format(parent=True, child=True, call=call)
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])})
    assert (done.returncode, done.stdout) == (130, "interrupted\n"), done.stderr
    assert done.stderr == ""  # no "Exception ignored", no traceback from a worker


@needs_fork
@pytest.mark.parametrize("call", [PMAP, BACKGROUND], ids=["pool", "background"])
def test_ctrl_c_reaching_only_the_children_while_forking_changes_nothing(call: str) -> None:
    import subprocess
    import sys

    program = CTRL_C_IN_FORK.format(parent=False, child=True, call=call)
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])})
    assert (done.returncode, done.stdout, done.stderr) == (0, "finished\n", "")


def _niceness(_: object) -> int:
    return os.nice(0)


def test_page_workers_yield_to_the_build_s_own_processes(monkeypatch) -> None:
    """The render pool's workers run at RENDER_NICE above the build, so the workbook's process (a Background,
    at the build's own priority) keeps a whole core while they render; other pools and Background processes
    keep the build's priority."""
    from isoready.render.pages import RENDER_NICE, parallel_map

    monkeypatch.setenv("ISOREADY_WORKERS", "2")
    mine = os.nice(0)
    assert RENDER_NICE > 0
    pages = parallel_map(lambda bounds: [os.nice(0) for _ in range(*bounds)], 200, min_items=2)
    assert set(pages) == {min(mine + RENDER_NICE, 19)}
    assert set(parallel.pmap(_niceness, list(range(40)), min_parallel=2, chunk=5)) == {mine}
    assert parallel.Background(lambda: os.nice(0)).result() == mine
