"""``python -m bench plan`` of the demo suite imports neither torch nor PennyLane once the backends'
probes are recorded (``bench.quantum.probe_cache``): heads and backbones declare their options in
torch-free modules and build their networks lazily."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bench.quantum.pennylane import simulators
from bench.quantum.probe_cache import CACHE_ENV, cache_file
from bench.quantum.torch import sim

ROOT = Path(__file__).resolve().parents[2]
WRAPPER = """
import sys
from bench.cli.parser import main
code = main(sys.argv[1:])
heavy = sorted(m for m in ("torch", "pennylane", "pandas", "matplotlib") if m in sys.modules)
print("HEAVY=" + ",".join(heavy), file=sys.stderr)
sys.exit(code)
"""


def test_plan_of_the_demo_suite_imports_no_torch_or_pennylane(tmp_path, monkeypatch):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "probes"))
    cache_file.cache_clear()
    try:  # record the probes as a first plan (or run) would; __wrapped__ skips the in-process memo
        for device in ("default.qubit", "lightning.qubit"):
            assert simulators.probe.__wrapped__(device) is None
        assert sim.probe.__wrapped__("cpu", "complex128") is None
    finally:
        cache_file.cache_clear()
    env = {**os.environ, CACHE_ENV: str(tmp_path / "probes"), "PYTHONPATH": str(ROOT)}
    args = ["plan", str(ROOT / "suites" / "audio.yaml"), "--reports-dir", str(tmp_path / "reports")]
    args += ["--cache-dir", str(tmp_path / "cache")]
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, *args], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert "pending" in done.stdout
    assert "HEAVY=\n" in done.stderr, done.stderr
