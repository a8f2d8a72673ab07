"""Stage 1, load: YAML text becomes plain located values; hostile input comes back as diagnostics."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from isoready.core.diagnostics import Diagnostic
from isoready.core.load import Loc, YList, YMap, YStr, load_file, parse_text, read_text, walk

P = "evidence/x.yaml"


def parse(text: str):
    value, diags = parse_text(text, P)
    assert diags == []
    return value


# --------------------------------------------------------------------------- scalars kept as written


@pytest.mark.parametrize("written, kept", [
    ("8.30", "8.30"),  # never the float 8.3
    ("8.3", "8.3"),
    ("10", "10"),
    ("007", "007"),
    ("0x10", "0x10"),
    ("1e3", "1e3"),
    ("2026-13-45", "2026-13-45"),  # never a date, and no error from YAML either
    ("2026-02-15", "2026-02-15"),
    ("yes", "yes"),
    ("no", "no"),
    ("on", "on"),
    ("true", "true"),
    (".inf", ".inf"),
    ("'8.30'", "8.30"),
    ('"yes"', "yes"),
])
def test_scalars_are_text_as_written(written: str, kept: str) -> None:
    value = parse(f"v: {written}\n")
    assert type(value["v"]) is YStr
    assert value["v"] == kept


def test_plain_and_quoted_are_told_apart() -> None:
    value = parse("a: 8.30\nb: '8.30'\nc: \"8.30\"\nd: |\n  8.30\n")
    assert [value[k].plain for k in "abcd"] == [True, False, False, False]
    assert value["d"] == "8.30\n"


@pytest.mark.parametrize("written", ["", "~", "null", "Null", "NULL"])
def test_null_words(written: str) -> None:
    value = parse(f"a: {written}\nb: [{written or '~'}]\n")
    assert value["a"] is None
    assert list(value["b"]) == [None]


@pytest.mark.parametrize("written, kept", [("'null'", "null"), ('""', ""), ("''", ""), ("nil", "nil"), ("NuLL", "NuLL")])
def test_quoted_or_other_words_are_not_null(written: str, kept: str) -> None:
    assert parse(f"a: {written}\n")["a"] == kept


def test_empty_document_is_none() -> None:
    assert parse_text("", P) == (None, [])
    assert parse_text("# only a comment\n", P) == (None, [])
    assert parse_text("---\n...\n", P) == (None, [])


def test_explicit_document_markers_are_fine() -> None:
    assert parse("---\ntitle: T\n...\n") == {"title": "T"}


# --------------------------------------------------------------------------- positions


def test_positions_are_one_based_lines_and_columns_of_values_and_keys() -> None:
    value = parse('title: Quality policy\nclauses: ["5.2.1", "5.2.2"]\nnested:\n  owner:   QM\n')
    assert isinstance(value, YMap)
    assert value.loc == Loc(P, 1, 1)
    assert value.key_locs["title"] == Loc(P, 1, 1)
    assert value.locs["title"] == Loc(P, 1, 8)
    assert value["title"].loc == Loc(P, 1, 8)
    assert value.key_locs["clauses"] == Loc(P, 2, 1)
    clauses = value["clauses"]
    assert isinstance(clauses, YList)
    assert clauses.loc == Loc(P, 2, 10)
    assert clauses.locs == [Loc(P, 2, 11), Loc(P, 2, 20)]
    assert [c.loc for c in clauses] == [Loc(P, 2, 11), Loc(P, 2, 20)]
    assert value["nested"].loc == Loc(P, 4, 3)
    assert value["nested"].key_locs["owner"] == Loc(P, 4, 3)
    assert value["nested"]["owner"].loc == Loc(P, 4, 12)


def test_positions_in_a_block_list_of_mappings() -> None:
    value = parse('- clause: "8.3"\n  status: not-applicable\n\n- clause: "7.1.2"\n')
    assert value.locs == [Loc(P, 1, 3), Loc(P, 4, 3)]
    assert value[0].loc == Loc(P, 1, 3)
    assert value[1]["clause"].loc == Loc(P, 4, 11)
    assert value[0].loc_of("missing") == Loc(P, 1, 3)  # a missing key points at its mapping


def test_null_values_still_have_a_position() -> None:
    value = parse("a:\nb: ~\n")
    assert value.locs == {"a": Loc(P, 1, 3), "b": Loc(P, 2, 4)}


def test_positions_count_characters_not_bytes() -> None:
    value = parse("title: Café ☕ €\nkind: document\nowner: Zoë\n")
    assert value["owner"].loc == Loc(P, 3, 8)


# --------------------------------------------------------------------------- refused input


def test_duplicate_keys_E107() -> None:
    value, diags = parse_text("title: A\nkind: document\ntitle: B\n  \ntitle: C\n", P)
    assert diags == [
        Diagnostic(P, 3, 1, "E107", "duplicate key 'title' (first at line 1)", "keep one of them"),
        Diagnostic(P, 5, 1, "E107", "duplicate key 'title' (first at line 1)", "keep one of them"),
    ]
    assert value["title"] == "C"  # the last one is kept, but the error stops the build


def test_duplicate_keys_in_nested_mappings_are_separate() -> None:
    assert parse_text("a: {k: 1}\nb: {k: 2}\n", P)[1] == []


@pytest.mark.parametrize("text, line", [
    ("title: A\n---\ntitle: B\n", 2),
    ("---\ntitle: A\n---\ntitle: B\n", 3),
    ("---\n---\n", 2),
    ("title: A\n...\n---\ntitle: B\n", 3),
])
def test_more_than_one_document_is_refused(text: str, line: int) -> None:
    assert parse_text(text, P) == (None, [Diagnostic(
        P, line, 1, "E102", "more than one YAML document in the file",
        "keep one document per file; remove the '---' separator")])


def test_malformed_yaml_E102_points_at_the_problem() -> None:
    assert parse_text("title: A\n  kind: document\n", P) == (None, [Diagnostic(
        P, 2, 7, "E102", "malformed YAML: mapping values are not allowed in this context",
        "check indentation, colons and quotes")])


@pytest.mark.parametrize("text, line, column, message", [
    # a missing comma in a list that is closed: the parser's words, never "never closed"
    ('clauses: [\n  "4.1"\n  "4.2"\n]\n', 3, 3, "malformed YAML: did not find expected ',' or ']'"),
    ('clauses: ["4.1" "4.2"]\n', 1, 17, "malformed YAML: did not find expected ',' or ']'"),
    # a quote doubled inside a quoted value closes nothing; the '[' on the next line is the mistake
    ("owner: 'Quality Manager''s deputy'\nclauses: [4.1\n", 2, 10, "this '[' is never closed: add ']'"),
    # an item less indented than the one above it; a quote after a key that is not ASCII (columns count characters)
    ("clauses:\n    - a\n  - b\n", 3, 3, "this list item is indented differently from the one above"),
    ('\u00e4: "x\nb: 1\n', 1, 4, "this quote is never closed"),
    # a line of nothing but a tab
    ("title: A\n\t\nkind: [x\n", 2, 1, "a tab character: indent with spaces"),
])
def test_plain_yaml_messages_only_where_they_are_true(text: str, line: int, column: int, message: str) -> None:
    value, diags = parse_text(text, P)
    assert value is None and [(d.line, d.column, d.message) for d in diags] == [(line, column, message)]


def test_control_character_E102_is_one_line_at_its_position() -> None:
    assert parse_text("a: ok\nb: x\x07y\n", P) == (None, [Diagnostic(
        P, 2, 5, "E102", "malformed YAML: unacceptable character #x0007: control characters are not allowed",
        "remove the character; YAML text allows no control characters")])


def test_complex_keys_are_refused_E106() -> None:
    assert parse_text("? [a, b]\n: c\n", P) == (None, [Diagnostic(
        P, 1, 3, "E106", "a mapping key must be plain text", "write the key as a word")])


def test_tags_are_ignored_and_nothing_runs(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    value = parse(
        f'a: !!python/object/apply:os.system ["touch {marker}"]\n'
        "b: !!python/name:os.system\n"
        "c: !!int \"3\"\n"
        "d: !custom hello\n"
        "e: !!binary aGk=\n"
        f"f: !!python/object/new:subprocess.check_call [[touch, {marker}]]\n"
    )
    assert not marker.exists()
    assert value == {"a": [f"touch {marker}"], "b": None, "c": "3", "d": "hello", "e": "aGk=",
                     "f": [["touch", str(marker)]]}
    assert all(type(v) in (YStr, YList, type(None)) for v in value.values())


def test_anchors_and_aliases_share_values() -> None:
    value = parse("a: &x {b: 1}\nc: *x\n")
    assert value["c"] == {"b": "1"}


def test_unknown_alias_E102() -> None:
    assert parse_text("a: *nowhere\n", P) == (None, [Diagnostic(
        P, 1, 4, "E102", "unknown alias '*nowhere'", "define the anchor first")])


def test_alias_bomb_E104_fast() -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 30)]
    value, diags = parse_text("\n".join(lines) + "\n", P)  # how fast: invoke bench (tests/bench.py run_bounds)
    assert value is None
    assert diags == [Diagnostic(P, 6, 10, "E104", "YAML aliases expand to more than 200000 values",
                                "aliases must not multiply content; write values out")]


def test_too_many_values_E104() -> None:
    assert parse_text("[1, 2, 3, 4, 5]\n", P, max_nodes=5) == (None, [Diagnostic(
        P, 1, 1, "E104", "YAML file holds more than 5 values", "split the file")])
    assert parse_text("[1, 2, 3, 4]\n", P, max_nodes=5)[1] == []


def test_deep_nesting_E105() -> None:
    assert parse_text("[" * 5 + "]" * 5, P, max_depth=4) == (None, [Diagnostic(
        P, 1, 5, "E105", "YAML nested deeper than 4 levels",
        "flatten the structure; records need only a few levels")])
    assert parse_text("[" * 4 + "]" * 4, P, max_depth=4)[1] == []
    value, diags = parse_text("a:\n" + "".join("  " * i + "- \n" for i in range(1, 40)), P)
    assert value is None and [d.code for d in diags] == ["E105"]


# --------------------------------------------------------------------------- files


def test_read_text_strips_a_bom_and_refuses_non_utf8(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_bytes("\ufefftitle: Café\n".encode("utf-8"))
    assert read_text(good, "good.yaml") == ("title: Café\n", [])
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"title: ok\nowner: Zo\xeb\n")
    assert read_text(bad, "bad.yaml") == (None, [Diagnostic(
        "bad.yaml", 2, 10, "E101", "not UTF-8 text (byte 0xeb)", "save the file as UTF-8")])


def test_read_text_refuses_oversize_and_missing(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("a: " + "x" * 97 + "\n")
    assert read_text(big, "big.yaml", max_bytes=100) == (None, [Diagnostic(
        "big.yaml", 1, 1, "E103", "file is 101 bytes, over the 100-byte limit",
        "split it into smaller files, or raise the limit with --max-yaml-bytes")])
    assert read_text(big, "big.yaml", max_bytes=101)[1] == []
    assert read_text(tmp_path / "gone.yaml", "gone.yaml") == (None, [Diagnostic(
        "gone.yaml", 1, 1, "E101", "cannot read file: No such file or directory", "check permissions")])


def test_load_file_names_the_relative_path(tmp_path: Path) -> None:
    f = tmp_path / "x.yaml"
    f.write_text("title: T\n")
    value, diags = load_file(f, "evidence/x.yaml")
    assert diags == [] and value["title"].loc == Loc("evidence/x.yaml", 1, 8)


def test_walk_is_sorted_skips_hidden_and_does_not_follow_folder_links(tmp_path: Path) -> None:
    root = tmp_path / "evidence"
    for rel in ("b/2.md", "b/1.md", "a.yaml", ".hidden.yaml", ".git/config", "c/.draft.md"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("x")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("x")
    os.symlink(outside, root / "linked")
    assert [p.relative_to(root).as_posix() for p in walk(root)] == ["a.yaml", "b/1.md", "b/2.md"]
    assert walk(tmp_path / "missing") == []
