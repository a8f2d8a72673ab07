"""``migrate`` fuzzed with Hypothesis: generated evidence and organisation files whose comments hold the keys
and clause numbers, odd line breaks (CRLF, U+0085, U+2028, U+2029), every quoting style of keys and values,
flow and block lists. Property: migrate changes exactly the clause numbers the mapping carries over, in
place and in their own quoting, and not one byte more; the file parses to the same data but for them."""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from isoready.read.catalog import edition_mapping
from isoready.cli.migrate import plan_migration

SOURCE, TARGET = "ISO 9001:2015", "ISO 9001:2026"
MAPPING = edition_mapping()[(SOURCE, TARGET)]
NUMBERS = ("10.3", "10.1", "4.1", "6.1.2", "8.4.1", "9.2.2")

# inside a comment: the words migrate looks for, and line breaks YAML counts (each followed by '#', so what
# follows stays a comment; a bare one would start a new line of content)
COMMENT_BITS = st.sampled_from(["clauses:", "clause: 10.3", '"10.3"', "'10.3'", "10.3", "covers: [10.3]",
                                "standard: x", "windows:", " ", "é", "\u2028# ", "\x85# ", "\u2029# ",
                                "\u2028  # 10.3", "\t"])


def migrated(number: str) -> str:
    targets = MAPPING.get(number)
    return targets[0] if targets and len(targets) == 1 else number


@st.composite
def comment(draw) -> str:
    return "#" + "".join(draw(st.lists(COMMENT_BITS, max_size=5)))


@st.composite
def scalar(draw, number: str) -> tuple[str, str]:
    """(as written, as written after migrate)"""
    quote = draw(st.sampled_from(["", "'", '"']))
    return f"{quote}{number}{quote}", f"{quote}{migrated(number)}{quote}"


@st.composite
def key(draw, name: str) -> str:
    return draw(st.sampled_from([name, f'"{name}"', f"'{name}'"]))


@st.composite
def evidence_file(draw) -> tuple[str, str]:
    """(text, the text migrate must write): the same pieces, with only the clause values replaced."""
    nl = draw(st.sampled_from(["\n", "\r\n"]))
    before: list[str] = []
    after: list[str] = []

    def both(piece: str, changed: str | None = None) -> None:
        before.append(piece)
        after.append(piece if changed is None else changed)

    def maybe_comment_line() -> None:
        if draw(st.booleans()):
            both(draw(comment()) + nl)

    def trailing() -> str:
        return ("  " + draw(comment())) if draw(st.booleans()) else ""

    maybe_comment_line()
    both(f"{draw(key('title'))}: A{trailing()}{nl}")
    maybe_comment_line()
    both(f"{draw(key('kind'))}: record{trailing()}{nl}")
    for list_key in draw(st.lists(st.sampled_from(["clauses", "covers"]), min_size=1, max_size=2, unique=True)):
        maybe_comment_line()
        values = [draw(scalar(n)) for n in draw(st.lists(st.sampled_from(NUMBERS), min_size=1, max_size=4))]
        both(f"{draw(key(list_key))}:")
        if draw(st.booleans()):  # flow list
            both(" [")
            for i, (old, new) in enumerate(values):
                both(", " if i else "")
                both(old, new)
            both(f"]{trailing()}{nl}")
        else:  # block list
            both(f"{trailing()}{nl}")
            for old, new in values:
                maybe_comment_line()
                both("  - ")
                both(old, new)
                both(f"{trailing()}{nl}")
    maybe_comment_line()
    return "".join(before), "".join(after)


def data(text: str):
    """Every scalar as text (as isoready reads YAML), comments gone."""
    return yaml.load(text, Loader=yaml.BaseLoader)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(evidence_file())
def test_migrate_changes_the_migrated_values_and_nothing_else(pair: tuple[str, str]) -> None:
    text, expected = pair
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "content").mkdir()
        (root / "evidence").mkdir()
        (root / "content/organisation.yaml").write_text("name: X\n", encoding="utf-8")
        (root / "evidence/a.yaml").write_bytes(text.encode("utf-8"))
        plan = plan_migration(root, TARGET)
    assert not plan.problems
    got = plan.texts.get("evidence/a.yaml", text)
    assert got == expected  # comments, keys, quotes and line breaks byte for byte; only values replaced
    old = data(text)
    for list_key in ("clauses", "covers"):
        if list_key in old:
            old[list_key] = [migrated(n) for n in old[list_key]]
    assert data(got) == old


@st.composite
def organisation_file(draw) -> tuple[str, str]:
    """organisation.yaml with comments naming standard: and windows keys, with or without standard:."""
    nl = draw(st.sampled_from(["\n", "\r\n"]))
    head = "".join(draw(comment()) + nl for _ in range(draw(st.integers(0, 2))))
    name = f"{draw(key('name'))}: X{'  ' + draw(comment()) if draw(st.booleans()) else ''}{nl}"
    if draw(st.booleans()):  # standard: set already, in any quoting: replaced in place
        q = draw(st.sampled_from(["", '"', "'"]))
        std = f"{draw(key('standard'))}: "
        before, after = head + name + f"{std}{q}{SOURCE}{q}{nl}", head + name + f"{std}{q}{TARGET}{q}{nl}"
    else:  # none yet: one line added before the first key, below the comments
        before, after = head + name, head + f'standard: "{TARGET}"{nl}' + name
    windows = draw(st.lists(st.sampled_from(["10.3", "9.2.2", "8.4.1"]), min_size=1, max_size=3, unique=True))
    items = [draw(scalar(n)) for n in windows]
    wkey = f"{draw(key('windows'))}:"
    before, after = before + wkey, after + wkey
    if draw(st.booleans()):  # block mapping
        for i, (old, new) in enumerate(items):
            cmt = draw(comment())
            before += f"{nl}  {old}: {i + 1}  {cmt}"
            after += f"{nl}  {new}: {i + 1}  {cmt}"
    else:  # flow mapping
        before += " {" + ", ".join(f"{old}: {i + 1}" for i, (old, _) in enumerate(items)) + "}"
        after += " {" + ", ".join(f"{new}: {i + 1}" for i, (_, new) in enumerate(items)) + "}"
    return before + nl, after + nl


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(organisation_file())
def test_migrate_sets_standard_and_window_keys_and_nothing_else(pair: tuple[str, str]) -> None:
    text, expected = pair
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "content").mkdir()
        (root / "content/organisation.yaml").write_bytes(text.encode("utf-8"))
        plan = plan_migration(root, TARGET)
    assert not plan.problems
    got = plan.texts["content/organisation.yaml"]
    assert got == expected
    assert data(got)["standard"] == TARGET
