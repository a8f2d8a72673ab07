"""Links from the portal back to the register's files on its git host (organisation.yaml ``repository:``).

In the manner of MkDocs' ``repo_url``/``edit_uri``: GitHub's and GitLab's URL forms are built in, and the
``edit_uri``, ``view_uri`` and ``new_uri`` patterns cover other hosts. Every value put into a link (the branch,
a file's path, a folder, a new file's name and text) is data: path segments and query values are
percent-encoded, so none can end the address, add a query or leave the attribute it is printed in.

Sources looked up for the forms (issue 22): MkDocs' configuration guide (repo_url, edit_uri: relative to the
repository's address, query and '#' allowed; https://www.mkdocs.org/user-guide/configuration); GitHub's new-file
page takes ``filename`` and ``value`` (isaacs/github issue 1527; go-gitea/gitea pull request 16556 copies it
"just like GitHub"); GitLab's takes ``file_name`` and ``content`` (kricsleo/kric.cc src/content/posts/tips.md;
un-ts/changesets-gitlab issue 178 reports a GitLab 16.11 that ignored them: the page then opens in the right
folder, empty).

This module makes addresses and the new record's YAML text; views decide where (and for which audience) they
appear, templates only print them. It imports only the model.
"""

from __future__ import annotations

import re
from calendar import monthrange
from functools import lru_cache
from dataclasses import dataclass
from datetime import date
from typing import Optional
from urllib.parse import quote, urlsplit

from isoready.model import Repository

#: the placeholders a pattern may hold
PLACEHOLDERS = ("branch", "path", "folder", "filename", "content")
#: what each pattern must hold
NEEDS = {"edit_uri": "path", "view_uri": "path", "new_uri": "folder"}
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
#: characters a pattern may never hold: they would end the address or the HTML attribute it is printed in
_UNSAFE = re.compile(r"[\s\"'<>\\`^|]|[\x00-\x1f\x7f]")

#: the built-in forms, relative to the repository's address (GitHub; GitLab's pages live under "-/")
GITHUB = {"edit_uri": "edit/{branch}/{path}", "view_uri": "blob/{branch}/{path}",
          "new_uri": "new/{branch}/{folder}?filename={filename}&value={content}"}
GITLAB = {"edit_uri": "-/edit/{branch}/{path}", "view_uri": "-/blob/{branch}/{path}",
          "new_uri": "-/new/{branch}/{folder}?file_name={filename}&content={content}"}


def host_forms(url: str) -> dict[str, str]:
    """The built-in patterns for ``url``'s host: github.com and github.* hosts (GitHub Enterprise), gitlab.com
    and gitlab.* hosts (self-managed GitLab); {} for any other host."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "github.com" or host.startswith("github."):
        return GITHUB
    if host == "gitlab.com" or host.startswith("gitlab."):
        return GITLAB
    return {}


def url_problem(url: str) -> str:
    """Why ``url`` cannot be the repository's address ("" when it can)."""
    if _UNSAFE.search(url):
        return "it holds a space, quote or other character an address cannot hold"
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return "it is not an http or https address with a host"
    if parts.username is not None or parts.password is not None:
        return "it holds a user name or password, which the portal would publish"
    if parts.query or parts.fragment or "?" in url or "#" in url:
        return "it holds a query or '#' part"
    return ""


def pattern_problem(pattern: str, key: str) -> str:
    """Why ``pattern`` (the value of ``key``: edit_uri, view_uri or new_uri) cannot make a safe link ("" when
    it can)."""
    if _UNSAFE.search(pattern):
        return "it holds a space, quote or other character an address cannot hold"
    unknown = [name for name in _PLACEHOLDER.findall(pattern) if name not in PLACEHOLDERS]
    if unknown:
        return f"'{{{unknown[0]}}}' is not a placeholder (use {', '.join('{' + p + '}' for p in PLACEHOLDERS)})"
    if "{" in _PLACEHOLDER.sub("", pattern) or "}" in _PLACEHOLDER.sub("", pattern):
        return "it has a '{' or '}' that opens or closes no placeholder"
    if "{" + NEEDS[key] + "}" not in pattern:
        return f"it has no {{{NEEDS[key]}}}, so every link would open the same page"
    scheme = urlsplit(pattern).scheme.lower() if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", pattern) else ""
    if scheme and (scheme not in ("http", "https") or not urlsplit(pattern).hostname):
        return "a full address must start with http:// or https:// and name a host"
    return ""


#: bounded memo sizes: an "Add evidence" link is made per clause on every record's page (the same few texts
#: thousands of times), and serve makes every link again on each rebuild; profiled at 10,000 records, encoding
#: them anew was 2.4 s of a 6.8 s serve update (issue 23)
_MEMO = 1 << 15


@lru_cache(maxsize=_MEMO)
def _part(part: str) -> str:
    return quote(part, safe="")


def _segments(path: str) -> str:
    """A path, each segment percent-encoded ('/' kept between them)."""
    return "/".join(_part(part) for part in path.split("/"))


@lru_cache(maxsize=_MEMO)
def _filled(pattern: str, base: str, branch: str, path: str, folder: str, filename: str, content: str) -> str:
    """``pattern`` with its placeholders filled (each value encoded), made absolute on ``base`` unless it is."""
    values = {"branch": branch, "path": path, "folder": folder, "filename": filename, "content": content}
    encoded = {}
    for name in _PLACEHOLDER.findall(pattern):  # only what the pattern holds: the new-file text is long
        if name not in encoded:
            encoded[name] = (_segments(values[name]) if name in ("branch", "path", "folder")
                             else quote(values[name], safe=""))
    filled = _PLACEHOLDER.sub(lambda m: encoded[m.group(1)], pattern)
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", pattern):
        return filled
    return base.rstrip("/") + "/" + filled.lstrip("/")


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months (the last day of a shorter month when the day is past it)."""
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


@dataclass(frozen=True)
class RepoLinks:
    """The links one build shows: made from ``repository:`` for an audience that may see them."""

    repo: Repository
    patterns: dict[str, str]

    def _fill(self, key: str, values: dict[str, str]) -> str:
        pattern = self.patterns.get(key)
        if not pattern:
            return ""
        return _filled(pattern, self.repo.url, self.repo.branch, values.get("path", ""), values.get("folder", ""),
                       values.get("filename", ""), values.get("content", ""))

    def _in_repo(self, path: str) -> str:
        return f"{self.repo.folder.strip('/')}/{path}" if self.repo.folder.strip("/") else path

    def edit(self, path: str) -> str:
        """The host's edit page of ``path`` (relative to the project), or ""."""
        return self._fill("edit_uri", {"path": self._in_repo(path)})

    def view(self, path: str) -> str:
        """The host's page showing ``path`` (relative to the project), or ""."""
        return self._fill("view_uri", {"path": self._in_repo(path)})

    def new(self, folder: str, filename: str, content: str) -> str:
        """The host's new-file page in ``folder`` (relative to the project), the name and text filled in, or ""."""
        return self._fill("new_uri", {"folder": self._in_repo(folder), "filename": filename, "content": content})


def for_audience(repo: Optional[Repository], audience: str) -> Optional[RepoLinks]:
    """The links a build for ``audience`` shows: internal builds always (when ``repository:`` is set), auditor
    and public builds only when ``links:`` names them. None: this build shows no link back to the files."""
    if repo is None or (audience != "internal" and audience not in repo.links):
        return None
    patterns = dict(host_forms(repo.url))
    for key in NEEDS:
        own = getattr(repo, key)
        if own:
            patterns[key] = own
    return RepoLinks(repo, patterns) if patterns else None


def _yaml_text(value: str) -> str:
    """``value`` as a double-quoted YAML scalar (JSON's escapes are YAML's)."""
    out = value.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in out) + '"'


@lru_cache(maxsize=1024)
def evidence_template(number: str, name: str, kind: str, as_of: date, months: int, document: str) -> str:
    """A new evidence record for clause ``number``, ready to save: the title to change, ``kind``, the clause,
    ``date`` (the build's as-of date), ``review_by`` (``months`` later) and ``file`` (the document to upload
    beside it). Plain-words comments say what to change."""
    return (
        f"# New evidence for clause {number} {name}.\n"
        f"# 1. Change the title to say what the record is.\n"
        f"# 2. Upload the document beside this file as {document} (or change 'file' to its name).\n"
        f"# 3. Check the dates: date is when it was issued or recorded, review_by when it is next due.\n"
        f"title: {_yaml_text(f'Evidence for {number} {name}')}\n"
        f"kind: {kind}\n"
        f"clauses: [{_yaml_text(number)}]\n"
        f"date: {as_of.isoformat()}\n"
        f"review_by: {add_months(as_of, months).isoformat()}\n"
        f"file: {_yaml_text(document)}\n")
