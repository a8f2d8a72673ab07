"""``isoready rollup``: a group portal from several sites, each a register (built here in memory for the
requested audience) or a built site's readiness.json. Each readiness.json is read as untrusted data: size and
kind checked before it is opened (core.load.read_bytes), parsed with nesting bounded, checked against the
output contract (outputs/conform.py), and refused when it was built for a wider audience than the group
portal's. The page is written to a temporary folder and swapped in as a build is (build.swap_in)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Optional, Sequence
from urllib.parse import quote

from isoready.core.diagnostics import Diagnostic, errors
from isoready.core.errors import UsageError
from isoready.core.load import read_bytes
from isoready.outputs.conform import contract_problems
from isoready.package.assemble import MANIFEST, replaceable
from isoready.package.build import swap_in, temp_dir_for
from isoready.read.options import refuse_sources
from isoready.render.pages import PACKAGED_THEME, environment
from isoready.views.rollup import RolledSite, rolled_site, rollup_view, wider

READINESS = "readiness.json"
#: a readiness.json larger than this is refused unread (a 10,000-record register's is about 10 MB)
MAX_JSON_BYTES = 64 * 1024 * 1024
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://|^(?:https?|ftp|file|data|javascript):", re.IGNORECASE)


@dataclass(frozen=True)
class RollupResult:
    ok: bool
    diagnostics: list[Diagnostic]
    sites: int = 0
    output: Optional[Path] = None


def looks_like_url(text: str) -> bool:
    return bool(_URL.match(text))


def _diag(site: str, code: str, message: str, hint: str) -> Diagnostic:
    return Diagnostic(site, 1, 1, code, message, hint)


def _link(folder: Path, out: Path) -> str:
    """The site portal's index.html relative to the group portal's folder, percent-encoded; "" when absent."""
    index = folder / "index.html"
    if not index.is_file():
        return ""
    rel = os.path.relpath(os.path.abspath(index), os.path.abspath(out))
    return "/".join(quote(part) for part in Path(rel).parts)


def _from_file(file: Path, label: str, folder: Path, out: Path, audience: str) -> tuple[Optional[RolledSite], list[Diagnostic]]:
    real_folder = folder.resolve()
    if not file.resolve().is_relative_to(real_folder):
        return None, [_diag(label, "E373", f"{READINESS} leads outside its folder {folder}; it is not followed",
                            "give the folder that really holds the site's readiness.json")]
    data, diags = read_bytes(file, label, MAX_JSON_BYTES)
    if data is None:
        return None, [d if d.code != "E103" else _diag(label, "E370", f"{READINESS} is over the "
                      f"{MAX_JSON_BYTES}-byte limit", "give a readiness.json isoready built") for d in diags]
    try:
        parsed = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError) as exc:
        why = "nested too deeply" if isinstance(exc, RecursionError) else "not valid UTF-8 JSON"
        return None, [_diag(label, "E370", f"{READINESS} is {why}", "give a readiness.json isoready built")]
    problems = contract_problems(parsed)
    if problems:
        return None, [_diag(label, "E371", f"{READINESS} does not meet the output contract: {'; '.join(problems)}",
                            "rebuild the site with this version of isoready (isoready schema readiness)")]
    if wider(parsed["audience"], audience):
        return None, [_diag(label, "E372", f"{READINESS} was built for the {parsed['audience']} audience, wider "
                            f"than the group portal's {audience}: refused, so nothing it shows leaks",
                            f"roll up a build made with --audience {audience}, or give --audience "
                            f"{parsed['audience']}")]
    link = _link(folder, out)
    return rolled_site(parsed, label, link, "" if link else "no-index"), []


def _from_register(folder: Path, label: str, audience: str, as_of: date) -> tuple[Optional[RolledSite], list[Diagnostic]]:
    from isoready.outputs.export import readiness_dict
    from isoready.package.assemble import prepare
    from isoready.read.options import Options

    opts = Options(root=Path(os.path.abspath(folder)), as_of=as_of, audience=audience, use_cache=False)
    site, _project, diags = prepare(opts)
    named = [Diagnostic(f"{label.rstrip('/')}/{d.path}", d.line, d.column, d.code, d.message, d.hint) for d in diags]
    if site is None:
        return None, named
    return rolled_site(readiness_dict(site.neutral or site.export), label, "", "register"), named  # as its readiness.json


def read_site(arg: str, out: Path, audience: str, as_of: date) -> tuple[Optional[RolledSite], list[Diagnostic]]:
    """One SITE of the command line: a register folder, a folder holding readiness.json, or such a file."""
    path = Path(arg)
    if path.is_dir():
        if (path / READINESS).exists() or (path / READINESS).is_symlink():  # a built site (its evidence/ too)
            return _from_file(path / READINESS, arg, path, out, audience)
        if (path / "content").is_dir() or (path / "evidence").is_dir():
            return _from_register(path, arg, audience, as_of)
    elif path.is_file() and path.suffix.lower() == ".json":  # readiness.json, or a download renamed per site
        return _from_file(path, arg, path.parent, out, audience)
    elif path.exists():
        return None, [_diag(arg, "E373", "neither a register folder nor a built site's readiness.json",
                            "give a register folder, a built site folder or its readiness.json")]
    if not path.exists():
        raise UsageError(f"SITE {arg} does not exist")
    return None, [_diag(arg, "E373", "neither a register folder nor a built site's readiness.json",
                        "give a register folder, a built site folder or its readiness.json")]


def _central(sites: Sequence[RolledSite], name: Optional[str]) -> Optional[int]:
    if not name:
        return None
    found = [i for i, s in enumerate(sites) if s.organisation == name]
    if len(found) != 1:
        raise UsageError(f"--central {name}: {'no site' if not found else 'more than one site'} has that "
                         "organisation name")
    return found[0]


def _refuse_overlap(args: Sequence[str], out: Path) -> None:
    """The group portal may not replace a SITE's folder or hold one (a built site's folder is one isoready
    wrote, so replaceable() alone would let the swap delete it), nor lie in a register's sources."""
    target = Path(os.path.abspath(out)).resolve()
    for arg in args:
        path = Path(arg)
        folder = (path if path.is_dir() else path.parent).resolve()
        if folder.is_relative_to(target):
            raise UsageError(f"refusing to write the group portal to {out}: it would replace SITE {arg}; "
                             "choose another --output")
        if path.is_dir():
            refuse_sources(path, out, "the group portal", "--output")


def rollup(args: Sequence[str], out: Path, audience: str, as_of: date, central: Optional[str] = None,
           same_processes: bool = True) -> RollupResult:
    """Read every SITE (every problem at once), then write the group portal into ``out`` (swapped in)."""
    for arg in args:  # before any register is built
        if looks_like_url(arg):
            raise UsageError(f"SITE {arg} is a URL; rollup reads only local folders and files (download the "
                             "site's readiness.json first, e.g. as a CI artifact)")
    _refuse_overlap(args, out)
    if out.is_symlink() or not replaceable(out):
        raise UsageError(f"refusing to replace {out}: it is not a folder isoready wrote; give another --output")
    sites: list[RolledSite] = []
    diags: list[Diagnostic] = []
    for arg in args:
        site, found = read_site(arg, out, audience, as_of)
        diags += found
        if site is not None:
            sites.append(site)
    if errors(diags) or len(sites) != len(args):
        return RollupResult(False, diags)
    view = rollup_view(sites, audience, as_of.isoformat(), _central(sites, central), same_processes)
    html = environment(PACKAGED_THEME).get_template("rollup.html").render(group=view)
    tmp = temp_dir_for(out.resolve() if out.exists() else Path(os.path.abspath(out)))
    try:
        (tmp / "index.html").write_text(html, encoding="utf-8")
        css = tmp / "theme" / "css"
        css.mkdir(parents=True)
        shutil.copyfile(PACKAGED_THEME / "static" / "css" / "portal.css", css / "portal.css")
        files = ["index.html", "theme/css/portal.css"]
        entries = [{"path": f, "size": (tmp / f).stat().st_size,
                    "sha256": hashlib.sha256((tmp / f).read_bytes()).hexdigest()} for f in files]
        (tmp / MANIFEST).write_text(json.dumps({"generator": "isoready", "kind": "group", "files": entries},
                                               indent=2) + "\n", encoding="utf-8")
        swap_in(tmp, Path(os.path.abspath(out)))
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return RollupResult(True, diags, len(sites), Path(os.path.abspath(out)))
