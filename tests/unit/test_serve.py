"""serve: builds, serves on 127.0.0.1, rebuilds when sources change, keeps the last good site on errors."""

from __future__ import annotations

import threading
import time
import urllib.request
from datetime import date

from isoready.package import Options
from isoready.serve import serve


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
    from isoready.package import build

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
        assert _get(f"{base}/__isoready_reload.js?poll=1") == "window.__isoreadyGeneration(1);\n"
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
