"""A small log-mel CNN: conv-BN-ReLU-maxpool blocks, global average pool, dense embedding."""

from __future__ import annotations

import torch
from pydantic import Field
from torch import nn

from bench.backbones.base import BackboneNet, BaseBackbone
from bench.core.plugin import Params


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


class SmallAudioCNN(BaseBackbone):
    """Small CNN for ``(1, n_mels, frames)`` log-mel inputs (any spatial size)."""

    name = "small-cnn"

    class Params(Params):
        channels: list[int] = Field(
            [16, 32, 64], min_length=1, description="Output channels of each conv block."
        )
        embedding_dim: int = Field(64, ge=1, description="Width of the embedding fed to the heads.")
        dropout: float = Field(0.2, ge=0, lt=1, description="Dropout on the embedding while training.")

    test_params = {"channels": [4, 8], "embedding_dim": 8}

    def build(self, input_shape, n_classes):
        p = self.params
        return SmallCNNNet(input_shape[0], p.channels, p.embedding_dim, p.dropout, n_classes)
