"""Register pages and their audiences (issue 24): registers.html, one page per register with its rows, flags,
problems and reasons, the objectives' charts; a withheld record's register gone from the build; names in a
competence register only where the audience may see them.

The reader and the rules are written elsewhere at the same time, so the registers are hand-made
(register_samples.py) and handed to a real build (``build``, in this process) in place of the empty ones."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from datetime import date
from html import unescape
from pathlib import Path

import pytest

from isoready.model import Project
from isoready.package.build import Options, build
from isoready.validate.redact import registers_for

from tests.unit import register_samples as samples

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "minimal"
AS_OF = date(2026, 11, 24)


def _project(tmp: Path, audience: dict | None = None) -> Path:
    root = tmp / "project"
    shutil.copytree(FIXTURE, root)
    samples.write_records(root, audience)
    return root


def _build(root: Path, audience: str, out: Path, show_people: bool = False, registers: bool = True) -> Path:
    with pytest.MonkeyPatch.context() as mp:
        if registers:
            samples.patch_build(mp, show_people)
        result = build(Options(root=root, as_of=AS_OF, audience=audience, output=out, use_cache=False))
    assert not [d for d in result.diagnostics if d.severity == "error"]
    return out


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("registers")
    root = _project(tmp)
    out = {aud: _build(root, aud, tmp / aud) for aud in ("public", "auditor", "internal")}
    out["auditor-show-people"] = _build(root, "auditor", tmp / "show", show_people=True)
    out["no-registers"] = _build(root, "auditor", tmp / "none", registers=False)
    return out


def _main(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    return text[text.index("<main"):text.index("</main>")]


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _every_text(site: Path) -> dict[str, str]:
    """Every file of a build as text, with the members of zips (the workbook, an archive) read one by one."""
    out = {}
    for path in sorted(site.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if data[:2] == b"PK":
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                for name in z.namelist():
                    out[f"{path.relative_to(site)}!{name}"] = z.read(name).decode("utf-8", "replace")
        else:
            out[str(path.relative_to(site))] = data.decode("utf-8", "replace")
    return out


def test_registers_have_pages_and_a_nav_entry_only_when_the_build_has_registers(sites):
    site = sites["auditor"]
    assert sorted(p.name for p in (site / "registers").iterdir()) == [
        f"{ev}.html" for ev in sorted(samples.SAMPLES)]
    assert '<a href="./registers.html">Registers</a>' in (site / "index.html").read_text(encoding="utf-8")
    none = sites["no-registers"]
    assert not (none / "registers.html").exists() and not (none / "registers").exists()
    assert "registers.html" not in (none / "index.html").read_text(encoding="utf-8")


def test_the_index_lists_each_register_with_its_rows_flags_and_problems(sites):
    text = _text(_main(sites["auditor"] / "registers.html"))
    assert "7 registers in this build" in text
    assert "Calibration register REG-CAL Calibration register 4 2 flagged 1" in text
    assert "Objectives register REG-OBJ Quality objectives tracker 8 1 flagged 0" in text


def test_a_register_page_shows_its_rows_flags_problems_and_reasons(sites):
    html = _main(sites["auditor"] / "registers" / "REG-CAL.html")
    text = _text(html)
    assert "Row Id Description Next calibration Status Result Flags" in text
    assert "2 G-001 Micrometer 0-25 mm 2026-09-30 in-service pass Overdue" in text
    assert "3 G-002 Height gauge 300 mm 2027-06-01 in-service fail Failed" in text
    assert "4 G-003 Bore gauge set 2027-08-15 quarantined none" in text
    # flagged rows are marked in the markup (for the filter and the rule at their start), not only by a colour
    flagged = re.findall(r'<tr class="is-flagged" data-flagged="yes">\s*<td data-label="Row" data-key="(\d+)"', html)
    assert flagged == ["2", "3"]
    assert "W302 evidence/registers/gauges.csv:5:3 unreadable date 'next spring'" in text
    # the register's reasons, worded by the registry
    assert "status is planned; ready needs implemented or verified" in text
    assert ("measuring equipment in service that cannot be relied on (past calibration due date: G-001; failed "
            "calibration: G-002)") in text
    assert "4 rows, 2 flagged" in text


def test_the_evidence_page_links_its_register(sites):
    page = (sites["auditor"] / "evidence" / "REG-SUP.html").read_text(encoding="utf-8")
    assert '<a href="../registers/REG-SUP.html">Its rows, flags and problems</a>' in page
    plain = (sites["auditor"] / "evidence" / "operation" / "suppliers.html").read_text(encoding="utf-8")
    assert "registers/" not in plain


def test_the_objectives_page_draws_each_objective_with_a_text_alternative_and_a_table(sites):
    html = _main(sites["auditor"] / "registers" / "REG-OBJ.html")
    assert html.count("<svg ") == 2
    assert ('<title id="objective-1-title">On-time delivery: actual against target over 4 periods, 2026-07 to '
            '2026-10; in 2026-10 the actual was 92% against a target of 95%.</title>') in html
    text = _text(html)
    assert ("On-time delivery: target and actual per period Period Target Actual 2026-07 95% 96% "
            "2026-08 95% 94% 2026-09 95% 93% 2026-10 95% 92%") in text
    assert "<script" not in html  # the chart needs none


def test_a_public_build_holds_no_name_from_a_competence_register_anywhere(sites):
    files = _every_text(sites["public"])
    assert any(k.startswith("checklist.xlsx!") for k in files) and "search-index.js" in files
    leaks = [(k, name) for k, text in files.items() for name in samples.PEOPLE if name in text]
    assert leaks == []
    assert not any(k.endswith("training-matrix.csv") for k in files)  # the file holds them as written
    text = _text(_main(sites["public"] / "registers" / "REG-COMP.html"))
    assert "a public build shows its counts only" in text
    assert "Counts Rows 3 Flagged rows 2 Expired 1 In training 1" in text
    assert not any(role in text for role in samples.ROLES)


def test_an_auditor_build_shows_roles_but_no_names(sites):
    files = _every_text(sites["auditor"])
    assert [(k, n) for k, text in files.items() for n in samples.PEOPLE if n in text] == []
    html = _main(sites["auditor"] / "registers" / "REG-COMP.html")
    text = _text(html)
    assert "Row Role Competence Status Expires Flags" in text  # no person column at all
    assert "2 CMM operator CMM programming competent 2026-10-01 Expired" in text
    assert "3 Setter 5-axis setting in-training In training" in text
    assert "W301 evidence/registers/training-matrix.csv:3:1 [withheld]" in text  # its text quoted a name
    record = _text(_main(sites["auditor"] / "evidence" / "REG-COMP.html"))
    assert "Document Not published in this build: the file names people." in record


@pytest.mark.parametrize("which", ["auditor-show-people", "internal"])
def test_names_show_in_internal_builds_and_where_the_record_opts_in(sites, which):
    text = _text(_main(sites[which] / "registers" / "REG-COMP.html"))
    assert "Row Person Role Competence Status Expires Flags" in text
    assert f"2 {samples.PEOPLE[0]} CMM operator CMM programming" in text
    assert any(k.endswith("training-matrix.csv") for k in _every_text(sites[which]))


def test_a_withheld_records_register_is_gone_from_the_build(tmp_path):
    root = _project(tmp_path, {"REG-CAL": "internal"})
    site = _build(root, "auditor", tmp_path / "site")
    assert not (site / "registers" / "REG-CAL.html").exists()
    files = _every_text(site)
    for word in ("Micrometer", "G-002", "gauges.csv", "REG-CAL"):
        assert [k for k, text in files.items() if word in text] == [], word
    assert "1 register not shown in this build." in _text(_main(site / "registers.html"))


def _sample_project(tmp: Path) -> Project:
    from isoready.read.catalog import load_catalog
    from isoready.validate.project import read_project

    project, _ = read_project(_project(tmp), load_catalog(), AS_OF)
    return samples.inject(project)


def test_registers_for_drops_the_names_column_and_keeps_every_other_value(tmp_path):
    project = _sample_project(tmp_path)
    auditor = registers_for(project, "auditor")["REG-COMP"]
    assert auditor.columns == ("role", "competence", "status", "expires")
    assert [sorted(r.values) for r in auditor.rows] == [["competence", "expires", "role", "status"]] * 3
    assert all("person" not in r.cells for r in auditor.rows)
    assert registers_for(project, "internal")["REG-COMP"] == project.registers["REG-COMP"]
    public = registers_for(project, "public")["REG-COMP"]
    assert (public.rows, public.problems) == ((), ())
    assert registers_for(project, "public")["REG-CAL"] == project.registers["REG-CAL"]  # no names: every row


def test_a_register_read_anew_rebuilds_its_page_in_a_long_lived_process(tmp_path):
    """serve keeps each builder's pages while its inputs are unchanged: a register's content is one of them."""
    from dataclasses import replace

    from isoready.assess import assess
    from isoready.views import ViewMemo, build_site

    project = _sample_project(tmp_path)
    readiness = replace(assess(project, AS_OF), registers=samples.results(project))
    hashes = {e.file: (1, "0" * 64) for e in project.evidence if e.file}
    memo = ViewMemo()
    build_site(project, readiness, hashes=hashes, memo=memo)
    build_site(project, readiness, hashes=hashes, memo=memo)
    assert "registers" not in memo.rebuilt
    calibration = project.registers["REG-CAL"]
    one_row = replace(calibration, rows=calibration.rows[:1])
    edited = replace(project, registers={**project.registers, "REG-CAL": one_row})
    site = build_site(edited, readiness, hashes=hashes, memo=memo)
    assert "registers" in memo.rebuilt
    assert [len(v.rows) for v in site.models("register-table") if v.evidence == "REG-CAL"] == [1]
