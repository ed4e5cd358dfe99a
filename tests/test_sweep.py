"""Timing sweeps: points per backend x layers x width, practical-maximum stops, resume, report."""

from __future__ import annotations

import pytest
import yaml

from bench.cli.parser import main
from bench.core.errors import UserError
from bench.timing.sweep import SweepStore, load_sweep, run_sweep

PROFILES = {"shots-64": {"shots": 64}, "noisy": {"noise": {"depolarizing": 0.02}}}


def _sweep_file(tmp_path, **overrides):
    data = {
        "name": "tsweep",
        "backends": ["default.qubit", "shots-64", "noisy"],
        "qubits": [2, 3],
        "layers": [1],
        "batch_size": 4,
        "repeats": 1,
        "profiles": PROFILES,
        **overrides,
    }
    path = tmp_path / "sweep.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_sweep_measures_every_point_and_resumes(tmp_path):
    spec = load_sweep(_sweep_file(tmp_path))
    store = SweepStore(tmp_path / "sweep.sqlite")
    points = {p.key: p for p in run_sweep(spec, store)}
    assert len(points) == 3 * 2 and all(p.status == "ok" for p in points.values())
    exact, shots, noisy = (points[f"{b}/q2/l1/b4"] for b in ("default.qubit", "shots-64", "noisy"))
    assert exact.forward_s > 0 and exact.forward_backward_s > 0 and exact.latency_s == exact.forward_s / 4
    assert shots.forward_backward_s is None and shots.shots_per_batch == 4 * 64  # shots: forward only
    assert noisy.forward_backward_s > 0 and noisy.circuits_per_batch == 4
    again = {p.key: p for p in run_sweep(spec, store)}
    assert all(again[k].measured == points[k].measured for k in points)  # nothing re-measured


def test_sweep_stops_at_the_practical_maximum(tmp_path):
    spec = load_sweep(
        _sweep_file(
            tmp_path,
            backends=["default.qubit", "noisy", "lightning.gpu"],
            qubits=[2, 3, 12],
            max_seconds=1e-9,
            max_memory_gb=0.5,
        )
    )
    points = run_sweep(spec, SweepStore(tmp_path / "s.sqlite"))
    by_key = {p.key: p for p in points}
    assert by_key["default.qubit/q2/l1/b4"].status == "ok"
    assert by_key["default.qubit/q3/l1/b4"].reason.startswith("stopped: q2 took")
    assert by_key["noisy/q2/l1/b4"].status == "ok"
    if "unavailable" in by_key["lightning.gpu/q2/l1/b4"].reason:  # no CUDA here (the usual case)
        assert by_key["lightning.gpu/q2/l1/b4"].status == "skipped"


def test_memory_guard_skips_widths_before_running_them(tmp_path):
    spec = load_sweep(_sweep_file(tmp_path, backends=["noisy"], qubits=[12], max_memory_gb=0.5))
    [point] = run_sweep(spec, SweepStore(tmp_path / "s.sqlite"))
    assert point.status == "skipped" and "density matrices of the batch need" in point.reason


def test_sweep_refuses_ibm_profiles_and_unknown_backends(tmp_path):
    with pytest.raises(UserError, match=r"backends\[0\]: 'ibm-rehearsal' is an IBM profile"):
        load_sweep(_sweep_file(tmp_path, backends=["ibm-rehearsal"]))
    with pytest.raises(UserError, match=r"backends\[0\]: unknown backend 'default.qbit'; did you mean"):
        load_sweep(_sweep_file(tmp_path, backends=["default.qbit"]))


def test_sweep_command_writes_a_table_and_a_log_plot(tmp_path):
    path = _sweep_file(tmp_path, backends=["default.qubit"], qubits=[2])
    assert main(["sweep", str(path), "--reports-dir", str(tmp_path / "r")]) == 0
    latest = tmp_path / "r" / "tsweep" / "latest"
    md = (latest / "index.md").read_text()
    assert "## Scaling table" in md and "| default.qubit | 1 | 2 | 4 |" in md
    assert (latest / "figures" / "sweep_forward.png").stat().st_size > 1000
    assert "<table" in (latest / "index.html").read_text()


def test_shipped_timing_sweep_loads():
    spec = load_sweep("suites/timing.yaml")
    assert "default.qubit" in spec.backends and spec.qubits[0] == 2
