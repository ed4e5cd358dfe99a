"""``BackboneNet``: the torch module every backbone builds (``embed``, ``forward``, ``cam_layer``;
see ``bench.backbones.base``)."""

from __future__ import annotations

import torch
from torch import nn


class BackboneNet(nn.Module):
    embedding_dim: int
    classifier: nn.Linear

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.embed(x))

    def cam_layer(self) -> nn.Module:
        """The layer Grad-CAM hooks (its output must be a ``(B, K, h, w)`` activation map)."""
        convs = [m for m in self.modules() if isinstance(m, nn.Conv2d)]
        if not convs:
            raise ValueError(f"{type(self).__name__} has no Conv2d layer for Grad-CAM")
        return convs[-1]
