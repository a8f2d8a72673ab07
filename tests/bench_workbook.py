"""The checklist workbook's writing time (issue 23): openpyxl's write-only mode against the writer it replaced.

    python3 -m tests.bench_workbook --sizes 10000,100000 [--rounds 2] [--before 1f2ce48] [--profile]
    python3 -m tests.bench_workbook --sizes 10000 --replicate 100000    # a 100,000-record export, quicker

For each size it generates the benchmark's synthetic organisation (``tests.bench.generate``), builds the export
view once, then times in this one process, in turns, on the same export view (CPU seconds of the process, and
wall seconds):

- **write-only**: ``xlsx.workbook_bytes`` of this tree, the whole workbook through openpyxl's write-only mode;
- **before**: the same function of ``--before`` (a commit; default 1f2ce48, the last one whose Evidence sheet was
  spliced in as hand-written XML), its ``outputs/xlsx.py`` loaded from git as a module of its own.

Both write every sheet; the figures are for the whole workbook. ``--profile`` prints where the write-only
writer spends its time (cProfile, by own time). ``--replicate N`` times, after each size, an export of N
records made of that size's records repeated (ids and pages made unique): the writers' time at N records
without generating and assessing an N-record project, which takes far longer than the writing.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib.util
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any, Callable

import openpyxl

from isoready.outputs import xlsx
from isoready.package.assemble import prepare
from isoready.package.build import Options

from .bench import AS_OF, generate

REPO = Path(__file__).resolve().parents[1]
BEFORE = "1f2ce48"


def export_view(n: int, work: Path) -> Any:
    root = work / f"org{n}"
    generate(root, n)
    site, _project, diags = prepare(Options(root=root, as_of=date.fromisoformat(AS_OF), audience="auditor",
                                            output=work / "out", use_cache=False, commit="0123456789ab"))
    assert site is not None, diags
    return site.export


def replicated(export: Any, n: int) -> Any:
    """An export of ``n`` evidence records: ``export``'s, repeated, each copy's ids and pages made unique."""
    records = []
    copy = 0
    while len(records) < n:
        records += [replace(e, id=f"{e.id}-{copy}", url=e.url.replace(".html", f"-{copy}.html"))
                    for e in export.evidence[:n - len(records)]]
        copy += 1
    return replace(export, evidence=tuple(records))


def writer_at(rev: str, work: Path) -> Callable[[Any], bytes]:
    """``workbook_bytes`` of ``outputs/xlsx.py`` at commit ``rev`` (it imports only what this tree still has)."""
    source = subprocess.run(["git", "-C", str(REPO), "show", f"{rev}:isoready/outputs/xlsx.py"], check=True,
                            capture_output=True, text=True).stdout
    path = work / f"xlsx_{rev}.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(f"xlsx_{rev}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.workbook_bytes


def main(argv: "list[str] | None" = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--before", default=BEFORE, help="the commit to compare with ('' for none)")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--replicate", type=int, default=0, help="also time an export of this many records")
    args = parser.parse_args(argv)
    print(f"openpyxl {openpyxl.__version__}, lxml {'used' if openpyxl.LXML else 'not used (et_xmlfile)'}")
    work = Path(tempfile.mkdtemp(prefix="isoready-bench-xlsx-"))
    try:
        ways: dict[str, Callable[[Any], bytes]] = {"write-only (this tree)": xlsx.workbook_bytes}
        if args.before:
            ways[f"before ({args.before})"] = writer_at(args.before, work)
        exports = []
        for n in (int(s) for s in args.sizes.split(",")):
            export = export_view(n, work)
            exports.append((f"{n:,} records generated, {len(export.evidence):,} evidence records in the export",
                            export))
            if args.replicate:
                exports.append((f"{args.replicate:,} evidence records: the {n:,}-record export's, repeated",
                                replicated(export, args.replicate)))
        for title, export in exports:
            print(title)
            # CPU seconds of this process (the work is single-threaded), and wall seconds: on a shared machine
            # the wall time moves with the load, the CPU time much less
            times: dict[str, list[tuple[float, float]]] = {name: [] for name in ways}
            for _ in range(args.rounds):
                for name, way in ways.items():
                    wall, cpu = time.perf_counter(), time.process_time()
                    way(export)
                    times[name].append((time.process_time() - cpu, time.perf_counter() - wall))
            first = min(c for c, _ in times["write-only (this tree)"])
            for name, runs in times.items():
                print(f"  {name:28} CPU " + " ".join(f"{c:6.2f}s" for c, _ in runs)
                      + "  (wall " + " ".join(f"{w:.2f}s" for _, w in runs) + ")"
                      + f"   best CPU {min(c for c, _ in runs):6.2f}s = {min(c for c, _ in runs) / first:4.2f}x "
                      "write-only")
            if args.profile:
                profile = cProfile.Profile()
                profile.runcall(xlsx.workbook_bytes, export)
                pstats.Stats(profile, stream=sys.stdout).sort_stats("tottime").print_stats(14)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
