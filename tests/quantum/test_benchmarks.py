"""pytest-benchmark micro-benchmarks: one circuit forward on a small batch, per available backend.

Every built-in simulator and every shipped profile is a parameter; unavailable ones are skipped
with their reason, IBM profiles are never benchmarked (billed / rehearsal-only). Fake devices
with more than 20 qubits (FakeBrisbane: building its 127-qubit noise model takes ~15 s, then
~6 s per call on a 2-core machine) run only with ``QHEAD_BENCH_LARGE_DEVICES=1``.
``pytest tests/quantum/test_benchmarks.py --benchmark-only`` prints the table;
``--benchmark-disable`` runs each once as a smoke test.
"""

from __future__ import annotations

import os

import pytest
import torch

from bench.core.registry import SIMULATORS
from bench.quantum.layer import QuantumLayer
from bench.quantum.resolve import exact_backend, probe_profile
from bench.spec.profile_files import PACKAGE_PROFILES, load_all

N_QUBITS, N_LAYERS, BATCH = 2, 1, 8
PROFILES = {n: p for n, p in load_all([PACKAGE_PROFILES]).items() if not isinstance(p, Exception)}
LARGE = os.environ.get("QHEAD_BENCH_LARGE_DEVICES") == "1"


def _backend(name: str):
    if name in SIMULATORS:
        sim = SIMULATORS.get(name)
        return sim, sim.probe()
    profile = PROFILES[name]
    if profile.kind == "exact":
        return exact_backend(name, profile), probe_profile(profile)
    if profile.kind == "fake-device":
        from bench.quantum.qiskit.execute import QiskitBackend, QiskitExecutor

        return QiskitBackend(name, QiskitExecutor(profile, seed=0, memoize=False)), probe_profile(profile)
    from bench.quantum.pennylane.noise import PennyLaneBackend

    return PennyLaneBackend(name, profile, seed=0), probe_profile(profile)


def _skip_reason(name: str) -> str | None:
    profile = PROFILES.get(name)
    if profile is not None and profile.kind == "fake-device" and not LARGE:
        from bench.quantum.qiskit.ibm import fake_backend

        if fake_backend(profile.noise.fake_device).num_qubits > 20:
            return "large fake device (set QHEAD_BENCH_LARGE_DEVICES=1)"
    return None


NAMES = [*SIMULATORS.names(), *sorted(n for n, p in PROFILES.items() if p.kind != "ibm")]


@pytest.mark.parametrize("name", NAMES)
def test_forward_benchmark(benchmark, name):
    reason = _skip_reason(name)
    if reason:
        pytest.skip(reason)
    backend, unavailable = _backend(name)
    if unavailable:
        pytest.skip(f"{name} unavailable: {unavailable}")
    layer = QuantumLayer(N_QUBITS, N_LAYERS, backend, torch.Generator().manual_seed(0))
    x = torch.rand(BATCH, N_QUBITS, generator=torch.Generator().manual_seed(1), dtype=torch.float64)

    def forward():
        with torch.no_grad():
            return layer(x)

    out = benchmark.pedantic(forward, rounds=3, iterations=1, warmup_rounds=1)
    assert out.shape == (BATCH, N_QUBITS) and torch.isfinite(out).all() and out.abs().max() <= 1 + 1e-9
