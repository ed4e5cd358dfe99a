"""Run output when stderr is not a terminal: one unwrapped line per event; --log-file; --quiet."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import write_suite

ROOT = Path(__file__).resolve().parents[2]
LONG = "a-dataset-label-long-enough-to-pass-eighty-columns-in-one-cell-key"


def _run(suite: Path, tmp: Path, *extra: str) -> subprocess.CompletedProcess:
    dirs = ["--reports-dir", str(tmp / "r"), "--cache-dir", str(tmp / "c"), "--no-report"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "80", "QHEAD_EXECUTOR": "sequential"}
    cmd = [sys.executable, "-m", "bench", "run", str(suite), *dirs, *extra]
    return subprocess.run(cmd, cwd=tmp, capture_output=True, text=True, env=env, timeout=600)


def test_piped_run_prints_one_unwrapped_line_per_event_logs_every_event_and_quiet_keeps_failures(tmp_path):
    data = {
        "name": "urban-synth",
        "label": LONG,
        "params": {"n_per_class": 6, "seconds": 0.25, "n_classes": 2},
    }
    suite = write_suite(tmp_path, {"datasets": [data], "backends": ["default.qubit"]})
    log = tmp_path / "run.log"
    result = _run(suite, tmp_path, "--log-file", str(log))
    assert result.returncode == 0, result.stderr
    ok = [line for line in result.stderr.splitlines() if line.startswith("ok ")]
    assert len(ok) == 2 and all(f"ok {LONG}/" in line and "  acc=" in line for line in ok)
    assert not any(line.lstrip().startswith("acc=") for line in result.stderr.splitlines())  # not wrapped
    assert "━" not in result.stderr  # no progress bars in a pipe
    logged = log.read_text().splitlines()
    assert any(f"ok {LONG}/" in line for line in logged) and all(line[:4].isdigit() for line in logged)
    assert any("cells: 2/2 done" in line for line in logged)  # phases end in the log
    quiet = _run(suite, tmp_path, "--force", "--quiet", "--log-file", str(log))
    assert quiet.returncode == 0, quiet.stderr
    assert "ok " not in quiet.stderr and "cells -" not in quiet.stderr
    assert len([line for line in log.read_text().splitlines() if f"ok {LONG}/" in line]) == 4
