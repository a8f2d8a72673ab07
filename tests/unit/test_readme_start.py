"""The README is written for a quality manager first: what the tool does for them, where to start (the recipes and
the certification practice), set-up steps for Linux/macOS and Windows side by side; the developer material (the
brief's two commands, tests, exit codes) comes after."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from isoready.cli import make_parser

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text(encoding="utf-8")
DEVELOPERS = README.index("\n## For developers\n")


def test_it_opens_with_what_it_does_for_a_quality_manager() -> None:
    opening = README[:README.index("\n## ")]
    assert "quality manager" in opening
    for words in ("What still blocks the stage 1 audit?", "What is stale or missing?",
                  "What will the auditor ask for on a clause?"):
        assert words in opening, words
    for developer_words in ("venv", "pip", "pytest", "exit code", "Exit codes", "invoke"):
        assert developer_words not in opening, developer_words


def test_it_links_the_recipes_and_the_certification_practice_before_the_developer_material() -> None:
    start = README[:DEVELOPERS]
    for doc in ("docs/recipes.md", "docs/certification-practice.md", "docs/publishing.md"):
        assert f"]({doc})" in start, doc
        assert (REPO / doc).is_file(), doc
    assert "Exit codes:" in README[DEVELOPERS:] and "invoke test" in README[DEVELOPERS:]
    assert "Exit codes" not in README[:DEVELOPERS] and "invoke test" not in README[:DEVELOPERS]


def test_windows_steps_stand_beside_the_linux_and_macos_ones() -> None:
    section = README[README.index("## Try the demo"):DEVELOPERS]
    rows = [line.split(" | ") for line in section.splitlines() if line.startswith("| ") and "`" in line]
    cells = {row[0].lstrip("| "): (row[1], row[2].rstrip(" |")) for row in rows}
    assert cells["make a private Python for isoready"] == ("`python3 -m venv .venv`", "`py -m venv .venv`")
    assert cells["switch to it (each new terminal)"] == ("`. .venv/bin/activate`", "`.venv\\Scripts\\Activate.ps1`")
    parser = make_parser()
    for step in ("see the demo portal", "start your own register"):  # the commands shown exist as written
        command = shlex.split(cells[step][0].strip("`"))
        args = command[command.index("isoready") + 1:]
        assert parser.parse_args(args).__dict__, step
    assert re.search(r"Set-ExecutionPolicy -Scope CurrentUser RemoteSigned", section)
