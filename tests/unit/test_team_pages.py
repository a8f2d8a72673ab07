"""Team-written pages (content/pages) are data, never code or a path (issue 19).

Each attack of the security review is a test: a reStructuredText page that includes files, a Slug: that is a
path, metadata that picks a template or a path, a {static} link to the portal's own data, a page over a
generated page, template syntax in a page. validate and build both refuse (exit 1, file and line named, the
previous site untouched), and the Pelican adapter and the writer refuse again when validate is bypassed.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from isoready.read import reader
from isoready.cli import main
from isoready.render.pages import ContentPage, Page, WriteRefused, check_targets, write_bytes
from isoready.read.teampages import page_problems, segment_problem

REPO = Path(__file__).resolve().parents[2]
AS_OF = ("--as-of", "2026-11-01")
CANARY = "CANARY-7f3a91"  # in every file a page tries to read; must appear in no output byte


def _page(root: Path, name: str, text: str) -> Path:
    folder = root / "content" / "pages"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


def _validate(root: Path, capsys) -> tuple[int, list[str]]:
    code = main(["validate", "--root", str(root), *AS_OF])
    return code, capsys.readouterr().out.splitlines()


def _build(root: Path, capsys) -> tuple[int, str]:
    code = main(["build", "--root", str(root), *AS_OF, "--no-cache"])
    out = capsys.readouterr()
    return code, out.out + out.err


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _all_bytes(folder: Path) -> bytes:
    """Every byte of every file of a site, and of every zip member (the XLSX workbook) inside it."""
    chunks = []
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            chunks.append(data)
            if data[:2] == b"PK":
                with zipfile.ZipFile(io.BytesIO(data)) as z:
                    chunks += [z.read(n) for n in z.namelist()]
    return b"\n".join(chunks)


# ---------------------------------------------------------------- reStructuredText reads no file

def _rst_attack(root: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text(f"outside {CANARY}\n", encoding="utf-8")
    (root / ".git").mkdir(exist_ok=True)
    (root / ".git" / "config").write_text(f"[http]\n\textraheader = AUTHORIZATION: basic {CANARY}\n")
    _page(root, "leak.rst", f"""Leak
####

:slug: leak

Before.

.. include:: {outside}

.. include:: ../../.git/config
   :literal:

.. include:: /proc/self/environ

.. raw:: html
   :file: {outside}

.. raw:: html
   :url: file://{outside}

.. csv-table:: From a file
   :file: {outside}

.. csv-table:: From a URL
   :url: file://{outside}

After.
""")


def test_validate_names_every_refused_rest_directive_and_its_line(minimal_project, tmp_path, capsys):
    _rst_attack(minimal_project, tmp_path)
    code, out = _validate(minimal_project, capsys)
    assert code == 1
    hint = "(write the text into the page, or link to a published document)"
    assert out == [
        f"content/pages/leak.rst:{line}:1: E330 reStructuredText directive '{name}' is refused: a page may not read "
        f"files or insert raw HTML {hint}"
        for line, name in ((8, "include"), (10, "include"), (13, "include"), (15, "raw"), (18, "raw"),
                           (21, "csv-table"), (24, "csv-table"))] + ["7 errors, 0 warnings"]
    assert ("content/pages/leak.rst:8:1: E330 reStructuredText directive 'include' is refused: a page may not read "
            "files or insert raw HTML (write the text into the page, or link to a published document)") in out


def test_build_of_a_rest_page_that_reads_files_stops_and_leaves_the_site(minimal_project, tmp_path, capsys):
    assert _build(minimal_project, capsys)[0] == 0
    before = _tree(minimal_project / "output")
    _rst_attack(minimal_project, tmp_path)
    code, out = _build(minimal_project, capsys)
    assert code == 1 and "Traceback" not in out
    assert "content/pages/leak.rst:8:1: E330 " in out
    assert _tree(minimal_project / "output") == before


def test_the_rest_reader_reads_no_file_even_when_validate_is_bypassed_and_pelicanconf_asks(minimal_project,
                                                                                          tmp_path):
    """The reader itself is safe: pelicanconf.py turns file insertion and raw HTML back on, and validate's
    check is switched off; the page is published, and not one byte of any file it names (the build's own
    /proc/self/environ included, which holds the canary as an environment variable)."""
    _rst_attack(minimal_project, tmp_path)
    (minimal_project / "pelicanconf.py").write_text(
        'PLUGINS = ["isoready.pelican_plugin"]\n'
        'DOCUTILS_SETTINGS = {"file_insertion_enabled": True, "raw_enabled": True, "_disable_config": False}\n')
    script = ("import sys, isoready.read.reader as r\nr.page_problems = lambda root, *limit: []\n"
              "from isoready.cli import main\nsys.exit(main(sys.argv[1:]))\n")
    env = {**os.environ, "PYTHONPATH": str(REPO), "ISOREADY_COMMIT": "test", "LEAK_TOKEN": CANARY}
    proc = subprocess.run([sys.executable, "-c", script, "build", "--root", str(minimal_project), *AS_OF,
                           "--no-cache"], capture_output=True, text=True, env=env, timeout=240)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    site = minimal_project / "output"
    page = (site / "pages" / "leak.html").read_text()
    assert "<p>Before.</p>" in page and "<p>After.</p>" in page
    assert "System Message" not in page and "directive disabled" not in page
    everything = _all_bytes(site)
    assert CANARY.encode() not in everything
    assert b"extraheader" not in everything and b"LEAK_TOKEN" not in everything


def test_a_rest_page_too_deep_or_too_large_is_shown_as_plain_text_with_a_warning(minimal_project, capsys):
    """Bounded as the Markdown reader is: 300 nested list levels overflowed docutils' recursion (the page
    vanished without a word); over the size limit, a page is not parsed at all."""
    deep = "Deep\n####\n\n:slug: deep\n\n" + "".join("  " * i + f"- level{i}\n\n" for i in range(300))
    _page(minimal_project, "deep.rst", deep)
    code, out = _validate(minimal_project, capsys)
    assert (code, out) == (0, [
        "content/pages/deep.rst:40:1: W108 page will be shown as plain text: it is indented more than 16 levels "
        "deep (nest lists and quotes less deeply)", "0 errors, 1 warning"])
    code, built = _build(minimal_project, capsys)
    assert code == 0 and "Traceback" not in built
    page = (minimal_project / "output" / "pages" / "deep.html").read_text()
    assert "level0" in page and "level299" in page and "<li>" not in page[page.index("<main"):]
    (minimal_project / "content" / "pages" / "deep.rst").unlink()
    _page(minimal_project, "big.rst", "Big\n###\n\n:slug: big\n\n" + "Some *text*.\n\n" * 20)
    code = main(["validate", "--root", str(minimal_project), *AS_OF, "--max-markdown-bytes", "200"])
    assert (code, capsys.readouterr().out.splitlines()) == (0, [
        "content/pages/big.rst:1:1: W108 page will be shown as plain text: it is over the 200-byte limit for a page "
        "(split the page, or raise the limit with --max-markdown-bytes)", "0 errors, 1 warning"])
    assert main(["build", "--root", str(minimal_project), *AS_OF, "--max-markdown-bytes", "200"]) == 0
    page = (minimal_project / "output" / "pages" / "big.html").read_text()
    assert "Some *text*." in page and "<em>" not in page


# ---------------------------------------------------------------- Slug: and the metadata that becomes a path

ATTACKS = ["../index", "../evidence/x", "../../../../x", "../../theme/templates/chrome-footer"]


@pytest.mark.parametrize("slug", ATTACKS + ["a/b", "a\\b", ".hidden", "..", "con", "x.", "ö"])
def test_validate_refuses_a_slug_that_is_not_one_safe_name(minimal_project, capsys, slug):
    _page(minimal_project, "attack.md", f"Title: Attack\nSlug: {slug}\n\nText.\n")
    code, out = _validate(minimal_project, capsys)
    assert code == 1
    why = {"con": "Windows reserves that name", "x.": "a name may not end in a dot"}.get(
        slug, "only letters, digits, '.', '_' and '-', starting with a letter or digit")
    assert out == [f"content/pages/attack.md:2:7: E331 Slug {slug!r} is not one safe name ({why}) (write one name, "
                   "like 'audit-logistics': the page is published as pages/<slug>.html)", "1 error, 0 warnings"]


def test_validate_example_line_for_a_path_slug(minimal_project, capsys):
    _page(minimal_project, "attack.md", "Title: Attack\nSlug: ../index\n\nText.\n")
    assert _validate(minimal_project, capsys)[1][0] == (
        "content/pages/attack.md:2:7: E331 Slug '../index' is not one safe name (only letters, digits, '.', '_' and "
        "'-', starting with a letter or digit) (write one name, like 'audit-logistics': the page is published as "
        "pages/<slug>.html)")


@pytest.mark.parametrize("slug", ATTACKS)
def test_build_refuses_each_attack_of_the_review_and_writes_nothing_anywhere(minimal_project, capsys, slug):
    """Slug: ../index replaced the dashboard, ../evidence/... a record page, ../../../../x wrote outside the
    output folder, ../../theme/templates/chrome-footer over a theme template: all exited 0."""
    assert _build(minimal_project, capsys)[0] == 0
    site = minimal_project / "output"
    before, project = _tree(site), _tree(minimal_project)
    _page(minimal_project, "attack.md", f"Title: Attack\nSlug: {slug}\n\nPWNED {{{{ 7*7 }}}}\n")
    code, out = _build(minimal_project, capsys)
    assert code == 1 and "Traceback" not in out
    assert f"content/pages/attack.md:2:7: E331 Slug {slug!r} is not one safe name" in out
    assert _tree(site) == before
    after = {k: v for k, v in _tree(minimal_project).items() if not k.startswith("content/pages/")}
    assert after == {k: v for k, v in project.items() if not k.startswith(".cache/")} | \
        {k: v for k, v in after.items() if k.startswith(".cache/")}
    assert not (minimal_project / "theme").exists()
    assert not (minimal_project.parent.parent / "x.html").exists()


def test_the_adapter_refuses_a_path_slug_when_validate_is_bypassed(minimal_project, capsys, monkeypatch):
    assert _build(minimal_project, capsys)[0] == 0
    before = _tree(minimal_project / "output")
    monkeypatch.setattr(reader, "page_problems", lambda root, *limit: [])
    _page(minimal_project, "attack.md", "Title: Attack\nSlug: ../index\n\nPWNED\n")
    code, out = _build(minimal_project, capsys)
    assert code == 1
    assert "content/pages/attack.md:2:7: E331 Slug '../index' is not one safe name" in out
    assert _tree(minimal_project / "output") == before


@pytest.mark.parametrize("line, expected", [
    ("Template: chrome-footer", "content/pages/p.md:2:11: E332 'Template:' cannot be set by a page: every team page is "
     "written to pages/<slug>.html with the theme's page.html (remove the line; to change every page, override "
     "theme/templates/page.html)"),
    ("Save_as: index.html", "content/pages/p.md:2:10: E332 'Save_as:' cannot be set by a page: every team page is "
     "written to pages/<slug>.html with the theme's page.html (remove the line; to change every page, override "
     "theme/templates/page.html)"),
    ("URL: ../index.html", "content/pages/p.md:2:6: E332 'Url:' cannot be set by a page: every team page is "
     "written to pages/<slug>.html with the theme's page.html (remove the line; to change every page, override "
     "theme/templates/page.html)"),
    ("Status: publish", "content/pages/p.md:2:9: E334 Status 'publish' is not a page status (use one of: "
     "published, hidden, draft)"),
    ("Lang: ../fr", "content/pages/p.md:2:7: E331 Lang '../fr' is not a language tag (write a tag like 'en' or "
     "'en-GB')"),
])
def test_metadata_that_would_pick_a_path_or_template_is_refused(minimal_project, capsys, line, expected):
    _page(minimal_project, "p.md", f"Title: P\n{line}\n\nText.\n")
    code, out = _validate(minimal_project, capsys)
    assert (code, out) == (1, [expected, "1 error, 0 warnings"])
    code, built = _build(minimal_project, capsys)
    assert code == 1 and expected in built and not (minimal_project / "output").exists()


def test_a_draft_that_names_a_path_is_refused_by_the_adapter_too(minimal_project, capsys, monkeypatch):
    """Pelican writes a draft itself when its metadata names a path (Save_as:), over the dashboard here."""
    assert _build(minimal_project, capsys)[0] == 0
    before = _tree(minimal_project / "output")
    monkeypatch.setattr(reader, "page_problems", lambda root, *limit: [])
    _page(minimal_project, "d.md", "Title: D\nStatus: draft\nSave_as: index.html\n\nPWNED\n")
    code, out = _build(minimal_project, capsys)
    assert code == 1 and "Traceback" not in out
    assert "content/pages/d.md:3:10: E332 'Save_as:' cannot be set by a page" in out
    assert _tree(minimal_project / "output") == before


def test_rest_metadata_is_checked_the_same_way(minimal_project, capsys):
    _page(minimal_project, "p.rst", "P\n#\n\n:slug: ../index\n:template: chrome-footer\n\nText.\n")
    code, out = _validate(minimal_project, capsys)
    assert code == 1
    assert out[:2] == [
        "content/pages/p.rst:4:8: E331 Slug '../index' is not one safe name (only letters, digits, '.', '_' and '-', "
        "starting with a letter or digit) (write one name, like 'audit-logistics': the page is published as "
        "pages/<slug>.html)",
        "content/pages/p.rst:5:12: E332 'Template:' cannot be set by a page: every team page is written to "
        "pages/<slug>.html with the theme's page.html (remove the line; to change every page, override "
        "theme/templates/page.html)"]


# ---------------------------------------------------------------- a page never replaces another

def test_two_pages_with_one_slug_in_any_letter_case_are_refused(minimal_project, capsys):
    _page(minimal_project, "a.md", "Title: A\nSlug: visit\n\nA.\n")
    _page(minimal_project, "b.md", "Title: B\nSlug: Visit\n\nB.\n")
    code, out = _validate(minimal_project, capsys)
    assert (code, out) == (1, [
        "content/pages/b.md:2:1: E333 page would replace pages/Visit.html, which content/pages/a.md:2 writes too "
        "(in some letter case) (give each page its own Slug:)", "1 error, 0 warnings"])
    code, built = _build(minimal_project, capsys)
    assert code == 1 and "content/pages/b.md:2:1: E333 page would replace pages/Visit.html" in built


def test_the_adapter_refuses_a_second_page_on_one_path_when_validate_is_bypassed(minimal_project, capsys,
                                                                                 monkeypatch):
    monkeypatch.setattr(reader, "page_problems", lambda root, *limit: [])
    _page(minimal_project, "a.md", "Title: A\nSlug: visit\n\nA.\n")
    _page(minimal_project, "b.md", "Title: B\nSlug: visit\n\nB.\n")
    code, out = _build(minimal_project, capsys)
    assert code == 1
    assert "content/pages/b.md:2:7: E333 page would replace pages/visit.html, which content/pages/a.md writes too" \
        in out


def test_the_writer_turns_a_page_over_a_generated_page_into_an_error(minimal_project, capsys, monkeypatch):
    """The last guard (as Pelican's Writer): had every check above missed it, a team page written over the
    dashboard is an error naming the page, and the previous site stays."""
    import isoready.package.pelican_plugin as plugin

    assert _build(minimal_project, capsys)[0] == 0
    before = _tree(minimal_project / "output")
    real = plugin.content_pages
    monkeypatch.setattr(plugin, "content_pages",
                        lambda items: [Page("index.html", p.template, p.context) for p in real(items)])
    _page(minimal_project, "a.md", "Title: A\nSlug: a\n\nPWNED\n")
    code, out = _build(minimal_project, capsys)
    assert code == 1 and "Traceback" not in out
    assert ("content/pages/a.md:1:1: E335 refused to write 'index.html': another page of this build is written "
            "there (report this: a page path the checks let through)") in out.splitlines()
    assert _tree(minimal_project / "output") == before


def test_a_static_file_never_replaces_a_generated_page_or_a_theme_file(minimal_project, capsys):
    """STATIC_PATHS copies files last, over anything: one named like a record's page or a theme file stops the
    build instead."""
    assert _build(minimal_project, capsys)[0] == 0
    before = _tree(minimal_project / "output")
    (minimal_project / "pelicanconf.py").write_text('STATIC_PATHS = ["clauses.html", "theme"]\n')
    (minimal_project / "content" / "clauses.html").write_text("PWNED")
    (minimal_project / "content" / "theme" / "css").mkdir(parents=True)
    (minimal_project / "content" / "theme" / "css" / "portal.css").write_text("PWNED")
    code, out = _build(minimal_project, capsys)
    assert code == 1 and "Traceback" not in out
    assert ("content/clauses.html:1:1: E333 static file would replace clauses.html, which the portal writes "
            "(rename it, or move it to another folder of STATIC_PATHS)") in out.splitlines()
    assert "content/theme/css/portal.css:1:1: E333 static file would replace theme/css/portal.css" in out
    assert _tree(minimal_project / "output") == before


def test_the_writer_refuses_paths_outside_the_output_and_second_writes(tmp_path):
    out = tmp_path / "site"
    out.mkdir()
    (tmp_path / "elsewhere").mkdir()
    (out / "pages").symlink_to(tmp_path / "elsewhere")
    for rel in ("../x.html", "/etc/x.html", "a/../../x.html", "a\\..\\x.html", "", "a//b.html", "./a.html"):
        with pytest.raises(WriteRefused, match="not a relative path inside the output folder"):
            write_bytes(out, rel, b"x")
    with pytest.raises(WriteRefused, match="leads outside the output folder through a symlink"):
        write_bytes(out, "pages/x.html", b"x")
    write_bytes(out, "index.html", b"first")
    with pytest.raises(WriteRefused, match="the build has written that path already"):
        write_bytes(out, "index.html", b"second")
    assert (out / "index.html").read_bytes() == b"first"
    assert list((tmp_path / "elsewhere").iterdir()) == []
    page = ContentPage("a", "A", "pages/a.html", "auditor", "", "", "content/pages/a.md")
    with pytest.raises(WriteRefused) as exc:
        check_targets([Page("index.html", "dashboard"), Page("index.html", "page", {"page": page})])
    assert (exc.value.source, str(exc.value)) == ("content/pages/a.md", "refused to write 'index.html': another "
                                                  "page of this build is written there")


# ---------------------------------------------------------------- {static} links publish no portal data

def test_a_static_link_to_the_portals_own_data_is_refused(minimal_project, capsys, monkeypatch):
    finding = "internal-audit-2026.yaml"
    assert (minimal_project / "content" / "findings" / finding).is_file()
    _page(minimal_project, "a.md", f"Title: A\nSlug: a\n\nSee [it]({{attach}}/findings/{finding}) and "
                                   "[that]({static}/organisation.yaml).\n")
    code, out = _validate(minimal_project, capsys)
    assert code == 1
    assert out[:2] == [
        "content/pages/a.md:4:10: E336 link '{attach}/findings/internal-audit-2026.yaml' would publish a file a page "
        "may not publish: it is the portal's own data (link a published document or page instead)",
        f"content/pages/a.md:4:{41 + len(finding)}: E336 link '{{static}}/organisation.yaml' would publish a file a "
        "page may not publish: it is the portal's own data (link a published document or page instead)"]
    monkeypatch.setattr(reader, "page_problems", lambda root, *limit: [])  # the adapter refuses on its own
    code, built = _build(minimal_project, capsys)
    assert code == 1 and f"content/pages/a.md:4:10: E336 link '{{attach}}/findings/{finding}'" in built
    assert not (minimal_project / "output").exists()


# ---------------------------------------------------------------- content is never a template

def test_template_syntax_in_a_page_is_published_literally(minimal_project, capsys):
    _page(minimal_project, "t.md", 'Title: Sum {{ 7*7 }}\nSlug: t\n\nMarkdown {{ 7*7 }} and {% include "chrome-footer.html" %}'
                                   " and {{ site.organisation }} and {# c #}.\n")
    _page(minimal_project, "r.rst", 'Sum {{ 6*7 }}\n##############\n\n:slug: r\n\nreST {{ 6*7 }} and {% include '
                                    '"chrome-footer.html" %}.\n')
    assert _build(minimal_project, capsys)[0] == 0
    site = minimal_project / "output"
    md = (site / "pages" / "t.html").read_text()
    main_md = md[md.index("<main"):md.index("</main>")]
    assert "<h1>Sum {{ 7*7 }}</h1>" in main_md
    assert ('<p>Markdown {{ 7*7 }} and {% include "chrome-footer.html" %} and {{ site.organisation }} and '
            "{# c #}.</p>") in main_md
    assert "49" not in main_md and "site-footer" not in main_md
    rst = (site / "pages" / "r.html").read_text()
    main_rst = rst[rst.index("<main"):rst.index("</main>")]
    assert "{{ 6*7 }}" in main_rst and "{% include" in main_rst and "42" not in main_rst
    assert not (minimal_project / "theme").exists()


def test_a_page_never_becomes_a_template_of_the_next_build(minimal_project, capsys):
    """The review's code execution: a page written over theme/templates/chrome-footer.html had its Jinja run
    by the next build, on every page. Two builds: neither writes a template, and no page shows 49."""
    _page(minimal_project, "x.md", "Title: X\nSlug: ../../theme/templates/chrome-footer\n\nRAN {{ 7*7 }}\n")
    for _ in range(2):
        code, out = _build(minimal_project, capsys)
        assert code == 1 and "Traceback" not in out
    assert not (minimal_project / "theme").exists()
    (minimal_project / "content" / "pages" / "x.md").unlink()
    assert _build(minimal_project, capsys)[0] == 0
    assert "RAN 49" not in (minimal_project / "output" / "index.html").read_text()


# ---------------------------------------------------------------- fuzz: slugs and page metadata

_NASTY = st.sampled_from(["/", "\\", "\t", ".", "..", "\x00", " ", "\n", ":", "~", "%2e", "\u202e", "ö", "CON", "-", "_",
                          "a", "Z", "9", "index", "theme", "evidence", "{{", "}}", "html"])
_SLUGS = st.lists(_NASTY, min_size=1, max_size=8).map("".join) | st.text(max_size=20)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(slug=_SLUGS, key=st.sampled_from(["Slug", "Lang", "Template", "Save_as", "Url", "Status", "Summary"]))
def test_fuzz_validate_accepts_only_one_safe_name(tmp_path_factory, slug, key):
    """validate's verdict on any metadata line: a slug it accepts is one safe segment, inside pages/."""
    root = tmp_path_factory.mktemp("p")
    value = slug.replace("\n", " ").replace("\r", " ")
    _page(root, "p.md", f"Title: P\n{key}: {value}\n\nText.\n")
    diags = page_problems(root)
    assert all(d.path == "content/pages/p.md" and d.line == 2 for d in diags)
    codes = {d.code for d in diags}
    if key == "Slug" and value.strip():
        assert ("E331" in codes) == (segment_problem(value.strip()) is not None)
        if not codes:
            target = os.path.normpath(f"pages/{value.strip()}.html")
            assert os.path.dirname(target) == "pages" and not os.path.basename(target).startswith(".")
    if key in ("Template", "Save_as", "Url"):
        assert codes == {"E332"}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=_SLUGS, fmt=st.sampled_from(["md", "rst"]))
def test_fuzz_validate_and_pelicans_readers_agree_on_slugs(tmp_path_factory, value, fmt):
    """What validate lets through, Pelican's readers (ours: bounded Markdown, safe reST) read as one safe slug:
    validate's scan of the metadata never misses what the reader will make a path of."""
    import copy

    from pelican.settings import DEFAULT_CONFIG

    from isoready.package.pelican_plugin import BoundedMarkdownReader, SafeRstReader

    root = tmp_path_factory.mktemp("r")
    value = value.replace("\n", " ").replace("\r", " ")
    if fmt == "md":
        path = _page(root, "p.md", f"Title: P\nSlug: {value}\n\nText.\n")
        reader_class = BoundedMarkdownReader
    else:
        path = _page(root, "p.rst", f"P\n#\n\n:slug: {value}\n\nText.\n")
        reader_class = SafeRstReader
    diags = page_problems(root)
    try:
        _, meta = reader_class(copy.deepcopy(DEFAULT_CONFIG)).read(str(path))
    except Exception:  # Pelican fails the page: the build names it (E101), nothing is written
        return
    slug = meta.get("slug")
    if not any(d.code == "E331" for d in diags) and isinstance(slug, str):
        assert segment_problem(slug) is None, (value, slug, diags)


@pytest.fixture
def built_minimal(tmp_path: Path) -> Path:
    """The minimal project with a site built (once per test; each example copies it)."""
    import shutil

    from isoready.package.build import Options, build

    root = tmp_path / "built" / "project"
    shutil.copytree(REPO / "tests" / "fixtures" / "minimal", root)
    assert build(Options(root=root, as_of=date(2026, 11, 1), use_cache=False, commit="test")).ok
    return root


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(slug=_SLUGS, key=st.sampled_from(["Slug", "Lang", "Template", "Save_as", "Status"]))
def test_fuzz_build_refuses_or_publishes_one_page_inside_pages(tmp_path_factory, built_minimal, slug, key):
    """A whole build per example: exit 1 with a diagnostic and the previous site untouched, or exactly one new
    file, under pages/; no generated page or file holds the page's body (the search index aside); nothing
    written outside output/."""
    import shutil

    from isoready.package.build import Options, build

    root = tmp_path_factory.mktemp("b") / "project"
    shutil.copytree(built_minimal, root)
    opts = Options(root=root, as_of=date(2026, 11, 1), use_cache=False, commit="test")
    before, around = _tree(root / "output"), sorted(p.name for p in root.parent.parent.iterdir())
    value = slug.replace("\n", " ").replace("\r", " ")
    _page(root, "p.md", f"Title: Fuzzed page\n{key}: {value}\n\nFuzzed body.\n")
    result = build(opts)
    after = _tree(root / "output")
    if not result.ok:
        assert result.diagnostics and after == before
    else:
        new = sorted(set(after) - set(before))
        assert len(new) == 1 and new[0].startswith("pages/") and new[0].count("/") == 1, new
        assert "Fuzzed body." in after[new[0]].decode()
        for k in before:
            assert k in after
            if k != "search-index.js":
                assert "Fuzzed body." not in after[k].decode("utf-8", "replace"), k
    assert sorted(p.name for p in root.parent.parent.iterdir()) == around
    assert sorted(p.name for p in root.iterdir()
                  if p.name != ".cache" and not p.name.startswith(".output-old-")) == ["content", "evidence", "output"]
