"""One parallel map for the whole tool, with a serial fallback.

``pmap(func, items)`` returns ``[func(x) for x in items]``, in order. When there are enough items and the
machine allows it, the work is spread over forked worker processes:

- ``ISOREADY_WORKERS=1`` (or one usable core) runs everything in this process;
- so does a platform without ``fork`` (Windows, macOS defaults aside), a call made from inside a worker,
  or a pool that cannot be started (no semaphores, process limits);
- ``shared=`` hands large read-only state (view-models, templates, a catalog) to the workers through
  the fork itself, without pickling: ``func`` reads it with ``parallel.shared()``, in the serial case too;
- only index ranges go to the workers and only results come back through a pipe;
- workers ignore Ctrl+C, so an interrupt is one ``KeyboardInterrupt`` in the parent, never a traceback per
  worker. Ctrl+C is held (blocked, not lost) in the parent while it forks: a terminal's Ctrl+C reaches every
  process of the group, and one that lands inside a fork runs Python's at-fork hooks (``logging`` has one),
  where an exception is only printed ("Exception ignored in ...") and the interrupt is lost: the parent
  then finished the build and exited 0, and the child printed a traceback. A child is born with Ctrl+C
  blocked, ignores it, then unblocks it; the parent unblocks it after the fork and gets it then.

``ISOREADY_PARALLEL_MIN`` overrides every caller's ``min_parallel`` (tests use it to force the parallel path
on small inputs).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from contextlib import contextmanager
from typing import Any, Callable, Optional, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MAX_WORKERS = 8

# The job of the pmap call in progress: set before forking, so workers inherit it without pickling.
_JOB: list[tuple[Callable[[Any], Any], Sequence[Any], Any]] = []


def workers() -> int:
    """Processes to use: ISOREADY_WORKERS, else the cores this process may run on (at most 8)."""
    env = os.environ.get("ISOREADY_WORKERS", "").strip()
    if env.isascii() and env.isdigit():
        return max(1, min(int(env), 256))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(cores, MAX_WORKERS))


def shared() -> Any:
    """The ``shared=`` value of the pmap call that is running ``func`` (None outside any)."""
    return _JOB[-1][2] if _JOB else None


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods() and not multiprocessing.current_process().daemon


def _min_parallel(default: int) -> int:
    env = os.environ.get("ISOREADY_PARALLEL_MIN", "").strip()
    return int(env) if env.isascii() and env.isdigit() and len(env) < 10 else default


def _run_range(bounds: tuple[int, int]) -> list[Any]:
    func, items, _ = _JOB[-1]
    return [func(item) for item in items[bounds[0]:bounds[1]]]


def _quiet_worker() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl+C and ends the pool
    if hasattr(signal, "pthread_sigmask"):  # born with it held by _forking(): a pending one is now discarded
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


@contextmanager
def _forking() -> Any:
    """Hold Ctrl+C in this thread while processes are forked (see the module's docstring); a Ctrl+C that
    came meanwhile is delivered when the block ends, as a ``KeyboardInterrupt`` in ordinary code."""
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _pool_worker(nice: int) -> None:
    _quiet_worker()
    if nice:
        try:
            os.nice(nice)
        except OSError:  # not allowed here: the work is the same, only its share of the cores is not
            pass


def pmap(func: Callable[[T], R], items: Sequence[T], *, min_parallel: int = 0, chunk: Optional[int] = None,
         shared: Any = None, n_workers: Optional[int] = None, nice: int = 0) -> list[R]:
    """``[func(x) for x in items]``, in parallel when ``len(items) >= min_parallel`` and forking is possible.

    ``chunk=None`` splits the items into one equal share per worker and the calling process works on the
    first share itself (one process fewer to start: right for even work such as parsing files). A
    ``chunk`` size hands out ranges of that many items to ``n_workers`` workers as they become free (right
    for uneven work such as pages). ``func`` must be a module-level function or a closure: with fork it
    is inherited, never pickled. Exceptions raised by ``func`` reach the caller. ``nice``: the workers' niceness
    (``os.nice``), so that a longer job running meanwhile in a process of its own (a ``Background``: the build's
    workbook) keeps a whole core and ends with them, not after them on one core.
    """
    items = items if isinstance(items, (list, tuple)) else list(items)
    n = n_workers or workers()
    _JOB.append((func, items, shared))
    try:
        if n <= 1 or not items or len(items) < max(1, _min_parallel(min_parallel)) or not can_fork():
            return _run_range((0, len(items)))
        size = chunk if chunk else -(-len(items) // n)
        ranges = [(i, min(i + size, len(items))) for i in range(0, len(items), size)]
        if len(ranges) < 2:
            return _run_range((0, len(items)))
        pool = None
        try:
            with _forking():
                pool = multiprocessing.get_context("fork").Pool(n if chunk else min(n, len(ranges)) - 1,
                                                               initializer=_pool_worker, initargs=(nice,))
        except OSError:  # no semaphores, or process limits: do the work here
            return _run_range((0, len(items)))
        except BaseException:  # Ctrl+C, delivered as the hold ended: no worker may outlive it
            if pool is not None:
                pool.terminate()
            raise
        with pool:
            if chunk:
                return [r for part in pool.imap(_run_range, ranges) for r in part]
            pending = pool.map_async(_run_range, ranges[1:])
            mine = _run_range(ranges[0])
            return mine + [r for part in pending.get() for r in part]
    finally:
        _JOB.pop()


class _Forked:
    """One process ``_started`` made (``_proc``) and the end of its pipe (``_recv``); (None, None) when there is
    none. ``cancel()`` ends the process (an interrupted or failed build)."""

    _proc: Any
    _recv: Any

    def cancel(self) -> None:
        if self._proc is not None:
            self._proc.terminate()
            self._proc.join()
            self._recv.close()
            self._proc = None


class Background(_Forked):
    """``func()`` started now in one forked process, its result collected by ``result()``: work that needs
    nothing from what the caller does meanwhile (the exports, while the pages render) uses the core the
    caller would leave idle waiting for its pool. Serial fallback as for ``pmap``: with one worker, no fork,
    or no process to be had, ``func`` runs in this process when ``result()`` is called. Exceptions raised by
    ``func`` reach the caller of ``result()``; ``cancel()`` ends the process (an interrupted or failed build).
    """

    def __init__(self, func: Callable[[], R]):
        self._func = func
        self._proc, self._recv = _started(_background, func)  # (None, None): run it in result()

    def result(self) -> Any:
        if self._proc is None:
            return self._func()
        try:
            ok, value = self._recv.recv()
        except EOFError:
            self._proc.join()
            raise RuntimeError(f"a background worker ended without a result (exit code {self._proc.exitcode})")
        finally:
            self._recv.close()
        self._proc.join()
        self._proc = None
        if not ok:
            raise value
        return value


def _started(target: Callable[..., None], *args: Any) -> tuple[Any, Any]:
    """``target(*args, send)`` in one forked daemon process, and the end of its pipe to read from; (None, None)
    with one worker, without fork, or with no process to be had. Ctrl+C is held while it forks (``_forking``);
    one delivered as the hold ends ends the process before it reaches the caller."""
    if workers() <= 1 or not can_fork():
        return None, None
    ctx = multiprocessing.get_context("fork")
    proc = None
    try:
        recv, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=target, args=(*args, send), daemon=True)
        with _forking():
            proc.start()
    except OSError:
        return None, None
    except BaseException:
        if proc is not None and proc.pid is not None:
            proc.terminate()
            proc.join()
        raise
    send.close()
    return proc, recv


def _background(func: Callable[[], Any], send: Any) -> None:
    _quiet_worker()
    try:
        message: tuple[bool, Any] = (True, func())
    except BaseException as exc:  # noqa: BLE001 (handed to the parent, which raises it)
        message = (False, exc)
    try:
        send.send(message)
    except Exception as exc:  # noqa: BLE001 (an exception that cannot be pickled: its words)
        send.send((False, RuntimeError(f"{type(message[1]).__name__}: {message[1]}"[:2000] or str(exc))))
    send.close()


class Ahead(_Forked):
    """``produce(put, stopping)`` started now in one forked process, to do work ahead of the caller while the
    caller does something else (a build imports and sets up while its evidence files are read): ``produce``
    calls ``put(item)`` for each item it makes, and stops when ``stopping()`` is true. ``stop()`` asks it to stop
    after the item in hand and returns every item it put, in order (each pickled when it was made, so the caller
    waits only for the transfer). ``[]`` with one worker, without fork, or when ``produce`` failed: the caller
    then does all the work itself, as it would have. ``cancel()`` ends the process."""

    def __init__(self, produce: Callable[[Callable[[Any], None], Callable[[], bool]], None]):
        self._stop: Any = multiprocessing.get_context("fork").Event() if workers() > 1 and can_fork() else None
        self._proc, self._recv = _started(_ahead, produce, self._stop)  # (None, None): the caller does the work

    def stop(self) -> list:
        if self._proc is None:
            return []
        import pickle

        self._stop.set()
        try:
            ok, made = self._recv.recv()
        except (EOFError, OSError):  # it ended without a word (killed): nothing made ahead
            ok, made = False, None
        finally:
            self._recv.close()
        self._proc.join()
        self._proc = None
        return [pickle.loads(item) for item in made] if ok else []


def _ahead(produce: Callable[[Callable[[Any], None], Callable[[], bool]], None], stop: Any, send: Any) -> None:
    import pickle

    _quiet_worker()
    made: list[bytes] = []
    try:
        produce(lambda item: made.append(pickle.dumps(item, pickle.HIGHEST_PROTOCOL)), stop.is_set)
        message: tuple[bool, Any] = (True, made)
    except BaseException:  # noqa: BLE001 (nothing made ahead: the caller does the work, and meets the problem)
        message = (False, None)
    try:
        send.send(message)
    finally:
        send.close()


__all__ = ["pmap", "shared", "workers", "can_fork", "Background", "Ahead"]
