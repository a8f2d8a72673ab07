"""What makes reading fast (issue 23: read + validate at 10,000 records), held without timing anything: the
schema reads a key a record leaves out once per kind, not once per record; the schema's import parses no
catalog but the default edition's; the parser gives every value its position and its quoted flag. Each test
also asserts what the user sees, so a shortcut that changed a diagnostic fails here too."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from isoready.core.diagnostics import Collector
from isoready.core.load import YList, YMap, YStr, parse_text
from isoready.read import schema, schematypes
from isoready.read.catalog import load_catalog

REPO = Path(__file__).parents[2]


def _records(n: int, extra: str = "") -> str:
    return "".join(f"- id: r{i}\n  title: Record {i}\n  kind: record\n  clauses: [\"8.4\"]\n{extra}" for i in range(n))


def test_a_left_out_key_is_read_once_per_kind_not_once_per_record(monkeypatch) -> None:
    calls: list[str] = []
    original = schematypes.Url.read

    def counting(self, f, key, required, default=None):  # type: ignore[no-untyped-def]
        calls.append(key)
        return original(self, f, key, required, default)

    monkeypatch.setattr(schematypes.Url, "read", counting)
    schema.EVIDENCE.absent.pop("url", None)  # as a fresh process finds it
    value, diags = parse_text(_records(50), "evidence/many.yaml")
    assert diags == [] and isinstance(value, YList)
    out = Collector()
    read = [schema.Fields(m, schema.EVIDENCE, out, load_catalog()).values() for m in value]
    assert calls == ["url"]  # 50 records leave url out: its type read it once
    assert [r["url"] for r in read] == [None] * 50 and [r["title"] for r in read][:2] == ["Record 0", "Record 1"]
    assert out.items == []


def test_a_required_key_left_out_is_reported_on_every_record() -> None:
    value, _ = parse_text("- title: A\n  kind: record\n- title: B\n  kind: record\n", "evidence/two.yaml")
    out = Collector()
    for m in value:
        schema.Fields(m, schema.EVIDENCE, out, load_catalog()).get("id", required=True)
    assert [(d.line, d.code, d.message) for d in out.items] == [
        (1, "E202", "evidence record has no 'id'"), (3, "E202", "evidence record has no 'id'")]


def test_a_bad_value_is_reported_on_each_record_that_has_it() -> None:
    value, _ = parse_text(_records(3, "  url: ftp://example.org\n"), "evidence/bad.yaml")
    out = Collector()
    for m in value:
        schema.Fields(m, schema.EVIDENCE, out, load_catalog()).values()
    assert [(d.path, d.line, d.column, d.code) for d in out.items] == [
        ("evidence/bad.yaml", 5, 8, "E305"), ("evidence/bad.yaml", 10, 8, "E305"), ("evidence/bad.yaml", 15, 8, "E305")]
    assert out.items[0].message == "url 'ftp://example.org' is not an http or https address"


def test_values_after_take_see_the_taken_value() -> None:
    value, _ = parse_text("title: A\nkind: record\n", "evidence/a.yaml")
    f = schema.Fields(value, schema.EVIDENCE, Collector(), load_catalog())
    assert f.values()["url"] is None
    f.take("url", "https://example.org/a")
    assert f.values()["url"] == "https://example.org/a"


def test_importing_the_schema_parses_only_the_default_catalog() -> None:
    code = ("import isoready.read.catalog as c; parsed = []; parse = c.parse_catalog; "
            "c.parse_catalog = lambda text, standard=None, *a: "
            "parsed.append(standard.name) or parse(text, standard, *a); "
            "import isoready.read.schema; print(parsed)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert run.stdout.strip() == "['ISO 9001:2015']"  # the other editions' words come from their manifests


def test_every_value_keeps_its_position_and_whether_it_was_quoted() -> None:
    text = "a: plain\nb: 'quoted'\nc:\n  - x\n  - \"y\"\n  - ~\nd: |\n  block\ne: null\n"
    value, diags = parse_text(text, "evidence/p.yaml")
    assert diags == [] and isinstance(value, YMap)
    assert [(k, value.locs[k][1:], value.key_locs[k][1:]) for k in value] == [
        ("a", (1, 4), (1, 1)), ("b", (2, 4), (2, 1)), ("c", (4, 3), (3, 1)), ("d", (7, 4), (7, 1)),
        ("e", (9, 4), (9, 1))]
    assert [(str(v), v.plain, v.loc[1:]) for v in (value["a"], value["b"], value["d"])] == [
        ("plain", True, (1, 4)), ("quoted", False, (2, 4)), ("block\n", False, (7, 4))]
    items = value["c"]
    assert isinstance(items[0], YStr) and [(str(items[0]), items[0].plain), (str(items[1]), items[1].plain)] == [
        ("x", True), ("y", False)]
    assert items[2] is None and [loc[1:] for loc in items.locs] == [(4, 5), (5, 5), (6, 5)]
    assert value["e"] is None and all(type(k) is str for k in value)  # keys are plain text, not located values
