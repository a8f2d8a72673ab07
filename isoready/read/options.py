"""Options of one build, shared by the command line and the pipeline (imports nothing heavy)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Optional

from isoready.core.load import MAX_BYTES
from isoready.core.text import MAX_MARKDOWN_BYTES

MAX_REGISTER_ROWS = 100_000  # data rows of one register (registers.py; issue 24)
MAX_REGISTER_BYTES = 32 * 1024 * 1024  # one register file on disk


@dataclass(frozen=True)
class Options:
    root: Path
    as_of: date
    audience: str = "auditor"
    output: Optional[Path] = None
    strict: bool = False
    max_yaml_bytes: int = MAX_BYTES
    max_markdown_bytes: int = MAX_MARKDOWN_BYTES  # larger Markdown is shown as plain text, with W108
    max_register_rows: int = MAX_REGISTER_ROWS  # a register with more data rows is E353
    max_register_bytes: int = MAX_REGISTER_BYTES  # a larger register file is E352 (an .xlsx: 4x unpacked)
    commit: Optional[str] = None
    use_cache: bool = True  # reuse unchanged results and pages from ROOT/.cache/isoready (see cache.py)
    fresh: bool = False  # reuse nothing this time, but write the cache for the next build
    force: bool = False  # replace an output folder that is not a site isoready built (--force)
    language: Optional[str] = None  # --language: overrides organisation.yaml's language: (None: as it says)

    @property
    def out(self) -> Path:
        return self.output if self.output is not None else self.root / "output"


#: what a build reads (and git's own folder): no output of any command may be written into these
SOURCES = ("evidence", "content", "theme", "pelicanconf.py", ".git")


def refuse_sources(root: Path, target: Path, what: str, option: str) -> None:
    """The one guard of every option that names an output path (build/serve/report --output, report --pdf,
    archive --dist, history --output, validate --summary, clean --output): ``target`` may not be the project
    itself or a folder holding it, nor lie inside its sources or .git (after symlinks are followed, and
    before). Raises UsageError, before anything is created."""
    from isoready.core.errors import UsageError

    root = Path(os.path.abspath(root))
    real_root = root.resolve()
    plain, real = Path(os.path.abspath(target)), Path(os.path.abspath(target)).resolve()
    if real_root.is_relative_to(real) or root.is_relative_to(plain):
        raise UsageError(f"refusing to write {what} to {target}: it would replace the project {root} itself; "
                         f"choose another {option}")
    for name in SOURCES:
        source = root / name
        if any(t.is_relative_to(s) for t in (plain, real) for s in (source, source.resolve(), real_root / name)):
            where = "is" if name == "pelicanconf.py" else "lies inside"
            kind = "the project's git folder" if name == ".git" else "a source of the project"
            raise UsageError(f"refusing to write {what} to {target}: it {where} {source}, {kind}; "
                             f"choose another {option}")
