"""`bench benchmark --executors` end to end on a tiny suite: it times each executor, counts the CPU of
every process a run started, and checks the records agree. (Figures are printed, never asserted.)"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import write_suite

ROOT = Path(__file__).resolve().parent.parent


def test_executor_benchmark_times_each_executor_and_compares_records(tmp_path):
    suite = write_suite(tmp_path, {"backends": ["default.qubit"]})
    cmd = [sys.executable, "-m", "bench", "benchmark", "--executors", "process", "--suite", str(suite)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "records identical across executors" in done.stdout
    rows = {
        m[0]: m for m in re.findall(r"│ (\w+) +│ (\d+) +│ ([\d.]+) +│ ([\d.]+)x +│ ([\d.]+)", done.stdout)
    }
    assert set(rows) == {"sequential", "process"}
    assert rows["process"][1] == "2" and rows["sequential"][1] == "1"
    # The workers' CPU is counted: the pool's run (driver + worker server + workers) costs more CPU
    # than the sequential one, which its driver alone never does.
    assert float(rows["process"][4]) > float(rows["sequential"][4])
