"""The printable readiness report as a PDF, printed by headless Chromium (the browser the tests use).

``isoready report`` builds the site (into its output folder, as ``build`` does) with ``report.pdf`` in it,
listed in manifest.json and SHA256SUMS and linked from report.html, and copies the PDF to dist/ (or --pdf).
``isoready archive`` carries it too when Chromium is available. Links in the PDF stay inside it
(#clause-4.1) or go to the published site (``site_url``); the report's print stylesheet hides the rest.

Page numbers and the as-of date come from the report's print stylesheet
(``@page`` margin boxes), so the PDF says the same as the page.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any, Callable, Optional

from isoready.core.errors import ReportError
from isoready.read.options import refuse_sources
from isoready.package.assemble import PDF  # where the PDF sits in the site (and so in the archive)
from isoready.package.build import BuildResult, Options, archive_name, build, render_with_pelican
from isoready.views import SiteView

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
                  "--no-pdf-header-footer", "--generate-pdf-document-outline")


def find_chromium() -> Optional[str]:
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser"), shutil.which("google-chrome")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


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


_PDF_DATES = re.compile(rb"(/(?:CreationDate|ModDate) \(D:)(\d{14})")


def stamp_pdf(path: Path, as_of: date) -> None:
    """Replace Chromium's print time with the as-of date (same length: the xref offsets stay valid), so the
    same inputs give the same bytes, like every other file of the site."""
    data = path.read_bytes()
    path.write_bytes(_PDF_DATES.sub(lambda m: m.group(1) + as_of.strftime("%Y%m%d").encode() + b"000000", data))


def with_pdf_link(site: SiteView) -> SiteView:
    """The same site whose report page links the PDF printed beside it."""
    pages = tuple(replace(p, model=replace(p.model, pdf_url=PDF)) if p.template == "report" else p
                  for p in site.pages)
    return replace(site, pages=pages)


def render_with_report(chromium: Optional[str] = None) -> Callable[..., list]:
    """A page renderer for ``package.build`` that also prints report.html to report.pdf inside the site.

    The PDF is printed before the manifest is written, so manifest.json and SHA256SUMS cover it.
    """
    browser = chromium or find_chromium()
    if browser is None:
        raise ReportError("no Chromium found: install Debian's 'chromium' package or set CHROMIUM=/path/to/chrome")

    def render(site: SiteView, project: Any, tmp: Path, opts: Options, plan: Any = None) -> tuple[list, list]:
        written, content = render_with_pelican(with_pdf_link(site), project, tmp, opts, plan)
        target = tmp / PDF
        print_pdf(tmp / "report.html", target, browser)
        stamp_pdf(target, opts.as_of)
        return written, content  # the renderer contract: pages written, team-written pages (for the search)

    return render


def make_report(opts: Options, target: Optional[Path] = None) -> tuple[BuildResult, Optional[Path]]:
    """Build the site into its output folder with report.pdf in it, and copy the PDF to ``target``
    (default: ROOT/dist/<organisation>-iso9001-readiness-<as-of>-<audience>-report.pdf)."""

    if target is not None:  # refused before the build, like every output option
        refuse_sources(opts.root, target, "the PDF", "--pdf")
    result = build(opts, render=render_with_report())
    if not result.ok or result.site is None or result.output is None:
        return result, None
    if target is None:
        name = archive_name(result.site.organisation, result.site.as_of, result.site.audience)
        target = opts.root / "dist" / f"{name}-report.pdf"
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.part")
    shutil.copyfile(result.output / PDF, tmp)
    os.replace(tmp, target)
    return result, target
