"""`isoready rollup`: a group portal from registers and built sites (issue 25). Exact exit codes and
diagnostic lines, the page a group reads (names, verdicts, links that resolve), the audience refusal, hostile
readiness.json files, and the Nu checker's verdict on the page."""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote

import pytest

from isoready.cli import main
from isoready.outputs.conform import contract_problems
from schema_check import readiness_errors

MINIMAL = Path(__file__).resolve().parents[1] / "fixtures" / "minimal"
AS_OF = "2026-11-01"


def _register(where: Path, name: str) -> Path:
    shutil.copytree(MINIMAL, where, symlinks=True)
    org = where / "content" / "organisation.yaml"
    org.write_text(re.sub(r"(?m)^name: .*$", f"name: {name}", org.read_text(encoding="utf-8")), encoding="utf-8")
    return where


@pytest.fixture(scope="module")
def group(tmp_path_factory) -> Path:
    """Three registers (Alpha, Beta, Gamma), Gamma also built twice: for public and for internal."""
    base = tmp_path_factory.mktemp("group")
    for name in ("Alpha", "Beta", "Gamma"):
        _register(base / name.lower(), f"{name} Works")
    for audience in ("public", "internal"):
        assert main(["build", "--root", str(base / "gamma"), "--output", str(base / f"gamma-{audience}"),
                     "--audience", audience, "--as-of", AS_OF]) == 0
    return base


def _text(html: str) -> str:
    main_part = html.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", " ", main_part).split())


def test_three_sites_public_group_portal(group: Path, capsys) -> None:
    out = group / "out-public"
    args = ["rollup", str(group / "alpha"), str(group / "beta"), str(group / "gamma"), str(group / "gamma-public"),
            "--output", str(out), "--as-of", AS_OF, "--central", "Alpha Works"]
    assert main(args) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (f"rolled up 4 sites into {out} for the public audience "
                                                        f"as of {AS_OF}")
    html = (out / "index.html").read_text(encoding="utf-8")
    text = _text(html)
    for name in ("Alpha Works", "Beta Works", "Gamma Works"):
        assert name in text
    assert text.count("Stage 2: Stage 2: fails today. (its checks are not published for this audience)") == 4
    assert text.count("not published for this audience") >= 8  # open findings and the gates' checks
    assert "IA-2026-01" not in html  # the major's id is not shown to the public
    assert "0 of 4 sites pass the stage 2 gate" in text
    assert "Central function: Alpha Works" in text
    assert text.count("no link: built here from its register") == 3
    assert "Initial audit 2 3" in text  # x = 3 sites besides the central function: ceil(sqrt(3)) = 2, + central
    assert "Alpha Works (alpha): the central function: visited at every audit" in text
    assert "1 more drawn at random by the certification body from the other" in text  # at least 25 % random
    # the built site is linked, relatively, and the link resolves on disk; the registers are not
    links = [unquote(h) for h in re.findall(r'<a href="([^"#]+)"', html) if h != "index.html"]
    assert links == ["../gamma-public/index.html"]
    assert (out / links[0]).resolve() == (group / "gamma-public" / "index.html").resolve()
    assert (out / "theme" / "css" / "portal.css").is_file()
    assert 'rel="stylesheet" href="theme/css/portal.css"' in html


def test_auditor_group_reads_the_registers_for_auditors(group: Path, capsys) -> None:
    out = group / "out-auditor"
    assert main(["rollup", str(group / "alpha"), str(group / "gamma-public"), "--output", str(out),
                 "--as-of", AS_OF, "--audience", "auditor"]) == 0
    text = _text((out / "index.html").read_text(encoding="utf-8"))
    assert "Stage 2: open major finding(s): IA-2026-01" in text  # the register built for auditors names it
    assert "for the auditor audience" in text and "for the public audience" in text
    assert "Initial audit 2 2" in text  # x = 2 sites, no central function named: ceil(sqrt(2)) = 2


def test_a_wider_site_is_refused_and_the_portal_kept(group: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(group)
    out = group / "out-refused"
    assert main(["rollup", "alpha", "--output", "out-refused", "--as-of", AS_OF]) == 0
    before = (out / "index.html").read_bytes()
    capsys.readouterr()
    assert main(["rollup", "alpha", "gamma-internal", "--output", "out-refused", "--as-of", AS_OF]) == 1
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [
        "gamma-internal:1:1: E372 readiness.json was built for the internal audience, wider than the group portal's "
        "public: refused, so nothing it shows leaks (roll up a build made with --audience public, or give "
        "--audience internal)",
        "1 error, 0 warnings"]
    assert captured.err == "rollup stopped: out-refused left unchanged\n"
    assert (out / "index.html").read_bytes() == before


def test_example_lines(tmp_path: Path, capsys, monkeypatch) -> None:
    """The lines docs/diagnostics.md shows, exactly."""
    monkeypatch.chdir(tmp_path)
    Path("broken").mkdir()
    Path("broken/readiness.json").write_text("{not json", encoding="utf-8")
    Path("deep").mkdir()
    Path("deep/readiness.json").write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")
    Path("old").mkdir()
    Path("old/readiness.json").write_text(json.dumps({"schema": 2, "organisation": "X"}), encoding="utf-8")
    Path("outside").mkdir()
    (tmp_path / "elsewhere.json").write_text("{}", encoding="utf-8")
    os.symlink(tmp_path / "elsewhere.json", "outside/readiness.json")
    Path("notes.txt").write_text("hello", encoding="utf-8")
    assert main(["rollup", "broken", "deep", "old", "outside", "notes.txt", "--output", "group"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "broken:1:1: E370 readiness.json is not valid UTF-8 JSON (give a readiness.json isoready built)",
        "deep:1:1: E370 readiness.json is nested too deeply (give a readiness.json isoready built)",
        "notes.txt:1:1: E373 neither a register folder nor a built site's readiness.json (give a register folder, "
        "a built site folder or its readiness.json)",
        "old:1:1: E371 readiness.json does not meet the output contract: the top level lacks the key 'as_of'; the "
        "top level lacks the key 'standard'; the top level lacks the key 'amendments' (rebuild the site with this "
        "version of isoready (isoready schema readiness))",
        "outside:1:1: E373 readiness.json leads outside its folder outside; it is not followed (give the folder "
        "that really holds the site's readiness.json)",
        "5 errors, 0 warnings",
    ]
    assert not Path("group").exists()


def test_fifo_and_huge_file_are_not_read(tmp_path: Path, capsys) -> None:
    (tmp_path / "pipe").mkdir()
    os.mkfifo(tmp_path / "pipe" / "readiness.json")
    (tmp_path / "huge").mkdir()
    with open(tmp_path / "huge" / "readiness.json", "wb") as fh:
        fh.truncate(65 * 1024 * 1024)  # sparse: claims 65 MiB, over the limit
    assert main(["rollup", str(tmp_path / "pipe"), str(tmp_path / "huge"), "--output", str(tmp_path / "g")]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert f"{tmp_path / 'pipe'}:1:1: E108 a FIFO (named pipe), not a regular file; it is never opened (remove it, " \
           "or put an ordinary file in its place)" in lines
    assert f"{tmp_path / 'huge'}:1:1: E370 readiness.json is over the 67108864-byte limit (give a readiness.json " \
           "isoready built)" in lines


@pytest.mark.parametrize("site", ["https://example.com/site/readiness.json", "file:///tmp/readiness.json"])
def test_a_url_is_a_usage_error(site: str, tmp_path: Path, capsys) -> None:
    assert main(["rollup", site, "--output", str(tmp_path / "g")]) == 2
    assert capsys.readouterr().err == (f"isoready: error: SITE {site} is a URL; rollup reads only local folders "
                                       "and files (download the site's readiness.json first, e.g. as a CI "
                                       "artifact)\n")


def test_missing_site_and_unknown_central_are_usage_errors(group: Path, tmp_path: Path, capsys) -> None:
    assert main(["rollup", str(tmp_path / "nowhere"), "--output", str(tmp_path / "g")]) == 2
    assert capsys.readouterr().err == f"isoready: error: SITE {tmp_path / 'nowhere'} does not exist\n"
    assert main(["rollup", str(group / "gamma-public"), "--output", str(tmp_path / "g"), "--central", "Nobody"]) == 2
    assert capsys.readouterr().err == ("isoready: error: --central Nobody: no site has that organisation name\n")


def test_values_are_data_not_paths_or_markup(group: Path, tmp_path: Path) -> None:
    data = json.loads((group / "gamma-public" / "readiness.json").read_text(encoding="utf-8"))
    data["organisation"] = "<script>alert(1)</script>{{ 7*7 }} ../../etc/passwd"
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "readiness.json").write_text(json.dumps(data), encoding="utf-8")
    assert main(["rollup", str(tmp_path / "s"), "--output", str(tmp_path / "g"), "--as-of", AS_OF]) == 0
    html = (tmp_path / "g" / "index.html").read_text(encoding="utf-8")
    assert "<script>" not in html and "49" not in _text(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;{{ 7*7 }} ../../etc/passwd" in html
    assert sorted(p.name for p in (tmp_path / "g").iterdir()) == ["index.html", "manifest.json", "theme"]


def test_conform_agrees_with_jsonschema(group: Path) -> None:
    good = json.loads((group / "gamma-internal" / "readiness.json").read_text(encoding="utf-8"))
    assert contract_problems(good) == [] and readiness_errors(good) == []
    mutations = [("schema", 2), ("audience", "everyone"), ("readiness", None), ("gates", {"stage3": {}}),
                 ("clauses", [{"number": "x"}]), ("extra", 1), ("findings", "none"), ("as_of", 5)]
    for key, value in mutations:
        bad = copy.deepcopy(good)
        bad[key] = value
        assert readiness_errors(bad), key
        assert contract_problems(bad), key
    bad = copy.deepcopy(good)
    bad["readiness"]["ready_share"] = 1.5
    assert readiness_errors(bad) and contract_problems(bad) == ["readiness.ready_share is above 1"]


def test_group_portal_passes_the_nu_checker(group: Path) -> None:
    from e2e_support import VNU_JAR

    java = shutil.which("java")
    if not VNU_JAR.is_file() or java is None:
        pytest.fail(f"the Nu checker needs java and {VNU_JAR} (npm ci --prefix tests/e2e)")
    out = group / "out-nu"
    assert main(["rollup", str(group / "alpha"), str(group / "gamma-public"), "--output", str(out),
                 "--as-of", AS_OF, "--audience", "auditor"]) == 0
    proc = subprocess.run([java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", str(out / "index.html")],
                          capture_output=True, text=True, timeout=300)
    assert json.loads(proc.stderr or proc.stdout)["messages"] == []


def test_the_output_may_not_replace_or_hold_a_site(group: Path, capsys) -> None:
    site = group / "gamma-public"
    before = (site / "index.html").read_bytes()
    for out in (site, group):
        assert main(["rollup", str(site), "--output", str(out), "--as-of", AS_OF]) == 2
        assert capsys.readouterr().err == (f"isoready: error: refusing to write the group portal to {out}: it would "
                                           f"replace SITE {site}; choose another --output\n")
    register = group / "alpha"
    assert main(["rollup", str(register), "--output", str(register / "evidence" / "g"), "--as-of", AS_OF]) == 2
    assert "refusing to write the group portal to" in capsys.readouterr().err
    assert (site / "index.html").read_bytes() == before


def test_same_inputs_give_the_same_bytes(group: Path) -> None:
    pages = []
    for name in ("same-1", "same-2"):
        out = group / name
        assert main(["rollup", str(group / "gamma-public"), str(group / "beta"), "--output", str(out),
                     "--as-of", AS_OF]) == 0
        pages.append([(out / f).read_bytes() for f in ("index.html", "manifest.json", "theme/css/portal.css")])
    assert pages[0] == pages[1]


def test_an_impossible_audit_date_is_not_a_traceback(group: Path, tmp_path: Path, capsys) -> None:
    data = json.loads((group / "gamma-internal" / "readiness.json").read_text(encoding="utf-8"))
    audit = next(a for ids in data["coverage"]["leaves"].values() for a in ids)
    for e in data["evidence"]:
        if e["id"] == audit:
            e["date"] = "2026-02-30"
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "readiness.json").write_text(json.dumps(data), encoding="utf-8")
    assert main(["rollup", str(tmp_path / "s"), str(group / "gamma-internal"), "--output", str(tmp_path / "g"),
                 "--as-of", AS_OF, "--audience", "internal"]) == 0
    assert "2026-02-30" in (tmp_path / "g" / "index.html").read_text(encoding="utf-8")


def test_open_findings_say_what_the_audience_does_not_see(tmp_path: Path) -> None:
    site = _register(tmp_path / "delta", "Delta Works")
    findings = site / "content" / "findings" / "internal-audit-2026.yaml"
    text = findings.read_text(encoding="utf-8")
    findings.write_text(text.replace("  status: closed\n", "  status: closed\n  audience: internal\n"), encoding="utf-8")
    assert main(["rollup", str(site), "--output", str(tmp_path / "g"), "--as-of", AS_OF, "--audience", "auditor"]) == 0
    text = _text((tmp_path / "g" / "index.html").read_text(encoding="utf-8"))
    assert "1 of those shown (1 findings withheld from this audience)" in text


def test_a_downloaded_file_may_carry_the_site_name(group: Path, tmp_path: Path) -> None:
    shutil.copy(group / "gamma-public" / "readiness.json", tmp_path / "plant-north.json")
    assert main(["rollup", str(tmp_path / "plant-north.json"), "--output", str(tmp_path / "g"), "--as-of", AS_OF]) == 0
    text = _text((tmp_path / "g" / "index.html").read_text(encoding="utf-8"))
    assert "Gamma Works" in text and "no link: no index.html beside its readiness.json" in text


def test_the_page_names_a_site_by_its_folder_not_the_path_it_was_given_by(group: Path) -> None:
    """A SITE given by an absolute path (a home folder, a runner's workspace) is named by its folder alone: the
    group portal is published, and the machine's paths are nobody's business."""
    out = group / "out-paths"
    assert main(["rollup", str(group / "alpha"), str(group / "gamma-public" / "readiness.json"),
                 "--output", str(out), "--as-of", AS_OF]) == 0
    html = (out / "index.html").read_text(encoding="utf-8")
    assert str(group) not in html and str(group.parent) not in html
    assert "<code>alpha</code>" in html and "<code>gamma-public/readiness.json</code>" in html
