"""``python -m bench plan`` of the demo suite imports neither torch nor PennyLane (nor pandas) once the
backends' probes are recorded (``bench.quantum.probe_cache``): heads and backbones declare their
options in torch-free modules and build their networks lazily."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import HEAVY_WRAPPER

ROOT = Path(__file__).resolve().parents[2]


def test_plan_of_the_demo_suite_imports_no_torch_or_pennylane(tmp_path, recorded_probes):
    args = ["plan", str(ROOT / "suites" / "audio.yaml"), "--reports-dir", str(tmp_path / "reports")]
    args += ["--cache-dir", str(tmp_path / "cache")]
    done = subprocess.run(
        [sys.executable, "-c", HEAVY_WRAPPER, *args],
        capture_output=True,
        text=True,
        env=recorded_probes,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "pending" in done.stdout
    assert "HEAVY=\n" in done.stderr, done.stderr
