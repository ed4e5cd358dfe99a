"""A failed file operation (disk full, read-only filesystem, I/O error, a full stdout) is one line
naming the path and what was kept; the previous report survives a disk that fills up mid-report.

Disk full and read-only are real: a tiny tmpfs mounted in a user and mount namespace
(``unshare -Urm``) holds a copy of the reports folder; EIO is injected.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench.cli.parser import main
from tests.conftest import write_suite

ROOT = Path(__file__).resolve().parents[2]


def _unshare_works() -> bool:
    if not shutil.which("unshare"):
        return False
    return subprocess.run(["unshare", "-Urm", "true"], capture_output=True).returncode == 0


@pytest.fixture(scope="module")
def reported(tmp_path_factory):
    """Run A reported (``latest`` -> A), run B recorded without a report."""
    tmp = tmp_path_factory.mktemp("oserrors")
    suite = write_suite(tmp, {"heads": ["classical"], "backends": ["default.qubit"]})
    dirs = ["--reports-dir", str(tmp / "reports"), "--cache-dir", str(tmp / "cache")]
    assert main(["run", str(suite), "--executor", "sequential", *dirs]) == 0
    assert main(["run", str(suite), "--executor", "sequential", "--new-run", "--no-report", *dirs]) == 0
    return suite, tmp


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


SCRIPT = """
set -u
mount -t tmpfs -o size=16m none "$FULL"
cp -a "$TMP/reports" "$FULL/"
dd if=/dev/zero of="$FULL/filler" bs=64k 2>/dev/null
"$PY" -m bench report "$SUITE" --reports-dir "$FULL/reports" --cache-dir "$TMP/cache" 2> "$TMP/full.err"
echo $? > "$TMP/full.rc"
readlink "$FULL/reports/tiny/latest" > "$TMP/full.latest"
sha256sum "$FULL/reports/tiny/latest/index.html" | cut -d' ' -f1 > "$TMP/full.sha"
find "$FULL/reports" -name '.*.tmp' > "$TMP/full.tmpfiles"
rm -f "$FULL/filler"
mount -o remount,ro "$FULL"
"$PY" -m bench report "$SUITE" --reports-dir "$FULL/reports" --cache-dir "$TMP/cache" 2> "$TMP/ro.err"
echo $? > "$TMP/ro.rc"
"""


@pytest.mark.skipif(not _unshare_works(), reason="needs user+mount namespaces (unshare -Urm) for a tmpfs")
def test_disk_full_and_read_only_during_the_report_keep_the_previous_report(reported):
    suite, tmp = reported
    latest = tmp / "reports" / "tiny" / "latest"
    before, target = _sha(latest / "index.html"), os.readlink(latest)
    full = tmp / "full"
    full.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "FULL": str(full), "TMP": str(tmp)}
    env.update(PY=sys.executable, SUITE=str(suite))
    subprocess.run(["unshare", "-Urm", "sh", "-c", SCRIPT], env=env, timeout=600, check=True)
    err = (tmp / "full.err").read_text()
    assert (tmp / "full.rc").read_text().strip() == "2", err
    lines = err.strip().splitlines()
    assert "Traceback" not in err and lines[-1].startswith("error: ")
    assert "No space left on device (ENOSPC)" in lines[-1] and str(full) in lines[-1]
    assert "keep their previous version" in lines[-1]
    assert (tmp / "full.latest").read_text().strip() == target  # `latest` still the complete report A
    assert (tmp / "full.sha").read_text().strip() == before
    assert (tmp / "full.tmpfiles").read_text() == ""  # no temporary file left behind
    err = (tmp / "ro.err").read_text()
    assert (tmp / "ro.rc").read_text().strip() == "2" and "Traceback" not in err, err
    assert err.count("\n") == 1 and str(full) in err and ("EROFS" in err or "not writable" in err)


def test_an_io_error_while_writing_the_report_is_one_line(reported, monkeypatch, capsys):
    suite, tmp = reported
    import bench.core.files as files

    def broken_replace(src, dst):
        raise OSError(errno.EIO, "Input/output error", str(dst))

    monkeypatch.setattr(files.os, "replace", broken_replace)
    dirs = ["--reports-dir", str(tmp / "reports"), "--cache-dir", str(tmp / "cache")]
    assert main(["report", str(suite), *dirs]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Input/output error (EIO)" in err and str(tmp / "reports") in err


def test_run_json_into_a_full_stdout_is_one_line(reported):
    suite, tmp = reported
    cmd = [
        sys.executable,
        "-m",
        "bench",
        "run",
        str(suite),
        "--json",
        "--no-report",
        "--executor",
        "sequential",
    ]
    cmd += ["--reports-dir", str(tmp / "reports"), "--cache-dir", str(tmp / "cache")]
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            cmd, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=full, stderr=subprocess.PIPE, text=True
        )
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("error: cannot write to standard output (No space left on device)")
