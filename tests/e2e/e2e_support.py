"""Shared by the end-to-end fixtures and tests: where things are, how to build the site, page guards.

A plain module (not conftest) so tests can import it by a name no other folder uses.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
E2E = Path(__file__).resolve().parent
NODE_MODULES = E2E / "node_modules"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"

AS_OF = "2026-11-24"
AUDIENCE = "auditor"
ORGANISATION = "Kestrel Precision Components Ltd"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Generous for 2 shared cores, short enough that a hung page fails fast.
TIMEOUT_MS = 10_000

IN_CI = os.environ.get("CI", "").strip().lower() == "true"


def require(ok: bool, what: str, *, module: bool = False) -> None:
    """Skip when a tool is missing locally; fail (never skip) when CI=true.

    ``module=True`` when called at import time of a test module (skips the whole module).
    """
    if ok:
        return
    if IN_CI:
        pytest.fail(f"{what} (CI=true: the end-to-end tests must run in CI, so this is a failure, not a skip)",
                    pytrace=False)
    pytest.skip(what, allow_module_level=module)


def playwright_sync_api():  # noqa: ANN201
    """``playwright.sync_api``, or a local skip / CI failure of the calling test module when it is missing."""
    try:
        import playwright.sync_api as api
    except ImportError as exc:
        require(False, f"Playwright for Python is not installed ({exc}): pip install -e '.[test]'", module=True)
        raise
    return api


def build_site(output: Path, *, as_of: str = AS_OF, audience: str = AUDIENCE, language: str = "") -> Path:
    """Build the repository's demo project with the real CLI; fail with its output if it does not exit 0."""
    cmd = [sys.executable, "-m", "isoready", "build", "--root", str(ROOT), "--as-of", as_of,
           "--audience", audience, "--output", str(output), *(["--language", language] if language else [])]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        pytest.fail(f"building the demo site failed (exit {proc.returncode}): {' '.join(cmd)}\n"
                    f"--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}", pytrace=False)
    if not (output / "index.html").is_file():
        pytest.fail(f"the build exited 0 but wrote no {output / 'index.html'}", pytrace=False)
    return output


@dataclass
class SiteBase:
    """Where a test opens the site: over HTTP or straight from disk."""

    mode: str  # "http" or "file"
    root: Path
    base: str  # ends with "/"
    origin: str  # "http://127.0.0.1:PORT" or "file://"

    def url(self, rel: str) -> str:
        return self.base + rel

    def rel(self, url: str) -> str:
        """The site-relative path of a URL inside the site (query and fragment dropped)."""
        assert url.startswith(self.base), f"{url} is outside the site {self.base}"
        return urlsplit(url).path[len(urlsplit(self.base).path):]


# Registered before any page script runs and beyond the page's CSP (it is injected over the DevTools
# protocol). It reports through an exposed binding, so violations are kept across navigations.
CSP_INIT_SCRIPT = """
document.addEventListener('securitypolicyviolation', (e) => {
  try {
    window.__isoreadyCspViolation({
      documentURI: e.documentURI, blockedURI: e.blockedURI, violatedDirective: e.violatedDirective,
      effectiveDirective: e.effectiveDirective, sourceFile: e.sourceFile, lineNumber: e.lineNumber,
      sample: e.sample,
    });
  } catch (err) { /* binding not ready: the console error Chromium prints still catches it */ }
}, true);
"""

# Schemes that never leave the machine and carry no request to anywhere (inline images, blank frames).
_LOCAL_SCHEMES = ("data:", "about:", "blob:")


@dataclass
class PageGuard:
    origin: str
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    csp_violations: list[dict] = field(default_factory=list)

    def allowed(self, url: str) -> bool:
        if url.startswith(_LOCAL_SCHEMES):
            return True
        if self.origin == "file://":
            return url.startswith("file:///")  # a local file; file://host/... (e.g. from "//host/x") is not
        return url == self.origin or url.startswith(self.origin + "/")

    def problems(self) -> list[str]:
        out = []
        out += [f"request outside the site's origin {self.origin}: {u}" for u in self.blocked]
        out += [f"console error: {t}" for t in self.console_errors]
        out += [f"uncaught page error: {t}" for t in self.page_errors]
        out += ["CSP violation: {violatedDirective} blocked {blockedURI!r} on {documentURI} "
                "({sourceFile}:{lineNumber}) {sample}".format(**{k: v.get(k, "") for k in (
                    "violatedDirective", "blockedURI", "documentURI", "sourceFile", "lineNumber", "sample")})
                for v in self.csp_violations]
        return out


@dataclass
class SitePage:
    page: object  # playwright.sync_api.Page
    guard: PageGuard
    site: SiteBase

    def goto(self, rel: str):  # noqa: ANN201
        return self.page.goto(self.site.url(rel))

    def assert_clean(self) -> None:
        flush(self.page)
        problems = self.guard.problems()
        assert not problems, "the page misbehaved:\n  " + "\n  ".join(problems)

    @property
    def external_requests(self) -> list[str]:
        return [u for u in self.guard.requests if not self.guard.allowed(u)]


def flush(page) -> None:  # noqa: ANN001
    """Let pending events (console, requests) reach Python before we judge them."""
    try:
        if not page.is_closed():
            page.evaluate("0")
    except Exception:  # noqa: BLE001 - a page navigating or closing has nothing more to flush
        pass
