"""`verify` is strict: crafted archives and site folders that would fool a lenient check are refused."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from isoready.package.archive import verify, zip_tree
from isoready.cli import main

MINIMAL = Path(__file__).resolve().parents[1] / "fixtures" / "minimal"
FOLDER = "site-2026-11-01"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("verify")
    root = base / "project"
    shutil.copytree(MINIMAL, root, symlinks=True)
    out = base / "site"
    assert main(["build", "--root", str(root), "--as-of", "2026-11-01", "--output", str(out)]) == 0
    return out


@pytest.fixture
def site(built, tmp_path) -> Path:
    copy = tmp_path / "site"
    shutil.copytree(built, copy)
    return copy


def _zip(site: Path, target: Path) -> Path:
    zip_tree(site, target, FOLDER, (2026, 11, 1))
    return target


def _messages(problems) -> list[str]:
    return [f"{p.path}: {p.message}" for p in problems]


def test_a_good_site_and_archive_verify(site, tmp_path):
    assert verify(site) == []
    assert verify(_zip(site, tmp_path / "a.zip")) == []


def test_a_member_present_twice_is_refused(site, tmp_path):
    archive = _zip(site, tmp_path / "a.zip")
    with zipfile.ZipFile(archive, "a") as zf:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # zipfile warns about the duplicate: that is the attack
            zf.writestr(f"{FOLDER}/index.html", "<p>tampered</p>")
    assert _messages(verify(archive)) == [
        f"{FOLDER}/index.html: appears 2 times in the archive (unzip would keep one of them)"]


@pytest.mark.parametrize("name, message", [
    ("/etc/cron.d/evil", "absolute path in the archive"),
    (f"{FOLDER}/../evil.html", "path leaves its folder (.. or empty segments)"),
    (f"{FOLDER}\\..\\evil.html", "absolute path in the archive"),
])
def test_absolute_and_traversal_members_are_refused(site, tmp_path, name, message):
    archive = _zip(site, tmp_path / "a.zip")
    with zipfile.ZipFile(archive, "a") as zf:
        zf.writestr(name, "x")
    assert f"{name}: {message}" in _messages(verify(archive))


def test_unexpected_members_are_refused(site, tmp_path):
    archive = _zip(site, tmp_path / "a.zip")
    with zipfile.ZipFile(archive, "a") as zf:
        zf.writestr(f"{FOLDER}/extra.html", "<p>added</p>")
    assert _messages(verify(archive)) == ["extra.html: not in the manifest"]
    with zipfile.ZipFile(archive, "a") as zf:
        zf.writestr("other/x.html", "<p>beside the site</p>")
    assert "the archive must hold exactly one folder" in " ".join(_messages(verify(archive)))


def test_a_symlink_member_is_refused(site, tmp_path):
    archive = _zip(site, tmp_path / "a.zip")
    info = zipfile.ZipInfo(f"{FOLDER}/link.html")
    info.external_attr = (0o120777 << 16)
    with zipfile.ZipFile(archive, "a") as zf:
        zf.writestr(info, "/etc/passwd")
    assert f"{FOLDER}/link.html: not a regular file (a link or special file) in the archive" in _messages(
        verify(archive))


def test_a_zip_bomb_is_refused_without_reading_it(site, tmp_path):
    """A member the manifest says is 10 bytes but inflates to 512 MiB is read no further than 11 bytes."""
    manifest = json.loads((site / "manifest.json").read_text())
    ten = b"\0" * 10
    manifest["files"].append({"path": "bomb.bin", "size": 10, "sha256": hashlib.sha256(ten).hexdigest()})
    (site / "manifest.json").write_text(json.dumps(manifest))
    with open(site / "SHA256SUMS", "a") as fh:
        fh.write(f"{hashlib.sha256(ten).hexdigest()}  bomb.bin\n")
    archive = _zip(site, tmp_path / "a.zip")
    info = zipfile.ZipInfo(f"{FOLDER}/bomb.bin")
    info.compress_type = zipfile.ZIP_DEFLATED
    chunk = b"\0" * (1 << 20)
    with zipfile.ZipFile(archive, "a") as zf, zf.open(info, "w", force_zip64=True) as fh:
        for _ in range(512):
            fh.write(chunk)
    assert archive.stat().st_size < 5 * (1 << 20)
    tracemalloc.start()
    problems = _messages(verify(archive))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert problems == ["bomb.bin: changed: size or SHA-256 differs from the manifest"]
    assert peak < 64 * (1 << 20)  # read no further than the manifest's size: memory says so, not a clock


def test_sha256sums_must_agree_with_the_manifest(site):
    sums = site / "SHA256SUMS"
    lines = sums.read_text().splitlines()
    first = lines[0].split("  ", 1)[1]
    lines[0] = "0" * 64 + "  " + first
    sums.write_text("\n".join(lines) + "\n")
    assert _messages(verify(site)) == [f"{first}: SHA256SUMS and the manifest give different SHA-256"]
    sums.write_text("\n".join(lines[1:]) + "\n")
    assert _messages(verify(site)) == [f"{first}: in the manifest but not in SHA256SUMS"]
    sums.unlink()
    assert _messages(verify(site)) == ["SHA256SUMS: missing: sha256sum -c would check nothing"]


@pytest.mark.parametrize("damage, message", [
    (lambda m: m["files"][0].pop("size"), "malformed manifest: entry without a whole-number 'size'"),
    (lambda m: m["files"][0].update(size="12"), "malformed manifest: entry without a whole-number 'size'"),
    (lambda m: m["files"][0].pop("sha256"), "malformed manifest: entry without a 64-digit lower-case 'sha256'"),
    (lambda m: m["files"][0].update(path="../../etc/passwd"), "malformed manifest: path leaves its folder"),
    (lambda m: m.pop("files"), "malformed manifest: no 'files' list"),
    (lambda m: m["files"].append(m["files"][0]), "malformed manifest: listed twice"),
])
def test_a_malformed_manifest_is_a_clear_error_not_a_traceback(site, capsys, damage, message):
    manifest = json.loads((site / "manifest.json").read_text())
    damage(manifest)
    (site / "manifest.json").write_text(json.dumps(manifest))
    assert main(["verify", str(site)]) == 1
    out = capsys.readouterr()
    assert message in out.out and "Traceback" not in out.err


def test_a_fifo_or_device_link_in_a_site_folder_is_reported_and_never_opened(site):
    os.mkfifo(site / "pipe.html")
    os.symlink("/dev/zero", site / "zero.html")
    # in a child process with a timeout: opening the FIFO would block for ever
    proc = subprocess.run([sys.executable, "-m", "isoready", "verify", str(site)], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])})
    assert proc.returncode == 1
    assert "pipe.html: a FIFO, not a regular file: not opened" in proc.stdout
    assert "zero.html: a symbolic link, not a regular file: not opened" in proc.stdout
