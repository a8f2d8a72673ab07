"""Inert documents by allow-list, and SVG logos held to an element and attribute allow-list.

The browser half (a document served over HTTP runs nothing) is tests/e2e/test_xss.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from isoready.cli import main
from isoready.model import published_name
from isoready.core.svg import problem

MINIMAL = Path(__file__).resolve().parents[1] / "fixtures" / "minimal"
SVG = 'xmlns="http://www.w3.org/2000/svg"'
XLINK = 'xmlns:xl="http://www.w3.org/1999/xlink"'


@pytest.fixture
def project(tmp_path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(MINIMAL, root, symlinks=True)
    return root


@pytest.mark.parametrize("name", ["process.xpdl", "model.bpmn", "data.xml", "page.html", "logo.svg", "x.svgz",
                                  "run.js", "tool.wasm", "README", "memo.HTM", "notes.php", "feed.rss", "a.pdf.html",
                                  "pic.xhtml", "book.epub", "data.json"])
def test_anything_not_known_inert_gets_txt_appended(name):
    assert published_name(f"support/{name}") == f"support/{name}.txt"


@pytest.mark.parametrize("name", ["report.pdf", "REPORT.PDF", "photo.jpg", "scan.png", "matrix.xlsx", "plan.docx",
                                  "data.csv", "notes.txt", "procedure.md", "bundle.zip", "slides.pptx", "sheet.ods"])
def test_known_inert_types_keep_their_name(name):
    assert published_name(f"support/{name}") == f"support/{name}"


def test_an_xpdl_document_is_published_as_text_with_its_bytes_unchanged(project, tmp_path):
    body = (b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body>'
            b"<script>window.__xss=1</script></body></html>\n")
    (project / "evidence" / "process.xpdl").write_bytes(body)
    (project / "evidence" / "process.yaml").write_text(
        'title: Process model\nkind: document\nclauses: ["7.4"]\nfile: process.xpdl\n', encoding="utf-8")
    out = tmp_path / "site"
    assert main(["build", "--root", str(project), "--as-of", "2026-11-01", "--output", str(out)]) == 0
    assert not (out / "files" / "process.xpdl").exists()
    assert (out / "files" / "process.xpdl.txt").read_bytes() == body


# --------------------------------------------------------------------------- SVG


HOSTILE_SVG = {
    "plain script": f"<svg {SVG}><script>alert(1)</script></svg>",
    "upper-case script": f"<svg {SVG}><SCRIPT>alert(1)</SCRIPT></svg>",
    "prefixed script": f'<s:svg xmlns:s="http://www.w3.org/2000/svg"><s:script>alert(1)</s:script></s:svg>',
    "re-declared prefix": f'<svg {SVG}><x:script xmlns:x="http://www.w3.org/2000/svg">alert(1)</x:script></svg>',
    "xhtml script": f'<svg {SVG}><h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script></svg>',
    "entity-hidden script": (f'<!DOCTYPE svg [<!ENTITY s "&#60;script&#62;alert(1)&#60;/script&#62;">]>'
                             f"<svg {SVG}>&s;</svg>"),
    "external entity": f'<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg {SVG}>&x;</svg>',
    "foreignObject": f"<svg {SVG}><foreignObject><iframe/></foreignObject></svg>",
    "onload": f'<svg {SVG} onload="alert(1)"/>',
    "OnClick": f'<svg {SVG}><rect OnClick="alert(1)"/></svg>',
    "javascript link": f'<svg {SVG} {XLINK}><a xl:href="javascript:alert(1)"><rect/></a></svg>',
    "entity-encoded javascript": f'<svg {SVG}><use href="&#106;avascript:alert(1)"/></svg>',
    "external use": f'<svg {SVG} {XLINK}><use xl:href="https://evil.example/x.svg#a"/></svg>',
    "external image": f'<svg {SVG}><image href="https://evil.example/x.png"/></svg>',
    "css url": f'<svg {SVG}><rect style="fill:url(https://evil.example/)"/></svg>',
    "css import": f'<svg {SVG}><style>@import "https://evil.example/x.css";</style></svg>',
    "stylesheet PI": f'<?xml-stylesheet href="https://evil.example/x.css"?><svg {SVG}/>',
    "animate to javascript": f'<svg {SVG}><a><animate attributeName="href" to="javascript:alert(1)"/></a></svg>',
    "set handler": f'<svg {SVG}><set attributeName="onmouseover" to="alert(1)"/></svg>',
    "not xml": "<svg><rect></svg>",
}


@pytest.mark.parametrize("name", sorted(HOSTILE_SVG))
def test_hostile_svg_is_refused(name):
    assert problem(HOSTILE_SVG[name].encode()) is not None


@pytest.mark.parametrize("svg", [
    f'<?xml version="1.0" encoding="UTF-8"?>\n<svg {SVG} viewBox="0 0 10 10"><title>Logo</title>'
    '<rect width="10" height="10" fill="#036"/></svg>',
    f'<svg {SVG} {XLINK}><defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient>'
    '<path id="p" d="M0 0h5"/></defs><rect fill="url(#g)" width="4" height="4"/><use xl:href="#p"/>'
    '<text x="1" y="2" font-family="sans-serif">Kestrel</text></svg>',
])
def test_plain_drawings_pass(svg):
    assert problem(svg.encode()) is None


def test_the_demo_logo_passes():
    assert problem((Path(__file__).resolve().parents[2] / "content" / "logo.svg").read_bytes()) is None


def test_an_svg_logo_with_a_prefixed_script_is_refused_by_the_build(project, tmp_path, capsys):
    (project / "content" / "evil.svg").write_text(HOSTILE_SVG["prefixed script"], encoding="utf-8")
    org = project / "content" / "organisation.yaml"
    org.write_text(org.read_text() + "logo: evil.svg\n", encoding="utf-8")
    out = tmp_path / "site"
    assert main(["build", "--root", str(project), "--as-of", "2026-11-01", "--output", str(out)]) == 1
    text = capsys.readouterr().out
    assert "E410 logo 'evil.svg' is not a plain drawing: it holds a <script> element" in text, text
    assert not out.exists()
