"""The torch network of ``qccnn`` (``bench.backbones.qccnn``)."""

from __future__ import annotations

import torch
from torch import nn

from bench.backbones.nets.base import BackboneNet
from bench.core.plugin import Params


class QCCNNNet(BackboneNet):
    def __init__(self, in_channels: int, p: Params, n_classes: int):
        """``p``: the ``QCCNN.Params`` of ``bench.backbones.qccnn``."""
        super().__init__()
        layers: list[nn.Module] = []
        for out in p.channels:
            layers += [
                nn.Conv2d(in_channels, out, p.kernel_size, padding=p.kernel_size // 2),
                nn.ReLU(),
                nn.MaxPool2d(2, ceil_mode=True),
            ]
            in_channels = out
        self.features = nn.Sequential(
            *layers, nn.Dropout(p.dropout), nn.AdaptiveAvgPool2d(p.pool), nn.Flatten()
        )
        self.project = nn.Sequential(nn.Linear(in_channels * p.pool * p.pool, p.embedding_dim), nn.ReLU())
        self.classifier = nn.Linear(p.embedding_dim, n_classes)
        self.embedding_dim = p.embedding_dim

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        return self.project(self.features(x))
