"""A cell's whole classifier as one torch module: backbone -> compression -> head.

``CellModel(backbone, compression, head)`` maps backbone inputs (features, float32
``(B, C, H, W)``) to head logits (float64 ``(B, n_classes)``). It is what the finetune protocol
trains end to end, what a checkpoint restores (``bench.cell.checkpoint``), what ``python -m bench
predict`` runs on a user's file and what Grad-CAM differentiates.

Two compressions, both float64 and both mapping embeddings into the suite's angle range:

* ``FixedCompression`` (frozen protocol): exactly ``bench.cell.compress.Compressor.transform``
  (standardise, PCA, min-max fitted on train, clip), as buffers - nothing trains.
* ``LearnedCompression`` (finetune protocol): a trainable affine map initialised from a PCA
  fit so that its output starts as the fitted min-max coordinate ``u`` (0..1 on train), then
  squashed smoothly: ``low + (high - low) * sigmoid(4 * (u - 0.5))``. The sigmoid replaces the
  clip, whose zero gradient outside the training range would stall end-to-end training.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from bench.backbones.nets.base import BackboneNet
from bench.cell.compress import Compressor
from bench.cell.device import Compute
from bench.heads.models.base import HeadModel
from bench.quantum.pennylane.simulators import Simulator

CPU = Compute()
SQUASH_SLOPE = 4.0
"""Slope of the learned compression's sigmoid around the middle of the training range."""


def _t(a: np.ndarray) -> torch.Tensor:
    return torch.as_tensor(np.asarray(a, dtype=np.float64))


class FixedCompression(nn.Module):
    """``Compressor.transform`` in torch (buffers only; differentiable inside the clip range)."""

    def __init__(self, mean, scale, components, low, high, angle_range: tuple[float, float]):
        super().__init__()
        for name, value in (
            ("mean", mean),
            ("scale", scale),
            ("components", components),
            ("low", low),
            ("high", high),
            ("angle_range", angle_range),
        ):
            self.register_buffer(name, _t(value))

    @classmethod
    def from_compressor(cls, c: Compressor) -> FixedCompression:
        return cls(c.mean, c.scale, c.components, c.low, c.high, c.angle_range)

    def forward(self, embeddings: torch.Tensor) -> torch.Tensor:
        z = ((embeddings.double() - self.mean) / self.scale) @ self.components.T
        unit = ((z - self.low) / (self.high - self.low)).clamp(0.0, 1.0)
        lo, hi = self.angle_range[0], self.angle_range[1]
        return lo + unit * (hi - lo)


class LearnedCompression(nn.Module):
    """Trainable ``(B, dim) -> (B, n)`` angles, initialised from a PCA fit (see module docstring)."""

    def __init__(self, dim: int, n_outputs: int, angle_range: tuple[float, float]):
        super().__init__()
        self.linear = nn.Linear(dim, n_outputs, dtype=torch.float64)
        self.register_buffer("angle_range", _t(angle_range))

    @classmethod
    def from_compressor(cls, c: Compressor) -> LearnedCompression:
        n, dim = c.components.shape
        layer = cls(dim, n, c.angle_range)
        span = (c.high - c.low)[:, None]
        weight = c.components / c.scale[None, :] / span
        bias = (-(c.mean / c.scale) @ c.components.T - c.low) / span[:, 0]
        with torch.no_grad():
            layer.linear.weight.copy_(_t(weight))
            layer.linear.bias.copy_(_t(bias))
        return layer

    def forward(self, embeddings: torch.Tensor) -> torch.Tensor:
        unit = self.linear(embeddings.double())
        lo, hi = self.angle_range[0], self.angle_range[1]
        return lo + (hi - lo) * torch.sigmoid(SQUASH_SLOPE * (unit - 0.5))


class CellModel(nn.Module):
    """Backbone, compression and head chained: features -> angles -> logits."""

    def __init__(self, backbone: BackboneNet, compression: nn.Module, head: HeadModel):
        super().__init__()
        self.backbone, self.compression, self.head = backbone, compression, head

    def angles(self, x: torch.Tensor) -> torch.Tensor:
        return self.compression(self.backbone.embed(x))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.angles(x))

    def use_simulator(self, simulator: Simulator) -> None:
        self.head.use_simulator(simulator)


def batched(fn, x: np.ndarray, batch: int = 256, compute: Compute = CPU) -> np.ndarray:
    """``fn`` on float32 ``x`` in chunks of ``batch`` without gradients, each chunk on ``compute``'s
    device and precision (``fn``'s module must be there); concatenated as CPU numpy."""
    with torch.no_grad(), compute.autocast():
        parts = [
            fn(compute.to(torch.from_numpy(np.ascontiguousarray(x[i : i + batch])))).cpu()
            for i in range(0, len(x), batch)
        ]
    return torch.cat(parts).numpy() if parts else np.zeros((0,))
