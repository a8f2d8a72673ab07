"""Which requirement installs the isoready that is running, on a machine that is not this one (a register's CI).

``init`` writes it into the register's ``requirements.txt``. PEP 610 says how a distribution was installed:
pip writes ``direct_url.json`` into its metadata for an install from a URL, a VCS or a local path, and none for
an install from a package index. So:

- no ``direct_url.json``: the index -> ``isoready==VERSION``;
- ``vcs_info``: the same repository and commit -> ``isoready @ git+URL@COMMIT``;
- ``archive_info`` with a remote URL: that archive -> ``isoready @ URL`` (with its hash when pip recorded one);
- ``dir_info`` (a local folder, editable or not), or a VCS or archive URL on this machine (``file:``): no other
  machine can reach it, so a wheel is built from it (or the wheel itself is taken) and the register carries it
  in ``vendor/``, named by a relative path in ``requirements.txt``.

A version with a local part (``0.1.0+dev``) or none (``0+unknown``: a checkout run without installing it) and
no record is refused: nothing says where CI would find that isoready (install it with pip, then run init).
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from isoready import version
from isoready.core.errors import UsageError

VENDOR = "vendor"
DIST = "isoready"

#: what a source tree of isoready needs to build its wheel (pyproject.toml names the readme and the package)
SOURCE_FILES = ("pyproject.toml", "README.md")
PACKAGE = "isoready"


@dataclass(frozen=True)
class Requirement:
    """The line for requirements.txt, what kind it is, why (for the file's comment and the printed step), and
    the wheel to put beside it (``vendor/NAME.whl`` -> bytes) when the line names one."""

    kind: str  # "index", "vcs", "url" or "wheel"
    line: str
    comment: str
    wheel: Optional[tuple[str, bytes]] = None


def install_record() -> Optional[dict]:
    """The running isoready's ``direct_url.json`` (PEP 610) as data; None when it has none (an index install)
    or is not installed at all."""
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        text = distribution(DIST).read_text("direct_url.json")
    except PackageNotFoundError:
        return None
    if not text:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def is_release(v: str) -> bool:
    """A version an index can hold as it is: no local part (``+...``) and not ``0+unknown``."""
    return bool(v) and v[0].isdigit() and "+" not in v


def _local_path(url: str) -> Optional[Path]:
    parts = urlsplit(url)
    if parts.scheme != "file":
        return None
    return Path(url2pathname(unquote(parts.path)))


@functools.lru_cache(maxsize=2)  # a process builds one wheel (the running isoready); each is megabytes
def build_wheel(source: str) -> tuple[str, bytes]:
    """``pip wheel`` of ``source`` (a folder of isoready's source, or a pip requirement such as
    ``isoready @ git+file:///...@COMMIT``) -> (file name, bytes). A folder is copied first (its
    pyproject.toml, README.md and the package), so the build neither writes into the user's checkout nor
    picks up a stale ``build/`` there. Built once per process."""
    with tempfile.TemporaryDirectory(prefix="isoready-wheel-") as tmp:
        spec = source
        folder = Path(source)
        if not source.startswith(f"{DIST} @") and folder.is_dir():
            copy = Path(tmp) / "source"
            copy.mkdir()
            for name in SOURCE_FILES:
                if not (folder / name).is_file():
                    raise UsageError(f"{folder} has no {name}, so no wheel of isoready can be built from it; "
                                     "nothing was written")
                shutil.copy(folder / name, copy / name)
            shutil.copytree(folder / PACKAGE, copy / PACKAGE,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            spec = str(copy)
        out = Path(tmp) / "wheels"
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        try:
            proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), spec],
                                  capture_output=True, text=True, timeout=600, env=env)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise UsageError(f"cannot build a wheel of isoready from {source}: {exc}; nothing was written")
        wheels = sorted(out.glob(f"{DIST}-*.whl")) if out.is_dir() else []
        if proc.returncode != 0 or len(wheels) != 1:
            last = (proc.stderr.strip().splitlines() or ["pip wheel failed"])[-1]
            raise UsageError(f"cannot build a wheel of isoready from {source}: {last}; nothing was written")
        return wheels[0].name, wheels[0].read_bytes()


def _vendored(name: str, data: bytes, comment: str) -> Requirement:
    rel = f"{VENDOR}/{name}"
    return Requirement("wheel", f"./{rel}", comment, (rel, data))


_READ: dict = {}  # the default of ``requirement``'s record: read it from the installed metadata


def requirement(record: Optional[dict] = _READ, running: Optional[str] = None,
                wheel: Callable[[str], tuple[str, bytes]] = build_wheel) -> Requirement:
    """The requirement that installs the running isoready elsewhere, from its PEP 610 ``record`` (read from
    the installed metadata when not given) and its version."""
    v = version() if running is None else running
    if record is _READ:
        record = install_record()
    if record is None:
        if is_release(v):
            return Requirement("index", f"{DIST}=={v}",
                               f"isoready {v} from the package index, as it was installed here.")
        raise UsageError(f"isoready {v} is on no package index and pip recorded no other source for it, so init "
                         "cannot say how CI would install it; install it with pip (from the index, git or a "
                         "folder: pip install -e /path/to/isoready) and run init again; nothing was written")
    url = str(record.get("url", ""))
    vcs = record.get("vcs_info")
    archive = record.get("archive_info")
    subdirectory = record.get("subdirectory")
    sub = f"#subdirectory={subdirectory}" if subdirectory else ""
    if isinstance(vcs, dict) and vcs.get("commit_id"):
        spec = f"{vcs.get('vcs', 'git')}+{url}@{vcs['commit_id']}{sub}"
        if _local_path(url) is None:
            return Requirement("vcs", f"{DIST} @ {spec}",
                               f"isoready from the repository and commit it was installed from here "
                               f"({vcs.get('requested_revision') or vcs['commit_id'][:12]}).")
        name, data = wheel(f"{DIST} @ {spec}")
        return _vendored(name, data, f"isoready was installed from a repository on this machine ({url}), which "
                                     f"CI cannot reach: a wheel built from commit {vcs['commit_id'][:12]}, "
                                     f"carried in {VENDOR}/ (commit it).")
    if isinstance(archive, dict):
        path = _local_path(url)
        if path is None:
            hashes = archive.get("hashes") or {}
            digest = (f"sha256={hashes['sha256']}" if isinstance(hashes, dict) and hashes.get("sha256")
                      else archive.get("hash"))
            pinned = url if "#" in url or not digest else f"{url}#{digest}"  # pip checks a hash fragment
            return Requirement("url", f"{DIST} @ {pinned}",
                               "isoready from the archive URL it was installed from here.")
        if path.suffix == ".whl" and path.is_file():
            return _vendored(path.name, path.read_bytes(), f"isoready was installed from {path}, a file on this "
                                                           f"machine: that wheel, carried in {VENDOR}/ (commit it).")
        name, data = wheel(str(path))
        return _vendored(name, data, f"isoready was installed from {path}, a file on this machine: a wheel "
                                     f"built from it, carried in {VENDOR}/ (commit it).")
    path = _local_path(url)
    if path is None:  # a dir_info with a remote URL does not occur; anything else PEP 610 did not foresee
        raise UsageError(f"isoready was installed from {url}, which init cannot name in requirements.txt; install "
                         "it with pip from the index, git or a folder and run init again; nothing was written")
    editable = isinstance(record.get("dir_info"), dict) and record["dir_info"].get("editable")
    name, data = wheel(str(path / subdirectory if subdirectory else path))
    return _vendored(name, data, f"isoready was installed from the folder {path}{' (editable)' if editable else ''}, "
                                 f"which CI cannot reach: a wheel built from it, carried in {VENDOR}/ (commit it).")
