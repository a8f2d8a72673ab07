"""The printable readiness report as a PDF, printed by headless Chromium (the browser the tests use).

Page numbers and the as-of date come from the report's print stylesheet
(``@page`` margin boxes), so the PDF says the same as the page.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Optional

from .package import BuildResult, Options, build

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
                  "--no-pdf-header-footer", "--generate-pdf-document-outline")


def find_chromium() -> Optional[str]:
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser"), shutil.which("google-chrome")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


class ReportError(Exception):
    pass


def print_pdf(html: Path, target: Path, chromium: Optional[str] = None, timeout: int = 120) -> None:
    browser = chromium or find_chromium()
    if browser is None:
        raise ReportError("no Chromium found: install Debian's 'chromium' package or set CHROMIUM=/path/to/chrome")
    profile = tempfile.mkdtemp(prefix="isoready-chromium-")
    tmp = target.with_name(f".{target.name}.part")
    try:
        proc = subprocess.run([browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={tmp}",
                               html.resolve().as_uri()], capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0 or not tmp.exists() or tmp.stat().st_size == 0:
            raise ReportError(f"Chromium could not print the report (exit {proc.returncode}): "
                              f"{proc.stderr.strip()[-500:]}")
        os.replace(tmp, target)
    except subprocess.TimeoutExpired:
        raise ReportError(f"Chromium did not finish printing within {timeout}s")
    finally:
        shutil.rmtree(profile, ignore_errors=True)
        if tmp.exists():
            tmp.unlink()


def make_report(opts: Options, target: Optional[Path] = None) -> tuple[BuildResult, Optional[Path]]:
    from .archive import archive_name

    work = Path(tempfile.mkdtemp(prefix="isoready-report-"))
    try:
        result = build(replace(opts, output=work / "site", use_cache=False))
        if not result.ok or result.site is None:
            return result, None
        if target is None:
            name = archive_name(result.site.organisation, result.site.as_of, result.site.audience)
            target = opts.root / "dist" / f"{name}-report.pdf"
        target.parent.mkdir(parents=True, exist_ok=True)
        print_pdf(work / "site" / "report.html", target)
        return result, target
    finally:
        shutil.rmtree(work, ignore_errors=True)
