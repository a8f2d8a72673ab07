"""Stage 6, package: run the pipeline, write the site to a temporary folder, swap it in when complete.

``build`` prepares the site (``assemble.prepare``), has Pelican render it (``pelican_plugin.run``, which
hands the prepared site to our generator for one run; or ``render_plain`` without Pelican), then writes
the exports and the manifest (``assemble``) and swaps the result in.

A failed or interrupted build leaves the previous output exactly as it was:
everything is written to a sibling temporary folder first; only a complete
site replaces ``output/``. Nothing is ever written to evidence/ or content/.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

from .assemble import (MANIFEST, SUMS, PageError, blocked, check, git_commit, prepare, readme_text,  # noqa: F401 (re-exported)
                       replaceable, sha256_file, site_files, write_assets, write_manifest)
from .diagnostics import Diagnostic
from .errors import UsageError
from .model import Project
from .options import Options
from .render import Page, Written, default_shared, pages, render_site, theme_dirs
from .validate import EVIDENCE_DIR
from .views import SiteView


@dataclass
class BuildResult:
    ok: bool
    diagnostics: list[Diagnostic]
    output: Optional[Path] = None
    site: Optional[SiteView] = None
    files: list[str] = field(default_factory=list)
    reused: int = 0  # pages and documents taken from the previous build unchanged


def swap_in(tmp: Path, out: Path) -> None:
    """Replace out with tmp: two renames on one filesystem, the old tree removed last (in the background)."""
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}-old-{os.getpid()}-{time.monotonic_ns()}")
        os.replace(out, old)
    os.replace(tmp, out)
    if old is not None:
        remove_later(old)


def remove_later(path: Path) -> None:
    """Delete a tree without waiting for it (thousands of files take a second); 'clean' removes leftovers."""
    if os.name == "posix" and shutil.which("rm") and not os.environ.get("ISOREADY_SYNC_DELETE"):
        subprocess.Popen(["rm", "-rf", "--", str(path)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    else:
        shutil.rmtree(path, ignore_errors=True)


def temp_dir_for(out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-build-", dir=out.parent))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o777 & ~umask)  # mkdtemp makes 0700; the site must stay readable by a web server
    return tmp


def build(opts: Options, render: Any = None) -> BuildResult:
    """The whole pipeline; ``render(site, project, tmp, opts, plan)`` writes the pages (Pelican by default)
    and returns (written, content pages)."""
    from .cache import CACHE_DIR, BuildCache

    cache = (BuildCache(opts.root / CACHE_DIR) if opts.fresh else BuildCache.open(opts.root)) if opts.use_cache else None
    site, project, diags = prepare(opts, cache.results if cache else None)
    if site is None or project is None:
        return BuildResult(False, diags)
    out = opts.out.resolve()
    _refuse_source_overlap(opts.root, out)
    tmp = temp_dir_for(out)
    try:
        plan = _planner(cache, opts, site, out, tmp) if cache else None
        try:
            written, content = (render or render_with_pelican)(site, project, tmp, opts, plan)
        except PageError as exc:  # team-written pages with errors: diagnostics like any project error
            shutil.rmtree(tmp, ignore_errors=True)
            return BuildResult(False, sorted(set(diags + exc.diagnostics)))
        written = list(written)
        reuse = (lambda path, fp: cache.reuse(path, fp, out, tmp)) if cache else None
        written += write_assets(site, project, tmp, reuse, pages=content)
        files = write_manifest(tmp, site, written)
        swap_in(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if cache is not None:
        try:
            cache.save(out, written)
        except OSError:  # a cache that cannot be written only costs speed next time
            pass
    return BuildResult(True, diags, out, site, files, sum(w.reused for w in written))


def _planner(cache: Any, opts: Options, site: SiteView, out: Path, tmp: Path) -> Callable:
    from .cache import theme_key

    key = theme_key(theme_dirs(opts.root), opts.root / "pelicanconf.py")
    chrome = repr(site.chrome)

    def plan(page: Page, shared: str) -> tuple[Optional[str], Optional[Written]]:
        fingerprint = cache.fingerprint(page, key, chrome + shared)
        return fingerprint, cache.reuse(page.path, fingerprint, out, tmp)

    return plan


def _refuse_source_overlap(root: Path, out: Path) -> None:
    """The output may never be, contain, or sit inside the project's sources, nor replace a folder not ours."""
    root = root.resolve()
    out = out.resolve()
    if root.is_relative_to(out):
        raise UsageError(f"refusing to write the site to {out}: it would replace the project itself")
    for name in ("evidence", "content", "theme", ".git"):
        protected = (root / name).resolve()  # a source folder may be a symlink to elsewhere
        if out.is_relative_to(protected) or out.is_relative_to(root / name):
            raise UsageError(f"refusing to write the site to {out}: it lies inside {root / name}")
    if not replaceable(out):
        raise UsageError(f"refusing to replace {out}: it is not a site built by isoready (no manifest.json from "
                         "us in it); remove it yourself or choose another --output")


def render_with_pelican(site: SiteView, project: Project, tmp: Path, opts: Options, plan: Any = None):
    """Pelican renders: our generator gets the prepared site through ``pelican_plugin.run``'s job."""
    from .pelican_plugin import Job, run

    job = run(Job(site, project, list(pages(site, project.root / EVIDENCE_DIR)), plan), opts.root, tmp)
    return job.written, job.content


def render_plain(site: SiteView, project: Project, tmp: Path, opts: Options, plan: Any = None):
    """Plain Jinja, no Pelican (so no team-written pages and no pelicanconf.py settings)."""
    items = list(pages(site, project.root / EVIDENCE_DIR))
    return render_site(items, default_shared(site), tmp, theme_dirs(opts.root), plan), []


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "organisation"


def archive_name(organisation: str, as_of: str, audience: str) -> str:
    """The name of an offline archive (and of the report PDF copied beside it) for one build."""
    return f"{slug(organisation)}-iso9001-readiness-{as_of}-{audience}"
