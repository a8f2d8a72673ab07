"""The house rules a review can check by reading the code: no module reaches into another's private names
(``_load``, ``_CHROME``): what one stage offers another is a public name it documents and keeps. No import
circle even for annotations, and no constant or helper written out twice: one home, imported."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "isoready"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _private_reaches(path: Path, name: str = "isoready.x.sample") -> list[str]:
    """Every private name of another isoready module this file imports or uses, whether the import is
    relative (``from .reader import _load``) or absolute (``from isoready.read.reader import _load``,
    ``from isoready.render import pages`` then ``pages._CHROME``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    modules: set[str] = set()  # names bound to isoready modules in this file ("from . import render as r")
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                module, shown = ".".join(base + ([node.module] if node.module else [])), "." + (node.module or "")
            elif (node.module or "").startswith("isoready"):
                module, shown = node.module or "", node.module or ""
            else:
                continue
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append(f"{path.name}:{node.lineno}: imports {alias.name} from {shown}")
                elif (PACKAGE.parent / (module.replace(".", "/") + "/" + alias.name)).with_suffix(".py").exists() \
                        or (PACKAGE.parent / module.replace(".", "/") / alias.name / "__init__.py").exists() \
                        or node.module is None:
                    modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("isoready") and alias.asname:
                    modules.add(alias.asname)
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules
                and node.attr.startswith("_") and not node.attr.startswith("__")):
            found.append(f"{path.name}:{node.lineno}: uses {node.value.id}.{node.attr}")
    return found


def test_no_module_uses_a_private_name_of_another() -> None:
    found = [line for path in sorted(PACKAGE.rglob("*.py")) for line in _private_reaches(path, _module_name(path))]
    assert not found, "\n".join(found)


def test_the_check_sees_both_ways_of_reaching_in(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from .reader import _load, public\nfrom . import render as r\nr._CHROME.clear()\n")
    assert _private_reaches(sample) == ["sample.py:1: imports _load from .reader", "sample.py:3: uses r._CHROME"]


def test_the_check_sees_absolute_imports_too(tmp_path: Path) -> None:
    """The package's imports are absolute since the move into stage folders: the check reads them as well."""
    sample = tmp_path / "sample.py"
    sample.write_text("from isoready.read.reader import _load\nfrom isoready.render import pages\n"
                      "import isoready.render.pages as p\npages._CHROME.clear()\np._CHROME.clear()\n"
                      "from pathlib import _ignore_error\n")
    assert _private_reaches(sample) == ["sample.py:1: imports _load from isoready.read.reader",
                                        "sample.py:4: uses pages._CHROME", "sample.py:5: uses p._CHROME"]


# --------------------------------------------------------------------------- circles, annotations included


def _every_import(path: Path, name: str) -> set[str]:
    """The isoready modules ``path`` names in an import, INCLUDING those under ``if TYPE_CHECKING:`` (which
    tests/unit/test_layout.py leaves out, since they do not run): a circle for annotations is a circle a
    reader follows, and a sign that two modules share one thing that belongs to one of them."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            out |= {module} | {f"{module}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
    return out


def test_no_import_circle_even_for_annotations() -> None:
    modules = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
    graph = {m: {i for i in _every_import(p, m) if i in modules and i != m and not i.startswith(m + ".")}
             for m, p in modules.items()}
    circles = sorted({" <-> ".join(sorted((a, b))) for a, near in graph.items() for b in near if a in graph[b]})
    assert circles == []  # two modules that import each other (a longer circle: tests/unit/test_layout.py)


# --------------------------------------------------------------------------- one home for each definition


def _definitions(path: Path) -> list[tuple[str, str]]:
    """(name, its code) of each top-level constant, function and class, the docstring left out."""
    out = []
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant):
                body = body[1:]
            args = ast.dump(node.args) if isinstance(node, ast.FunctionDef) else ""
            out.append((node.name, args + ast.dump(ast.Module(body=body, type_ignores=[]))))
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            out.append((node.targets[0].id, ast.dump(node.value)))
    return out


def _written_twice(paths: list[Path]) -> list[str]:
    seen: dict[tuple[str, str], list[str]] = defaultdict(list)
    for path in paths:
        if path.parent.parent.name == "standards" and path.name == "__init__.py":
            continue  # each standard's data package says where its data is, in the same one line
        for name, code in _definitions(path):
            seen[(name.lstrip("_"), code)].append(f"{path.relative_to(PACKAGE.parent).as_posix()}:{name}")
    return sorted(" = ".join(places) for places in seen.values() if len(places) > 1)


def test_no_constant_or_helper_is_written_out_in_two_modules() -> None:
    """The same name with the same code in two modules is one thing kept twice, and the copies drift: it has
    one home, and the others import it (Pelican's page URL and suffixes live in read/teampages.py)."""
    assert _written_twice(sorted(PACKAGE.rglob("*.py"))) == []


def _literal_values(path: Path) -> list[tuple[str, str]]:
    """(name, value) of each top-level constant whose value is a literal worth one home: a string of six
    characters or more, or a collection of two values or more."""
    out = []
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                continue
            if (isinstance(value, str) and len(value) >= 6) or (
                    isinstance(value, (tuple, list, set, frozenset)) and len(value) >= 2):
                out.append((node.targets[0].id, ast.dump(node.value)))
    return out


def _same_value_twice(paths: list[Path]) -> list[str]:
    seen: dict[str, list[str]] = defaultdict(list)
    for path in paths:
        if path.parent.parent.name == "standards" and path.name == "__init__.py":
            continue
        for name, value in _literal_values(path):
            seen[value].append(f"{path.relative_to(PACKAGE.parent).as_posix()}:{name}")
    return sorted(" = ".join(places) for places in seen.values()
                  if len({place.split(":")[0] for place in places}) > 1)


def test_no_literal_is_kept_under_two_names_in_two_modules() -> None:
    """One list under two names drifts as surely as under one (serve's WATCHED was assemble's INPUTS, pdf.py's
    PDF_NAME assemble's PDF): the same literal in two modules has one home, and the other imports it."""
    assert _same_value_twice(sorted(PACKAGE.rglob("*.py"))) == []


def test_the_literal_check_sees_a_renamed_copy(tmp_path: Path) -> None:
    (tmp_path / "isoready" / "a").mkdir(parents=True)
    (tmp_path / "isoready" / "b").mkdir()
    a, b = tmp_path / "isoready" / "a" / "x.py", tmp_path / "isoready" / "b" / "y.py"
    a.write_text('INPUTS = ("evidence", "content")\nPDF = "report.pdf"\nN = 2\n')
    b.write_text('WATCHED = ("evidence", "content")\nPDF_NAME = "other.pdf"\nM = 2\n')
    global PACKAGE
    kept, PACKAGE = PACKAGE, tmp_path / "isoready"
    try:
        assert _same_value_twice([a, b]) == ["isoready/a/x.py:INPUTS = isoready/b/y.py:WATCHED"]
    finally:
        PACKAGE = kept


def test_the_copy_check_sees_a_copy_and_leaves_a_namesake_alone(tmp_path: Path) -> None:
    (tmp_path / "isoready" / "a").mkdir(parents=True)
    (tmp_path / "isoready" / "b").mkdir()
    a, b = tmp_path / "isoready" / "a" / "x.py", tmp_path / "isoready" / "b" / "y.py"
    a.write_text('PAGE_URL = "pages/{slug}.html"\ndef _fold(n):\n    """a"""\n    return n.lower()\nLIMIT = 1\n')
    b.write_text('PAGE_URL = "pages/{slug}.html"\ndef fold(n):\n    """b"""\n    return n.lower()\nLIMIT = 2\n')
    global PACKAGE
    kept, PACKAGE = PACKAGE, tmp_path / "isoready"
    try:
        assert _written_twice([a, b]) == ["isoready/a/x.py:PAGE_URL = isoready/b/y.py:PAGE_URL",
                                          "isoready/a/x.py:_fold = isoready/b/y.py:fold"]
    finally:
        PACKAGE = kept


# --------------------------------------------------------------------------- paths the docs name


def _named_paths() -> dict[str, list[str]]:
    """Every module path named in docs/*.md and the repository's own *.md files, with where: ``isoready/....py``
    and a stage folder's ``views/labels.py`` (read as ``isoready/views/labels.py``)."""
    stages = "|".join(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file())
    named: dict[str, list[str]] = defaultdict(list)
    for doc in sorted([*REPO.glob("*.md"), *(REPO / "docs").glob("*.md")]):
        for n, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), 1):
            for path in re.findall(rf"(?<![\w/.])((?:isoready|{stages})/[\w/]*\.py)\b", line):
                named[path if path.startswith("isoready/") else f"isoready/{path}"].append(
                    f"{doc.relative_to(REPO).as_posix()}:{n}")
    return named


def test_every_module_path_the_docs_name_exists() -> None:
    named = _named_paths()
    assert len(named) >= 5, "the docs name the modules they speak of: the check reads something"
    missing = [f"{path} (in {', '.join(where)})" for path, where in named.items() if not (REPO / path).is_file()]
    assert missing == []


def test_architecture_md_names_no_gone_name() -> None:
    """`_Builder` and the flat `views.py` went in the move (the old map's "where to look" named them): every name
    of code the map puts in backquotes (`Redactor`, `compare()`, `@reason`, `Context.add_url`) is defined."""
    text = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert "_Builder" not in text and "isoready/views.py" not in text and "`views.py`" not in text
    defined: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                defined.add(node.name)
            elif isinstance(node, ast.Assign):
                defined |= {t.id for t in node.targets if isinstance(t, ast.Name)}
                defined |= {t.attr for t in node.targets if isinstance(t, ast.Attribute)}
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                defined.add(node.target.id)
    code = []  # a backquoted name is code when it is called, decorated, dotted, has an underscore or a capital
    for at, name, call in re.findall(r"`(@?)([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)?)(\(\))?`", text):
        if not re.search(r"\.(py|yaml|md|json|html|txt)$", name) and (
                at or call or "." in name or "_" in name or name[0].isupper()):
            code.append(name)
    assert len(code) >= 15, code
    assert sorted({n for n in code if n.split(".")[-1] not in defined}) == []


def test_the_gate_kinds_a_standard_may_name_are_the_kinds_assess_judges() -> None:
    """standards/ checks a package's gates.yaml against its list of kinds without importing assess (a floor
    above it); assess keeps a judge per kind. The two lists are one vocabulary: a kind added to one only would
    be accepted and never judged, or judged and never accepted."""
    from isoready import standards
    from isoready.assess import GATE_KINDS

    assert sorted(GATE_KINDS) == sorted(standards.GATE_KINDS)


# --------------------------------------------------------------------------- review leftovers


def _name_the_withheld_policy(root: Path) -> None:
    """The organisation's name carries the id of QP-001, a record only auditors see (no audience: given)."""
    org = root / "content" / "organisation.yaml"
    org.write_text(org.read_text(encoding="utf-8").replace("name: Example Works Ltd",
                                                           "name: Example Works Ltd (QP-001)"), encoding="utf-8")


def test_a_public_summary_names_no_withheld_record(minimal_project: Path) -> None:
    """The pull request's summary says no more than the portal of its audience: the public site's header shows
    the organisation's name redacted, and so does the public summary."""
    from datetime import date

    from isoready.assess import assess
    from isoready.outputs.summary import markdown_summary
    from isoready.read.catalog import load_catalog
    from isoready.validate.project import read_project

    _name_the_withheld_policy(minimal_project)
    as_of = date(2026, 11, 1)
    project, _diags = read_project(minimal_project, load_catalog(), as_of)
    assert project is not None
    readiness = assess(project, as_of)
    public = markdown_summary(project, readiness, "public")
    assert public.splitlines()[0] == "## ISO 9001 readiness: Example Works Ltd ([withheld])"
    assert "QP-001" not in public
    auditor = markdown_summary(project, readiness, "auditor")  # the auditor sees QP-001: nothing to hide
    assert auditor.splitlines()[0] == "## ISO 9001 readiness: Example Works Ltd (QP-001)"


def test_the_summary_names_the_standard_of_the_project(minimal_project: Path) -> None:
    """The summary's title comes from the standard's data ("ISO 14001" for an ISO 14001 project), as the
    standard's package names its family: summary.py names no standard itself."""
    from datetime import date

    from isoready.assess import assess
    from isoready.outputs.summary import markdown_summary
    from isoready.read.catalog import load_catalog
    from isoready.validate.project import read_project

    org = minimal_project / "content" / "organisation.yaml"
    org.write_text(org.read_text(encoding="utf-8") + 'standard: "ISO 14001:2015"\n', encoding="utf-8")
    as_of = date(2026, 11, 1)
    project, _diags = read_project(minimal_project, load_catalog(), as_of)  # 9001-only clauses: errors, kept
    assert project is not None and project.catalog.standard == "ISO 14001:2015"
    assert markdown_summary(project, assess(project, as_of)).splitlines()[0] == \
        "## ISO 14001 readiness: Example Works Ltd"
    assert "9001" not in (PACKAGE / "outputs" / "summary.py").read_text(encoding="utf-8")


def test_validate_writes_the_summary_for_the_audience_it_is_given(minimal_project: Path) -> None:
    from isoready.cli import main

    _name_the_withheld_policy(minimal_project)
    summary = minimal_project.parent / "summary.md"
    assert main(["validate", "--root", str(minimal_project), "--as-of", "2026-11-01", "--summary", str(summary),
                 "--audience", "public"]) == 0
    assert summary.read_text(encoding="utf-8").splitlines()[0] == \
        "## ISO 9001 readiness: Example Works Ltd ([withheld])"


def test_the_workflow_summary_follows_the_published_portal() -> None:
    """CI writes the job summary for the audience its Pages site is built for."""
    import yaml

    for workflow in (REPO / ".github" / "workflows" / "portal.yml", PACKAGE / "scaffold" / "portal.yml"):
        steps = yaml.safe_load(workflow.read_text(encoding="utf-8"))["jobs"]["validate"]["steps"]
        (command,) = [s["run"] for s in steps if "isoready validate" in s.get("run", "")]
        assert '--audience "$PORTAL_AUDIENCE"' in command, workflow


def _two_withheld_tags(tmp_path: Path) -> Path:
    """The history register (tests/unit/test_history.py) with its first two commits tagged after QP-001 and
    OBJ-001, records only auditors see, and the second of them named as the last audit."""
    from .test_history import edit, git, make_register

    repo, shas = make_register(tmp_path)
    git(repo, "tag", "audit-QP-001", shas["c1"], day="2026-10-01")
    git(repo, "tag", "audit-OBJ-001", shas["c2"], day="2026-10-21")
    edit(repo / "content/organisation.yaml", "name: Example Works Ltd\n",
         "name: Example Works Ltd\nlast_audit: audit-OBJ-001\n")
    return repo


def _trend_of(repo: Path, audience: str):  # noqa: ANN202
    from datetime import date

    from isoready.package.assemble import prepare
    from isoready.read.options import Options

    site, _project, diags = prepare(Options(root=repo, as_of=date(2026, 11, 5), audience=audience))
    assert site is not None, diags
    (index,) = [p for p in site.pages if p.path == "index.html"]
    return index.model.trend, site.export.history


def test_two_withheld_tags_are_numbered_apart_and_the_last_audit_marks_its_own_commit(tmp_path: Path) -> None:
    trend, history = _trend_of(_two_withheld_tags(tmp_path), "public")
    assert [row.tags for row in trend.rows] == ["audit-[withheld 1]", "audit-2026-10, audit-[withheld 2]", ""]
    assert [e["tags"] for e in history["entries"]] == [["audit-[withheld 1]"],
                                                      ["audit-2026-10", "audit-[withheld 2]"], []]
    assert history["last_audit"] == "audit-[withheld 2]"
    assert "Last audit (audit-[withheld 2]) marked." in trend.summary
    for layout in trend.layouts:  # on the second commit's point, not on the first commit with a withheld tag
        (mark,) = [m for m in layout.marks if m.kind == "last-audit"]
        assert mark.x == layout.dots[1][0]
    assert "QP-001" not in repr((trend, history)) and "OBJ-001" not in repr((trend, history))


def test_tags_nobody_withholds_keep_their_names(tmp_path: Path) -> None:
    trend, history = _trend_of(_two_withheld_tags(tmp_path), "internal")
    assert [row.tags for row in trend.rows] == ["audit-QP-001", "audit-2026-10, audit-OBJ-001", ""]
    assert history["last_audit"] == "audit-OBJ-001"


def test_a_failing_gate_is_worded_fails_on_the_dashboard_card_and_the_stages_page(minimal_project: Path,
                                                                                  tmp_path: Path) -> None:
    """One word for one verdict: the card said "Not yet" where the stages page and the audit-date line said
    "Fails" for a gate that does not pass."""
    from isoready.cli import main

    out = tmp_path / "site"
    assert main(["build", "--root", str(minimal_project), "--as-of", "2026-11-01", "--output", str(out)]) == 0
    words = {page: re.findall(r'class="(?:verdict-word[^"]*|gate-verdict)">([^<]*)<',
                              (out / page).read_text(encoding="utf-8")) for page in ("index.html", "stages.html")}
    assert words["index.html"] == ["Fails", "Fails"]  # stage 1 and stage 2 fail today (no audit is booked)
    assert words["stages.html"] == ["Fails", "Fails", "fails", "fails"]
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "not yet</" not in report and '<span class="gate-verdict">fails</span>' in report
    public = tmp_path / "public"
    assert main(["build", "--root", str(minimal_project), "--as-of", "2026-11-01", "--output", str(public),
                 "--audience", "public"]) == 0
    assert "Stage 2: fails today." in (public / "index.html").read_text(encoding="utf-8")


def test_the_workbook_is_written_by_lxmls_writer_whatever_the_environment_says() -> None:
    """openpyxl writes other bytes through lxml's writer than through the standard library's (its choice is made
    at import): lxml is a dependency of isoready (pyproject.toml: a third less CPU for the workbook), and
    xlsxsheet.py sets openpyxl's own switch, OPENPYXL_LXML, to lxml's before the first import, so a build gives
    the same bytes even where the environment asks for the standard library's writer."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, OPENPYXL_LXML="False",
               PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]))
    probe = ("import isoready.outputs.xlsx, openpyxl, openpyxl.cell._writer as w;"
             "print(openpyxl.LXML, w.write_cell.__name__)")
    run = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=60)
    assert (run.returncode, run.stdout.strip()) == (0, "True lxml_write_cell"), run.stderr[-2000:]


def test_openpyxl_is_imported_by_the_workbook_module_alone() -> None:
    """The switch above works only where openpyxl is imported first by the workbook's sheet writer
    (outputs/xlsxsheet.py): no other module imports it."""
    importers = sorted(p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py")
                       if re.search(r"^\s*(?:from|import) openpyxl\b", p.read_text(encoding="utf-8"), re.M))
    assert importers == ["outputs/xlsxsheet.py"]
