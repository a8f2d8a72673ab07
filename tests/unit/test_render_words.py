"""Issue 23, pages render faster: a template's own words are looked up once per language, when it compiles
(render/folding.py), not once per word on every page, and no byte of a page changes for it.

- a folded template prints exactly what Jinja's gettext prints: markup in a translation, ``%%``, parameters
  (escaped), ``{% trans %}`` with and without variables, ngettext, in English and in German;
- rendering a folded page asks the catalog nothing;
- a template that binds ``_`` itself is left as it is;
- every page of the German and the English demo, rendered through the folded templates, is byte for byte the
  page the unfolded templates give.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from jinja2 import DictLoader, Environment, StrictUndefined
from markupsafe import Markup

from isoready.core import i18n
from isoready.package.build import Options, build, render_plain
from isoready.render import folding
from isoready.render.pages import JINJA_OPTIONS, default_shared, environment, pages, speaking_templates, theme_dirs

REPO = Path(__file__).resolve().parents[2]

TEMPLATES = {
    "plain.html": '<a title="{{ _("Search results") }}">{{ _("Evidence") }}</a> {{ _("Skip to content") }}',
    "markup.html": "{{ _(\"Tom's <b>bold</b> & 100%% sure\") }}|{{ _(\"50%% of %(what)s\", what=w) }}",
    "params.html": '{{ _("No results for “%(query)s”", query=q) }}|{{ _("Showing %(shown)s of %(total)s rows.", '
                   'shown=1, total="<2>") }}',
    "trans.html": "{% trans %}guidance and labels marked <span class=\"ours\">ours</span> are written by this "
                  "portal, not quoted from the standard.{% endtrans %}|{% trans publisher=q %}Clause titles are "
                  "{{ publisher }}'s;{% endtrans %}",
    "plural.html": '{{ ngettext("%(num)s result for “%(query)s”", "%(num)s results for “%(query)s”", 1, '
                   'num="{n}", query="{query}") }}|{{ ngettext("%(num)s result for “%(query)s”", '
                   '"%(num)s results for “%(query)s”", n, query=q) }}|{% trans count=n %}{{ count }} record'
                   '{% pluralize %}{{ count }} records{% endtrans %}',
    "in-expression.html": '{% for key, label in [("index", _("Dashboard")), ("gaps", _("Gaps"))] %}'
                          '{{ label }}{{ _("passes") if w else _("fails") }};{% endfor %}',
    "macro.html": '{% macro m(x) %}{{ _("Evidence") }}: {{ x }}{% endmacro %}{% extends "base.html" %}'
                  '{% block b %}{{ m(_("Owner")) }}{% endblock %}',
    "base.html": "<p>{{ _(\"Skip to content\") }}</p>{% block b %}{% endblock %}",
    "own.html": '{% set _ = w %}{{ _ }}',
    "lib.html": '{% macro link(c, label="") -%}<a href="{{ SITEURL }}/{{ c }}">{{ label or c }}</a>{{ flag(c) }}'
                '{%- endmacro %}\n\n{% macro flag(c) -%}{% if c == "b" %} <b>{{ _("Stale: review due") }}</b>'
                '{% endif %}{%- endmacro %}\n{% macro numbered(c) -%}{{ loop.index }}{{ c }}{%- endmacro %}\n'
                '{% macro wrapped(c) -%}[{{ caller() }}{{ c }}]{%- endmacro %}\n'
                '{% macro late(c, d=c) -%}{{ d }}{%- endmacro %}\n'
                '{% macro box(c) -%}{% call wrapped(c) %}{{ c }}{% endcall %}{%- endmacro %}',
    "rows.html": '{% from "lib.html" import link, flag with context %}{% for c in rows %}{{ link(c) }}|'
                 '{{ link(c, label=w) }}|{{ flag(c) }};{% endfor %}{{ SITEURL }}',
    "rows-kept.html": '{% from "lib.html" import link, wrapped, late, box with context %}{% set SITEURL = w %}'
                      '{% for c in rows %}{{ link(c) }}{{ late(c) if c else "" }}'
                      '{% call wrapped(c) %}{{ w }}{% endcall %}{{ late(c) }}{{ box(c) }};{% endfor %}',
}
CONTEXT = {"w": "<i>x</i>", "q": "<script>", "n": 3, "rows": ["a", "b", "<c>"], "SITEURL": ".."}


def _env() -> Environment:
    return speaking_templates(Environment(loader=DictLoader(TEMPLATES), undefined=StrictUndefined,
                                          auto_reload=False, **JINJA_OPTIONS))


@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_a_folded_template_prints_what_gettext_prints(name: str, language: str) -> None:
    env = _env()
    with i18n.speaking(language):
        asked = env.get_template(name).render(CONTEXT)
        folded = folding.in_language(env.get_template(name), language)
        assert folded is not env.get_template(name)
        assert folded.render(CONTEXT) == asked


def test_the_german_words_are_in_the_compiled_template() -> None:
    env = _env()
    with i18n.speaking("de"):
        page = folding.in_language(env.get_template("plain.html"), "de").render(CONTEXT)
    assert page == ('<a title="Suchergebnisse">Nachweise</a> Zum Inhalt springen')
    source = env.loader.get_source(env, "markup.html")[0]
    compiled = folding.in_language(env.get_template("plain.html"), "en").environment.compile(source, raw=True)
    assert "gettext" not in compiled and "<b>bold</b> & 100% sure" in compiled  # the page's own text


def test_a_folded_page_asks_the_catalog_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    translations = i18n.language("de").translations
    real = translations.gettext
    monkeypatch.setattr(translations, "gettext", lambda message: asked.append(message) or real(message))
    env = _env()
    with i18n.speaking("de"):
        folding.in_language(env.get_template("macro.html"), "de").render(CONTEXT)  # it and base.html compiled
        assert sorted(asked) == ["Evidence", "Owner", "Skip to content"]  # each word looked up once
        asked.clear()
        for _n in range(3):
            page = folding.in_language(env.get_template("macro.html"), "de").render(CONTEXT)
    assert page == "<p>Zum Inhalt springen</p>Nachweise: Verantwortlich"
    assert asked == []


def test_a_template_that_binds_gettext_is_left_unfolded() -> None:
    env = _env()
    template = folding.in_language(env.get_template("own.html"), "de")
    assert template.render(CONTEXT) == "&lt;i&gt;x&lt;/i&gt;"
    assert folding.binds_gettext(env.parse(TEMPLATES["own.html"]))
    assert not folding.binds_gettext(env.parse(TEMPLATES["macro.html"]))


def test_an_environment_not_prepared_keeps_its_templates() -> None:
    env = Environment(loader=DictLoader(TEMPLATES), extensions=["jinja2.ext.i18n"])
    template = env.get_template("base.html")
    assert folding.in_language(template, "de") is template


@pytest.mark.parametrize("language", ["en", "de"])
def test_every_demo_page_is_the_page_the_unfolded_templates_give(tmp_path: Path, language: str) -> None:
    out = tmp_path / "site"
    result = build(Options(root=REPO, as_of=date(2026, 12, 6), audience="auditor", output=out, commit="test",
                           use_cache=False, language=language), render=render_plain)
    assert result.ok and result.site is not None
    env = environment(theme_dirs(REPO))
    delattr(env, folding.OVERLAYS)  # Jinja's own: gettext asked for every word of every page
    shared = {**default_shared(result.site), "chrome": None}
    checked = 0
    with i18n.speaking(language):
        for page in pages(result.site, REPO / "evidence"):
            context = dict(page.context)
            if page.markdown_file is not None:
                continue  # a document read as a page: the same template as any other page
            root = "/".join([".."] * page.path.count("/")) or "."
            header = env.get_template("chrome-header.html").render(shared, SITEURL=root, nav=context["nav"])
            footer = env.get_template("chrome-footer.html").render(shared, SITEURL=root, nav=context["nav"])
            chrome = {"header": Markup(header), "footer": Markup(footer)}
            unfolded = env.get_template(page.template + ".html").render(
                **{**shared, "chrome": chrome}, SITEURL=root, output_file=page.path, **context)
            assert (out / page.path).read_text(encoding="utf-8") == unfolded, page.path
            checked += 1
    assert checked > 100


class _Html:
    def __html__(self) -> str:
        return "<b>kept</b>"


@pytest.mark.parametrize("value", ["", "plain words", "a & b < c > d 'e' \"f\"", "&amp; already",
                                   "ünïcödé “quotes” ✔", "<script>alert('x')</script>", Markup("<b>markup</b> &amp;"),
                                   _Html(), 3, 2.5, None, True, date(2026, 11, 15)])
def test_a_printed_value_is_escaped_as_markupsafe_escapes_it(value: object) -> None:
    from markupsafe import escape

    assert folding.escape_text(value) == str(escape(value))


def test_a_folded_template_escapes_its_values_without_a_markup_each() -> None:
    env = _env()
    template = folding.in_language(env.get_template("params.html"), "en")
    source = env.loader.get_source(env, "params.html")[0]
    assert "escape_text(" in template.environment.compile(source, raw=True)
    assert template.render(CONTEXT) == env.get_template("params.html").render(CONTEXT)


def test_a_macro_called_per_row_is_inlined_and_its_import_dropped() -> None:
    env = _env()
    source = env.loader.get_source(env, "rows.html")[0]
    compiled = folding.in_language(env.get_template("rows.html"), "de").environment.compile(source, raw=True)
    assert "lib.html" not in compiled and "context.call(" not in compiled  # no import per page, no call per row
    with i18n.speaking("de"):
        page = folding.in_language(env.get_template("rows.html"), "de").render(CONTEXT)
        assert page == env.get_template("rows.html").render(CONTEXT)
    assert page.startswith('<a href="../a">a</a>|<a href="../a">&lt;i&gt;x&lt;/i&gt;</a>|;<a href="../b">b</a> '
                           '<b>Veraltet: Überprüfung fällig</b>|')


def test_a_macro_inlining_would_change_is_called_as_before() -> None:
    """A name the template binds itself (SITEURL here), ``caller``, a macro whose body is a call block, a
    default that reads another parameter, a call inside an expression: each stays a call, the page the same."""
    env = _env()
    source = env.loader.get_source(env, "rows-kept.html")[0]
    compiled = folding.in_language(env.get_template("rows-kept.html"), "en").environment.compile(source, raw=True)
    assert "lib.html" in compiled and compiled.count("context.call(") >= 4
    assert folding.in_language(env.get_template("rows-kept.html"), "en").render(CONTEXT) == (
        env.get_template("rows-kept.html").render(CONTEXT))
