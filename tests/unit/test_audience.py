"""What a build for one audience says: the findings policy of public builds, names that must pass the redactor,
and no redactor within a template's reach (issue 19).

Canary values are planted in a copy of the demo project; every byte of every output (zip and XLSX members
opened) is searched, as in test_trust.py.
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
import yaml

from isoready.package.archive import make_archive
from isoready.package.build import Options, build

from .test_trust import _all_bytes, _copy_demo, _leaks

AS_OF = date(2026, 11, 24)
PUBLIC_FINDING = "CANARY-PUBFINDING-ID-4d2e"
PUBLIC_FINDING_TEXT = "CANARY-PUBFINDING-TEXT-8a1c"


def _finding_ids(root: Path) -> list[str]:
    ids = []
    for f in sorted((root / "content" / "findings").glob("*.yaml")):
        ids += [x["id"] for x in yaml.safe_load(f.read_text(encoding="utf-8"))]
    return ids


def _plant_public_finding(root: Path) -> None:
    (root / "content" / "findings" / "public-one.yaml").write_text(
        f"- id: {PUBLIC_FINDING}\n"
        '  clauses: ["7.2"]\n'
        "  grade: minor\n"
        "  status: open\n"
        "  raised: 2026-10-01\n"
        "  due: 2026-11-02\n"
        "  audience: public\n"
        f"  description: Training gap {PUBLIC_FINDING_TEXT}\n", encoding="utf-8")


@pytest.fixture(scope="module")
def findings_project(tmp_path_factory) -> Path:
    root = _copy_demo(tmp_path_factory.mktemp("findings"))
    _plant_public_finding(root)
    return root


def _build(root: Path, base: Path, audience: str, archive: bool = True) -> Path:
    opts = Options(root=root, as_of=AS_OF, audience=audience, output=base / "site", commit="abc123")
    result = build(opts)
    assert result.ok, result.diagnostics
    if archive:
        make_archive(opts, base / "dist")
    return base


@pytest.fixture(scope="module")
def findings_builds(findings_project, tmp_path_factory):
    return {a: _build(findings_project, tmp_path_factory.mktemp(f"f-{a}"), a) for a in ("public", "auditor")}


# --------------------------------------------------------------------------- the findings policy


#: words that count findings, in any output of a public build that does not publish them
_COUNTING = re.compile(rb"open findings? ?\(\d|(?<=[\s>('])\d+ (?:open |major |minor |overdue )?findings?\b|findings? not shown|"
                       rb"open major finding|open minor finding|\"findings\": ?\[\"", re.IGNORECASE)


def test_public_build_without_show_findings_says_nothing_countable_about_findings(findings_builds, findings_project):
    base = findings_builds["public"]
    ids = _finding_ids(findings_project)
    assert PUBLIC_FINDING in ids and len(ids) > 3
    # not the public finding's id or text, nor any other finding's id, anywhere (pages, JSON, CSV, XLSX, zip)
    assert _leaks(base, [PUBLIC_FINDING, PUBLIC_FINDING_TEXT, *ids]) == []
    counted = sorted({f"{name}: {m.group(0)!r}" for name, data in _all_bytes(base)
                      for m in _COUNTING.finditer(data)})
    assert counted == []
    site = base / "site"
    assert not (site / "findings").exists()  # no finding pages
    data = json.loads((site / "readiness.json").read_text(encoding="utf-8"))
    assert data["findings"] == [] and data["withheld"]["findings"] is None
    assert all(c["findings"] == [] for c in data["clauses"])
    codes = {code for c in data["clauses"] for code in c["reason_codes"]}
    assert not codes & {"finding-open", "finding-open-overdue", "finding-overdue", "finding-unverified"}
    assert "findings-not-published" in codes
    clause = next(c for c in data["clauses"] if c["number"] == "7.2")
    assert clause["reasons"].count("open actions, not published in this build") == 1
    search = (site / "search-index.js").read_text(encoding="utf-8")
    assert '"type":"Finding"' not in search
    assert "Audit findings are not published in this build." in (site / "findings.html").read_text()
    gaps = (site / "gaps.html").read_text(encoding="utf-8")
    assert '<a href="#findings">Open findings</a>' in gaps
    assert "Audit findings are not published in this build." in gaps
    assert "No open findings" not in gaps  # not a claim that there are none, either
    csv = (site / "checklist.csv").read_text(encoding="utf-8")
    assert "open actions, not published in this build" in csv


def test_clause_states_are_the_same_in_public_and_auditor_builds(findings_builds):
    states = {}
    for audience, base in findings_builds.items():
        data = json.loads((base / "site" / "readiness.json").read_text(encoding="utf-8"))
        states[audience] = ([(c["number"], c["state"]) for c in data["clauses"]], data["readiness"])
    assert states["public"] == states["auditor"]
    assert ("7.2", "at-risk") in states["public"][0] or ("7.2", "not-ready") in states["public"][0]


def test_auditor_build_still_publishes_findings(findings_builds):
    site = findings_builds["auditor"] / "site"
    data = json.loads((site / "readiness.json").read_text(encoding="utf-8"))
    assert PUBLIC_FINDING in [f["id"] for f in data["findings"]]
    assert (site / "findings" / f"{PUBLIC_FINDING}.html").is_file()
    assert re.search(r"Open findings \(\d+\)", (site / "gaps.html").read_text(encoding="utf-8"))
    assert PUBLIC_FINDING_TEXT in (site / "search-index.js").read_text(encoding="utf-8")


def test_show_findings_true_publishes_public_findings_only(findings_project, tmp_path):
    root = tmp_path / "p"
    shutil.copytree(findings_project, root)
    org = root / "content" / "organisation.yaml"
    org.write_text(org.read_text(encoding="utf-8") + "public:\n  show_findings: true\n", encoding="utf-8")
    site = _build(root, tmp_path / "out", "public", archive=False) / "site"
    data = json.loads((site / "readiness.json").read_text(encoding="utf-8"))
    assert [f["id"] for f in data["findings"]] == [PUBLIC_FINDING]
    assert isinstance(data["withheld"]["findings"], int) and data["withheld"]["findings"] > 0
    assert (site / "findings" / f"{PUBLIC_FINDING}.html").is_file()


# --------------------------------------------------------------------------- names that skip the redactor


#: an internal record's id, used as a git tag, the last audit's ref, a page slug and in the organisation's name
REF = "PAYREV-77c1"
#: the withheld record's review date: in no public reason or gap row
REF_DATE = "2025-03-17"


@pytest.fixture(scope="module")
def named_register(tmp_path_factory):
    from .test_history import commit, edit, git, make_register

    repo, _ = make_register(tmp_path_factory.mktemp("named"))
    (repo / "evidence/support/pay-review.yaml").write_text(
        f"id: {REF}\ntitle: Pay review\nkind: document\nclauses: [\"7.1.6\"]\naudience: internal\n"
        f"review_by: {REF_DATE}\n", encoding="utf-8")
    git(repo, "tag", REF, "HEAD~1", day="2026-11-04")  # an older commit tagged after the withheld record
    edit(repo / "content/organisation.yaml", "name: Example Works Ltd\n",
         f"name: Example Works {REF} Ltd\nlast_audit: {REF}\n")
    (repo / "content/pages").mkdir(parents=True, exist_ok=True)
    (repo / "content/pages/notes.md").write_text(
        f"Title: Notes\nSlug: {REF.lower()}-notes\nAudience: public\n\nSome notes.\n", encoding="utf-8")
    commit(repo, "2026-11-04", "Pay review; notes")
    return repo


@pytest.fixture(scope="module")
def named_builds(named_register, tmp_path_factory):
    from isoready import cli

    out = {}
    for audience in ("public", "auditor", "internal"):
        base = tmp_path_factory.mktemp(f"n-{audience}")
        assert cli.main(["build", "--root", str(named_register), "--as-of", "2026-11-05", "--audience", audience,
                         "--output", str(base / "site")]) == 0
        assert cli.main(["archive", "--root", str(named_register), "--as-of", "2026-11-05", "--audience", audience,
                         "--dist", str(base / "dist")]) == 0
        out[audience] = base
    return out


@pytest.mark.parametrize("audience", ["public", "auditor"])
def test_ref_names_slugs_dates_and_the_organisation_name_pass_the_redactor(named_builds, audience):
    base = named_builds[audience]
    spellings = [REF, REF.lower(), REF.replace("-", "")]
    assert _leaks(base, [*spellings, REF_DATE]) == []
    site = base / "site"
    history = json.loads((site / "history.json").read_text(encoding="utf-8"))
    assert history["last_audit"] == "[withheld 1]"
    assert any("[withheld 1]" in e["tags"] for e in history["entries"])
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "Last audit ([withheld 1]) marked." in index  # the trend chart still marks it
    assert "<strong>[withheld 1] (" in (site / "since-last-audit.html").read_text(encoding="utf-8")
    assert (site / "pages" / "withheld-notes.html").is_file()
    assert json.loads((site / "readiness.json").read_text(encoding="utf-8"))["organisation"] == \
        "Example Works [withheld] Ltd"


def test_internal_build_shows_the_names_so_the_search_can_fail(named_builds):
    base = named_builds["internal"]
    leaks = "\n".join(_leaks(base, [REF, REF_DATE]))
    for where in ("history.json", "index.html", "since-last-audit.html", "readiness.json", "gaps.html"):
        assert where in leaks, where
    assert (base / "site" / "pages" / f"{REF.lower()}-notes.html").is_file()


# --------------------------------------------------------------------------- no redactor within a template's reach

HIDDEN = "HIDDENREC-91f3"


@pytest.fixture(scope="module")
def doc_project(tmp_path_factory):
    root = tmp_path_factory.mktemp("doc") / "p"
    shutil.copytree(Path(__file__).resolve().parents[1] / "fixtures" / "minimal", root)
    (root / "evidence/support/hidden.yaml").write_text(
        f"id: {HIDDEN}\ntitle: Hidden\nkind: record\nclauses: [\"7.2\"]\naudience: internal\n", encoding="utf-8")
    (root / "evidence/support/handbook.md").write_text(f"# Handbook\n\nSee {HIDDEN}.\n", encoding="utf-8")
    (root / "evidence/support/handbook.yaml").write_text(
        "title: Handbook\nkind: document\nclauses: [\"7.2\"]\naudience: public\nfile: handbook.md\n",
        encoding="utf-8")
    return root


def _walk(obj, seen=None, path="site"):
    """Every object reachable from ``obj`` through dataclass fields, mappings and sequences, with its path."""
    import dataclasses

    seen = set() if seen is None else seen
    if id(obj) in seen or isinstance(obj, (str, bytes, int, float, bool, type(None), date)):
        return
    seen.add(id(obj))
    yield path, obj
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            yield from _walk(getattr(obj, f.name), seen, f"{path}.{f.name}")
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from _walk(v, seen, f"{path}[{k!r}]")
    elif isinstance(obj, (list, tuple, set, frozenset)):
        for n, v in enumerate(obj):
            yield from _walk(v, seen, f"{path}[{n}]")


def test_no_view_model_or_template_context_holds_a_redactor(doc_project):
    from isoready.package.assemble import prepare
    from isoready.validate.redact import Redactor
    from isoready.render.pages import default_shared, pages

    site, _, diags = prepare(Options(root=doc_project, as_of=AS_OF, audience="public", commit="abc123"))
    assert site is not None, diags
    assert isinstance(site.redact, Redactor) and site.redact  # the renderer's, and it hides something
    views = [site.chrome, site.export, site.documents, *(p.model for p in site.pages)]
    found = [path for path, obj in _walk(views) if isinstance(obj, Redactor)]
    contexts = [dict(p.context) for p in pages(site, doc_project / "evidence")] + [default_shared(site)]
    found += [path for path, obj in _walk(contexts, path="context") if isinstance(obj, Redactor)]
    assert found == []
    page = next(p for p in pages(site, doc_project / "evidence") if p.markdown_file is not None)
    assert isinstance(page.redact, Redactor)  # the render job's, beside the context


def test_a_theme_template_cannot_print_the_redactor(doc_project, tmp_path):
    root = tmp_path / "p"
    shutil.copytree(doc_project, root)
    templates = root / "theme" / "templates"
    templates.mkdir(parents=True)
    (templates / "document.html").write_text(
        "{% if page.redact is defined %}REDACT {{ page.redact }} {{ page.redact._hidden }}{% endif %}\n"
        "PAGE {{ page|pprint }}\nBODY {{ body }}\n", encoding="utf-8")
    site = _build(root, tmp_path / "out", "public", archive=False) / "site"
    html = (site / "files" / "support" / "handbook.md.html").read_text(encoding="utf-8")
    assert "PAGE " in html and "See [withheld]." in html  # the override ran, and the text is redacted
    assert "REDACT" not in html
    for spelling in (HIDDEN, HIDDEN.lower(), "hiddenrec91f3"):
        assert spelling not in html.lower()


# --------------------------------------------------------------------------- history.json against its own schema


@pytest.mark.parametrize("audience", ["public", "auditor", "internal"])
def test_history_json_of_every_audience_passes_its_own_schema(named_builds, audience):
    import jsonschema

    from isoready.gitfacts.history import HISTORY_SCHEMA

    data = json.loads((named_builds[audience] / "site" / "history.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, HISTORY_SCHEMA)
    counts = [e["open_findings"] for e in data["entries"]]
    column = '<th scope="col">Open findings</th>' in (named_builds[audience] / "site" / "index.html").read_text()
    if audience == "public":  # findings are not published: not counted either, nor a column for them in the trend
        assert counts and all(n is None for n in counts) and not column
    else:
        assert counts and all(isinstance(n, int) for n in counts) and column


# --------------------------------------------------------------------------- fuzz: slugs and ref names


_SPELLINGS = st.sampled_from(["PAY-07", "pay-07", "PAY07", "pay_07", "Pay 07", "PAY%2D07", "PAY&#45;07",
                              "ＰＡＹ-０７", "pay\u200b-07"])
_AROUND = st.text(alphabet="abcdefxyz0189-_.", max_size=12)


@settings(max_examples=150, deadline=None)
@given(before=_AROUND, name=_SPELLINGS, after=_AROUND)
def test_fuzz_a_slug_or_ref_naming_a_withheld_record_comes_out_naming_none(before, name, after):
    from isoready.validate.redact import WITHHELD, Redactor, redact_name

    redact = Redactor({"PAY-07", "pay-07.pdf"}, {"PAY-070", "scope.md"})
    for text in (f"{before}{name}{after}", f"{before}-{name}-{after}"):
        slug = redact_name(redact, text)
        assert redact(slug) == slug  # names no withheld record, in any spelling
        assert WITHHELD not in slug and "[" not in slug and "]" not in slug
        ref = redact(text)
        assert redact(ref) == ref
    assert redact_name(redact, "notes-pay-070") == "notes-pay-070"  # a visible record's longer name stays
