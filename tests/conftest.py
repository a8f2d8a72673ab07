"""Shared fixtures: a fresh copy of the minimal valid project for each test."""

from __future__ import annotations

import shutil
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


#: readiness.json files the session built in this process and checked: (organisation, audience) per build
READINESS_CHECKED: list[tuple[str, str]] = []


@pytest.fixture(autouse=True, scope="session")
def _every_readiness_json_is_checked():
    """Every readiness.json a test builds in this process is validated against the shipped schema as it is
    written: a key renamed, dropped or added without its description in isoready/schema.py fails that test."""
    import json

    from isoready import export

    original = export.readiness_json
    validator = readiness_validator()

    def checked(site):
        text = original(site)
        data = json.loads(text)
        problems = sorted(f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
                          for e in validator.iter_errors(data))
        if problems:
            raise AssertionError("readiness.json does not match schema/readiness.schema.json (describe new keys in "
                                 "isoready/schema.py readiness_schema, then python3 -m invoke docs):\n"
                                 + "\n".join(problems[:20]))
        READINESS_CHECKED.append((data["organisation"], data["audience"]))
        return text

    export.readiness_json = checked
    yield
    export.readiness_json = original


@pytest.fixture
def readiness_checked() -> list[tuple[str, str]]:
    """The (organisation, audience) of each readiness.json validated so far in this session."""
    return READINESS_CHECKED
