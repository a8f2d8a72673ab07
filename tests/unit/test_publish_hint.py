"""A public build with no public record says on its dashboard what to mark to publish one (issue 22): the
team's published portal was empty and said only "0 records in this build"."""

from __future__ import annotations

import html
from datetime import date
from pathlib import Path

import pytest

from isoready import cli
from isoready.package.build import Options, build
from isoready.views import Link, PublishHintView

AS_OF = date(2026, 11, 1)
HINT = PublishHintView(
    heading="No record is published yet",
    text="This public site shows readiness figures but no evidence record. 6 records are kept for the auditor or "
         "the team. To publish a record here, add this line to its entry, beside its title:",
    example="audience: public",
    after="A record without this line is shown to auditors only. Publish only what anyone may read, then build "
          "again.",
    more=Link("glossary.html#audience", "What the audiences are"))


def _dashboard(root: Path, audience: str) -> str:
    result = build(Options(root=root, as_of=AS_OF, audience=audience, use_cache=False))
    assert result.ok, result.diagnostics
    return (root / "output" / "index.html").read_text(encoding="utf-8")


def _hint_html(h: PublishHintView) -> str:
    return (f'<section class="card publish-hint" aria-labelledby="publish-h">\n'
            f'  <h2 id="publish-h">{html.escape(h.heading)}</h2>\n  <p>{html.escape(h.text)}</p>\n'
            f'  <pre><code>{html.escape(h.example)}</code></pre>\n  <p>{html.escape(h.after)} '
            f'<a href="./{h.more.url}">{html.escape(h.more.text)}</a></p>\n</section>')


def _all_auditor(root: Path) -> None:
    scope = root / "evidence" / "context" / "scope.yaml"
    text = scope.read_text(encoding="utf-8")
    assert "audience: public\n" in text
    scope.write_text(text.replace("audience: public\n", ""), encoding="utf-8")  # the default: auditor


def test_a_public_build_with_every_record_for_the_auditor_says_what_to_mark(minimal_project: Path) -> None:
    _all_auditor(minimal_project)
    page = _dashboard(minimal_project, "public")
    assert _hint_html(HINT) in page


def test_no_hint_where_a_record_is_public_or_the_build_is_not_public(minimal_project: Path) -> None:
    assert "publish-hint" not in _dashboard(minimal_project, "public")  # scope.yaml is marked public
    _all_auditor(minimal_project)
    assert "publish-hint" not in _dashboard(minimal_project, "auditor")  # the auditor sees every record


def test_a_fresh_register_built_for_the_public_says_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture) -> None:
    import isoready.cli.install

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1793491200")
    monkeypatch.setattr(isoready.cli.install, "install_record", lambda: None)
    monkeypatch.setattr(isoready.cli.install, "version", lambda: "0.1.0")
    root = tmp_path / "qms"
    assert cli.main(["init", str(root), "--name", "Acme Ltd", "--scope", "Machining.", "--yes"]) == 0
    page = _dashboard(root, "public")
    one = PublishHintView(HINT.heading, HINT.text.replace("6 records are", "1 record is"), HINT.example, HINT.after,
                          HINT.more)
    assert _hint_html(one) in page
