"""Local preview: serve on 127.0.0.1, build, rebuild when the sources change, reload the open page.

- The port is taken before anything is built: a busy port is reported at once (exit 2).
- The preview is built into its own folder (``ROOT/.cache/isoready/preview`` unless ``--output``), so an
  internal preview never replaces an auditor ``output/``.
- ``watchfiles`` (installed with Pelican) watches evidence/, content/, theme/ and pelicanconf.py.
- After each successful rebuild the reload generation goes up; HTML served by ``serve`` (and only by it:
  the built files never contain it) carries ``<script src="/__isoready_reload.js">``, which polls the
  generation with a script tag (the pages' Content-Security-Policy allows scripts from the site itself,
  but no fetch) and reloads the page when it changes. ``/__isoready_reload`` answers the generation as text.
- A build with errors prints them and keeps serving the last good site. The served pages show them too: the
  poll's answer carries the failed build's diagnostics (file, line, code, message, hint) as JSON, and the
  snippet lays an overlay over the page, built with ``textContent`` only (a message quotes team-written
  values: ``<script>`` in one shows as text). The next good build reloads the page, and the overlay is gone.
  Nothing of this is in the built files: output/ stays byte-identical to a build.
- Safety (issue 14): only requests whose ``Host`` is ``localhost``, ``127.0.0.1`` or ``[::1]`` (with or
  without the port) are answered; any other name gets 421 Misdirected Request and no byte of the site, which
  closes the door DNS rebinding needs. Every response carries ``X-Content-Type-Options: nosniff`` and the
  site's Content-Security-Policy as headers. A port outside 1..65535 is a usage error (exit 2).
- Same origin only (issue 19): every response carries ``Cross-Origin-Resource-Policy: same-origin``, so a page
  on another origin (another port of 127.0.0.1, or ``localhost``) cannot include ``search-index.js`` with a
  ``<script>`` tag and read the records; and a request whose ``Sec-Fetch-Site`` says ``cross-site`` or
  ``same-site`` (the browser's word for "another page asked for this") gets 403 and a one-line text body,
  navigation included. ``same-origin``, ``none`` (typed in, a bookmark, the link serve prints) and no header at
  all (curl, old browsers) are served.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import queue
import sys
import threading
import webbrowser
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Optional
from urllib.parse import urlsplit

from isoready.cli.servememo import HEAP_SWEEP, keep_heap, no_collection, same, share_records, umask, warm_templates
from isoready.core.diagnostics import report

PREVIEW = Path(".cache") / "isoready" / "preview"
RELOAD_PATH = "/__isoready_reload"
RELOAD_TAG = b'<script src="/__isoready_reload.js"></script>'
RELOAD_JS = """(function () {
  var seen = null, shown = null, ID = "isoready-build-errors";
  function css(el, rules) {  // CSSOM, which the pages' style-src 'self' allows (a style attribute it would not)
    for (var k in rules) { el.style[k] = rules[k]; }
    return el;
  }
  function add(parent, tag, text, rules) {
    var el = document.createElement(tag);
    if (text) { el.textContent = text; }  // text only, never markup: messages quote what the team wrote
    if (rules) { css(el, rules); }
    parent.appendChild(el);
    return el;
  }
  function overlay(failure) {
    var key = failure ? JSON.stringify(failure) : null;
    if (key === shown) { return; }
    shown = key;
    var old = document.getElementById(ID);
    if (old) { old.remove(); }
    if (!failure) { return; }
    var box = css(document.createElement("section"), {position: "fixed", left: "0", right: "0", bottom: "0",
      zIndex: "2147483647", maxHeight: "60vh", overflow: "auto", margin: "0", padding: "1rem 1.25rem",
      background: "#fff", color: "#1a1a1a", borderTop: "6px solid #b00020", boxShadow: "0 -2px 12px rgba(0,0,0,.35)",
      font: "15px/1.45 system-ui, sans-serif", textAlign: "left"});
    box.id = ID;
    box.setAttribute("role", "alert");
    box.setAttribute("aria-labelledby", ID + "-h");
    var close = add(box, "button", failure.close, {float: "right", font: "inherit", padding: ".2rem .6rem"});
    close.type = "button";
    close.addEventListener("click", function () { box.remove(); });
    var h = add(box, "h2", failure.title, {margin: "0 0 .4rem", fontSize: "1.15rem", color: "#b00020"});
    h.id = ID + "-h";
    add(box, "p", failure.note, {margin: "0 0 .6rem"});
    var list = add(box, "ul", "", {margin: "0", paddingLeft: "1.2rem"});
    failure.items.forEach(function (d) {
      var li = add(list, "li", "", {margin: "0 0 .4rem"});
      li.className = "isoready-diagnostic";
      add(li, "code", d.file + (d.line ? ", line " + d.line : ""), {fontWeight: "bold"}).className = "isoready-where";
      li.appendChild(document.createTextNode(" "));
      add(li, "span", d.code, {fontWeight: "bold"}).className = "isoready-code";
      li.appendChild(document.createTextNode(" "));
      add(li, "span", d.message).className = "isoready-message";
      if (d.hint) { add(li, "span", " (" + d.hint + ")", {color: "#444"}).className = "isoready-hint"; }
    });
    if (failure.more) { add(box, "p", failure.more, {margin: ".4rem 0 0"}); }
    document.body.appendChild(box);
  }
  window.__isoreadyGeneration = function (n, failure) {
    if (seen === null) { seen = n; } else if (n !== seen) { location.reload(); return; }
    overlay(failure || null);
  };
  function poll() {
    var s = document.createElement("script");
    s.src = "/__isoready_reload.js?poll=" + Date.now();
    s.onload = s.onerror = function () { s.remove(); };
    document.head.appendChild(s);
  }
  poll();
  setInterval(poll, 1000);
})();
"""
#: at most this many diagnostics in the overlay (the terminal has them all)
OVERLAY_MAX = 50
OVERLAY_WORDS = {
    "title": "The last build failed",
    "note": "This page shows the site from the last good build. Fix the problems below and save: "
            "this message goes away after the next good build.",
    "close": "Hide",
}


#: the policy every page also declares in a <meta> tag (theme/templates/base.html); a test keeps them equal
SITE_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'none'; "
            "connect-src 'none'; frame-src 'none'; object-src 'none'; base-uri 'none'; form-action 'self'")
LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]")
#: ``Sec-Fetch-Site`` values of a request another site's page made (fetch metadata, sent by every current browser)
FOREIGN_SITES = ("cross-site", "same-site")
FOREIGN_BODY = b"isoready serve: refused a request made by another site's page; open the preview directly\n"


def local_host(header: Optional[str], port: int) -> bool:
    """True for a Host header naming this machine's loopback (optionally with our port), nothing else."""
    if not header:
        return False
    host = header.strip().lower()
    if host.endswith("."):
        host = host[:-1]
    for name in LOCAL_HOSTS:
        if host == name or host == f"{name}:{port}":
            return True
    return False


def preview_folder(root: Path) -> Path:
    return root / PREVIEW


def overlay_failure(diags) -> dict:
    """What the overlay shows of a failed build: its diagnostics in the terminal's order, as plain values."""
    ordered = sorted(set(diags))
    items = [{"file": d.path, "line": d.line, "code": d.code, "message": d.message, "hint": d.hint}
             for d in ordered[:OVERLAY_MAX]]
    left = len(ordered) - len(items)
    more = f"{left} more {'problem' if left == 1 else 'problems'}: see the terminal." if left else ""
    return {**OVERLAY_WORDS, "items": items, "more": more}


def poll_script(generation: int, failure: Optional[dict]) -> str:
    """The poll's answer: a call with the generation and the failed build's diagnostics (or null).

    JSON is a JavaScript expression; ``<``, ``>`` and ``&`` are escaped as well, so no value can end a script
    element or start markup even where the answer is read as something other than a script.
    """
    data = json.dumps(failure, ensure_ascii=True, sort_keys=True)
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f"window.__isoreadyGeneration({generation}, {data});\n"


class Reloader:
    """The number of successful builds so far, and the diagnostics of a build that failed since the last good
    one (None when the last build was good); the served pages poll both."""

    def __init__(self) -> None:
        self.generation = 0
        self.failure: Optional[dict] = None
        self._lock = threading.Lock()

    def bump(self) -> None:
        with self._lock:
            self.generation += 1
            self.failure = None

    def fail(self, diags) -> None:
        with self._lock:
            self.failure = overlay_failure(diags)


def _build_once(preview: "Preview", fmt: str, changed: Optional[set] = None,
                on_visible: Optional[Callable[[], None]] = None,
                on_failed: Optional[Callable[[list], None]] = None) -> bool:
    """A full build (first time, or a change only a full build can be trusted with) or an incremental one.
    ``on_failed`` gets the diagnostics of a build that failed (the served pages show them)."""
    if changed:
        try:
            ok, diags = preview.update(changed, settle=False)
        except Fallback:
            pass
        else:
            if diags:
                print(report(sorted(set(diags)), github=fmt == "github"))
            if ok:
                print(f"updated in {preview.last_seconds:.2f} s ({preview.opts.out})", flush=True)
                if on_visible is not None:
                    on_visible()  # the open page reloads now; the exports follow
                preview.settle()
            else:  # the state matches the files (with their errors) and the site served: keep going
                print("build failed: still serving the previous site", flush=True)
                if on_failed is not None:
                    on_failed(diags)
            return ok
    result = preview.full()
    if result.diagnostics:
        print(report(result.diagnostics, github=fmt == "github"))
    if result.ok:
        print(f"built {len(result.files)} files into {result.output}", flush=True)
    else:
        print("build failed: still serving the previous site", flush=True)
        if on_failed is not None:
            on_failed(result.diagnostics)
    return result.ok


def handler_class(folder: Path, reloader: Reloader) -> type:
    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, directory=str(folder), **kwargs)

        def log_message(self, format: str, *args) -> None:  # keep the console for diagnostics
            pass

        def end_headers(self) -> None:
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Content-Security-Policy", SITE_CSP)
            self.send_header("Cross-Origin-Resource-Policy", "same-origin")
            super().end_headers()

        def parse_request(self) -> bool:
            if not super().parse_request():
                return False
            if not local_host(self.headers.get("Host"), self.server.server_address[1]):
                # DNS rebinding: a page on another name must not read the (internal) preview
                self.send_error(421 if self.headers.get("Host") else 400,
                                "only localhost, 127.0.0.1 and [::1] are served")
                return False
            if (self.headers.get("Sec-Fetch-Site") or "").strip().lower() in FOREIGN_SITES:
                # another local origin's page (a <script src>, an <img>, a link): it must not read the preview
                self.send_response(403)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(FOREIGN_BODY)))
                self.send_header("Cache-Control", "no-store")
                self.send_header("Connection", "close")
                self.close_connection = True
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(FOREIGN_BODY)
                return False
            return True

        def _send(self, body: bytes, ctype: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            if parts.path == RELOAD_PATH:
                return self._send(f"{reloader.generation}\n".encode(), "text/plain; charset=utf-8")
            if parts.path == RELOAD_PATH + ".js":
                body = poll_script(reloader.generation, reloader.failure) if parts.query else RELOAD_JS
                return self._send(body.encode(), "text/javascript; charset=utf-8")
            target = Path(self.translate_path(self.path))
            if target.is_dir():
                target = target / "index.html"
            if target.suffix == ".html" and target.is_file():
                try:
                    page = target.read_bytes()
                except OSError:
                    return self.send_error(404)
                at = page.rfind(b"</body>")
                page = page[:at] + RELOAD_TAG + page[at:] if at >= 0 else page + RELOAD_TAG
                return self._send(page, "text/html; charset=utf-8")
            return super().do_GET()

        def do_HEAD(self) -> None:
            self.do_GET()

    return Handler


def watch_paths(root: Path) -> list[str]:
    """The project's inputs that exist, watched: the very list a build's dirty check reads (assemble.INPUTS)."""
    from isoready.package.assemble import INPUTS

    return [str(root / name) for name in INPUTS if (root / name).exists()]


class _Watcher(threading.Thread):
    """Watches the sources from before the first build: an edit saved while a build runs is queued, not lost
    (watchfiles only sees changes once its watcher is set up)."""

    def __init__(self, root: Path, stop: threading.Event):
        super().__init__(daemon=True)
        self.root, self.stop = root, stop
        self.changes: "queue.Queue[set]" = queue.Queue()
        self.ready = threading.Event()

    def run(self) -> None:
        from watchfiles import watch

        paths = watch_paths(self.root)
        try:
            if not paths:
                return
            # yield_on_timeout: the first (empty) yield says the watcher is in place
            for changes in watch(*paths, stop_event=self.stop, debounce=50, step=50, raise_interrupt=False,
                                 yield_on_timeout=True, rust_timeout=100):
                self.ready.set()
                if changes:
                    self.changes.put({path for _kind, path in changes})
        finally:
            self.ready.set()

    def next_changes(self) -> Optional[set]:
        """Every change reported so far, merged (None when there is none within a moment)."""
        try:
            changed = self.changes.get(timeout=0.2)
        except queue.Empty:
            return None
        while True:
            try:
                changed |= self.changes.get_nowait()
            except queue.Empty:
                return changed


def _watch(watcher: _Watcher, rebuild, stop: threading.Event) -> None:
    while not stop.is_set():
        changed = watcher.next_changes()
        if changed:
            print("change seen: rebuilding", flush=True)
            rebuild(changed)


def serve(opts, port: int = 8000, open_browser: bool = False, fmt: str = "text",
          max_seconds: Optional[float] = None, stop: Optional[threading.Event] = None) -> int:
    if opts.output is None:  # the preview never replaces output/ (an auditor site, maybe)
        opts = replace(opts, output=preview_folder(opts.root))
    if not isinstance(port, int) or not 1 <= port <= 65535:
        print(f"isoready: error: --port {port} is out of range: give a port from 1 to 65535 (default 8000)",
              file=sys.stderr)
        return 2
    reloader = Reloader()
    preview = Preview(opts)

    class Server(http.server.ThreadingHTTPServer):
        allow_reuse_address = os.name != "nt"
        daemon_threads = True

    try:  # take the port first: a busy port is reported before minutes of building
        httpd = Server(("127.0.0.1", port), handler_class(opts.out, reloader))
    except OSError as exc:
        print(f"isoready: error: cannot listen on 127.0.0.1:{port}: {exc.strerror or exc} (another server is "
              f"using it? choose another with --port)", file=sys.stderr)
        return 2
    started = False
    stop = stop or threading.Event()
    watcher = _Watcher(opts.root, stop)
    watcher.start()
    watcher.ready.wait(timeout=30)  # watching before the first build: what is saved meanwhile is rebuilt after it
    try:
        ok = _build_once(preview, fmt, on_failed=reloader.fail)
        if not ok and not opts.out.exists():
            return 1
        if ok:
            reloader.bump()
        url = f"http://127.0.0.1:{httpd.server_address[1]}/index.html"
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        started = True
        from isoready.package.assemble import INPUTS

        print(f"serving {url} from {opts.out} (Ctrl+C to stop); watching "
              f"{', '.join(INPUTS)}; open pages reload after each rebuild", flush=True)
        if open_browser:
            webbrowser.open(url)
        if max_seconds is not None:
            timer = threading.Timer(max_seconds, stop.set)
            timer.daemon = True
            timer.start()

        def rebuild(changed: Optional[set] = None) -> None:
            generation = reloader.generation
            if _build_once(preview, fmt, changed, on_visible=reloader.bump,
                           on_failed=reloader.fail) and reloader.generation == generation:
                reloader.bump()

        try:
            _watch(watcher, rebuild, stop)
        except KeyboardInterrupt:
            print("stopped")
        return 0
    finally:
        stop.set()  # ends the watcher
        if started:  # shutdown() waits for serve_forever: only once it runs
            httpd.shutdown()
        httpd.server_close()


# --------------------------------------------------------------------------- the incremental preview

#: changes the in-memory path reasons about; anything else (templates, static files, settings, team-written
#: pages, a catalog edition switch, the chrome) takes a full build
class Preview:
    """The preview's state between rebuilds: the build's own caches, kept in memory.

    ``full()`` runs the one-shot build (``package.build``) and keeps what it made. ``update(paths)`` runs the
    same pipeline as that build (``assemble.prepare``: read, validate, assess, views; then the same output
    checks, page renderer, asset writer and manifest) with three caches kept between rebuilds:

    - the reader's per-file results (``reader.ParseCache``): a file whose stats are unchanged is not opened,
      one whose stats moved (or that the watcher reported) has its SHA-256 compared, and only a changed file
      is parsed again;
    - the documents' hashes (``assemble.hash_documents``' memo), by the same stats;
    - every page as rendered, keyed by its inputs (``render.Page``: the template and the page's view-model):
      a page whose inputs equal last time's is not rendered, and only files whose bytes changed are written,
      each through a temporary file renamed over the old one (the browser never sees half a page).

    - each page builder's last view-models (``views.ViewMemo``), keyed by the fingerprints of the inputs it
      reads: a builder whose inputs are unchanged is not run (nor the export view, when nothing changed);
      with the last assessment (``ViewMemo.judged``), kept while the records changed only in words no rule reads.

    Only evidence, documents and content YAML are reasoned about; everything else falls back to ``full()``.
    The result is byte-identical to a cold build (tests/unit/test_serve_incremental.py).
    """

    def __init__(self, opts) -> None:
        from isoready.read.reader import ParseCache
        from isoready.views import ViewMemo

        self.opts = opts
        self.ready = False  # False: the next change takes a full build
        self.job = None
        self.known = ParseCache()  # the reader's per-file results, with each file's stats
        self.memo: dict = {}  # documents (relative to evidence/) -> (stats, (size, SHA-256))
        self.views = ViewMemo()  # each page builder's last view-models, by the fingerprints of what it read
        self.others: dict[str, object] = {}  # another standard -> the SiteView its portal in place was made of
        self.rendered: list[str] = []  # the other standards whose portal the last update rendered
        self.pages: dict[str, object] = {}  # page path -> the Page it was rendered from
        self.planned: dict[str, object] = {}  # page path -> the views' PageView that Page was made of
        self.written: dict[str, tuple[int, str]] = {}  # every file of the site -> (size, SHA-256)
        self.last_seconds = 0.0  # the last update, until its pages were in place
        self._pending = None  # (site, project) whose exports and manifest settle() still has to write
        self.diagnostics: list = []  # of the last good build or update: what a change-free save reports again
        self.last_build = None
        self._exported = None  # the export view and search inputs of the exports in place (settle)
        self._settled = 0  # updates settled since the last full build (every HEAP_SWEEP-th sweeps the heap)

    # ------------------------------------------------------------------ full builds

    def full(self) -> "object":
        from isoready.package.build import build
        from isoready.package.pelican_plugin import Job, run
        from isoready.render.pages import pages
        from isoready.validate.project import EVIDENCE_DIR
        from isoready.views import ViewMemo

        captured: dict = {}

        def render(site, project, tmp, opts, plan=None):
            job = run(Job(site, project, list(pages(site, project.root / EVIDENCE_DIR)), plan), opts.root, tmp)
            captured.setdefault("job", job)  # the primary standard's portal, rendered first (others follow)
            captured.setdefault("sites", []).append(site)
            return job.written, job.content

        self.ready = False
        self._pending = None
        self.others = {}
        self.views = ViewMemo()  # its last assessment too (views.judged), filled by the build
        result = build(self.opts, render=render, views=self.views)
        self.last_build = result
        if result.ok and "job" in captured:
            # each other standard's portal as rendered (with its switcher): an update whose site for it is equal
            # renders it not at all
            self.others = {o.chrome.standard: o for o in captured["sites"][1:]}
            try:
                self._remember(captured["job"], result.output)
            except Exception:  # anything unexpected only costs speed: the next change builds in full
                self.ready = False
        self._settled = 0
        keep_heap(collect=True)
        return result

    def _remember(self, job, out: Path) -> None:
        import json

        from isoready.package.assemble import MANIFEST, hash_memo, output_collisions, planned
        from isoready.package.build import extra_files
        from isoready.package.cache import BuildCache
        from isoready.read.reader import ParseCache
        from isoready.validate.project import prime_documents

        self.job = job
        self.pages = {p.path: p for p in job.pages}
        self.planned = {p.path: p for p in job.site.pages}
        manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        self.written = {e["path"]: (e["size"], e["sha256"]) for e in manifest["files"]}
        # the per-file results the build just checked against every file's bytes and saved (never an older
        # cache: with --no-cache the build saved nothing, and the first update reads every file once)
        # (in memory as the build left them: the same records as the project's, which the view memos compare by
        # identity; read back from the cache folder only when the build gave none)
        results = self.last_build.results if self.last_build is not None else None
        if results is None:
            results = BuildCache.open(self.opts.root).results if self.opts.use_cache else {}
        self.known = ParseCache(results if isinstance(results, dict) else {})
        self.known.prime(self.opts.root, self.opts.max_markdown_bytes)
        share_records(self.known, job.project)
        prime_documents(job.project, self.known, self.opts.max_markdown_bytes)  # W108, W110 per document
        self._exported = (job.site.export, job.site.logo_url)
        self.diagnostics = list(self.last_build.diagnostics) if self.last_build is not None else []
        self.memo = hash_memo(self.opts.root, {d.source: (d.size, d.sha256) for d in job.site.documents})
        warm_templates(job)
        if not self.others:  # the paths the first update will plan, judged now (an edit plans the same paths)
            extra, _refused = extra_files(self.opts.root)
            self._collisions(planned(job.site, job.project, [r for r, _p, _s in extra], job.content), output_collisions)
        self.ready = True

    # ------------------------------------------------------------------ incremental updates

    def _relative(self, raw) -> Optional[str]:
        """A reported path relative to the project root (the watcher may report it through the real path)."""
        path = Path(os.path.abspath(raw))
        for root in (self.opts.root, self.opts.root.resolve()):
            try:
                return path.relative_to(os.path.abspath(root)).as_posix()
            except ValueError:
                continue
        return None

    def can_reason_about(self, changed: set) -> bool:
        for raw in changed:
            rel = self._relative(raw)
            if rel is None:
                return False
            if rel.startswith("evidence/") and not any(part.startswith(".") for part in rel.split("/")):
                continue
            if rel == "content/organisation.yaml" or (
                    rel.startswith(("content/clauses/", "content/findings/")) and rel.endswith((".yaml", ".yml"))):
                continue
            return False  # theme/, pelicanconf.py, content/pages/, anything else
        return True

    def _same_bytes(self, rels: set) -> bool:
        """True when every reported path is a file the caches hold with the very same bytes (an editor's save
        without a change, a touch): the site would come out byte for byte as it is."""
        from isoready.package.assemble import same_document

        root, limit = self.opts.root, self.opts.max_markdown_bytes
        for rel in rels:
            if rel is None or not rel.startswith("evidence/"):
                return False  # content YAML: not cached by bytes, read again
            if not (self.known.same_bytes(root, rel, limit) or same_document(root, self.memo, rel[len("evidence/"):])):
                return False
        return bool(rels)

    def update(self, changed: set, settle: bool = True) -> "tuple[bool, list]":
        """(ok, diagnostics); raises Fallback when only a full build can be trusted.

        The changed pages and documents are in place when it returns; the exports (readiness.json, CSV,
        the XLSX workbook, the search index) and the manifest are rewritten by ``settle()``, at once
        unless ``settle=False`` (serve reloads the open page first: the workbook alone takes most of the time).
        """
        import time as _time

        started = _time.perf_counter()
        if not self.ready or not self.can_reason_about(changed):
            raise Fallback()
        with no_collection():  # an update's garbage is freed by reference counts; cycles wait for settle()
            return self._update(changed, settle, started)

    def _update(self, changed: set, settle: bool, started: float) -> "tuple[bool, list]":
        import time as _time

        from isoready.package.assemble import blocked, output_collisions, planned, planned_portals, prepare_portals
        from isoready.package.build import extra_files

        rels = {self._relative(raw) for raw in changed}
        if self._same_bytes(rels):  # saved without a change: nothing to redo, nothing to write
            self.last_seconds = _time.perf_counter() - started
            return True, list(self.diagnostics)
        for rel in rels:  # reported: compared by their bytes, whatever their stats say
            self.known.forget(rel)
            self.memo.pop(rel[len("evidence/"):], None)
        changed_docs = {r[len("evidence/"):] for r in rels if r.startswith("evidence/")}
        # every standard's portal, as build prepares them (one standard: one portal, exactly prepare's site)
        portals, project, diags = prepare_portals(self.opts, self.known, self.memo, views=self.views)
        site, others = (portals[0].site, portals[1:]) if portals else (None, [])
        if site is None or project is None:
            return False, diags
        if project.catalog.standard != self.job.project.catalog.standard or site.chrome != self.job.site.chrome:
            raise Fallback()  # every page changes: the full build is as fast and proves itself
        extra, refused = extra_files(self.opts.root)  # the output paths, judged as build judges them
        refused += self._collisions(planned(site, project, [rel for rel, _p, _s in extra], self.job.content)
                                    + planned_portals(others), output_collisions)
        if blocked(refused, False):
            return False, sorted(set(diags + refused))
        self._write(site, project, changed_docs)
        self._write_others(others)
        self.diagnostics = list(diags)
        self.last_seconds = _time.perf_counter() - started
        if settle:
            self.settle()
        return True, diags

    def _collisions(self, plan: list, judge: Callable[[list], list]) -> list:
        """``judge(plan)`` (``assemble.output_collisions``), handed back when the plan equals the last one judged
        (a one-record edit plans the very paths it planned before)."""
        last = getattr(self, "_judged", None)
        if last is not None and last[0] == plan:
            return list(last[1])
        refused = judge(plan)
        self._judged = (plan, list(refused))
        return refused

    def settle(self) -> None:
        """Write the exports and the manifest of the last update (nothing when there is none pending)."""
        import shutil
        import tempfile

        from isoready.package.assemble import write_assets
        from isoready.render.pages import Written

        if self._pending is None:
            return
        site, project = self._pending
        out = self.opts.out.resolve()
        exported = (site.export, site.logo_url)
        # the exports, written by the build's own code into a scratch folder, then renamed in; not at all when
        # what they are made of (the export view, the logo) equals what made the files in place
        scratch = Path(tempfile.mkdtemp(prefix=".preview-exports-", dir=out.parent))
        try:
            if exported == self._exported:
                raise _Unchanged()
            done = write_assets(site, project, scratch,
                                lambda p, fp: Written(p, 0, "", fp, reused=True), pages=self.job.content)
            for w in done:
                if not w.reused:
                    self._put(out, w.path, (scratch / w.path).read_bytes())
            self._exported = exported
        except _Unchanged:
            pass
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        self._manifest(out, site)
        self._pending = None
        self._settled += 1
        keep_heap(collect=self._settled % HEAP_SWEEP == 0)

    def _write(self, site, project, changed_docs: set) -> None:
        import shutil
        import tempfile

        from isoready.render import pages as render_mod
        from isoready.package.assemble import write_assets
        from isoready.render.pages import Written, pages, render_page

        out = self.opts.out.resolve()
        job = self.job
        shared = job.shared
        # a planned page equal to last time's (its view-model handed back by the memo, or equal), under the same
        # redactor and Markdown limit, keeps the Page it was rendered from: only the others are made (a Page per
        # planned page, with its document's Path, compared with the old one, was a tenth of an update)
        same_terms = (site.redact, site.max_markdown_bytes) == (job.site.redact, job.site.max_markdown_bytes)
        planned_before = self.planned
        fresh = [p for p in site.pages
                 if not (same_terms and p.path in self.pages and same(planned_before.get(p.path), p))]
        made = {page.path: page for page in pages(_Planned(tuple(fresh), site.redact, site.max_markdown_bytes),
                                                   project.root / "evidence")}
        new_pages = {p.path: made.get(p.path) or self.pages[p.path] for p in site.pages}
        render_mod.forget_chrome()
        for p in site.pages:
            page, old = new_pages[p.path], self.pages.get(p.path)
            if old is not None and same(old, page) and not (p.markdown is not None and p.markdown in changed_docs):
                continue
            data = render_page(page, job.get_template, shared)
            self._put(out, p.path, data)
        render_mod.forget_chrome()
        for path in set(self.pages) - set(new_pages):
            self._drop(out, path)
        self.pages = new_pages
        self.planned = {p.path: p for p in site.pages}
        # documents: copy the new and the changed, drop the gone
        old_docs = {d.path: d for d in job.site.documents}
        new_docs = {d.path: d for d in site.documents}
        for path, doc in new_docs.items():
            before = old_docs.get(path)
            if before is None or before.sha256 != doc.sha256 or doc.source in changed_docs:
                self._put(out, path, (project.root / "evidence" / doc.source).read_bytes())
        for path in set(old_docs) - set(new_docs):
            self._drop(out, path)
        job.site = site
        job.project = project
        self._pending = (site, project)

    def _write_others(self, others) -> None:
        """An integrated system's other standards' portals. Each has its own view memo (``ViewMemo.portal``):
        an edit only one standard sees runs none of another portal's builders, and a portal whose site (every
        view-model, document, the export and the redactor) equals the one in place is not rendered at all. A
        portal whose site changed is rendered whole by build's own ``render_portal`` (Pelican, exports included)
        into a scratch folder; only the files whose bytes changed are put in place and the files gone are
        dropped, before the open page reloads. The primary's portal stays incremental page by page."""
        import shutil
        import tempfile

        from isoready.package.assemble import render_portal, site_files
        from isoready.package.build import render_with_pelican

        self.rendered = []
        others = [p for p in others if self.others.get(p.standard) != p.site]
        if not others:
            return
        out = self.opts.out.resolve()
        scratch = Path(tempfile.mkdtemp(prefix=".preview-portals-", dir=out.parent))
        try:
            made = set()
            for portal in others:
                self.others.pop(portal.standard, None)  # until its files are all in place
                render_portal(portal, render_with_pelican, self.opts, scratch)
                self.rendered.append(portal.standard)
                for rel in site_files(scratch / portal.folder):
                    path = f"{portal.folder}/{rel}"
                    data = (scratch / path).read_bytes()
                    made.add(path)
                    if self.written.get(path) != (len(data), hashlib.sha256(data).hexdigest()):
                        self._put(out, path, data)
            folders = {portal.folder for portal in others}
            for path in [p for p in self.written if p.split("/")[0] in folders and p not in made]:
                self._drop(out, path)
            self.others.update({portal.standard: portal.site for portal in others})
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    def _put(self, out: Path, rel: str, data: bytes) -> None:
        digest = (len(data), hashlib.sha256(data).hexdigest())
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.part")
        tmp.write_bytes(data)
        os.chmod(tmp, 0o666 & ~umask())  # as a plain write would make it
        os.replace(tmp, target)
        self.written[rel] = digest

    def _drop(self, out: Path, rel: str) -> None:
        try:
            (out / rel).unlink()
        except FileNotFoundError:
            pass
        self.written.pop(rel, None)
        folder = (out / rel).parent
        while folder != out:
            try:
                folder.rmdir()  # only when empty, as a cold build would not have it
            except OSError:
                break
            folder = folder.parent

    def _manifest(self, out: Path, site) -> None:
        from isoready.package.assemble import MANIFEST, SUMS, manifest_bytes

        entries = [{"path": f, "size": self.written[f][0], "sha256": self.written[f][1]}
                   for f in sorted(self.written) if f not in (MANIFEST, SUMS)]
        manifest, sums = manifest_bytes(site, entries)
        self._put(out, MANIFEST, manifest)
        self._put(out, SUMS, sums)
        self.written.pop(MANIFEST, None)
        self.written.pop(SUMS, None)


@dataclass(frozen=True)
class _Planned:
    """What ``render.pages`` reads of a SiteView: some of its planned pages, its redactor and Markdown limit."""

    pages: tuple
    redact: object
    max_markdown_bytes: int


class _Unchanged(Exception):
    """The exports in place are made of the same inputs: settle writes none."""


class Fallback(Exception):
    """The incremental path cannot vouch for this change: run the full build."""
