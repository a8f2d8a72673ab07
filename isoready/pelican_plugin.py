"""The Pelican adapter: a Generator that writes our pages through Pelican's writer.

Thin on purpose: load/validate/assess/views run before Pelican (``package``), and
the generator only hands view-models to templates. Used directly by ``pelican``
(``PLUGINS = ["isoready.pelican_plugin"]``), it runs the pipeline itself.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path
from typing import Any, Optional

from jinja2 import StrictUndefined
from pelican import Pelican, signals
from pelican.generators import Generator
from pelican.settings import read_settings

from .render import JINJA_OPTIONS, pages, render_pages

REPO_THEME = Path(__file__).resolve().parent / "theme"  # the packaged theme

#: Settings every portal build needs, whatever pelicanconf.py says.
FORCED: dict[str, Any] = {
    "PLUGINS": ["isoready.pelican_plugin"],
    "RELATIVE_URLS": True,
    "ARTICLE_PATHS": [],
    "PAGE_PATHS": [],
    "STATIC_PATHS": [],
    "DIRECT_TEMPLATES": [],
    "THEME_STATIC_DIR": "theme",
    "DELETE_OUTPUT_DIRECTORY": False,
    "FEED_ALL_ATOM": None, "FEED_ALL_RSS": None, "CATEGORY_FEED_ATOM": None, "TRANSLATION_FEED_ATOM": None,
    "AUTHOR_FEED_ATOM": None, "AUTHOR_FEED_RSS": None,
    "TAG_SAVE_AS": "", "CATEGORY_SAVE_AS": "", "AUTHOR_SAVE_AS": "", "ARCHIVES_SAVE_AS": "",
    "YEAR_ARCHIVE_SAVE_AS": "", "MONTH_ARCHIVE_SAVE_AS": "", "DAY_ARCHIVE_SAVE_AS": "",
    "DRAFT_SAVE_AS": "", "DRAFT_PAGE_SAVE_AS": "",
    "CACHE_CONTENT": False, "LOAD_CONTENT_CACHE": False, "TIMEZONE": "UTC", "DEFAULT_LANG": "en",
    "JINJA_ENVIRONMENT": {**JINJA_OPTIONS, "extensions": []},
}


class PortalGenerator(Generator):
    """Writes the portal's pages from the view-models."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.env.autoescape = True  # whatever the settings say: YAML text must never become markup
        self.env.undefined = StrictUndefined  # a misspelt variable is a bug, never an empty string
        self.site: Any = None
        self.project: Any = None
        self.standalone = False
        self.written: list = []
        self.plan: Any = None

    def generate_context(self) -> None:
        preloaded = self.settings.get("ISOREADY_PRELOADED")
        if preloaded:
            self.site, self.project, self.written, self.plan = preloaded
            return
        from .diagnostics import report
        from .package import Options, prepare

        self.standalone = True
        root = Path(self.settings.get("ISOREADY_ROOT") or Path(self.path).parent)
        as_of = self.settings.get("ISOREADY_AS_OF") or date.today()
        if isinstance(as_of, str):
            as_of = date.fromisoformat(as_of)
        opts = Options(root=root, as_of=as_of, audience=self.settings.get("ISOREADY_AUDIENCE", "auditor"))
        self.site, self.project, diags = prepare(opts)
        if self.site is None:
            raise RuntimeError("the project has errors:\n" + report(diags))

    def generate_output(self, writer: Any) -> None:
        # Pages are rendered with Pelican's Jinja environment (our theme, its settings) but written by
        # render_pages, which uses every core and hashes each file as it writes it; Pelican's writer would
        # copy its whole context per page and serialise everything on one core.
        evidence_root = Path(self.project.root) / "evidence"
        self.written.extend(render_pages(list(pages(self.site, evidence_root)), self.site, self.get_template,
                                         Path(self.output_path), self.plan))
        if self.standalone:
            from .package import write_assets, write_manifest

            assets = write_assets(self.site, self.project, Path(self.output_path))
            write_manifest(Path(self.output_path), self.site, self.written + assets)


def get_generators(pelican: Any) -> type:
    return PortalGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)


def pelican_settings(root: Path, out: Path, extra: Optional[dict[str, Any]] = None) -> dict[str, Any]:
    conf = root / "pelicanconf.py"
    theme = root / "theme" if (root / "theme" / "templates").is_dir() else REPO_THEME
    override = {**FORCED, "PATH": str(root / "content"), "OUTPUT_PATH": str(out), "THEME": str(theme),
                **(extra or {})}
    return read_settings(str(conf) if conf.is_file() else None, override=override)


def run_pelican(root: Path, out: Path, site: Any, project: Any, plan: Any = None) -> list:
    """Render the preloaded site into ``out`` with Pelican; returns what was written (path, size, SHA-256)."""
    written: list = []
    settings = pelican_settings(root, out, {"ISOREADY_PRELOADED": (site, project, written, plan)})
    logging.getLogger("pelican").setLevel(logging.WARNING)
    from pelican.log import console

    quiet = console.quiet
    console.quiet = True  # Pelican's own "Done: processed 0 articles" line means nothing here
    try:
        Pelican(settings).run()
    finally:
        console.quiet = quiet
    return written
