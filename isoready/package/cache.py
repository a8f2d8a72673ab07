"""The build cache: what an incremental rebuild may reuse, keyed by content hashes.

Three things are reused, and nothing without a content hash:

- validation results per evidence file: every file is read and hashed on every
  build; its records and diagnostics are reused when its bytes and what the file
  system says about every document it points at (exists, is a file, real path)
  are unchanged. Checks across files (ids, references, exclusions, dates) always run;
- rendered output: a page or document whose fingerprint (the SHA-256 of
everything it is made from: its own view-model's repr, the chrome model, every
template, the settings and the code version; for a document, its bytes'
SHA-256) matches the previous build's, and whose file in the previous output is
unchanged since we wrote it (its SHA-256, not its mtime), is hard-linked into
the new site instead of rendered or copied;
- the whole site, for ``isoready build`` (``unchanged_build``): ``site.json`` records the key of everything the
  last build read (every input file's bytes, the code, the standards' data, the options, git's state:
  ``site_key``) and every file it wrote with its SHA-256; when the key is equal and the output holds exactly
  those files with those bytes, nothing is redone. A build during which an input was written is not recorded.
  The record also keeps each file's stamp (change time, modification time, size, inode), input and output,
  when both its times are older than the stamping by more than a clock tick (``settled``). The next build reads
  only the files whose stamp moved: any write moves a file's change time, and no one can set that back
  (git's index and Bazel's digest cache use the same scheme). Copying the files elsewhere, a new inode,
  or a write within a clock tick of the stamping, means they are read and hashed again.

A template sees only its page's view-model and the chrome model, so those two
(with the templates) are everything a page is made from: no template analysis.
The cache lives in ``ROOT/.cache/isoready/`` as JSON (``pages.json``, ``results.json``, ``site.json``): data,
never code.
Loading rebuilds only a fixed set of our own record types, field by field, and checks every value's
shape; anything odd (a stale format, a damaged file, a pickle left by an old version or planted) makes
the build a cold one with a one-line note. A ``.cache`` or ``.cache/isoready`` that is a symlink, or that
resolves outside the project, is neither read nor written. Deleting the cache only costs a cold build.
"""

from __future__ import annotations

import functools
import hashlib
import os
import json
import sys
import time
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Sequence

from isoready.core.diagnostics import Diagnostic
from isoready.core.load import Loc
from isoready.model import Evidence, Verification

if TYPE_CHECKING:
    from isoready.render.pages import Page, Written

VERSION = "4"  # 4: JSON instead of pickle
CACHE_DIR = Path(".cache") / "isoready"
@functools.lru_cache(maxsize=1)
def _code_version() -> str:
    h = hashlib.sha256(VERSION.encode())
    package = Path(__file__).resolve().parents[1]  # isoready/: every stage's code, and the standards' data
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode() + path.read_bytes())
    for path in sorted((package / "standards").rglob("*.yaml")):
        h.update(path.read_bytes())
    for path in sorted((package / "locale").rglob("*.mo")):  # the words of every language a page may speak
        h.update(path.relative_to(package).as_posix().encode() + path.read_bytes())
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
        why = unsafe(root)
        if why:
            _note(f"build cache not used: {why}")
            return cache
        legacy = [p.name for p in (folder / "pages.pickle", folder / "results.pickle") if p.exists()]
        try:
            if not (folder / "pages.json").is_file():
                if legacy:
                    _note(f"build cache: {', '.join(legacy)} ignored (never loaded: the cache is JSON now); "
                          "building cold")
                return cache
            data = _load(folder / "pages.json")
            results = _load(folder / "results.json")
            if data.get("version") != VERSION or data.get("code") != _code_version() \
                    or results.get("code") != _code_version():
                return cache  # another version of the code wrote it: a cold build, nothing odd
            pages = {k: PageState(**_check_state(v)) for k, v in _dict(data["pages"]).items()}
            output = data["output"]
            found = {k: _result(v) for k, v in _dict(results["results"]).items()}
            if not isinstance(output, str):
                raise ValueError("output is not a string")
        except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as e:
            _note(f"build cache ignored ({type(e).__name__}: {str(e)[:80]}); building cold")
            return cache
        cache.pages, cache.output, cache.results = pages, output, found
        cache._saved_results = dict(found)
        return cache

    # ------------------------------------------------------------------ pages

    def fingerprint(self, page: Page, key: str, chrome: str) -> str:
        h = hashlib.sha256(key.encode())
        h.update(chrome.encode())  # the site's chrome names its language: no page is reused across languages
        h.update(page.path.encode() + b"\0" + page.template.encode() + b"\0")
        h.update(repr(sorted(page.context.items())).encode())
        h.update(repr(page.redact).encode())  # what a Markdown document page's text is redacted with
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
        from isoready.render.pages import Written

        return Written(page_path, state.size, state.sha256, fingerprint, reused=True)

    def save(self, output: Path, written: list[Written], pages: Optional[Path] = None,
             keep: Sequence[Path] = ()) -> None:
        """Save the per-file results and the pages' states; ``pages``: pages.json made already
        (``pages_made``, while the build finished), put in place; ``keep``: other part files made for this
        build and not put in place yet (the site's record, ``site_record_made``), spared by the clean-up."""
        if unsafe(self.folder.parent.parent):
            return  # never written through a symlink or outside the project (open() said so)
        self.folder.mkdir(parents=True, exist_ok=True)
        for legacy in ("pages.pickle", "results.pickle"):  # never read; removed so they cannot linger
            try:
                (self.folder / legacy).unlink()
            except OSError:
                pass
        spared = {pages, *keep}
        for part in self.folder.glob(".*.part"):  # a save that was stopped half-way (never read)
            try:
                if part not in spared:
                    part.unlink()
            except OSError:
                pass
        self.save_results()
        if pages is not None:
            os.replace(pages, self.folder / "pages.json")
        else:
            _dump_pages(self.folder / "pages.json", output, written)

    def pages_made(self, output: Path, site: Path, written: list[Written]) -> Optional[Path]:
        """pages.json for ``output`` made from the site ``site`` that is about to become it (a new folder's files
        keep their times when it is renamed), into a part file that ``save`` puts in place, or None."""
        if unsafe(self.folder.parent.parent):
            return None
        self.folder.mkdir(parents=True, exist_ok=True)
        part = self.folder / f".pages.json.{os.getpid()}.made.part"
        _dump_pages(part, output, written, site, keep=True)
        return part

    def save_results(self) -> None:
        """The per-file results, rewritten only when one changed (the entries are immutable once made, and keyed
        by each file's SHA-256, so they may be saved before the build ends: ``package.build`` does it in the
        background while the pages render)."""
        if unsafe(self.folder.parent.parent):
            return
        if not (self.folder / "results.json").is_file() or self.results.keys() != self._saved_results.keys() or any(
                self._saved_results[k] is not v for k, v in self.results.items()):
            self.folder.mkdir(parents=True, exist_ok=True)
            _dump_results(self.folder / "results.json", _code_version(), self.results)

    def results_saved(self) -> None:
        """Another process saved the results as they are now (``save`` need not write them again)."""
        self._saved_results = dict(self.results)


def no_results(root: Path, fresh: bool = False) -> bool:
    """True when a build will find no per-file results to reuse (none saved, or ``--fresh``): every evidence
    file will be parsed, so parsing may start early, in another process (``reader.read_ahead``)."""
    return fresh or not (root / CACHE_DIR / "results.json").is_file()


def unsafe(root: Path) -> str:
    """Why ROOT/.cache/isoready must not be used (a symlink, or a path resolving outside the project), or ""."""
    root_real = os.path.realpath(root)
    for part in (root / ".cache", root / CACHE_DIR):
        if os.path.islink(part):
            return f"{part} is a symbolic link (remove it; the cache must live inside the project)"
        if os.path.lexists(part) and not os.path.isdir(part):
            return f"{part} is not a folder"
    real = os.path.realpath(root / CACHE_DIR)
    if not (real + os.sep).startswith(root_real + os.sep):
        return f"{root / CACHE_DIR} resolves outside the project"
    return ""


def _note(text: str) -> None:
    print(f"note: {text}", file=sys.stderr)


#: the only types the cache may rebuild (by name); anything else in a file means a cold build
_TYPES = {"Evidence": Evidence, "Diagnostic": Diagnostic, "Verification": Verification}
_MAX_FILE = 512 * 1024 * 1024
_PLAIN = {str, int, bool, float, type(None)}  # exactly these: a subclass (a YStr, an enum) is _enc_any's
_FIELD_NAMES = {cls: tuple(f.name for f in fields(cls)) for cls in _TYPES.values()}


def _enc(value: Any) -> Any:
    """``value`` as JSON data (``_dec`` rebuilds it). The common exact types first, by a dict look-up: the
    generic tests below cost most of saving 10,000 files' results (profiled); any other type takes them."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is tuple:
        return {"$tuple": [_enc(v) for v in value]}
    if kind is list:
        return [_enc(v) for v in value]
    names = _FIELD_NAMES.get(kind)
    if names is not None:
        return {"$type": kind.__name__, "fields": {name: _enc(getattr(value, name)) for name in names}}
    if kind is Loc:
        return {"$loc": [str(value.path), value.line, value.column]}
    if kind is date:
        return {"$date": value.isoformat()}
    return _enc_any(value)


def _enc_any(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, Loc):
        return {"$loc": [str(value.path), value.line, value.column]}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if is_dataclass(value) and type(value).__name__ in _TYPES:
        return {"$type": type(value).__name__, "fields": {f.name: _enc(getattr(value, f.name)) for f in fields(value)}}
    if isinstance(value, tuple):
        return {"$tuple": [_enc(v) for v in value]}
    if isinstance(value, list):
        return [_enc(v) for v in value]
    raise TypeError(f"cannot store {type(value).__name__} in the cache")


def _dec(value: Any, depth: int = 0) -> Any:
    if depth > 20:
        raise ValueError("nested too deeply")
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, list):
        return [_dec(v, depth + 1) for v in value]
    if not isinstance(value, dict) or len(value) not in (1, 2):
        raise ValueError("unexpected value")
    if "$tuple" in value and len(value) == 1:
        return tuple(_dec(v, depth + 1) for v in _list(value["$tuple"]))
    if "$date" in value and len(value) == 1:
        return date.fromisoformat(value["$date"])
    if "$loc" in value and len(value) == 1:
        path, line, column = _list(value["$loc"])
        if not (isinstance(path, str) and type(line) is int and type(column) is int):
            raise ValueError("bad location")
        return Loc(path, line, column)
    if set(value) == {"$type", "fields"}:
        cls = _TYPES.get(value["$type"])
        data = _dict(value["fields"])
        if cls is None or set(data) != {f.name for f in fields(cls)}:
            raise ValueError(f"unexpected record type or fields: {value['$type']!r}")
        return cls(**{k: _dec(v, depth + 1) for k, v in data.items()})
    raise ValueError("unexpected value")


def _result(entry: Any) -> tuple:
    """(sha256, file-system signature, records, diagnostics), as reader.evidence_file made it."""
    sha, signature, records, diags = _dec(entry)
    if not isinstance(sha, str) or not isinstance(signature, tuple) or not all(
            isinstance(s, tuple) for s in signature):
        raise ValueError("bad per-file result")
    if not all(isinstance(r, Evidence) for r in records) or not all(isinstance(d, Diagnostic) for d in diags):
        raise ValueError("bad records or diagnostics")
    return sha, signature, records, diags


def _check_state(v: Any) -> dict:
    v = _dict(v)
    if set(v) != {"fingerprint", "size", "sha256", "mtime_ns"} or not all(
            isinstance(v[k], str) for k in ("fingerprint", "sha256")) or not all(
            type(v[k]) is int for k in ("size", "mtime_ns")):
        raise ValueError("bad page state")
    return v


def _dict(v: Any) -> dict:
    if not isinstance(v, dict):
        raise ValueError("expected an object")
    return v


def _list(v: Any) -> list:
    if not isinstance(v, list):
        raise ValueError("expected a list")
    return v


def _load(path: Path) -> dict:
    with open(path, "rb") as fh:
        data = fh.read(_MAX_FILE + 1)
    if len(data) > _MAX_FILE:
        raise ValueError("larger than 512 MiB")
    return _dict(json.loads(data.decode("utf-8")))


def _same_content(path: Path, sha256: str) -> bool:
    """Trust by content, not by mtime: a page edited in place keeping its size and mtime is not reused."""
    from isoready.package.assemble import sha256_file

    try:
        return sha256_file(path) == sha256
    except OSError:
        return False


def _dump_results(path: Path, code: str, results: dict) -> None:
    """The same bytes as ``_dump(path, {"code": code, "results": {k: _enc(v) ...}})``, written entry by entry:
    the whole encoded cache at once was several hundred MB at 100,000 files."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode  # one, not one a file
    keys = sorted(results)
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write('{"code":' + dumps(code) + ',"results":{')
        for i, key in enumerate(keys):  # entry by entry: each encoded entry freed at once (the collector's work
            fh.write(("," if i else "") + dumps(key) + ":" + dumps(_enc(results[key])))  # grows with what is held)
        fh.write("}}")
    os.replace(tmp, path)


def _dump_pages(path: Path, output: Path, written: list[Written], site: Optional[Path] = None,
                keep: bool = False) -> None:
    """pages.json: ``{"code", "output", "pages": {path: {"fingerprint", "mtime_ns", "sha256", "size"}}, "version"}``
    (sorted keys, as ``_dump``), each page's state written as it is made: the whole dict and its text at once
    were some 90 MB at the end of a build of 100,000 records (issue 25)."""
    tmp = path if keep else path.with_name(f".{path.name}.{os.getpid()}.part")
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode  # one, not one a page
    latest = {w.path: w for w in written if w.fingerprint}  # one state per path: the last written, as a dict kept
    paths = sorted(latest)
    base = str(site or output)  # the files' times: read where they are now
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write('{"code":' + dumps(_code_version()) + ',"output":' + dumps(str(output)) + ',"pages":{')
        first = True
        for start in range(0, len(paths), 1000):  # a thousand states at once: the C encoder's speed, little held
            states = {}
            for rel in paths[start:start + 1000]:
                w = latest[rel]
                try:
                    mtime = os.stat(os.path.join(base, w.path)).st_mtime_ns  # a str: a Path a page was 0.05 s
                except OSError:
                    continue
                states[rel] = {"fingerprint": w.fingerprint, "size": w.size, "sha256": w.sha256, "mtime_ns": mtime}
            if states:
                fh.write(("" if first else ",") + dumps(states)[1:-1])
                first = False
        fh.write('},"version":' + dumps(VERSION) + "}")
    if not keep:
        os.replace(tmp, path)


def _dump(path: Path, data: Any, keep: bool = False) -> None:
    """``data`` as JSON into ``path`` through a part file; ``keep``: ``path`` is the part file (put in place
    by the caller)."""
    tmp = path if keep else path.with_name(f".{path.name}.{os.getpid()}.part")
    # json.dumps, not json.dump: only the one-shot call uses the C encoder (json.dump streams through the
    # pure-Python one, which took seconds for the cache of 10,000 records)
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


# ---------------------------------------------------------------------- a rebuild with nothing changed

SITE = "site.json"  # the last build's inputs key and the files of the site it made
#: an input's stats when the key was made: (path, (ctime, mtime, size, inode) or None when absent)
Stats = list


def _stat(path: str, at: Optional[int] = None) -> Optional[tuple[int, int, int, int]]:
    """A file's stamp (change time, modification time, size, inode; ``at``: a folder open, ``path`` in it), or
    None when there is none."""
    try:
        st = os.stat(path, dir_fd=at, follow_symlinks=False)
    except OSError:
        return None
    return (st.st_ctime_ns, st.st_mtime_ns, st.st_size, st.st_ino)


#: A file's stamp (change time, modification time, size, inode) vouches for the bytes hashed with it only when
#: both its times are older than the stamping by more than a clock tick: a write in the same tick as the file's
#: last one could leave every field as it was (git's "racy clean" entries). The kernel stamps files from a clock
#: that moves in ticks of 10 ms at most; a file system that keeps whole seconds (FAT's 2 s, ext3's 1 s) gets 2 s.
RACY_NS = 100_000_000
COARSE_RACY_NS = 2_000_000_000


def settled(stamp: Sequence[int], at: int) -> bool:
    """True when ``stamp`` (``_stat``'s, taken after ``at``, a ``time.time_ns()``) can vouch for the file's bytes
    later: a later write moves its change time, which no one can set back (the scheme git's index and Bazel's
    digest cache use). A stamp whose times are in the future never does."""
    window = COARSE_RACY_NS if stamp[0] % 1_000_000_000 == 0 or stamp[1] % 1_000_000_000 == 0 else RACY_NS
    return max(stamp[0], stamp[1]) < at - window


def _stamps(data: Any, width: int) -> dict[str, list]:
    """A record's stamps (``{path: [ctime, mtime, size, inode, ...]}``), each checked for shape; {} when absent."""
    found = _dict(data) if data is not None else {}
    for value in found.values():
        if not (isinstance(value, list) and len(value) == width and all(type(v) is int for v in value[:4])
                and all(isinstance(v, str) for v in value[4:])):
            raise ValueError("bad stamp")
    return found


def _digest(path: str) -> bytes:
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).digest()


def _hash_all(paths: list[str]) -> list[bytes]:
    """The SHA-256 of each file, read by a few threads (hashlib lets go of the GIL for large buffers)."""
    from concurrent.futures import ThreadPoolExecutor

    workers = min(4, (os.cpu_count() or 1) + 1)
    if len(paths) < 64 or workers < 2:
        return [_digest(p) for p in paths]
    size = -(-len(paths) // workers)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        parts = pool.map(lambda part: [_digest(p) for p in part],
                         [paths[i:i + size] for i in range(0, len(paths), size)])
        return [d for part in parts for d in part]


def _walk(top: str, name: str, entries: list, stats: Stats) -> None:
    """Every entry under ``top`` (or the file itself), in order, as (name, kind, path or link target); each
    entry's stats go to ``stats`` (``moved`` compares them after the build)."""
    if not os.path.lexists(top):
        entries.append((name, "absent", ""))
        stats.append((top, None))
        return
    if os.path.islink(top) or not os.path.isdir(top):
        _add(top, name, entries, stats)
        return
    for dirpath, dirs, files in os.walk(top):
        dirs.sort()
        rel = os.path.relpath(dirpath, top)
        entries.append((f"{name}/{rel}", "dir", ""))
        stats.append((dirpath, _stat(dirpath)))
        for entry in sorted(files + [d for d in dirs if os.path.islink(os.path.join(dirpath, d))]):
            _add(os.path.join(dirpath, entry), f"{name}/{rel}/{entry}", entries, stats)


def _add(path: str, where: str, entries: list, stats: Stats) -> None:
    import stat

    st = os.lstat(path)
    stats.append((path, (st.st_ctime_ns, st.st_mtime_ns, st.st_size, st.st_ino)))  # _stat's, from this lstat
    if stat.S_ISLNK(st.st_mode):
        entries.append((where, "link", os.readlink(path)))
    elif stat.S_ISREG(st.st_mode):
        entries.append((where, "file", path))
    else:  # a FIFO or a device: never opened (the reader refuses it), and a key no build can equal
        entries.append((where, "other", os.urandom(16).hex()))


def moved(stats: Stats) -> bool:
    """True when an input changed while the build ran: an entry's stats differ from those taken with the key
    (the change time moves on every write, and no one can set it back), or a folder's (a file added or
    removed)."""
    return any(_stat(path) != before for path, before in stats)


@dataclass
class SiteKey:
    """``site_key``'s: the stats of every input (``moved``), and the key once its files' bytes are hashed
    (``value``). The stats and git's state are taken when the key is made, before anything is read; the bytes
    may be hashed later, from digests the build made of the same files after the stats (the reader's, the
    documents'): a file changed since the stats moves them, and a site whose inputs moved is never recorded."""

    root: str
    stats: Stats
    head: Any  # the SHA-256 of the code, the libraries and the options, not yet of the files
    entries: list  # (name, kind, path or link target), in order
    git: bytes
    made: Optional[str] = None
    taken: int = 0  # time.time_ns() before the stats were taken (``settled``)
    files: dict = field(default_factory=dict)  # path -> the SHA-256 the key was made from

    def value(self, digests: Optional[dict[str, bytes]] = None) -> str:
        """The key: every ``file`` entry's SHA-256 from ``digests`` (path -> digest) where given, else read now."""
        if self.made is None:
            known = digests or {}
            todo = [e[2] for e in self.entries if e[1] == "file" and e[2] not in known]
            found = dict(zip(todo, _hash_all(todo)))
            h = self.head.copy()
            for where, kind, value in self.entries:
                h.update(f"{where}\0{kind}\0".encode("utf-8", "surrogateescape"))
                if kind == "file":
                    digest = self.files[value] = found.get(value) or known[value]
                    h.update(digest)
                else:
                    h.update(value.encode("utf-8", "surrogateescape"))
            h.update(self.git)
            self.made = h.hexdigest()
        return self.made

    def stamps(self) -> dict[str, list]:
        """Each input file's stamp with the SHA-256 the key was made from (``{path: [ctime, mtime, size, inode,
        sha256]}``), for the files whose stamps are ``settled``: the next build trusts those instead of reading
        them again (``trusted``). Call after ``value``."""
        return {path: [*st, self.files[path].hex()] for path, st in self.stats
                if st is not None and path in self.files and settled(st, self.taken)}

    def trusted(self, stamps: dict[str, list]) -> dict[str, bytes]:
        """The digests of the last build's input files (``stamps``'s) whose stamp now is the one recorded."""
        out = {}
        for path, st in self.stats:
            last = stamps.get(path)
            if st is not None and last is not None and tuple(last[:4]) == st:
                try:
                    out[path] = bytes.fromhex(last[4])
                except ValueError:
                    continue
        return {path: d for path, d in out.items() if len(d) == 32}

    def digests(self, results: Optional[dict], documents: Sequence[Any] = ()) -> dict[str, bytes]:
        """The SHA-256 of files this build read, by the path ``value`` knows them by: each evidence YAML file's
        from the reader's per-file results (made from the bytes it read), each document's from the views
        (``DocumentView.sha256`` of ``source``, under evidence/)."""
        from isoready.read.records import EVIDENCE_DIR

        out: dict[str, bytes] = {}
        for rel, entry in (results or {}).items():
            try:
                out[os.path.join(self.root, rel)] = bytes.fromhex(entry[0][:64])
            except (ValueError, TypeError, IndexError):
                continue  # no digest of its bytes: read again
        for doc in documents:
            try:
                out[os.path.join(self.root, EVIDENCE_DIR, doc.source)] = bytes.fromhex(doc.sha256)
            except (ValueError, TypeError):
                continue
        return {path: d for path, d in out.items() if len(d) == 32}


def site_key(opts: Any, out: Path) -> SiteKey:
    """The SHA-256 of everything a build reads, made from bytes, never from modification times: every file
    under evidence/, content/ and theme/ and pelicanconf.py (hidden files too), the code and its libraries
    (those of the exports and readers too: ``_library_versions``),
    the standards' data (third-party packages included), the options, the environment a build reads, and
    what git says (HEAD, every ref, the status of the inputs with ignored files, a shallow clone's boundary),
    unless the build is pinned to a commit (then it reads no git facts). With it, the stats of every input
    (``moved``). The files' bytes are hashed when the key's ``value`` is asked for."""
    from isoready import standards

    h = hashlib.sha256(f"{VERSION}\0{_code_version()}\0{_library_versions()}\0".encode())
    h.update(repr((opts.as_of, opts.audience, opts.strict, opts.max_yaml_bytes, opts.max_markdown_bytes,
                   opts.commit, str(out), os.environ.get("ISOREADY_COMMIT"), opts.language)).encode())
    root = str(opts.root)
    taken = time.time_ns()
    entries: list = []
    stats: Stats = []
    for name in ("evidence", "content", "theme", "pelicanconf.py"):
        _walk(os.path.join(root, name), name, entries, stats)
    registry = standards.registry()
    for standard in registry.standards.values():
        entries.append((repr(standard), "standard", ""))
        _walk(str(standard.folder), f"standard:{standard.name}", entries, [])
    entries.append((repr((registry.transitions, registry.problems)), "transitions", ""))
    return SiteKey(root, stats, h, entries, _git_state(root) if opts.commit is None else b"", taken=taken)


def _library_versions() -> str:
    """The libraries whose upgrade (or arrival) changes bytes the page cache's code version does not cover:
    the workbook's writer (openpyxl serialises differently when lxml is installed), YAML, reST pages."""
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for package in ("openpyxl", "lxml", "et-xmlfile", "PyYAML", "docutils", "Pygments"):
        try:
            found.append(f"{package}={version(package)}")
        except PackageNotFoundError:
            found.append(f"{package}=none")
    return ",".join(found)


def _git_state(root: str) -> bytes:
    """What git says of the project: HEAD, every ref, the inputs' status (ignored files too), the shallow file."""
    import subprocess

    from isoready.gitfacts.gitdata import git_env

    h = hashlib.sha256()
    for args in (["rev-parse", "HEAD", "--git-path", "shallow"], ["for-each-ref", "--format=%(objectname) %(refname)"],
                 ["status", "--porcelain", "-z", "--ignored=traditional", "--untracked-files=all", "--", "evidence",
                  "content", "theme", "pelicanconf.py"]):
        try:
            proc = subprocess.run(["git", *args], cwd=root, capture_output=True, timeout=60, env=git_env())
        except (OSError, subprocess.SubprocessError) as e:
            h.update(repr((args, type(e).__name__)).encode())
            continue
        h.update(repr((args, proc.returncode, proc.stdout)).encode())
        if args[0] == "rev-parse" and proc.returncode == 0 and proc.stdout.strip():
            shallow = os.path.join(root, proc.stdout.decode("utf-8", "surrogateescape").splitlines()[-1])
            h.update(_digest(shallow) if os.path.isfile(shallow) else b"deep")
    return h.digest()


def unchanged_build(opts: Any) -> tuple[Optional[tuple[Path, list[str], list[Diagnostic], int]], Optional[SiteKey]]:
    """For ``isoready build``: (the last build's (output, files, diagnostics, reused), None) when every input
    holds the bytes the last build read and the output still holds every byte it wrote; else (None, the key
    to record once the build is done: ``site_key``'s). Imports no stage above this one's floor but what the
    key needs: an unchanged rebuild reads no project and renders nothing. With no record this build could
    equal (none, ``--fresh``, another output, code or format), the files are not hashed here: the key's value
    is made at the end from the digests the build makes anyway (``SiteKey.digests``)."""
    from isoready.read.options import refuse_sources

    if not opts.use_cache or opts.out.is_symlink():
        return None, None
    refuse_sources(opts.root, opts.out, "the site", "--output")  # refused as the build refuses it
    out = opts.out.resolve()
    key = site_key(opts, out)
    last = None if opts.fresh else unchanged_site(opts.root, out, key)
    return ((out, *last), None) if last is not None else (None, key)


def unchanged_site(root: Path, out: Path, key: "SiteKey | str") -> Optional[tuple[list[str], list[Diagnostic], int]]:
    """(files, diagnostics, reused) of the last build, when ``key`` equals the key it was built from and ``out``
    still holds exactly the files it wrote, each with the SHA-256 it had (a file edited, added or removed in
    the output, whatever its modification time, means a real build); None otherwise. A damaged record is
    ignored with a note."""
    import stat

    if unsafe(root):
        return None
    path = root / CACHE_DIR / SITE
    if not path.is_file():
        return None
    try:
        data = _load(path)
        if data.get("version") != VERSION or data.get("code") != _code_version() or data.get("output") != str(out):
            return None
        files = _dict(data["files"])
        stamps, inputs = _stamps(data.get("stamps"), 4), _stamps(data.get("inputs"), 5)
        stamped, inputs_stamped = data.get("stamped", 0), data.get("inputs_stamped", 0)
        if type(stamped) is not int or type(inputs_stamped) is not int:
            raise ValueError("bad stamping time")
        listed = [f for f in _list(data["listed"]) if isinstance(f, str)]
        diags = [_dec(d) for d in _list(data["diagnostics"])]
        reused = data["reused"]
        if not all(isinstance(d, Diagnostic) for d in diags) or type(reused) is not int or not all(
                isinstance(v, list) and len(v) == 2 and type(v[0]) is int and isinstance(v[1], str)
                for v in files.values()):
            raise ValueError("bad site record")
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as e:
        _note(f"build cache: {SITE} ignored ({type(e).__name__}: {str(e)[:80]}); building")
        return None
    if isinstance(key, str):
        if data.get("key") != key:
            return None
    elif data.get("key") != key.value(key.trusted(inputs)):  # the inputs' bytes hashed only now, but for the
        return None  # files whose stamps say they were not written since the last build hashed them
    base = str(out)
    try:
        found = []
        for dirpath, dirs, names in os.walk(base):
            rel = os.path.relpath(dirpath, base)
            prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
            found += [prefix + n for n in names + [d for d in dirs if os.path.islink(os.path.join(dirpath, d))]]
        if out.is_symlink() or set(found) != set(files):
            return None
        paths, shas = [], []
        for rel, (size, sha) in files.items():
            path = os.path.join(base, rel)
            st = os.lstat(path)
            if not stat.S_ISREG(st.st_mode) or st.st_size != size:
                return None
            last = stamps.get(rel)
            if last is not None and tuple(last) == _stat(path) and settled(last, stamped):
                continue  # not written since it was stamped: its change time would have moved
            paths.append(path)
            shas.append(sha)
        if [d.hex() for d in _hash_all(paths)] != shas:
            return None  # changed since we wrote it, whatever its size or mtime say
    except OSError:
        return None
    return listed, diags, reused


def site_record(site: int, key: "SiteKey | str", out: Path, listed: list[str], diags: list[Diagnostic],
                reused: int) -> dict:
    """What ``save_site`` keeps of a complete site (``site``: its folder, open, before it is swapped in as
    ``out``, which keeps every file's inode and times; the open folder follows the swap's renames): each file's
    size and SHA-256, and the stamps of those ``settled``, so that the next unchanged build hashes only files
    written since (and the key's input files, likewise)."""
    from isoready.package.assemble import MANIFEST, SUMS

    manifest = json.loads(_read_at(site, MANIFEST).decode("utf-8"))
    files = {e["path"]: [e["size"], e["sha256"]] for e in manifest["files"]}
    for name in (MANIFEST, SUMS):
        data = _read_at(site, name)
        files[name] = [len(data), hashlib.sha256(data).hexdigest()]
    stamped = time.time_ns()
    stamps = {rel: list(stamp) for rel, (size, _sha) in files.items()
              for stamp in (_stat(rel, site),) if stamp is not None and stamp[2] == size and settled(stamp, stamped)}
    inputs = key.stamps() if isinstance(key, SiteKey) else {}
    return {"version": VERSION, "code": _code_version(), "key": key if isinstance(key, str) else key.value(),
            "output": str(out), "files": files, "stamps": stamps, "stamped": stamped, "inputs": inputs,
            "inputs_stamped": key.taken if isinstance(key, SiteKey) else 0,
            "listed": listed, "diagnostics": [_enc(d) for d in diags], "reused": reused}


def _read_at(folder: int, rel: str) -> bytes:
    fd = os.open(rel, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0), dir_fd=folder)
    with open(fd, "rb") as fh:
        return fh.read()


def site_record_made(root: Path, site: int, key: SiteKey, out: Path, listed: list[str], diags: list[Diagnostic],
                     reused: int) -> Optional[Path]:
    """The record of the complete site (``site_record``; ``site``: its folder, open) in a part file ``save_site``
    puts in place after the swap; None when an input moved while the build ran (all is read by now: the next
    build is a real one) or the cache is not ours to write. Made by another process (``package.build``)."""
    if unsafe(root) or moved(key.stats):
        return None
    record = site_record(site, key, out, listed, diags, reused)
    folder = root / CACHE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    part = folder / f".{SITE}.{os.getpid()}.made.part"
    _dump(part, record, keep=True)
    return part


def save_site(root: Path, record: "Optional[dict | Path]") -> None:
    """Keep the record of the site just swapped in (a dict, or the part file ``site_record_made`` wrote); without
    one (an input moved while the build ran), remove the old record, so the next build is a real one."""
    if unsafe(root):
        return
    folder = root / CACHE_DIR
    if record is None:
        try:
            (folder / SITE).unlink()
        except OSError:
            pass
        return
    folder.mkdir(parents=True, exist_ok=True)
    if isinstance(record, Path):
        os.replace(record, folder / SITE)
    else:
        _dump(folder / SITE, record)
