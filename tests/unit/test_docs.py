"""docs/diagnostics.md documents every diagnostic code, and only codes that exist."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from isoready.core.diagnostics import CODES

DOCS = Path(__file__).parents[2] / "docs"
DIAGNOSTICS = DOCS / "diagnostics.md"
CODE = re.compile(r"\b([EW]\d{3})\b")
HEADING = re.compile(r"^### ([EW]\d{3}) (.+)$", re.MULTILINE)
#: path:line:column, or a workbook's cell path!Sheet!C7 (a register in .xlsx)
EXAMPLE = re.compile(r"^(\S[^:\n]*?)(?::(\d+):(\d+)|![^!\n]+![A-Z]+(\d+)): ([EW]\d{3}) \S.*$", re.MULTILINE)
GITHUB = re.compile(r"^::(?:error|warning) file=.*$", re.MULTILINE)


def sections() -> dict[str, tuple[str, str]]:
    """code -> (heading title, section text up to the next heading)."""
    text = DIAGNOSTICS.read_text(encoding="utf-8")
    found = list(HEADING.finditer(text))
    out = {}
    for i, m in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(text)
        assert m.group(1) not in out, f"{m.group(1)} documented twice"
        out[m.group(1)] = (m.group(2), text[m.end():end])
    return out


def test_every_code_has_a_section_in_order() -> None:
    assert list(sections()) == list(CODES)


def test_headings_match_the_code_summaries() -> None:
    assert {code: title for code, (title, _) in sections().items()} == CODES


@pytest.mark.parametrize("code", list(CODES))
def test_each_section_shows_an_example_line_and_a_fix(code: str) -> None:
    _, body = sections().get(code, ("", ""))
    examples = EXAMPLE.findall(body)
    assert examples, f"{code}: no example line 'path:line:column: {code} message'"
    assert {found for *_, found in examples} == {code}, f"{code}: an example shows another code"
    assert "**Triggers:**" in body and "**Fix:**" in body


@pytest.mark.parametrize("doc", sorted(DOCS.glob("*.md")), ids=lambda p: p.name)
def test_docs_mention_only_codes_that_exist(doc: Path) -> None:
    mentioned = set(CODE.findall(doc.read_text(encoding="utf-8")))
    assert sorted(mentioned - set(CODES)) == []


def test_output_rules_are_documented() -> None:
    text = DIAGNOSTICS.read_text(encoding="utf-8")
    for needle in ("path:line:column: CODE message (hint)", "no problems found", "--strict", "--format github",
                   "::error file=", "| 0 |", "| 1 |", "| 2 |", "left unchanged"):
        assert needle in text


def test_example_lines_are_real_output() -> None:
    """Every example line in the docs is asserted, exactly, by test_validate.py, test_cli.py, test_names.py,
    test_markdown_bounds.py, test_git_hostile.py, test_outputs.py, test_team_pages.py, test_registers_read.py or
    test_rollup.py."""
    asserted: set[str] = set()
    for name in ("test_validate.py", "test_cli.py", "test_names.py", "test_markdown_bounds.py", "test_git_hostile.py",
                 "test_outputs.py", "test_team_pages.py", "test_registers_read.py", "test_rollup.py",
                 "test_sites.py"):
        tree = ast.parse((Path(__file__).parent / name).read_text(encoding="utf-8"))
        asserted |= {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    text = DIAGNOSTICS.read_text(encoding="utf-8")
    examples = [m.group(0) for m in EXAMPLE.finditer(text)] + GITHUB.findall(text)
    assert len(examples) > len(CODES)
    assert [line for line in examples if line not in asserted] == []


def test_exclusion_rules_agree_in_the_catalog_rules_md_and_diagnostics_md():
    """The never- and rarely-excludable clauses are the catalog's; both docs list exactly those."""
    import re

    from isoready.read.catalog import load_catalog

    catalog = load_catalog()
    rules = (Path(__file__).resolve().parents[2] / "docs" / "rules.md").read_text(encoding="utf-8")
    diags = (Path(__file__).resolve().parents[2] / "docs" / "diagnostics.md").read_text(encoding="utf-8")

    def numbers(text: str) -> set[str]:
        found = set()
        for a, b in re.findall(r"\b(\d+(?:\.\d+)*)(?:\s+to\s+(\d+(?:\.\d+)*))?", text):
            found.add(a)
            if b:  # "7.1.1 to 7.1.4", "7.2 to 7.5": siblings in between
                head, first, last = a.rsplit(".", 1)[0], int(a.rsplit(".", 1)[1]), int(b.rsplit(".", 1)[1])
                found |= {f"{head}.{i}" for i in range(first, last + 1)}
        return found

    never_rules = numbers(re.search(r"\*\*refused\*\* \(E408\) for clauses that can never be excluded:(.*?), with all",
                                    rules, re.S).group(1))
    rare_rules = numbers(re.search(r"\*\*warned\*\* \(W102\) for the rarely excludable:(.*?)\.\n", rules, re.S).group(1))
    never_diag = numbers(re.search(r"### E408.*?organisation exclude \((.*?) and their sub-clauses", diags, re.S).group(1))
    rare_diag = numbers(re.search(r"### W102.*?\*\*Triggers:\*\*(.*?)\)\.", diags, re.S).group(1))
    for number in ("7.1.1", "7.1.2", "7.1.3", "7.1.4", "7.1.6"):
        assert catalog[number].exclusion == "never", number
    for number in ("7.1.5", "7.1.5.1"):
        assert catalog[number].exclusion == "rare", number
    for clause in catalog.clauses:
        if clause.exclusion == "never" and clause.number.count(".") <= 2:
            assert clause.number in never_rules or any(
                a in never_rules for a in catalog.ancestors(clause.number)), clause.number
        if clause.exclusion == "rare" and (not clause.parent or catalog[clause.parent].exclusion != "rare"):
            assert clause.number in rare_rules and clause.number in rare_diag, clause.number
        if clause.number in never_rules or clause.number in never_diag:
            assert clause.exclusion == "never", f"{clause.number} is listed as never excludable but is {clause.exclusion}"
        if clause.number in rare_rules or clause.number in rare_diag:
            assert clause.exclusion == "rare", f"{clause.number} is listed as rarely excludable but is {clause.exclusion}"
    assert never_rules == never_diag
