"""One small builder per page kind (issue 23, as Pelican's generators): each declares the inputs it reads, what
it adds to the shared context and what it needs from it; build_site runs them in registry order. A builder run
with only the builders that provide what it needs gives exactly the pages it gives in a whole build, so a later
step can rebuild only the view-models whose inputs changed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from isoready.package.assemble import hash_documents
from isoready.assess import assess
from isoready.read.catalog import load_catalog
from isoready.validate.project import read_project
from isoready.views import BUILDERS, INPUTS, Context, PageBuilder, build_site, builder
from isoready.views.site import generate, run

AS_OF = date(2026, 11, 1)


@pytest.fixture
def context(minimal_project: Path) -> Context:
    project, _ = read_project(minimal_project, load_catalog(), AS_OF)
    return Context(project, assess(project, AS_OF), "internal", "abc123", hash_documents(project), None)


def test_every_builder_is_named_once_and_declares_what_it_reads_and_needs() -> None:
    names = [b.name for b in BUILDERS]
    assert len(names) == len(set(names)) and all(isinstance(b, PageBuilder) for b in BUILDERS)
    assert all(b.reads <= INPUTS for b in BUILDERS)
    provided = {p for b in BUILDERS for p in b.provides}
    assert all(set(b.needs) <= provided for b in BUILDERS), {b.name: b.needs for b in BUILDERS}
    assert {"dashboard", "clauses", "evidence", "gaps", "findings", "stages", "coverage", "report", "since",
            "transition", "glossary", "search"} <= set(names)
    with pytest.raises(ValueError, match="builder 'x' reads unknown inputs \\['weather'\\]"):
        builder("x", reads=("weather",))


def test_the_registry_order_is_the_page_order(context: Context) -> None:
    site = run(context)
    assert [p.path for p in site.pages][:2] == ["index.html", "clauses.html"]
    kinds = [p.template for p in site.pages]
    assert kinds.index("gaps") < kinds.index("findings") < kinds.index("stages") < kinds.index("coverage") \
        < kinds.index("report") < kinds.index("report-print.css")


def test_each_builder_alone_gives_the_pages_it_gives_in_a_whole_build(context: Context) -> None:
    whole = run(context)
    by_path = {p.path: p for p in whole.pages}
    seen = []
    for b in BUILDERS:
        providers = [x for x in BUILDERS if set(x.provides) & set(b.needs) and x is not b]
        theirs = {p.path for p in generate(context, providers)[0]}
        alone = [p for p in generate(context, [*providers, b])[0] if p.path not in theirs]
        assert all(by_path[p.path] == p for p in alone), b.name  # since and transition may have none
        seen += [p.path for p in alone]
    assert sorted(seen) == sorted(by_path)  # every page comes from exactly one builder


def test_build_site_is_the_builders_in_order(minimal_project: Path) -> None:
    project, _ = read_project(minimal_project, load_catalog(), AS_OF)
    readiness = assess(project, AS_OF)
    hashes = hash_documents(project)
    site = build_site(project, readiness, "auditor", hashes=hashes)
    again = run(Context(project, readiness, "auditor", "", hashes, None))
    assert site.pages == again.pages and site.export == again.export and site.chrome == again.chrome


def test_views_imports_nothing_further_down_the_pipeline() -> None:
    """The builders read the model and the assessment; render, package and the exports read them, never the
    other way round (checked over every module of the package, not only its __init__)."""
    from .test_layout import imported_by

    found = imported_by("isoready.views")
    assert found and not {m for m in found if m.split(".")[1] in ("render", "outputs", "package", "cli")}, found
