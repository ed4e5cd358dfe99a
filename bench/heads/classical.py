"""The control: a linear classifier on the same compressed input the circuits see
(``bench.heads.models.classical``)."""

from __future__ import annotations

from bench.heads.base import BaseHead


class ClassicalHead(BaseHead):
    """``logits = W x + b`` on the ``n_qubits`` compressed features (no circuit)."""

    name = "classical"
    uses_circuit = False

    def build(self, n_inputs, n_classes, n_layers, simulator, generator):
        from bench.heads.models.classical import ClassicalModel

        return ClassicalModel(n_inputs, n_classes, generator)
