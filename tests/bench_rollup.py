"""`isoready rollup` over many sites' readiness.json (issue 25's target: 500 site files in under 10 s).

A script, not a timed test: ``python -m tests.bench_rollup [--sites 500]`` (or ``python3 -m invoke
bench-rollup``). It builds tests/fixtures/minimal once for the public audience, gives each of N site folders a
copy of its readiness.json with its own organisation name, and times one ``isoready rollup`` over all of them
in a fresh process: wall time and the process's CPU time (on a loaded machine the wall time waits for a core;
the CPU time is the work rollup does)."""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MINIMAL = REPO / "tests" / "fixtures" / "minimal"
AS_OF = "2026-11-01"
TARGET_SECONDS = 10.0


PEAK = "bench-peak-rss-kb:"  # the child's own peak memory, printed last on its stderr
#: runs the command line as `python -m isoready` does, then reports the process's own peak RSS
_RUN = ("import resource, sys; from isoready.cli import main; code = main(sys.argv[1:]); "
        f"print({PEAK!r}, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr); sys.exit(code)")


def _isoready(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run([sys.executable, "-c", _RUN, *args], capture_output=True, text=True, env=env)


def run(sites: int, work: Path) -> dict[str, float]:
    built, register = work / "built", work / "register"
    shutil.copytree(MINIMAL, register, symlinks=True)  # the build writes its cache into the register
    done = _isoready("build", "--root", str(register), "--output", str(built), "--audience", "public",
                     "--as-of", AS_OF)
    if done.returncode:
        raise SystemExit(f"the fixture did not build:\n{done.stdout}{done.stderr}")
    data = json.loads((built / "readiness.json").read_text(encoding="utf-8"))
    folders = []
    for i in range(sites):
        folder = work / "sites" / f"site-{i:04d}"
        folder.mkdir(parents=True)
        data["organisation"] = f"Site {i:04d}"
        (folder / "readiness.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
        folders.append(str(folder))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = _isoready("rollup", *folders, "--output", str(work / "group"), "--as-of", AS_OF)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise SystemExit(f"rollup failed:\n{done.stdout}{done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    # the peak of the rollup process alone: RUSAGE_CHILDREN's maxrss is the largest child so far (the build too)
    peak_kb = int(done.stderr.rsplit(PEAK, 1)[1].split()[0]) if PEAK in done.stderr else 0
    return {"sites": sites, "file_bytes": (work / "sites" / "site-0000" / "readiness.json").stat().st_size,
            "wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "peak_mb": round(peak_kb / 1024, 1),
            "target_s": TARGET_SECONDS}


def main(argv: "list[str] | None" = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench_rollup", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=int, default=500, help="site folders to roll up (default 500)")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="isoready-bench-rollup-"))
    try:
        figures = run(args.sites, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    met = "met" if figures["wall_s"] < TARGET_SECONDS else "MISSED"
    cpu_met = "met" if figures["cpu_s"] < TARGET_SECONDS else "MISSED"
    print(f"rollup over {figures['sites']} readiness.json files ({figures['file_bytes']} bytes each): "
          f"{figures['wall_s']:.2f} s wall, {figures['cpu_s']:.2f} s CPU, peak {figures['peak_mb']:.0f} MB "
          f"(target: under {TARGET_SECONDS:.0f} s: wall {met}, CPU {cpu_met}); "
          f"load average {os.getloadavg()[0]:.1f}")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
