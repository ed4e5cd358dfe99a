"""Ansatz definitions: angle-encoded inputs, variational layers, one <Z> per wire.

Circuit functions take ``inputs`` of shape ``(B, n_qubits)`` (a broadcast batch) or
``(n_qubits,)`` and return a list of ``n_qubits`` expectation values. Every gate that depends
on the input is applied to the whole batch at once (PennyLane parameter broadcasting), so no
ansatz ever loops over samples.

``ANSATZES`` maps the names a suite writes (head option ``ansatz``) to an ``Ansatz``:

* ``strongly-entangling`` - RX angle embedding + ``StronglyEntanglingLayers`` (Rot on every
  wire, then a CNOT ring whose range grows with the layer); weights ``(L, n, 3)``.
* ``basic-entangler`` - RX angle embedding + ``BasicEntanglerLayers`` (RX on every wire, then a
  CNOT ring); weights ``(L, n)``.
* ``zz-realamplitudes`` - Qiskit's ``ZZFeatureMap`` (2 repetitions, full entanglement:
  H, RZ(2 x_i), ZZ(2 (pi - x_i)(pi - x_j)) for every pair) followed by ``RealAmplitudes`` with
  ``L`` repetitions (RY layer, reverse-linear CNOT ladder, ..., final RY layer); weights
  ``(L + 1, n)``. Written with PennyLane gates: RZ and IsingZZ equal Qiskit's P and CX-P-CX up
  to a global phase, so the expectation values are identical (a test checks this against Qiskit).
* ``reuploading`` - data re-uploading: ``L`` times (RX angle embedding, Rot on every wire, CNOT
  ring); weights ``(L, n, 3)``.

``entangling=False`` gives the same circuit with every entangling gate removed (CNOTs of the
layers and the ZZ terms of the feature map): the no-entanglement control. Its weight shape is
unchanged, so the same initial weights can be used.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

ZZ_FEATURE_MAP_REPS = 2
"""Repetitions of the ZZ feature map (Qiskit's default)."""


def _expvals(wires: range) -> list:
    import pennylane as qml

    return [qml.expval(qml.PauliZ(w)) for w in wires]


def _cnot_ring(wires: range) -> None:
    """CNOT(i, i+1 mod n); a single CNOT on two wires, nothing on one (as BasicEntanglerLayers)."""
    import pennylane as qml

    n = len(wires)
    if n < 2:
        return
    pairs = [(0, 1)] if n == 2 else [(i, (i + 1) % n) for i in range(n)]
    for a, b in pairs:
        qml.CNOT(wires=[wires[a], wires[b]])


def _rot_layer(weights, wires: range) -> None:
    import pennylane as qml

    for i, w in enumerate(wires):
        qml.Rot(weights[i, 0], weights[i, 1], weights[i, 2], wires=w)


def strongly_entangling(inputs, weights, wires: range, entangling: bool = True) -> list:
    """AngleEmbedding (RX) + StronglyEntanglingLayers; ``weights`` shape ``(L, n, 3)``."""
    import pennylane as qml

    qml.AngleEmbedding(inputs, wires=wires, rotation="X")
    if entangling:
        qml.StronglyEntanglingLayers(weights, wires=wires)
    else:
        for layer in range(weights.shape[0]):
            _rot_layer(weights[layer], wires)
    return _expvals(wires)


def basic_entangler(inputs, weights, wires: range, entangling: bool = True) -> list:
    """AngleEmbedding (RX) + BasicEntanglerLayers (RX + CNOT ring); ``weights`` shape ``(L, n)``."""
    import pennylane as qml

    qml.AngleEmbedding(inputs, wires=wires, rotation="X")
    if entangling:
        qml.BasicEntanglerLayers(weights, wires=wires, rotation=qml.RX)
    else:
        for layer in range(weights.shape[0]):
            for i, w in enumerate(wires):
                qml.RX(weights[layer, i], wires=w)
    return _expvals(wires)


def zz_feature_map(inputs, wires: range, entangling: bool = True, reps: int = ZZ_FEATURE_MAP_REPS) -> None:
    """Qiskit's ZZFeatureMap (full entanglement) on a broadcast batch of inputs."""
    import pennylane as qml

    n = len(wires)
    for _ in range(reps):
        for i, w in enumerate(wires):
            qml.Hadamard(wires=w)
            qml.RZ(2.0 * inputs[..., i], wires=w)
        if not entangling:
            continue
        for i in range(n):
            for j in range(i + 1, n):
                phi = (math.pi - inputs[..., i]) * (math.pi - inputs[..., j])
                qml.IsingZZ(2.0 * phi, wires=[wires[i], wires[j]])


def real_amplitudes(weights, wires: range, entangling: bool = True) -> None:
    """Qiskit's RealAmplitudes (reverse-linear entanglement); ``weights`` shape ``(reps + 1, n)``."""
    import pennylane as qml

    n = len(wires)
    for rep in range(weights.shape[0]):
        if rep:
            for i in range(n - 2, -1, -1) if entangling else ():
                qml.CNOT(wires=[wires[i], wires[i + 1]])
        for i, w in enumerate(wires):
            qml.RY(weights[rep, i], wires=w)


def zz_realamplitudes(inputs, weights, wires: range, entangling: bool = True) -> list:
    """ZZFeatureMap + RealAmplitudes (the QC-CNN audio source's circuit); weights ``(L + 1, n)``."""
    zz_feature_map(inputs, wires, entangling)
    real_amplitudes(weights, wires, entangling)
    return _expvals(wires)


def reuploading(inputs, weights, wires: range, entangling: bool = True) -> list:
    """Data re-uploading: per layer, RX embedding, Rot on every wire, CNOT ring; weights ``(L, n, 3)``."""
    import pennylane as qml

    for layer in range(weights.shape[0]):
        qml.AngleEmbedding(inputs, wires=wires, rotation="X")
        _rot_layer(weights[layer], wires)
        if entangling:
            _cnot_ring(wires)
    return _expvals(wires)


@dataclass(frozen=True)
class Ansatz:
    """A circuit family: ``circuit(inputs, weights, wires, entangling)`` and its weight shape."""

    name: str
    circuit: Callable[..., list]
    shape: Callable[[int, int], tuple[int, ...]]

    def weight_shape(self, n_layers: int, n_qubits: int) -> tuple[int, ...]:
        return self.shape(n_layers, n_qubits)


ANSATZES: dict[str, Ansatz] = {
    a.name: a
    for a in (
        Ansatz("strongly-entangling", strongly_entangling, lambda n_layers, n: (n_layers, n, 3)),
        Ansatz("basic-entangler", basic_entangler, lambda n_layers, n: (n_layers, n)),
        Ansatz("zz-realamplitudes", zz_realamplitudes, lambda n_layers, n: (n_layers + 1, n)),
        Ansatz("reuploading", reuploading, lambda n_layers, n: (n_layers, n, 3)),
    )
}
"""Every ansatz a head can name, by name."""

DEFAULT_ANSATZ = "strongly-entangling"


def has_entangling_gates(n_qubits: int) -> bool:
    """Whether an ansatz on ``n_qubits`` wires contains entangling gates (every one does from 2 wires)."""
    return n_qubits >= 2


def weight_shape(n_layers: int, n_qubits: int, ansatz: str = DEFAULT_ANSATZ) -> tuple[int, ...]:
    """Shape of the trainable weights of ``ansatz`` (default ``strongly_entangling``)."""
    return ANSATZES[ansatz].weight_shape(n_layers, n_qubits)
