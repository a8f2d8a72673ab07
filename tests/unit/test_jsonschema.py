"""The JSON Schemas shipped in isoready/schemas/: generated from isoready/read/schema.py (a drift test), served by
``isoready schema``, carried by every built site (schema/readiness.schema.json), and strict enough that every
readiness.json the suite builds proves the schema right (conftest validates each one as it is written)."""

from __future__ import annotations

import copy
import json
import shutil
from datetime import date
from pathlib import Path

import jsonschema
import pytest

from schema_check import readiness_errors
from isoready import assess, cli
from isoready.outputs import contract
from isoready.package.build import Options, build

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "isoready" / "schemas"
MINIMAL = REPO / "tests" / "fixtures" / "minimal"


# --------------------------------------------------------------------------- generated, shipped, not drifted


def test_shipped_schema_files_are_the_generated_ones() -> None:
    """Fails when isoready/read/schema.py changes without regenerating (python3 -m invoke docs)."""
    assert sorted(p.name for p in SHIPPED.glob("*.json")) == sorted(contract.SCHEMA_FILES.values())
    for name, filename in contract.SCHEMA_FILES.items():
        assert (SHIPPED / filename).read_text(encoding="utf-8") == contract.schema_text(name), \
            f"isoready/schemas/{filename} is stale: run python3 -m invoke docs"
        assert contract.shipped_schema(name) == contract.schema_text(name)


def test_drift_is_detected_and_write_repairs_it(tmp_path: Path) -> None:
    folder = tmp_path / "schemas"
    shutil.copytree(SHIPPED, folder)
    assert contract.write_schemas(folder) == []  # all current
    stale = folder / "evidence.schema.json"
    stale.write_text(stale.read_text(encoding="utf-8").replace("who keeps it current", "the owner"),
                     encoding="utf-8")
    assert stale.read_text(encoding="utf-8") != contract.schema_text("evidence")
    assert contract.write_schemas(folder) == [stale]
    assert stale.read_text(encoding="utf-8") == contract.schema_text("evidence")


def test_every_schema_is_a_valid_draft_2020_12_schema() -> None:
    for name in contract.SCHEMA_FILES:
        s = contract.schema_for(name)
        assert s["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        jsonschema.Draft202012Validator.check_schema(s)


def test_schema_command_prints_and_writes(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert cli.main(["schema", "readiness"]) == 0
    assert capsys.readouterr().out == contract.schema_text("readiness")
    assert cli.main(["schema", "clauses"]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "isoready clause assessment"
    assert cli.main(["schema", "--write", str(tmp_path / "s")]) == 0
    assert capsys.readouterr().out == f"wrote 6 of 6 schema files into {tmp_path / 's'}\n"
    assert cli.main(["schema", "--write", str(tmp_path / "s")]) == 0
    assert capsys.readouterr().out == f"wrote 0 of 6 schema files into {tmp_path / 's'} (all were current)\n"
    assert cli.main(["schema"]) == 2
    assert "schema needs a KIND" in capsys.readouterr().err
    assert cli.main(["schema", "colour"]) == 2


def test_schema_words_follow_the_rules() -> None:
    """The states and lapse kinds the readiness schema allows are the ones assess produces, its version is
    export's, and schema.py imports nothing from further down the pipeline."""
    from isoready.outputs import export

    from .test_layout import imported_by

    assert contract.READINESS_VERSION == export.SCHEMA
    for module in ("isoready.read.schema", "isoready.outputs.contract"):
        later = {m for m in imported_by(module) if m.split(".")[1] in ("assess", "views", "render", "package", "cli")}
        assert not later and "isoready.outputs.export" not in imported_by(module), module
    assert "isoready.outputs.contract" not in imported_by("isoready.read.schema")  # input knows nothing of output
    assert set(contract.STATES) == set(assess.STATE_ORDER)
    assert set(contract.LAPSE_KINDS) == set(__import__("re").findall(
        r'Lapse\([^,]+, "([a-z-]+)"', "".join(p.read_text(encoding="utf-8")
                                              for p in sorted((REPO / "isoready" / "assess").glob("*.py"))))) | {
        kind for kind, *_ in assess.REGISTER_LAPSES.values()}  # a register's lapse kinds are a table (issue 24)


# --------------------------------------------------------------------------- team pages' metadata


def test_page_metadata_schema() -> None:
    v = jsonschema.Draft202012Validator(contract.schema_for("page"))
    assert v.is_valid({"title": "Audit logistics", "slug": "audit-logistics", "audience": "auditor"})
    assert v.is_valid({"title": "Hidden", "status": "hidden"})
    assert [e.message for e in v.iter_errors({"slug": "x"})] == ["'title' is a required property"]
    assert not v.is_valid({"title": "T", "audiance": "public"})  # a misspelt key
    assert not v.is_valid({"title": "T", "audience": "everyone"})
    assert not v.is_valid({"title": "T", "slug": "Not A Slug"})


# --------------------------------------------------------------------------- readiness.json


def _built(tmp_path: Path, root: Path, audience: str, as_of: date = date(2026, 11, 1)) -> Path:
    result = build(Options(root=root, as_of=as_of, audience=audience, output=tmp_path / audience,
                           commit="abc123", use_cache=False))
    assert result.ok, result.diagnostics
    return result.output


@pytest.fixture(scope="module")
def demo_internal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _built(tmp_path_factory.mktemp("demo"), REPO, "internal")


@pytest.mark.parametrize("root,audience", [(MINIMAL, "auditor"), (MINIMAL, "public"), (REPO, "public"),
                                           (REPO, "auditor")], ids=["minimal", "minimal-public", "demo-public",
                                                                    "demo-auditor"])
def test_built_readiness_json_matches_its_schema(tmp_path: Path, root: Path, audience: str,
                                                 readiness_checked: list) -> None:
    out = _built(tmp_path, root, audience)
    data = json.loads((out / "readiness.json").read_text(encoding="utf-8"))
    assert data["audience"] == audience
    assert readiness_errors(data) == []
    assert readiness_checked[-1] == (data["organisation"], audience)  # the conftest check saw this build too


def test_the_site_carries_the_schema(demo_internal: Path) -> None:
    carried = demo_internal / "schema" / "readiness.schema.json"
    assert carried.read_text(encoding="utf-8") == (SHIPPED / "readiness.schema.json").read_text(encoding="utf-8")
    manifest = json.loads((demo_internal / "manifest.json").read_text(encoding="utf-8"))
    assert "schema/readiness.schema.json" in {f["path"] for f in manifest["files"]}
    data = json.loads((demo_internal / "readiness.json").read_text(encoding="utf-8"))
    assert readiness_errors(data) == []
    assert data["findings"] and data["evidence"] and data["lapses"] and data["review_inputs"]  # all shapes seen


def test_readiness_schema_fails_on_a_missing_renamed_or_undescribed_key(demo_internal: Path) -> None:
    good = json.loads((demo_internal / "readiness.json").read_text(encoding="utf-8"))
    cases = {
        "no overall": (lambda d: d["readiness"].pop("overall"), "readiness: 'overall' is a required property"),
        "no clause state": (lambda d: d["clauses"][0].pop("state"), "clauses/0: 'state' is a required property"),
        "no sha256": (lambda d: d["evidence"][0].pop("sha256"), "evidence/0: 'sha256' is a required property"),
        "no gate verdict": (lambda d: d["gates"]["stage1"].pop("verdict"),
                            "gates/stage1: 'verdict' is a required property"),
        "undescribed key": (lambda d: d.update(colour="blue"),
                            "(top): Additional properties are not allowed ('colour' was unexpected)"),
        "unknown state": (lambda d: d["clauses"][0].update(state="done"),
                          "clauses/0/state: 'done' is not one of ['ready', 'at-risk', 'not-ready', 'not-applicable']"),
        "share above 1": (lambda d: d["readiness"].update(overall=1.5),
                          "readiness/overall: 1.5 is greater than the maximum of 1"),
        "impossible date": (lambda d: d.update(as_of="2026-1-01"), "as_of: '2026-1-01' does not match "
                            "'^[0-9]{4}-[0-9]{2}-[0-9]{2}$'"),
        "another schema": (lambda d: d.update(schema=2), "schema: 3 was expected"),
    }
    for label, (change, message) in cases.items():
        data = copy.deepcopy(good)
        change(data)
        assert message in readiness_errors(data), label


def test_every_key_readiness_json_writes_is_described(demo_internal: Path) -> None:
    """Walks the demo's readiness.json beside the schema: every object key has a description there."""
    data = json.loads((demo_internal / "readiness.json").read_text(encoding="utf-8"))
    s = contract.readiness_schema()
    seen = 0

    def walk(value, node):
        nonlocal seen
        if isinstance(value, dict) and "properties" in node:
            for key, item in value.items():
                sub = node["properties"][key]
                assert sub.get("description"), key
                seen += 1
                walk(item, sub)
        elif isinstance(value, dict) and isinstance(node.get("additionalProperties"), dict):
            for item in value.values():
                walk(item, node["additionalProperties"])
        elif isinstance(value, list) and "items" in node:
            for item in value:
                walk(item, node["items"])

    walk(data, s)
    assert seen > 1000


def _metadata(path: Path) -> dict[str, str]:
    """A page's metadata lines as Pelican reads them: 'Key: value' until the first blank line, keys lower-cased."""
    head = path.read_text(encoding="utf-8").split("\n\n", 1)[0]
    return {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in head.splitlines())}


def test_the_demo_pages_and_the_starter_page_pass_the_page_schema(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    v = jsonschema.Draft202012Validator(contract.schema_for("page"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1793491200")
    assert cli.main(["init", str(tmp_path / "r"), "--name", "Acme", "--yes"]) == 0
    pages = sorted((REPO / "content" / "pages").glob("*.md")) + [tmp_path / "r" / "content" / "pages" / "about.md"]
    assert len(pages) >= 3
    for page in pages:
        meta = _metadata(page)
        assert [e.message for e in v.iter_errors(meta)] == [], page
        assert meta["title"] and meta["slug"] and meta["audience"] in ("public", "auditor", "internal")
