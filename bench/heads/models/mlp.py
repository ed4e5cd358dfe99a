"""The matched-MLP control's module: a ``tanh`` MLP of a given shape (``bench.heads.shapes``)."""

from __future__ import annotations

import torch
from torch import nn

from bench.heads.models.base import HeadModel, linear
from bench.heads.shapes import MLPShape


def _dense(n_in: int, n_out: int, bias: bool, gen: torch.Generator) -> nn.Linear:
    layer = linear(n_in, n_out, gen)
    if not bias:
        layer.register_parameter("bias", None)
    return layer


class MLPModel(HeadModel):
    """``tanh`` MLP on the compressed input (no circuit)."""

    def __init__(self, n_inputs: int, shape: MLPShape, n_classes: int, gen: torch.Generator):
        super().__init__()
        dims = [n_inputs, *shape.widths]
        self.hidden = nn.ModuleList(
            _dense(dims[i], dims[i + 1], shape.hidden_bias, gen) for i in range(len(shape.widths))
        )
        self.output = _dense(dims[-1], n_classes, shape.output_bias, gen)
        self.shape = shape

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.hidden:
            x = torch.tanh(layer(x))
        return self.output(x)
