"""The house (issue 23): the package's folders are the pipeline's stages, and imports run one way.

Each folder sits on a floor; a module imports only from its own folder or from a folder on a lower floor,
not even inside a function. Two folders on the same floor (git facts and views; render and outputs) never
import each other: views word what git facts computed from data handed to them. No import circle, even
inside a folder. docs/architecture.md draws the same folders."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "isoready"

#: folder -> floor, lowest first; "" is the package's own __init__ (its version: every floor may read it),
#: "__main__" and "pelican_plugin" (the names `python -m isoready` and a register's pelicanconf.py load) at the top
FLOORS = {"": -1, "core": 0, "standards": 1, "model": 2, "read": 3, "validate": 4, "assess": 5, "gitfacts": 6,
          "views": 6, "render": 7, "outputs": 7, "package": 8, "cli": 9, "__main__": 10, "pelican_plugin": 10}


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(REPO).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """Every isoready module `name` imports, at module level or inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):  # names for annotations only (if TYPE_CHECKING:) are not imported when run
        if isinstance(node, ast.If) and getattr(node.test, "id", getattr(node.test, "attr", "")) == "TYPE_CHECKING":
            node.body = []
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if not module.startswith("isoready"):
                continue
            for alias in node.names:  # from isoready.read import reader: the module itself
                sub = f"{module}.{alias.name}"
                out.add(sub if sub in MODULES else module)
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("isoready")}
    return {m for m in out if m in MODULES and m != name}


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def imported_by(module: str) -> set[str]:
    """The isoready modules ``module`` (or any module of the package ``module``) imports, by dotted name, at
    module level or inside a function (other tests hold finer rules with it)."""
    return set().union(*(GRAPH[m] for m in GRAPH if m == module or m.startswith(module + ".")))


def _folder(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_every_folder_of_the_package_is_a_stage_with_a_floor():
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert folders == set(FLOORS) - {"", "__main__", "pelican_plugin"}
    loose = sorted(p.name for p in PACKAGE.glob("*.py")
                   if p.name not in ("__init__.py", "__main__.py", "pelican_plugin.py"))
    assert loose == [], f"modules outside a stage folder: {loose}"


def test_imports_run_one_way_down_the_floors():
    wrong = []
    for module, imported in GRAPH.items():
        mine = _folder(module)
        for other in imported:
            theirs = _folder(other)
            if theirs != mine and FLOORS[theirs] >= FLOORS[mine]:
                wrong.append(f"{module} imports {other} ({theirs or 'isoready'} is not below {mine or 'isoready'})")
    assert wrong == []


def test_no_import_circle_even_inside_a_folder():
    seen, stack, circles = set(), [], []

    def visit(node: str) -> None:
        if node in stack:
            circles.append(" -> ".join(stack[stack.index(node):] + [node]))
            return
        if node in seen:
            return
        seen.add(node)
        stack.append(node)
        for nxt in sorted(GRAPH[node]):
            # a package's __init__ importing its own submodules to re-export them is not a circle
            if not nxt.startswith(node + "."):
                visit(nxt)
        stack.pop()

    for name in sorted(GRAPH):
        visit(name)
    assert circles == []


def test_git_facts_and_views_never_import_each_other():
    """Views word the trend and the comparison from GitFacts handed to them as data."""
    for module, imported in GRAPH.items():
        if _folder(module) == "views":
            assert not {m for m in imported if _folder(m) == "gitfacts"}, module
        if _folder(module) == "gitfacts":
            assert not {m for m in imported if _folder(m) == "views"}, module


def test_architecture_md_draws_the_same_folders():
    text = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    drawn = set(re.findall(r"isoready/([a-z]+)/", text))
    stages = set(FLOORS) - {"", "__main__", "pelican_plugin"}
    assert drawn >= stages, sorted(stages - drawn)
    for module, path in MODULES.items():
        rel = path.relative_to(REPO / "isoready").as_posix()
        if path.name == "__init__.py" or module.count(".") < 2:
            continue
        assert Path(rel).name in text, f"docs/architecture.md does not say where {rel} lives"


def test_the_check_catches_an_upward_import(tmp_path):
    """The floor check reads relative and absolute imports alike, inside functions too."""
    fake = tmp_path / "isoready" / "core"
    fake.mkdir(parents=True)
    (fake / "x.py").write_text("def f():\n    from ..cli import serve\n    from isoready.views import charts\n")
    got = set()
    for node in ast.walk(ast.parse((fake / "x.py").read_text())):
        if isinstance(node, ast.ImportFrom):
            got.add((node.level, node.module))
    assert got == {(2, "cli"), (0, "isoready.views")}
    assert _imports("isoready.core.errors", fake / "x.py") >= {"isoready.cli.serve", "isoready.views.charts"}
