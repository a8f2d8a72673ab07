"""The quick path for plain paragraphs (core/text.py): the very bytes Python-Markdown and the sanitiser give,
without running Python-Markdown, for the sentences most records hold; anything else goes to Python-Markdown."""

from __future__ import annotations

import random

import pytest

from isoready.core import text

#: pieces of text, many of them near what Markdown reads as markup
PIECES = ["Record", "lot", "GA-2026-01", "re-evaluated", "NCR-7", "a-b-c1", "2026-12-03", "MIC-03", "x1-y", "12", "1.",
          "2)", "**", "*", "-", "--", "=", "==", "(", ")", '"', "'", "?", "!", "%", "/", "+", "@", "$", ",", ".", ";",
          ":", " ", " ", "  ", "\n", "\n", "\n\n", "\n\n\n", "word", "Deviations:", "none", "**12**", "**Note**",
          "**a b**", "**x,y**", "x**y**", "**1.**", "(**b**)", "***", "A-", "-B", "3-", "e.g.", "http://x.y/z",
          "a@b.c", "**A-1**", "**done**.", "**ok**,", "ab-12-cd-34-ef-56-gh-78-ij-90-kl"]


def python_markdown(source: str) -> str:
    text._md.reset()
    return text.sanitise(text._md.convert(source))


def test_every_text_the_quick_path_takes_renders_as_python_markdown_renders_it():
    rnd = random.Random(23)
    taken = 0
    for _ in range(20_000):
        source = "".join(rnd.choice(PIECES) for _ in range(rnd.randint(1, 14)))
        quick = text.plain_paragraphs(source)
        if quick is not None:
            taken += 1
            assert quick == python_markdown(source), source
    assert taken > 1_000  # the shapes above reach the quick path often enough to mean something


@pytest.mark.parametrize("source", [
    "- a list item", "1. an ordered item", "# A heading", "Title\n=====", "Title\n---", "> a quote",
    "| a | b |\n|---|---|\n| 1 | 2 |", "a *stressed* word", "an _underlined_ word", "a [link](http://x.y)",
    "`code`", "    indented code", "a hard  \nbreak", "AT&T", "a <b>tag</b>", "**NCR-12**", "x**y**z", "caf\u00e9",
])
def test_markup_goes_to_python_markdown(source):
    assert text.plain_paragraphs(source) is None
    assert str(text.markdown(source)) == python_markdown(source)


def test_a_records_description_renders_without_python_markdown(monkeypatch):
    def refuse(source: str) -> str:
        raise AssertionError("Python-Markdown ran for a plain description")

    monkeypatch.setattr(text._md, "convert", refuse)
    text.forget_renderings()
    source = "Record **412** for lot 4471, checked against the control plan (GA-2026-01).\nDeviations: none.\n\nSigned off."
    assert str(text.markdown(source)) == (
        '<p>Record <strong>412</strong> for lot 4471, checked against the control plan (<span class="nb">GA-2026-01'
        '</span>).\nDeviations: none.</p>\n<p>Signed off.</p>')
    text.forget_renderings()
