"""docs/recipes.md, tried as a quality manager would: its examples, saved where they say in a fresh register with
their documents beside them, validate with no problem; it needs no other document (links only to itself); and
each recipe gives both ways, the browser and an editor."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from isoready import cli

REPO = Path(__file__).resolve().parents[2]
RECIPES = REPO / "docs" / "recipes.md"
AS_OF = "2026-12-06"


def doc() -> str:
    return RECIPES.read_text(encoding="utf-8")


def blocks() -> list[str]:
    """Every YAML example, without the list's indentation."""
    found = re.findall(r"^( *)```yaml\n(.*?)^\1```", doc(), re.M | re.S)
    return [re.sub(rf"^{indent}", "", body, flags=re.M) for indent, body in found]


@pytest.fixture(autouse=True)
def from_the_index(monkeypatch: pytest.MonkeyPatch) -> None:
    import isoready.cli.install

    monkeypatch.setattr(isoready.cli.install, "install_record", lambda: None)
    monkeypatch.setattr(isoready.cli.install, "version", lambda: "0.1.0")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1793491200")


def test_the_recipes_examples_validate_in_a_fresh_register(tmp_path: Path, capsys) -> None:
    root = tmp_path / "acme"
    assert cli.main(["init", str(root), "--name", "Acme Ltd", "--yes"]) == 0
    capsys.readouterr()
    saved = 0
    for body in blocks():
        path = re.match(r"# (\S+\.yaml)\n", body)
        if path:  # a whole file: saved where its first line says, its documents beside it
            target = root / path.group(1)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(body, encoding="utf-8")
            data = yaml.safe_load(body)
            for entry in data if isinstance(data, list) else [data]:
                if "file" in entry:
                    (target.parent / entry["file"]).parent.mkdir(parents=True, exist_ok=True)
                    (target.parent / entry["file"]).write_bytes(b"the document\n")
            saved += 1
        elif body.startswith("- clause:"):  # a clause's entry, changed in its main clause's file
            (entry,) = yaml.safe_load(body)
            main = entry["clause"].split(".")[0]
            (clause_file,) = (root / "content" / "clauses").glob(f"{main}-*.yaml")
            old = clause_file.read_text(encoding="utf-8")
            pattern = rf'^- clause: "{re.escape(entry["clause"])}"[^\n]*\n  status: not-started\n'
            assert re.search(pattern, old, re.M), "the entry the recipe says to change is there"
            clause_file.write_text(re.sub(pattern, body, old, flags=re.M), encoding="utf-8")
            saved += 1
        elif body.startswith("register:"):  # lines added to a register's record: see the test below
            continue
        else:  # the verification lines, added to the finding once closed
            assert body.startswith("  verification:"), body
    assert saved == 6
    code = cli.main(["validate", "--root", str(root), "--as-of", AS_OF])
    out = capsys.readouterr()
    assert (code, out.out) == (0, "no problems found\n"), out.out + out.err


def test_the_verification_lines_fit_a_closed_major(tmp_path: Path) -> None:
    (fragment,) = [b for b in blocks() if b.startswith("  verification:")]
    finding = yaml.safe_load("- id: X\n  grade: major\n" + fragment)[0]
    assert finding["verification"]["effective"] is True and str(finding["verification"]["date"]) == "2027-02-15"


def test_the_register_lines_fit_the_demo_workbook() -> None:
    """The lines the spreadsheet recipe adds, read against the demo's own gauge workbook (the sheet, header row
    and headers it names are there, and every column a calibration register needs is found), name only the
    portal's column names for the type."""
    import openpyxl

    from isoready.model import REGISTER_COLUMNS, REGISTER_KINDS

    (fragment,) = [b for b in blocks() if b.startswith("register:")]
    lines = yaml.safe_load(fragment)
    kind, mapping = lines["register"], lines["columns"]
    assert kind in REGISTER_KINDS and set(mapping) <= {c.name for c in REGISTER_COLUMNS[kind]}
    book = openpyxl.load_workbook(REPO / "evidence" / "support" / "calibration-register.xlsx", read_only=True)
    (headers,) = book[lines["sheet"]].iter_rows(min_row=lines["header_row"], max_row=lines["header_row"],
                                                values_only=True)
    norm = {re.sub(r"[\s_]", "", str(h)).lower() for h in headers if h}
    found = {c.name for c in REGISTER_COLUMNS[kind]
             if re.sub(r"[\s_]", "", mapping.get(c.name, c.name)).lower() in norm}
    assert {c.name for c in REGISTER_COLUMNS[kind] if c.required} <= found
    assert set(mapping) <= found, "every header the recipe maps is in the workbook"


def test_the_recipes_need_no_other_document() -> None:
    text = doc()
    links = re.findall(r"\]\(([^)]+)\)", text)
    assert links and all(link.startswith("#") for link in links), links  # only to its own headings
    anchors = {re.sub(r"[^a-z0-9 -]", "", h.lower()).replace(" ", "-") for h in re.findall(r"^## (.+)$", text, re.M)}
    assert {link[1:] for link in links} <= anchors
    assert len(text.split()) < 2500, "short: the whole format is in format.md, not here"


@pytest.mark.parametrize("heading", ["A calibration certificate", "Training records",
                                     "An internal audit and its findings", "A management review"])
def test_each_recipe_goes_start_to_finish(heading: str) -> None:
    text = doc()
    start = text.index(f"\n## {heading}\n")
    section = text[start:text.find("\n## ", start + 1)]
    assert "```yaml" in section and "(template: `templates/" in section
    assert "[Two ways to make a change](#two-ways-to-make-a-change)" in section  # proposed, checked, merged


def test_both_ways_are_spelt_out() -> None:
    text = doc()
    section = text[text.index("## Two ways to make a change"):text.index("\n## A calibration certificate")]
    for words in ("**Add file -> Upload files**", "**Add file -> Create new file**",
                  "Create a new branch for this commit and start a pull request", "**Merge pull request**",
                  "git switch -c", "isoready validate", "isoready serve", "git push -u origin", "Windows:"):
        assert words in section, words
    assert "7.1.5.2" in text and "7.1.5.1" in text
