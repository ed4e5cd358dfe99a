"""QuantumLayer: batched == per-sample, exact simulators agree (to 1e-12, in float64), probes never raise."""

from __future__ import annotations

import pytest
import torch

from bench.core.registry import SIMULATORS
from bench.quantum.layer import QuantumLayer
from bench.quantum.pennylane.simulators import LIGHTNING_GPU, Simulator
from bench.quantum.timing import time_circuit

AVAILABLE = [n for n in SIMULATORS.names() if SIMULATORS.get(n).probe() is None]


def _layer(backend: str, n_qubits: int = 3, n_layers: int = 2) -> QuantumLayer:
    return QuantumLayer(n_qubits, n_layers, SIMULATORS.get(backend), torch.Generator().manual_seed(0))


def _inputs(batch: int = 5, n: int = 3) -> torch.Tensor:
    return torch.rand(batch, n, generator=torch.Generator().manual_seed(1), dtype=torch.float64) * torch.pi


@pytest.mark.parametrize("backend", AVAILABLE)
def test_batched_call_equals_per_sample_calls(backend):
    layer, x = _layer(backend), _inputs()
    with torch.no_grad():
        batched = layer(x)
        single = torch.stack([layer(row) for row in x])
    assert batched.shape == (5, 3)
    torch.testing.assert_close(batched, single, atol=1e-6, rtol=0)


def test_exact_simulators_agree():
    x = _inputs()
    outputs = []
    for backend in AVAILABLE:
        with torch.no_grad():
            outputs.append(_layer(backend)(x))
    assert len(outputs) >= 2
    for out in outputs[1:]:
        assert (out - outputs[0]).abs().max() < 1e-6


@pytest.mark.parametrize("backend", AVAILABLE)
def test_exact_simulators_agree_in_double_precision(backend):
    """Every exact simulator is complex128: lightning's Python-float results once became float32
    tensors (PennyLane's torch interface uses torch's default dtype), 3e-8 off default.qubit."""
    x = _inputs()
    with torch.no_grad():
        raw = _layer(backend)._qnode()(x, _layer(backend).weights)
        out, reference = _layer(backend)(x), _layer("default.qubit")(x)
    assert all(t.dtype == torch.float64 for t in raw)
    assert (out - reference).abs().max() < 1e-12
    assert torch.get_default_dtype() == torch.float32  # restored after the call


@pytest.mark.parametrize("backend", AVAILABLE)
def test_gradients_agree_with_default_qubit(backend):
    grads = []
    for name in ("default.qubit", backend):
        layer = _layer(name)
        layer(_inputs()).pow(2).sum().backward()
        grads.append(layer.weights.grad)
    torch.testing.assert_close(grads[0], grads[1], atol=1e-5, rtol=0)


def test_executions_counted_per_sample_and_swap_keeps_weights():
    layer = _layer("default.qubit")
    with torch.no_grad():
        before = layer(_inputs(4))
    assert layer.circuit_executions == 4
    layer.use_simulator(SIMULATORS.get("lightning.qubit"))
    with torch.no_grad():
        after = layer(_inputs(4))
    assert layer.circuit_executions == 8
    assert (before - after).abs().max() < 1e-6


def test_timing_reports_positive_medians_and_leaves_counter():
    layer = _layer("default.qubit")
    timings = time_circuit(layer, _inputs(4), repeats=2)
    assert timings["circuit_forward_per_batch_s"] > 0
    assert timings["circuit_forward_backward_per_batch_s"] > 0
    assert timings["circuit_latency_s"] == pytest.approx(timings["circuit_forward_per_batch_s"] / 4)
    assert layer.circuit_executions == 0


def test_probe_reports_reason_instead_of_raising():
    assert (
        Simulator("nope", "no.such.device", "adjoint").probe().startswith(("plugin not installed", "device"))
    )
    if not torch.cuda.is_available():
        assert LIGHTNING_GPU.probe()  # a reason string, not a crash
