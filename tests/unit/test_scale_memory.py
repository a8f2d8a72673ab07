"""Issue 25's memory target (500 sites x 200 records under 1 GB): the mechanisms that keep a build's memory per
record small, each held to what a user sees (the same diagnostics, the same bytes)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from isoready.assess import assess
from isoready.model import Evidence
from isoready.outputs.export import readiness_json, readiness_json_parts
from isoready.package.assemble import hash_documents
from isoready.package.cache import BuildCache
from isoready.read.catalog import load_catalog
from isoready.read.records import ITEM_KEYS
from isoready.validate.project import read_project
from isoready.views import build_site

AS_OF = date(2026, 12, 6)
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "multi-site"
ORGANISATION = """name: Two Sites Ltd
sites:
  - {id: office, name: Office, central: true, employees: 5}
  - {id: plant, name: Plant, employees: 20}
"""
# block lists: every item on a line of its own, so an item's line is not its record's
AUDITS = """- id: ia-office
  title: Internal audit office
  kind: record
  clauses:
    - "9.2.2"
  date: 2026-10-01
  sites:
    - office
    - plnat
  topics:
    - climate-change
    - zz-top
  covers: ["4", "5", "6", "7", "8", "9", "10"]
"""
EXPECTED = [
    "evidence/performance/audits.yaml:9:7: E431 unknown site id 'plnat'",
    "evidence/performance/audits.yaml:12:7: W107 unknown transition topic 'zz-top' on evidence 'ia-office'",
]


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "p"
    (root / "content" / "clauses").mkdir(parents=True)
    (root / "evidence" / "performance").mkdir(parents=True)
    (root / "content" / "organisation.yaml").write_text(ORGANISATION, encoding="utf-8")
    (root / "evidence" / "performance" / "audits.yaml").write_text(AUDITS, encoding="utf-8")
    return root


def _lines(diags) -> list[str]:  # noqa: ANN001
    return [f"{d.path}:{d.line}:{d.column}: {d.code} {d.message}" for d in diags if d.code in ("E431", "W107")]


def _plain(evidence: tuple[Evidence, ...]) -> bool:
    return all(type(item) is str for e in evidence for key in ITEM_KEYS for item in getattr(e, key))


def test_records_hold_plain_text_yet_diagnostics_name_each_items_line(tmp_path: Path) -> None:
    """An evidence record keeps its clauses, sites, covers and topics as plain strings (a positioned string per
    item was 120 MB at 100,000 records), the positions beside them: a check still names the item's own line
    and column, read fresh and read back from the build cache (which kept no position before)."""
    root = _project(tmp_path)
    cache = BuildCache(root / ".cache" / "isoready")
    project, diags = read_project(root, load_catalog(), AS_OF, known=cache.results)
    assert _plain(project.evidence) and project.evidence[0].sites == ("office", "plnat")
    assert _lines(diags) == EXPECTED
    cache.save(tmp_path / "site", [])  # what a build leaves: pages.json and results.json
    again = BuildCache.open(root)
    assert set(again.results) == {"evidence/performance/audits.yaml"}
    project, diags = read_project(root, load_catalog(), AS_OF, known=again.results)
    assert _plain(project.evidence)
    assert _lines(diags) == EXPECTED


def test_readiness_json_written_in_pieces_is_the_same_bytes() -> None:
    """readiness.json is written piece by piece (the whole text at once held 300 MB at 100,000 records)."""
    project, _ = read_project(EXAMPLE, load_catalog(), AS_OF)
    export = build_site(project, assess(project, AS_OF), hashes=hash_documents(project, None)).export
    whole = readiness_json(export).encode()
    pieces = list(readiness_json_parts(export, size=4096))
    assert len(pieces) > 2 and b"".join(pieces) == whole
    assert json.loads(whole)["organisation"]
