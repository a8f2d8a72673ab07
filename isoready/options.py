"""Options of one build, shared by the command line and the pipeline (imports nothing heavy)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Optional

from .load import MAX_BYTES
from .parallel import workers  # noqa: F401  (its home is parallel; kept importable here)
from .text import MAX_MARKDOWN_BYTES


@dataclass(frozen=True)
class Options:
    root: Path
    as_of: date
    audience: str = "auditor"
    output: Optional[Path] = None
    strict: bool = False
    max_yaml_bytes: int = MAX_BYTES
    max_markdown_bytes: int = MAX_MARKDOWN_BYTES  # larger Markdown is shown as plain text, with W108
    commit: Optional[str] = None
    use_cache: bool = True  # reuse unchanged results and pages from ROOT/.cache/isoready (see cache.py)
    fresh: bool = False  # reuse nothing this time, but write the cache for the next build
    force: bool = False  # replace an output folder that is not a site isoready built (--force)

    @property
    def out(self) -> Path:
        return self.output if self.output is not None else self.root / "output"
