"""Markdown bounds: adversarial input renders (as plain text) or is refused in bounded time, with a warning.

Python-Markdown's inline patterns take time that grows faster than the text where markup crowds a
paragraph (16 KB of "[" took over a minute before the bound) and recurse on nested containers.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from isoready.cli import main
from isoready.text import CACHE, markdown, markdown_problem

MINIMAL = Path(__file__).resolve().parents[1] / "fixtures" / "minimal"
LIMIT_SECONDS = 5.0  # the target for any 1 MiB input on this machine; generous for the small ones

ADVERSARIAL = {
    "16 KB of [": "[" * 16_000,
    "1 MiB of [": "[" * (1 << 20),
    "emphasis run": "*a" * 200_000,
    "link openers": "[a](" * 50_000,
    "nested list markers": "- " * 5_000 + "x",
    "indented list nesting": "".join("  " * i + "- x\n" for i in range(2_000)),
    "deep quotes": "> " * 5_000 + "x",
    "angle brackets": "<" * (1 << 20),
    "1 MiB of ordinary prose": ("Lot 4711 released after *final* inspection, see [the log](log.html).\n\n") * 15_000,
}


@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_adversarial_markdown_renders_in_bounded_time(name):
    text = ADVERSARIAL[name]
    CACHE.clear()
    start = time.monotonic()
    html = str(markdown(text))
    elapsed = time.monotonic() - start
    assert elapsed < LIMIT_SECONDS, f"{name}: {elapsed:.1f} s"
    assert markdown_problem(text)  # each is shown as plain text, and validation says so
    assert "<script" not in html and html.startswith("<p>")


def test_ordinary_markdown_still_renders_as_markdown():
    text = "See [the log](log.html) and *note*:\n\n- one\n    - two\n        - three\n\n> quoted\n"
    assert markdown_problem(text) == ""
    html = str(markdown(text))
    assert '<a href="log.html" rel="noopener noreferrer">the log</a>' in html and "<em>note</em>" in html
    assert html.count("<ul>") == 3 and "<blockquote>" in html


def test_plain_text_fallback_escapes_what_it_shows():
    html = str(markdown("<script>alert(1)</script>" + "[" * 1000))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script" not in html


def test_a_description_markdown_cannot_render_gets_w312(tmp_path, capsys):
    root = tmp_path / "project"
    shutil.copytree(MINIMAL, root)
    (root / "evidence" / "brackets.yaml").write_text(
        'title: Brackets\nkind: record\nclauses: ["7.4"]\ndescription: "' + "[" * 16_000 + '"\n', encoding="utf-8")
    start = time.monotonic()
    code = main(["validate", "--root", str(root), "--as-of", "2026-11-01"])
    assert time.monotonic() - start < 60
    out = capsys.readouterr().out
    assert "evidence/brackets.yaml:4:14: W108 description will be shown as plain text: one paragraph holds more " \
           "than 400 markup characters" in out, out
    assert code == 0  # a warning: the build goes on, showing the text as it is written
    assert main(["validate", "--root", str(root), "--as-of", "2026-11-01", "--strict"]) == 1
