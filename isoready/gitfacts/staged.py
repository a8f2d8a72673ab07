"""``validate --staged``: the project as git's index holds it, the tree the next commit records.

The pre-commit hook checks what is being committed, not the working tree: a fix made only in the working
tree, a file never ``git add``-ed, or a broken edit left unstaged must not change its verdict. The index
(``GIT_INDEX_FILE`` when git sets one, as ``git commit -a`` and ``git commit PATH`` do) is checked out with
``git checkout-index`` into a new temporary folder outside the repository, which is validated and then
deleted. The user's working tree and index are never touched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from isoready.core.errors import UsageError
from isoready.gitfacts import gitdata


def _git(root: Path, *args: str, data: bytes | None = None) -> bytes:
    try:
        proc = subprocess.run(["git", *args], cwd=root, env=gitdata.git_env(staged=True), input=data,
                              capture_output=True, check=False)
    except OSError as exc:
        raise UsageError(f"--staged needs git, which could not be run: {exc.strerror or exc}")
    if proc.returncode != 0:
        message = (proc.stderr.decode("utf-8", "replace").strip().splitlines() or ["failed"])[-1]
        raise UsageError(f"--staged: git {args[0]}: {message}")
    return proc.stdout


@contextmanager
def staged_tree(root: Path) -> Iterator[Path]:
    """A temporary folder holding the project folder ``root`` as git's index holds it; deleted afterwards."""
    try:
        inside = _git(root, "rev-parse", "--is-inside-work-tree").strip() == b"true"
    except UsageError:
        inside = False
    if not inside:
        raise UsageError(f"--staged validates what git has staged, but {root} is not inside a git working tree")
    top = Path(os.fsdecode(_git(root, "rev-parse", "--show-toplevel").rstrip(b"\n")))
    prefix = os.fsdecode(_git(root, "rev-parse", "--show-prefix").rstrip(b"\n"))  # '' or 'sub/dir/'
    paths = _git(top, "ls-files", "-z", "--cached", "--full-name", "--", f":(top){prefix}" if prefix else ":/")
    tmp = Path(tempfile.mkdtemp(prefix="isoready-staged-"))
    try:
        _git(top, "checkout-index", "-z", "--stdin", f"--prefix={tmp}{os.sep}", data=paths)
        tree = tmp / prefix
        tree.mkdir(parents=True, exist_ok=True)  # nothing staged under it yet
        yield tree
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
