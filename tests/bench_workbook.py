"""How fast openpyxl's write-only mode could write the workbook, against today's writer (issue 23).

    python3 -m tests.bench_workbook --sizes 10000,100000 [--rounds 2] [--profile]

For each size it generates the benchmark's synthetic organisation (``tests.bench.generate``), builds the export
view once, then times in this one process, in turns, on the same data (CPU seconds of the process, and wall seconds):

- **today**: ``xlsx.workbook_bytes``, the whole workbook (the Evidence sheet's rows written as XML);
- **write-only, Evidence sheet only**, three ways, none of them the whole workbook, so each is a lower bound
  for a write-only workbook:
  - *plain*: the Evidence rows appended as plain values, with no style, no date cell and no link (the least
    openpyxl's write-only writer can do for these rows);
  - *reused cells*: the rows as the workbook needs them (border, wrap, the stale fill, date cells, links),
    through one styled ``WriteOnlyCell`` per column and style, reused row after row (a style is set once, not
    per cell);
  - *a cell per value*: a new ``WriteOnlyCell`` per value, its style given by name (the first attempt's way).

The decision rule (issue 23): write-only is adopted only within 1.3x of today's time at 10,000 records.
``--profile`` prints where the *reused cells* way spends its time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any, Callable

import openpyxl
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, NamedStyle, PatternFill, Side

from isoready.outputs import xlsx
from isoready.package.assemble import prepare
from isoready.package.build import Options

from .bench import AS_OF, generate

WIDTH = len(xlsx.EVIDENCE_HEADERS)


def export_view(n: int, work: Path) -> Any:
    root = work / f"org{n}"
    generate(root, n)
    site, _project, diags = prepare(Options(root=root, as_of=date.fromisoformat(AS_OF), audience="auditor",
                                            output=work / "out", use_cache=False, commit="0123456789ab"))
    assert site is not None, diags
    return site.export


def _save(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def plain(export: Any) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Evidence")
    ws.append([h for h, _ in xlsx.EVIDENCE_HEADERS])
    for e in export.evidence:
        ws.append(xlsx.evidence_values(export, e))
    return _save(wb)


def _styles(wb: Workbook) -> None:
    thin = Side(style="thin", color="A6A6A6")  # the workbook's body style
    body = {"alignment": Alignment(vertical="top", wrap_text=True),
            "border": Border(left=thin, right=thin, top=thin, bottom=thin)}
    wb.add_named_style(NamedStyle(name="body", **body))
    wb.add_named_style(NamedStyle(name="date", number_format=xlsx.DATE_FORMAT, **body))
    wb.add_named_style(NamedStyle(name="stale", fill=PatternFill("solid", fgColor=xlsx.STATE_FILLS["not-ready"]),
                                  **body))


def _value(value: str) -> "tuple[Any, str]":
    day = xlsx.as_date(value) if value else value
    return (day, "date") if isinstance(day, date) else (value or None, "body")


def reused_cells(export: Any) -> bytes:
    wb = Workbook(write_only=True)
    _styles(wb)
    ws = wb.create_sheet("Evidence")
    ws.append([h for h, _ in xlsx.EVIDENCE_HEADERS])
    pool: dict[tuple[int, str], Any] = {}
    linked = 0
    for e in export.evidence:
        links = dict(xlsx.evidence_links(export, e))
        linked += len(links)
        row = []
        for col, text in enumerate(xlsx.evidence_values(export, e), start=1):
            value, style = _value(text)
            if col == 8 and e.stale:
                style = "stale"
            cell = pool.get((col, style))
            if cell is None:
                cell = pool[(col, style)] = WriteOnlyCell(ws)
                cell.style = style
            cell.value = value
            cell.hyperlink = links.get(col) if linked <= xlsx.HYPERLINK_LIMIT else None
            row.append(cell)
        ws.append(row)
    return _save(wb)


def cell_per_value(export: Any) -> bytes:
    wb = Workbook(write_only=True)
    _styles(wb)
    ws = wb.create_sheet("Evidence")
    ws.append([h for h, _ in xlsx.EVIDENCE_HEADERS])
    linked = 0
    for e in export.evidence:
        links = dict(xlsx.evidence_links(export, e))
        linked += len(links)
        row = []
        for col, text in enumerate(xlsx.evidence_values(export, e), start=1):
            value, style = _value(text)
            cell = WriteOnlyCell(ws, value)
            cell.style = "stale" if col == 8 and e.stale else style
            if linked <= xlsx.HYPERLINK_LIMIT and col in links:
                cell.hyperlink = links[col]
            row.append(cell)
        ws.append(row)
    return _save(wb)


WAYS: dict[str, Callable[[Any], bytes]] = {
    "today (whole workbook)": xlsx.workbook_bytes,
    "write-only, Evidence only: plain": plain,
    "write-only, Evidence only: reused cells": reused_cells,
    "write-only, Evidence only: a cell per value": cell_per_value,
}


def main(argv: "list[str] | None" = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)
    print(f"openpyxl {openpyxl.__version__}, lxml {'used' if openpyxl.LXML else 'not installed (et_xmlfile)'}")
    work = Path(tempfile.mkdtemp(prefix="isoready-bench-xlsx-"))
    try:
        for n in (int(s) for s in args.sizes.split(",")):
            export = export_view(n, work)
            print(f"{len(export.evidence):,} evidence records in the export")
            # CPU seconds of this process (the work is single-threaded), and wall seconds: on a shared machine
            # the wall time moves with the load, the CPU time much less
            times: dict[str, list[tuple[float, float]]] = {name: [] for name in WAYS}
            for _ in range(args.rounds):
                for name, way in WAYS.items():
                    wall, cpu = time.perf_counter(), time.process_time()
                    way(export)
                    times[name].append((time.process_time() - cpu, time.perf_counter() - wall))
            today = min(c for c, _ in times["today (whole workbook)"])
            for name, runs in times.items():
                print(f"  {name:45} CPU " + " ".join(f"{c:6.2f}s" for c, _ in runs)
                      + f"  (wall " + " ".join(f"{w:.2f}s" for _, w in runs) + ")"
                      + f"   best CPU {min(c for c, _ in runs) / today:4.1f}x today")
            if args.profile:
                profile = cProfile.Profile()
                profile.runcall(reused_cells, export)
                pstats.Stats(profile, stream=sys.stdout).sort_stats("tottime").print_stats(12)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
