"""The classical head's module: one linear layer on the compressed input."""

from __future__ import annotations

import torch

from bench.heads.models.base import HeadModel, linear


class ClassicalModel(HeadModel):
    def __init__(self, n_inputs: int, n_classes: int, gen: torch.Generator):
        super().__init__()
        self.linear = linear(n_inputs, n_classes, gen)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x)
