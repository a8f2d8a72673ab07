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
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

from isoready.package.assemble import (MANIFEST, SUMS, WORKBOOK, PageError, Planned, Portal, blocked, check, content_collisions,
    git_commit, output_collisions, planned, planned_portals, prepare, prepare_portals, render_portal, readme_text,
    replaceable, search_json, sha256_file, site_files, switcher_css, workbook_made, write_assets, write_documents,
    write_exports, write_manifest)
from isoready.core import i18n
from isoready.core.diagnostics import Diagnostic, errors
from isoready.core.errors import UsageError
from isoready.model import Project
from isoready.read.options import Options, refuse_sources
from isoready.core.parallel import Background
from isoready.render.pages import Page, Written, default_shared, pages, render_site, theme_dirs, write_bytes
from isoready.core.text import checked_limit
from isoready.validate.project import EVIDENCE_DIR
from isoready.validate.redact import forget_names
from isoready.views import SiteView


@dataclass
class BuildResult:
    ok: bool
    diagnostics: list[Diagnostic]
    output: Optional[Path] = None
    site: Optional[SiteView] = None
    files: list[str] = field(default_factory=list)
    reused: int = 0  # pages and documents taken from the previous build unchanged
    #: the build cache's per-file results as this build left them in memory (None without a cache): serve keeps
    #: them, so that its first update reuses the very records of the build (compared by identity, not by value)
    results: Optional[dict] = None


RENAME_EXCHANGE = 2  # linux/fs.h


def _fault(step: str) -> None:
    """Fault injection for tests: ISOREADY_FAULT=<step> kills this process (SIGKILL) at that step."""
    if os.environ.get("ISOREADY_FAULT") == step:
        import signal

        os.kill(os.getpid(), signal.SIGKILL)


def exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux ``renameat2(RENAME_EXCHANGE)``); False where unsupported."""
    if os.environ.get("ISOREADY_NO_EXCHANGE") or not sys.platform.startswith("linux"):
        return False
    import ctypes
    import errno

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = getattr(libc, "renameat2", None)
    except OSError:
        return False
    if fn is None:  # glibc before 2.28
        return False
    at_fdcwd = -100
    if fn(at_fdcwd, os.fsencode(str(a)), at_fdcwd, os.fsencode(str(b)), RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.ENOTSUP):  # no kernel or file system support
        return False
    raise OSError(err, os.strerror(err), str(b))


def old_name(out: Path) -> Path:
    return out.with_name(f".{out.name}-old-{os.getpid()}-{time.monotonic_ns()}")


def swap_in(tmp: Path, out: Path) -> None:
    """Replace out with the complete site in tmp so that, at every instant, out is a complete site, old or new.

    Linux: one ``renameat2(RENAME_EXCHANGE)`` swaps the two folders atomically; the old site, now under the
    temporary name, is renamed aside and deleted in the background. Elsewhere (or on a file system without
    exchange) two renames leave a window in which out is missing but the old site is complete under
    ``.<out>-old-*``: ``recover`` (run by the next build and by ``clean``) puts it back.
    """
    _fault("before-swap")
    if out.exists() or out.is_symlink():
        if exchange(tmp, out):
            _fault("after-exchange")
            old = old_name(out)
            os.replace(tmp, old)
            _fault("after-aside")
            remove_later(old)
            return
        old = old_name(out)
        os.replace(out, old)
        _fault("between-renames")
        os.replace(tmp, out)
        _fault("after-renames")
        remove_later(old)
        return
    os.replace(tmp, out)
    _fault("after-rename")


def previous_sites(out: Path) -> list[Path]:
    """Complete sites set aside by a swap (newest first), by their exact name pattern."""
    import re

    pattern = re.compile(re.escape(f".{out.name}-old-") + r"(\d+)-(\d+)\Z")
    found = []
    try:
        entries = list(os.scandir(out.parent))
    except OSError:
        return []
    for entry in entries:
        m = pattern.match(entry.name)
        if m and entry.is_dir(follow_symlinks=False) and _complete(Path(entry.path)):
            found.append((os.stat(entry.path, follow_symlinks=False).st_mtime_ns, int(m.group(2)), Path(entry.path)))
    return [p for *_k, p in sorted(found, reverse=True)]


def _complete(site: Path) -> bool:
    """A site we built whose manifest lists files that are all there."""
    import json

    try:
        manifest = json.loads((site / MANIFEST).read_text(encoding="utf-8"))
        files = manifest["files"] if manifest.get("generator") == "isoready" else None
        return isinstance(files, list) and all(os.path.isfile(site / e["path"]) for e in files)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False


def recover(out: Path) -> Optional[Path]:
    """When a swap was killed between its two renames (no out, a complete old site aside), put it back."""
    if out.exists() or out.is_symlink():
        return None
    for site in previous_sites(out):
        try:
            os.rename(site, out)
        except OSError:
            continue
        return site
    return None


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


def build(opts: Options, render: Any = None, views: Any = None, key: Any = None, ahead: Any = None) -> BuildResult:
    """The whole pipeline; ``render(site, project, tmp, opts, plan)`` writes the pages (Pelican by default)
    and returns (written, content pages); ``views``: a ``views.ViewMemo`` to fill (serve keeps it); ``key``:
    ``cache.site_key``'s, made before anything was read (``isoready build``): the site is recorded under it,
    so that the next build with the same inputs and this output intact redoes nothing (``cache.unchanged_build``).
    ``ahead``: a ``parallel.Ahead`` parsing evidence files meanwhile (``reader.read_ahead``), stopped when the
    build starts reading: what it made joins the build cache's per-file results (each used only for the same
    bytes), so the build parses only the files it had not reached."""
    if not opts.root.is_absolute():  # Pelican would read a relative root against pelicanconf.py's own folder
        opts = replace(opts, root=Path(os.path.abspath(opts.root)))
    checked_limit(opts.max_markdown_bytes)  # validation, views and every page render under this one limit
    import gc

    try:
        if render not in (None, render_with_pelican):
            return _build(opts, render, views, key, ahead=ahead)
        from isoready.package.pelican_plugin import TemplatesCompiling

        compiling = TemplatesCompiling()  # the theme compiled by another process while this one assesses
        with compiling.offered():
            compiling.start(opts.root, opts.out)
            return _build(opts, render, views, key, compiling.tell, ahead)
    finally:  # what release_freed_memory froze is the collector's again: a process that builds again (tests,
        gc.unfreeze()  # serve's fallbacks) frees the cycles this build left, as it would have without it
        if ahead is not None:
            ahead.cancel()  # stopped already, unless the build stopped first


def _build(opts: Options, render: Any = None, views: Any = None, key: Any = None,
           language_read: Optional[Callable[[str], None]] = None, ahead: Any = None) -> BuildResult:
    from isoready.package.cache import CACHE_DIR, BuildCache, save_site, site_record_made

    # a refused output is refused before anything is made: no build cache, no temporary folder
    if opts.out.is_symlink():
        raise UsageError(f"refusing to write the site through the symlink {opts.out}: the output folder belongs to "
                         "the portal; give the real folder with --output")
    refuse_sources(opts.root, opts.out, "the site", "--output")
    out = opts.out.resolve()
    recovered = recover(out)  # a swap killed half-way on a system without an atomic exchange
    if recovered is not None:
        print(f"isoready: recovered the previous site from {recovered.name} into {out}", file=sys.stderr)
    refuse_source_overlap(opts.root, out, force=opts.force)
    cache = (BuildCache(opts.root / CACHE_DIR) if opts.fresh else BuildCache.open(opts.root)) if opts.use_cache else None
    if ahead is not None:
        made = ahead.stop()  # the evidence files parsed meanwhile: entries like any of the cache's
        if cache is not None:
            for rel, entry in made:
                cache.results.setdefault(rel, entry)
    workbook = EarlyWorkbook()
    try:
        portals, project, diags = prepare_portals(opts, cache.results if cache else None, views=views,
                                                  on_read=language_read, on_export=workbook.start)
    except BaseException:
        workbook.cancel()
        raise
    if views is None:  # a one-shot build (serve keeps its views and names between rebuilds)
        forget_names()
    release_freed_memory()  # before the render workers and the exports process fork from this one
    if not portals or project is None:
        workbook.cancel()
        return BuildResult(False, diags)
    site, others = portals[0].site, portals[1:]
    # every path the pages, documents, exports and extra files need, judged before anything is written, by
    # the same function validate uses (so the two agree)
    extra, refused = extra_files(opts.root)
    paths = planned(site, project, [rel for rel, _p, _s in extra]) + planned_portals(others)
    refused += output_collisions(paths)
    if errors(refused):
        workbook.cancel()
        return BuildResult(False, sorted(set(diags + refused)))
    try:
        tmp = temp_dir_for(out)
    except BaseException:
        workbook.cancel()
        raise
    exports: list[Background] = [workbook.job(site)]
    recording: Optional[Background] = None
    try:
        plan = _planner(cache, opts, site, out, tmp) if cache else None
        reuse = (lambda path, fp: cache.reuse(path, fp, out, tmp)) if cache else None
        # while the pages render: the documents copied (system time, mostly), the rest of the exports in a
        # process of its own (the workbook, the longest export, is being made by another since the views had
        # the export's view-model: ``EarlyWorkbook``)
        exports = [Background(lambda: write_documents(site, project, tmp, reuse)), exports[0],
                   Background(lambda: _exports_and_results(site, tmp, cache))]
        try:
            written, content = (render or render_with_pelican)(site, project, tmp, opts, plan)
        except PageError as exc:  # team-written pages with errors: diagnostics like any project error
            _cancel(exports)
            shutil.rmtree(tmp, ignore_errors=True)
            return BuildResult(False, sorted(set(diags + exc.diagnostics)))
        # the team-written pages (read by Pelican while rendering) judged with everything else, before the extra
        # files are copied (the documents, being copied meanwhile, are under files/: no team page can be there)
        late = content_collisions(paths, content)
        if errors(late):
            _cancel(exports)
            shutil.rmtree(tmp, ignore_errors=True)
            return BuildResult(False, sorted(set(diags + late)))
        made, search = exports[2].result()
        assets = write_assets(site, project, tmp, pages=content, exports=False, documents=False, search=search)
        written = list(written) + exports[0].result() + assets  # the documents, then the logo and search index
        written += [write_bytes(tmp, WORKBOOK, exports[1].result())] + made
        if others:  # an integrated system: the switcher's style, and every other standard's portal
            written += switcher_css(tmp)
            for portal in others:
                written += render_portal(portal, render or render_with_pelican, opts, tmp)
        if cache is not None:
            cache.results_saved()
            # the pages' states (pages.json), made from the new site by another process while this one writes
            # the manifest and swaps the site in; put in place once it is in (a failed build leaves a part file)
            pages_json = Background(lambda: cache.pages_made(out, tmp, written))
            exports.append(pages_json)
        extra_diags = copy_extra(opts.root, tmp, written)
        if errors(extra_diags):
            _cancel(exports)
            shutil.rmtree(tmp, ignore_errors=True)
            return BuildResult(False, sorted(set(diags + extra_diags)))
        files = write_manifest(tmp, site, written)
        added = hand_added(opts.root, out, files)
        diags = sorted(set(diags + added))
        if added and opts.strict:  # warnings stop a --strict build: the files stay where they are
            _cancel(exports)
            shutil.rmtree(tmp, ignore_errors=True)
            return BuildResult(False, diags)
        if key is not None and cache is not None:
            key.value(key.digests(cache.results, site.documents))
            # the site's record (site.json: every file's digest and stamp, whether an input moved) made by another
            # process from the site's folder held open, while this one swaps it in; put in place after the swap
            folder = os.open(tmp, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
            recording = Background(lambda: site_record_made(opts.root, folder, key, out, files, diags,
                                                            sum(w.reused for w in written)))
            exports.append(recording)
        made = _made(pages_json) if cache is not None else None  # before the swap: it reads the new site's files
        swap_in(tmp, out)
    except BaseException:
        _cancel(exports)
        if recording is not None:
            os.close(folder)
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    record: Optional[Path] = None
    if recording is not None:
        try:  # None: an input written while the build ran: no record, so the next build is a real one
            record = _made(recording)
        except Exception:  # noqa: BLE001 (its process failed: no record either; a record only saves time)
            record = None
        finally:
            os.close(folder)
    if cache is not None:
        try:  # the record's part file is this build's: the clean-up of half-made saves must spare it
            cache.save(out, written, made, keep=(record,) if record is not None else ())
        except OSError:  # a cache that cannot be written only costs speed next time
            pass
    if recording is not None:
        try:
            save_site(opts.root, record)
        except OSError:
            pass
    return BuildResult(True, diags, out, site, files, sum(w.reused for w in written),
                       cache.results if cache is not None else None)


class EarlyWorkbook:
    """The checklist workbook (the longest export: openpyxl writes it cell by cell), made by another process
    from the export's view-model as soon as the views have made it (``prepare_portals``'s ``on_export``), so
    that it uses the core the build would leave idle while it makes the pages' view-models and sets up Pelican.
    ``job(site)``: that process, or one started now (a build whose views made no export for it)."""

    def __init__(self) -> None:
        self._job: Optional[Background] = None

    def start(self, export: Any) -> None:
        if self._job is None:
            language = i18n.active().code  # the build's (the views speak it): the workbook's words
            self._job = Background(lambda: workbook_made(export, language))

    def job(self, site: SiteView) -> Background:
        if self._job is None:
            self._job = Background(lambda: workbook_made(site.export, site.chrome.language))
        return self._job

    def cancel(self) -> None:
        if self._job is not None:
            self._job.cancel()


def _made(job: Background) -> Optional[Path]:
    """The pages' states made meanwhile (``cache.pages_made``), or None: ``cache.save`` makes them itself."""
    try:
        return job.result()
    except OSError:
        return None


def _cancel(jobs: Sequence[Background]) -> None:
    for job in jobs:
        job.cancel()


def _exports_and_results(site: SiteView, tmp: Path, cache: Any) -> tuple[list[Written], str]:
    """What needs nothing from the pages: the export files but the workbook, the build cache's per-file
    results, and the search index's entries of the site's own pages (the team's pages are added when Pelican
    has read them)."""
    written = write_exports(site, tmp, workbook=False)
    if cache is not None:
        try:
            cache.save_results()
        except OSError:  # a cache that cannot be written only costs speed next time
            pass
    return written, search_json(site)


def release_freed_memory() -> None:
    """Hand the memory that reading and parsing freed back to the system (glibc keeps it otherwise).

    Every worker forked afterwards starts as big as this process: at 100,000 records the parse trees and
    per-file results freed after reading were several hundred MB still held (freed by their reference counts:
    a full collection here found some 40 objects in cycles at 10,000 records, and took 0.12 s on one core to
    walk the 200,000 that live on). What lives now lives to the end of the build, so it is frozen out of the
    collector's sight instead (``gc.freeze``, as Python's documentation advises before forking): no later
    collection walks it, here or in a forked worker, where the walk would copy every page it touches.
    Linux with glibc only; elsewhere nothing is handed back."""
    import ctypes
    import ctypes.util
    import gc

    gc.freeze()
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):  # musl and others: no malloc_trim
        pass


def _planner(cache: Any, opts: Options, site: SiteView, out: Path, tmp: Path) -> Callable:
    from isoready.package.cache import theme_key

    key = theme_key(theme_dirs(opts.root), opts.root / "pelicanconf.py")
    chrome = repr(site.chrome)

    def plan(page: Page, shared: str) -> tuple[Optional[str], Optional[Written]]:
        fingerprint = cache.fingerprint(page, key, chrome + shared)
        return fingerprint, cache.reuse(page.path, fingerprint, out, tmp)

    return plan


def refuse_source_overlap(root: Path, out: Path, force: bool = False) -> None:
    """The output may never be, contain, or sit inside the project's sources, nor replace a folder not ours."""
    refuse_sources(root, out, "the site", "--output")
    out = out.resolve()
    if out.is_symlink():
        raise UsageError(f"refusing to replace {out}: it is a symlink; the output folder belongs to the portal")
    if not force and not ours(out):
        raise UsageError(f"refusing to replace {out}: it is not a site built by isoready (no manifest.json from "
                         "us in it); remove it yourself, choose another --output, or add --force to replace it")


def hand_added(root: Path, out: Path, files: list[str]) -> list[Diagnostic]:
    """W130 for each file in the current output folder that its manifest does not list (put there by hand: a
    CNAME, notes) and the new site will not hold: the swap replaces the folder, so say so before it goes."""
    import json

    if not out.is_dir() or out.is_symlink():
        return []
    try:
        manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        listed = {e["path"] for e in manifest["files"]}
    except (OSError, ValueError, KeyError, TypeError):
        listed = set()
    keep = set(files) | listed | {MANIFEST, SUMS}
    try:
        shown = out.relative_to(root.resolve()).as_posix()
    except ValueError:
        shown = str(out)
    return [Diagnostic(f"{shown}/{rel}", 1, 1, "W130", f"file added to {shown}/ by hand is not part of this build and "
                       f"is deleted with the previous site", f"move it to {EXTRA_DIR}/{rel}: every build copies "
                       f"what is there")
            for rel in site_files(out) if rel not in keep]


def ours(out: Path) -> bool:
    """True when out may be replaced without --force: absent, or a site isoready built. An empty folder the
    tool did not create is somebody's: it may be a mount point or a folder prepared for something else."""
    if not out.exists() and not out.is_symlink():
        return True
    try:
        empty = out.is_dir() and not out.is_symlink() and not any(os.scandir(out))
    except OSError:
        return False
    return not empty and replaceable(out)


EXTRA_DIR = "content/extra"


def extra_files(root: Path) -> tuple[list[tuple[str, Path, int]], list[Diagnostic]]:
    """The team's files under content/extra/ (relative path, path, size) and the problems of the others.
    Shared by ``validate`` (which refuses first) and ``build``. Never opens anything but regular files."""
    import stat

    from isoready.validate.checks import name_problem

    folder = root / EXTRA_DIR
    found: list[tuple[str, Path, int]] = []
    diags: list[Diagnostic] = []
    if folder.is_symlink():
        return found, [Diagnostic(EXTRA_DIR, 1, 1, "E320", "extra file is not a regular file (a symlink, FIFO or "
                                  "device)", "put the file itself in content/extra/")]
    if not folder.is_dir():
        return found, diags
    for dirpath, dirs, names in os.walk(folder):
        dirs.sort()
        for name in sorted(names + [d for d in dirs if os.path.islink(os.path.join(dirpath, d))]):
            path = Path(dirpath) / name
            rel = path.relative_to(folder).as_posix()
            where = f"{EXTRA_DIR}/{rel}"
            st = os.lstat(path)
            problem = next(filter(None, (name_problem(part) for part in rel.split("/"))), None)
            if not stat.S_ISREG(st.st_mode):
                diags.append(Diagnostic(where, 1, 1, "E320", "extra file is not a regular file (a symlink, FIFO or "
                                        "device)", "put the file itself in content/extra/"))
            elif problem:
                diags.append(Diagnostic(where, 1, 1, problem[0], f"extra file {problem[1]}", problem[2]))
            else:  # whether it takes a name of the portal's own is judged with the plan (assemble.output_collisions)
                found.append((rel, path, st.st_size))
    return found, diags


def copy_extra(root: Path, site: Path, written: list) -> list[Diagnostic]:
    """Copy the team's own files (CNAME, .nojekyll, robots.txt, ...) from content/extra/ into the site root,
    at the same relative path, in every build (like Pelican's EXTRA_PATH_METADATA). The manifest lists them."""
    from isoready.render.pages import Written

    found, diags = extra_files(root)
    generated = {w.path for w in written}
    for rel, path, size in found:
        target = site / rel
        if rel in generated or target.exists():  # a team page (content/pages) of the same name, say
            diags.append(Diagnostic(f"{EXTRA_DIR}/{rel}", 1, 1, "E320", f"extra file would replace the portal's own "
                                    f"{rel}", "rename it or move it to another folder under content/extra/"))
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        written.append(Written(rel, size, sha256_file(target)))
    return diags


def render_with_pelican(site: SiteView, project: Project, tmp: Path, opts: Options, plan: Any = None):
    """Pelican renders: our generator gets the prepared site through ``pelican_plugin.run``'s job."""
    from isoready.package.pelican_plugin import Job, run

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
