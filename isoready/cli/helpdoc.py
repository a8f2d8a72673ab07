"""docs/commands.md from the command line's own --help (a test fails when they drift apart).

Regenerate with ``python3 -m invoke docs`` (or ``python3 -m isoready.cli.helpdoc > docs/commands.md``).
"""

from __future__ import annotations

import contextlib
import io
import os

from isoready.cli import main

COMMANDS = ("build", "validate", "serve", "archive", "report", "verify", "migrate", "clean", "init", "schema",
            "history", "diff", "rollup")

INTRO = """# Command line

`python3 -m isoready COMMAND` (also installed as `isoready`). The invoke tasks (`python3 -m invoke --list`)
wrap these commands with the project folder as `--root`.

Exit codes: 0 clean, 1 problems found (errors, or warnings with `--strict`), 2 usage or internal error.
`--as-of` defaults to today, or to the UTC date of `SOURCE_DATE_EPOCH` when it is set, so that
CI builds are reproducible. `ISOREADY_WORKERS=N` caps the processes used (default: the cores available).

This page is generated from `--help`; `tests/unit/test_docs_commands.py` fails when it is out of date.
"""


def help_text(*argv: str) -> str:
    buf = io.StringIO()
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "100"
    try:
        with contextlib.redirect_stdout(buf):
            main([*argv, "--help"])
    finally:
        if old is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = old
    return buf.getvalue().rstrip() + "\n"


def render() -> str:
    parts = [INTRO, "## isoready\n", "```\n" + help_text() + "```\n"]
    for command in COMMANDS:
        parts += [f"## isoready {command}\n", "```\n" + help_text(command) + "```\n"]
    return "\n".join(parts)


if __name__ == "__main__":
    print(render(), end="")
