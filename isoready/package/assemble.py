"""Assembling one portal from a project: the pipeline up to the view-models, and everything of a site that
is not a templated page (documents, logo, exports, search index, manifest).

Shared by ``package.build`` (which runs Pelican on a prepared site and swaps the result in) and by the
Pelican plugin in a direct ``pelican`` run (which prepares the site itself). Imports nothing of Pelican and
neither of those two modules, so the imports run one way: package -> pelican_plugin -> assemble -> render.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

from isoready.outputs import export
from isoready.package.documents import copy_documents
from isoready.gitfacts import gitdata
from isoready.assess import AssessMemo, Readiness, assess, assess_kept
from isoready.read.catalog import load_catalog
from isoready.core import i18n
from isoready.core.diagnostics import Diagnostic, errors
from isoready.gitfacts.diff import since_last_audit
from isoready.gitfacts.history import NO_GIT, GitFacts, history
from isoready.model import Project, fold_name
from isoready.read.integrated import project_for, resolve
from isoready.read.options import Options
from isoready.render.pages import Written, forget_chrome, write_bytes
from isoready.core.text import MAX_MARKDOWN_BYTES
from isoready.validate.project import EVIDENCE_DIR, read_project
from isoready.views import SiteView, build_export, build_site
from isoready.views.site import portal_folder, with_standards

MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"


class PageError(Exception):
    """Team-written pages with problems: carries diagnostics, like a project with errors."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        from isoready.core.diagnostics import report

        super().__init__(report(diagnostics))
        self.diagnostics = diagnostics


def git_commit(root: Path) -> str:
    """The commit the inputs come from ('' outside git); ISOREADY_COMMIT overrides."""
    if "ISOREADY_COMMIT" in os.environ:
        return os.environ["ISOREADY_COMMIT"]
    try:
        proc = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=root, capture_output=True, text=True,
                              timeout=10, env=gitdata.git_env())
    except (OSError, subprocess.SubprocessError):
        return ""
    if proc.returncode != 0 or not proc.stdout.strip():
        return ""
    return proc.stdout.strip() + ("-dirty" if dirty(root) else "")


#: what a build reads from the project: a change here that is not committed makes the build '<commit>-dirty'
INPUTS = ("evidence", "content", "theme", "pelicanconf.py")


def dirty(root: Path) -> bool:
    """True when the build's inputs hold uncommitted changes (untracked files included), or files git ignores
    (``ignored_inputs``): either way the commit alone cannot rebuild what this build read."""
    try:
        proc = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all", "--", *INPUTS], cwd=root,
                              capture_output=True, text=True, timeout=30, env=gitdata.git_env())
    except (OSError, subprocess.SubprocessError):
        return False
    return proc.returncode == 0 and (bool(proc.stdout.strip()) or bool(ignored_inputs(root)))


def ignored_inputs(root: Path) -> list[str]:
    """The files under the build's inputs that ``.gitignore`` hides from git but the build reads, relative to the
    project, sorted. Hidden names are left out (the reader skips them), but for ``content/extra/``, which is
    published as it is (``.nojekyll``)."""
    try:
        top = subprocess.run(["git", "rev-parse", "--show-prefix"], cwd=root, capture_output=True, timeout=30,
                             env=gitdata.git_env())
        proc = subprocess.run(["git", "status", "--porcelain", "-z", "--ignored=traditional", "--untracked-files=all",
                               "--", *INPUTS], cwd=root, capture_output=True, timeout=30,
                              env=gitdata.git_env())
    except (OSError, subprocess.SubprocessError):
        return []
    if top.returncode != 0 or proc.returncode != 0:
        return []
    prefix = top.stdout.decode("utf-8", "surrogateescape").strip()
    found = []
    for item in proc.stdout.decode("utf-8", "surrogateescape").split("\0"):
        if not item.startswith("!! "):
            continue
        rel = item[3:]
        if not rel.startswith(prefix) or rel.endswith("/"):
            continue
        rel = rel[len(prefix):]
        if rel.startswith("content/extra/") or not any(part.startswith(".") for part in rel.split("/")):
            found.append(rel)
    return sorted(found)


def ignored_warnings(root: Path) -> list[Diagnostic]:
    """W123 for each input file git ignores: the build is marked ``<commit>-dirty``."""
    return [Diagnostic(rel, 1, 1, "W123", "git ignores this file, but the build reads it: the build is marked "
                                          "'<commit>-dirty', since the commit alone cannot rebuild it",
                       "commit it, or move it out of the register") for rel in ignored_inputs(root)]


def check(opts: Options, known: Optional[dict] = None, integrated: bool = False,
          on_read: Optional[Callable[[Any], None]] = None) -> tuple[Optional[Project], list[Diagnostic]]:
    """Load and validate only (``known``: the build cache's per-file results, updated in place).
    ``integrated``: an integrated system's whole project (``read_project``), not the primary standard's view.
    ``on_read(language)``: called with the build's language once every file is read, before the checks."""
    told = (lambda org: on_read(opts.language or org.language)) if on_read is not None else None
    project, diags = read_project(opts.root, load_catalog(), opts.as_of, opts.max_yaml_bytes, known,
                                  opts.max_markdown_bytes, integrated=integrated,
                                  max_register_rows=opts.max_register_rows, max_register_bytes=opts.max_register_bytes,
                                  on_read=told)
    return project, diags


def blocked(diags: list[Diagnostic], strict: bool) -> bool:
    return bool(errors(diags)) or (strict and bool(diags))


def assess_with_git(opts: Options, project: Project,
                    judged: Optional[AssessMemo] = None) -> tuple[Readiness, GitFacts]:
    """The assessment, fed with the facts git holds (revisions), and those facts for the site as data: the
    readiness history (cached) and this build compared with the last audit's commit, when organisation.yaml
    names one. Views word them; they read no git and compare nothing.

    A build pinned to a given commit (golden tests) reads no git facts: it is built as if without git.
    ``judged``: serve's last assessment (``assess.assess_kept``), handed back when no rule would see the change."""
    repo = gitdata.open_repo(opts.root) if opts.commit is None else None
    if repo is None:
        return assess_kept(judged, project, opts.as_of), NO_GIT
    revisions = gitdata.file_revisions(repo)
    readiness = assess_kept(judged, project, opts.as_of, revisions, gitdata.assessment_statuses(repo))
    return readiness, _git_facts(opts, repo, project, readiness, revisions)


def _git_facts(opts: Options, repo: gitdata.Repo, project: Project, readiness: Readiness, revisions: Any,
               standard: Optional[str] = None) -> GitFacts:
    """The readiness history and the comparison with the last audit's commit, of the primary standard, or
    (``standard``) of another standard of an integrated system, each commit seen as that standard sees it."""
    last = project.organisation.last_audit
    since = None
    if last:
        try:
            since = since_last_audit(repo, last, project, readiness, revisions, opts.max_markdown_bytes, standard)
        except ValueError:  # names nothing here (a shallow clone may lack it): the page says so
            pass
    past = history(repo.root, use_cache=opts.use_cache, last_audit=last or "",
                   max_markdown_bytes=opts.max_markdown_bytes, standard=standard).until(opts.as_of)
    warnings = set(past.warnings) | set(since.warnings if since else ())
    return GitFacts(True, revisions, past, last, since, tuple(sorted(warnings)))


def prepare(opts: Options, known: Optional[dict] = None, memo: Optional[dict] = None,
            views: Any = None) -> tuple[Optional[SiteView], Optional[Project], list[Diagnostic]]:
    """load -> validate -> assess -> views; (None, ...) when the build must stop. An integrated system gives its
    primary standard's site here, with no switcher (``prepare_portals`` gives every standard's).

    ``known``: the reader's per-file results (the build cache's, or ``serve``'s ``reader.ParseCache`` in
    memory); ``memo``: the documents' hashes kept between builds (``hash_documents``); ``views``: serve's
    ``ViewMemo`` (builders whose inputs are unchanged are not run)."""
    portals, project, diags = prepare_portals(opts, known, memo, every=False, views=views)
    return (portals[0].site if portals else None), project, diags


@dataclass(frozen=True)
class Portal:
    """One standard's portal of a build: the primary standard's at the site root (``folder`` ""), each other
    standard of an integrated system in its own folder, complete (pages, documents, theme, exports)."""

    standard: str
    folder: str
    site: SiteView
    project: Project  # the project as this standard sees it (integrated.project_for)


def prepare_portals(opts: Options, known: Optional[dict] = None, memo: Optional[dict] = None,
                    every: bool = True, views: Any = None,
                    on_read: Optional[Callable[[str], None]] = None,
                    on_export: Optional[Callable[[Any], None]] = None) -> tuple[list[Portal], Optional[Project], list[Diagnostic]]:
    """Every standard's portal, the primary first (``every`` False: the primary's only, with no switcher), the
    primary standard's project and the diagnostics; no portal when the build must stop. One standard: one
    portal at the root, exactly the site ``prepare`` gives. ``views`` (serve's ViewMemo) serves the primary's
    portal; each other standard's has its own memo (``views.portal(standard)``), as its inputs are another
    project's; its ``judged`` (an AssessMemo) the primary standard's last assessment, kept while still true.
    ``on_read(language)``: called with the build's language once every file is read (the build starts
    compiling its templates then, in another process, while this one checks, assesses and builds views).
    ``on_export(export)``: called with the primary portal's export view-model, in the build's language, as soon
    as the views have made it (before the pages' view-models: the build starts the workbook then)."""
    whole, diags = check(opts, known, integrated=True, on_read=on_read)
    whole = speaking_as(whole, opts)
    project = project_for(whole, whole.standard) if whole is not None else None
    if project is None or blocked(diags, opts.strict):
        return [], project, diags
    with i18n.speaking(whole.organisation.language):  # every word the views make, in the build's language
        return _portals(opts, whole, project, diags, memo, every, views, on_export)


def speaking_as(project: Optional[Project], opts: Options) -> Optional[Project]:
    """The project as the build speaks it: ``--language`` (``opts.language``) overrides organisation.yaml's."""
    if project is None or not opts.language or opts.language == project.organisation.language:
        return project
    return replace(project, organisation=replace(project.organisation, language=opts.language))


def _portals(opts: Options, whole: Project, project: Project, diags: list[Diagnostic], memo: Optional[dict],
             every: bool, views: Any, on_export: Optional[Callable[[Any], None]] = None,
             ) -> tuple[list[Portal], Optional[Project], list[Diagnostic]]:
    if opts.commit is None and "ISOREADY_COMMIT" not in os.environ:  # the inputs the commit does not hold
        ignored = ignored_warnings(opts.root)
        diags = diags + ignored
        if ignored and blocked(ignored, opts.strict):
            return [], project, diags
    readiness, git = assess_with_git(opts, project, getattr(views, "judged", None))
    diags = diags + list(git.warnings)  # about commits already made (W120-W122): reported, never blocking
    commit = opts.commit if opts.commit is not None else git_commit(opts.root)
    hashes = hash_documents(whole, memo)  # every standard's documents, each read once
    site = _site(project, readiness, audience=opts.audience, commit=commit, hashes=hashes,
                 git=git, max_markdown_bytes=opts.max_markdown_bytes, memo=views, on_export=on_export)
    standards = whole.standards if every else ()
    portals = [Portal(whole.standard, "", with_standards(site, standards, whole.standard), project)]
    for standard in standards[1:]:
        own = _other_portal(project_for(whole, standard), portal_folder(standard, whole.standard))
        own_readiness = assess_other(opts, own, git, whole.standard)
        own_site = _site(own, own_readiness, audience=opts.audience, commit=commit, hashes=hashes,
                         git=_git_for(opts, own, own_readiness, git, standard),
                         max_markdown_bytes=opts.max_markdown_bytes,
                         memo=views.portal(standard) if views is not None else None)
        portals.append(Portal(standard, portal_folder(standard, whole.standard),
                              with_standards(own_site, standards, standard), own))
    return portals, project, diags


def _site(project: Project, readiness: Readiness, memo: Any = None, on_export: Any = None,
          **options: Any) -> SiteView:
    """The site as view-models in the active language; in another language than English, with readiness.json's
    export made again in English (``SiteView.neutral``): its words stay the same in every language, so that
    switching the language changes nothing in it but its ``language``. ``on_export``: handed the export of the
    active language (``build_site``)."""
    speaking = i18n.active().code
    if speaking == i18n.SOURCE_LANGUAGE:
        return build_site(project, readiness, memo=memo, on_export=on_export, **options)
    # the pages show the standard's own words (titles, guidance, gate titles) in the build's language; the rules
    # were judged on the same catalog in English (a translation changes words only: docs/standards.md)
    spoken = replace(project, catalog=load_catalog(project.catalog.standard, speaking))
    site = build_site(spoken, readiness, memo=memo, on_export=on_export, **options)
    with i18n.speaking(i18n.SOURCE_LANGUAGE):
        return replace(site, neutral=build_export(project, readiness, **options))


def _other_portal(project: Project, folder: str) -> Project:
    """Another standard's project as its portal shows it: published in its folder of the site (``site_url``, which
    the workbook's and the report's links start from)."""
    org = project.organisation
    site_url = f"{org.site_url.rstrip('/')}/{folder}/" if org.site_url else org.site_url
    return replace(project, organisation=replace(org, site_url=site_url))


def _git_for(opts: Options, project: Project, readiness: Readiness, git: GitFacts, standard: str) -> GitFacts:
    """Another standard's git facts: the same revisions, and its own readiness trend and comparison with the
    last audit's commit (each commit's project as that standard sees it). The commits' warnings (W120-W122)
    are the primary standard's to report: the same commits are read."""
    repo = gitdata.open_repo(opts.root) if git.available else None
    if repo is None:
        return git
    facts = _git_facts(opts, repo, project, readiness, git.revisions, standard)
    return replace(facts, warnings=())


def assess_other(opts: Options, project: Project, git: GitFacts, primary: str) -> Readiness:
    """Another standard's assessment: the same rules, fed with the same git facts (each file's revisions, and the
    statuses the assessments had, as that standard names its clauses)."""
    if not git.available:
        return assess(project, opts.as_of)
    repo = gitdata.open_repo(opts.root)
    log = gitdata.assessment_statuses(repo) if repo is not None else {}
    statuses = {}
    for ref, entries in log.items():
        number = resolve(str(ref), project.standard, primary)
        if number is not None:
            statuses.setdefault(number, entries)
    return assess(project, opts.as_of, git.revisions, statuses)


def hash_documents(project: Project, memo: Optional[dict] = None) -> dict[str, tuple[int, str]]:
    """(size, SHA-256) of every document a record points at, each read once.

    ``memo`` (a long-lived process's, updated in place) maps a document to its stats when read and its
    (size, SHA-256): a document whose stats (mtime, size, inode) are unchanged is not read again."""
    base = os.path.join(str(project.root), EVIDENCE_DIR)  # str paths: a Path per document was a tenth of it
    out: dict[str, tuple[int, str]] = {}
    kept: dict = {}
    for e in project.evidence:
        if e.file and e.file not in out:
            path = os.path.join(base, e.file)
            key = None
            if memo is not None:
                key = _doc_key(path)
                if e.file in memo and memo[e.file][0] == key:
                    out[e.file] = kept[e.file] = memo[e.file][1]
                    continue
            with open(path, "rb") as f:
                data = f.read()
            out[e.file] = (len(data), hashlib.sha256(data).hexdigest())
            kept[e.file] = out[e.file]
            if memo is not None:
                memo[e.file] = (key, out[e.file])
    if memo is not None:
        for gone in set(memo) - set(kept):
            del memo[gone]
    return out


def _doc_key(path: "Path | str") -> tuple[int, int, int]:
    st = os.stat(path)
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def hash_memo(root: Path, hashes: dict[str, tuple[int, str]]) -> dict:
    """A ``hash_documents`` memo from hashes a build just made (documents relative to evidence/): each with its
    stats now. A document changed since must be dropped from it by whoever saw the change."""
    memo = {}
    for name, value in hashes.items():
        try:
            memo[name] = (_doc_key(Path(root) / EVIDENCE_DIR / name), value)
        except OSError:
            continue
    return memo


def same_document(root: Path, memo: dict, name: str) -> bool:
    """True when document ``name`` (relative to evidence/) still holds the bytes ``memo`` hashed; its stats are
    then taken again."""
    if name not in memo:
        return False
    path = Path(root) / EVIDENCE_DIR / name
    try:
        key, data = _doc_key(path), path.read_bytes()
    except OSError:
        return False
    if (len(data), hashlib.sha256(data).hexdigest()) != memo[name][1]:
        return False
    memo[name] = (key, memo[name][1])
    return True


def write_assets(site: SiteView, project: Project, out: Path,
                 reuse: Optional[Callable[[str, str], Optional[Written]]] = None,
                 pages: Sequence[Any] = (), exports: bool = True, documents: bool = True,
                 search: Optional[str] = None) -> list[Written]:
    """Everything that is not a templated page: documents (unless ``documents`` is False: ``write_documents``),
    logo, search index (which also lists ``pages``, the team-written pages of this build; ``search``: its site
    entries made beforehand, ``search_json``) and, unless ``exports`` is False, ``write_exports``."""
    written = write_documents(site, project, out, reuse) if documents else []
    if site.logo_url and project.organisation.logo:
        written.append(write_bytes(out, site.logo_url, (project.root / "content" / project.organisation.logo).read_bytes()))
    listed = [p for p in pages if getattr(p, "listed", True)]  # hidden team pages are not searchable
    with i18n.speaking(site.chrome.language):  # its labels ("Clause", "State") in the build's language
        index = export.search_index_js(site.export, listed, search)
    written.append(write_bytes(out, SEARCH_INDEX, index.encode()))
    if exports:
        written += write_exports(site, out)
    return written


def write_documents(site: SiteView, project: Project, out: Path,
                    reuse: Optional[Callable[[str, str], Optional[Written]]] = None) -> list[Written]:
    """Every document of the site at its planned path: the previous build's where ``reuse`` hard-links it, else
    copied (``copy_documents``). Needs nothing from the pages: ``package.build`` runs it while they render. The
    sizes and SHA-256 are the views' (each document was hashed once, when read): nothing is read again."""
    written: list[Written] = []
    to_copy = []
    for doc in site.documents:
        fingerprint = "doc:" + doc.sha256
        done = reuse(doc.path, fingerprint) if reuse else None
        if done is None:
            to_copy.append((doc.source, doc.path))
            done = Written(doc.path, doc.size, doc.sha256, fingerprint)
        written.append(done)
    copy_documents(project.root / EVIDENCE_DIR, out, to_copy)
    return written


def search_json(site: SiteView) -> str:
    """The search index's entries of the site's own pages (``write_assets``' ``search``), in the build's language."""
    with i18n.speaking(site.chrome.language):
        return export.search_json(site.export)


def write_exports(site: SiteView, out: Path, workbook: bool = True) -> list[Written]:
    """The files made from the export view alone (not from the pages): README, readiness.json, the CSV, the
    XLSX workbook (unless ``workbook`` is False: ``workbook_made``), the JSON Schema and history.json.
    ``package.build`` writes them in background processes while the pages render, the workbook in one of its
    own (the longest of them: openpyxl's write-only mode spends its time per cell)."""
    with i18n.speaking(site.chrome.language):  # the build's language, in the background process too
        return _write_exports(site, out, workbook)


def _write_exports(site: SiteView, out: Path, workbook: bool) -> list[Written]:
    from isoready.outputs.contract import schema_text

    written = []
    makers = (lambda: readme_text(site).encode(), lambda: export.readiness_json_parts(site.neutral or site.export),
              lambda: export.checklist_csv(site.export).encode(), lambda: _workbook_bytes(site),
              lambda: schema_text("readiness").encode())
    for rel, make in zip(EXPORTS, makers):
        if rel != WORKBOOK or workbook:
            written.append(write_bytes(out, rel, make()))
    if site.export.history is not None:  # readiness per commit, when the build had git history
        written.append(write_bytes(out, HISTORY, (json.dumps(site.export.history, indent=1, sort_keys=True)
                                                  + "\n").encode()))
    return written


def _workbook_bytes(site: SiteView) -> bytes:
    from isoready.outputs import xlsx

    return xlsx.workbook_bytes(site.export)


def workbook_made(export: Any, language: str) -> bytes:
    """The checklist workbook's bytes from the export's view-model alone, in ``language`` (the build's), for a
    build that writes it apart from the other exports (``write_exports(workbook=False)``): made before the rest
    of the site's view-models are (``package.build``)."""
    from isoready.outputs import xlsx

    with i18n.speaking(language):
        return xlsx.workbook_bytes(export)


#: the switcher's style of an integrated system's portals (package data outside the theme's static files, so a
#: single-standard portal ships exactly the files it did)
SWITCHER_CSS = "theme/css/switcher.css"
_SWITCHER_SOURCE = Path(__file__).resolve().parents[1] / "theme" / "standards" / "switcher.css"


def switcher_css(out: Path) -> list[Written]:
    """The switcher's style, written into one portal of an integrated system, unless the project's own theme
    has one (its theme/static/css/switcher.css, already copied: a project's theme overrides file by file)."""
    if (out / SWITCHER_CSS).exists():
        return []
    return [write_bytes(out, SWITCHER_CSS, _SWITCHER_SOURCE.read_bytes())]


def render_portal(portal: Portal, render: Any, opts: Options, tmp: Path) -> list[Written]:
    """Another standard's portal, complete in its folder: its pages (through the same renderer), its documents,
    theme, search index and exports, and the switcher's style. Every path in the written list is from the site
    root, for the manifest."""
    folder = tmp / portal.folder
    folder.mkdir()
    forget_chrome()  # the header and footer rendered so far are another standard's
    try:
        written, content = render(portal.site, portal.project, folder, opts, None)
    finally:
        forget_chrome()
    written = list(written) + write_assets(portal.site, portal.project, folder, pages=content)
    written += switcher_css(folder)
    return [replace(w, path=f"{portal.folder}/{w.path}") for w in written]


#: the files write_exports makes, in its order (history.json only with git history), and the other files of the
#: portal's own that are not pages: the plan of output paths (``planned``) takes them from here
EXPORTS = ("README.txt", "readiness.json", "checklist.csv", "checklist.xlsx", "schema/readiness.schema.json")
WORKBOOK = "checklist.xlsx"
HISTORY = "history.json"
SEARCH_INDEX = "search-index.js"
PDF = "report.pdf"  # printed into the site by ``report`` and ``archive`` (pdf.py)
THEME_FOLDER = "theme"  # the theme's static files, copied by the renderer


@dataclass(frozen=True)
class Planned:
    """One file the build will write: its path in the site, and who asked for it (``where`` is empty for the
    portal's own files)."""

    path: str
    where: str = ""
    line: int = 1
    label: str = ""

    @property
    def label_text(self) -> str:
        return self.label or f"the portal's own {self.path}"


def planned(site: SiteView, project: Project, extra: Sequence[str] = (), content: Sequence[Any] = ()) -> list[Planned]:
    """Every path the build will write, from the pages the views planned (and the documents, exports, theme
    files and the team's extra files): what ``output_collisions`` judges, in validate and build alike.
    ``content``: the team-written pages (render.ContentPage), which only a build reads (through Pelican)."""
    evidence = {e.id: e for e in project.evidence}
    findings = {f.id: f for f in project.findings}
    plan: list[Planned] = []
    for page in site.pages:
        model = page.model
        if page.template == "document" and page.markdown:
            plan.append(Planned(page.path, f"{EVIDENCE_DIR}/{page.markdown}", 1,
                                f"the page of document '{page.markdown}'"))
        elif page.template == "evidence" and getattr(model, "id", None) in evidence:
            e = evidence[model.id]
            plan.append(Planned(page.path, e.loc.path or e.source, e.loc.line or 1, f"the page of evidence '{e.id}'"))
        elif page.template == "finding" and getattr(model, "id", None) in findings:
            f = findings[model.id]
            plan.append(Planned(page.path, f.loc.path or f.source, f.loc.line or 1, f"the page of finding '{f.id}'"))
        else:
            plan.append(Planned(page.path))
    for doc in site.documents:
        plan.append(Planned(doc.path, f"{EVIDENCE_DIR}/{doc.source}", 1, f"document '{doc.source}'"))
    if site.logo_url:
        plan.append(Planned(site.logo_url))
    plan += [Planned(name) for name in (*EXPORTS, HISTORY, SEARCH_INDEX, PDF, MANIFEST, SUMS)]
    from isoready.render.pages import theme_dirs

    for theme in theme_dirs(project.root):
        static = theme / "static"
        if static.is_dir():
            plan += [Planned(f"{THEME_FOLDER}/{rel}") for rel in site_files(static)]
    plan += [Planned(rel, f"content/extra/{rel}", 1, "extra file") for rel in extra]
    return plan + planned_content(content)


def planned_content(content: Sequence[Any]) -> list[Planned]:
    """The paths of the team-written pages (render.ContentPage)."""
    return [Planned(page.url, page.source, 1, f"the page '{page.source}'") for page in content]


def content_collisions(plan: Sequence[Planned], content: Sequence[Any]) -> list[Diagnostic]:
    """``output_collisions`` of ``plan`` (judged already) with the team-written pages added, judged only where
    they can collide: two paths collide only within one top folder (one path, or one inside the other), so the
    entries of the pages' top folders are judged with them, not the whole site again."""
    pages = planned_content(content)
    if not pages:
        return []
    tops = {fold_name(p.path.split("/")[0]) for p in pages}
    return output_collisions([p for p in plan if fold_name(p.path.split("/")[0]) in tops] + pages)


class _Unhashed(dict):
    """Documents' (size, SHA-256) when only their paths matter: nothing is read."""

    def __missing__(self, key: str) -> tuple[int, str]:
        return (0, "")

    def __bool__(self) -> bool:  # an empty dict is false, and views would take a plain {} instead
        return True


def planned_portals(others: Sequence[Portal]) -> list[Planned]:
    """The other standards' portals' paths, each in its folder: the portal's own names, so a team's extra file
    in one of these folders is refused (E320) and nothing of the team's is told twice."""
    plan = [Planned(SWITCHER_CSS)] if others else []
    for portal in others:
        plan += [Planned(f"{portal.folder}/{p.path}") for p in planned(portal.site, portal.project)]
        plan.append(Planned(f"{portal.folder}/{SWITCHER_CSS}"))
    return plan


def check_outputs(project: Project, as_of: Any, extra: Sequence[str] = (),
                  max_markdown_bytes: int = MAX_MARKDOWN_BYTES) -> list[Diagnostic]:
    """``validate``'s check of the output paths: the views plan the site for the internal audience (every
    record's pages: the most any build writes) and ``output_collisions`` judges it, as ``build`` does.
    ``project``: an integrated system's whole project (``read_project(integrated=True)``), whose other
    standards' portals are planned in their folders, as ``build`` plans them (``planned_portals``)."""
    primary = project_for(project, project.standard)

    def plan_site(own: Project) -> SiteView:
        return build_site(own, assess(own, as_of), audience="internal", hashes=_Unhashed(),
                          max_markdown_bytes=max_markdown_bytes)

    others = []
    for standard in project.standards[1:]:
        folder = portal_folder(standard, project.standard)
        own = _other_portal(project_for(project, standard), folder)
        others.append(Portal(standard, folder, plan_site(own), own))
    return output_collisions(planned(plan_site(primary), primary, extra) + planned_portals(others))


def output_collisions(plan: Sequence[Planned]) -> list[Diagnostic]:
    """The paths of one plan that no system could hold apart: a name no system can hold, in any folder of
    the path (E321-E323: a dot or space at the end, a reserved name), names differing only in letter case or
    Unicode normalisation (E307), one path needed twice, as a file and as a folder or as two files (E324),
    and an extra file taking the portal's own name or folder (E320). Each problem is told once, at
    the team's file that causes it (of two, the later)."""
    import re
    import unicodedata

    from isoready.validate.checks import name_problem

    diags: list[Diagnostic] = []
    told: set[tuple[str, int]] = set()

    def tell(p: Planned, code: str, message: str, hint: str) -> None:
        if p.where and (p.where, p.line) not in told:
            told.add((p.where, p.line))
            diags.append(Diagnostic(p.where, p.line, 1, code, message, hint))

    extra_hint = "rename it or move it to another folder under content/extra/"
    portal_folders = {fold_name(p.path.split("/")[0]) for p in plan if "/" in p.path and p.label != "extra file"}
    judged: dict[str, Any] = {}  # folder names repeat: each judged once
    for p in plan:
        if not p.where:  # the portal's own names are ours to choose
            continue
        problem = None
        for part in p.path.split("/"):
            if part not in judged:
                judged[part] = name_problem(part)
            problem = problem or judged[part]
        if problem:  # ends in a dot or space, reserved, invisible characters, too long
            tell(p, problem[0], f"{p.label_text} would be published as {p.path}: {problem[1]}", problem[2])
        elif p.label == "extra file" and (("/" in p.path and fold_name(p.path.split("/")[0]) in portal_folders)
                                          or re.fullmatch(r"evidence-\d+\.html", fold_name(p.path))):
            tell(p, "E320", f"extra file would replace the portal's own {p.path}", extra_hint)
    files: dict[str, Planned] = {}
    for p in sorted(plan, key=lambda p: (bool(p.where), p.where, p.line, p.path)):  # the portal's own first
        first = files.setdefault(fold_name(p.path), p)
        if first is p or first == p:
            continue
        nfc = unicodedata.normalize("NFC", first.path) == unicodedata.normalize("NFC", p.path)
        if "extra file" in (p.label, first.label):  # the extra file gives way, to the portal and the team's pages
            extra, other = (p, first) if p.label == "extra file" else (first, p)
            tell(extra, "E320", f"extra file would replace {other.label_text}" + (
                "" if first.path == p.path else f" on macOS and Windows, where {extra.path} and {other.path} are one "
                "name"), extra_hint)
        elif first.path == p.path:
            tell(p, "E324", f"{p.label_text} would be published as {p.path}, which {first.label_text} also writes"
                 + _at(first), "rename one of the two")
        elif nfc:
            tell(p, "E307", f"{p.label_text} would be published as {p.path}, which differs only in Unicode "
                 f"normalisation (NFC/NFD) from {first.path}, {first.label_text}" + _at(first),
                 "the two would be one file on macOS; rename one")
        else:
            tell(p, "E307", f"{p.label_text} would be published as {p.path}, which differs only in letter case from "
                 f"{first.path}, {first.label_text}" + _at(first),
                 "the two would overwrite each other on macOS and Windows; rename one")
    for p in sorted(plan, key=lambda p: (p.where, p.line, p.path)):  # one path as a file and as a folder
        parts = p.path.split("/")
        for n in range(1, len(parts)):
            folder = "/".join(parts[:n])
            holder = files.get(fold_name(folder))
            if holder is None:
                continue
            if holder.label == "extra file" and p.label != "extra file":  # a folder the site needs
                tell(holder, "E320", f"extra file would replace the portal's own folder {folder}/", extra_hint)
            elif p.where:
                tell(p, "E324", f"{p.label_text} would be published as {p.path}, inside a folder {folder}, which is "
                     f"{holder.label_text}" + _at(holder), "rename one of the two")
            else:
                tell(holder, "E324", f"{holder.label_text} would be published as {holder.path}, which the portal "
                     f"needs as a folder for its own {p.path}", "rename it")
            break
    return sorted(diags)


def _at(p: Planned) -> str:
    return f" ({p.where}:{p.line})" if p.where else ""


def readme_text(site: SiteView) -> str:
    top = site.chrome.manifest_url[:-len(MANIFEST)]  # "../" in another standard's portal of an integrated system
    where = ("in the site's top folder, one up from here\n(its manifest.json covers the portal of every standard)"
             if top else "in this folder")
    # an integrated system names each portal's standard; a single standard's README keeps its words
    title = f"{site.chrome.standard} certification" if site.chrome.standards else f"{site.chrome.family} certification"
    return (f"{title} readiness portal: {site.organisation}\n"
            f"As of {site.as_of}, built for the {site.audience} audience"
            + (f" from commit {site.commit}" if site.commit else "") + ".\n\n"
            "Open index.html in a web browser. Everything works offline, from disk; nothing is fetched.\n\n"
            "checklist.xlsx is the audit checklist workbook (one row per clause, columns for the auditor's\n"
            "sampling, conformity and notes; findings and the evidence register with SHA-256 on their own sheets).\n"
            "report.pdf, when present, is the printable readiness report (report.html as PDF).\n\n"
            f"To check that no file was changed since the portal was built, run {where}:\n"
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
    manifest, sums = manifest_bytes(site, entries)
    (out / MANIFEST).write_bytes(manifest)
    (out / SUMS).write_bytes(sums)
    return files + [MANIFEST, SUMS]


def manifest_bytes(site: SiteView, entries: list[dict]) -> tuple[bytes, bytes]:
    """manifest.json and SHA256SUMS for ``entries`` ({path, size, sha256}, sorted by path; neither file itself)."""
    head = {"generator": "isoready", "organisation": site.organisation, "as_of": site.as_of, "audience": site.audience,
            "commit": site.commit or None}
    return ((manifest_json(head, entries) + "\n").encode("utf-8"),
            "".join(f"{e['sha256']}  {e['path']}\n" for e in entries).encode("utf-8"))


#: how ``json.dumps(..., indent=1)`` lays out one file of the manifest (at 19,000 files its pure-Python encoder,
#: which any indent selects, was a tenth of a second on one core at the end of a build)
_ENTRY = '  {{\n   "path": {},\n   "size": {},\n   "sha256": {}\n  }}'


def manifest_json(head: dict, entries: list[dict]) -> str:
    """``json.dumps({**head, "files": entries}, indent=1, ensure_ascii=False)``, the same text, each entry's
    strings through the C encoder: entries of exactly a str path, an int size and a str sha256; anything else
    through ``json.dumps`` itself."""
    whole = {**head, "files": entries}
    if not entries or not all(type(e) is dict and list(e) == ["path", "size", "sha256"] and type(e["path"]) is str
                              and type(e["size"]) is int and type(e["sha256"]) is str for e in entries):
        return json.dumps(whole, indent=1, ensure_ascii=False)
    text = json.dumps({**head, "files": []}, indent=1, ensure_ascii=False)
    quote = json.encoder.encode_basestring  # ensure_ascii=False's string encoder (C where available)
    files = ",\n".join(_ENTRY.format(quote(e["path"]), e["size"], quote(e["sha256"])) for e in entries)
    if not text.endswith('"files": []\n}'):  # "files" is the last key: never, but then the plain way
        return json.dumps(whole, indent=1, ensure_ascii=False)
    return text[:-len('[]\n}')] + "[\n" + files + "\n ]\n}"


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
