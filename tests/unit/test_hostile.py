"""Hostile content: contributor text never becomes executable markup (static half; Chromium half in e2e)."""

from __future__ import annotations

import hashlib
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from hostile import plant
from isoready.cli import main
from isoready.core.text import ALLOWED_TAGS

ALLOWED_SCRIPTS = ("theme/js/portal.js",)
THEME = Path(__file__).resolve().parents[2] / "isoready" / "theme" / "templates"
#: tags our own templates write, plus the Markdown sanitiser's allow-list; anything else was injected
KNOWN_TAGS = {t for f in THEME.glob("*.html") for t in re.findall(r"<([a-z][a-z0-9]*)", f.read_text())} | ALLOWED_TAGS
URL_ATTRS = ("href", "src", "action", "data", "formaction", "poster", "background")


class Audit(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script":
            src = names.get("src") or ""
            if not src.endswith(ALLOWED_SCRIPTS):
                self.problems.append(f"script {attrs}")
            self.in_script = True
        if tag not in KNOWN_TAGS:
            self.problems.append(f"<{tag}> {attrs}")
        if tag == "input" and names.get("id") not in ("site-search", "search-page-input"):
            self.problems.append(f"input {attrs}")
        if tag == "img" and not (names.get("src") or "").endswith("images/logo.svg"):
            self.problems.append(f"img {attrs}")
        if tag == "meta" and names.get("http-equiv", "").lower() == "refresh":
            self.problems.append(f"meta refresh {attrs}")
        if tag == "form" and not (names.get("action") or "").endswith("search.html"):
            self.problems.append(f"form {attrs}")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event handler {name}={value!r} on <{tag}>")
            if name == "style":
                self.problems.append(f"style attribute on <{tag}>")
            if tag == "link" and names.get("rel") == "icon" and value == "data:,":
                continue  # our own empty favicon: stops the browser asking for /favicon.ico
            if name in URL_ATTRS and value and re.match(r"\s*(javascript|data|vbscript):", value, re.I):
                self.problems.append(f"{name}={value!r} on <{tag}>")

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = False

    def handle_data(self, data):
        if self.in_script and data.strip():
            self.problems.append(f"inline script {data[:60]!r}")


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hostile") / "project"
    shutil.copytree(Path(__file__).resolve().parents[1] / "fixtures" / "minimal", root)
    plant(root)
    out = root.parent / "site"
    assert main(["build", "--root", str(root), "--as-of", "2026-11-01", "--audience", "internal",
                 "--output", str(out)]) == 0
    return out


def test_no_executable_markup_survives_in_any_page(hostile_site):
    problems = []
    pages = sorted(hostile_site.rglob("*.html"))
    assert len(pages) > 90
    for page in pages:
        audit = Audit()
        audit.feed(page.read_text(encoding="utf-8"))
        problems += [f"{page.relative_to(hostile_site)}: {p}" for p in audit.problems]
    assert problems == []


def test_payload_text_is_shown_as_text(hostile_site):
    page = (hostile_site / "evidence" / "hostile" / "payload.html").read_text()
    assert "&lt;/title&gt;&lt;script&gt;window.__xss=1&lt;/script&gt;" in page  # the title, escaped
    clause = (hostile_site / "clauses" / "8.5.5.html").read_text()
    assert "&lt;img src=x onerror=window.__xss=1&gt;" in clause  # the justification, escaped


def test_links_to_other_sites_get_rel_noopener(tmp_path, minimal_project):
    (minimal_project / "evidence" / "linky.yaml").write_text(
        "title: Linky\nkind: document\nclauses: [\"7.5.1\"]\n"
        "description: See [the supplier portal](https://supplier.example.com/x).\n", encoding="utf-8")
    out = tmp_path / "site"
    assert main(["build", "--root", str(minimal_project), "--as-of", "2026-11-01", "--output", str(out)]) == 0
    html = (out / "evidence" / "linky.html").read_text()
    assert '<a href="https://supplier.example.com/x" rel="noopener noreferrer">the supplier portal</a>' in html


def test_every_page_carries_a_content_security_policy(hostile_site):
    for page in hostile_site.rglob("*.html"):
        text = page.read_text()
        assert "Content-Security-Policy" in text and "script-src 'self'" in text, page
        assert "'unsafe-inline'" not in text, page


def test_search_index_and_csv_neutralise_payloads(hostile_site):
    index = (hostile_site / "search-index.js").read_text()
    assert "</script" not in index.lower()
    assert index.startswith("window.PORTAL_SEARCH=") and "\n" not in index.rstrip("\n")
    csv_text = (hostile_site / "checklist.csv").read_text()
    for line in csv_text.splitlines()[1:]:
        for cell in line.split(","):
            assert not cell.startswith(("=", "+", "@")), cell


def _build(root, out, *extra):
    return main(["build", "--root", str(root), "--as-of", "2026-11-01", "--output", str(out), *extra])


@pytest.mark.parametrize("name", ["memo.html", "MEMO.HTML", "diagram.svg", "tool.js", "feed.xml", "memo.xhtm",
                                  "feed.rdf", "news.atom"])
def test_active_documents_are_published_as_text_with_their_bytes_unchanged(minimal_project, tmp_path, name):
    body = b"<script>window.__xss=1</script><svg onload=alert(1)></svg>\n"
    (minimal_project / "evidence" / name).write_bytes(body)
    (minimal_project / "evidence" / "active.yaml").write_text(
        f'title: Active\nkind: document\nclauses: ["7.4"]\nfile: {name}\n', encoding="utf-8")
    out = tmp_path / "site"
    assert _build(minimal_project, out) == 0
    assert not (out / "files" / name).exists()
    assert (out / "files" / f"{name}.txt").read_bytes() == body
    page = (out / "evidence" / "active.html").read_text()
    assert f'href="../files/{name}.txt"' in page and "nothing in it runs" in page
    assert hashlib.sha256(body).hexdigest() in page


def test_a_document_cannot_overwrite_another_documents_page(minimal_project, tmp_path):
    (minimal_project / "evidence" / "a.md").write_text("# Real page\n", encoding="utf-8")
    (minimal_project / "evidence" / "a.md.html").write_text("<p>planted</p>\n", encoding="utf-8")
    (minimal_project / "evidence" / "a.yaml").write_text(
        'title: A\nkind: document\nclauses: ["7.4"]\nfile: a.md\n', encoding="utf-8")
    (minimal_project / "evidence" / "b.yaml").write_text(
        'title: B\nkind: document\nclauses: ["7.4"]\nfile: a.md.html\n', encoding="utf-8")
    out = tmp_path / "site"
    assert _build(minimal_project, out) == 0
    assert "Real page" in (out / "files" / "a.md.html").read_text()
    assert (out / "files" / "a.md.html.txt").read_text() == "<p>planted</p>\n"


def test_documents_whose_published_names_differ_only_in_case_are_refused(minimal_project, tmp_path, capsys):
    (minimal_project / "evidence" / "a.md").write_text("# A\n", encoding="utf-8")
    (minimal_project / "evidence" / "A.MD").write_text("# B\n", encoding="utf-8")
    (minimal_project / "evidence" / "a.yaml").write_text(
        'title: A\nkind: document\nclauses: ["7.4"]\nfile: a.md\n', encoding="utf-8")
    (minimal_project / "evidence" / "b.yaml").write_text(
        'title: B\nkind: document\nclauses: ["7.4"]\nfile: A.MD\n', encoding="utf-8")
    assert _build(minimal_project, tmp_path / "site") == 1
    out = capsys.readouterr().out
    assert "evidence/a.md:1:1: E307 document 'a.md' differs only in letter case from 'A.MD'" in out
    assert "1 error," in out


def test_a_document_whose_published_name_is_taken_is_refused(minimal_project, tmp_path, capsys):
    (minimal_project / "evidence" / "x.html").write_text("<p>x</p>\n", encoding="utf-8")
    (minimal_project / "evidence" / "x.html.txt").write_text("text\n", encoding="utf-8")
    for n, name in enumerate(("x.html", "x.html.txt")):
        (minimal_project / "evidence" / f"r{n}.yaml").write_text(
            f'title: R{n}\nkind: document\nclauses: ["7.4"]\nfile: {name}\n', encoding="utf-8")
    assert _build(minimal_project, tmp_path / "site") == 1
    assert ("E307 document 'x.html.txt' would be published as files/x.html.txt, which document 'x.html' "
            "also writes (rename one of them)") in capsys.readouterr().out


@pytest.mark.parametrize("logo, message", [
    ("../../../../etc/passwd", "logo '../../../../etc/passwd' must be a file inside content/"),
    ("/etc/passwd", "logo '/etc/passwd' must be a file inside content/"),
    ("missing.png", "logo 'missing.png' not found inside content/"),
    ("notes.txt", "logo 'notes.txt' is not an image"),
    ("evil.svg", "logo 'evil.svg' is not a plain drawing: it holds a <script> element"),
])
def test_logo_must_be_a_plain_image_inside_content(minimal_project, tmp_path, capsys, logo, message):
    (minimal_project / "content" / "evil.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', encoding="utf-8")
    org = minimal_project / "content" / "organisation.yaml"
    org.write_text(org.read_text() + f"logo: {logo}\n", encoding="utf-8")
    out = tmp_path / "site"
    assert _build(minimal_project, out) == 1
    text = capsys.readouterr().out
    assert f"E410 {message}" in text, text
    assert not out.exists()


def test_a_plain_svg_logo_is_published(minimal_project, tmp_path):
    svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><title>Logo</title><rect width="10" height="10"/></svg>'
    (minimal_project / "content" / "logo.svg").write_text(svg, encoding="utf-8")
    org = minimal_project / "content" / "organisation.yaml"
    org.write_text(org.read_text() + "logo: logo.svg\n", encoding="utf-8")
    out = tmp_path / "site"
    assert _build(minimal_project, out) == 0
    assert (out / "images" / "logo.svg").read_text() == svg
