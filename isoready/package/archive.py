"""The auditor's offline archive, and checking a site or archive against its manifest.

The archive is one zip holding the whole site (documents included) under a
single folder. Entries are sorted, stamped with the as-of date and given fixed
permissions, so the same commit and as-of date give byte-identical archives.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Optional

from isoready.package.build import MANIFEST, SUMS, BuildResult, Options, archive_name, build, site_files


ZIP_FIRST_YEAR, ZIP_LAST_YEAR = 1980, 2107


def refuse_dist(root: Path, dist: Path) -> None:
    """The archive never lands inside the project's sources or its git folder (the guard of every output)."""
    from isoready.read.options import refuse_sources

    refuse_sources(root, dist, "the archive", "--dist (default: ROOT/dist)")


def check_zip_date(stamp: tuple[int, int, int]) -> None:
    """The zip format stores years 1980..2107 only: a date outside is a usage error, never a silent clamp."""
    if not ZIP_FIRST_YEAR <= stamp[0] <= ZIP_LAST_YEAR:
        from isoready.core.errors import UsageError

        raise UsageError(f"an archive cannot be dated {stamp[0]:04d}-{stamp[1]:02d}-{stamp[2]:02d}: zip files hold "
                         f"dates from {ZIP_FIRST_YEAR} to {ZIP_LAST_YEAR}; choose an --as-of in that range")


def zip_tree(tree: Path, target: Path, folder: str, stamp: tuple[int, int, int]) -> None:
    """Write ``tree`` into ``target`` (a zip) under ``folder/``, deterministically and atomically."""
    tmp = target.with_name(f".{target.name}.part")
    check_zip_date(stamp)
    date_time = (stamp[0], stamp[1], stamp[2], 0, 0, 0)
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for rel in site_files(tree):
            info = zipfile.ZipInfo(f"{folder}/{rel}", date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3  # unix, whatever the host: the same bytes everywhere
            zf.writestr(info, (tree / rel).read_bytes())
    os.replace(tmp, target)


def make_archive(opts: Options, dist: Optional[Path] = None) -> tuple[BuildResult, Optional[Path]]:
    """Build the site for the archive's audience in a temporary folder and zip it into dist/."""
    dist = dist or opts.root / "dist"
    refuse_dist(opts.root, dist)
    check_zip_date((opts.as_of.year, opts.as_of.month, opts.as_of.day))  # before any build work
    work = Path(tempfile.mkdtemp(prefix="isoready-archive-"))
    try:
        from isoready.package.pdf import find_chromium, render_with_report

        # the readiness report as PDF rides along when a browser can print it (isoready report needs one)
        render = render_with_report() if find_chromium() else None
        result = build(replace(opts, output=work / "site", use_cache=False), render=render)
        if not result.ok or result.site is None:
            return result, None
        name = archive_name(result.site.organisation, result.site.as_of, result.site.audience)
        dist.mkdir(parents=True, exist_ok=True)
        target = dist / f"{name}.zip"
        zip_tree(work / "site", target, name, (opts.as_of.year, opts.as_of.month, opts.as_of.day))
        return result, target
    finally:
        shutil.rmtree(work, ignore_errors=True)


@dataclass(frozen=True)
class Problem:
    path: str
    message: str


#: manifest.json and SHA256SUMS are read whole, so they are bounded (a site of 200,000 files fits)
MAX_INDEX_BYTES = 64 * 1024 * 1024
_CHUNK = 1024 * 1024
_HEX = re.compile(r"[0-9a-f]{64}")


def verify(path: Path) -> list[Problem]:
    """Check a site folder or an archive against its manifest.json and SHA256SUMS, strictly.

    Every file must be a regular file listed in the manifest with its size and SHA-256; SHA256SUMS must
    list exactly the same files and hashes. An archive must hold one folder of plain members: duplicate
    names, absolute or ``..`` paths, links and anything outside that folder are refused before any member is
    read. Members are streamed and never read beyond the size the manifest gives them (a zip bomb costs
    nothing); special files (FIFOs, devices, sockets, symlinks) in a folder are reported, never opened.
    """
    try:
        st = os.lstat(path)
    except OSError as e:
        return [Problem(str(path), f"cannot be read: {e.strerror}")]
    import stat as _stat

    if _stat.S_ISREG(st.st_mode):
        try:
            if zipfile.is_zipfile(path):
                with zipfile.ZipFile(path) as zf:
                    return _verify_zip(zf)
        except (OSError, zipfile.BadZipFile, ValueError, NotImplementedError, RuntimeError, EOFError) as e:
            return [Problem(str(path), f"not a readable zip archive ({e})")]
    elif _stat.S_ISDIR(st.st_mode):
        return _verify_dir(path)
    return [Problem(str(path), "not a site folder or zip archive")]


class _Source:
    """Where the files come from: a folder or a zip archive (``open`` gives a binary stream)."""

    def __init__(self, files: dict[str, Any], opener):
        self.files, self.opener = files, opener  # rel -> size as stored (or None when unknown)

    def read_small(self, rel: str) -> Optional[bytes]:
        with self.opener(rel) as fh:
            data = fh.read(MAX_INDEX_BYTES + 1)
        return None if len(data) > MAX_INDEX_BYTES else data

    def digest(self, rel: str, limit: int) -> tuple[int, str]:
        """Size and SHA-256 of a file, reading at most ``limit + 1`` bytes."""
        h = hashlib.sha256()
        size = 0
        with self.opener(rel) as fh:
            while size <= limit:
                chunk = fh.read(min(_CHUNK, limit + 1 - size))
                if not chunk:
                    break
                h.update(chunk)
                size += len(chunk)
        return size, h.hexdigest()


def _bad_name(name: str) -> Optional[str]:
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) or "\\" in name:
        return "absolute path in the archive"
    if any(part in ("..", ".") for part in name.split("/")) or "//" in name.rstrip("/") or "\0" in name:
        return "path leaves its folder (.. or empty segments)"
    return None


def _verify_zip(zf: zipfile.ZipFile) -> list[Problem]:
    import stat as _stat

    problems: list[Problem] = []
    infos = zf.infolist()
    seen: dict[str, int] = {}
    for info in infos:
        seen[info.filename] = seen.get(info.filename, 0) + 1
    for name, count in sorted(seen.items()):
        if count > 1:
            problems.append(Problem(name, f"appears {count} times in the archive (unzip would keep one of them)"))
    roots = {i.filename.split("/", 1)[0] for i in infos}
    folder = next(iter(roots)) if len(roots) == 1 else None
    if folder is None:
        problems.append(Problem("/".join(sorted(roots))[:200] or "(empty)",
                            "the archive must hold exactly one folder with the site in it"))
    files: dict[str, Any] = {}
    members: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        name = info.filename
        why = _bad_name(name)
        if why:
            problems.append(Problem(name, why))
            continue
        mode = info.external_attr >> 16
        if info.is_dir():
            continue
        if _stat.S_IFMT(mode) not in (0, _stat.S_IFREG):  # no type bits: a plain file, as we write them
            problems.append(Problem(name, "not a regular file (a link or special file) in the archive"))
            continue
        if folder is None or not name.startswith(folder + "/"):
            continue
        members[name[len(folder) + 1:]] = info
        files[name[len(folder) + 1:]] = info.file_size
    if problems:
        return problems  # a malformed archive is not read further

    def opener(rel: str):
        return zf.open(members[rel])

    return _check(_Source(files, opener))


def _verify_dir(path: Path) -> list[Problem]:
    import stat as _stat

    problems: list[Problem] = []
    files: dict[str, Any] = {}
    base = str(path)
    for dirpath, dirs, names in os.walk(base):
        rel_dir = os.path.relpath(dirpath, base)
        prefix = "" if rel_dir == "." else rel_dir.replace(os.sep, "/") + "/"
        for d in list(dirs):
            if os.path.islink(os.path.join(dirpath, d)):
                problems.append(Problem(prefix + d, "a symbolic link, not a folder of the site: not followed"))
                dirs.remove(d)
        dirs.sort()
        for name in sorted(names):
            full = os.path.join(dirpath, name)
            try:
                st = os.lstat(full)
            except OSError as e:
                problems.append(Problem(prefix + name, f"cannot be read: {e.strerror}"))
                continue
            if not _stat.S_ISREG(st.st_mode):
                kind = ("a symbolic link" if _stat.S_ISLNK(st.st_mode) else "a FIFO" if _stat.S_ISFIFO(st.st_mode)
                        else "a socket" if _stat.S_ISSOCK(st.st_mode) else "a device or special file")
                problems.append(Problem(prefix + name, f"{kind}, not a regular file: not opened"))
                continue
            files[prefix + name] = st.st_size

    def opener(rel: str):
        return open(os.path.join(base, *rel.split("/")), "rb")

    return problems + _check(_Source(files, opener), skip={p.path for p in problems})


def _manifest_entries(data: bytes) -> tuple[dict[str, dict], list[Problem]]:
    try:
        manifest = json.loads(data.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        return {}, [Problem(MANIFEST, f"unreadable manifest: not JSON ({e})")]
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), list):
        return {}, [Problem(MANIFEST, "malformed manifest: no 'files' list")]
    entries: dict[str, dict] = {}
    problems: list[Problem] = []
    for n, e in enumerate(manifest["files"], 1):
        where = f"{MANIFEST} entry {n}"
        if not isinstance(e, dict):
            problems.append(Problem(where, "malformed manifest: an entry is not an object"))
            continue
        rel, size, digest = e.get("path"), e.get("size"), e.get("sha256")
        if not isinstance(rel, str) or not rel:
            problems.append(Problem(where, "malformed manifest: entry without 'path'"))
            continue
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            problems.append(Problem(rel, "malformed manifest: entry without a whole-number 'size'"))
            continue
        if not isinstance(digest, str) or not _HEX.fullmatch(digest):
            problems.append(Problem(rel, "malformed manifest: entry without a 64-digit lower-case 'sha256'"))
            continue
        why = _bad_name(rel)
        if why or rel in (MANIFEST, SUMS):
            problems.append(Problem(rel, f"malformed manifest: {why or 'lists itself'}"))
            continue
        if rel in entries:
            problems.append(Problem(rel, "malformed manifest: listed twice"))
            continue
        entries[rel] = e
    return entries, problems


def _check(src: _Source, skip: frozenset[str] | set[str] = frozenset()) -> list[Problem]:
    if MANIFEST not in src.files:
        return [Problem(MANIFEST, "missing: this is not a portal site or archive")]
    data = src.read_small(MANIFEST)
    if data is None:
        return [Problem(MANIFEST, f"larger than {MAX_INDEX_BYTES // 1024 // 1024} MiB: not read")]
    entries, problems = _manifest_entries(data)
    if problems:
        return problems
    for rel, entry in sorted(entries.items()):
        if rel in skip:
            continue
        if rel not in src.files:
            problems.append(Problem(rel, "missing"))
            continue
        stored = src.files[rel]
        if stored is not None and stored != entry["size"]:
            problems.append(Problem(rel, "changed: size or SHA-256 differs from the manifest"))
            continue
        size, digest = src.digest(rel, entry["size"])
        if size != entry["size"] or digest != entry["sha256"]:
            problems.append(Problem(rel, "changed: size or SHA-256 differs from the manifest"))
    for rel in sorted(set(src.files) - set(entries) - {MANIFEST, SUMS}):
        problems.append(Problem(rel, "not in the manifest"))
    problems += _check_sums(src, entries)
    return problems


def _check_sums(src: _Source, entries: dict[str, dict]) -> list[Problem]:
    """SHA256SUMS (what ``sha256sum -c`` reads) must say exactly what the manifest says."""
    if SUMS not in src.files:
        return [Problem(SUMS, "missing: sha256sum -c would check nothing")]
    data = src.read_small(SUMS)
    if data is None:
        return [Problem(SUMS, f"larger than {MAX_INDEX_BYTES // 1024 // 1024} MiB: not read")]
    problems: list[Problem] = []
    listed: dict[str, str] = {}
    try:
        lines = data.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        return [Problem(SUMS, "not UTF-8 text")]
    for n, line in enumerate(lines, 1):
        m = re.fullmatch(r"([0-9a-f]{64}) [ *](.+)", line)
        if not m:
            problems.append(Problem(f"{SUMS}:{n}", "not a 'SHA-256  path' line"))
            continue
        digest, rel = m.groups()
        if rel in listed:
            problems.append(Problem(f"{SUMS}:{n}", f"lists {rel} twice"))
        listed[rel] = digest
    for rel in sorted(set(entries) | set(listed)):
        if rel not in listed:
            problems.append(Problem(rel, f"in the manifest but not in {SUMS}"))
        elif rel not in entries:
            problems.append(Problem(rel, f"in {SUMS} but not in the manifest"))
        elif listed[rel] != entries[rel]["sha256"]:
            problems.append(Problem(rel, f"{SUMS} and the manifest give different SHA-256"))
    return problems
