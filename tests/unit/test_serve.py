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


def _wait_for(predicate, seconds: float = 20.0) -> bool:
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
