"""``invoke bench`` prints issue 23's three preview-speed figures from one run, each against its target."""

from __future__ import annotations

from tests.bench import register_lines, targets


def _run(edit: float, serve_unchanged: float, unchanged: float, cold_x_floor: float) -> dict:
    return {"sizes": {"10000": {"records": 10039, "ratios": {
        "serve_rebuild_one_edit/cold_build": edit, "serve_rebuild_unchanged/cold_build": serve_unchanged,
        "rebuild_unchanged/cold_build": unchanged, "cold_build/floor": cold_x_floor}}}}


def test_each_target_is_printed_met_or_missed():
    assert targets(_run(0.093, 0.2, 0.5, 3.4)) == [
        "target: 10,039 records: serve: one-record edit visible: 9.3% of a cold build (target <= 10%) met",
        "target: 10,039 records: serve: rebuild with nothing changed: 20.0% of a cold build (target <= 15%) MISSED",
        "target: 10,039 records: build: rebuild with nothing changed: 50.0% of a cold build (target <= 15%) MISSED",
        "target: 10,039 records: cold build: 3.40x the floor (target <= 3x) MISSED",
    ]


def test_a_figure_on_its_target_is_met():
    assert all(line.endswith(" met") for line in targets(_run(0.10, 0.15, 0.15, 3.0)))


def test_register_figures_are_printed_with_the_target_at_10000_rows():
    rows = [{"rows": 10_000, "format": "csv", "seconds": 0.31, "cpu_seconds": 0.2, "read": 10_000, "problems": 10},
            {"rows": 10_000, "format": "xlsx", "seconds": 1.25, "cpu_seconds": 0.9, "read": 10_000, "problems": 10},
            {"rows": 100_000, "format": "csv", "seconds": 3.0, "cpu_seconds": 2.5, "read": 100_000, "problems": 100}]
    assert register_lines(rows) == [
        "register: 10,000 rows (csv): 0.31s (0.20s CPU), 10,000 rows read, 10 problems (target < 1 s: met)",
        "register: 10,000 rows (xlsx): 1.25s (0.90s CPU), 10,000 rows read, 10 problems (target < 1 s: MISSED)",
        "register: 100,000 rows (csv): 3.00s (2.50s CPU), 100,000 rows read, 100 problems",
    ]


def test_the_multi_site_figures_are_printed_against_the_memory_target():
    from tests.bench import sites_lines

    run = {"sites": 500, "records_per_site": 200, "records": 100_000,
           "validate": {"seconds": 160.1, "cpu_seconds": 52.0, "peak_mb": 857.0},
           "cold_build": {"seconds": 877.2, "cpu_seconds": 181.6, "peak_mb": 1152.0}}
    assert sites_lines(run) == [
        "sites: 500 sites x 200 records (100,000 records): validate 160.10s (52.00s CPU), peak 857 MB "
        "(target < 1,024 MB: met)",
        "sites: 500 sites x 200 records (100,000 records): cold build 877.20s (181.60s CPU), peak 1152 MB "
        "(target < 1,024 MB: MISSED)",
    ]


def test_the_synthetic_group_is_a_valid_register_of_its_sites(tmp_path, capsys):
    """What `invoke bench --sites N` builds validates without an error, with the sites and records asked for."""
    from datetime import date

    from isoready.read.catalog import load_catalog
    from isoready.validate.project import read_project
    from tests.bench import generate_sites

    generate_sites(tmp_path / "group", 8, per_site=60)
    project, diagnostics = read_project(tmp_path / "group", load_catalog("ISO 9001:2015"), date(2026, 11, 24))
    assert [str(d) for d in diagnostics if d.severity == "error"] == []
    assert [s.id for s in project.organisation.sites][5:] == ["leeds", "plant-0006", "plant-0007"]
    assert sum(1 for e in project.evidence if e.sites == ("plant-0007",)) == 60 + 1  # its records and its audit


def test_a_repeated_figure_is_its_median_run_with_every_run_shown():
    """The floor, the cold build and the unchanged rebuild are measured in rounds: each figure is the run of
    median seconds (its CPU and memory with it), one slow run moves it no more than one place, and the table
    prints every run."""
    from tests.bench import _runs, median_run

    runs = [{"seconds": 9.48, "cpu_seconds": 12.0, "peak_mb": 180.0},
            {"seconds": 6.90, "cpu_seconds": 11.7, "peak_mb": 176.0},
            {"seconds": 7.10, "cpu_seconds": 11.8, "peak_mb": 177.0}]
    median = median_run(runs)
    assert (median["seconds"], median["cpu_seconds"], median["peak_mb"]) == (7.10, 11.8, 177.0)
    assert median["runs_seconds"] == [9.48, 6.90, 7.10]
    assert _runs(median) == " [9.48, 6.90, 7.10]"
    assert median_run(runs[:2])["seconds"] == 6.90  # an even count: the lower middle run
    assert _runs(median_run(runs[:1])) == ""
