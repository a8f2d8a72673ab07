"""serve: builds, serves on 127.0.0.1, rebuilds when sources change, keeps the last good site on errors."""

from __future__ import annotations

import threading
import time
import urllib.request
from datetime import date

from isoready.package.build import Options
from isoready.cli.serve import serve


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:  # loopback only
        return response.read().decode("utf-8")


def _wait_for(predicate, seconds: float = 60.0) -> bool:  # generous: CI machines are loaded
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


def test_serve_rebuilds_on_change_and_survives_a_broken_edit(minimal_project, tmp_path, capsys):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    opts = Options(root=minimal_project, as_of=date(2026, 11, 1), output=tmp_path / "site", audience="internal")
    stop = threading.Event()
    thread = threading.Thread(target=serve, kwargs={"opts": opts, "port": port, "max_seconds": 120, "stop": stop},
                              daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    assert _wait_for(lambda: "Example Works Ltd" in _get(f"{base}/index.html"))
    assert 'content="internal"' in _get(f"{base}/index.html")  # serve previews everything

    org = minimal_project / "content" / "organisation.yaml"
    org.write_text(org.read_text().replace("Example Works Ltd", "Renamed Works Ltd"), encoding="utf-8")
    assert _wait_for(lambda: "Renamed Works Ltd" in _get(f"{base}/index.html"))

    broken = minimal_project / "evidence" / "broken.yaml"
    broken.write_text("title: [unclosed\n", encoding="utf-8")
    assert _wait_for(lambda: "build failed: still serving the previous site" in capsys.readouterr().out)
    assert "Renamed Works Ltd" in _get(f"{base}/index.html")
    stop.set()
    thread.join(timeout=30)
    assert not thread.is_alive()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(opts, port: int):
    stop = threading.Event()
    thread = threading.Thread(target=serve, kwargs={"opts": opts, "port": port, "max_seconds": 120, "stop": stop},
                              daemon=True)
    thread.start()
    return stop, thread


def test_serve_builds_into_its_preview_folder_and_never_touches_output(minimal_project):
    from isoready.package.build import build

    auditor = build(Options(root=minimal_project, as_of=date(2026, 11, 1), use_cache=False))
    assert auditor.ok and auditor.output == (minimal_project / "output").resolve()
    before = {p: p.read_bytes() for p in (minimal_project / "output").rglob("*") if p.is_file()}
    port = _free_port()
    stop, thread = _start(Options(root=minimal_project, as_of=date(2026, 11, 1), audience="internal"), port)
    base = f"http://127.0.0.1:{port}"
    try:
        assert _wait_for(lambda: 'content="internal"' in _get(f"{base}/index.html"))
        preview = minimal_project / ".cache" / "isoready" / "preview"
        assert 'content="internal"' in (preview / "index.html").read_text()
        after = {p: p.read_bytes() for p in (minimal_project / "output").rglob("*") if p.is_file()}
        assert after == before  # the auditor site is exactly as it was
        assert 'content="auditor"' in (minimal_project / "output" / "index.html").read_text()
    finally:
        stop.set()
        thread.join(timeout=30)


def test_reload_generation_goes_up_after_a_rebuild_and_the_snippet_is_only_served(minimal_project, tmp_path):
    conf = minimal_project / "pelicanconf.py"
    conf.write_text('SITENAME = "ISO 9001 readiness"\n', encoding="utf-8")
    port = _free_port()
    out = tmp_path / "preview"
    stop, thread = _start(Options(root=minimal_project, as_of=date(2026, 11, 1), output=out, audience="internal"),
                          port)
    base = f"http://127.0.0.1:{port}"
    try:
        assert _wait_for(lambda: _get(f"{base}/__isoready_reload") == "1\n")
        served = _get(f"{base}/clauses/8.4.html")
        assert served.endswith('<script src="/__isoready_reload.js"></script></body>\n</html>')
        assert 'window.__isoreadyGeneration' in _get(f"{base}/__isoready_reload.js")
        assert _get(f"{base}/__isoready_reload.js?poll=1") == "window.__isoreadyGeneration(1, null);\n"
        built = [p for p in out.rglob("*") if p.is_file()]
        assert built and not [p for p in built if b"__isoready_reload" in p.read_bytes()]

        conf.write_text('SITENAME = "Preview portal"\n', encoding="utf-8")
        assert _wait_for(lambda: _get(f"{base}/__isoready_reload") == "2\n")  # pelicanconf.py is watched too
        assert '<span class="brand-sub">Preview portal</span>' in _get(f"{base}/index.html")
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive()


def test_a_busy_port_is_reported_before_anything_is_built(minimal_project, tmp_path, capsys):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        opts = Options(root=minimal_project, as_of=date(2026, 11, 1), output=tmp_path / "site")
        assert serve(opts, port=port, max_seconds=5) == 2
    err = capsys.readouterr()
    assert err.err == (f"isoready: error: cannot listen on 127.0.0.1:{port}: Address already in use (another server "
                       "is using it? choose another with --port)\n")
    assert "built" not in err.out
    assert not (tmp_path / "site").exists()


def _raw(port: int, host: str, path: str = "/index.html", extra: str = "") -> bytes:
    """One request over a raw socket, with exactly the Host header given ('' sends none) and ``extra`` header
    lines (each ending in CRLF)."""
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\n".encode() + (f"Host: {host}\r\n".encode() if host else b"")
                  + extra.encode() + b"Connection: close\r\n\r\n")
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    return data


def test_serve_answers_only_loopback_host_names_and_sends_safety_headers(minimal_project, tmp_path):
    port = _free_port()
    stop, thread = _start(Options(root=minimal_project, as_of=date(2026, 11, 1), output=tmp_path / "p",
                                  audience="internal"), port)
    try:
        assert _wait_for(lambda: "Example Works Ltd" in _get(f"http://127.0.0.1:{port}/index.html"))
        for host in ("attacker.example", f"attacker.example:{port}", "127.0.0.1.attacker.example", "localhost:1"):
            answer = _raw(port, host)
            assert answer.startswith(b"HTTP/1.0 421 ") or answer.startswith(b"HTTP/1.1 421 "), (host, answer[:80])
            assert b"Example Works Ltd" not in answer and b'content="internal"' not in answer
        assert _raw(port, "").split(b" ", 2)[1] == b"400"  # no Host at all
        for host in ("localhost", f"localhost:{port}", "127.0.0.1", f"127.0.0.1:{port}", "[::1]", f"[::1]:{port}"):
            answer = _raw(port, host)
            head, _, body = answer.partition(b"\r\n\r\n")
            assert head.split(b" ", 2)[1] == b"200", host
            assert b"Example Works Ltd" in body
            headers = head.decode("latin-1").lower()
            assert "x-content-type-options: nosniff" in headers
            assert "content-security-policy: default-src 'none'; script-src 'self'" in headers
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/theme/css/portal.css", timeout=5) as r:
            assert r.headers["X-Content-Type-Options"] == "nosniff"  # static files too, not only pages
    finally:
        stop.set()
        thread.join(timeout=30)


def test_serve_answers_only_same_origin_data_requests(minimal_project, tmp_path):
    """Issue 19: another local origin's page must not include the preview's data (search-index.js) with a
    <script> tag. Fetch metadata saying another site asked is refused; every answer forbids cross-origin use."""
    port = _free_port()
    stop, thread = _start(Options(root=minimal_project, as_of=date(2026, 11, 1), output=tmp_path / "p",
                                  audience="internal"), port)
    host = f"127.0.0.1:{port}"
    try:
        assert _wait_for(lambda: "Example Works Ltd" in _get(f"http://{host}/index.html"))
        for path in ("/search-index.js", "/index.html", "/theme/css/portal.css", "/__isoready_reload.js",
                     "/__isoready_reload", "/readiness.json", "/"):
            for site in ("cross-site", "same-site", "Cross-Site", " same-site "):
                answer = _raw(port, host, path, f"Sec-Fetch-Site: {site}\r\nSec-Fetch-Dest: script\r\n")
                head, _, body = answer.partition(b"\r\n\r\n")
                assert head.split(b" ", 2)[1] == b"403", (path, site, head)
                assert body == b"isoready serve: refused a request made by another site's page; open the preview " \
                               b"directly\n"
                headers = head.decode("latin-1").lower()
                assert "cross-origin-resource-policy: same-origin" in headers
                assert "content-type: text/plain; charset=utf-8" in headers
            for site in ("same-origin", "none", ""):  # typed in, a bookmark, serve's own link; curl sends none
                extra = f"Sec-Fetch-Site: {site}\r\n" if site else ""
                answer = _raw(port, host, path, extra)
                head, _, body = answer.partition(b"\r\n\r\n")
                assert head.split(b" ", 2)[1] in (b"200", b"301"), (path, site, head)
                assert "cross-origin-resource-policy: same-origin" in head.decode("latin-1").lower(), (path, site)
        index = _raw(port, host, "/search-index.js", "Sec-Fetch-Site: cross-site\r\n")
        assert b"PORTAL_SEARCH" not in index and b"Example Works Ltd" not in index
        assert b"PORTAL_SEARCH" in _raw(port, host, "/search-index.js", "Sec-Fetch-Site: same-origin\r\n")
        # the Host check still comes first, and its refusal forbids cross-origin use too
        answer = _raw(port, "attacker.example", "/search-index.js", "Sec-Fetch-Site: same-origin\r\n")
        assert answer.split(b" ", 2)[1] == b"421"
        assert b"cross-origin-resource-policy: same-origin" in answer.lower()
        with urllib.request.urlopen(f"http://{host}/search-index.js", timeout=5) as r:  # urllib sends no metadata
            assert r.headers["Cross-Origin-Resource-Policy"] == "same-origin"
            assert r.read().startswith(b"window.PORTAL_SEARCH=")
    finally:
        stop.set()
        thread.join(timeout=30)


def test_the_csp_header_is_the_policy_every_page_declares(minimal_project, tmp_path):
    import re

    from isoready.package.build import build
    from isoready.cli.serve import SITE_CSP

    result = build(Options(root=minimal_project, as_of=date(2026, 11, 1), output=tmp_path / "site", use_cache=False))
    page = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page).group(1) == SITE_CSP
    assert result.ok


def test_a_port_out_of_range_is_a_usage_error(minimal_project, capsys):
    from isoready.cli import main

    for port in ("0", "99999", "-1"):
        assert main(["serve", "--root", str(minimal_project), "--port", port]) == 2
        err = capsys.readouterr().err
        assert err == (f"isoready: error: --port {port} is out of range: give a port from 1 to 65535 "
                       "(default 8000)\n")
    assert not (minimal_project / ".cache" / "isoready" / "preview").exists()  # nothing was built


def test_an_evidence_edit_is_served_by_the_incremental_path(minimal_project, tmp_path, capsys):
    port = _free_port()
    out = tmp_path / "preview"
    stop, thread = _start(Options(root=minimal_project, as_of=date(2026, 11, 1), output=out, audience="internal"),
                          port)
    base = f"http://127.0.0.1:{port}"
    try:
        assert _wait_for(lambda: _get(f"{base}/__isoready_reload") == "1\n")
        assert "QMS scope statement" in _get(f"{base}/evidence.html")
        record = minimal_project / "evidence" / "context" / "scope.yaml"
        record.write_text(record.read_text().replace("QMS scope statement", "QMS scope statement, revised"),
                          encoding="utf-8")
        assert _wait_for(lambda: "QMS scope statement, revised" in _get(f"{base}/evidence.html"))
        assert _wait_for(lambda: "updated in " in capsys.readouterr().out)  # not a full build
        assert _wait_for(lambda: "revised" in (out / "readiness.json").read_text())  # the exports follow
    finally:
        stop.set()
        thread.join(timeout=30)


def test_an_edit_saved_during_the_first_build_is_not_lost(minimal_project, tmp_path):
    """The watcher starts before the first build: what is saved while it runs is rebuilt once it is done."""
    port = _free_port()
    out = tmp_path / "site"
    stop, thread = _start(Options(root=minimal_project, as_of=date(2026, 11, 1), output=out, audience="internal"),
                          port)
    # the first build is writing its temporary site: save an edit now
    assert _wait_for(lambda: any(tmp_path.glob(".site-build-*")), seconds=60)
    org = minimal_project / "content" / "organisation.yaml"
    org.write_text(org.read_text().replace("Example Works Ltd", "Renamed During Build Ltd"), encoding="utf-8")
    base = f"http://127.0.0.1:{port}"
    assert _wait_for(lambda: "Renamed During Build Ltd" in _get(f"{base}/index.html"))
    stop.set()
    thread.join(timeout=30)
    assert not thread.is_alive()


def test_a_failed_rebuild_is_in_the_poll_with_file_line_and_code_escaped_and_gone_after_a_good_one(
        minimal_project, tmp_path):
    """The overlay's data: the poll answers the failed build's diagnostics (a value the team wrote, with
    <script>, escaped), the built files never hold them, and the next good build clears them."""
    import json

    port = _free_port()
    out = tmp_path / "preview"
    stop, thread = _start(Options(root=minimal_project, as_of=date(2026, 11, 1), output=out, audience="internal"),
                          port)
    base = f"http://127.0.0.1:{port}"
    poll = f"{base}/__isoready_reload.js?poll=1"
    try:
        assert _wait_for(lambda: _get(f"{base}/__isoready_reload") == "1\n")
        assert _get(poll) == "window.__isoreadyGeneration(1, null);\n"
        bad = minimal_project / "evidence" / "support" / "gauges.yaml"
        bad.write_text('title: Gauges\nkind: record\nclauses: ["<script>alert(1)</script>"]\ndate: 2026-02-15\n',
                       encoding="utf-8")
        assert _wait_for(lambda: "null" not in _get(poll))
        answer = _get(poll)
        assert "<" not in answer and ">" not in answer  # escaped: no markup, nothing that ends a script element
        prefix, suffix = "window.__isoreadyGeneration(1, ", ");\n"
        assert answer.startswith(prefix) and answer.endswith(suffix)
        failure = json.loads(answer[len(prefix):-len(suffix)])
        assert failure["title"] == "The last build failed"
        assert failure["items"] == [{
            "file": "evidence/support/gauges.yaml", "line": 3, "code": "E201",
            "message": "unknown clause '<script>alert(1)</script>'",
            "hint": 'clauses run from 4 to 10.3, written as numbers like "8.3"'}]
        built = [p for p in out.rglob("*") if p.is_file()]
        assert not [p for p in built if b"__isoready" in p.read_bytes() or b"gauges" in p.read_bytes()]

        bad.write_text('title: Gauges\nkind: record\nclauses: ["7.1.5"]\ndate: 2026-02-15\n', encoding="utf-8")
        assert _wait_for(lambda: _get(f"{base}/__isoready_reload") == "2\n")
        assert _get(poll) == "window.__isoreadyGeneration(2, null);\n"
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive()
