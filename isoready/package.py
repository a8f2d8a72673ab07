"""Stage 6, package: run the pipeline, write the site to a temporary folder, swap it in when complete.

A failed or interrupted build leaves the previous output exactly as it was:
everything is written to a sibling temporary folder first; only a complete
site replaces ``output/``. Nothing is ever written to evidence/ or content/.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable, Optional

from . import export
from .assess import assess
from .catalog import load_catalog
from .diagnostics import Diagnostic, errors
from .errors import UsageError
from .load import MAX_BYTES
from .model import Project
from .options import Options
from .render import Written, write_bytes
from .validate import EVIDENCE_DIR, read_project
from .views import SiteView, build_site

MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"


@dataclass
class BuildResult:
    ok: bool
    diagnostics: list[Diagnostic]
    output: Optional[Path] = None
    site: Optional[SiteView] = None
    files: list[str] = field(default_factory=list)
    reused: int = 0  # pages and documents taken from the previous build unchanged


def git_commit(root: Path) -> str:
    """The commit the inputs come from ('' outside git); ISOREADY_COMMIT overrides."""
    if "ISOREADY_COMMIT" in os.environ:
        return os.environ["ISOREADY_COMMIT"]
    try:
        proc = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=root, capture_output=True, text=True,
                              timeout=10)
    except (OSError, subprocess.SubprocessError):
        return ""
    return proc.stdout.strip() if proc.returncode == 0 else ""


def check(opts: Options, known: Optional[dict] = None) -> tuple[Optional[Project], list[Diagnostic]]:
    """Load and validate only (``known``: the build cache's per-file results, updated in place)."""
    project, diags = read_project(opts.root, load_catalog(), opts.as_of, opts.max_yaml_bytes, known)
    return project, diags


def blocked(diags: list[Diagnostic], strict: bool) -> bool:
    return bool(errors(diags)) or (strict and bool(diags))


def prepare(opts: Options, known: Optional[dict] = None) -> tuple[Optional[SiteView], Optional[Project], list[Diagnostic]]:
    """load -> validate -> assess -> views; (None, ...) when the build must stop."""
    project, diags = check(opts, known)
    if project is None or blocked(diags, opts.strict):
        return None, project, diags
    readiness = assess(project, opts.as_of)
    commit = opts.commit if opts.commit is not None else git_commit(opts.root)
    site = build_site(project, readiness, audience=opts.audience, commit=commit, hashes=hash_documents(project))
    return site, project, diags


def hash_documents(project: Project) -> dict[str, tuple[int, str]]:
    """(size, SHA-256) of every document a record points at, each read once."""
    base = project.root / EVIDENCE_DIR
    out: dict[str, tuple[int, str]] = {}
    for e in project.evidence:
        if e.file and e.file not in out:
            data = (base / e.file).read_bytes()
            out[e.file] = (len(data), hashlib.sha256(data).hexdigest())
    return out


def write_assets(site: SiteView, project: Project, out: Path,
                 reuse: Optional[Callable[[str, str], Optional[Written]]] = None) -> list[Written]:
    """Everything that is not a templated page: documents, logo, exports, search index."""
    written: list[Written] = []
    evidence_root = project.root / EVIDENCE_DIR
    to_copy = []
    for doc in site.documents:
        fingerprint = "doc:" + doc.sha256
        done = reuse(doc.path, fingerprint) if reuse else None
        if done is None:
            to_copy.append(doc)
            done = Written(doc.path, doc.size, doc.sha256, fingerprint)
        written.append(done)

    def copy(doc: Any) -> None:
        target = out / doc.path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(evidence_root / doc.source, target)  # bytes unchanged; no metadata

    if len(to_copy) > 200:  # sendfile releases the GIL: a few threads keep the disk busy
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(copy, to_copy))
    else:
        for doc in to_copy:
            copy(doc)
    if site.logo_url and project.organisation.logo:
        written.append(write_bytes(out, site.logo_url, (project.root / "content" / project.organisation.logo).read_bytes()))
    from . import xlsx
    from .schema import schema_text

    for rel, data in (("README.txt", readme_text(site).encode()),
                      ("readiness.json", export.readiness_json(site.export).encode()),
                      ("checklist.csv", export.checklist_csv(site.export).encode()),
                      ("search-index.js", export.search_index_js(site.export).encode()),
                      ("checklist.xlsx", xlsx.workbook_bytes(site.export)),
                      ("schema/readiness.schema.json", schema_text("readiness").encode())):
        written.append(write_bytes(out, rel, data))
    return written


def readme_text(site: SiteView) -> str:
    return (f"ISO 9001 certification readiness portal: {site.organisation}\n"
            f"As of {site.as_of}, built for the {site.audience} audience"
            + (f" from commit {site.commit}" if site.commit else "") + ".\n\n"
            "Open index.html in a web browser. Everything works offline, from disk; nothing is fetched.\n\n"
            "checklist.xlsx is the audit checklist workbook (one row per clause, columns for the auditor's\n"
            "sampling, conformity and notes; findings and the evidence register with SHA-256 on their own sheets).\n"
            "report.pdf, when present, is the printable readiness report (report.html as PDF).\n\n"
            "To check that no file was changed since the portal was built, run in this folder:\n"
            "  sha256sum -c SHA256SUMS          (Linux; macOS: shasum -a 256 -c SHA256SUMS)\n"
            "or, with the portal's tool installed: python3 -m isoready verify .\n"
            "manifest.json lists every file with its size and SHA-256.\n")


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


def site_files(out: Path) -> list[str]:
    """Every file under out, relative, posix, sorted (os.walk: pathlib is slow for tens of thousands)."""
    base = str(out)
    found = []
    for dirpath, _dirs, files in os.walk(base):
        rel = os.path.relpath(dirpath, base)
        prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
        found.extend(prefix + name for name in files)
    return sorted(found)


def write_manifest(out: Path, site: SiteView, known: Optional[list[Written]] = None) -> list[str]:
    """manifest.json and SHA256SUMS over every file of the site (but themselves).

    ``known`` carries the size and SHA-256 of files hashed as they were written; the rest are read.
    """
    by_path = {w.path: w for w in known or ()}
    files = [f for f in site_files(out) if f not in (MANIFEST, SUMS)]
    entries = []
    for f in files:
        w = by_path.get(f)
        entries.append({"path": f, "size": w.size, "sha256": w.sha256} if w else
                       {"path": f, "size": (out / f).stat().st_size, "sha256": sha256_file(out / f)})
    manifest = {"generator": "isoready", "organisation": site.organisation, "as_of": site.as_of, "audience": site.audience,
                "commit": site.commit or None, "files": entries}
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    (out / SUMS).write_text("".join(f"{e['sha256']}  {e['path']}\n" for e in entries), encoding="utf-8")
    return files + [MANIFEST, SUMS]


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
    """The whole pipeline; ``render(site, project, tmp, opts, plan)`` writes the pages (Pelican by default)."""
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
        written = list((render or render_with_pelican)(site, project, tmp, opts, plan) or [])
        reuse = (lambda path, fp: cache.reuse(path, fp, out, tmp)) if cache else None
        written += write_assets(site, project, tmp, reuse)
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


def theme_dir(root: Path) -> Path:
    from .pelican_plugin import REPO_THEME

    return root / "theme" if (root / "theme" / "templates").is_dir() else REPO_THEME


def _planner(cache: Any, opts: Options, site: SiteView, out: Path, tmp: Path) -> Callable:
    from .cache import theme_key

    key = theme_key(theme_dir(opts.root), opts.root / "pelicanconf.py")
    chrome = repr(site.chrome)

    def plan(page: Any) -> tuple[Optional[str], Optional[Written]]:
        fingerprint = cache.fingerprint(page, key, chrome)
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


def replaceable(out: Path) -> bool:
    """True when ``out`` may be replaced or removed: absent, an empty folder, or a site we built."""
    if not out.exists() and not out.is_symlink():
        return True
    if out.is_symlink() or not out.is_dir():
        return False
    try:
        entries = list(os.scandir(out))
    except OSError:
        return False
    if not entries:
        return True
    try:
        manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and manifest.get("generator") == "isoready" and "files" in manifest


def render_with_pelican(site: SiteView, project: Project, tmp: Path, opts: Options, plan: Any = None) -> list[Written]:
    from .pelican_plugin import run_pelican

    return run_pelican(opts.root, tmp, site, project, plan)


def render_plain(site: SiteView, project: Project, tmp: Path, opts: Options, plan: Any = None) -> list[Written]:
    from .render import render_site

    return render_site(site, tmp, theme_dir(opts.root), project.root / EVIDENCE_DIR, plan)
