"""View-models: everything a template prints, computed before rendering.

Templates receive these frozen objects only: each page its own view-model, plus
the small chrome model (``ChromeView``, as ``site``) that every page shares. No
rule, date arithmetic or counting happens here or in Jinja: every judgement comes
from assess; this package turns it into words. This is also where the build's
audience is applied, once (the Context): a record the audience may not see is left out here, so
nothing downstream (templates, exports, search index, PDF, archive) can reach it;
only aggregate counts of withheld records remain.

URLs in view-models are relative to the site root ("clauses/4.1.html");
templates prefix ``{{ SITEURL }}/``, which Pelican sets per page to a relative path.

The package, as docs/architecture.md draws it: context.py (the audience filter and the records' view-models),
builder.py (PageBuilder: what a page kind reads, provides and needs), one module per page kind with its builder
(dashboard, browse, gaps, findings, sitepages, stages, report, transition, since), site.py (BUILDERS, in page order; the
chrome and the export), reasons.py (REASONS: each reason code's words, once; sitereasons.py,
registerreasons.py and gatereasons.py register the sites', the registers' and the gates' words there),
labels.py, models.py, pages.py.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

from isoready.assess import Readiness
from isoready.model import AUDIENCES, Project
from isoready.core.text import MAX_MARKDOWN_BYTES
from isoready.views.context import Context
from isoready.views.builder import ViewMemo
from isoready.views.site import BUILDERS, export_only, run
# the package's public names, importable from isoready.views as when views was one module
from isoready.views.builder import *  # noqa: F401,F403
from isoready.views.labels import *  # noqa: F401,F403
from isoready.views.models import *  # noqa: F401,F403
from isoready.views.pages import *  # noqa: F401,F403
from isoready.views.reasons import *  # noqa: F401,F403
from isoready.views import sitereasons  # noqa: F401  (registers the sites' reason words)
from isoready.views import registerreasons  # noqa: F401  (registers the registers' reason words)
from isoready.views import gatereasons  # noqa: F401  (registers the gates' and the certificate's reason words)


def build_site(project: Project, readiness: Readiness, audience: str = "auditor", commit: str = "",
               hashes: Optional[Mapping[str, tuple[int, str]]] = None, git: Any = None,
               max_markdown_bytes: int = MAX_MARKDOWN_BYTES, memo: Optional[ViewMemo] = None,
               on_export: Any = None) -> SiteView:
    """The whole site as view-models for one audience: the shared Context, then every page builder (BUILDERS)
    in order.

    ``hashes`` maps a document path (under evidence/) to (size, sha256), as the reader computed them once;
    views read no file. ``git`` (history.GitFacts, or None for a build that reads no git facts): revision
    histories, the readiness history and the last audit's side. Every Markdown text renders under
    ``max_markdown_bytes`` (``Options.max_markdown_bytes``), the limit validation's W108 judged by. ``memo``
    (a ViewMemo a long-lived process keeps, as serve does): builders whose inputs are unchanged are not run.
    ``on_export(export)``: called with the export's view-model as soon as it is made, before the pages' are.
    """
    return run(Context(project, readiness, audience, commit, hashes or {}, git, max_markdown_bytes), BUILDERS, memo,
               on_export)


def build_export(project: Project, readiness: Readiness, audience: str = "auditor", commit: str = "",
                 hashes: Optional[Mapping[str, tuple[int, str]]] = None, git: Any = None,
                 max_markdown_bytes: int = MAX_MARKDOWN_BYTES) -> ExportView:
    """``build_site(...).export`` without the pages' view-models (``site.export_only``): the language-neutral
    export of a build in another language."""
    return export_only(Context(project, readiness, audience, commit, hashes or {}, git, max_markdown_bytes), BUILDERS)


__all__ = ["build_site", "build_export", "describe", "SiteView", "ChromeView", "ExportView", "PageView", "AUDIENCES", "BUILDERS",
           "Context"]
