"""The pure quantum head: AngleEmbedding + StronglyEntanglingLayers, <Z> per wire -> linear."""

from __future__ import annotations

import torch

from bench.heads.base import BaseHead, HeadModel, QuantumBranch


class QuantumModel(HeadModel):
    def __init__(self, n_qubits: int, n_layers: int, n_classes: int, simulator, gen: torch.Generator):
        super().__init__()
        self.branch = QuantumBranch(n_qubits, n_layers, n_classes, simulator, gen)

    @property
    def quantum(self):
        return self.branch.circuit

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.branch(x)


class QuantumHead(BaseHead):
    """Circuit on the compressed input, then a linear read-out of the ``n_qubits`` expectations."""

    name = "quantum"
    uses_circuit = True

    def build(self, n_inputs, n_classes, n_layers, simulator, generator):
        return QuantumModel(n_inputs, n_layers, n_classes, simulator, generator)
