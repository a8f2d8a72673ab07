"""``isoready init [DIR]``: start a new evidence register in one command.

It writes a register that validates with no errors and builds at once: the organisation's settings, one
clause file per main clause listing every clause of the catalog as ``not-started``, one example document with
its evidence record, an empty findings register, a starter page, the GitHub workflow, a pre-commit hook, a
README, and the JSON Schemas (``.schemas/``) that every YAML file names in its first line, so an editor with
the YAML language server completes and checks keys offline (``.vscode/settings.json`` maps them too).

It never overwrites: when any file it would write exists already, it lists them and writes nothing.
Everything here is pure text made from the answers and a date (``plan``); ``scaffold`` writes it, whole or
not at all: into a hidden folder first, renamed into place (or moved into an existing folder) only when every
file is written. Answers a YAML file could not hold as given (control characters, line separators, bytes
that are not UTF-8) are refused before anything is written.
"""

from __future__ import annotations

import errno
import json
import os
import re
import secrets
import shutil
import subprocess
import textwrap
import unicodedata
from dataclasses import dataclass, replace
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import Optional

from isoready.gitfacts import gitdata
from isoready import version
from isoready.read.catalog import load_catalog
from isoready.core.errors import UsageError
from isoready.cli.install import VENDOR, Requirement
from isoready.model import DEFAULT_STANDARD, STANDARDS, Clause
from isoready.outputs.contract import SCHEMA_FILES, schema_text

SCHEMA_DIR = ".schemas"
#: the scope statement's placeholder, in the words of the standard's system (standard.yaml words: system)
SCOPE_TEXT = ("Describe the scope of your {system} here: the products and services it covers, the sites, and any "
              "clause that does not apply, with why.")


def system_words(standard: str) -> tuple[str, str]:
    """(the standard's name without its edition, its system's words), from its data: "ISO 9001", "quality
    management system"."""
    return standard.rsplit(":", 1)[0], load_catalog(standard).words.get("system") or "management system"


DEFAULT_SCOPE = SCOPE_TEXT.format(system=system_words(DEFAULT_STANDARD)[1])
WORKFLOW = ".github/workflows/portal.yml"
EXAMPLE_ID = "context/qms-scope"

#: how ``init`` adapts this repository's own workflow for a register that installs isoready instead of being it
WORKFLOW_CHANGES = (
    ("# See docs/publishing.md.", "# See docs/publishing.md in the isoready repository."),
    ("cache-dependency-path: pyproject.toml", "cache-dependency-path: requirements.txt"),
    ("python -m pip install -e .", "python -m pip install -r requirements.txt"),
)


class InitRefused(Exception):
    """Files ``init`` would write exist already; nothing was written."""

    def __init__(self, root: Path, existing: list[str]) -> None:
        super().__init__(f"{len(existing)} file(s) exist already")
        self.root, self.existing = root, existing


@dataclass(frozen=True)
class Answers:
    name: str
    scope: str = DEFAULT_SCOPE
    standard: str = DEFAULT_STANDARD


def standard_of(text: str) -> Optional[str]:
    """'ISO 9001:2026', '9001:2026' or '2026' -> the edition's full name; None when unknown."""
    words = text.strip()
    for s in STANDARDS:
        if words in (s, s.split(" ", 1)[-1], s[-4:]):
            return s
    return None


def adapt_workflow(text: str) -> str:
    """This repository's .github/workflows/portal.yml, adapted for a register (a test keeps the shipped copy
    equal to this; ``python3 -m invoke docs`` refreshes it)."""
    for old, new in WORKFLOW_CHANGES:
        if old not in text:
            raise ValueError(f"the workflow no longer contains {old!r}: update init.WORKFLOW_CHANGES")
        text = text.replace(old, new)
    return text


def scaffold_file(name: str) -> str:
    return resources.files("isoready").joinpath("scaffold", name).read_text(encoding="utf-8")


#: the folder of ready-to-copy records ``init`` writes; validate reads only evidence/ and content/, never this
TEMPLATES = "templates"


def template_files() -> dict[str, str]:
    """The ready-to-copy records (package data, isoready/scaffold/templates/): file name -> text."""
    folder = resources.files("isoready").joinpath("scaffold", "templates")
    return {entry.name: entry.read_text(encoding="utf-8")
            for entry in sorted(folder.iterdir(), key=lambda e: e.name) if entry.name.endswith((".yaml", ".md"))}


# --------------------------------------------------------------------------- the files


def _q(text: str) -> str:
    """A YAML scalar that reads back as exactly ``text`` (JSON strings are YAML double-quoted scalars)."""
    return json.dumps(text, ensure_ascii=False)


def _block(key: str, text: str) -> str:
    """``key: "text"``, or a literal block (long lines wrapped: the value is Markdown) when it is long."""
    lines = text.strip("\n").splitlines() or [""]
    if len(lines) == 1 and len(key) + len(_q(lines[0])) < 100:
        return f"{key}: {_q(lines[0])}\n"
    wrapped = [part for line in lines for part in (textwrap.wrap(line, 100, break_long_words=False,
                                                                 break_on_hyphens=False) or [""])]
    return f"{key}: |\n" + "".join(f"  {line}\n" if line.strip() else "\n" for line in wrapped)


def modeline(rel: str, schema: str) -> str:
    """``# yaml-language-server: $schema=...`` with a path relative to the file ``rel``."""
    up = "../" * rel.count("/")
    return f"# yaml-language-server: $schema={up}{SCHEMA_DIR}/{SCHEMA_FILES[schema]}\n"


def clause_file_name(main: Clause) -> str:
    word = re.sub(r"[^a-z0-9]+", "-", (main.title or main.label or "clause").lower()).strip("-").split("-")[0]
    return f"content/clauses/{main.number}-{word}.yaml"


def _title(c: Clause) -> str:
    return c.title or f"{c.label} (label ours)"


def organisation_yaml(a: Answers) -> str:
    rel = "content/organisation.yaml"
    return (modeline(rel, "organisation") +
            "# The organisation's settings: docs/format.md in the isoready repository lists every key.\n"
            + _block("name", a.name) + _block("scope", a.scope) + f"standard: {_q(a.standard)}\n"
            "# Once the certification audits are booked, the portal counts down to them and judges the gates on\n"
            "# those dates:\n"
            "# audits:\n#   stage1: 2027-01-19\n#   stage2: 2027-03-02\n"
            "# certification_body: Name of your certification body\n")


def clause_yaml(main: Clause, leaves: list[Clause], today: date) -> str:
    rel = clause_file_name(main)
    first = leaves[0].number
    target = today + timedelta(days=90)
    lines = [modeline(rel, "assessment"),
             f"# Clause {main.number}, {_title(main)}: how far each clause is implemented, and what supports it.\n",
             "# status: not-started, planned, in-progress, implemented, verified or not-applicable (which needs a\n",
             "# justification). An entry once work has started looks like this:\n",
             "#\n",
             f'# - clause: "{first}"\n',
             "#   status: in-progress\n",
             "#   owner: Quality Manager\n",
             f"#   target: {target.isoformat()}\n",
             f"#   evidence: [{EXAMPLE_ID}]\n",
             "#   notes: What is done, and what is left to do.\n",
             "#\n"]
    for c in leaves:
        lines.append(f'- clause: "{c.number}"  # {_title(c)}\n  status: not-started\n')
    return "".join(lines)


def _next_year(d: date) -> date:
    try:
        return d.replace(year=d.year + 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year + 1, day=28)


def evidence_yaml(today: date, scope: str, system: str) -> str:
    """The example evidence record: the scope document, on the clause the standard's data names for it."""
    rel = f"evidence/{EXAMPLE_ID}.yaml"
    return (modeline(rel, "evidence") +
            "# One evidence record: what it is, which clauses it supports, and the file (next to this one).\n"
            "# Its id is its path under evidence/ without the extension: context/qms-scope.\n"
            f"title: Scope of the {system}\n"
            "kind: document\n"
            f'clauses: ["{scope}"]\n'
            "file: qms-scope.md\n"
            "owner: Quality Manager\n"
            f"date: {today.isoformat()}\n"
            f"review_by: {_next_year(today).isoformat()}\n"
            'version: "0.1"\n'
            "audience: auditor\n")


def scope_document(a: Answers, system: str) -> str:
    return (f"# Scope of the {system}\n\n{a.name}\n\n{a.scope.strip()}\n\n"
            "## Clauses that do not apply\n\nNone yet. Name each one here with the reason, and mark it\n"
            "`not-applicable` with a `justification:` in content/clauses/.\n")


def findings_yaml(document_control: str) -> str:
    """The example finding (commented out), on the standard's document control clause."""
    rel = "content/findings/findings.yaml"
    return (modeline(rel, "finding") +
            "# Findings from audits and reviews, one entry each. None yet. An entry looks like this:\n"
            "#\n"
            "# - id: IA-2027-01\n"
            f'#   clauses: ["{document_control}"]\n'
            "#   grade: minor\n"
            "#   status: open\n"
            "#   raised: 2027-02-01\n"
            "#   due: 2027-03-31\n"
            "#   description: Two superseded work instructions were found at a machine.\n"
            "#   corrective_action: Withdraw old copies on each new issue.\n"
            "[]\n")


def starter_page(a: Answers, family: str) -> str:
    return ("Title: About this portal\n"
            "Slug: about\n"
            "Audience: public\n\n"
            f"This portal shows how ready **{a.name}** is for its {family} certification audit, clause by clause,\n"
            "with every claim linked to its evidence. It is built from the evidence register kept in our git\n"
            "repository.\n\n"
            "Edit this page in `content/pages/about.md`; add more pages next to it.\n")


def gitignore() -> str:
    return "# built by isoready\noutput/\n.cache/\ndist/\n# the virtual environment\n.venv/\n"


def requirements(req: "Requirement") -> str:
    return ("# What CI installs (the workflow) and what you install locally, from this folder:\n"
            "#   pip install -r requirements.txt\n"
            + "".join(f"# {line}\n" for line in textwrap.wrap(req.comment, 108))
            + f"{req.line}\n")


def precommit_config() -> str:
    return ("# pre-commit (https://pre-commit.com): pip install pre-commit && pre-commit install\n"
            "# Each commit that changes evidence/ or content/ is validated first, as staged (what the commit\n"
            "# records, not the working tree); an error stops the commit.\n"
            "# This hook uses the isoready you installed (pip install -r requirements.txt, same version as CI).\n"
            "# Instead, pre-commit can install isoready itself from the isoready repository, which carries\n"
            "# .pre-commit-hooks.yaml:\n"
            "#   - repo: <URL of the isoready repository>\n"
            f"#     rev: v{version()}\n"
            "#     hooks:\n"
            "#       - id: isoready-validate\n"
            "#         # args: [--strict]   # stop on warnings too\n"
            "repos:\n"
            "  - repo: local\n"
            "    hooks:\n"
            "      - id: isoready-validate\n"
            "        name: isoready validate\n"
            "        entry: isoready validate --staged\n"
            "        language: system\n"
            "        files: ^(evidence|content)/\n"
            "        pass_filenames: false\n")


def vscode_settings() -> str:
    schemas = {f"{SCHEMA_DIR}/{SCHEMA_FILES['organisation']}": ["content/organisation.yaml"],
               f"{SCHEMA_DIR}/{SCHEMA_FILES['evidence']}": ["evidence/**/*.yaml", "evidence/**/*.yml"],
               f"{SCHEMA_DIR}/{SCHEMA_FILES['assessment']}": ["content/clauses/*.yaml", "content/clauses/*.yml"],
               f"{SCHEMA_DIR}/{SCHEMA_FILES['finding']}": ["content/findings/*.yaml", "content/findings/*.yml"]}
    return json.dumps({"yaml.schemas": schemas}, indent=2) + "\n"


def readme(a: Answers, req: Requirement, family: str) -> str:
    vendored = (f"- `{VENDOR}/`: the isoready wheel `requirements.txt` names; commit it (CI installs from it).\n"
                if req.wheel else "")
    return (f"# {a.name}: {family} evidence register\n\n"
            f"This repository holds the evidence register of {a.name} for {a.standard}, kept in YAML and built\n"
            "into a certification readiness portal by isoready.\n\n"
            "## isoready\n\n"
            "`requirements.txt` says which isoready you and CI install, with one line:\n\n"
            f"    {req.line}\n\n"
            + "".join(f"{line}\n" for line in textwrap.wrap(req.comment, 108)) + "\n"
            "To upgrade, install the new isoready and replace that line the same way (from the package index:\n"
            "`isoready==VERSION`; from git: `isoready @ git+https://...@COMMIT`; a wheel: its path under\n"
            f"`{VENDOR}/`).\n\n"
            "## Layout\n\n"
            "- `content/organisation.yaml`: name, scope, edition, audit dates.\n"
            "- `content/clauses/`: one file per main clause; each clause's status, owner and target.\n"
            "- `content/findings/`: findings from audits and reviews.\n"
            "- `content/pages/`: pages you write in Markdown (`Title:`, `Slug:`, `Audience:` first).\n"
            "- `evidence/`: policies, procedures and records, each with a YAML record saying what it supports.\n"
            "- `templates/`: ready-to-copy records (a policy, a procedure, a calibration certificate, training,\n"
            "  an internal audit, a management review, a supplier evaluation, a finding, a clause assessment).\n"
            "  Each says where to save it. The portal never reads this folder.\n"
            "- `.schemas/`: JSON Schemas your editor uses to complete and check the YAML (refresh them with\n"
            "  `isoready schema --write .schemas` after upgrading isoready).\n"
            + vendored + "\n"
            "## Work on it\n\n"
            "From this folder (the repository's root; its default branch is `main`):\n\n"
            "```sh\n"
            "python3 -m venv .venv && . .venv/bin/activate\n"
            "pip install -r requirements.txt pre-commit\n"
            "pre-commit install          # validate every commit that touches evidence/ or content/\n"
            "isoready validate           # every problem, with file, line and fix\n"
            "isoready serve              # the portal on http://127.0.0.1:8000/, rebuilt as you edit\n"
            "```\n\n"
            "Change things through pull requests: the workflow in `.github/workflows/portal.yml` installs\n"
            "`requirements.txt` as above, validates each pull request and publishes the portal to GitHub Pages\n"
            "from the repository's default branch, whatever it is called (Settings -> Pages -> Source: GitHub\n"
            "Actions). Only records marked `audience: public` are published there. Every run also keeps the\n"
            "team's own portal, with every record, as a download: on a pull request, follow the link at the end\n"
            "of the readiness comment; otherwise the run's page in the Actions tab, under Artifacts\n"
            "(`team-portal-internal`). Unzip it and open `index.html`. Anyone who can read this repository can\n"
            "download it: keep the repository private.\n")


def plan(answers: Answers, today: date, req: Requirement) -> dict[str, str | bytes]:
    """Every file ``init`` writes: path relative to the register -> text (or bytes: a vendored wheel)."""
    catalog = load_catalog(answers.standard)
    family, system = system_words(answers.standard)  # the words of the project's standard (its data)
    if answers.scope == DEFAULT_SCOPE:  # the placeholder, in the words of this standard's system
        answers = replace(answers, scope=SCOPE_TEXT.format(system=system))
    files: dict[str, str] = {"content/organisation.yaml": organisation_yaml(answers)}
    for main in catalog.mains:
        leaves = [catalog[n] for n in catalog.leaves_under(main.number)]
        files[clause_file_name(main)] = clause_yaml(main, leaves, today)
    files["content/findings/findings.yaml"] = findings_yaml(catalog.role("document_control"))
    files["content/pages/about.md"] = starter_page(answers, family)
    files[f"evidence/{EXAMPLE_ID}.yaml"] = evidence_yaml(today, catalog.role("scope"), system)
    files[f"evidence/{EXAMPLE_ID}.md"] = scope_document(answers, system)
    for name, filename in SCHEMA_FILES.items():
        files[f"{SCHEMA_DIR}/{filename}"] = schema_text(name)
    files[WORKFLOW] = scaffold_file("portal.yml")
    files["requirements.txt"] = requirements(req)
    if req.wheel:
        files[req.wheel[0]] = req.wheel[1]
    files[".gitignore"] = gitignore()
    files[".pre-commit-config.yaml"] = precommit_config()
    files[".vscode/settings.json"] = vscode_settings()
    files["README.md"] = readme(answers, req, family)
    for name, text in template_files().items():
        files[f"{TEMPLATES}/{name}"] = text
    return files


def existing(root: Path, files: dict[str, str | bytes]) -> list[str]:
    """The files of the plan that exist already (or whose folder is a file)."""
    found = []
    for rel in files:
        path = root / rel
        if path.exists() or path.is_symlink() or any(p.exists() and not p.is_dir() for p in path.parents):
            found.append(rel)
    return found


def _unwritable(text: str, newlines: bool) -> Optional[str]:
    """Why ``text`` cannot be written into the register's YAML as it is, or None: a byte that was not UTF-8
    (the command line hands those over as lone surrogates), a control character, or a line or paragraph
    separator (YAML breaks a line there, so the name would read back changed)."""
    for ch in text:
        category = unicodedata.category(ch)
        if category == "Cs":
            raw = ch.encode("utf-8", "surrogateescape") if 0xDC80 <= ord(ch) <= 0xDCFF else None
            return f"a byte that is not UTF-8 (0x{raw.hex()})" if raw else f"a lone surrogate U+{ord(ch):04X}"
        if newlines and ch in "\n\t":
            continue
        if category in ("Cc", "Zl", "Zp") or ch in "\ufeff\ufffe\uffff":
            kind = {"Zl": "a line separator", "Zp": "a paragraph separator"}.get(category, "a control character")
            return f"U+{ord(ch):04X} ({kind})"
    return None


def check_answers(answers: Answers) -> None:
    """Refuse, before anything is written, answers the register's files could not hold as given."""
    for what, option, text, newlines in (("organisation's name", "--name", answers.name, False),
                                         ("scope", "--scope", answers.scope, True)):
        why = _unwritable(text, newlines)
        if why:
            raise UsageError(f"the {what} holds {why}, which the register's YAML cannot hold as written: give "
                             f"{option} without it; nothing was written")


def _write(path: Path, text: str | bytes) -> None:
    if isinstance(text, bytes):
        with open(path, "xb") as fh:  # "x": never replace, even in a race
            fh.write(text)
        return
    with open(path, "x", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


#: what link() says on a file system without hard links (then a file is renamed instead)
_NO_HARD_LINKS = {errno.EPERM, errno.EXDEV, errno.EMLINK, errno.ENOSYS, errno.ENOTSUP,
                  getattr(errno, "EOPNOTSUPP", errno.ENOTSUP)}


def _stage_dir(parent: Path, name: str) -> Path:
    """A new, empty, hidden folder in ``parent`` (made with the umask's permissions, as the register's own)."""
    while True:
        path = parent / f".{name}.isoready-init-{secrets.token_hex(4)}"
        try:
            path.mkdir()
            return path
        except FileExistsError:  # pragma: no cover - 32 random bits
            continue


def _move_in(src: Path, dst: Path, moved: list[tuple[Path, Path]]) -> None:
    """Move every entry of ``src`` into ``dst``, merging into folders that exist there, replacing nothing;
    ``moved`` records each move (to undo it)."""
    for entry in sorted(src.iterdir()):
        target = dst / entry.name
        if entry.is_dir() and target.is_dir() and not target.is_symlink():
            _move_in(entry, target, moved)
            continue
        if os.path.lexists(target):
            raise FileExistsError(errno.EEXIST, "exists already", str(target))
        if entry.is_dir():
            os.rename(entry, target)
        else:
            try:
                os.link(entry, target)  # fails, rather than replaces, should the name appear meanwhile
                os.unlink(entry)
            except OSError as exc:
                if exc.errno not in _NO_HARD_LINKS:
                    raise
                os.rename(entry, target)  # a file system without hard links
        moved.append((target, entry))


def scaffold(root: Path, answers: Answers, today: date, req: Requirement) -> list[str]:
    """Write the register into ``root``, whole or not at all: every file is written into a hidden folder first
    (beside ``root`` when it does not exist yet, inside it when it does), which is then renamed into place
    (or, for an existing folder, whose entries are moved into it). Raises InitRefused, writing nothing, when
    any file exists, and UsageError, leaving nothing behind, when an answer cannot be written or a write
    fails."""
    check_answers(answers)
    files = plan(answers, today, req)
    if root.is_symlink() and not root.exists():
        raise UsageError(f"{root} is a symbolic link to {os.readlink(root)}, which does not exist: remove the link "
                         "or init elsewhere; nothing was written")
    if root.exists() and not root.is_dir():
        raise UsageError(f"{root} is not a folder")
    taken = existing(root, files) if root.exists() else []
    if taken:
        raise InitRefused(root, taken)
    fresh = not root.exists()
    target = Path(os.path.abspath(root))
    made: list[Path] = []  # parent folders this run created, removed again on failure
    for folder in reversed(target.parents):
        if not folder.exists():
            try:
                folder.mkdir()
            except OSError as exc:
                _undo([], None, made)
                raise UsageError(f"cannot create {folder}: {exc.strerror or exc}; nothing was written")
            made.append(folder)
    stage, moved = None, []
    what = f"cannot create a folder in {target.parent if fresh else target}"
    try:
        stage = _stage_dir(target.parent if fresh else target, target.name or "register")
        for rel, text in files.items():
            what = f"cannot write {rel}"
            path = stage / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            _write(path, text)
        what = f"cannot move the register into {root}"
        if fresh:
            os.rename(stage, target)  # the register appears whole, in one step
            stage = None
        else:
            _move_in(stage, target, moved)
    except BaseException as exc:
        _undo(moved, stage, made)
        if isinstance(exc, OSError):
            raise UsageError(f"{what}: {exc.strerror or exc}; nothing was written") from exc
        raise
    if stage is not None:
        shutil.rmtree(stage, ignore_errors=True)
    return list(files)


def _undo(moved: list[tuple[Path, Path]], stage: Optional[Path], made: list[Path]) -> None:
    """Put back what a failed ``scaffold`` moved, delete its staging folder and the folders it created."""
    for target, entry in reversed(moved):
        try:
            os.rename(target, entry)
        except OSError:  # pragma: no cover - best effort: the staging folder holds the rest
            pass
    if stage is not None:
        shutil.rmtree(stage, ignore_errors=True)
    for folder in reversed(made):
        try:
            folder.rmdir()
        except OSError:  # pragma: no cover - not empty any more: someone else uses it now
            pass


#: the branch a new register starts on: what docs/workflow.md and the register's README name
BRANCH = "main"


def inside_git(root: Path) -> bool:
    """Whether ``root`` is in a git work tree already (its own, or a folder of a larger repository's)."""
    git = shutil.which("git")
    if git is None:
        return False
    proc = subprocess.run([git, "-C", str(root), "rev-parse", "--git-dir"], capture_output=True, text=True,
                          timeout=60, env=gitdata.git_env())
    return proc.returncode == 0


def init_git(root: Path) -> Optional[str]:
    """Make ``root`` a git repository whose first branch is ``main``, whatever git's own default
    (``init.defaultBranch``; ``master`` on stock git before 3.0). ``git symbolic-ref`` names the unborn branch,
    which every git version can do (``git init -b`` needs 2.28). None when done, else why not."""
    git = shutil.which("git")
    if git is None:
        return "git is not installed"
    if inside_git(root) or os.path.lexists(root / ".git"):
        return "it is inside a git repository already"
    for args in (["init", "-q", str(root)], ["-C", str(root), "symbolic-ref", "HEAD", f"refs/heads/{BRANCH}"]):
        try:
            proc = subprocess.run([git, *args], capture_output=True, text=True, timeout=60, env=gitdata.git_env())
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"git {args[0]} failed: {exc}"
        if proc.returncode != 0:
            return f"git {' '.join(args[:1] if args[0] == 'init' else args[2:3])} failed: " + (
                proc.stderr.strip().splitlines() or ["no message"])[-1]
    return None
