"""The control: a linear classifier on the same compressed input the circuits see."""

from __future__ import annotations

import torch

from bench.heads.base import BaseHead, HeadModel, linear


class ClassicalModel(HeadModel):
    def __init__(self, n_inputs: int, n_classes: int, gen: torch.Generator):
        super().__init__()
        self.linear = linear(n_inputs, n_classes, gen)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x)


class ClassicalHead(BaseHead):
    """``logits = W x + b`` on the ``n_qubits`` compressed features (no circuit)."""

    name = "classical"
    uses_circuit = False

    def build(self, n_inputs, n_classes, n_layers, simulator, generator):
        return ClassicalModel(n_inputs, n_classes, generator)
