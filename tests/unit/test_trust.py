"""Trust and integrity: audience-filtered builds that cannot leak, reproducible output, nothing lost.

Canary strings are planted in every field of internal records (document bytes, title, description, id,
file name) and of an internal finding; each audience's site, archive, exports and search index are then
searched byte for byte, including inside the zip members of the archive and the XLSX workbook.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from datetime import date
from pathlib import Path

import pytest

from isoready.package.archive import make_archive, verify
from isoready.cli import main
from isoready.package.build import Options, build

REPO = Path(__file__).resolve().parents[2]
AS_OF = date(2026, 11, 24)

CANARIES = {
    "doc": "CANARY-DOCBYTES-7f3a",
    "title": "CANARY-TITLE-91be",
    "description": "CANARY-DESCRIPTION-c0d4",
    "id": "canary-id-5e21",
    "filename": "canary-filename-aa07",
    "finding": "CANARY-FINDING-ID-3b9f",
    "finding_text": "CANARY-FINDING-TEXT-d6e0",
    "spaced": "secret plan CANARY-SPACED-71c2",
}
AUDITOR_CANARY = "CANARY-AUDITOR-ONLY-0e4c"


def _copy_demo(dst: Path) -> Path:
    for name in ("content", "evidence", "theme", "pelicanconf.py"):
        src = REPO / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, dst / name)
    return dst


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> Path:
    root = _copy_demo(tmp_path_factory.mktemp("planted"))
    secret = root / "evidence" / "support"
    (secret / f"{CANARIES['filename']}.md").write_text(f"# Salary bands\n\n{CANARIES['doc']}\n", encoding="utf-8")
    (secret / "salary-bands.yaml").write_text(
        f"id: {CANARIES['id']}\n"
        f"title: Salary bands {CANARIES['title']}\n"
        "kind: record\n"
        'clauses: ["7.2"]\n'
        f"file: {CANARIES['filename']}.md\n"
        "audience: internal\n"
        "review_by: 2026-01-01\n"  # stale: its reason must not name it to other audiences
        f"description: Internal only. {CANARIES['description']}\n", encoding="utf-8")
    (secret / f"{CANARIES['spaced']}.txt").write_text("secret\n", encoding="utf-8")
    (secret / "spaced.yaml").write_text(
        f'title: Plan\nkind: document\nclauses: ["7.5.1"]\naudience: internal\nfile: "{CANARIES["spaced"]}.txt"\n',
        encoding="utf-8")
    (secret / "public-note.yaml").write_text(  # visible text that names the withheld records, every way
        f"title: Follow-up of {CANARIES['finding']}\nkind: document\nclauses: [\"7.5.1\"]\naudience: public\n"
        f"owner: {CANARIES['id']} owner\nversion: {CANARIES['id'].upper()}\n"
        f"description: See {CANARIES['id']}, {CANARIES['finding']}. and {CANARIES['filename']}.md for details.\n"
        f"  Also _{CANARIES['id']}_, __{CANARIES['finding'].lower()}__, [page](../evidence/{CANARIES['id']}.html),\n"
        f"  [file](../files/support/{CANARIES['filename']}.md) and {CANARIES['spaced']}.txt.\n",
        encoding="utf-8")
    (secret / "auditor-note.yaml").write_text(
        f"title: Auditor-level note {AUDITOR_CANARY}\nkind: document\nclauses: [\"7.5.1\"]\n", encoding="utf-8")
    findings = root / "content" / "findings" / "internal-only.yaml"
    findings.write_text(
        f"- id: {CANARIES['finding']}\n"
        '  clauses: ["7.2"]\n'
        "  grade: major\n"
        "  status: open\n"
        "  raised: 2026-10-01\n"
        "  audience: internal\n"
        f"  description: Pay grievance {CANARIES['finding_text']}\n", encoding="utf-8")
    return root


def _all_bytes(path: Path) -> list[tuple[str, bytes]]:
    """Every file under path (or the file itself), with zip members (archive, XLSX) opened recursively."""
    items: list[tuple[str, bytes]] = []
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    for f in files:
        data = f.read_bytes()
        items.append((str(f), data))
        items.extend(_zip_members(str(f), data))
    return items


def _zip_members(name: str, data: bytes) -> list[tuple[str, bytes]]:
    if not data.startswith(b"PK"):
        return []
    out = []
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for member in zf.namelist():
            body = zf.read(member)
            out.append((f"{name}!{member}", member.encode() + b"\n" + body))
            out.extend(_zip_members(f"{name}!{member}", body))
    return out


def _leaks(path: Path, canaries) -> list[str]:
    found = []
    for name, data in _all_bytes(path):
        lowered = data.lower()
        for canary in canaries:
            if canary.lower().encode() in lowered:
                found.append(f"{canary} in {name}")
    return found


@pytest.fixture(scope="module")
def builds(planted, tmp_path_factory):
    out = {}
    for audience in ("public", "auditor", "internal"):
        base = tmp_path_factory.mktemp(f"out-{audience}")
        opts = Options(root=planted, as_of=AS_OF, audience=audience, output=base / "site", commit="abc123")
        result = build(opts)
        assert result.ok, result.diagnostics
        _, archive = make_archive(opts, base / "dist")
        out[audience] = (base, result)
    return out


@pytest.mark.parametrize("audience", ["public", "auditor"])
def test_withheld_internal_records_leave_no_trace(builds, audience):
    base, _ = builds[audience]
    assert _leaks(base, CANARIES.values()) == []


def test_public_build_also_withholds_auditor_records(builds):
    base, _ = builds["public"]
    assert _leaks(base, [AUDITOR_CANARY]) == []
    assert _leaks(builds["auditor"][0], [AUDITOR_CANARY]) != []


def test_internal_build_shows_everything_so_the_search_can_find_canaries(builds):
    base, _ = builds["internal"]
    leaks = "\n".join(_leaks(base, CANARIES.values()))
    for canary in CANARIES.values():
        assert canary in leaks, f"{canary} not found: the leak search would not see it either"
    assert "checklist.xlsx!" in leaks or "search-index.js" in leaks


def test_visible_text_naming_withheld_records_is_redacted(builds):
    page = (builds["public"][0] / "site" / "evidence" / "support" / "public-note.html").read_text()
    assert "See [withheld], [withheld]. and [withheld] for details." in page
    assert "<h1>Follow-up of [withheld]</h1>" in page
    internal = (builds["internal"][0] / "site" / "evidence" / "support" / "public-note.html").read_text()
    internal_text = re.sub(r"<[^>]+>", "", internal)  # ids in prose are wrapped so they never break
    assert f"See {CANARIES['id']}, {CANARIES['finding']}. and {CANARIES['filename']}.md" in internal_text


def test_readiness_is_the_same_for_every_audience(builds):
    import json

    figures = {}
    for audience, (base, _) in builds.items():
        data = json.loads((base / "site" / "readiness.json").read_text())
        figures[audience] = (data["readiness"]["overall"], data["readiness"]["by_main_clause"],
                             [(c["number"], c["state"]) for c in data["clauses"]])
    assert figures["public"] == figures["auditor"] == figures["internal"]


def test_withheld_records_are_counted_only_in_aggregate(builds):
    base, result = builds["auditor"]
    clause = (base / "site" / "clauses" / "7.2.html").read_text()
    assert "not shown in this build" in clause
    assert "open major finding (raised on" not in clause  # the finding is on 7.2 itself
    assert "open major finding" in clause  # the reason stays, naming no record
    page = (base / "site" / "index.html").read_text()
    assert 'content="auditor"' in page and "Auditor build" in page


def test_every_page_says_its_audience(builds):
    for audience, (base, _) in builds.items():
        for page in (base / "site").rglob("*.html"):
            assert f'<meta name="isoready:audience" content="{audience}">' in page.read_text(), page


# --------------------------------------------------------------------------- reproducible output


def test_two_builds_are_byte_identical_site_and_archive(planted, tmp_path):
    digests = []
    for n in (1, 2):
        opts = Options(root=planted, as_of=AS_OF, output=tmp_path / f"site{n}", commit="abc123")
        assert build(opts).ok
        _, archive = make_archive(opts, tmp_path / f"dist{n}")
        tree = {p.relative_to(tmp_path / f"site{n}").as_posix(): p.read_bytes()
                for p in sorted((tmp_path / f"site{n}").rglob("*")) if p.is_file()}
        digests.append((tree, hashlib.sha256(archive.read_bytes()).hexdigest()))
    assert digests[0][0].keys() == digests[1][0].keys()
    different = [k for k in digests[0][0] if digests[0][0][k] != digests[1][0][k]]
    assert different == []
    assert digests[0][1] == digests[1][1]


def test_site_records_commit_and_as_of(builds):
    base, _ = builds["auditor"]
    index = (base / "site" / "index.html").read_text()
    assert "abc123" in index and "2026-11-24" in index


def test_archive_verifies_and_fails_when_one_byte_changes(builds, tmp_path):
    base, _ = builds["auditor"]
    archive = next((base / "dist").glob("*.zip"))
    assert verify(archive) == []
    folder = tmp_path / "unzipped"
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(folder)
    site = next(folder.iterdir())
    assert main(["verify", str(site)]) == 0
    doc = next((site / "files").rglob("*.md"))
    data = bytearray(doc.read_bytes())
    data[0] ^= 1
    doc.write_bytes(bytes(data))
    problems = verify(site)
    assert [p.message for p in problems] == ["changed: size or SHA-256 differs from the manifest"]
    assert main(["verify", str(site)]) == 1
    if shutil.which("sha256sum"):
        proc = subprocess.run(["sha256sum", "-c", "--quiet", "SHA256SUMS"], cwd=site, capture_output=True)
        assert proc.returncode != 0


# --------------------------------------------------------------------------- nothing lost


def _tree_digest(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_build_never_writes_to_sources(planted, tmp_path):
    before = {d: _tree_digest(planted / d) for d in ("evidence", "content", "theme")}
    mtimes = {p: p.stat().st_mtime_ns for d in ("evidence", "content") for p in (planted / d).rglob("*")}
    assert build(Options(root=planted, as_of=AS_OF, output=tmp_path / "site")).ok
    assert {d: _tree_digest(planted / d) for d in ("evidence", "content", "theme")} == before
    assert {p: p.stat().st_mtime_ns for p in mtimes} == mtimes


def test_output_inside_sources_is_refused(planted, capsys):
    assert main(["build", "--root", str(planted), "--as-of", "2026-11-24", "--output",
                 str(planted / "evidence" / "site")]) == 2
    assert "refusing to write the site" in capsys.readouterr().err


def _big_project(root: Path, n: int) -> Path:
    _copy_demo(root)
    bulk = root / "evidence" / "bulk"
    bulk.mkdir()
    for i in range(n):
        (bulk / f"r{i:05d}.yaml").write_text(
            f"title: Inspection record {i}\nkind: record\nclauses: [\"8.6\"]\ndate: 2026-10-01\n"
            f"description: Lot {i} released after final inspection.\n", encoding="utf-8")
    return root


def test_a_build_killed_midway_leaves_the_previous_site_unchanged(tmp_path):
    root = _big_project(tmp_path / "project", 3000)
    out = tmp_path / "site"
    assert main(["build", "--root", str(root), "--as-of", "2026-11-24", "--output", str(out)]) == 0
    before = _tree_digest(out)
    (root / "evidence" / "bulk" / "r00000.yaml").write_text(
        'title: Changed\nkind: record\nclauses: ["8.6"]\n', encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "isoready", "build", "--root", str(root), "--as-of",
                             "2026-11-24", "--output", str(out), "--no-cache"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    killed = False
    while time.monotonic() < deadline and proc.poll() is None:
        temps = list(tmp_path.glob(".site-build-*"))
        if temps and any(temps[0].rglob("*.html")):  # rendering has started writing pages
            os.killpg(proc.pid, signal.SIGKILL)
            killed = True
            break
        time.sleep(0.01)
    proc.wait()
    assert killed, "the build finished before it could be interrupted; make the project bigger"
    assert _tree_digest(out) == before
    assert main(["clean", "--root", str(root), "--output", str(out)]) == 0
    assert not list(tmp_path.glob(".site-build-*"))


def _strings(obj, seen=None):
    """Every string reachable from a view-model: dataclass fields, containers, markup."""
    import dataclasses

    seen = set() if seen is None else seen
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, str):
        yield obj
    elif dataclasses.is_dataclass(obj):
        for f in dataclasses.fields(obj):
            yield from _strings(getattr(obj, f.name), seen)
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from _strings(k, seen)
            yield from _strings(v, seen)
    elif isinstance(obj, (list, tuple, set, frozenset)):
        for v in obj:
            yield from _strings(v, seen)
    elif hasattr(obj, "source") and isinstance(getattr(obj, "source"), str):  # Md
        yield obj.source


@pytest.mark.parametrize("audience", ["public", "auditor"])
def test_nothing_downstream_of_the_audience_filter_can_reach_a_withheld_record(planted: Path, audience: str) -> None:
    """The site model handed to templates, exports, search and packaging holds no withheld record at all."""
    from isoready.package.build import prepare

    site, _project, _diags = prepare(Options(root=planted, as_of=AS_OF, audience=audience, commit="c0ffee"))
    assert site is not None and not hasattr(site, "raw")
    text = "\n".join(_strings(site)).lower()
    assert "salary bands" not in text  # the internal record's title, in any form
    for name, canary in CANARIES.items():
        assert canary.lower() not in text, f"{name} canary reachable from the {audience} site model"
    if audience == "public":
        assert AUDITOR_CANARY.lower() not in text
    internal, _, _ = prepare(Options(root=planted, as_of=AS_OF, audience="internal", commit="c0ffee"))
    assert CANARIES["title"].lower() in "\n".join(_strings(internal)).lower()  # the walk does see records


def _public_build(root: Path, tmp: Path, name: str) -> Path:
    out = tmp / name
    assert main(["build", "--root", str(root), "--as-of", "2026-12-01", "--audience", "public",
                 "--output", str(out)]) == 0
    return out


def _site_text(site: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in sorted(site.rglob("*"))
                     if p.is_file() and p.suffix in (".html", ".json", ".js", ".csv", ".txt"))


def test_public_build_shows_milestones_not_findings_and_says_not_yet_certified(tmp_path: Path) -> None:
    root = _copy_demo(tmp_path / "demo")
    text = _site_text(_public_build(root, tmp_path, "public"))
    assert "Not yet certified to ISO 9001:2015." in text
    assert "Audits booked with Northgate Certification Services: stage 1 on 2027-01-19, stage 2 on 2027-03-02." in text
    for secret in ("major finding", "minor finding", "6 open", "1 major", "IA-2026-02", "overdue: ",
                   "No open major nonconformity"):
        assert secret not in text, secret
    assert "Stage 1: passes today; on 2027-01-19: fails, if nothing changes." in text

    org = root / "content" / "organisation.yaml"
    org.write_text(org.read_text(encoding="utf-8") + "public:\n  show_findings: true\n", encoding="utf-8")
    shown = _site_text(_public_build(root, tmp_path, "public-findings"))
    assert "open major finding" in shown  # the same build, findings published: the test can fail

    # a certificate valid on the as-of date (one issued later is "not yet certified": test_auditcert.py)
    org.write_text(org.read_text(encoding="utf-8") + "certificate:\n  number: NCS-9001-4471\n  issued: 2026-04-06\n"
                   "  expires: 2029-04-05\n  body: Northgate Certification Services\n", encoding="utf-8")
    certified = _site_text(_public_build(root, tmp_path, "public-cert"))
    assert ("Certified to ISO 9001:2015 by Northgate Certification Services: certificate NCS-9001-4471, issued "
            "2026-04-06, expires 2029-04-05.") in certified
    assert "Not yet certified" not in certified
