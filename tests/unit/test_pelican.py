"""Pelican does real work: direct `pelican` runs, team-written pages, pelicanconf.py settings, theme overrides.

A direct run (``pelican content -s pelicanconf.py`` in a project folder) must build byte for byte what
``isoready build`` builds; content/pages/*.md go through Pelican's reader and obey the audience; the
settings a Pelican user expects work and the ones the portal forces are warned about.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from isoready.package.build import Options, build, render_plain

REPO = Path(__file__).resolve().parents[2]
AS_OF = date(2026, 11, 1)

LOGISTICS = """Title: Audit logistics
Slug: audit-logistics

Report to **reception** at 08:45. <script>alert(1)</script> Back to the [dashboard](../index.html).
"""
SECRET = """Title: Salary bands
Slug: salary-bands
Audience: internal

The internal pay review.
"""
WELCOME = """Title: Welcome
Slug: welcome
Audience: public

Start at the dashboard.
"""


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    return {**env, "PYTHONPATH": str(REPO), "ISOREADY_COMMIT": "test", **extra}


def _pages(root: Path, **pages: str) -> None:
    folder = root / "content" / "pages"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in pages.items():
        (folder / f"{name}.md").write_text(text, encoding="utf-8")


def _conf(root: Path, text: str = "") -> None:
    (root / "pelicanconf.py").write_text('PLUGINS = ["isoready.pelican_plugin"]\nISOREADY_AS_OF = "2026-11-01"\n'
                                         + text, encoding="utf-8")


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _build(root: Path, out: Path, audience: str = "auditor", **kw) -> object:
    return build(Options(root=root, as_of=AS_OF, output=out, audience=audience, use_cache=False, commit="test", **kw))


def _pelican(root: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pelican", "content", "-s", "pelicanconf.py", *args], cwd=root,
                          capture_output=True, text=True, timeout=180, env=_env(**env))


def test_direct_pelican_run_builds_the_same_portal_as_build(minimal_project, tmp_path):
    _pages(minimal_project, logistics=LOGISTICS, secret=SECRET)
    _conf(minimal_project)
    built_result = _build(minimal_project, tmp_path / "built")
    assert built_result.ok
    proc = _pelican(minimal_project)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    assert (f"built {len(built_result.files)} files into output for the auditor audience as of 2026-11-01"
            in proc.stdout)
    direct, built = _tree(minimal_project / "output"), _tree(tmp_path / "built")
    assert direct.keys() == built.keys()
    assert [k for k in direct if direct[k] != built[k]] == []
    assert "pages/audit-logistics.html" in direct and "pages/salary-bands.html" not in direct


def test_direct_run_date_comes_from_source_date_epoch_without_a_setting(minimal_project):
    (minimal_project / "pelicanconf.py").write_text('PLUGINS = ["isoready.pelican_plugin"]\n', encoding="utf-8")
    proc = _pelican(minimal_project, SOURCE_DATE_EPOCH="1793491200")  # 2026-11-01 00:00 UTC
    assert proc.returncode == 0, proc.stdout + proc.stderr
    manifest = json.loads((minimal_project / "output" / "manifest.json").read_text())
    assert (manifest["as_of"], manifest["audience"]) == ("2026-11-01", "auditor")


def test_direct_run_of_a_broken_project_prints_diagnostics_and_exits_1(minimal_project):
    _conf(minimal_project)
    (minimal_project / "evidence" / "broken.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    (minimal_project / "output").mkdir()
    (minimal_project / "output" / "keep.txt").write_text("previous", encoding="utf-8")
    proc = _pelican(minimal_project)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr and "CRITICAL" not in proc.stdout + proc.stderr
    assert "evidence/broken.yaml:1:8: E102 " in proc.stdout
    assert "build stopped: output left unchanged" in proc.stderr
    assert (minimal_project / "output" / "keep.txt").read_text() == "previous"


def test_direct_run_refuses_to_replace_an_output_folder_that_is_not_ours(minimal_project):
    _conf(minimal_project)
    (minimal_project / "output").mkdir()
    (minimal_project / "output" / "thesis.tex").write_text("precious", encoding="utf-8")
    proc = _pelican(minimal_project)
    assert proc.returncode == 2
    assert "refusing to replace" in proc.stderr and "Traceback" not in proc.stderr
    assert (minimal_project / "output" / "thesis.tex").read_text() == "precious"


def test_team_pages_follow_the_audience_in_files_navigation_and_search(minimal_project, tmp_path):
    _pages(minimal_project, logistics=LOGISTICS, secret=SECRET, welcome=WELCOME)
    expected = {"public": {"welcome"}, "auditor": {"welcome", "audit-logistics"},
                "internal": {"welcome", "audit-logistics", "salary-bands"}}
    titles = {"welcome": "Welcome", "audit-logistics": "Audit logistics", "salary-bands": "Salary bands"}
    for audience, slugs in expected.items():
        out = tmp_path / audience
        result = _build(minimal_project, out, audience)
        assert result.ok, result.diagnostics
        written = {p.stem for p in (out / "pages").glob("*.html")}
        assert written == slugs
        nav = (out / "clauses.html").read_text()
        index = (out / "search-index.js").read_text()
        for slug, title in titles.items():
            assert (f'<a href="./pages/{slug}.html">{title}</a>' in nav) == (slug in slugs), (audience, slug)
            assert (f'"url":"pages/{slug}.html"' in index) == (slug in slugs), (audience, slug)
        assert ("pages/salary-bands.html" in (out / "manifest.json").read_text()) == (audience == "internal")


def test_a_hidden_page_is_written_but_neither_listed_nor_indexed(minimal_project, tmp_path):
    _pages(minimal_project, notes="Title: Notes\nSlug: notes\nStatus: hidden\n\nAuditor notes.\n",
           draft="Title: Draft\nSlug: draft\nStatus: draft\n\nNot yet.\n")
    out = tmp_path / "site"
    assert _build(minimal_project, out).ok
    assert "Auditor notes." in (out / "pages" / "notes.html").read_text()
    assert not (out / "pages" / "draft.html").exists()
    assert "pages/notes.html" not in (out / "index.html").read_text()
    assert "pages/notes.html" not in (out / "search-index.js").read_text()


def test_team_page_is_rendered_in_the_portal_chrome_and_sanitised(minimal_project, tmp_path):
    _pages(minimal_project, logistics=LOGISTICS)
    out = tmp_path / "site"
    assert _build(minimal_project, out).ok
    page = (out / "pages" / "audit-logistics.html").read_text()
    assert "<title>Audit logistics · Example Works Ltd ISO 9001 readiness</title>" in page
    assert '<a href="../pages/audit-logistics.html" aria-current="page">Audit logistics</a>' in page
    assert 'href="../theme/css/portal.css"' in page and '<footer class="site-footer">' in page
    assert "Report to <strong>reception</strong> at 08:45." in page
    assert "<script>alert" not in page and "alert(1)" not in page
    assert '<a href="../index.html" rel="noopener noreferrer">dashboard</a>' in page
    index = (out / "search-index.js").read_text()
    assert '{"type":"Page","id":"audit-logistics","title":"Audit logistics","url":"pages/audit-logistics.html",' \
           '"text":"Report to reception at 08:45. Back to the dashboard ."}' in index


def test_a_page_with_an_unknown_audience_is_a_diagnostic_and_stops_the_build(minimal_project, tmp_path):
    _pages(minimal_project, bad="Title: Bad\nSlug: bad\nAudience: auditors\n\nText.\n")
    result = _build(minimal_project, tmp_path / "site")
    assert not result.ok
    assert [d.format() for d in result.diagnostics] == [
        "content/pages/bad.md:3:11: E204 Audience 'auditors' is not an audience "
        "(use one of: public, auditor, internal)"]
    assert not (tmp_path / "site").exists()  # nothing written (an empty folder we did not make is never replaced)
    assert not list(tmp_path.glob(".site-build-*"))  # no temporary folder left behind


def test_pelicanconf_settings_a_pelican_user_expects(minimal_project, tmp_path, monkeypatch, capsys):
    plugin_dir = tmp_path / "plugins"
    plugin_dir.mkdir()
    (plugin_dir / "stamp_plugin.py").write_text(
        "from pelican import signals\n"
        "def stamp(pelican):\n"
        "    open(pelican.output_path + '/stamp.txt', 'w').write('stamped')\n"
        "def register():\n"
        "    signals.finalized.connect(stamp)\n",
        encoding="utf-8")
    monkeypatch.syspath_prepend(str(plugin_dir))
    _conf(minimal_project, 'SITENAME = "Audit portal"\n'
                           'MENUITEMS = [("Intranet", "https://intranet.example.com/"), ("Clause 7", "clauses/7.html")]\n'
                           'LINKS = [("Kestrel", "https://example.com/")]\n'
                           'STATIC_PATHS = ["images"]\n'
                           'JINJA_FILTERS = {"shout": lambda s: s.upper() + "!"}\n'
                           'PLUGINS = ["isoready.pelican_plugin", "stamp_plugin"]\n')
    (minimal_project / "content" / "images").mkdir()
    (minimal_project / "content" / "images" / "site-map.png").write_bytes(b"\x89PNG fake")
    templates = minimal_project / "theme" / "templates"
    templates.mkdir(parents=True)
    (templates / "page.html").write_text('{% extends "base.html" %}{% block content %}<h1>{{ page.title'
                                         ' | shout }}</h1>{% endblock %}', encoding="utf-8")
    _pages(minimal_project, logistics=LOGISTICS)
    out = tmp_path / "site"
    try:
        result = _build(minimal_project, out)
    finally:  # signals are process-wide: later builds in this process must not be stamped
        from pelican import signals

        if "stamp_plugin" in sys.modules:
            signals.finalized.disconnect(sys.modules["stamp_plugin"].stamp)
    assert result.ok
    index = (out / "index.html").read_text()
    assert "<title>Dashboard · Example Works Ltd Audit portal</title>" in index
    assert '<span class="brand-sub">Audit portal</span>' in index
    assert '<li><a href="https://intranet.example.com/" rel="noopener noreferrer">Intranet</a></li>' in index
    assert '<li><a href="./clauses/7.html">Clause 7</a></li>' in index
    assert '<p class="footer-links"><a href="https://example.com/" rel="noopener noreferrer">Kestrel</a></p>' in index
    assert (out / "images" / "site-map.png").read_bytes() == b"\x89PNG fake"
    assert "images/site-map.png" in result.files  # in the manifest: checkable like every other file
    assert "<h1>AUDIT LOGISTICS!</h1>" in (out / "pages" / "audit-logistics.html").read_text()
    assert (out / "stamp.txt").read_text() == "stamped"
    assert capsys.readouterr().err == ""  # nothing forced was set differently


def test_forced_settings_set_differently_are_warned_about_one_line_each(minimal_project, tmp_path, capsys):
    _conf(minimal_project, 'RELATIVE_URLS = False\nARTICLE_PATHS = ["posts"]\nSTATIC_PATHS = ["findings", "."]\n')
    result = _build(minimal_project, tmp_path / "site")
    assert result.ok
    assert capsys.readouterr().err.splitlines() == [
        "pelicanconf.py: warning: RELATIVE_URLS = False is ignored: the portal needs True (docs/pelican.md)",
        "pelicanconf.py: warning: ARTICLE_PATHS = ['posts'] is ignored: the portal needs [] (docs/pelican.md)",
        "pelicanconf.py: warning: STATIC_PATHS entry 'findings' is ignored: it would publish the portal's own "
        "data or files outside content/ (docs/pelican.md)",
        "pelicanconf.py: warning: STATIC_PATHS entry '.' is ignored: it would publish the portal's own "
        "data or files outside content/ (docs/pelican.md)",
    ]
    assert list((tmp_path / "site").rglob("*.yaml")) == []  # neither findings/*.yaml nor organisation.yaml
    assert 'href="./clauses.html"' in (tmp_path / "site" / "index.html").read_text()  # still relative


def test_a_project_template_overrides_the_packaged_one_and_only_that_one(minimal_project, tmp_path):
    templates = minimal_project / "theme" / "templates"
    templates.mkdir(parents=True)
    packaged = (REPO / "isoready" / "theme" / "templates" / "chrome-footer.html").read_text()
    (templates / "chrome-footer.html").write_text(
        packaged.replace("<footer class=\"site-footer\">", "<footer class=\"site-footer\"><p>Kestrel house style</p>"),
        encoding="utf-8")
    for render in (None, render_plain):
        out = tmp_path / ("pelican" if render is None else "plain")
        assert build(Options(root=minimal_project, as_of=AS_OF, output=out, use_cache=False), render=render).ok
        index = (out / "index.html").read_text()
        assert "<p>Kestrel house style</p>" in index
        assert '<nav class="site-nav" aria-label="Main">' in index  # the header still comes from the package


def test_project_static_files_override_the_packaged_ones_file_by_file(minimal_project, tmp_path):
    static = minimal_project / "theme" / "static"
    (static / "css").mkdir(parents=True)
    (static / "css" / "portal.css").write_text("body { color: #123; }\n", encoding="utf-8")
    (static / "img").mkdir()
    (static / "img" / "stamp.svg").write_text("<svg/>", encoding="utf-8")
    packaged_js = (REPO / "isoready" / "theme" / "static" / "js" / "portal.js").read_bytes()
    for render in (None, render_plain):
        out = tmp_path / ("pelican" if render is None else "plain")
        result = build(Options(root=minimal_project, as_of=AS_OF, output=out, use_cache=False), render=render)
        assert result.ok
        assert (out / "theme" / "css" / "portal.css").read_text() == "body { color: #123; }\n"
        assert (out / "theme" / "js" / "portal.js").read_bytes() == packaged_js
        assert (out / "theme" / "img" / "stamp.svg").read_text() == "<svg/>"
        assert "theme/css/portal.css" in result.files


def test_adding_a_template_override_is_not_hidden_by_the_page_cache(minimal_project, tmp_path):
    out = tmp_path / "site"
    opts = Options(root=minimal_project, as_of=AS_OF, output=out)
    assert build(opts).ok
    assert build(opts).reused > 0  # the cache works
    templates = minimal_project / "theme" / "templates"
    templates.mkdir(parents=True)
    packaged = (REPO / "isoready" / "theme" / "templates" / "clause.html").read_text()
    (templates / "clause.html").write_text(packaged.replace("{% block content %}", "{% block content %}<p>OVERRIDE</p>"),
                                           encoding="utf-8")
    again = build(opts)
    assert again.ok
    assert "<p>OVERRIDE</p>" in (out / "clauses" / "8.4.html").read_text()


def test_no_import_cycle_between_package_and_the_plugin():
    """package -> pelican_plugin -> assemble -> render: no module imports one above it (the folders' floors:
    tests/unit/test_layout.py); inside the package stage the build imports the plugin, never the reverse."""
    import ast

    def imports(name: str) -> set[str]:
        tree = ast.parse((REPO / "isoready" / "package" / f"{name}.py").read_text())
        return {node.module.rsplit(".", 1)[-1] for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("isoready.")}

    assert "build" not in imports("pelican_plugin")
    assert not {"build", "pelican_plugin"} & imports("assemble")
    assert "ISOREADY_PRELOADED" not in (REPO / "isoready" / "package" / "pelican_plugin.py").read_text()
    assert "def register" not in (REPO / "isoready" / "pelican_plugin.py").read_text()  # only Pelican's name


# An installed wheel builds a project with no theme/ folder: tests/unit/test_first_push.py, whose one venv per
# session (no system site packages) installs a register's vendored wheel and builds the register and the minimal
# fixture with it.


def test_a_page_without_a_title_is_a_diagnostic_not_a_silent_skip(minimal_project, tmp_path):
    _pages(minimal_project, untitled="Slug: untitled\n\nNo title here.\n", logistics=LOGISTICS)
    result = _build(minimal_project, tmp_path / "site")
    assert not result.ok
    assert [d.format() for d in result.diagnostics] == [
        "content/pages/untitled.md:1:1: E202 page has no 'Title:' line, so it cannot be published "
        "(start the file with 'Title: ...', then 'Slug: ...')"]


def test_direct_run_with_a_bad_page_prints_the_diagnostic_and_exits_1(minimal_project):
    _conf(minimal_project)
    assert _pelican(minimal_project).returncode == 0
    before = _tree(minimal_project / "output")
    _pages(minimal_project, bad="Title: Bad\nAudience: everyone\n\nText.\n")
    proc = _pelican(minimal_project)
    assert proc.returncode == 1
    assert _tree(minimal_project / "output") == before  # the previous site, exactly
    assert "content/pages/bad.md:2:11: E204 Audience 'everyone' is not an audience" in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr
