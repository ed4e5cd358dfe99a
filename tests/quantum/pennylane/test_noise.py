"""PennyLane noise path: channels shrink <Z>, sampling is seeded, batches are one call, ZNE helps."""

from __future__ import annotations

import pytest
import torch

from bench.core.registry import SIMULATORS
from bench.quantum.layer import QuantumLayer
from bench.quantum.pennylane.noise import PennyLaneBackend
from bench.quantum.profiles import BackendProfile

N_QUBITS, N_LAYERS = 3, 2


def _inputs(batch: int = 6) -> torch.Tensor:
    gen = torch.Generator().manual_seed(1)
    return torch.rand(batch, N_QUBITS, generator=gen, dtype=torch.float64) * torch.pi


def _expvals(backend, x: torch.Tensor | None = None) -> torch.Tensor:
    layer = QuantumLayer(N_QUBITS, N_LAYERS, backend, torch.Generator().manual_seed(0))
    with torch.no_grad():
        return layer(_inputs() if x is None else x)


def _profile(**raw) -> BackendProfile:
    return BackendProfile(**raw)


def test_stronger_depolarizing_noise_shrinks_expectations_toward_zero():
    exact = _expvals(SIMULATORS.get("default.qubit")).abs().mean()
    shrink = [exact]
    for p in (0.01, 0.05, 0.15, 0.4):
        backend = PennyLaneBackend(f"dep-{p}", _profile(noise={"depolarizing": p}))
        shrink.append(_expvals(backend).abs().mean())
    assert all(a > b for a, b in zip(shrink, shrink[1:], strict=False)), shrink
    assert shrink[-1] < 0.1 * shrink[0]


def test_zero_noise_channel_equals_the_exact_simulator():
    exact = _expvals(SIMULATORS.get("default.qubit"))
    noiseless = _expvals(PennyLaneBackend("dep-0", _profile(noise={"depolarizing": 0.0})))
    torch.testing.assert_close(noiseless, exact, atol=1e-10, rtol=0)


def test_strong_amplitude_damping_pushes_every_qubit_to_zero_state():
    damped = _expvals(PennyLaneBackend("ad", _profile(noise={"amplitude_damping": 0.9})))
    assert (damped > 0.5).all()  # relaxation to |0>: <Z> -> +1


@pytest.mark.parametrize("raw", [{"shots": 200}, {"noise": {"depolarizing": 0.05}, "shots": 300}])
def test_sampling_is_seeded_and_close_to_the_analytic_value(raw):
    profile = _profile(**raw)
    x = _inputs(4)
    batched = _expvals(PennyLaneBackend("b", profile, seed=7), x)
    again = _expvals(PennyLaneBackend("b", profile, seed=7), x)
    other_seed = _expvals(PennyLaneBackend("b", profile, seed=8), x)
    assert torch.equal(batched, again)
    assert not torch.equal(batched, other_seed)
    exact = _expvals(
        PennyLaneBackend("e", _profile(noise=raw.get("noise")))
        if "noise" in raw
        else SIMULATORS.get("default.qubit"),
        x,
    )
    assert (batched - exact).abs().max() < 0.25  # 200-300 shots: a few standard errors of 1/sqrt(shots)


def test_noisy_batch_is_one_call_equal_to_per_sample_calls():
    backend = PennyLaneBackend("a", _profile(noise={"amplitude_damping": 0.1}))
    layer = QuantumLayer(N_QUBITS, N_LAYERS, backend, torch.Generator().manual_seed(0))
    x = _inputs(4)
    with torch.no_grad():
        batched = layer(x)
        single = torch.stack([layer(row) for row in x])
    torch.testing.assert_close(batched, single, atol=1e-10, rtol=0)


def test_zne_moves_noisy_expectations_toward_exact():
    profile = _profile(noise={"depolarizing": 0.02}, mitigation={"scale_factors": [1, 3, 5]})
    exact = _expvals(SIMULATORS.get("default.qubit"))
    raw = _expvals(PennyLaneBackend("z", profile, variant="raw"))
    mitigated = _expvals(PennyLaneBackend("z", profile, variant="zne"))
    assert (mitigated - exact).abs().mean() < 0.5 * (raw - exact).abs().mean()
    assert PennyLaneBackend("z", profile, variant="zne").circuits_per_input == 3


def test_analytic_noise_is_differentiable_and_shots_are_not():
    assert PennyLaneBackend("a", _profile(noise={"depolarizing": 0.01})).differentiable
    assert not PennyLaneBackend("s", _profile(shots=10)).differentiable
    layer = QuantumLayer(
        N_QUBITS,
        1,
        PennyLaneBackend("a", _profile(noise={"depolarizing": 0.01})),
        torch.Generator().manual_seed(0),
    )
    layer(_inputs()).sum().backward()
    assert layer.weights.grad is not None and layer.weights.grad.abs().sum() > 0
