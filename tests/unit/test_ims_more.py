"""An integrated system's portals beyond the build (issue 23): ``isoready validate`` plans every standard's
folder as ``build`` does, ``serve`` keeps every portal current, each portal's trend, a direct ``pelican`` run.
All on a copy of examples/ims."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from isoready.cli import main
from isoready.core.diagnostics import errors, report
from isoready.package.build import Options, build

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "ims"
AS_OF = date(2026, 12, 6)
Q, E = "ISO 9001:2015", "ISO 14001:2015"
FOLDER = "iso-14001-2015"


@pytest.fixture
def ims(tmp_path: Path) -> Path:
    root = tmp_path / "ims"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".cache", "output"))
    return root


def _extra(root: Path, rel: str) -> None:
    path = root / "content" / "extra" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("mine\n", encoding="utf-8")


# --------------------------------------------------------------------------- validate plans every portal


@pytest.mark.parametrize("rel, message", [
    (f"{FOLDER}/notes.txt", f"extra file would replace the portal's own {FOLDER}/notes.txt"),
    (f"{FOLDER}/clauses/6.1.2.html", f"extra file would replace the portal's own {FOLDER}/clauses/6.1.2.html"),
])
def test_validate_refuses_an_extra_file_in_another_standards_folder_as_build_does(
        ims: Path, tmp_path: Path, capsys: pytest.CaptureFixture, rel: str, message: str) -> None:
    _extra(ims, rel)
    assert main(["validate", "--root", str(ims), "--as-of", AS_OF.isoformat()]) == 1
    printed = capsys.readouterr().out
    assert printed.splitlines() == [f"content/extra/{rel}:1:1: E320 {message} (rename it or move it to another "
                                    "folder under content/extra/)", "1 error, 0 warnings"]
    result = build(Options(root=ims, as_of=AS_OF, output=tmp_path / "site", commit="ims", use_cache=False))
    assert not result.ok
    assert report(result.diagnostics) + "\n" == printed  # the two commands agree, word for word


def test_validate_passes_an_integrated_project_build_passes(ims: Path, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture) -> None:
    _extra(ims, "robots.txt")  # not in any portal's folder
    assert main(["validate", "--root", str(ims), "--as-of", AS_OF.isoformat()]) == 0
    assert "E320" not in capsys.readouterr().out
    assert build(Options(root=ims, as_of=AS_OF, output=tmp_path / "site", commit="ims", use_cache=False)).ok


# --------------------------------------------------------------------------- a direct pelican run


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_direct_pelican_run_builds_every_standards_portal_as_build_does(ims: Path, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    (ims / "pelicanconf.py").write_text('PLUGINS = ["isoready.pelican_plugin"]\nISOREADY_AS_OF = "2026-12-06"\n',
                                        encoding="utf-8")
    built = build(Options(root=ims, as_of=AS_OF, output=tmp_path / "built", commit="ims", use_cache=False))
    assert built.ok
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    proc = subprocess.run([sys.executable, "-m", "pelican", "content", "-s", "pelicanconf.py"], cwd=ims,
                          capture_output=True, text=True, timeout=180,
                          env={**env, "PYTHONPATH": str(REPO), "ISOREADY_COMMIT": "ims"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    assert f"built {len(built.files)} files into output for the auditor audience as of 2026-12-06" in proc.stdout
    direct, cold = _tree(ims / "output"), _tree(tmp_path / "built")
    assert f"{FOLDER}/index.html" in direct and f"{FOLDER}/clauses/6.1.2.html" in direct
    assert direct.keys() == cold.keys()
    assert [k for k in direct if direct[k] != cold[k]] == []


# --------------------------------------------------------------------------- serve keeps every portal current


def _serve_tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.endswith(".part")}


@pytest.mark.parametrize("old, new, pages", [
    # a 14001-only record: only the 14001 portal shows it
    ("impacts register, with significance criteria", "impacts register, scored for significance",
     [f"{FOLDER}/evidence/ENV-ASP-01.html"]),
    # an hs: record: both portals show it
    ("gas per square metre coated down 8 %", "gas per square metre coated down 9 %",
     ["evidence/OBJ-2026.html", f"{FOLDER}/evidence/OBJ-2026.html"]),
])
def test_serve_shows_every_portal_and_its_rebuild_after_an_edit_equals_a_cold_build(
        ims: Path, tmp_path: Path, old: str, new: str, pages: list[str]) -> None:
    from dataclasses import replace

    from isoready.cli.serve import Preview

    opts = Options(root=ims, as_of=AS_OF, output=tmp_path / "preview", commit="ims", use_cache=False)
    preview = Preview(opts)
    assert preview.full().ok and preview.ready
    out = tmp_path / "preview"
    assert (out / FOLDER / "index.html").is_file()
    assert 'aria-label="Standards"' in (out / "index.html").read_text(encoding="utf-8")
    assert 'aria-label="Standards"' in (out / FOLDER / "index.html").read_text(encoding="utf-8")
    record = ims / "evidence" / "planning" / "registers.yaml"
    text = record.read_text(encoding="utf-8")
    assert old in text
    record.write_text(text.replace(old, new), encoding="utf-8")
    ok, diags = preview.update({str(record)})  # incremental: no Fallback to a full build
    assert ok, diags
    for page in pages:
        assert new in (out / page).read_text(encoding="utf-8"), page
    cold = build(replace(opts, output=tmp_path / "cold"))
    assert cold.ok
    assert _serve_tree(out) == _serve_tree(tmp_path / "cold")


# --------------------------------------------------------------------------- the trend and the last audit, per standard


def _git(repo: Path, *args: str, day: str = "2026-06-01") -> None:
    import os
    import subprocess

    stamp = f"{day}T10:00:00+00:00"
    env = dict(os.environ, GIT_AUTHOR_DATE=stamp, GIT_COMMITTER_DATE=stamp, GIT_AUTHOR_NAME="Alice Quality",
               GIT_AUTHOR_EMAIL="alice@example.com", GIT_COMMITTER_NAME="Alice Quality",
               GIT_COMMITTER_EMAIL="alice@example.com")
    env.pop("ISOREADY_COMMIT", None)
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


OBLIGATIONS = """- id: ENV-OBL-01
  title: Compliance obligations register
  kind: document
  clauses: ["14001:6.1.3"]
  owner: Environmental Coordinator
  date: 2026-05-06
  review_by: 2027-05-06
"""


@pytest.fixture
def ims_history(ims: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """examples/ims in git: the audit (tagged audit-2026-06) lacks the 14001-only compliance obligations
    register, a later commit adds it. Built with git facts."""
    monkeypatch.delenv("ISOREADY_COMMIT", raising=False)
    registers = ims / "evidence" / "planning" / "registers.yaml"
    text = registers.read_text(encoding="utf-8")
    block = text[text.index("- id: ENV-OBL-01"):text.index("- id: ENV-PLAN-01")]
    registers.write_text(text.replace(block, ""), encoding="utf-8")
    org = ims / "content" / "organisation.yaml"
    org.write_text(org.read_text(encoding="utf-8") + "last_audit: audit-2026-06\n", encoding="utf-8")
    _git(ims, "init", "-q", "-b", "main")
    _git(ims, "add", "-A")
    _git(ims, "commit", "-q", "-m", "the register at the audit")
    _git(ims, "tag", "audit-2026-06")
    registers.write_text(text.replace(block, "") + OBLIGATIONS, encoding="utf-8")
    _git(ims, "add", "-A", day="2026-09-01")
    _git(ims, "commit", "-q", "-m", "compliance obligations register", day="2026-09-01")
    result = build(Options(root=ims, as_of=AS_OF, output=tmp_path / "site", use_cache=False))
    assert result.ok, [str(d) for d in errors(result.diagnostics)]
    return tmp_path / "site"


def _history(site: Path, folder: str = "") -> list[dict]:
    import json

    return json.loads((site / folder / "history.json").read_text(encoding="utf-8"))["entries"]


def test_each_portal_has_its_own_trend(ims_history: Path) -> None:
    import json

    quality, environment = _history(ims_history), _history(ims_history, FOLDER)
    assert [e["date"] for e in environment] == [e["date"] for e in quality] == ["2026-06-01", "2026-09-01"]
    assert environment[0]["tags"] == ["audit-2026-06"]
    # each commit judged as each standard sees it: its own clause set
    for folder, entries in (("", quality), (FOLDER, environment)):
        own = json.loads((ims_history / folder / "readiness.json").read_text(encoding="utf-8"))["readiness"]
        assert [e["leaves_applicable"] for e in entries] == [own["applicable_clauses"]] * 2, folder
    assert quality[-1]["leaves_applicable"] != environment[-1]["leaves_applicable"]
    dashboard = (ims_history / FOLDER / "index.html").read_text(encoding="utf-8")
    assert "Readiness per commit" in dashboard and 'href="./history.json"' in dashboard
    assert '<a href="./since-last-audit.html">What changed since the last audit</a>' in dashboard


def test_each_portal_compares_its_own_standard_with_the_last_audit(ims_history: Path) -> None:
    environment = (ims_history / FOLDER / "since-last-audit.html").read_text(encoding="utf-8")
    quality = (ims_history / "since-last-audit.html").read_text(encoding="utf-8")
    assert "ENV-OBL-01" in environment and "audit-2026-06" in environment
    assert "ENV-OBL-01" not in quality


def test_a_standard_taken_on_after_the_last_audit_is_compared_with_nothing(ims: Path, tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """9001 audited first, 14001 added later (the common way to an integrated system): the 14001 portal's
    comparison starts from nothing, never 'names no commit', and its trend starts when the project took it on."""
    import json

    monkeypatch.delenv("ISOREADY_COMMIT", raising=False)
    org = ims / "content" / "organisation.yaml"
    both = org.read_text(encoding="utf-8") + "last_audit: audit-2026-06\n"
    org.write_text(both.replace('standards: ["ISO 9001:2015", "ISO 14001:2015"]', 'standard: "ISO 9001:2015"'),
                   encoding="utf-8")
    _git(ims, "init", "-q", "-b", "main")
    _git(ims, "add", "-A")
    _git(ims, "commit", "-q", "-m", "ISO 9001 alone at its audit")
    _git(ims, "tag", "audit-2026-06")
    org.write_text(both, encoding="utf-8")
    _git(ims, "add", "-A", day="2026-09-01")
    _git(ims, "commit", "-q", "-m", "ISO 14001 taken on", day="2026-09-01")
    result = build(Options(root=ims, as_of=AS_OF, output=tmp_path / "site", use_cache=False))
    assert result.ok, [str(d) for d in errors(result.diagnostics)]
    site = tmp_path / "site"
    page = (site / FOLDER / "since-last-audit.html").read_text(encoding="utf-8")
    assert "names no commit" not in page
    assert "ENV-OBL-01" in page
    entries = json.loads((site / FOLDER / "history.json").read_text(encoding="utf-8"))["entries"]
    assert [e["date"] for e in entries] == ["2026-09-01"]
