"""Ansatz definitions: angle-encoded inputs, variational layers, one <Z> per wire.

Circuit functions take ``inputs`` of shape ``(B, n_qubits)`` (a broadcast batch) or
``(n_qubits,)`` and return a list of ``n_qubits`` expectation values.
"""

from __future__ import annotations


def strongly_entangling(inputs, weights, wires: range) -> list:
    """AngleEmbedding (RX) + StronglyEntanglingLayers; ``weights`` shape ``(L, n, 3)``."""
    import pennylane as qml

    qml.AngleEmbedding(inputs, wires=wires, rotation="X")
    qml.StronglyEntanglingLayers(weights, wires=wires)
    return [qml.expval(qml.PauliZ(w)) for w in wires]


def weight_shape(n_layers: int, n_qubits: int) -> tuple[int, int, int]:
    """Shape of the trainable weights of ``strongly_entangling``."""
    return (n_layers, n_qubits, 3)
