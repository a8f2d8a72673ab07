"""Local preview: serve on 127.0.0.1, build, rebuild when the sources change, reload the open page.

- The port is taken before anything is built: a busy port is reported at once (exit 2).
- The preview is built into its own folder (``ROOT/.cache/isoready/preview`` unless ``--output``), so an
  internal preview never replaces an auditor ``output/``.
- ``watchfiles`` (installed with Pelican) watches evidence/, content/, theme/ and pelicanconf.py.
- After each successful rebuild the reload generation goes up; HTML served by ``serve`` (and only by it:
  the built files never contain it) carries ``<script src="/__isoready_reload.js">``, which polls the
  generation with a script tag (the pages' Content-Security-Policy allows scripts from the site itself,
  but no fetch) and reloads the page when it changes. ``/__isoready_reload`` answers the generation as text.
- A build with errors prints them and keeps serving the last good site.
- Safety (issue 14): only requests whose ``Host`` is ``localhost``, ``127.0.0.1`` or ``[::1]`` (with or
  without the port) are answered; any other name gets 421 Misdirected Request and no byte of the site, which
  closes the door DNS rebinding needs. Every response carries ``X-Content-Type-Options: nosniff`` and the
  site's Content-Security-Policy as headers. A port outside 1..65535 is a usage error (exit 2).
"""

from __future__ import annotations

import http.server
import os
import sys
import threading
import webbrowser
from dataclasses import replace
from pathlib import Path
from typing import Optional
from urllib.parse import urlsplit

from .diagnostics import report

WATCHED = ("evidence", "content", "theme", "pelicanconf.py")
PREVIEW = Path(".cache") / "isoready" / "preview"
RELOAD_PATH = "/__isoready_reload"
RELOAD_TAG = b'<script src="/__isoready_reload.js"></script>'
RELOAD_JS = """(function () {
  var seen = null;
  window.__isoreadyGeneration = function (n) {
    if (seen === null) { seen = n; } else if (n !== seen) { location.reload(); }
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


#: the policy every page also declares in a <meta> tag (theme/templates/base.html); a test keeps them equal
SITE_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'none'; "
            "connect-src 'none'; frame-src 'none'; object-src 'none'; base-uri 'none'; form-action 'self'")
LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]")


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


class Reloader:
    """The number of successful builds so far; the served pages poll it."""

    def __init__(self) -> None:
        self.generation = 0
        self._lock = threading.Lock()

    def bump(self) -> None:
        with self._lock:
            self.generation += 1


def _build_once(opts, fmt: str) -> bool:
    from .package import build

    result = build(opts)
    if result.diagnostics:
        print(report(result.diagnostics, github=fmt == "github"))
    if result.ok:
        print(f"built {len(result.files)} files into {result.output}", flush=True)
    else:
        print("build failed: still serving the previous site", flush=True)
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
            super().end_headers()

        def parse_request(self) -> bool:
            if not super().parse_request():
                return False
            if not local_host(self.headers.get("Host"), self.server.server_address[1]):
                # DNS rebinding: a page on another name must not read the (internal) preview
                self.send_error(421 if self.headers.get("Host") else 400,
                                "only localhost, 127.0.0.1 and [::1] are served")
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
                body = (f"window.__isoreadyGeneration({reloader.generation});\n" if parts.query else RELOAD_JS)
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
    return [str(root / name) for name in WATCHED if (root / name).exists()]


def _watch(root: Path, rebuild, stop: threading.Event) -> None:
    from watchfiles import watch

    paths = watch_paths(root)
    if not paths:
        stop.wait()
        return
    for _changes in watch(*paths, stop_event=stop, debounce=300, step=100, raise_interrupt=False):
        print("change seen: rebuilding", flush=True)
        rebuild()


def serve(opts, port: int = 8000, open_browser: bool = False, fmt: str = "text",
          max_seconds: Optional[float] = None, stop: Optional[threading.Event] = None) -> int:
    if opts.output is None:  # the preview never replaces output/ (an auditor site, maybe)
        opts = replace(opts, output=preview_folder(opts.root))
    if not isinstance(port, int) or not 1 <= port <= 65535:
        print(f"isoready: error: --port {port} is out of range: give a port from 1 to 65535 (default 8000)",
              file=sys.stderr)
        return 2
    reloader = Reloader()

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
    try:
        ok = _build_once(opts, fmt)
        if not ok and not opts.out.exists():
            return 1
        if ok:
            reloader.bump()
        url = f"http://127.0.0.1:{httpd.server_address[1]}/index.html"
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        started = True
        print(f"serving {url} from {opts.out} (Ctrl+C to stop); watching "
              f"{', '.join(WATCHED)}; open pages reload after each rebuild", flush=True)
        if open_browser:
            webbrowser.open(url)
        stop = stop or threading.Event()
        if max_seconds is not None:
            timer = threading.Timer(max_seconds, stop.set)
            timer.daemon = True
            timer.start()

        def rebuild() -> None:
            if _build_once(opts, fmt):
                reloader.bump()

        try:
            _watch(opts.root, rebuild, stop)
        except KeyboardInterrupt:
            print("stopped")
        return 0
    finally:
        if started:  # shutdown() waits for serve_forever: only once it runs
            httpd.shutdown()
        httpd.server_close()
