"""The build cache: what an incremental rebuild may reuse, keyed by content hashes.

Two things are reused, and nothing without a content hash:

- validation results per evidence file: every file is read and hashed on every
  build; its records and diagnostics are reused when its bytes and what the file
  system says about every document it points at (exists, is a file, real path)
  are unchanged. Checks across files (ids, references, exclusions, dates) always run;
- rendered output: a page or document whose fingerprint (the SHA-256 of
everything it is made from: its own view-model's repr, the chrome model, every
template, the settings and the code version; for a document, its bytes'
SHA-256) matches the previous build's, and whose file in the previous output is
unchanged since we wrote it (its SHA-256, not its mtime), is hard-linked into
the new site instead of rendered or copied.

A template sees only its page's view-model and the chrome model, so those two
(with the templates) are everything a page is made from: no template analysis.
The cache lives in ``ROOT/.cache/isoready/``; deleting it only makes the next
build a cold one. A cache that cannot be read is ignored.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Sequence

from .render import Page, Written

VERSION = "3"
CACHE_DIR = Path(".cache") / "isoready"
@functools.lru_cache(maxsize=1)
def _code_version() -> str:
    h = hashlib.sha256(VERSION.encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        h.update(path.name.encode() + path.read_bytes())
    for path in sorted((Path(__file__).parent / "data").glob("*")):
        h.update(path.read_bytes())
    from importlib.metadata import PackageNotFoundError, version

    for package in ("jinja2", "markdown", "nh3", "pelican", "markupsafe"):  # a sanitiser upgrade re-renders
        try:
            h.update(f"{package}={version(package)}".encode())
        except PackageNotFoundError:
            pass
    return h.hexdigest()


def theme_key(theme: "Path | Sequence[Path]", settings_file: Optional[Path]) -> str:
    """A hash of every template, the settings, the code and its libraries. ``theme``: the theme folders in
    priority order (a project's overrides first), so adding, changing or removing an override changes it."""
    h = hashlib.sha256(_code_version().encode())
    for n, folder in enumerate(t / "templates" for t in ([theme] if isinstance(theme, Path) else list(theme))):
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                h.update(f"{n}:".encode() + path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    if settings_file and settings_file.is_file():
        h.update(b"settings\0" + settings_file.read_bytes())
    return h.hexdigest()


@dataclass
class PageState:
    fingerprint: str
    size: int
    sha256: str
    mtime_ns: int


@dataclass
class BuildCache:
    folder: Path
    pages: dict[str, PageState] = field(default_factory=dict)
    results: dict[str, tuple] = field(default_factory=dict)  # evidence file -> (sha256, fs signature, records, diags)
    _saved_results: dict[str, tuple] = field(default_factory=dict, repr=False)
    output: str = ""  # the output folder the page states describe

    @classmethod
    def open(cls, root: Path) -> "BuildCache":
        folder = root / CACHE_DIR
        cache = cls(folder)
        try:
            with open(folder / "pages.pickle", "rb") as fh:
                data = pickle.load(fh)
            with open(folder / "results.pickle", "rb") as fh:
                results = pickle.load(fh)
            if data.get("version") == VERSION and data.get("code") == _code_version() \
                    and results.get("code") == _code_version():
                cache.pages, cache.output, cache.results = data["pages"], data["output"], results["results"]
                cache._saved_results = dict(cache.results)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, KeyError, TypeError,
                ValueError):
            pass
        return cache

    # ------------------------------------------------------------------ pages

    def fingerprint(self, page: Page, key: str, chrome: str) -> str:
        h = hashlib.sha256(key.encode())
        h.update(chrome.encode())
        h.update(page.path.encode() + b"\0" + page.template.encode() + b"\0")
        h.update(repr(sorted(page.context.items())).encode())
        return h.hexdigest()

    def reuse(self, page_path: str, fingerprint: Optional[str], old_out: Path, new_out: Path) -> Optional[Written]:
        """Hard-link the previous build's page when nothing it is made from changed."""
        state = self.pages.get(page_path)
        if fingerprint is None or state is None or state.fingerprint != fingerprint or str(old_out) != self.output:
            return None
        source = old_out / page_path
        try:
            st = source.stat()
            if st.st_size != state.size or not _same_content(source, state.sha256):
                return None  # changed since we wrote it (whatever its size or mtime say): never serve it
            target = new_out / page_path
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(source, target)
        except OSError:
            return None
        return Written(page_path, state.size, state.sha256, fingerprint, reused=True)

    def save(self, output: Path, written: list[Written]) -> None:
        pages = {}
        for w in written:
            if w.fingerprint:
                try:
                    mtime = (output / w.path).stat().st_mtime_ns
                except OSError:
                    continue
                pages[w.path] = PageState(w.fingerprint, w.size, w.sha256, mtime)
        self.folder.mkdir(parents=True, exist_ok=True)
        # per-file results are rewritten only when one changed (the entries are immutable once made)
        if self.results.keys() != self._saved_results.keys() or any(
                self._saved_results[k] is not v for k, v in self.results.items()):
            _dump(self.folder / "results.pickle", {"code": _code_version(), "results": self.results})
        _dump(self.folder / "pages.pickle", {"version": VERSION, "code": _code_version(), "pages": pages,
                                             "output": str(output)})


def _same_content(path: Path, sha256: str) -> bool:
    """Trust by content, not by mtime: a page edited in place keeping its size and mtime is not reused."""
    from .assemble import sha256_file

    try:
        return sha256_file(path) == sha256
    except OSError:
        return False


def _dump(path: Path, data: Any) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    with open(tmp, "wb") as fh:
        pickle.dump(data, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)
