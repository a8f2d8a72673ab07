"""The auditor's offline archive, and checking a site or archive against its manifest.

The archive is one zip holding the whole site (documents included) under a
single folder. Entries are sorted, stamped with the as-of date and given fixed
permissions, so the same commit and as-of date give byte-identical archives.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Optional

from .package import MANIFEST, SUMS, BuildResult, Options, archive_name, build, site_files


ZIP_FIRST_YEAR, ZIP_LAST_YEAR = 1980, 2107


def refuse_dist(root: Path, dist: Path) -> None:
    """The archive never lands inside the project's sources or its git folder."""
    from .errors import UsageError

    target = dist.resolve()
    root = root.resolve()
    for name in ("evidence", "content", "theme", ".git"):
        if target.is_relative_to(root / name) or target.is_relative_to((root / name).resolve()):
            raise UsageError(f"refusing to write the archive into {dist}: it lies inside {root / name}; "
                             "choose another --dist (default: ROOT/dist)")


def check_zip_date(stamp: tuple[int, int, int]) -> None:
    """The zip format stores years 1980..2107 only: a date outside is a usage error, never a silent clamp."""
    if not ZIP_FIRST_YEAR <= stamp[0] <= ZIP_LAST_YEAR:
        from .errors import UsageError

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
        from .pdf import find_chromium, render_with_report

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


def verify(path: Path) -> list[Problem]:
    """Check a site folder or an archive against its manifest.json: sizes, SHA-256, nothing extra or missing."""
    if path.is_file() and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            names = [n for n in zf.namelist() if not n.endswith("/")]
            prefix = names[0].split("/", 1)[0] + "/" if names and all("/" in n for n in names) else ""
            files = {n[len(prefix):]: zf.read(n) for n in names}
        return _check(files)
    if path.is_dir():
        return _check({rel: (path / rel).read_bytes() for rel in site_files(path)})
    return [Problem(str(path), "not a site folder or zip archive")]


def _check(files: dict[str, bytes]) -> list[Problem]:
    if MANIFEST not in files:
        return [Problem(MANIFEST, "missing: this is not a portal site or archive")]
    try:
        manifest: dict[str, Any] = json.loads(files[MANIFEST])
        entries = {e["path"]: e for e in manifest["files"]}
    except (ValueError, KeyError, TypeError):
        return [Problem(MANIFEST, "unreadable manifest")]
    problems = []
    for rel, entry in sorted(entries.items()):
        data = files.get(rel)
        if data is None:
            problems.append(Problem(rel, "missing"))
        elif len(data) != entry["size"] or hashlib.sha256(data).hexdigest() != entry["sha256"]:
            problems.append(Problem(rel, "changed: size or SHA-256 differs from the manifest"))
    for rel in sorted(set(files) - set(entries) - {MANIFEST, SUMS}):
        problems.append(Problem(rel, "not in the manifest"))
    return problems
