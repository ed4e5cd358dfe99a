"""The pure quantum head: a circuit (default AngleEmbedding + StronglyEntanglingLayers), <Z> per
wire -> linear read-out (``bench.heads.models.quantum``)."""

from __future__ import annotations

from bench.heads.base import BaseHead
from bench.heads.options import CircuitParams


class QuantumHead(BaseHead):
    """Circuit on the compressed input, then a linear read-out of the ``n_qubits`` expectations."""

    name = "quantum"
    uses_circuit = True
    Params = CircuitParams

    def build(self, n_inputs, n_classes, n_layers, simulator, generator):
        from bench.heads.models.quantum import QuantumModel

        return QuantumModel(n_inputs, n_layers, n_classes, simulator, generator, self.params)
