"""The evidence documents copied into a site: thousands of small files, so one pass of plain system calls
(each folder made once, each file opened, sent and closed), with the writer's guards (``render.pages.write_bytes``):
the planned path only, never through a symlink, never over a file already written."""

from __future__ import annotations

import errno
import os
import shutil
import stat
import sys
from pathlib import Path
from typing import Sequence

from isoready.render.pages import WriteRefused, unsafe_path

_FLAGS = getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | _FLAGS
_SOURCE = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | _FLAGS  # a FIFO is refused, not waited on
#: sendfile between two files: Linux (macOS sends to sockets only); these errors mean "not for these files"
_SENDFILE = sys.platform.startswith("linux") and hasattr(os, "sendfile")
_NO_SENDFILE = (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP)


def copy_documents(source_root: Path, out: Path, pairs: Sequence[tuple[str, str]]) -> None:
    """Copy each (source under ``source_root``, path in the site) into ``out``: the bytes unchanged, no metadata,
    a new file with the mode of every file of the site. Each folder is made (or checked: a folder, not a
    symlink) once; a path outside ``out``, through a symlink, or already written is refused (``WriteRefused``),
    as ``write_bytes`` refuses it. A source that is gone raises ``FileNotFoundError``; one that is no longer a
    regular file (a FIFO, a folder), ``shutil.SpecialFileError``."""
    base = os.path.realpath(out)
    made: set[str] = set()
    for source, rel in pairs:
        why = unsafe_path(rel)
        if why:
            raise WriteRefused(rel, why)
        parts = rel.split("/")
        folder = os.path.join(base, *parts[:-1])
        if folder not in made:
            _make_folder(base, parts[:-1], made, rel)
        _copy_file(os.path.join(source_root, source), os.path.join(folder, rel.rpartition("/")[2]), rel)


def _make_folder(base: str, parts: Sequence[str], made: set[str], rel: str) -> None:
    """Each folder of ``parts`` under ``base``, made one level at a time (``made``: those made or checked): one
    already there must be a folder, never a symlink (that would lead outside), checked before going in."""
    path = base
    for part in parts:
        path = os.path.join(path, part)
        if path in made:
            continue
        try:
            os.mkdir(path)
        except FileExistsError:
            if not stat.S_ISDIR(os.lstat(path).st_mode):
                raise WriteRefused(rel, "it leads outside the output folder through a symlink") from None
        made.add(path)


def _copy_file(source: str, target: str, rel: str) -> None:
    src = os.open(source, _SOURCE)
    try:
        st = os.fstat(src)
        if not stat.S_ISREG(st.st_mode):
            raise shutil.SpecialFileError(f"{source} is not a regular file")
        try:
            dst = os.open(target, _NEW_FILE, 0o666)  # O_EXCL: also refuses a symlink at the name
        except FileExistsError:
            raise WriteRefused(rel, "the build has written that path already") from None
        try:
            _send(src, dst, st.st_size)
        finally:
            os.close(dst)
    finally:
        os.close(src)


def _send(src: int, dst: int, size: int) -> None:
    """All of ``src`` into ``dst``, in the kernel (``sendfile``) where it can, else through a buffer."""
    sent = None
    if _SENDFILE:
        try:
            sent = os.sendfile(dst, src, None, max(size, 1 << 20))
        except OSError as exc:
            if exc.errno not in _NO_SENDFILE:
                raise
    if sent is None:
        with open(src, "rb", closefd=False) as reader, open(dst, "wb", closefd=False) as writer:
            shutil.copyfileobj(reader, writer)
        return
    while sent:
        sent = os.sendfile(dst, src, None, 1 << 20)
