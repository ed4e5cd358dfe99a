"""Backbone contract.

``BaseBackbone.build(input_shape, n_classes, generator)`` returns a ``BackboneNet``: a float32
module with ``embed(x) -> (B, embedding_dim)`` and ``forward(x) -> (B, n_classes)`` logits (a
linear classifier on the embedding, used only to train the backbone).
"""

from __future__ import annotations

import torch
from torch import nn

from bench.plugin import Plugin


class BackboneNet(nn.Module):
    embedding_dim: int
    classifier: nn.Linear

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.embed(x))


class BaseBackbone(Plugin):
    def build(self, input_shape: tuple[int, ...], n_classes: int) -> BackboneNet:
        """Build a freshly initialised network (the caller seeds torch beforehand)."""
        raise NotImplementedError
