"""Issue 23, the cold build: the checklist workbook (the longest export) is made by another process from the
export's view-model as soon as the views have made it, before the pages' view-models, so it runs on the core
the build leaves idle while it builds them. The export handed over must be the site's own export, the workbook
the one the site's export gives, in the build's language; a build that stops afterwards leaves no process."""

from __future__ import annotations

import io
import multiprocessing
from dataclasses import replace
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from isoready.package import build as package_build
from isoready.package.build import build
from isoready.read.options import Options
from isoready.views import site as views_site


def _opts(root: Path, **extra) -> Options:
    return Options(root=root, as_of=date(2026, 12, 6), output=root / "output", commit="test", **extra)


def _sheet_text(data: bytes) -> list[tuple]:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return [(ws.title, tuple(tuple(c.value for c in row) for row in ws.iter_rows())) for ws in wb.worksheets]


@pytest.mark.parametrize("workers", ["1", "2"])
def test_the_workbook_is_started_from_the_sites_own_export_before_any_page_view_model(minimal_project: Path,
                                                                                    monkeypatch, workers) -> None:
    from isoready.outputs import xlsx

    monkeypatch.setenv("ISOREADY_WORKERS", workers)
    events: list[str] = []
    handed: list = []
    start = package_build.EarlyWorkbook.start

    def recording_start(self, export):
        events.append("export")
        handed.append(export)
        return start(self, export)

    monkeypatch.setattr(package_build.EarlyWorkbook, "start", recording_start)
    import isoready.views

    def noted(b):  # a page kind whose pages (its output) note when they are made
        return replace(b, output=lambda ctx, shared: (events.append(b.name), b.output(ctx, shared))[1])

    monkeypatch.setattr(isoready.views, "BUILDERS", tuple(noted(b) for b in views_site.BUILDERS))
    result = build(_opts(minimal_project))
    assert result.ok
    assert events[0] == "export" and events.count("export") == 1 and len(events) > 1
    assert handed[0] is result.site.export
    written = (result.output / "checklist.xlsx").read_bytes()
    assert written == xlsx.workbook_bytes(result.site.export)
    assert ("Evidence", ) == tuple(t for t, _rows in _sheet_text(written) if t == "Evidence")


def test_a_german_build_writes_its_workbook_in_german(minimal_project: Path, monkeypatch) -> None:
    monkeypatch.setenv("ISOREADY_WORKERS", "2")
    english = build(_opts(minimal_project))
    english_text = _sheet_text((english.output / "checklist.xlsx").read_bytes())
    german = build(_opts(minimal_project, language="de"))
    assert german.ok
    german_text = _sheet_text((german.output / "checklist.xlsx").read_bytes())
    assert german_text != english_text
    headers = {v for _title, rows in german_text for row in rows for v in row if isinstance(v, str)}
    assert "Nachweis" in " ".join(headers) or "Nachweise" in " ".join(headers)


def test_a_build_that_stops_after_the_workbook_started_leaves_no_process(minimal_project: Path, monkeypatch) -> None:
    """The pages' paths collide with a team page only after the views (and the workbook's process) started:
    the build stops, its output untouched, and no process of it is left running."""
    monkeypatch.setenv("ISOREADY_WORKERS", "2")
    started: list = []
    start = package_build.EarlyWorkbook.start
    monkeypatch.setattr(package_build.EarlyWorkbook, "start",
                        lambda self, export: (started.append(True), start(self, export))[1])
    real = package_build.output_collisions

    def collides(paths):
        from isoready.core.diagnostics import Diagnostic

        return real(paths) + [Diagnostic("content/pages/x.md", 1, 1, "E380", "two files would be written to x.html",
                                         "rename one")]

    monkeypatch.setattr(package_build, "output_collisions", collides)
    result = build(_opts(minimal_project))
    assert not result.ok and started
    assert not (minimal_project / "output").exists()
    assert multiprocessing.active_children() == []
