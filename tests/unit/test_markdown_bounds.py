"""Markdown bounds: adversarial input renders (as plain text) or is refused, with a warning.

Python-Markdown's inline patterns take time that grows faster than the text where markup crowds a
paragraph (16 KB of "[" took over a minute before the bound) and recurse on nested containers. These tests
judge the behaviour (shown as written, and warned about); how long each input takes is measured by
``invoke bench`` (tests/bench.py ``bounds``, against LIMIT_SECONDS), since a wall-clock assertion in a test
fails on a busy machine.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from isoready.cli import main
from isoready.core.text import CACHE, markdown, markdown_problem

MINIMAL = Path(__file__).resolve().parents[1] / "fixtures" / "minimal"
LIMIT_SECONDS = 5.0  # the target for any 1 MiB input on this machine; generous for the small ones

ADVERSARIAL = {
    "16 KB of [": "[" * 16_000,
    "1 MiB of [": "[" * (1 << 20),
    "emphasis run": "*a" * 200_000,
    "link openers": "[a](" * 50_000,
    "nested list markers": "- " * 5_000 + "x",
    "indented list nesting": "".join("  " * i + "- x\n" for i in range(2_000)),
    "deep quotes": "> " * 5_000 + "x",
    "angle brackets": "<" * (1 << 20),
    "1 MiB of ordinary prose": ("Lot 4711 released after *final* inspection, see [the log](log.html).\n\n") * 15_000,
}


@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_adversarial_markdown_renders_in_bounded_time(name):
    text = ADVERSARIAL[name]
    CACHE.clear()
    html = str(markdown(text))
    assert markdown_problem(text)  # each is shown as plain text, and validation says so
    assert "<script" not in html and html.startswith("<p>")


def test_ordinary_markdown_still_renders_as_markdown():
    text = "See [the log](log.html) and *note*:\n\n- one\n    - two\n        - three\n\n> quoted\n"
    assert markdown_problem(text) == ""
    html = str(markdown(text))
    assert '<a href="log.html" rel="noopener noreferrer">the log</a>' in html and "<em>note</em>" in html
    assert html.count("<ul>") == 3 and "<blockquote>" in html


def test_plain_text_fallback_escapes_what_it_shows():
    html = str(markdown("<script>alert(1)</script>" + "[" * 1000))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script" not in html


def test_a_description_markdown_cannot_render_gets_w312(tmp_path, capsys):
    root = tmp_path / "project"
    shutil.copytree(MINIMAL, root)
    (root / "evidence" / "brackets.yaml").write_text(
        'title: Brackets\nkind: record\nclauses: ["7.4"]\ndescription: "' + "[" * 16_000 + '"\n', encoding="utf-8")
    code = main(["validate", "--root", str(root), "--as-of", "2026-11-01"])
    out = capsys.readouterr().out
    assert "evidence/brackets.yaml:4:14: W108 description will be shown as plain text: one paragraph holds more " \
           "than 400 markup characters" in out, out
    assert code == 0  # a warning: the build goes on, showing the text as it is written
    assert main(["validate", "--root", str(root), "--as-of", "2026-11-01", "--strict"]) == 1


# --------------------------------------------------------------------------- --max-markdown-bytes

AS_OF = ["--as-of", "2026-11-01"]
EMPHASIS = "Calibrated **every** month; see *the log*. " * 4  # 172 bytes of ordinary Markdown


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(MINIMAL, root)
    (root / "evidence" / "gauges.yaml").write_text(
        f'title: Gauges\nkind: record\nclauses: ["7.1.5"]\naudience: public\ndescription: "{EMPHASIS}"\n',
        encoding="utf-8")
    return root


def _w108(out: str) -> list[str]:
    return [line for line in out.splitlines() if " W108 " in line]


def test_a_description_over_max_markdown_bytes_is_w108_and_plain_text(tmp_path, capsys):
    root = _project(tmp_path)
    size = len(EMPHASIS.encode())
    out_dir = tmp_path / "site"
    assert main(["build", "--root", str(root), *AS_OF, "--output", str(out_dir), "--max-markdown-bytes", "100"]) == 0
    warned = _w108(capsys.readouterr().out)
    assert (f"evidence/gauges.yaml:5:14: W108 description will be shown as plain text: it is {size} bytes, over the "
            "100-byte limit for Markdown (shorten it or split it, or raise the limit with --max-markdown-bytes)"
            ) in warned, warned
    page = (out_dir / "evidence" / "gauges.html").read_text(encoding="utf-8")
    assert "Calibrated **every** month; see *the log*." in page and "<strong>every</strong>" not in page
    # the same text with the default limit (and the build cache of the run above): rendered as Markdown
    assert main(["build", "--root", str(root), *AS_OF, "--output", str(out_dir)]) == 0
    assert not any("gauges" in line for line in _w108(capsys.readouterr().out))
    page = (out_dir / "evidence" / "gauges.html").read_text(encoding="utf-8")
    assert "Calibrated <strong>every</strong> month; see <em>the log</em>." in page and "**every**" not in page
    # and back: the cached page and per-file result of the default run are not reused under the small limit
    assert main(["build", "--root", str(root), *AS_OF, "--output", str(out_dir), "--max-markdown-bytes", "100"]) == 0
    assert any(line.startswith("evidence/gauges.yaml:5:14: W108") for line in _w108(capsys.readouterr().out))
    assert "<strong>every</strong>" not in (out_dir / "evidence" / "gauges.html").read_text(encoding="utf-8")


def test_validate_takes_the_same_limit(tmp_path, capsys):
    root = _project(tmp_path)
    assert main(["validate", "--root", str(root), *AS_OF, "--max-markdown-bytes", "100", "--strict"]) == 1
    assert any(line.startswith("evidence/gauges.yaml:5:14: W108 description") for line in
               _w108(capsys.readouterr().out))
    assert main(["validate", "--root", str(root), *AS_OF, "--strict"]) == 0  # the default: no warning at all
    assert _w108(capsys.readouterr().out) == []


@pytest.mark.parametrize("command", ["build", "validate", "serve", "archive", "report"])
@pytest.mark.parametrize("value, message", [
    ("0", "isoready: error: --max-markdown-bytes must be at least 1"),
    ("-5", "isoready: error: --max-markdown-bytes must be at least 1"),
    ("lots", "argument --max-markdown-bytes: invalid int value: 'lots'"),
])
def test_a_bad_max_markdown_bytes_is_a_usage_error(tmp_path, capsys, command, value, message):
    root = _project(tmp_path)
    assert main([command, "--root", str(root), *AS_OF, "--max-markdown-bytes", value]) == 2
    assert message in capsys.readouterr().err
    assert not (root / "output").exists() and not (root / "dist").exists()


def test_the_help_states_the_default_limit(capsys):
    from isoready.core.text import MAX_MARKDOWN_BYTES

    assert MAX_MARKDOWN_BYTES == 512 * 1024
    assert main(["build", "--help"]) == 0
    assert "(W108) (default: 512 KiB)" in " ".join(capsys.readouterr().out.split())


def test_every_markdown_text_the_portal_renders_gets_w108(tmp_path, capsys):
    """Not only description: scope, notes and a finding's texts render as Markdown too."""
    root = tmp_path / "project"
    shutil.copytree(MINIMAL, root)
    dense = '"' + "[" * 500 + '"'
    (root / "content" / "organisation.yaml").write_text(f"name: Example Works Ltd\nscope: {dense}\n", encoding="utf-8")
    (root / "content" / "clauses" / "more.yaml").write_text(
        f'- clause: "7.2"\n  status: planned\n  notes: {dense}\n'
        f'- clause: "8.3"\n  status: not-applicable\n  justification: {dense}\n', encoding="utf-8")
    (root / "content" / "findings" / "dense.yaml").write_text(
        '- id: D-1\n  clauses: ["7.2"]\n  grade: minor\n  status: open\n  raised: 2026-09-22\n'
        f"  description: {dense}\n  requirement: {dense}\n  correction: {dense}\n  root_cause: {dense}\n"
        f"  corrective_action: {dense}\n"
        '- id: D-2\n  clauses: ["7.2"]\n  grade: minor\n  status: open\n  raised: 2026-09-22\n'
        f"  description: Fine.\n  action: {dense}\n", encoding="utf-8")
    main(["validate", "--root", str(root), *AS_OF])
    where = sorted(line.split(" will be")[0] for line in _w108(capsys.readouterr().out))
    assert where == [
        "content/clauses/more.yaml:3:10: W108 notes",  # justification is printed as text, never as Markdown
        "content/findings/dense.yaml:10:22: W108 corrective_action",
        "content/findings/dense.yaml:17:11: W108 action",
        "content/findings/dense.yaml:6:16: W108 description",
        "content/findings/dense.yaml:7:16: W108 requirement",
        "content/findings/dense.yaml:8:15: W108 correction",
        "content/findings/dense.yaml:9:15: W108 root_cause",
        "content/organisation.yaml:2:8: W108 scope",
    ], where


# --------------------------------------------------------------------------- Markdown documents

DOCUMENT_W108 = ("evidence/context/scope.md:5:1: W108 document will be shown as plain text on its page: one paragraph "
                 "holds more than 400 markup characters ([ ] ( ) < > * _ ` ! \\ &), which Markdown cannot render in "
                 "bounded time (shorten it, split long runs of brackets or emphasis into paragraphs, or nest lists "
                 "less deeply)")


def _dense_document(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(MINIMAL, root)
    (root / "evidence" / "context" / "scope.md").write_text(
        "# QMS scope\n\nMachining of aluminium parts.\n\n" + "[" * 16_000 + "\n\nThe end.\n", encoding="utf-8")
    return root


def test_a_markdown_document_that_cannot_render_is_w108_in_validate_and_build(tmp_path, capsys):
    root = _dense_document(tmp_path)
    assert main(["validate", "--root", str(root), *AS_OF]) == 0
    assert DOCUMENT_W108 in capsys.readouterr().out.splitlines()
    assert main(["validate", "--root", str(root), *AS_OF, "--strict"]) == 1
    capsys.readouterr()
    out_dir = tmp_path / "site"
    assert main(["build", "--root", str(root), *AS_OF, "--output", str(out_dir)]) == 0
    assert DOCUMENT_W108 in capsys.readouterr().out.splitlines()
    page = (out_dir / "files" / "context" / "scope.md.html").read_text(encoding="utf-8")
    assert "# QMS scope" in page and "<h1>QMS scope</h1>" not in page  # shown as written, as the warning says


def test_a_markdown_document_over_the_limit_is_w108_naming_its_size(tmp_path, capsys):
    root = tmp_path / "project"
    shutil.copytree(MINIMAL, root)
    size = (root / "evidence" / "context" / "scope.md").stat().st_size
    assert main(["validate", "--root", str(root), *AS_OF, "--max-markdown-bytes", "64"]) == 0
    assert (f"evidence/context/scope.md:1:1: W108 document will be shown as plain text on its page: it is {size} "
            "bytes, over the 64-byte limit for Markdown (shorten it or split it, or raise the limit with "
            "--max-markdown-bytes)") in capsys.readouterr().out.splitlines()
    assert main(["validate", "--root", str(root), *AS_OF]) == 0  # the same document within the default limit
    assert "scope.md" not in capsys.readouterr().out


def test_a_markdown_document_is_checked_once_however_many_records_share_it(tmp_path, capsys):
    root = _dense_document(tmp_path)
    (root / "evidence" / "context" / "again.yaml").write_text(
        'title: Scope again\nkind: document\nclauses: ["4.3"]\nfile: scope.md\n', encoding="utf-8")
    main(["validate", "--root", str(root), *AS_OF])
    assert capsys.readouterr().out.splitlines().count(DOCUMENT_W108) == 1


def test_the_document_warning_is_documented_exactly():
    docs = (Path(__file__).resolve().parents[2] / "docs" / "diagnostics.md").read_text(encoding="utf-8")
    assert "\n" + DOCUMENT_W108 + "\n" in docs


# --------------------------------------------------------------------------- team-written pages (Pelican's reader)

PAGE_W108 = ("content/pages/notes.md:6:1: W108 page will be shown as plain text: one paragraph holds more than 400 "
             "markup characters ([ ] ( ) < > * _ ` ! \\ &), which Markdown cannot render in bounded time (shorten "
             "it, split long runs of brackets or emphasis into paragraphs, or nest lists less deeply)")


def test_a_team_written_page_markdown_cannot_render_is_plain_text_in_bounded_time(tmp_path, capsys):
    """Pelican's own reader took 52 s over 16 KB of "[" in content/pages/: its bounded reader takes linear time."""
    root = tmp_path / "project"
    shutil.copytree(MINIMAL, root)
    (root / "content" / "pages").mkdir()
    (root / "content" / "pages" / "notes.md").write_text(
        "Title: Site notes\nSlug: notes\n\nSee *below*.\n\n" + "[" * 16_000 + "\n", encoding="utf-8")
    assert main(["validate", "--root", str(root), *AS_OF]) == 0
    assert PAGE_W108 in capsys.readouterr().out.splitlines()
    out_dir = tmp_path / "site"
    assert main(["build", "--root", str(root), *AS_OF, "--output", str(out_dir)]) == 0
    assert PAGE_W108 in capsys.readouterr().out.splitlines()
    page = (out_dir / "pages" / "notes.html").read_text(encoding="utf-8")
    assert "<title>Site notes" in page  # the metadata lines are still read
    assert "See *below*." in page and "[[[[" in page and "<em>below</em>" not in page


def test_an_ordinary_team_written_page_still_renders_as_markdown(tmp_path, capsys):
    root = tmp_path / "project"
    shutil.copytree(MINIMAL, root)
    (root / "content" / "pages").mkdir()
    (root / "content" / "pages" / "notes.md").write_text(
        "Title: Site notes\nSlug: notes\n\nSee *below*.\n", encoding="utf-8")
    out_dir = tmp_path / "site"
    assert main(["build", "--root", str(root), *AS_OF, "--output", str(out_dir)]) == 0
    assert " W108 " not in capsys.readouterr().out
    assert "See <em>below</em>." in (out_dir / "pages" / "notes.html").read_text(encoding="utf-8")


def test_options_carry_the_limit_through_the_build_api_and_it_ends_with_the_build(tmp_path):
    from datetime import date

    from isoready.core import text
    from isoready.read.options import Options
    from isoready.package.build import build

    root = _project(tmp_path)
    (root / "content" / "pages").mkdir()
    (root / "content" / "pages" / "notes.md").write_text(
        "Title: Site notes\nSlug: notes\n\n" + "See *below*. " * 10 + "\n", encoding="utf-8")
    small = Options(root=root, as_of=date(2026, 11, 1), output=tmp_path / "site", max_markdown_bytes=100)
    result = build(small)
    assert result.ok
    assert any(d.code == "W108" and d.path == "evidence/gauges.yaml" for d in result.diagnostics)
    page = (tmp_path / "site" / "evidence" / "gauges.html").read_text(encoding="utf-8")
    assert "Calibrated **every** month; see *the log*." in page  # the pages render under the same limit
    # ... and so do a Markdown document's page (rendered in the render workers) and a team page (Pelican's reader)
    assert "<p># QMS scope</p>" in (tmp_path / "site" / "files" / "context" / "scope.md.html").read_text("utf-8")
    assert "See *below*." in (tmp_path / "site" / "pages" / "notes.html").read_text(encoding="utf-8")
    # the limit lives in Options alone: no module-level state holds it, so nothing remains after the build
    assert not any(hasattr(text, name) for name in ("_LIMIT", "limited_to", "markdown_limit"))
    result = build(Options(root=root, as_of=date(2026, 11, 1), output=tmp_path / "site2"))  # the next run
    assert result.ok and not any(d.code == "W108" for d in result.diagnostics)
    page = (tmp_path / "site2" / "evidence" / "gauges.html").read_text(encoding="utf-8")
    assert "Calibrated <strong>every</strong> month; see <em>the log</em>." in page
    assert "<h1>QMS scope</h1>" in (tmp_path / "site2" / "files" / "context" / "scope.md.html").read_text("utf-8")
    assert "See <em>below</em>." in (tmp_path / "site2" / "pages" / "notes.html").read_text(encoding="utf-8")
    with pytest.raises(ValueError, match="the Markdown size limit must be a whole number of bytes, at least 1"):
        build(Options(root=root, as_of=date(2026, 11, 1), output=tmp_path / "site3", max_markdown_bytes=0))
    assert not (tmp_path / "site3").exists()
