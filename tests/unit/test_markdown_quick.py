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
        quick = text.quick_html(source)
        if quick is not None:
            taken += 1
            assert quick == python_markdown(source), source
    assert taken > 1_000  # the shapes above reach the quick path often enough to mean something


#: the words of headings and table cells
CELLS = ["Record", "lot", "GA-2026-01", "re-evaluated", "12", "1.", "-", "---", "(", ")", "'", "?", "!", "/", "+", ",",
         ".", ":", " ", "word", "x1-y", "#", "*", "="]


def a_block(rnd: random.Random) -> str:
    """A heading, a table or a paragraph, most of them well formed, some a character away from it."""
    def words(pieces: list, most: int) -> str:
        return "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, most)))

    kind = rnd.random()
    if kind < 0.3:
        return (rnd.choice(["#", "##", "###", "######", "#######", "# "]) + rnd.choice([" ", " ", "", "  "])
                + words(PIECES, 5) + rnd.choice(["", "", " ", " #"]))
    if kind < 0.7:
        columns = rnd.randint(1, 4)
        rule = "|" + "|".join(rnd.choice(["---"] * 12 + ["----", "--", ":---", "---:", " --- "])
                              for _ in range(columns)) + "|"
        rows = [rnd.choice(["|"] * 12 + ["", " |"])
                + "|".join(rnd.choice([" ", ""]) + words(CELLS, 3) + rnd.choice([" ", ""])
                           for _ in range(max(columns + rnd.choice([0] * 12 + [1, -1]), 0)))
                + rnd.choice(["|"] * 12 + ["", "| "]) for _ in range(rnd.randint(1, 4))]
        return "\n".join(rows[:1] + [rule] + rows[1:])
    return words(PIECES, 12)


def test_headings_and_tables_the_quick_path_takes_render_as_python_markdown_renders_them():
    rnd = random.Random(24)
    tables = headings = 0
    for n in range(20_000):
        source = a_block(rnd) if n % 2 else "".join(
            a_block(rnd) + rnd.choice(["\n\n"] * 8 + ["\n", "\n\n\n", "\n \n"]) for _ in range(rnd.randint(1, 4)))
        quick = text.quick_html(source)
        if quick is not None:
            tables += "<table>" in quick
            headings += "<h" in quick
            assert quick == python_markdown(source), source
    assert tables > 50 and headings > 100


@pytest.mark.parametrize("source", [
    "- a list item", "1. an ordered item", "Title\n=====", "Title\n---", "> a quote",
    "a *stressed* word", "an _underlined_ word", "a [link](http://x.y)",
    "`code`", "    indented code", "a hard  \nbreak", "AT&T", "a <b>tag</b>", "**NCR-12**", "x**y**z", "caf\u00e9", "#Heading", "# Heading #", "# A\ntext",
    "| a | b |\n|:---|---:|\n| 1 | 2 |", "| a | b |\n|---|---|\n| 1 |", "a | b\n---|---\n1 | 2", "| a |\n|---|",
])
def test_markup_goes_to_python_markdown(source):
    assert text.quick_html(source) is None
    assert str(text.markdown(source)) == python_markdown(source)


def test_a_records_description_and_a_simple_document_render_without_python_markdown(monkeypatch):
    def refuse(source: str) -> str:
        raise AssertionError("Python-Markdown ran for a plain description")

    monkeypatch.setattr(text._md, "convert", refuse)
    text.forget_renderings()
    source = "Record **412** for lot 4471, checked against the control plan (GA-2026-01).\nDeviations: none.\n\nSigned off."
    assert str(text.markdown(source)) == (
        '<p>Record <strong>412</strong> for lot 4471, checked against the control plan (<span class="nb">GA-2026-01'
        '</span>).\nDeviations: none.</p>\n<p>Signed off.</p>')
    document = "# Calibration record 12\n\nPrepared by the Quality Manager.\n\n| item | result |\n|---|---|\n| gauge G-12 | pass |\n"
    assert str(text.markdown(document)) == (
        '<h1>Calibration record 12</h1>\n<p>Prepared by the Quality Manager.</p>\n<table>\n<thead>\n<tr>\n<th>item</th>\n'
        '<th>result</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>gauge <span class="nb">G-12</span></td>\n<td>pass</td>\n'
        '</tr>\n</tbody>\n</table>')
    text.forget_renderings()
