"""Local preview: build, serve on 127.0.0.1, rebuild when the sources change.

Polls file modification times once a second (no extra dependency); a build
with errors prints them and keeps serving the last good site.
"""

from __future__ import annotations

import functools
import http.server
import sys
import threading
import time
import webbrowser
from pathlib import Path

from .diagnostics import report

WATCHED = ("evidence", "content", "theme")


def snapshot(root: Path) -> dict[str, float]:
    state = {}
    for name in WATCHED:
        folder = root / name
        if folder.is_dir():
            for path in folder.rglob("*"):
                try:
                    state[str(path)] = path.stat().st_mtime
                except OSError:
                    pass
    return state


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


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # keep the console for diagnostics
        pass


def serve(opts, port: int = 8000, open_browser: bool = False, fmt: str = "text",
          max_seconds: float | None = None, stop: threading.Event | None = None) -> int:
    ok = _build_once(opts, fmt)
    out = opts.out
    if not ok and not out.exists():
        return 1
    handler = functools.partial(_Handler, directory=str(out))

    class Server(http.server.ThreadingHTTPServer):
        allow_reuse_address = True

    try:
        httpd = Server(("127.0.0.1", port), handler)
    except OSError as exc:
        print(f"isoready: error: cannot listen on 127.0.0.1:{port}: {exc.strerror}", file=sys.stderr)
        return 2
    url = f"http://127.0.0.1:{httpd.server_address[1]}/index.html"
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    print(f"serving {url} (Ctrl+C to stop); watching {', '.join(WATCHED)}", flush=True)
    if open_browser:
        webbrowser.open(url)
    started = time.monotonic()
    last = snapshot(opts.root)
    try:
        while (max_seconds is None or time.monotonic() - started < max_seconds) and not (stop and stop.is_set()):
            time.sleep(0.5)
            now = snapshot(opts.root)
            if now != last:
                last = now
                print("change seen: rebuilding", flush=True)
                _build_once(opts, fmt)
    except KeyboardInterrupt:
        print("stopped")
    finally:
        httpd.shutdown()
    return 0
