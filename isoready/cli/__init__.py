"""Command line: ``python -m isoready COMMAND`` (the invoke tasks call the same functions).

Exit codes: 0 clean, 1 problems found (errors, or warnings under --strict),
2 usage or internal error.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from contextlib import ExitStack
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Optional, Sequence

from isoready import standards
from isoready.core.diagnostics import errors, report
from isoready.core.errors import IsoreadyError, UsageError
from isoready.model import AUDIENCES, DEFAULT_STANDARD, STANDARDS

#: ``isoready schema KIND``: the kinds, as the files are named in isoready/schemas/
SCHEMA_KINDS = {"organisation": "organisation", "evidence": "evidence", "clauses": "assessment",
                "findings": "finding", "page": "page", "readiness": "readiness"}

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl+C


Usage = UsageError  # the name this module has always raised


AS_OF_MIN, AS_OF_MAX = date(1900, 1, 1), date(9999, 12, 31)


def default_as_of() -> date:
    """Today, or the date of SOURCE_DATE_EPOCH when set (reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            day = datetime.fromtimestamp(int(epoch), tz=timezone.utc).date()
        except (ValueError, OverflowError, OSError):
            raise Usage(f"SOURCE_DATE_EPOCH must be a whole number of seconds, not '{epoch}'")
        if not AS_OF_MIN <= day <= AS_OF_MAX:
            raise Usage(f"SOURCE_DATE_EPOCH must give a date between {AS_OF_MIN} and {AS_OF_MAX}, not {day}")
        return day
    return date.today()


def parse_as_of(text: Optional[str]) -> date:
    if not text:
        return default_as_of()
    try:
        if len(text) != 10 or text[4] != "-" or text[7] != "-":
            raise ValueError(text)
        day = date.fromisoformat(text)
    except ValueError:
        raise Usage(f"--as-of must be a date written YYYY-MM-DD, not '{text}'")
    if not AS_OF_MIN <= day <= AS_OF_MAX:
        raise Usage(f"--as-of must lie between {AS_OF_MIN} and {AS_OF_MAX}, not '{text}'")
    return day


def _common(p: argparse.ArgumentParser, audience_default: str = "auditor", audience: bool = True) -> None:
    p.add_argument("--root", default=".", help="project folder holding evidence/ and content/ (default: .)")
    p.add_argument("--as-of", metavar="YYYY-MM-DD",
                   help="the date readiness is judged on (default: today, or SOURCE_DATE_EPOCH when set)")
    p.add_argument("--strict", action="store_true", help="treat warnings (stale evidence, unlinked files) as errors")
    p.add_argument("--format", choices=("text", "github"), default="text",
                   help="diagnostics as text lines or as GitHub Actions annotations")
    p.add_argument("--max-yaml-bytes", type=int, default=1024 * 1024, metavar="N",
                   help="refuse YAML files larger than N bytes (default: 1 MiB)")
    p.add_argument("--max-markdown-bytes", type=int, default=None, metavar="N",
                   help="show Markdown texts and documents larger than N bytes as plain text, with a warning "
                        "(W108) (default: 512 KiB)")
    if audience:
        p.add_argument("--audience", choices=AUDIENCES, default=audience_default,
                       help=f"who the site is for: records above this audience are left out (default: {audience_default})")


def _language(p: argparse.ArgumentParser) -> None:
    from isoready.core.i18n import LANGUAGES

    p.add_argument("--language", choices=LANGUAGES, default=None,
                   help="the language the portal, its workbook and its report speak (default: organisation.yaml's "
                        "language:, else en); readiness.json stays in codes")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="isoready",
        description="Build an ISO 9001 certification readiness portal from an evidence register kept in YAML.",
        epilog="Exit codes: 0 clean, 1 problems found (or warnings under --strict), 2 usage or internal error.")
    from isoready import version

    parser.add_argument("--version", action="version", version=f"isoready {version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("build", help="validate, then build the site into output/ (replaced only when complete)")
    _common(p)
    _language(p)
    p.add_argument("--output", help="site folder (default: ROOT/output)")
    p.add_argument("--no-cache", action="store_true",
                   help="a cold build: reuse nothing from ROOT/.cache/isoready (the cache is still written)")
    p.add_argument("--force", action="store_true",
                   help="replace the output folder even if it is not a site isoready built (it is deleted)")

    p = sub.add_parser("validate", help="check the project and print diagnostics; writes nothing")
    _common(p, audience=False)
    p.add_argument("--summary", metavar="FILE", help="also append a Markdown readiness summary to FILE "
                   "(e.g. $GITHUB_STEP_SUMMARY)")
    p.add_argument("--audience", choices=AUDIENCES, default="auditor",
                   help="who the summary is for: it names nothing the portal built for this audience hides "
                        "(default: auditor)")
    p.add_argument("--staged", action="store_true", help="validate what git has staged for the next commit "
                   "(the index, checked out into a temporary folder), not the working tree; the pre-commit hook "
                   "runs this")

    p = sub.add_parser("serve", help="serve on localhost, build a preview, rebuild and reload the open page when "
                                     "evidence/, content/, theme/ or pelicanconf.py change")
    _common(p, audience_default="internal")
    _language(p)
    p.add_argument("--output", help="preview folder (default: ROOT/.cache/isoready/preview, so output/ is never "
                                    "replaced by a preview)")
    p.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (default: 8000)")
    p.add_argument("--open", action="store_true", help="open the portal in a browser")

    p = sub.add_parser("archive", help="build the site and zip it for offline use (file://) into dist/")
    _common(p)
    _language(p)
    p.add_argument("--dist", help="folder for the zip (default: ROOT/dist)")

    p = sub.add_parser("report", help="print the readiness report to PDF with headless Chromium")
    _common(p)
    _language(p)
    p.add_argument("--pdf", help="the PDF file to write (default: ROOT/dist/<organisation>-...-report.pdf)")
    p.add_argument("--output", help="site folder, built with report.pdf in it (default: ROOT/output)")

    p = sub.add_parser("verify", help="check a site folder or archive against its manifest (sizes and SHA-256)")
    p.add_argument("path", help="a built site folder or an archive .zip")

    p = sub.add_parser("history", help="readiness at each commit that changed evidence/ or content/, read from "
                                       "the git objects (no checkout); cached in ROOT/.cache/isoready")
    p.add_argument("--root", default=".", help="project folder holding evidence/ and content/ (default: .)")
    p.add_argument("--since", metavar="REF|DATE", help="only commits after this tag, branch or commit, or on or "
                   "after this date YYYY-MM-DD")
    p.add_argument("--every", choices=("commit", "day", "week"), default="commit",
                   help="one point per commit, or the last commit of each day or ISO week (default: commit)")
    p.add_argument("--output", metavar="FILE", help="write history.json there (default: print a table)")

    p = sub.add_parser("diff", help="what changed in readiness between two commits: clauses, evidence, findings, "
                                    "gates and the figures before and after")
    p.add_argument("a", metavar="A", help="the earlier tag, branch or commit (e.g. audit-2026-09)")
    p.add_argument("b", metavar="B", help="the later one (e.g. HEAD)")
    p.add_argument("--root", default=".", help="project folder holding evidence/ and content/ (default: .)")
    p.add_argument("--format", choices=("text", "markdown", "json"), default="text",
                   help="text, Markdown (job summary, pull request comment) or JSON (default: text)")
    p.add_argument("--as-of", metavar="YYYY-MM-DD",
                   help="judge both sides on this date (default: each on its own commit's date)")

    p = sub.add_parser("migrate", help="move the project to another edition of ISO 9001: rewrite the clause "
                       "numbers the mapping carries over, set standard:, list what it cannot decide")
    p.add_argument("--to", required=True, metavar="EDITION", help='the edition to move to, e.g. "ISO 9001:2026"')
    p.add_argument("--root", default=".", help="project folder holding evidence/ and content/ (default: .)")

    p = sub.add_parser("clean", help="remove output/, leftovers of interrupted builds, and the build cache")
    p.add_argument("--root", default=".")
    p.add_argument("--output", help="site folder (default: ROOT/output)")

    p = sub.add_parser("init", help="start a new register in DIR: settings, one file per main clause, an example, "
                       "workflow, pre-commit hook, JSON Schemas, a requirements.txt that installs this isoready "
                       "(a wheel in vendor/ when it came from a local path); a git repository on main; never "
                       "overwrites a file")
    p.add_argument("dir", nargs="?", default=".", metavar="DIR", help="the register's folder (default: .)")
    p.add_argument("--name", help="the organisation's name (asked when missing and run in a terminal)")
    p.add_argument("--scope", help="the scope statement (default: a placeholder to replace)")
    p.add_argument("--standard", metavar="EDITION",
                   help=f"the edition to assess against: {' or '.join(STANDARDS)} (default: {DEFAULT_STANDARD}); "
                   "the year alone is enough")
    p.add_argument("--yes", action="store_true", help="ask nothing: take the defaults for what is missing "
                   "(name: the folder's name)")

    p = sub.add_parser("rollup", help="a group portal from several sites: each SITE a register folder, a built "
                                      "site folder or its readiness.json (no URLs)",
                       description="Build a static group portal: each site's stage verdicts, readiness, blockers, "
                                   "open findings and a link to its portal, with the certification body's combined "
                                   "sampling plan (indicative). A register is built in memory for --audience; a "
                                   "readiness.json built for a wider audience is refused (E372). Each SITE counts as one site: the "
                                   "sample is drawn from x, the SITEs other than the one --central names (all of "
                                   "them when none is named).")
    p.add_argument("sites", nargs="+", metavar="SITE",
                   help="a register folder (content/organisation.yaml), a built site folder holding readiness.json, "
                        "or a path to a readiness.json (any .json file)")
    p.add_argument("--output", required=True, help="the group portal's folder (replaced only when complete)")
    p.add_argument("--audience", choices=AUDIENCES, default="public",
                   help="who the group portal is for; no site may be built for a wider one (default: public)")
    p.add_argument("--as-of", metavar="YYYY-MM-DD",
                   help="the date registers are judged on (default: today, or SOURCE_DATE_EPOCH when set)")
    p.add_argument("--central", metavar="NAME", help="the organisation name of the site that is the central "
                   "function (visited at every audit, outside the sample); default: none")
    p.add_argument("--processes-differ", action="store_true",
                   help="the sites run different processes: no sample, every site at the initial audit")
    p.add_argument("--format", choices=("text", "github"), default="text",
                   help="diagnostics as text lines or as GitHub Actions annotations")

    p = sub.add_parser("schema", help="print a JSON Schema of an input file or of readiness.json, or write them all")
    p.add_argument("kind", nargs="?", choices=tuple(SCHEMA_KINDS), metavar="KIND",
                   help=f"one of: {', '.join(SCHEMA_KINDS)}")
    p.add_argument("--write", metavar="DIR", help="write every schema file into DIR (e.g. .schemas after an upgrade)")
    return parser


def _opts(args: argparse.Namespace):
    from isoready.read.options import Options

    if args.max_yaml_bytes < 1:
        raise Usage("--max-yaml-bytes must be at least 1")
    if args.max_markdown_bytes is not None and args.max_markdown_bytes < 1:
        raise Usage("--max-markdown-bytes must be at least 1")
    if not Path(args.root).is_dir():
        raise Usage(f"--root {args.root} is not a folder")
    # absolute from here on: Pelican reads paths in pelicanconf.py relative to that file's folder, so a
    # relative root ('proj') would become proj/proj/content there
    root = Path(os.path.abspath(args.root))
    return Options(root=root, as_of=parse_as_of(args.as_of), audience=getattr(args, "audience", "auditor"),
                   output=Path(args.output) if getattr(args, "output", None) else None, strict=args.strict,
                   max_yaml_bytes=args.max_yaml_bytes, fresh=getattr(args, "no_cache", False),
                   force=getattr(args, "force", False), language=getattr(args, "language", None),
                   **({} if args.max_markdown_bytes is None else {"max_markdown_bytes": args.max_markdown_bytes}))


def _print_diags(diags, fmt: str, stream=None) -> None:
    stream = stream or sys.stdout
    if diags or fmt == "text":
        print(report(diags, github=fmt == "github"), file=stream)


def cmd_validate(args: argparse.Namespace) -> int:
    # Only the loading and checking stages: no templates, Markdown or Pelican to import.
    from isoready.read.catalog import load_catalog
    from isoready.read.integrated import project_for
    from isoready.validate.project import read_project

    opts = _opts(args)
    if args.summary:
        from isoready.read.options import refuse_sources

        refuse_sources(opts.root, Path(args.summary), "the summary", "--summary")
    with ExitStack() as stack:
        root = opts.root
        if args.staged:  # the tree being committed, checked out apart from the working tree
            from isoready.gitfacts.staged import staged_tree

            root = stack.enter_context(staged_tree(opts.root))
        # W108 under the limit the pages would render under
        # an integrated system whole (as build reads it), so every standard's portal is planned below
        whole, diags = read_project(root, load_catalog(), opts.as_of, opts.max_yaml_bytes,
                                    max_markdown_bytes=opts.max_markdown_bytes, integrated=True)
        project = project_for(whole, whole.standard)
        from isoready.package.build import extra_files  # content/extra/: refused here, before build would

        extra, extra_diags = extra_files(root)
        if project is not None and not errors(diags):  # every output path, judged as build judges it
            from isoready.package.assemble import check_outputs

            diags += check_outputs(whole, opts.as_of, [rel for rel, _p, _s in extra], opts.max_markdown_bytes)
        diags = sorted(set(diags + extra_diags))
        _print_diags(diags, args.format)
        if args.summary and project is not None and not errors(diags):
            from isoready.assess import assess
            from isoready.outputs.summary import markdown_summary

            with open(args.summary, "a", encoding="utf-8") as fh:
                fh.write(markdown_summary(project, assess(project, opts.as_of), opts.audience))
    return EXIT_PROBLEMS if errors(diags) or (opts.strict and diags) else EXIT_OK


def cmd_build(args: argparse.Namespace) -> int:
    from isoready.package.cache import no_results, unchanged_build

    opts = _opts(args)
    started = time.perf_counter()
    last, key = unchanged_build(opts)  # every input as the last build read it, its output intact: nothing to do
    if last is not None:
        out, files, diags, _reused = last
        _print_diags(diags, args.format)
        print(f"built {len(files)} files into {out} for the {opts.audience} audience as of {opts.as_of} in "
              f"{time.perf_counter() - started:.2f}s (nothing changed since the last build: its site is kept)")
        return EXIT_OK
    ahead = None
    if opts.use_cache and no_results(opts.root, opts.fresh):  # a cold build: its evidence files are parsed by
        import functools  # another process while this one imports and sets up (after the key's stats: a file

        from isoready.core.parallel import Ahead  # changed since is read again, its bytes no longer those parsed)
        from isoready.read.catalog import load_catalog
        from isoready.read.reader import read_ahead

        ahead = Ahead(functools.partial(read_ahead, opts.root, load_catalog(), opts.max_yaml_bytes,
                                        opts.max_markdown_bytes))
    from isoready.package.build import build

    result = build(opts, key=key, ahead=ahead)
    _print_diags(result.diagnostics, args.format)
    if not result.ok:
        print(f"build stopped: {opts.out} left unchanged", file=sys.stderr)
        return EXIT_PROBLEMS
    print(f"built {len(result.files)} files into {result.output} for the {opts.audience} audience "
          f"as of {opts.as_of} in {time.perf_counter() - started:.2f}s")
    return EXIT_OK


def cmd_clean(args: argparse.Namespace) -> int:
    import re
    import shutil

    from isoready.package.build import UsageError, refuse_source_overlap, recover

    root = Path(args.root)
    out = Path(args.output) if args.output else root / "output"
    if out.is_symlink():
        raise Usage(f"refusing to remove {out}: it is a symlink; remove it yourself")
    recovered = recover(out.resolve())  # a swap killed between its renames: the set-aside site is the only copy
    if recovered is not None:
        print(f"recovered the previous site from {recovered.name} into {out} (it was the only copy); "
              "run clean again to remove it")
        return EXIT_OK
    try:
        refuse_source_overlap(root, out.resolve())
    except UsageError as exc:
        raise Usage(str(exc).replace("refusing to write the site to", "refusing to remove").replace(
            "refusing to replace", "refusing to remove"))
    # only our own leftovers: temporary build folders and replaced sites, by their exact name patterns
    ours = re.compile(re.escape(f".{out.name}-") + r"(build-[A-Za-z0-9_]{6,}|old-\d+-\d+)\Z")
    leftovers = [p for p in out.parent.glob(f".{out.name}-*")
                 if ours.match(p.name) and p.is_dir() and not p.is_symlink()]
    removed = []
    from isoready.package.cache import CACHE_DIR, unsafe

    why = unsafe(root)  # never delete through a symlink: the cache must live inside the project
    if why:
        print(f"note: build cache not removed: {why}", file=sys.stderr)
    for path in [out, *leftovers, *([] if why else [root / CACHE_DIR])]:
        if path.exists():
            shutil.rmtree(path)
            removed.append(str(path))
    print("removed " + ", ".join(removed) if removed else "nothing to clean")
    return EXIT_OK


def cmd_archive(args: argparse.Namespace) -> int:
    from isoready.package.archive import make_archive

    opts = _opts(args)
    result, target = make_archive(opts, Path(args.dist) if args.dist else None)
    _print_diags(result.diagnostics, args.format)
    if target is None:
        print("archive not written: fix the errors above", file=sys.stderr)
        return EXIT_PROBLEMS
    commit = result.site.commit if result.site else ""
    if commit.endswith("-dirty"):
        print(f"isoready: warning: built from uncommitted changes (commit {commit}): this archive cannot be rebuilt "
              "from the commit alone; commit first for a reproducible archive", file=sys.stderr)
    print(f"wrote {target} ({len(result.files)} files, audience {opts.audience}, as of {opts.as_of}); "
          f"check it with: unzip it, cd into its folder, sha256sum -c SHA256SUMS")
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from isoready.package.pdf import ReportError, make_report

    opts = _opts(args)
    try:
        result, target = make_report(opts, Path(args.pdf) if args.pdf else None)
    except ReportError as exc:
        print(f"isoready: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    _print_diags(result.diagnostics, args.format)
    if target is None:
        print("report not written: fix the errors above", file=sys.stderr)
        return EXIT_PROBLEMS
    print(f"wrote {target} and {result.output}/report.pdf (in the site, listed in its manifest)")
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    from isoready.package.archive import verify

    problems = verify(Path(args.path))
    for p in problems:
        print(f"{p.path}: {p.message}")
    if problems:
        print(f"{len(problems)} problem{'s' if len(problems) != 1 else ''}: {args.path} does not match its manifest")
        return EXIT_PROBLEMS
    print(f"{args.path}: every file matches manifest.json")
    return EXIT_OK


def cmd_migrate(args: argparse.Namespace) -> int:
    from isoready.cli.migrate import migrate

    if not Path(args.root).is_dir():
        raise Usage(f"--root {args.root} is not a folder")
    code, lines = migrate(Path(args.root), args.to, default_as_of())
    print("\n".join(lines))
    return EXIT_PROBLEMS if code else EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from isoready.cli.serve import serve

    opts = _opts(args)
    if opts.output is not None:  # before the port is taken or anything is watched
        from isoready.read.options import refuse_sources

        refuse_sources(opts.root, opts.output, "the preview", "--output")
    return serve(opts, port=args.port, open_browser=args.open, fmt=args.format)  # opts carry the Markdown limit


def cmd_history(args: argparse.Namespace) -> int:
    import json

    from isoready.gitfacts.history import history

    root = Path(args.root)
    if not root.is_dir():
        raise Usage(f"--root {root} is not a folder")
    if args.output:
        from isoready.read.options import refuse_sources

        refuse_sources(root, Path(args.output), "history.json", "--output")
    try:
        result = history(root, since=args.since, every=args.every)
    except ValueError as exc:
        raise Usage(f"--since: {exc}")
    if args.output:
        Path(args.output).write_text(json.dumps(result.as_json(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    else:
        for e in result.entries:
            overall = "-" if e["overall"] is None else f"{e['overall'] * 100:.0f}%"
            gates = " ".join(f"{k}:{'pass' if v else 'fail'}" for k, v in sorted(e["gates"].items()))
            print(f"{e['date']} {e['short']} {overall:>4} {gates} findings:{e['open_findings']} "
                  f"stale:{e['stale_evidence']} {e['subject']}")
    for warning in result.warnings:  # the commits' own oddities (git input is data): named, never fatal
        print(warning.format(), file=sys.stderr)
    if not result.available or result.note:
        print(f"isoready: {result.note}", file=sys.stderr)
    where = f" into {args.output}" if args.output else ""
    print(f"{len(result.entries)} commits{where}, {result.evaluated} evaluated, "
          f"{len(result.entries) - result.evaluated if result.entries else 0} from the cache", file=sys.stderr)
    return EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    from isoready.gitfacts.diff import diff_refs
    from isoready.cli.diffwords import diff_text

    as_of = parse_as_of(args.as_of) if args.as_of else None
    try:
        result = diff_refs(Path(args.root), args.a, args.b, as_of)
    except ValueError as exc:
        raise Usage(str(exc))
    for warning in result.warnings:  # the commits' own oddities (git input is data): named, never fatal
        print(warning.format(), file=sys.stderr)
    sys.stdout.write(diff_text(result, args.format))
    return EXIT_OK


def _ask(question: str, default: str) -> str:
    answer = input(f"{question} [{default}]: " if default else f"{question}: ").strip()
    return answer or default


def cmd_init(args: argparse.Namespace) -> int:
    import shlex

    from isoready.cli.init import (BRANCH, DEFAULT_SCOPE, Answers, InitRefused, init_git, inside_git, scaffold,
        standard_of)
    from isoready.cli.install import requirement

    root = Path(args.dir)
    if root.exists() and not root.is_dir():
        raise Usage(f"{root} is not a folder")
    interactive = not args.yes and sys.stdin.isatty()
    folder_name = root.resolve().name or "Our organisation"
    name, scope, standard = args.name, args.scope, args.standard
    if interactive:
        while not (name or "").strip():
            name = _ask("Organisation name", folder_name)
        if scope is None:
            scope = _ask("Scope of the quality management system (one line; edit it later)", DEFAULT_SCOPE)
        if standard is None:
            standard = _ask(f"Edition ({' or '.join(STANDARDS)})", DEFAULT_STANDARD)
    elif name is None and not args.yes:
        raise Usage("init needs --name (or --yes to take the defaults, or run it in a terminal to be asked)")
    name = folder_name if name is None else name
    if not name.strip():
        raise Usage("--name must not be empty")
    edition = standard_of(standard or DEFAULT_STANDARD)
    if edition is None:
        raise Usage(f"--standard must be {' or '.join(STANDARDS)}, not '{standard}'")
    answers = Answers(name=name.strip(), scope=(scope or DEFAULT_SCOPE).strip() or DEFAULT_SCOPE, standard=edition)
    req = requirement()
    try:
        written = scaffold(root, answers, default_as_of(), req)
    except InitRefused as exc:
        print(f"isoready init: {len(exc.existing)} of the files it would write exist already in {root}; "
              "nothing was written:", file=sys.stderr)
        for rel in exc.existing:
            print(f"  {rel}", file=sys.stderr)
        print("move them away, or init into an empty folder", file=sys.stderr)
        return EXIT_PROBLEMS
    had_git = inside_git(root) or os.path.lexists(root / ".git")
    why_not = None if had_git else init_git(root)
    git = ("" if had_git else f", and a git repository on branch {BRANCH}" if why_not is None
           else f"; no git repository ({why_not})")
    print(f"created {len(written)} files in {root} for {answers.name} ({answers.standard}){git}")
    print(f"requirements.txt installs isoready with: {req.line}")
    print(f"  ({req.comment})")
    print("next:")
    start = "" if had_git or why_not is None else f"git init -b {BRANCH} && "
    print(f"  cd {shlex.quote(str(root))} && {start}git add . && git commit -m 'Start the evidence register'")
    print("  python3 -m venv .venv && . .venv/bin/activate")
    print("  pip install -r requirements.txt pre-commit && pre-commit install")
    print("  isoready validate && isoready serve")
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    from isoready.outputs.contract import SCHEMA_FILES, schema_text, write_schemas

    if args.write:
        changed = write_schemas(Path(args.write))
        print(f"wrote {len(changed)} of {len(SCHEMA_FILES)} schema files into {args.write}"
              + ("" if changed else " (all were current)"))
        return EXIT_OK
    if not args.kind:
        raise Usage(f"schema needs a KIND ({', '.join(SCHEMA_KINDS)}) or --write DIR")
    sys.stdout.write(schema_text(SCHEMA_KINDS[args.kind]))
    return EXIT_OK


def cmd_rollup(args: argparse.Namespace) -> int:
    from isoready.package.rollup import rollup

    as_of = parse_as_of(args.as_of)
    result = rollup(args.sites, Path(args.output), args.audience, as_of, args.central, not args.processes_differ)
    if result.diagnostics or not result.ok:
        _print_diags(result.diagnostics, args.format)
    if not result.ok:
        print(f"rollup stopped: {args.output} left unchanged", file=sys.stderr)
        return EXIT_PROBLEMS
    print(f"rolled up {result.sites} sites into {result.output} for the {args.audience} audience as of {as_of}")
    return EXIT_OK


COMMANDS = {"rollup": cmd_rollup, "build": cmd_build, "validate": cmd_validate, "clean": cmd_clean, "serve": cmd_serve,
            "archive": cmd_archive, "report": cmd_report, "verify": cmd_verify, "init": cmd_init,
            "schema": cmd_schema, "migrate": cmd_migrate, "history": cmd_history, "diff": cmd_diff}


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = make_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help is 0, a usage mistake 2
        return int(exc.code or 0)
    # A build allocates hundreds of thousands of small objects that live to its end and hold no cycles:
    # collecting the youngest generation every 700 allocations spends about a sixth of a cold build's CPU
    # walking them. Rarer collections change no output (measured: user time 16.2-16.7 s -> 13.3-14.4 s at
    # 10,000 records).
    gc.set_threshold(100_000, 50, 1000)
    for problem in standards.problems():  # a broken standard package: said plainly, never a traceback
        print(f"isoready: warning: standard package {problem.package} set aside ({problem.file}: "
              f"{problem.message}); projects on other standards are not affected", file=sys.stderr)
    try:
        return COMMANDS[args.command](args)
    except IsoreadyError as exc:  # a usage mistake, an output we may not replace, no Chromium
        print(f"isoready: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("isoready: interrupted; output left unchanged", file=sys.stderr)
        return EXIT_INTERRUPTED
    except OSError as exc:  # a path the user gave that cannot be read or written
        where = f": {exc.filename}" if exc.filename else ""
        print(f"isoready: error: {exc.strerror or exc}{where}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # an internal error is ours, not the user's: say so plainly, exit 2
        from jinja2 import TemplateError

        if isinstance(exc, TemplateError):  # a theme template that does not fit the view-models
            where = f" ({exc.filename}:{exc.lineno})" if getattr(exc, "filename", None) else ""
            print(f"isoready: error: theme template problem{where}: {exc}; compare your theme/ with the shipped "
                  "one in the isoready repository", file=sys.stderr)
            return EXIT_USAGE
        if os.environ.get("ISOREADY_DEBUG"):
            raise
        print(f"isoready: internal error: {type(exc).__name__}: {exc} (set ISOREADY_DEBUG=1 for details; "
              "please report it)", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
