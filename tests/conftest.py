"""Shared fixtures: a fresh copy of the minimal valid project for each test."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
MINIMAL = FIXTURES / "minimal"


@pytest.fixture
def minimal_project(tmp_path: Path) -> Path:
    """A writable copy of tests/fixtures/minimal (valid: `validate --as-of 2026-11-01` finds no problems)."""
    root = tmp_path / "project"
    shutil.copytree(MINIMAL, root, symlinks=True)
    return root


# --------------------------------------------------------------------------- readiness.json against its schema


from schema_check import readiness_errors, readiness_validator  # noqa: E402, F401 (a plain module: no conftest name clash)


#: readiness.json files the session built and checked, one "organisation<TAB>audience" line per build: a file,
#: because builds write their exports in a forked background process (parallel.Background)
READINESS_LOG = Path(tempfile.mkdtemp(prefix="isoready-readiness-checked-")) / "checked.tsv"


def _log_checked(organisation: str, audience: str) -> None:
    with open(READINESS_LOG, "a", encoding="utf-8") as fh:  # one short append: whole lines, whichever process
        fh.write(f"{organisation}\t{audience}\n")


@pytest.fixture(autouse=True, scope="session")
def _every_readiness_json_is_checked():
    """Every readiness.json a test builds in this process is validated against the shipped schema as it is
    written: a key renamed, dropped or added without its description in isoready/read/schema.py fails that test."""
    import json

    from isoready.outputs import export

    original, original_parts = export.readiness_json, export.readiness_json_parts
    validator = readiness_validator()

    def check(text: str) -> None:
        data = json.loads(text)
        problems = sorted(f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
                          for e in validator.iter_errors(data))
        if problems:
            raise AssertionError("readiness.json does not match schema/readiness.schema.json (describe new keys in "
                                 "isoready/read/schema.py readiness_schema, then python3 -m invoke docs):\n"
                                 + "\n".join(problems[:20]))
        _log_checked(data["organisation"], data["audience"])

    def checked(site):
        text = original(site)
        check(text)
        return text

    def checked_parts(site, *args, **kwargs):  # the build writes readiness.json in pieces (issue 25's memory)
        parts = list(original_parts(site, *args, **kwargs))
        check(b"".join(parts).decode("utf-8"))
        return iter(parts)

    export.readiness_json, export.readiness_json_parts = checked, checked_parts
    yield
    export.readiness_json, export.readiness_json_parts = original, original_parts


class _CheckedLog:
    """Reads the log each time it is indexed: the builds a test makes after asking for the fixture count."""

    def _lines(self) -> list[tuple[str, ...]]:
        if not READINESS_LOG.exists():
            return []
        return [tuple(line.split("\t")) for line in READINESS_LOG.read_text(encoding="utf-8").splitlines()]

    def __getitem__(self, index: int) -> tuple[str, ...]:
        return self._lines()[index]

    def __len__(self) -> int:
        return len(self._lines())


@pytest.fixture
def readiness_checked() -> _CheckedLog:
    """The (organisation, audience) of each readiness.json validated so far in this session, in order."""
    return _CheckedLog()
