"""Schema types that read and document themselves (issue 23, as MkDocs' config options): a key declared once,
in one Kind, is read, listed in docs/format.md's table, given a JSON Schema property and carried into its model
record, with no second list of keys to edit anywhere."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Optional

import jsonschema
import pytest

from isoready.outputs import contract
from isoready.read import schema
from isoready.read.catalog import load_catalog
from isoready.core.diagnostics import Collector
from isoready.core.load import parse_text
from isoready.read.records import record
from isoready.read.schematypes import DATE, TEXT, Field, Int, enum, list_of

FORMAT = Path(__file__).parents[2] / "docs" / "format.md"


def _fields(text: str, kind: schema.Kind) -> tuple[schema.Fields, Collector]:
    value, problems = parse_text(text, "evidence/x.yaml")
    assert problems == []
    out = Collector()
    return schema.Fields(value, kind, out, load_catalog()), out


def _with(kind: schema.Kind, *added: Field) -> schema.Kind:
    return schema.Kind(kind.name, kind.what, (*kind.fields, *added))


def test_a_key_added_to_one_kind_is_documented_everywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    """One Field added to the evidence kind: docs/format.md's table, the shipped JSON Schema and reading all
    know it. Nothing else is edited: the test patches only FILE_KINDS' evidence kind."""
    reviewer = Field("reviewer", TEXT, "who reviewed the record")
    monkeypatch.setitem(schema.FILE_KINDS, "evidence", _with(schema.EVIDENCE, reviewer))
    text = FORMAT.read_text(encoding="utf-8")
    assert "| `reviewer` |" not in text
    assert "| `reviewer` | text | no |  | who reviewed the record |" in schema.render_docs(text)
    props = contract.schema_for("evidence")["anyOf"][0]["properties"]
    assert props["reviewer"] == {"type": "string", "description": "who reviewed the record"}
    assert '"reviewer"' in contract.schema_text("evidence")
    f, out = _fields("title: T\nkind: record\nclauses: [\"9.3\"]\nreviewer: A. Auditor\n",
                     schema.FILE_KINDS["evidence"])
    assert f.values()["reviewer"] == "A. Auditor" and out.items == []
    f, out = _fields("title: T\nreviewer: [A, B]\n", schema.EVIDENCE)  # the unchanged kind refuses it
    assert [d.format() for d in out.items] == [
        "evidence/x.yaml:2:1: E203 unknown key 'reviewer' in evidence record (did you mean 'review_by'?)"]


def test_each_type_documents_and_reads_itself() -> None:
    """A typed key's row, JSON Schema and reading all come from its type: a bounded number, a list of words
    with a default, a date."""
    kind = schema.Kind("probe", "probe", (
        Field("copies", Int(minimum=0, maximum=5), "how many copies are kept"),
        Field("media", list_of(enum("paper", "disk")), "where the copies are", default="paper"),
        Field("checked", DATE, "when the copies were last checked"),
    ))
    table = schema.markdown_table(kind)
    assert "| `copies` | whole number (0–5) | no |  | how many copies are kept |" in table
    assert "| `media` | list of words | no | `paper` \\| `disk` (default `paper`) | where the copies are |" in table
    assert "| `checked` | date (YYYY-MM-DD) | no |  | when the copies were last checked |" in table
    validator = jsonschema.Draft202012Validator(kind.json())
    assert validator.is_valid({"copies": 5, "media": ["disk"], "checked": "2026-01-31"})
    assert not validator.is_valid({"copies": 6})
    assert not validator.is_valid({"media": ["cloud"]})
    f, out = _fields("copies: 7\nmedia: [paper, cloud]\nchecked: 2026-02-30\n", kind)
    assert f.values() == {"copies": None, "media": ("paper",), "checked": None}
    assert [d.format() for d in out.items] == [
        "evidence/x.yaml:1:9: E207 'copies' must be a whole number from 0 to 5 (write e.g. 'copies: 2')",
        "evidence/x.yaml:2:16: E204 'cloud' is not one of the allowed media (use one of: paper, disk)",
        "evidence/x.yaml:3:10: E205 impossible checked '2026-02-30' (write a real date as YYYY-MM-DD)"]


def test_each_key_is_read_once() -> None:
    """A key's problems are reported once however often its value is asked for."""
    f, out = _fields("title: T\nkind: record\nclauses: [\"9.3\"]\ndate: 2026-13-01\n", schema.EVIDENCE)
    assert f.get("date") is None and f.values()["date"] is None and f.get("date") is None
    assert [d.code for d in out.items] == ["E205"]


def test_a_key_added_to_the_schema_and_the_model_reaches_the_record() -> None:
    """records.record fills a model from the schema's one pass: a new key needs its Field and its model field,
    never a third line in records.py."""

    @dataclass(frozen=True)
    class Probe:
        title: str
        reviewer: Optional[str] = None
        checked: Optional[date] = None
        source: str = ""

    kind = _with(schema.EVIDENCE, Field("reviewer", TEXT, "who reviewed it"), Field("checked", DATE, "when"))
    f, out = _fields("title: T\nkind: record\nclauses: [\"9.3\"]\nreviewer: A. Auditor\nchecked: 2026-03-01\n", kind)
    assert record(Probe, f, source="evidence/x.yaml") == Probe("T", "A. Auditor", date(2026, 3, 1), "evidence/x.yaml")
    assert out.items == []


def test_every_field_writes_its_own_row_and_property() -> None:
    """The tables and JSON Schemas are the Fields' own rows and properties, for every kind."""
    for kind in schema.KINDS.values():
        table = schema.markdown_table(kind)
        for spec in kind.fields:
            assert spec.row() in table.splitlines(), (kind.name, spec.key)
            assert kind.json()["properties"][spec.key] == spec.json()
            changed = replace(spec, description="CHANGED")
            assert changed.row() != spec.row() and changed.json()["description"] == "CHANGED"
