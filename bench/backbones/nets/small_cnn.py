"""The torch network of ``small-cnn`` (``bench.backbones.small_cnn``)."""

from __future__ import annotations

import torch
from torch import nn

from bench.backbones.nets.base import BackboneNet


class SmallCNNNet(BackboneNet):
    def __init__(
        self, in_channels: int, channels: list[int], embedding_dim: int, dropout: float, n_classes: int
    ):
        super().__init__()
        blocks: list[nn.Module] = []
        for out in channels:
            blocks += [
                nn.Conv2d(in_channels, out, 3, padding=1),
                nn.BatchNorm2d(out),
                nn.ReLU(),
                nn.MaxPool2d(2),
            ]
            in_channels = out
        self.features = nn.Sequential(*blocks, nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.project = nn.Sequential(nn.Linear(in_channels, embedding_dim), nn.ReLU(), nn.Dropout(dropout))
        self.classifier = nn.Linear(embedding_dim, n_classes)
        self.embedding_dim = embedding_dim

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        return self.project(self.features(x))
