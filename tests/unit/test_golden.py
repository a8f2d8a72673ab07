"""Golden output: the minimal fixture's key outputs, byte for byte.

A deliberate change to templates or rules shows up here as a diff to review.
Refresh with ``python3 -m invoke golden`` and read ``git diff tests/golden`` before committing.
"""

from __future__ import annotations

import difflib
import shutil
from datetime import date
from pathlib import Path

import pytest

from isoready.package.build import Options, build

REPO = Path(__file__).resolve().parents[2]
GOLDEN = REPO / "tests" / "golden" / "minimal"
FILES = ("readiness.json", "checklist.csv", "search-index.js", "index.html", "clauses/8.4.html",
         "clauses/8.3.2.html", "evidence.html", "gaps.html", "stages.html", "glossary.html")


def build_minimal(out: Path) -> Path:
    opts = Options(root=REPO / "tests" / "fixtures" / "minimal", as_of=date(2026, 11, 1), output=out,
                   commit="golden", use_cache=False)
    result = build(opts)
    assert result.ok, result.diagnostics
    (out / "FILES.txt").write_text("".join(f + "\n" for f in result.files), encoding="utf-8")
    return out


def refresh() -> None:
    site = build_minimal(Path(__import__("tempfile").mkdtemp()) / "site")
    if GOLDEN.exists():
        shutil.rmtree(GOLDEN)
    for rel in (*FILES, "FILES.txt"):
        (GOLDEN / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(site / rel, GOLDEN / rel)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return build_minimal(tmp_path_factory.mktemp("golden") / "site")


@pytest.mark.parametrize("rel", [*FILES, "FILES.txt"])
def test_output_matches_golden(built, rel):
    expected = (GOLDEN / rel).read_text(encoding="utf-8")
    actual = (built / rel).read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                            f"golden/{rel}", f"built/{rel}", n=2))
        pytest.fail(f"{rel} differs from tests/golden (run 'python3 -m invoke golden' if intended):\n{diff[:6000]}")
