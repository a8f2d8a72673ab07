"""Issue 26, the portal in the team's language: the plumbing and the templates.

- every user-visible English string of a template goes through gettext (``_()`` or ``{% trans %}``): a test
  reads each template with Jinja's lexer and parser and fails on text, a label attribute or a printed string
  literal outside them, but for the names and codes listed here;
- ``language:`` in organisation.yaml and ``--language`` (which overrides it) choose the language; an unknown
  one is a diagnostic (file, line, the languages offered) or a usage error;
- the German demo build speaks German in its chrome (``<html lang="de">``, the navigation, the footer's note
  that the translation is not yet reviewed); readiness.json is identical in English and German but for
  ``language``; the page cache and the last site's record never hand a page of one language to another;
- each compiled catalog (.mo) is its .po compiled, with the header's ``reviewed:``.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from jinja2 import nodes

from isoready.cli import main
from isoready.core import i18n
from isoready.outputs.conform import contract_problems
from isoready.package.build import Options, build
from isoready.render.pages import PACKAGED_THEME, environment

REPO = Path(__file__).resolve().parents[2]
TEMPLATES = PACKAGED_THEME / "templates"
LOCALE = REPO / "isoready" / "locale"
DEMO_AS_OF = "2026-12-06"

#: words a template may print as they are, in every language: file names, the tool's name, a hash's name
NAMES = ("readiness.json", "checklist.csv", "checklist.xlsx", "manifest.json", "history.json", "report.pdf",
         "isoready", "SHA-256", ".txt")
#: string literals in expressions that are keys, CSS classes, page names or codes, never printed as words
CODES = frozenset({"index", "clauses", "evidence", "gaps", "findings", "stages", "applicability", "report",
                   "index.html", "clauses.html", "evidence.html", "gaps.html", "findings.html", "stages.html",
                   "applicability.html", "report.html", "pass", "fail", "gate-pass", "gate-fail", "open",
                   "closed", "state", "status", "fresh", " compressed", "coverage-matrix", "gap-rows", "cb", "report-section"})
#: attributes a reader sees or hears (CSS prints data-label on a phone's table rows)
LABELS = {"alt", "title", "aria-label", "placeholder", "aria-description", "aria-roledescription", "data-label"}
GETTEXT = {"_", "gettext", "ngettext", "pgettext"}
HOLE = "\x00"
LETTER = re.compile(r"[^\W\d_]")


def _skeleton(source: str) -> str:
    """The template's text as the lexer sees it, each tag, expression and {% trans %} block a hole."""
    out: list[str] = []
    inside = 0
    tokens = [t for t in environment(PACKAGED_THEME).lex(source) if t[1] != "whitespace"]
    for n, (_line, kind, value) in enumerate(tokens):
        if kind == "block_begin" and n + 1 < len(tokens) and tokens[n + 1][1] == "name":
            inside += {"trans": 1, "endtrans": -1}.get(tokens[n + 1][2], 0)
        out.append(value if kind == "data" and not inside else f" {HOLE} ")
    return "".join(out)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.hidden += tag in ("script", "style")
        self.found += [(self.getpos()[0], v) for k, v in attrs if k in LABELS and v]

    def handle_endtag(self, tag: str) -> None:
        self.hidden -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.found.append((self.getpos()[0], data))


def _english(piece: str) -> bool:
    for name in NAMES:
        piece = piece.replace(name, "")
    return bool(LETTER.search(piece))


def unmarked_text(source: str, css: bool = False) -> list[str]:
    """Text a reader sees that no _() or {% trans %} carries: text between tags, label attributes; in a
    stylesheet template, the strings of ``content:``."""
    skeleton = _skeleton(source)
    if css:
        found = [(0, m) for m in re.findall(r'content:\s*([^;]*);', skeleton)]
        found = [(0, s) for _l, c in found for s in re.findall(r'"([^"]*)"', c)]
    else:
        parser = _Text()
        parser.feed(skeleton)
        parser.close()
        found = parser.found
    return [piece.strip() for _line, chunk in found for piece in chunk.split(HOLE) if _english(piece)]


def _literals(node: nodes.Node, quiet: bool = False):
    if isinstance(node, nodes.Call) and isinstance(node.node, nodes.Name) and node.node.name in GETTEXT:
        return
    if isinstance(node, nodes.Const) and isinstance(node.value, str) and not quiet:
        yield node
    keys = (nodes.Compare, nodes.Getitem, nodes.Getattr, nodes.Test, nodes.Include, nodes.Import,
            nodes.FromImport, nodes.Extends)
    for child in node.iter_child_nodes():
        yield from _literals(child, quiet or isinstance(node, keys)
                             or (isinstance(node, nodes.Filter) and child is not node.node))


def unmarked_literals(source: str) -> list[str]:
    """String literals of expressions that may be printed (not keys, tests or names of templates) and are
    neither in a gettext call nor a code listed in CODES."""
    tree = environment(PACKAGED_THEME).parse(source)
    return [n.value for n in _literals(tree) if n.value not in CODES and _english(n.value)]


@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATES.glob("*.html")))
def test_every_template_string_goes_through_gettext(template: str) -> None:
    source = (TEMPLATES / template).read_text(encoding="utf-8")
    assert unmarked_text(source, css=template.endswith(".css.html")) == []
    assert unmarked_literals(source) == []


def test_the_check_fails_on_an_unmarked_string() -> None:
    assert unmarked_text('<p class="x">Ready for {{ a }}</p>') == ["Ready for"]
    assert unmarked_text('<img alt="Logo" src="{{ s }}">') == ["Logo"]
    assert unmarked_text('<td data-label="Owner">{{ o }}</td>') == ["Owner"]
    assert unmarked_text('a { content: "Page " counter(page); }', css=True) == ["Page"]
    assert unmarked_literals('{{ m(x, "Evidence past its review date") }}') == ["Evidence past its review date"]
    assert unmarked_literals('{{ "yes" if a else "no" }}') == ["yes", "no"]
    # marked, a name, a key: nothing to report
    assert unmarked_text('<p>{{ _("Ready for") }} {% trans n=1 %}{{ n }} clause{% endtrans %}</p>') == []
    assert unmarked_text('<a href="x">readiness.json</a> · <code>SHA-256</code>') == []
    assert unmarked_literals('{% if nav == "index" %}{{ _("Dashboard") }}{% endif %}{{ d["title"] }}') == []


# --------------------------------------------------------------------------- the catalogs

def _tasks():
    spec = importlib.util.spec_from_file_location("isoready_tasks", REPO / "tasks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("language", [code for code in i18n.LANGUAGES if code != i18n.SOURCE_LANGUAGE])
def test_each_mo_is_its_po_compiled(language: str) -> None:
    po = LOCALE / language / "LC_MESSAGES" / "messages.po"
    assert re.search(r'^"reviewed: (true|false)\\n"$', po.read_text(encoding="utf-8"), re.M), "no reviewed: header"
    assert po.with_suffix(".mo").read_bytes() == _tasks().compiled(po), "run: python3 -m invoke i18n-compile"


def test_shipped_catalogs_say_they_are_not_reviewed() -> None:
    assert [code for code in i18n.LANGUAGES if not i18n.language(code).reviewed] == ["de", "fr", "es", "ja"]


def test_german_translates_every_template_string() -> None:
    from babel.messages.pofile import read_po

    with (LOCALE / "messages.pot").open("rb") as handle:
        template = {m.id for m in read_po(handle) if m.id and any("/templates/" in f for f, _n in m.locations)}
    with (LOCALE / "de" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        german = {m.id: m.string for m in read_po(handle, locale="de") if m.id}
    assert sorted(m for m in template if not german.get(m)) == []


# --------------------------------------------------------------------------- choosing the language

@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    sites = {}
    for language in ("en", "de"):
        out = tmp_path_factory.mktemp(f"demo-{language}") / "site"
        result = build(Options(root=REPO, as_of=__import__("datetime").date.fromisoformat(DEMO_AS_OF),
                               audience="auditor", output=out, commit="test", use_cache=False, language=language))
        assert result.ok
        sites[language] = out
    return sites


def test_the_german_demo_speaks_german_in_its_chrome(demo: dict[str, Path]) -> None:
    page = (demo["de"] / "index.html").read_text(encoding="utf-8")
    assert page.startswith('<!DOCTYPE html>\n<html lang="de" data-root=".">')
    nav = page.split('<nav class="site-nav"', 1)[1].split("</nav>", 1)[0]
    assert 'aria-label="Hauptnavigation"' in nav
    for word in ("Übersicht", "Abschnitte", "Nachweise", "Lücken", "Feststellungen", "Auditstufen", "Bericht"):
        assert f">{word}</a>" in nav
    assert '<p class="translation-note">Übersetzung noch nicht geprüft</p>' in page
    clause = (demo["de"] / "clauses" / "4.1.html").read_text(encoding="utf-8")
    assert '<html lang="de"' in clause and "<h2 id=\"status-h\">Status</h2>" in clause
    assert '<p class="translation-note">Übersetzung noch nicht geprüft</p>' in clause


def test_the_english_demo_is_english_and_has_no_note(demo: dict[str, Path]) -> None:
    page = (demo["en"] / "index.html").read_text(encoding="utf-8")
    assert page.startswith('<!DOCTYPE html>\n<html lang="en" data-root=".">')
    assert ">Dashboard</a>" in page and "translation-note" not in page


def test_readiness_json_is_the_same_in_every_language_but_its_language(demo: dict[str, Path]) -> None:
    en, de = (json.loads((demo[k] / "readiness.json").read_text(encoding="utf-8")) for k in ("en", "de"))
    assert (en["language"], de["language"]) == ("en", "de")
    assert contract_problems(en) == [] and contract_problems(de) == []
    assert {**de, "language": "en"} == en


def _with_language(project: Path, line: str) -> None:
    org = project / "content" / "organisation.yaml"
    org.write_text(org.read_text(encoding="utf-8") + line, encoding="utf-8")


def _lang(site: Path) -> str:
    return re.search(r'<html lang="([^"]+)"', (site / "index.html").read_text(encoding="utf-8")).group(1)


def test_language_in_organisation_yaml_and_the_option_that_overrides_it(minimal_project: Path, tmp_path: Path) -> None:
    _with_language(minimal_project, "language: de\n")
    base = ["build", "--root", str(minimal_project), "--as-of", "2026-11-01", "--output"]
    assert main([*base, str(tmp_path / "de")]) == 0
    assert _lang(tmp_path / "de") == "de"
    assert main([*base, str(tmp_path / "en"), "--language", "en"]) == 0
    assert _lang(tmp_path / "en") == "en"
    assert "Dashboard</a>" in (tmp_path / "en" / "index.html").read_text(encoding="utf-8")
    assert json.loads((tmp_path / "en" / "readiness.json").read_text(encoding="utf-8"))["language"] == "en"


def test_an_unknown_language_is_a_diagnostic(minimal_project: Path, tmp_path: Path, capsys) -> None:
    _with_language(minimal_project, "language: klingon\n")
    lines = (minimal_project / "content" / "organisation.yaml").read_text(encoding="utf-8").splitlines()
    code = main(["build", "--root", str(minimal_project), "--as-of", "2026-11-01", "--output", str(tmp_path / "s")])
    assert code == 1
    assert (f"content/organisation.yaml:{len(lines)}:11: E204 unknown language 'klingon' "
            "(use one of: en, de, fr, es, ja)") in capsys.readouterr().out
    assert not (tmp_path / "s").exists()


def test_an_unknown_language_option_is_a_usage_error(minimal_project: Path, tmp_path: Path, capsys) -> None:
    assert main(["build", "--root", str(minimal_project), "--language", "xx", "--output", str(tmp_path / "s")]) == 2
    assert "invalid choice: 'xx' (choose from 'en', 'de', 'fr', 'es', 'ja')" in capsys.readouterr().err


def test_switching_language_reuses_no_page_of_the_other(minimal_project: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "site"
    base = ["build", "--root", str(minimal_project), "--as-of", "2026-11-01", "--output", str(out)]
    assert main(base) == 0 and _lang(out) == "en"
    assert main([*base, "--language", "de"]) == 0  # the same inputs, the page cache and site.json kept
    assert "nothing changed" not in capsys.readouterr().out
    assert _lang(out) == "de"
    assert all('<html lang="de"' in p.read_text(encoding="utf-8") for p in out.rglob("*.html")
               if p.read_text(encoding="utf-8").startswith("<!DOCTYPE html>"))
    assert main(base) == 0 and _lang(out) == "en"
    assert "translation-note" not in (out / "clauses" / "4.1.html").read_text(encoding="utf-8")


def test_dates_in_prose_follow_the_language_and_tables_stay_iso(demo: dict[str, Path]) -> None:
    page = (demo["de"] / "index.html").read_text(encoding="utf-8")
    assert '#as-of-date">Stand</a> <time datetime="2026-12-06">6. Dezember 2026</time>' in page
    assert "Erstellt aus dem Nachweisregister des Repositorys, Stand 6. Dezember 2026, für die Zielgruppe „auditor“" in page
    register = (demo["de"] / "evidence.html").read_text(encoding="utf-8")
    assert re.search(r'<span class="date">\d{4}-\d\d-\d\d</span>', register)
    english = (demo["en"] / "index.html").read_text(encoding="utf-8")
    assert '#as-of-date">As of</a> <time datetime="2026-12-06">2026-12-06</time>' in english


def test_a_direct_pelican_run_speaks_isoready_language(minimal_project: Path) -> None:
    import os
    import subprocess
    import sys

    (minimal_project / "pelicanconf.py").write_text(
        'PLUGINS = ["isoready.pelican_plugin"]\nISOREADY_AS_OF = "2026-11-01"\nISOREADY_LANGUAGE = "de"\n',
        encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    run = subprocess.run([sys.executable, "-m", "pelican", "content", "-s", "pelicanconf.py"], cwd=minimal_project,
                         capture_output=True, text=True, timeout=300, env=env)
    assert run.returncode == 0, run.stdout + run.stderr
    assert _lang(minimal_project / "output") == "de"
    (minimal_project / "pelicanconf.py").write_text(
        'PLUGINS = ["isoready.pelican_plugin"]\nISOREADY_AS_OF = "2026-11-01"\nISOREADY_LANGUAGE = "xx"\n',
        encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "pelican", "content", "-s", "pelicanconf.py"], cwd=minimal_project,
                         capture_output=True, text=True, timeout=300, env=env)
    assert run.returncode == 2
    assert "isoready: error: ISOREADY_LANGUAGE must be one of en, de, fr, es, ja" in run.stdout + run.stderr


def test_serve_keeps_no_view_model_across_languages(minimal_project: Path) -> None:
    """serve's ViewMemo hands a builder back when its inputs are unchanged: the language its words are made in
    is an input of every builder."""
    from datetime import date

    from isoready.assess import assess
    from isoready.package.assemble import _Unhashed
    from isoready.read.catalog import load_catalog
    from isoready.validate.project import read_project
    from isoready.views.builder import fingerprints
    from isoready.views.context import Context

    project, _diags = read_project(minimal_project, load_catalog(), date(2026, 11, 1))
    ctx = Context(project, assess(project, date(2026, 11, 1)), "auditor", "", _Unhashed(), None, 512 * 1024)
    with i18n.speaking("en"):
        english = fingerprints(ctx)["base"]
    with i18n.speaking("de"):
        german = fingerprints(ctx)["base"]
    assert english != german
