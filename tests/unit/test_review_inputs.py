"""Management review inputs are checked against the record's own standard (issue 23): a project on ISO 14001
accepts 14001's input words and refuses a word only ISO 9001 has, with a did-you-mean among 14001's words; in
an integrated system plain words are the first standard's and ``14001:compliance`` names ISO 14001's, which
that standard's portal then reads as considered."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from isoready.cli import main
from isoready.package.build import Options, build

REPO = Path(__file__).resolve().parents[2]
AS_OF = "2026-12-06"


def _project(root: Path, standard: str, inputs: str) -> Path:
    (root / "content").mkdir(parents=True)
    (root / "evidence").mkdir()
    (root / "content" / "organisation.yaml").write_text(f'name: Green Works Ltd\nstandard: "{standard}"\n',
                                                        encoding="utf-8")
    (root / "evidence" / "mr.yaml").write_text(
        'id: MR-1\ntitle: Management review minutes\nkind: record\nclauses: ["9.3"]\ndate: 2026-11-02\n'
        f"inputs: [{inputs}]\n", encoding="utf-8")
    return root


def _validate(root: Path, capsys: pytest.CaptureFixture) -> tuple[int, list[str]]:
    code = main(["validate", "--root", str(root), "--as-of", AS_OF])
    return code, capsys.readouterr().out.splitlines()


def test_a_14001_project_accepts_14001_inputs(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    root = _project(tmp_path / "p", "ISO 14001:2015",
                    "compliance, environmental-aspects, interested-parties, communications, previous-actions")
    code, lines = _validate(root, capsys)
    assert [line for line in lines if "E204" in line] == []
    assert code == 0, lines


def test_a_14001_project_refuses_a_9001_only_input_with_a_did_you_mean(tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture) -> None:
    root = _project(tmp_path / "p", "ISO 14001:2015", "compliance, customer-satisfaction, external-providers, "
                                                      "legal-register")
    code, lines = _validate(root, capsys)
    assert code == 1
    assert lines == [
        "evidence/mr.yaml:6:22: E204 'customer-satisfaction' is not one of the allowed inputs of ISO 14001:2015 "
        "(did you mean 'communications'?)",
        "evidence/mr.yaml:6:45: E204 'external-providers' is not one of the allowed inputs of ISO 14001:2015 "
        "(use one of: previous-actions, changes, interested-parties, environmental-aspects, risks-opportunities, "
        "objectives, nonconformities, monitoring, compliance, audit-results, resources, communications, "
        "improvement)",
        "evidence/mr.yaml:6:65: E204 'legal-register' is not one of the allowed inputs of ISO 14001:2015 "
        "(did you mean 'compliance'?)",
        "3 errors, 0 warnings",
    ]


def test_a_9001_project_still_refuses_a_14001_only_input_as_before(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture) -> None:
    root = _project(tmp_path / "p", "ISO 9001:2015", "customer-satisfaction, compliance")
    (root / "evidence" / "mr.yaml").write_text(
        (root / "evidence" / "mr.yaml").read_text().replace('["9.3"]', '["9.3.3"]'), encoding="utf-8")
    code, lines = _validate(root, capsys)
    assert code == 1
    assert lines[0].startswith("evidence/mr.yaml:6:33: E204 'compliance' is not one of the allowed inputs (")


@pytest.fixture
def ims(tmp_path: Path) -> Path:
    root = tmp_path / "ims"
    shutil.copytree(REPO / "examples" / "ims", root, ignore=shutil.ignore_patterns(".cache", "output"))
    return root


def _add_inputs(root: Path, words: str) -> None:
    path = root / "evidence" / "performance" / "performance.yaml"
    text = path.read_text(encoding="utf-8")
    assert "risks-opportunities, improvement," in text
    path.write_text(text.replace("risks-opportunities, improvement,", f"risks-opportunities, improvement, {words},"),
                    encoding="utf-8")


def test_an_integrated_system_checks_each_input_against_its_standard(ims: Path, tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture) -> None:
    _add_inputs(ims, "14001:compliance, 14001:environmental-aspects, 14001:customer-satisfaction, compliance")
    code, lines = _validate(ims, capsys)
    assert code == 1
    assert [line.split(": ", 1)[1] for line in lines if "E204" in line] == [
        "E204 '14001:customer-satisfaction' is not one of the allowed inputs of ISO 14001:2015 "
        "(did you mean 'communications'?)",
        "E204 'compliance' is not one of the allowed inputs of ISO 9001:2015 "
        "(an input of ISO 14001:2015 is written '14001:compliance')",
    ]


def test_the_14001_portal_reads_the_inputs_written_for_it(ims: Path, tmp_path: Path) -> None:
    """examples/ims's review minutes list ISO 9001's inputs plain and ISO 14001's as '14001:...'."""
    result = build(Options(root=ims, as_of=date.fromisoformat(AS_OF), output=tmp_path / "site", commit="ims",
                           use_cache=False))
    assert result.ok, result.diagnostics
    primary = json.loads((tmp_path / "site" / "readiness.json").read_text(encoding="utf-8"))["review_inputs"]
    other = json.loads((tmp_path / "site" / "iso-14001-2015" / "readiness.json").read_text(encoding="utf-8"))
    considered = other["review_inputs"]["considered"]
    assert "compliance" in considered and "environmental-aspects" in considered
    assert "communications" in considered and other["review_inputs"]["missing"] == []  # 14001's own list
    assert "customer-satisfaction" not in considered + other["review_inputs"]["missing"]
    assert "compliance" not in primary["considered"] + primary["missing"]  # 9001's list is 9001's
