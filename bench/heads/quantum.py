"""The pure quantum head: a circuit (default AngleEmbedding + StronglyEntanglingLayers), <Z> per
wire -> linear read-out."""

from __future__ import annotations

import torch

from bench.heads.base import BaseHead, CircuitParams, HeadModel, QuantumBranch, encoder_frozen


class QuantumModel(HeadModel):
    def __init__(
        self,
        n_qubits: int,
        n_layers: int,
        n_classes: int,
        simulator,
        gen: torch.Generator,
        options: CircuitParams | None = None,
    ):
        super().__init__()
        options = options or CircuitParams()
        self.branch = QuantumBranch(n_qubits, n_layers, n_classes, simulator, gen, options)
        self.always_frozen = encoder_frozen(options)

    @property
    def quantum(self):
        return self.branch.circuit

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.branch(x)


class QuantumHead(BaseHead):
    """Circuit on the compressed input, then a linear read-out of the ``n_qubits`` expectations."""

    name = "quantum"
    uses_circuit = True
    Params = CircuitParams

    def build(self, n_inputs, n_classes, n_layers, simulator, generator):
        return QuantumModel(n_inputs, n_layers, n_classes, simulator, generator, self.params)
