"""Every ansatz: one broadcast call equals per-sample calls, simulators agree, the no-entanglement
variant has no multi-qubit gate, input scaling scales, and zz-realamplitudes equals Qiskit's circuit."""

from __future__ import annotations

import math

import numpy as np
import pennylane as qml
import pytest
import torch

from bench.core.registry import SIMULATORS
from bench.quantum.circuits import ANSATZES, zz_realamplitudes
from bench.quantum.layer import QuantumLayer

N_QUBITS, N_LAYERS = 3, 2
NAMES = sorted(ANSATZES)


def _layer(ansatz: str, backend: str = "default.qubit", **options) -> QuantumLayer:
    return QuantumLayer(
        N_QUBITS, N_LAYERS, SIMULATORS.get(backend), torch.Generator().manual_seed(0), ansatz, **options
    )


def _inputs(batch: int = 4) -> torch.Tensor:
    return (
        torch.rand(batch, N_QUBITS, generator=torch.Generator().manual_seed(1), dtype=torch.float64) * math.pi
    )


@pytest.mark.parametrize("ansatz", NAMES)
def test_broadcast_equals_per_sample_and_lightning(ansatz):
    layer, x = _layer(ansatz), _inputs()
    with torch.no_grad():
        batched = layer(x)
        single = torch.stack([layer(row) for row in x])
        layer.use_simulator(SIMULATORS.get("lightning.qubit"))
        lightning = layer(x)
    assert batched.shape == (4, N_QUBITS)
    torch.testing.assert_close(batched, single, atol=1e-10, rtol=0)
    torch.testing.assert_close(batched, lightning, atol=1e-6, rtol=0)
    assert layer.weights.shape == ANSATZES[ansatz].weight_shape(N_LAYERS, N_QUBITS)


@pytest.mark.parametrize("ansatz", NAMES)
def test_gradients_flow_to_weights(ansatz):
    layer = _layer(ansatz)
    layer(_inputs()).sum().backward()
    assert layer.weights.grad is not None and layer.weights.grad.abs().sum() > 0


def _multi_qubit_ops(ansatz: str, entangling: bool) -> list[str]:
    weights = np.zeros(ANSATZES[ansatz].weight_shape(N_LAYERS, N_QUBITS))
    with qml.queuing.AnnotatedQueue() as queue:
        ANSATZES[ansatz].circuit(np.full(N_QUBITS, 0.3), weights, range(N_QUBITS), entangling)
    tape = qml.tape.QuantumScript.from_queue(queue)
    (flat,), _ = qml.transforms.decompose(
        tape, gate_set={"RX", "RY", "RZ", "Rot", "Hadamard", "CNOT", "IsingZZ"}
    )
    return [op.name for op in flat.operations if len(op.wires) > 1]


@pytest.mark.parametrize("ansatz", NAMES)
def test_no_entanglement_variant_has_no_multi_qubit_gate(ansatz):
    assert _multi_qubit_ops(ansatz, entangling=True)
    assert _multi_qubit_ops(ansatz, entangling=False) == []
    with torch.no_grad():
        assert not torch.allclose(_layer(ansatz)(_inputs()), _layer(ansatz, entangling=False)(_inputs()))


@pytest.mark.parametrize("ansatz", NAMES)
def test_input_scale_multiplies_the_encoded_angles(ansatz):
    x = _inputs()
    with torch.no_grad():
        torch.testing.assert_close(
            _layer(ansatz, input_scale=0.5)(x), _layer(ansatz)(0.5 * x), atol=1e-12, rtol=0
        )


def test_default_ansatz_is_the_original_strongly_entangling_layer():
    x = _inputs()
    layer = QuantumLayer(
        N_QUBITS, N_LAYERS, SIMULATORS.get("default.qubit"), torch.Generator().manual_seed(0)
    )
    dev = qml.device("default.qubit", wires=N_QUBITS)

    @qml.qnode(dev)
    def reference(inputs, weights):
        qml.AngleEmbedding(inputs, wires=range(N_QUBITS), rotation="X")
        qml.StronglyEntanglingLayers(weights, wires=range(N_QUBITS))
        return [qml.expval(qml.PauliZ(w)) for w in range(N_QUBITS)]

    with torch.no_grad():
        ours = layer(x).numpy()
    expected = np.stack([np.array(reference(row.numpy(), layer.weights.detach().numpy())) for row in x])
    np.testing.assert_allclose(ours, expected, atol=1e-12)


def test_zz_realamplitudes_matches_qiskit():
    qiskit = pytest.importorskip("qiskit")
    from qiskit.circuit.library import real_amplitudes, zz_feature_map
    from qiskit.quantum_info import SparsePauliOp, Statevector

    rng = np.random.default_rng(0)
    x, weights = rng.uniform(0, math.pi, N_QUBITS), rng.uniform(0, 2 * math.pi, (N_LAYERS + 1, N_QUBITS))
    feature_map, ansatz = zz_feature_map(N_QUBITS, reps=2), real_amplitudes(N_QUBITS, reps=N_LAYERS)
    circuit = qiskit.QuantumCircuit(N_QUBITS)
    circuit.compose(feature_map.assign_parameters(x), inplace=True)
    circuit.compose(ansatz.assign_parameters(weights.ravel()), inplace=True)
    state = Statevector(circuit)
    # Qiskit is little-endian: Z on qubit i is the i-th character from the right
    expected = [
        state.expectation_value(SparsePauliOp("I" * (N_QUBITS - 1 - i) + "Z" + "I" * i)).real
        for i in range(N_QUBITS)
    ]
    dev = qml.device("default.qubit", wires=N_QUBITS)
    ours = qml.QNode(lambda a, w: zz_realamplitudes(a, w, range(N_QUBITS)), dev)(x, weights)
    np.testing.assert_allclose(np.array(ours), expected, atol=1e-10)
