"""Property tests over whole projects: any organisation file or mix of files gives diagnostics, never a crash."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from isoready.read.catalog import load_catalog
from isoready.cli import main
from isoready.read.schema import FILE_KINDS, ORGANISATION
from isoready.validate.project import read_project

MINIMAL = Path(__file__).resolve().parents[1] / "fixtures" / "minimal"
CAT = load_catalog()

scalars = st.one_of(st.text(max_size=12), st.sampled_from(["", "~", "null", "2026-02-30", "9.2.2", "-1", "12",
                                                           "../../etc/passwd", "logo.svg", "[a", "{b: c}", "true",
                                                           "no", "\u00b2", "9" * 400, "ISO 9001:2026", "a..b",
                                                           "https://x.example", "changes", "QP-001", "record"]))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(scalars, inner, max_size=3),
                      max_leaves=8)
# every key the schema knows (nested ones too), so new keys are fuzzed as soon as they are declared
keys = st.sampled_from(sorted({k for kind in (ORGANISATION, *ORGANISATION.nested()) for k in kind.keys})
                       + ["9.2.2", "colour"])
record_keys = st.sampled_from(sorted({k for kind in FILE_KINDS.values() if kind is not ORGANISATION
                                      for sub in (kind, *kind.nested()) for k in sub.keys}))
records = st.dictionaries(record_keys, values, max_size=8)


def dump(value) -> str:
    import yaml

    return yaml.safe_dump(value, allow_unicode=True, default_flow_style=None)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(org=st.one_of(st.dictionaries(keys, values, max_size=6), values, st.text(max_size=40)))
def test_any_organisation_file_gives_diagnostics_not_a_crash(tmp_path_factory, org):
    root = tmp_path_factory.mktemp("org") / "p"
    shutil.copytree(MINIMAL, root)
    text = org if isinstance(org, str) else dump(org)
    (root / "content" / "organisation.yaml").write_text(text, encoding="utf-8")
    project, diags = read_project(root, CAT, date(2026, 11, 1))
    assert project.organisation.name
    assert all(d.path and d.line >= 1 and d.code for d in diags)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=st.dictionaries(st.sampled_from(["evidence/a.yaml", "evidence/b/c.yml", "content/clauses/x.yaml",
                                              "content/findings/y.yaml", "evidence/d.md"]),
                             st.one_of(values.map(dump), records.map(dump), st.lists(records, max_size=3).map(dump),
                                       st.binary(max_size=60).map(lambda b: b.decode("latin-1"))),
                             max_size=4))
def test_any_mix_of_files_builds_or_exits_1_with_diagnostics(tmp_path_factory, files):
    root = tmp_path_factory.mktemp("mix") / "p"
    shutil.copytree(MINIMAL, root)
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    code = main(["validate", "--root", str(root), "--as-of", "2026-11-01"])
    assert code in (0, 1)
