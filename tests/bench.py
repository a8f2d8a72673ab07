"""The project's benchmark: ``python -m tests.bench`` (or ``invoke bench``).

Generates a synthetic organisation of N evidence records (realistic fields,
Markdown descriptions, clause mappings, findings, small documents), then
measures in one run, each in a fresh process so memory and caches are honest:

- cold build (no cache), rebuild after changing one record, rebuild after changing nothing,
  validate only; wall time and peak memory (max RSS) of each;
- the serve rebuild: a ``serve`` process's incremental update after one record is edited (the time from
  the watcher's report to the last file renamed into the preview), measured inside a process that has
  built the preview once, as ``serve`` does;
- ``history`` (when the command exists: the git-native history issue), else a named empty slot;
- the floor: parse the same YAML with PyYAML's C loader, render one precompiled Jinja
  template per record, write the files;
- parse only: the same YAML with the C loader (the yardstick for validate).

- registers (issue 24): a calibration register of 10,000 and 100,000 rows, as CSV and as XLSX, read into typed
  rows (``read.registers.read_register``: parse, type every cell, locate every problem); the target is under
  1 s at 10,000 rows.

- sites (issue 25, opt-in: ``--sites 500``): a group of N sites with 200 records each (``--per-site``) on top
  of examples/multi-site, validated and built cold; wall time, CPU and peak memory against the memory target
  (< 1 GB at 500 sites x 200 records).

First, the bounds: adversarial Markdown and a YAML alias bomb against the seconds each may take (the tests
judge what those inputs do, never how long: a clock in a test fails on a busy machine); any input over its
bound makes the benchmark exit 1.

Figures are printed as seconds and as ratios to the floor (or to parse-only for validate),
measured in the same run, and can be written as JSON. The floor, the cold build and the unchanged rebuild are
measured in ``--repeat`` rounds (default 3), each figure the median run, every run's seconds shown in brackets.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent  # the repository: the benchmark runs from a checkout, not from a wheel
AS_OF = "2026-11-24"

OWNERS = ["Quality Manager", "Production Manager", "Purchasing Manager", "HR Lead", "Maintenance Lead",
          "Operations Director", "Metrology Technician", "Shift Supervisor"]
KINDS = [("Calibration record", "record", ["7.1.5.1"]), ("Training record", "record", ["7.2"]),
         ("Inspection record", "record", ["8.6"]), ("Supplier evaluation", "record", ["8.4.1"]),
         ("Nonconformity report", "record", ["8.7.2", "10.2.2"]), ("Work instruction", "document", ["8.5.1"]),
         ("Contract review", "record", ["8.2.3.2"]), ("Monitoring data", "record", ["9.1.1", "9.1.3"]),
         ("Procedure", "document", ["7.5.1", "7.5.2"]), ("Change record", "record", ["8.5.6"])]


def generate(root: Path, n: int, seed: int = 7) -> None:
    """A synthetic project of n evidence records under root (the demo's content and theme)."""
    rnd = random.Random(seed)
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "isoready" / "theme", root / "theme")
    shutil.copy(REPO / "pelicanconf.py", root / "pelicanconf.py")
    shutil.copytree(REPO / "evidence", root / "evidence")
    findings = []
    for i in range(n):
        title, kind, clauses = KINDS[i % len(KINDS)]
        folder = root / "evidence" / "bulk" / f"{i // 500:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{kind}-{i:06d}"
        month = 1 + i % 12
        doc = ""
        if i % 4 == 0:
            (folder / f"{name}.md").write_text(
                f"# {title} {i}\n\nPrepared by {rnd.choice(OWNERS)}.\n\n| item | result |\n|---|---|\n"
                f"| check {i} | pass |\n", encoding="utf-8")
            doc = f"file: {name}.md\n"
        elif i % 4 == 1:
            (folder / f"{name}.csv").write_text(f"lot,result\n{i},pass\n{i + 1},pass\n", encoding="utf-8")
            doc = f"file: {name}.csv\n"
        review = f"review_by: 2027-{month:02d}-15\n" if i % 9 else "review_by: 2026-06-30\n"
        (folder / f"{name}.yaml").write_text(
            f"title: {title} {i:06d}\n"
            f"kind: {kind}\n"
            f"clauses: [{', '.join(repr(c).replace(chr(39), chr(34)) for c in clauses)}]\n"
            f"{doc}"
            f"owner: {rnd.choice(OWNERS)}\n"
            f"date: {2026 if i % 9 else 2025}-{month:02d}-{1 + i % 28:02d}\n"
            f"{review}"
            f"audience: {'internal' if i % 17 == 0 else 'auditor'}\n"
            "description: |\n"
            f"  Record **{i}** for lot {rnd.randint(1000, 9999)}, checked against the control plan.\n"
            f"  Deviations: {'none' if i % 5 else 'one, see the NCR log'}.\n", encoding="utf-8")
        if i % 200 == 0:
            findings.append(f"- id: BN-{i:06d}\n  clauses: [\"{clauses[0]}\"]\n  grade: {'minor' if i % 400 else 'ofi'}\n"
                            f"  status: open\n  raised: 2026-0{1 + i % 9}-10\n"
                            f"  description: Sampled record {i} lacked a signature.\n")
    (root / "content" / "findings" / "bench.yaml").write_text("".join(findings) or "[]\n", encoding="utf-8")


#: issue 25's scale: a group of SITES sites with PER_SITE records each builds within MEMORY_TARGET_MB
SITES_PER_SITE = 200
MEMORY_TARGET_MB = 1024


def generate_sites(root: Path, sites: int, per_site: int = SITES_PER_SITE, seed: int = 25) -> None:
    """A synthetic group of ``sites`` sites (issue 25) on top of examples/multi-site: its six sites and more
    plants up to ``sites``, each with ``per_site`` evidence records naming it (lists of 50 records a file, a
    Markdown or CSV document for half of them), an internal audit report per plant (1 in 10 not yet audited)
    and a minor finding at 1 site in 25."""
    rnd = random.Random(seed)
    example = REPO / "examples" / "multi-site"
    for folder in ("content", "evidence"):
        shutil.copytree(example / folder, root / folder)
    shutil.copy(example / "pelicanconf.py", root / "pelicanconf.py")
    organisation = root / "content" / "organisation.yaml"
    text = organisation.read_text(encoding="utf-8")
    head, tail = text.split("\nrepository:", 1)
    extra = "".join(f"  - {{id: plant-{i:04d}, name: \"Plant {i:04d}\", country: Country {i % 40}, "
                    f"employees: {10 + i % 90}, shifts: {1 + i % 3}, "
                    "processes: [milling, turning, deburring, inspection, dispatch]}\n"
                    for i in range(6, sites))
    organisation.write_text(f"{head}\n{extra}repository:{tail}", encoding="utf-8")
    ids = ["group-office", "denholm", "carlow", "brno", "tampere", "leeds"][:sites] + \
        [f"plant-{i:04d}" for i in range(6, sites)]
    findings, audits = [], []
    for s, site in enumerate(ids):
        folder = root / "evidence" / "sites" / site
        folder.mkdir(parents=True)
        for chunk in range(0, per_site, 50):
            records = []
            for j in range(chunk, min(per_site, chunk + 50)):
                i = s * per_site + j
                title, kind, clauses = KINDS[i % len(KINDS)]
                name = f"{kind}-{j:03d}"
                doc = ""
                if i % 4 == 0:
                    (folder / f"{name}.md").write_text(
                        f"# {title} {i}\n\nPrepared by {rnd.choice(OWNERS)} at {site}.\n", encoding="utf-8")
                    doc = f"  file: {name}.md\n"
                elif i % 4 == 1:
                    (folder / f"{name}.csv").write_text(f"lot,result\n{i},pass\n", encoding="utf-8")
                    doc = f"  file: {name}.csv\n"
                month = 1 + i % 11
                records.append(
                    f"- id: sites/{site}/{name}\n"
                    f"  title: {title} {site} {j:03d}\n"
                    f"  kind: {kind}\n"
                    f"  clauses: [{', '.join(chr(34) + c + chr(34) for c in clauses)}]\n"
                    f"{doc}"
                    f"  owner: {rnd.choice(OWNERS)}\n"
                    f"  date: {2026 if i % 9 else 2025}-{month:02d}-{1 + i % 28:02d}\n"
                    f"  review_by: {'2026-06-30' if i % 9 == 0 else f'2027-{month:02d}-15'}\n"
                    f"  audience: {'internal' if i % 17 == 0 else 'auditor'}\n"
                    f"  sites: [{site}]\n"
                    f"  description: Record **{j}** of {site}, lot {rnd.randint(1000, 9999)}.\n")
            (folder / f"records-{chunk // 50}.yaml").write_text("".join(records), encoding="utf-8")
        if s >= 6 and s % 10:  # the example's own sites keep their own audits; 1 plant in 10 is not yet audited
            audits.append(f"- id: sites/{site}/internal-audit-2026\n  title: Internal audit report, {site}\n"
                          f"  kind: record\n  clauses: [\"9.2.2\"]\n  owner: Quality Manager\n"
                          f"  auditor: External consultant\n  date: 2026-{1 + s % 10:02d}-{1 + s % 27:02d}\n"
                          f"  sites: [{site}]\n  covers: [\"4\", \"5\", \"6\", \"7\", \"8\", \"9\", \"10\"]\n")
        if s >= 6 and s % 25 == 0:
            findings.append(f"- id: GR-{s:04d}\n  clauses: [\"8.5.1\"]\n  grade: minor\n  status: open\n"
                            f"  raised: 2026-10-{1 + s % 27:02d}\n  sites: [{site}]\n"
                            f"  description: Set-up sheet not signed at {site}.\n")
    (root / "evidence" / "sites" / "audits.yaml").write_text("".join(audits) or "[]\n", encoding="utf-8")
    (root / "content" / "findings" / "sites.yaml").write_text("".join(findings) or "[]\n", encoding="utf-8")


# --------------------------------------------------------------------------- measured steps (run in children)


def _floor(root: str, out: str) -> None:
    """Parse every YAML with the C loader, render one precompiled template per record, write the files."""
    import yaml
    from jinja2 import Environment

    env = Environment(autoescape=True)
    template = env.from_string(
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>{{ r.title }}</title></head><body>"
        "<h1>{{ r.title }}</h1><dl><dt>Kind</dt><dd>{{ r.kind }}</dd><dt>Clauses</dt><dd>{{ r.clauses|join(', ') }}"
        "</dd><dt>Owner</dt><dd>{{ r.owner }}</dd><dt>Date</dt><dd>{{ r.date }}</dd></dl>"
        "<p>{{ r.description }}</p></body></html>")
    base = Path(root) / "evidence"
    target = Path(out)
    for path in sorted(base.rglob("*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        records = data if isinstance(data, list) else [data]
        rel = path.relative_to(base).with_suffix("")
        for i, record in enumerate(records):
            dest = target / rel.parent / f"{rel.name}-{i}.html"
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(template.render(r=record), encoding="utf-8")


def _parse(root: str) -> None:
    import yaml

    base = Path(root)
    for folder in ("evidence", "content"):
        for path in sorted((base / folder).rglob("*.yaml")):
            yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)


def _serve_update(root: str, out: str) -> "tuple[float, float, float]":
    """Seconds a running preview takes to show one edited record (incremental, in memory): until the changed
    pages are in place (the open page reloads then), and until the exports and the manifest are too; then
    the seconds of a rebuild with nothing changed (the same record saved again with the same bytes, as an
    editor's save-without-change does: the watcher reports it, nothing is rewritten)."""
    from datetime import date

    from isoready.read.options import Options
    from isoready.cli.serve import Preview

    preview = Preview(Options(root=Path(root), as_of=date.fromisoformat(AS_OF), output=Path(out),
                              audience="internal", commit="bench"))
    if not preview.full().ok or not preview.ready:
        raise SystemExit("serve: the first build failed")
    record = Path(root) / "evidence" / "bulk" / "000" / "record-000001.yaml"
    record.write_text(record.read_text(encoding="utf-8").replace("for lot", "for batch lot", 1), encoding="utf-8")
    started = time.perf_counter()
    ok, _diags = preview.update({str(record)}, settle=False)
    visible = time.perf_counter() - started
    if not ok:
        raise SystemExit("serve: the update failed")
    preview.settle()
    settled = time.perf_counter() - started
    record.write_bytes(record.read_bytes())  # saved again, unchanged
    started = time.perf_counter()
    ok, _diags = preview.update({str(record)}, settle=True)
    if not ok:
        raise SystemExit("serve: the unchanged update failed")
    return visible, settled, time.perf_counter() - started


def has_history() -> bool:
    from isoready.cli import COMMANDS

    return "history" in COMMANDS


def _child(step: str, root: str, out: str) -> "tuple[float, ...] | None":
    if step == "serve":
        return _serve_update(root, out)
    if step == "history":
        from isoready.cli import main

        code = main(["history", "--root", root])
        if code != 0:
            raise SystemExit(f"history exited {code}")
        return None
    if step == "floor":
        _floor(root, out)
    elif step == "parse":
        _parse(root)
    elif step in ("build", "validate"):
        from isoready.cli import main

        code = main([step, "--root", root, "--as-of", AS_OF, *(["--output", out] if step == "build" else [])])
        if code != 0:
            raise SystemExit(f"{step} exited {code}")
    else:
        raise SystemExit(f"unknown step {step}")


def settle(out: Path, limit: float = 120.0) -> None:
    """Let the machine finish what the last step left running (the previous site's background removal,
    dirty pages) so that it does not slow the next measurement."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and list(out.parent.glob(f".{out.name}-old-*")):
        time.sleep(0.05)
    os.sync()


def measure(step: str, root: Path, out: Path) -> dict[str, float]:
    """Run one step in a fresh Python process; wall seconds, CPU seconds (the process's and the workers' it
    forked) and peak RSS in MB (the largest of the process and the workers it forked)."""
    settle(out)
    code = ("import resource, sys, time; from tests.bench import _child; t = time.perf_counter(); "
            f"inner = _child({step!r}, {str(root)!r}, {str(out)!r}); "
            "me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN); "
            "print(time.perf_counter() - t if inner is None else inner[0], max(me.ru_maxrss, kids.ru_maxrss), "
            "me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime, *(() if inner is None else inner[1:]))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO,
                          env={**os.environ, "ISOREADY_COMMIT": "bench"})
    if proc.returncode != 0:
        raise SystemExit(f"{step} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    settle(out)
    seconds, rss_kb, cpu, *settled = proc.stdout.strip().splitlines()[-1].split()
    result = {"seconds": round(float(seconds), 3), "peak_mb": round(int(rss_kb) / 1024, 1),
              "cpu_seconds": round(float(cpu), 2)}  # the process's and its workers' CPU: what load does not inflate
    if settled:
        result["settled_seconds"] = round(float(settled[0]), 3)  # serve: exports and manifest written too
    if len(settled) > 1:
        result["unchanged_seconds"] = round(float(settled[1]), 3)  # serve: a rebuild with nothing changed
    return result


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run of median seconds (the lower of the two middle ones for an even count), with its own CPU and
    memory, and every run's seconds."""
    ordered = sorted(runs, key=lambda r: r["seconds"])
    return {**ordered[(len(ordered) - 1) // 2], "runs_seconds": [r["seconds"] for r in runs]}


def run_size(n: int, work: Path, repeat: int = 3) -> dict[str, Any]:
    """One size's figures. The floor, the cold build and the rebuild with nothing changed are measured
    ``repeat`` times, in rounds (floor, cold build, unchanged rebuild), so that each ratio compares runs taken
    under the same conditions; each figure is the median run (a machine whose disk or neighbours slow one
    run moves the median far less than one measurement)."""
    root = work / f"org-{n}"
    generate(root, n)
    out = work / f"site-{n}"
    cache = root / ".cache"
    results: dict[str, Any] = {"records": n + 39}
    results["parse"] = measure("parse", root, work / "unused")
    results["validate"] = measure("validate", root, out)
    rounds: dict[str, list[dict[str, Any]]] = {"floor": [], "cold_build": [], "rebuild_unchanged": []}
    for i in range(max(1, repeat)):
        rounds["floor"].append(measure("floor", root, work / f"floor-{n}-{i}"))
        shutil.rmtree(cache, ignore_errors=True)
        rounds["cold_build"].append(measure("build", root, out))
        rounds["rebuild_unchanged"].append(measure("build", root, out))
    for step, runs in rounds.items():
        results[step] = median_run(runs)
    record = root / "evidence" / "bulk" / "000" / "record-000001.yaml"  # a visible record (1 in 17 is internal)
    record.write_text(record.read_text(encoding="utf-8").replace("checked against", "re-checked against"),
                      encoding="utf-8")
    results["rebuild_one_changed"] = measure("build", root, out)
    results["serve_rebuild_one_edit"] = measure("serve", root, work / f"preview-{n}")
    if has_history():
        results["history"] = measure("history", root, out)
    else:
        results["history"] = {"seconds": None, "peak_mb": None,
                              "note": "slot: `isoready history` is not in this build yet"}
    floor, parse, cold = results["floor"]["seconds"], results["parse"]["seconds"], results["cold_build"]["seconds"]
    results["ratios"] = {
        "cold_build/floor": round(cold / floor, 2),
        "rebuild_one_changed/cold_build": round(results["rebuild_one_changed"]["seconds"] / cold, 3),
        "rebuild_unchanged/cold_build": round(results["rebuild_unchanged"]["seconds"] / cold, 3),
        "validate/parse": round(results["validate"]["seconds"] / parse, 2),
        "serve_rebuild_one_edit/cold_build": round(results["serve_rebuild_one_edit"]["seconds"] / cold, 3),
        "serve_rebuild_unchanged/cold_build": round(results["serve_rebuild_one_edit"]["unchanged_seconds"] / cold, 3),
    }
    results["cold_seconds_per_1000_records"] = round(cold / results["records"] * 1000, 3)
    return results


def run_sites(sites: int, work: Path, per_site: int = SITES_PER_SITE) -> dict[str, Any]:
    """Issue 25's scale: a group of ``sites`` sites of ``per_site`` records each (``generate_sites``),
    validated and built cold, each in a fresh process: wall, CPU and peak RSS against the memory target."""
    root = work / f"group-{sites}"
    generate_sites(root, sites, per_site)
    out = work / f"group-site-{sites}"
    results: dict[str, Any] = {"sites": sites, "records_per_site": per_site, "records": sites * per_site}
    results["validate"] = measure("validate", root, out)
    shutil.rmtree(root / ".cache", ignore_errors=True)
    results["cold_build"] = measure("build", root, out)
    return results


def sites_lines(r: dict[str, Any]) -> list[str]:
    """One line per measured step of the multi-site group, the memory target marked met or MISSED."""
    lines = []
    for step in ("validate", "cold_build"):
        m = r[step]
        met = "met" if m["peak_mb"] < MEMORY_TARGET_MB else "MISSED"
        lines.append(f"sites: {r['sites']:,} sites x {r['records_per_site']:,} records ({r['records']:,} records): "
                     f"{step.replace('_', ' ')} {m['seconds']:.2f}s ({m['cpu_seconds']:.2f}s CPU), peak "
                     f"{m['peak_mb']:.0f} MB (target < {MEMORY_TARGET_MB:,} MB: {met})")
    return lines


def _runs(m: dict[str, Any]) -> str:
    """A median's runs, in the order taken (empty for a single run)."""
    runs = m.get("runs_seconds") or []
    return f" [{', '.join(f'{s:.2f}' for s in runs)}]" if len(runs) > 1 else ""


def table(all_results: dict[str, Any]) -> str:
    rows = ["| records | floor s | parse s | cold build s (x floor) | rebuild, 1 changed s (x cold) | "
            "rebuild, unchanged s (x cold) | serve rebuild, 1 edit: page s (x cold); exports settled s; unchanged s (x cold) | "
            "validate s (x parse) | peak MB (cold / validate) | cold s per 1,000 | history s |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for n, r in all_results["sizes"].items():
        ratios = r["ratios"]
        rows.append(
            f"| {r['records']:,} | {r['floor']['seconds']:.2f}{_runs(r['floor'])} | {r['parse']['seconds']:.2f} | "
            f"{r['cold_build']['seconds']:.2f}{_runs(r['cold_build'])} ({ratios['cold_build/floor']:.2f}x) | "
            f"{r['rebuild_one_changed']['seconds']:.2f} ({ratios['rebuild_one_changed/cold_build']:.1%}) | "
            f"{r['rebuild_unchanged']['seconds']:.2f}{_runs(r['rebuild_unchanged'])} "
            f"({ratios['rebuild_unchanged/cold_build']:.1%}) | "
            f"{r['serve_rebuild_one_edit']['seconds']:.2f} ({ratios['serve_rebuild_one_edit/cold_build']:.1%}); "
            f"exports {r['serve_rebuild_one_edit']['settled_seconds']:.2f}; unchanged "
            f"{r['serve_rebuild_one_edit']['unchanged_seconds']:.2f} ({ratios['serve_rebuild_unchanged/cold_build']:.1%}) | "
            f"{r['validate']['seconds']:.2f} ({ratios['validate/parse']:.2f}x) | "
            f"{r['cold_build']['peak_mb']:.0f} / {r['validate']['peak_mb']:.0f} | {r['cold_seconds_per_1000_records']:.2f} | "
            f"{'n/a (slot)' if r['history']['seconds'] is None else format(r['history']['seconds'], '.2f')} |")
    return "\n".join(rows)


#: issue 23's preview-speed targets, each a ratio measured in the same run
TARGETS = (("serve: one-record edit visible", "serve_rebuild_one_edit/cold_build", 0.10, "of a cold build"),
           ("serve: rebuild with nothing changed", "serve_rebuild_unchanged/cold_build", 0.15, "of a cold build"),
           ("build: rebuild with nothing changed", "rebuild_unchanged/cold_build", 0.15, "of a cold build"),
           ("cold build", "cold_build/floor", 3.0, "the floor"))


def targets(all_results: dict[str, Any]) -> list[str]:
    """One line per target and size: the figure, the target, met or missed."""
    lines = []
    for n, r in all_results["sizes"].items():
        for label, key, limit, against in TARGETS:
            value = r["ratios"][key]
            shown, bound = ((f"{value:.2f}x", f"{limit:.0f}x") if against == "the floor"
                            else (f"{value:.1%}", f"{limit:.0%}"))
            lines.append(f"target: {r['records']:,} records: {label}: {shown} {against} (target <= {bound}) "
                         f"{'met' if value <= limit else 'MISSED'}")
    return lines


def replay(repo: Path, commits: int, end: str = "2026-11-30") -> None:
    """A demo-sized register with ``commits`` dated commits, one a day up to ``end``: each touches one record
    (its description), so every commit has a tree of its own and none is answered by another's result."""
    import datetime as dt
    import subprocess

    demo = Path(__file__).resolve().parents[1]
    if not (demo / "evidence").is_dir():
        raise SystemExit("the history benchmark needs the demo register (run it from a source checkout)")
    shutil.copytree(demo / "evidence", repo / "evidence")
    shutil.copytree(demo / "content", repo / "content")
    records = sorted((repo / "evidence").rglob("*.yaml"))
    base = dict(os.environ, GIT_AUTHOR_NAME="Bench", GIT_AUTHOR_EMAIL="bench@example.com",
                GIT_COMMITTER_NAME="Bench", GIT_COMMITTER_EMAIL="bench@example.com", GIT_CONFIG_GLOBAL="/dev/null",
                GIT_CONFIG_NOSYSTEM="1")
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True, env=base)
    last = dt.date.fromisoformat(end)
    for i in range(commits):
        day = last - dt.timedelta(days=commits - 1 - i)
        if i:
            with open(records[i % len(records)], "a", encoding="utf-8") as fh:
                fh.write(f"# revision {i}\n")
        env = dict(base, GIT_AUTHOR_DATE=f"{day}T12:00:00+00:00", GIT_COMMITTER_DATE=f"{day}T12:00:00+00:00")
        subprocess.run(["git", "add", "-A"], cwd=repo, check=True, env=env)
        subprocess.run(["git", "commit", "-q", "-m", f"revision {i}"], cwd=repo, check=True, env=env)


def run_history(commits: int, work: Path) -> dict[str, Any]:
    """``isoready history`` over ``commits`` commits: cold (no cache), then after one more commit."""
    import subprocess

    repo = work / f"history-{commits}"
    repo.mkdir()
    replay(repo, commits - 1, end="2026-11-29")

    def timed() -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "isoready", "history", "--root", str(repo), "--output",
                        str(work / "history.json")], check=True, capture_output=True)
        return time.perf_counter() - start

    cold = timed()
    with open(next((repo / "evidence").rglob("*.yaml")), "a", encoding="utf-8") as fh:
        fh.write("# one more\n")
    env = dict(os.environ, GIT_AUTHOR_NAME="Bench", GIT_AUTHOR_EMAIL="b@example.com", GIT_COMMITTER_NAME="Bench",
               GIT_COMMITTER_EMAIL="b@example.com", GIT_AUTHOR_DATE="2026-11-30T12:00:00+00:00",
               GIT_COMMITTER_DATE="2026-11-30T12:00:00+00:00", GIT_CONFIG_GLOBAL="/dev/null")
    subprocess.run(["git", "commit", "-qam", "one more"], cwd=repo, check=True, env=env)
    one_more = timed()
    return {"commits": commits, "cold_seconds": round(cold, 2), "one_new_commit_seconds": round(one_more, 2)}


#: (name, seconds allowed): the speed the tests used to assert with a clock, judged here instead
VALIDATE_ALIAS_BOMB_SECONDS = 1.0


def run_bounds() -> list[dict[str, Any]]:
    """Time the inputs that once took minutes (adversarial Markdown, a YAML alias bomb) against their bounds.
    The tests judge what these inputs do (tests/unit/test_markdown_bounds.py, test_validate.py
    ``test_E104_alias_bomb_rejected_fast``); a clock belongs here, where a busy machine is a known condition."""
    import contextlib
    import io

    from isoready.cli import main as isoready
    from isoready.core.text import CACHE, markdown
    from tests.unit.test_markdown_bounds import ADVERSARIAL, LIMIT_SECONDS
    from tests.unit.test_validate import BILLION_LAUGHS

    rows = []
    for name in sorted(ADVERSARIAL):
        CACHE.clear()
        started = time.perf_counter()
        str(markdown(ADVERSARIAL[name]))
        rows.append({"name": f"markdown: {name}", "seconds": time.perf_counter() - started, "limit": LIMIT_SECONDS})
    from isoready.core.load import parse_text

    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 30)]
    started = time.perf_counter()
    parse_text("\n".join(lines) + "\n", "evidence/bomb.yaml")
    rows.append({"name": "parse: aliases that would expand to 10^30 values (E104)",
                 "seconds": time.perf_counter() - started, "limit": VALIDATE_ALIAS_BOMB_SECONDS})
    with tempfile.TemporaryDirectory(prefix="isoready-bounds-") as tmp:
        root = Path(tmp) / "project"
        shutil.copytree(REPO / "tests" / "fixtures" / "minimal", root)
        (root / "evidence" / "x.yaml").write_text(BILLION_LAUGHS, encoding="utf-8")
        with contextlib.redirect_stdout(io.StringIO()):
            started = time.perf_counter()
            isoready(["validate", "--root", str(root), "--as-of", AS_OF])
            seconds = time.perf_counter() - started
        rows.append({"name": "validate: a YAML alias bomb (E104)", "seconds": seconds,
                     "limit": VALIDATE_ALIAS_BOMB_SECONDS})
    return rows


#: the register reading target (issue 24): rows -> seconds allowed, CSV and XLSX alike
REGISTER_TARGET = (10_000, 1.0)


def write_register(path: Path, rows: int, seed: int = 24) -> None:
    """A calibration register of ``rows`` gauges, as CSV or XLSX (by suffix): mapped headers, dates as text (CSV)
    or date cells (XLSX), a few statuses and results, one bad date in a thousand."""
    from datetime import date, timedelta

    rnd = random.Random(seed)
    header = ["Gauge ID", "Description", "Next calibration", "Last calibration", "Status", "Result", "Traceable to"]
    data = []
    for i in range(rows):
        due = date(2026, 1, 1) + timedelta(days=rnd.randrange(0, 730))
        data.append([f"G-{i:06d}", rnd.choice(["Caliper 150 mm", "Micrometer 0-25", "Torque wrench"]),
                     "31/02/2026" if i % 1000 == 999 else due, due - timedelta(days=365),
                     rnd.choice(["in-service", "In service", "quarantined", "retired", ""]),
                     rnd.choice(["pass", "pass", "fail", ""]), "UKAS 0001"])
    if path.suffix == ".csv":
        with path.open("w", encoding="utf-8", newline="") as fh:
            fh.write(";".join(header) + "\n")
            fh.writelines(";".join(str(v) for v in row) + "\n" for row in data)
        return
    import openpyxl

    wb = openpyxl.Workbook()  # not write-only: a sheet with its <dimension>, as a spreadsheet program saves it
    ws = wb.active
    ws.title = "Gauges"
    ws.append(header)
    for row in data:
        ws.append(row)
    wb.save(path)


def run_registers(sizes: list[int], work: Path) -> list[dict[str, Any]]:
    """Seconds to read a register of each size, CSV and XLSX (the file written first, not timed)."""
    from isoready.model import Evidence
    from isoready.read.registers import read_register

    rows = []
    for n in sizes:
        for suffix in (".csv", ".xlsx"):
            root = work / f"registers-{n}{suffix.replace('.', '-')}"
            (root / "evidence").mkdir(parents=True, exist_ok=True)
            write_register(root / "evidence" / f"gauges{suffix}", n)
            ev = Evidence(id="gauges", title="Gauges", kind="record", clauses=("7.1.5.2",),
                          source="evidence/gauges.yaml", file=f"gauges{suffix}", register="calibration",
                          register_columns=(("id", "Gauge ID"), ("due", "Next calibration"),
                                            ("last", "Last calibration")))
            started, cpu = time.perf_counter(), time.process_time()
            register, diags = read_register(root, ev, max_rows=max(sizes))
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
            rows.append({"rows": n, "format": suffix[1:], "seconds": seconds, "cpu_seconds": cpu,
                         "read": len(register.rows), "problems": len(diags)})
    return rows


def register_lines(rows: list[dict[str, Any]]) -> list[str]:
    """One line per register figure; the target's size says met or MISSED (wall time, as a user waits)."""
    lines = []
    for row in rows:
        goal = ""
        if row["rows"] == REGISTER_TARGET[0]:
            goal = f" (target < {REGISTER_TARGET[1]:.0f} s: " + ("met)" if row["seconds"] < REGISTER_TARGET[1]
                                                                 else "MISSED)")
        lines.append(f"register: {row['rows']:,} rows ({row['format']}): {row['seconds']:.2f}s "
                     f"({row['cpu_seconds']:.2f}s CPU), {row['read']:,} rows read, {row['problems']} problems{goal}")
    return lines


def machine() -> str:
    import yaml

    return (f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"PyYAML {yaml.__version__} (C loader: {yaml.__with_libyaml__})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="record counts, comma separated (default 1000,10000; "
                        "add 50000 for the large case)")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    parser.add_argument("--keep", action="store_true", help="keep the generated projects (printed path)")
    parser.add_argument("--history", type=int, default=500, metavar="N",
                        help="also time 'isoready history' over N dated commits of the demo register, cold and "
                             "after one new commit (default 500; 0 skips it)")
    parser.add_argument("--registers", default="10000,100000", metavar="N,N",
                        help="register sizes in rows, read as CSV and as XLSX (default 10000,100000; 0 skips)")
    parser.add_argument("--sites", type=int, default=0, metavar="N",
                        help="also build a group of N sites (issue 25: 500) of --per-site records each, and report "
                             "its wall time, CPU and peak memory against the memory target (default 0: skipped)")
    parser.add_argument("--repeat", type=int, default=3, metavar="N",
                        help="rounds of floor, cold build and unchanged rebuild per size, each figure the median "
                             "run (default 3)")
    parser.add_argument("--per-site", type=int, default=SITES_PER_SITE, metavar="N",
                        help=f"records per site of the --sites group (default {SITES_PER_SITE})")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    work = Path(tempfile.mkdtemp(prefix="isoready-bench-"))
    try:
        results: dict[str, Any] = {"machine": machine(), "sizes": {}}
        print("measuring the bounds ...", file=sys.stderr, flush=True)
        bounds = results["bounds"] = run_bounds()
        for row in bounds:
            verdict = "ok" if row["seconds"] < row["limit"] else "OVER"
            print(f"bound: {row['name']}: {row['seconds']:.2f}s (limit {row['limit']:.1f} s) {verdict}")
        register_sizes = [int(s) for s in args.registers.split(",") if s.strip() and int(s) > 0]
        if register_sizes:
            print("measuring the registers ...", file=sys.stderr, flush=True)
            results["registers"] = run_registers(register_sizes, work)
            print("\n".join(register_lines(results["registers"])))
        for n in sizes:
            print(f"measuring {n:,} records ...", file=sys.stderr, flush=True)
            results["sizes"][str(n)] = run_size(n, work, args.repeat)
        if args.sites:
            print(f"measuring {args.sites:,} sites x {args.per_site:,} records ...", file=sys.stderr, flush=True)
            results["sites"] = run_sites(args.sites, work, args.per_site)
            print("\n".join(sites_lines(results["sites"])))
        print(f"machine: {results['machine']}")
        print(table(results))
        print("\n".join(targets(results)))
        if len(sizes) > 1:
            per = [results["sizes"][str(n)]["cold_seconds_per_1000_records"] for n in sizes]
            print(f"cost per record, largest vs smallest: {per[-1] / per[0]:.2f}x (linear = 1.00)")
        if args.history:
            print(f"measuring history over {args.history} commits ...", file=sys.stderr, flush=True)
            h = results["history"] = run_history(args.history, work)
            print(f"history: {h['commits']} commits cold {h['cold_seconds']:.2f}s (target < 60 s); rerun after one "
                  f"new commit {h['one_new_commit_seconds']:.2f}s (target < 2 s)")
        if args.json:
            Path(args.json).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        over = [row["name"] for row in bounds if row["seconds"] >= row["limit"]]
        if over:
            print(f"over their bound: {', '.join(over)}", file=sys.stderr)
        return 1 if over else 0
    finally:
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
