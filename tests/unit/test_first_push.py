"""A register made by ``isoready init`` installs and publishes on its first push.

- ``requirements.txt`` names an isoready that installs on another machine, chosen from PEP 610's
  ``direct_url.json``: the index version, the same VCS URL and commit, or a wheel carried in ``vendor/``;
  the file, the register's README, init's printed steps and the workflow say the same.
- init makes the git repository on ``main`` (whatever git's ``init.defaultBranch``), so docs/workflow.md's
  ``isoready diff main HEAD`` works as written; where it cannot, it prints ``git init -b main``.
- The whole first run: init, a fresh venv (no system site packages), ``pip install -r requirements.txt``
  (here the vendored wheel: no index holds isoready; pip may reach the index for the dependencies), then
  validate and build with the venv's own isoready, and a build of the minimal fixture, which has no theme/
  folder. One venv per session: the only test that makes one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

import isoready.cli.init
import isoready.cli.install
from isoready import cli
from isoready.core.errors import UsageError
from isoready.cli.install import Requirement, requirement

REPO = Path(__file__).resolve().parents[2]
COMMIT = "0123456789abcdef0123456789abcdef01234567"


def fake_wheel(built: list[str]):
    def build(source: str) -> tuple[str, bytes]:
        built.append(source)
        return "isoready-0.1.0-py3-none-any.whl", b"PK-wheel"
    return build


# --------------------------------------------------------------------------- which requirement, per PEP 610


def test_no_record_and_a_release_version_is_the_index_version() -> None:
    built: list[str] = []
    req = requirement(None, "0.1.0", wheel=fake_wheel(built))
    assert req == Requirement("index", "isoready==0.1.0", "isoready 0.1.0 from the package index, as it was "
                                                          "installed here.")
    assert built == []


def test_a_git_install_is_the_same_url_and_commit() -> None:
    record = {"url": "https://github.com/example/isoready", "subdirectory": "py",
              "vcs_info": {"vcs": "git", "commit_id": COMMIT, "requested_revision": "v0.1.0"}}
    req = requirement(record, "0.1.0", wheel=fake_wheel([]))
    assert (req.kind, req.line, req.wheel) == (
        "vcs", f"isoready @ git+https://github.com/example/isoready@{COMMIT}#subdirectory=py", None)
    assert req.comment == "isoready from the repository and commit it was installed from here (v0.1.0)."


def test_a_git_repository_on_this_machine_is_built_into_a_vendored_wheel() -> None:
    built: list[str] = []
    record = {"url": "file:///home/q/isoready", "vcs_info": {"vcs": "git", "commit_id": COMMIT}}
    req = requirement(record, "0.1.0", wheel=fake_wheel(built))
    assert built == [f"isoready @ git+file:///home/q/isoready@{COMMIT}"]
    assert (req.kind, req.line) == ("wheel", "./vendor/isoready-0.1.0-py3-none-any.whl")
    assert req.wheel == ("vendor/isoready-0.1.0-py3-none-any.whl", b"PK-wheel")
    assert "CI cannot reach: a wheel built from commit 0123456789ab, carried in vendor/ (commit it)." in req.comment


@pytest.mark.parametrize("editable", [True, False])
def test_a_local_folder_editable_or_not_is_built_into_a_vendored_wheel(editable: bool) -> None:
    built: list[str] = []
    record = {"url": "file:///work/isoready%20src", "dir_info": {"editable": editable}}
    req = requirement(record, "0.1.0", wheel=fake_wheel(built))
    assert built == ["/work/isoready src"]
    assert (req.kind, req.line, req.wheel[0]) == ("wheel", "./vendor/isoready-0.1.0-py3-none-any.whl",
                                                  "vendor/isoready-0.1.0-py3-none-any.whl")
    assert req.comment == (f"isoready was installed from the folder /work/isoready src{' (editable)' * editable}, "
                           "which CI cannot reach: a wheel built from it, carried in vendor/ (commit it).")


def test_a_wheel_file_installed_from_disk_is_carried_as_it_is(tmp_path: Path) -> None:
    wheel = tmp_path / "isoready-0.1.0-py3-none-any.whl"
    wheel.write_bytes(b"the wheel's bytes")
    built: list[str] = []
    req = requirement({"url": wheel.as_uri(), "archive_info": {}}, "0.1.0", wheel=fake_wheel(built))
    assert built == []
    assert req.wheel == ("vendor/isoready-0.1.0-py3-none-any.whl", b"the wheel's bytes")


def test_a_remote_archive_is_its_url_with_the_hash_pip_recorded() -> None:
    record = {"url": "https://example.com/isoready-0.1.0.tar.gz", "archive_info": {"hashes": {"sha256": "ab12"}}}
    req = requirement(record, "0.1.0", wheel=fake_wheel([]))
    # a hash fragment, not --hash: --hash would put pip in hash-checking mode for every dependency
    assert (req.kind, req.line) == ("url", "isoready @ https://example.com/isoready-0.1.0.tar.gz#sha256=ab12")


@pytest.mark.parametrize("running", ["0+unknown", "0.1.0+dev"])
def test_a_version_on_no_index_without_a_record_is_refused(running: str, tmp_path: Path, capsys,
                                                           monkeypatch) -> None:
    """A checkout run without installing it (0+unknown): nothing says where CI would find it."""
    monkeypatch.setattr(isoready.cli.install, "install_record", lambda: None)
    monkeypatch.setattr(isoready.cli.install, "version", lambda: running)
    assert cli.main(["init", str(tmp_path / "r"), "--name", "Acme", "--yes"]) == 2
    assert capsys.readouterr().err == (
        f"isoready: error: isoready {running} is on no package index and pip recorded no other source for it, so "
        "init cannot say how CI would install it; install it with pip (from the index, git or a folder: pip "
        "install -e /path/to/isoready) and run init again; nothing was written\n")
    assert not (tmp_path / "r").exists()


def test_a_failed_wheel_build_is_a_usage_error_that_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project\n", encoding="utf-8")  # not TOML: the build fails
    (tmp_path / "README.md").write_text("x\n", encoding="utf-8")
    (tmp_path / "isoready").mkdir()
    with pytest.raises(UsageError, match=f"^cannot build a wheel of isoready from {tmp_path}: .*; nothing was "
                                         "written$"):
        isoready.cli.install.build_wheel(str(tmp_path))


# --------------------------------------------------------------------------- the git repository, on main


def git_env(home: Path) -> dict[str, str]:
    """git as on a stock machine whose first branch is `master`, and nothing of this machine's own config."""
    config = home / "gitconfig"
    config.write_text("[init]\n\tdefaultBranch = master\n[user]\n\tname = Q\n\temail = q@example.com\n",
                      encoding="utf-8")
    return {"GIT_CONFIG_GLOBAL": str(config), "GIT_CONFIG_NOSYSTEM": "1"}


@pytest.fixture
def index_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(isoready.cli.install, "install_record", lambda: None)
    monkeypatch.setattr(isoready.cli.install, "version", lambda: "0.1.0")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1793491200")  # 2026-11-01


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout


def test_init_makes_the_repository_on_main_and_diff_main_head_works(tmp_path: Path, index_install, capsys,
                                                                      monkeypatch) -> None:
    for key, value in git_env(tmp_path).items():
        monkeypatch.setenv(key, value)
    root = tmp_path / "acme-qms"
    assert cli.main(["init", str(root), "--name", "Acme", "--yes"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == f"created 34 files in {root} for Acme (ISO 9001:2015), and a git repository on " \
                                  "branch main"
    assert f"  cd {root} && git add . && git commit -m 'Start the evidence register'\n" in out
    assert git(root, "symbolic-ref", "HEAD") == "refs/heads/main\n"  # not git's configured `master`
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "Start the evidence register")
    assert git(root, "branch", "--show-current") == "main\n"
    # docs/workflow.md, section 4, as written: a branch, a change, then `isoready diff main HEAD`
    git(root, "switch", "-q", "-c", "scope-update")
    policy = root / "content" / "clauses" / "4-context.yaml"
    policy.write_text(policy.read_text(encoding="utf-8").replace(
        '- clause: "4.3"  # Determining the scope of the quality management system\n  status: not-started\n',
        '- clause: "4.3"  # Determining the scope of the quality management system\n  status: implemented\n'
        '  evidence: [context/qms-scope]\n'), encoding="utf-8")
    git(root, "commit", "-q", "-am", "4.3 implemented")
    monkeypatch.chdir(root)
    capsys.readouterr()
    assert cli.main(["diff", "main", "HEAD"]) == 0
    diff = capsys.readouterr().out
    assert "4.3" in diff and "implemented" in diff


def test_without_git_it_prints_git_init_b_main(tmp_path: Path, index_install, capsys, monkeypatch) -> None:
    real = shutil.which
    monkeypatch.setattr(isoready.cli.init.shutil, "which", lambda name, *a, **k: None if name == "git" else real(name))
    root = tmp_path / "r"
    assert cli.main(["init", str(root), "--name", "Acme", "--yes"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == f"created 34 files in {root} for Acme (ISO 9001:2015); no git repository (git " \
                                  "is not installed)"
    assert f"  cd {root} && git init -b main && git add . && git commit -m 'Start the evidence register'\n" in out
    assert not (root / ".git").exists()


# --------------------------------------------------------------------------- the first run, in a fresh venv


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """init (isoready installed from this checkout, editable: the case a developer and this repository's CI
    are in), then a fresh venv with the register's requirements, then validate and build with it."""
    base = tmp_path_factory.mktemp("first-run")
    root = base / "acme-qms"
    with pytest.MonkeyPatch.context() as mp:
        # The record pip writes for `pip install -e .` in this checkout (the running Python's own record may
        # name another checkout of isoready, e.g. a worktree's main folder).
        mp.setattr(isoready.cli.install, "install_record",
                   lambda: {"url": REPO.as_uri(), "dir_info": {"editable": True}})
        mp.setenv("SOURCE_DATE_EPOCH", "1793491200")
        for key, value in git_env(base).items():
            mp.setenv(key, value)
        assert cli.main(["init", str(root), "--name", "Acme Precision Ltd", "--yes"]) == 0
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300, env=env)
    py = venv / "bin" / "python"
    install = subprocess.run([str(py), "-m", "pip", "install", "-q", "-r", "requirements.txt"], cwd=root,
                             capture_output=True, text=True, timeout=900, env=env)
    runs = {"install": install}
    if install.returncode == 0:
        for command in (["validate"], ["build", "--as-of", "2026-11-01"]):
            runs[command[0]] = subprocess.run([str(venv / "bin" / "isoready"), *command], cwd=root,
                                              capture_output=True, text=True, timeout=600, env=env)
        fixture = base / "minimal"  # only evidence/ and content/: the theme comes from the wheel
        shutil.copytree(REPO / "tests" / "fixtures" / "minimal", fixture)
        runs["minimal"] = subprocess.run([str(venv / "bin" / "isoready"), "build", "--as-of", "2026-11-01"],
                                         cwd=fixture, capture_output=True, text=True, timeout=600, env=env)
        runs["where"] = subprocess.run([str(py), "-c", "import isoready, markdown; print(isoready.__file__)"],
                                       cwd=root, capture_output=True, text=True, timeout=60, env=env)
    return {"root": root, "venv": venv, "runs": runs, "minimal": base / "minimal"}


def test_the_register_carries_a_wheel_of_this_checkout(first_run: dict) -> None:
    root = first_run["root"]
    line = (root / "requirements.txt").read_text(encoding="utf-8").splitlines()[-1]
    (wheel,) = sorted((root / "vendor").glob("isoready-*-py3-none-any.whl"))
    assert line == f"./vendor/{wheel.name}"
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
    assert "isoready/cli/install.py" in names and "isoready/scaffold/portal.yml" in names
    assert "isoready/scaffold/templates/calibration-certificate.yaml" in names  # package data, as init needs
    assert not [n for n in names if n.startswith(("tests/", "build/"))]
    with zipfile.ZipFile(wheel) as zf:  # nothing in the wheel reaches back into a checkout (the benchmark did)
        modules = [n for n in names if n.endswith(".py")]
        assert not [n for n in modules if "bench" in n], modules
        assert not [n for n in modules if "__file__).resolve().parent.parent" in zf.read(n).decode()], modules
    assert ".gitignore" not in names and "vendor" not in (root / ".gitignore").read_text(encoding="utf-8")


def test_requirements_readme_printed_steps_and_workflow_agree(first_run: dict) -> None:
    root = first_run["root"]
    line = (root / "requirements.txt").read_text(encoding="utf-8").splitlines()[-1]
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert f"\n    {line}\n" in readme and "pip install -r requirements.txt" in readme
    assert "- `vendor/`: the isoready wheel `requirements.txt` names; commit it (CI installs from it).\n" in readme
    workflow = yaml.safe_load((root / ".github" / "workflows" / "portal.yml").read_text(encoding="utf-8"))
    installs = [step["run"] for job in workflow["jobs"].values() for step in job.get("steps", [])
                if "pip install" in step.get("run", "")]
    assert installs == ["python -m pip install -r requirements.txt"] * 2  # validate and build, from the root
    assert git(root, "symbolic-ref", "HEAD") == "refs/heads/main\n"


def test_a_fresh_venv_installs_the_register_and_validates_and_builds_it(first_run: dict) -> None:
    runs = first_run["runs"]
    assert runs["install"].returncode == 0, runs["install"].stdout + runs["install"].stderr
    assert runs["where"].stdout.startswith(str(first_run["venv"])), runs["where"].stdout + runs["where"].stderr
    assert (runs["validate"].returncode, runs["validate"].stdout) == (0, "no problems found\n"), runs["validate"].stderr
    assert runs["build"].returncode == 0, runs["build"].stdout + runs["build"].stderr
    site = first_run["root"] / "output"
    assert "Acme Precision Ltd" in (site / "index.html").read_text(encoding="utf-8")
    assert (site / "theme" / "css" / "portal.css").is_file()


def test_the_installed_wheel_builds_a_project_with_no_theme_folder(first_run: dict) -> None:
    """The minimal fixture (evidence/ and content/ only) built by the venv's isoready: theme and templates are
    package data."""
    project = first_run["minimal"]
    run = first_run["runs"]["minimal"]
    assert run.returncode == 0, run.stdout + run.stderr
    assert "theme" not in {p.name for p in project.iterdir()}
    assert (project / "output" / "theme" / "css" / "portal.css").is_file()
    assert "Example Works Ltd" in (project / "output" / "clauses" / "8.4.html").read_text(encoding="utf-8")
