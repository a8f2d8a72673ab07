"""Issue 23, the cold build: the theme's templates are compiled by another process while the build checks,
assesses and builds its views (render/compiled.py, ``pelican_plugin.TemplatesCompiling``), and the build's own
environment loads them instead of compiling them. Nothing of a page may change for it:

- a template compiled elsewhere prints exactly what it prints compiled here, and is not compiled again;
- code compiled for one language is never used by an environment folding another;
- a template whose source differs, or which inlines a macro whose source differs, is compiled afresh;
- a whole build (English and German demo) writes the same bytes with the templates compiled by the other process
  as with every template compiled by itself (one process: ``ISOREADY_WORKERS=1``), and in that build the pages'
  templates were not compiled by the build's own process.
"""

from __future__ import annotations

import filecmp
import os
from datetime import date
from pathlib import Path

import pytest
from jinja2 import DictLoader, Environment, StrictUndefined

from isoready.core import i18n
from isoready.package.build import Options, build
from isoready.render import folding
from isoready.render.compiled import CompiledTemplates, compile_templates
from isoready.render.pages import JINJA_OPTIONS, speaking_templates

REPO = Path(__file__).resolve().parents[2]

TEMPLATES = {
    "lib.html": '{% macro link(c) -%}<a href="{{ c }}">{{ _("Evidence") }} {{ c }}</a>{%- endmacro %}',
    "base.html": '<p>{{ _("Skip to content") }}</p>{% block b %}{% endblock %}',
    "page.html": '{% extends "base.html" %}{% from "lib.html" import link with context %}'
                 '{% block b %}{% for c in rows %}{{ link(c) }};{% endfor %}{{ _("Owner") }}{% endblock %}',
}
CONTEXT = {"rows": ["a", "<b>"]}


def _env(language: str, templates: dict[str, str] = TEMPLATES) -> Environment:
    return speaking_templates(Environment(loader=DictLoader(dict(templates)), undefined=StrictUndefined,
                                          auto_reload=False, **JINJA_OPTIONS), language)


def _compiled_elsewhere(language: str) -> CompiledTemplates:
    found, sources = compile_templates(_env(language), sorted(TEMPLATES))
    assert set(sources) == set(TEMPLATES)  # lib.html read for its macro, too
    return CompiledTemplates(found, sources)


def _compiles(env: Environment) -> list[str]:
    asked: list[str] = []
    real = env.compile

    def counting(source, name=None, filename=None, raw=False, defer_init=False):  # noqa: ANN001
        asked.append(name)
        return real(source, name, filename, raw, defer_init)

    env.compile = counting  # type: ignore[method-assign]
    return asked


@pytest.mark.parametrize("language", ["en", "de"])
def test_a_template_compiled_elsewhere_prints_the_same_and_is_not_compiled_again(language: str) -> None:
    with i18n.speaking(language):
        expected = _env(language).get_template("page.html").render(CONTEXT)
        env = _env(language)
        env.bytecode_cache = _compiled_elsewhere(language)
        asked = _compiles(env)
        assert env.get_template("page.html").render(CONTEXT) == expected
    assert asked == []
    assert ("Nachweise" if language == "de" else "Evidence") in expected


def test_code_compiled_for_one_language_is_never_used_for_another() -> None:
    env = _env("en")
    env.bytecode_cache = _compiled_elsewhere("de")
    asked = _compiles(env)
    with i18n.speaking("en"):
        page = env.get_template("page.html").render(CONTEXT)
    assert "page.html" in asked
    assert "Evidence a" in page and "Nachweise" not in page


@pytest.mark.parametrize("changed", ["page.html", "lib.html"])
def test_a_changed_template_or_macro_is_compiled_afresh(changed: str) -> None:
    edited = {**TEMPLATES, changed: TEMPLATES[changed].replace("{{ c }}</a>", "[{{ c }}]</a>").replace(
        "{{ _(\"Owner\") }}", "{{ _(\"Owner\") }}!")}
    assert edited != TEMPLATES
    env = _env("en", edited)
    env.bytecode_cache = _compiled_elsewhere("en")
    asked = _compiles(env)
    with i18n.speaking("en"):
        page = env.get_template("page.html").render(CONTEXT)
        assert page == _env("en", edited).get_template("page.html").render(CONTEXT)
    assert "page.html" in asked
    assert ("[a]" in page) if changed == "lib.html" else page.endswith("Owner!")


@pytest.mark.parametrize("language", ["en", "de"])
def test_a_build_writes_the_same_bytes_with_its_templates_compiled_by_another_process(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, language: str) -> None:
    sites = {}
    asked: list[str] = []
    real = Environment.compile

    def counting(self, source, name=None, filename=None, raw=False, defer_init=False):  # noqa: ANN001
        asked.append(name)
        return real(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(Environment, "compile", counting)
    for workers in ("1", "2"):
        monkeypatch.setenv("ISOREADY_WORKERS", workers)
        asked.clear()
        out = tmp_path / f"site-{workers}"
        result = build(Options(root=REPO, as_of=date(2026, 12, 6), audience="auditor", output=out, commit="test",
                               use_cache=False, language=language))
        assert result.ok
        sites[workers] = (out, {name for name in asked if name})
    (alone, compiled_here), (forked, compiled_there) = sites["1"], sites["2"]
    assert {"evidence.html", "clause.html", "index.html"} <= compiled_here
    assert not compiled_there & {"evidence.html", "clause.html", "index.html", "base.html"}, compiled_there
    files = sorted(str(p.relative_to(alone)) for p in alone.rglob("*") if p.is_file())
    assert files == sorted(str(p.relative_to(forked)) for p in forked.rglob("*") if p.is_file())
    match, mismatch, errors = filecmp.cmpfiles(alone, forked, files, shallow=False)
    assert (mismatch, errors) == ([], []) and len(match) > 100
    assert os.environ["ISOREADY_WORKERS"] == "2"


def test_the_compiling_process_opens_no_fifo_and_no_huge_template_of_a_projects_theme(
        minimal_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """It compiles the packaged theme's template names only, each as the build would load it (the project's
    override first), and leaves a FIFO, or a file over COMPILED_AHEAD_BYTES, to the build: a template no page
    uses is never opened, so the build neither hangs nor waits on it."""
    from isoready.package.pelican_plugin import COMPILED_AHEAD_BYTES, TemplatesCompiling

    templates = minimal_project / "theme" / "templates"
    templates.mkdir(parents=True)
    os.mkfifo(templates / "rollup.html")  # the rollup command's template: no page of a build uses it
    (templates / "unused.html").write_text("{# #}" * (COMPILED_AHEAD_BYTES // 5 + 1), encoding="utf-8")
    monkeypatch.setenv("ISOREADY_WORKERS", "2")
    compiling = TemplatesCompiling()
    compiling.start(minimal_project, minimal_project / "output")
    compiling.tell("en")
    cache = compiling.cache()
    assert cache is not None and cache.sources
    assert "rollup.html" not in cache.sources and "unused.html" not in cache.sources
    assert "evidence.html" in cache.sources
    result = build(Options(root=minimal_project, as_of=date(2026, 12, 6), output=minimal_project / "output",
                           commit="test", use_cache=False))
    assert result.ok
