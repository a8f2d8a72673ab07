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
