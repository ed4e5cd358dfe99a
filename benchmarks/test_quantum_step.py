"""pytest-benchmark: one quantum-head training step (8 qubits, 2 layers, batch 64, fwd+bwd+Adam).

Run: ``python -m pytest benchmarks --benchmark-only`` (not part of the default test run).
Batched = one broadcast QNode call per batch; loop = one call per sample (reference only).
"""

from __future__ import annotations

import pytest
import torch

from bench.core.registry import SIMULATORS
from bench.timing.step_benchmark import benchmark_model, training_step

BACKENDS = [n for n in SIMULATORS.names() if SIMULATORS.get(n).probe() is None]


@pytest.mark.parametrize("mode", ["batched", "loop"])
@pytest.mark.parametrize("backend", BACKENDS)
def test_quantum_head_training_step(benchmark, backend, mode):
    model = benchmark_model(backend, 8, 2, 10)
    gen = torch.Generator().manual_seed(1)
    x = torch.rand(64, 8, generator=gen, dtype=torch.float64) * torch.pi
    y = torch.randint(0, 10, (64,), generator=gen)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    rounds = 3 if mode == "batched" else 1
    benchmark.pedantic(training_step, args=(model, x, y, mode == "loop", opt), rounds=rounds, warmup_rounds=1)
