"""torch.statevector agrees with default.qubit: outputs and input/weight gradients within 1e-10.

Default grid (fast): every ansatz x entangling on/off at every width 1..12, the layer count
cycling 4, 3, 2, 1 with the width (so every layer count occurs at three widths, and the widest
circuits are the shallowest: the default.qubit reference dominates the cost), batch 2.
``QHEAD_TORCH_FULL_GRID=1`` runs the full grid (every width 1..12 x every layer count 1..4).
Batch size 1 and unbatched inputs, complex64, the gates the shipped ansatzes do not use, the
CUDA path (skipped with its reason without a GPU) and the profile route are tested separately.
On the CPU ``torch.statevector`` runs the numba kernel (``torch.numba_kernel``); the torch blocks
(``torch.run``, the path of CUDA devices) are checked on the CPU too (``TorchKernel``).
"""

from __future__ import annotations

import os
import pickle

import pennylane as qml
import pytest
import torch

from bench.core.registry import SIMULATORS
from bench.quantum.circuits import ANSATZES
from bench.quantum.layer import QuantumLayer
from bench.quantum.pennylane.simulators import DEFAULT_QUBIT
from bench.quantum.profiles import BackendProfile
from bench.quantum.resolve import exact_backend, probe_profile
from bench.quantum.torch.compile import Program
from bench.quantum.torch.sim import TORCH_STATEVECTOR, TorchStatevector, bind_kernel

TOL = 1e-10
FULL = os.environ.get("QHEAD_TORCH_FULL_GRID") == "1"
WIDTHS = range(1, 13)
GRID = [
    (ansatz, entangling, n, layers)
    for ansatz in ANSATZES
    for entangling in (True, False)
    for n in WIDTHS
    for layers in ((1, 2, 3, 4) if FULL else (4 - (n - 1) % 4,))
]


def _inputs(shape, seed: int, scale: float = 3.0) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    return (torch.rand(shape, generator=gen, dtype=torch.float64) * scale).requires_grad_()


def _run(sim, circuit, n: int, x, w):
    """Outputs ``(..., n)`` and the gradients of a weighted sum w.r.t. inputs and weights."""
    out = torch.stack(list(sim.qnode(circuit, n)(x, w)), dim=-1)
    weights = torch.arange(1.0, out.shape[-1] + 1, dtype=torch.float64)
    grads = torch.autograd.grad((out * weights).sum(), (x, w))
    return out.detach(), grads


def _assert_agree(circuit, n: int, x, w, sim=TORCH_STATEVECTOR, tol: float = TOL) -> None:
    ref, ref_grads = _run(DEFAULT_QUBIT, circuit, n, x, w)
    out, grads = _run(sim, circuit, n, x, w)
    assert out.shape == ref.shape
    assert (out - ref).abs().max().item() <= tol
    for got, want in zip(grads, ref_grads, strict=True):
        assert (got - want).abs().max().item() <= tol


def _circuit(ansatz: str, n: int, entangling: bool):
    wires = range(n)
    return lambda inputs, weights: ANSATZES[ansatz].circuit(inputs, weights, wires, entangling)


@pytest.mark.parametrize(("ansatz", "entangling", "n", "layers"), GRID)
def test_agrees_with_default_qubit(ansatz, entangling, n, layers):
    x = _inputs((2, n), seed=n)
    w = _inputs(ANSATZES[ansatz].weight_shape(layers, n), seed=100 + n, scale=6.0)
    _assert_agree(_circuit(ansatz, n, entangling), n, x, w)


class TorchKernel:
    """``torch.statevector`` forced onto its torch blocks (``torch.run``) on the CPU."""

    @staticmethod
    def qnode(circuit, n: int):
        def call(x, w):
            program = Program(circuit, n, x.shape[-1], tuple(w.shape))
            return bind_kernel(program, "cpu", "complex128", kernel="torch")(x, w).unbind(-1)

        return call


@pytest.mark.parametrize("ansatz", sorted(ANSATZES))
@pytest.mark.parametrize("n", [1, 4, 7])
def test_torch_kernel_agrees_with_default_qubit(ansatz, n):
    x = _inputs((2, n), seed=n)
    w = _inputs(ANSATZES[ansatz].weight_shape(2, n), seed=100 + n, scale=6.0)
    _assert_agree(_circuit(ansatz, n, True), n, x, w, sim=TorchKernel)


def test_torch_kernel_other_gates_and_products_of_z():
    x, w = _inputs((4, 3), seed=1), _inputs((6,), seed=2, scale=6.0)
    _assert_agree(_other_gates, 3, x, w, sim=TorchKernel)


@pytest.mark.parametrize("ansatz", sorted(ANSATZES))
@pytest.mark.parametrize("shape", [(1, 3), (3,)], ids=["batch1", "unbatched"])
def test_batch_of_one_and_unbatched_input(ansatz, shape):
    x = _inputs(shape, seed=7)
    w = _inputs(ANSATZES[ansatz].weight_shape(2, 3), seed=8, scale=6.0)
    _assert_agree(_circuit(ansatz, 3, True), 3, x, w)


def _other_gates(inputs, weights):
    """Gates no shipped ansatz uses: every kernel and decomposition path of the compiler."""
    qml.Hadamard(0)
    qml.U3(inputs[..., 0], weights[0], weights[1], wires=1)
    qml.PhaseShift(weights[2], wires=2)
    qml.CZ(wires=[0, 1])
    qml.CRX(inputs[..., 1] * weights[3], wires=[1, 2])
    qml.IsingXX(weights[4], wires=[0, 2])
    qml.SWAP(wires=[0, 2])
    qml.MultiRZ(weights[5], wires=[0, 1, 2])
    qml.CRZ(inputs[..., 2] / 2, wires=[2, 0])
    qml.ControlledPhaseShift(-weights[0], wires=[1, 0])
    qml.Toffoli(wires=[0, 1, 2])
    qml.PauliY(1)
    qml.S(0)
    qml.T(2)
    qml.SX(1)
    return [qml.expval(qml.PauliZ(0)), qml.expval(qml.PauliZ(1) @ qml.PauliZ(2))]


def test_other_gates_and_products_of_z():
    _assert_agree(_other_gates, 3, _inputs((4, 3), seed=1), _inputs((6,), seed=2, scale=6.0))


def test_unsupported_measurement_fails_with_a_clear_message():
    def circuit(inputs, weights):
        qml.RX(inputs[..., 0], wires=0)
        return [qml.expval(qml.PauliX(0))]

    with pytest.raises(ValueError, match="PauliZ products only"):
        TORCH_STATEVECTOR.qnode(circuit, 1)(torch.zeros(2, 1), torch.zeros(1))


def test_complex64_agrees_to_single_precision():
    x = _inputs((4, 6), seed=3)
    w = _inputs(ANSATZES["strongly-entangling"].weight_shape(2, 6), seed=4, scale=6.0)
    sim = TorchStatevector(dtype="complex64")
    _assert_agree(_circuit("strongly-entangling", 6, True), 6, x, w, sim=sim, tol=1e-5)


def test_quantum_layer_trains_the_same_and_pickles():
    gen = torch.Generator
    layers = [
        QuantumLayer(4, 2, sim, gen().manual_seed(0), ansatz="reuploading", input_scale=0.5)
        for sim in (DEFAULT_QUBIT, SIMULATORS.get("torch.statevector"))
    ]
    x = _inputs((5, 4), seed=9).detach()
    outs = [layer(x) for layer in layers]
    for out in outs:
        out.square().sum().backward()
    assert outs[1].dtype == torch.float64 and outs[1].shape == (5, 4)
    assert (outs[0] - outs[1]).abs().max() <= TOL
    assert (layers[0].weights.grad - layers[1].weights.grad).abs().max() <= TOL
    clone = pickle.loads(pickle.dumps(layers[1]))
    assert torch.equal(clone(x), outs[1].detach())


def test_profile_params_choose_device_and_dtype():
    profile = BackendProfile(device="torch.statevector", params={"device": "cpu", "dtype": "complex64"})
    backend = exact_backend("torch-single", profile)
    assert (backend.name, backend.torch_device, backend.dtype) == ("torch-single", "cpu", "complex64")
    assert probe_profile(profile) is None
    assert "params" not in BackendProfile(device="default.qubit").model_dump()


@pytest.mark.skipif(torch.cuda.is_available(), reason="a CUDA GPU is visible")
def test_missing_cuda_is_a_probe_reason():
    profile = BackendProfile(device="torch.statevector", params={"device": "cuda"})
    assert probe_profile(profile) == "no CUDA GPU visible (torch.cuda.is_available() is False)"
    assert TorchStatevector(torch_device="nonsense").probe().startswith("invalid torch device 'nonsense'")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA GPU visible")
def test_cuda_agrees_with_default_qubit():
    x = _inputs((8, 6), seed=5)
    w = _inputs(ANSATZES["zz-realamplitudes"].weight_shape(2, 6), seed=6, scale=6.0)
    sim = TorchStatevector(torch_device="cuda")
    _assert_agree(_circuit("zz-realamplitudes", 6, True), 6, x, w, sim=sim)
