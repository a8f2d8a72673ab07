"""A build in another language than English makes readiness.json's export again in English (``SiteView.neutral``):
with its builders' contexts alone (``views.build_export``), not a second copy of every page's view-model. It
must be exactly the export a whole English build makes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from isoready.core import i18n
from isoready.package.assemble import assess_with_git, check, hash_documents
from isoready.read.options import Options
from isoready.views import build_export, build_site

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("root", [REPO, REPO / "examples" / "ims"], ids=["demo", "ims"])
@pytest.mark.parametrize("audience", ["public", "auditor", "internal"])
def test_the_export_alone_is_the_whole_builds_export(root: Path, audience: str) -> None:
    opts = Options(root=root, as_of=date(2026, 11, 24), output=root / "unused", commit="test", use_cache=False)
    project, diags = check(opts)
    assert project is not None
    readiness, git = assess_with_git(opts, project)
    options = dict(audience=audience, commit="test", hashes=hash_documents(project), git=git)
    with i18n.speaking(i18n.SOURCE_LANGUAGE):
        whole = build_site(project, readiness, **options).export
        alone = build_export(project, readiness, **options)
    assert alone == whole
    assert repr(alone) == repr(whole)
