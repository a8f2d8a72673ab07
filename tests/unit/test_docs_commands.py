"""docs/commands.md says what --help says (regenerate: python3 -m invoke docs)."""

from pathlib import Path

from isoready.cli import helpdoc

DOC = Path(__file__).resolve().parents[2] / "docs" / "commands.md"


def test_commands_doc_matches_help():
    assert DOC.read_text(encoding="utf-8") == helpdoc.render(), "docs/commands.md is stale: run python3 -m invoke docs"


def test_every_command_is_documented():
    from isoready.cli import COMMANDS

    assert set(helpdoc.COMMANDS) == set(COMMANDS)
