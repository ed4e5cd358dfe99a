"""The quantum head's module: a circuit, <Z> per wire, then a linear read-out."""

from __future__ import annotations

import torch

from bench.heads.models.base import HeadModel, QuantumBranch, encoder_frozen
from bench.heads.options import CircuitParams


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
