"""``big-audio-cnn``: the UrbanSound8K source's larger log-mel CNN with a 256-d embedding.

Blocks of ``convs_per_block`` x (3x3 conv, batch norm, ReLU), then 2x2 max-pool and spatial
dropout; global average pool; a dense layer to ``embedding_dim`` (256 by default) with ReLU and
dropout. Any input size ``(C, n_mels, frames)`` works (the pooling adapts).
"""

from __future__ import annotations

import torch
from pydantic import Field
from torch import nn

from bench.backbones.base import BackboneNet, BaseBackbone
from bench.core.plugin import Params


def _block(c_in: int, c_out: int, convs: int, dropout: float) -> list[nn.Module]:
    layers: list[nn.Module] = []
    for i in range(convs):
        layers += [
            nn.Conv2d(c_in if i == 0 else c_out, c_out, 3, padding=1),
            nn.BatchNorm2d(c_out),
            nn.ReLU(),
        ]
    return [*layers, nn.MaxPool2d(2, ceil_mode=True), nn.Dropout2d(dropout)]


class BigAudioCNNNet(BackboneNet):
    def __init__(self, in_channels: int, p: BigAudioCNN.Params, n_classes: int):
        super().__init__()
        blocks: list[nn.Module] = []
        for out in p.channels:
            blocks += _block(in_channels, out, p.convs_per_block, p.conv_dropout)
            in_channels = out
        self.features = nn.Sequential(*blocks, nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.project = nn.Sequential(
            nn.Linear(in_channels, p.embedding_dim), nn.ReLU(), nn.Dropout(p.dropout)
        )
        self.classifier = nn.Linear(p.embedding_dim, n_classes)
        self.embedding_dim = p.embedding_dim

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        return self.project(self.features(x))


class BigAudioCNN(BaseBackbone):
    """Larger log-mel CNN with a 256-d embedding (the UrbanSound8K source's AudioCNNBackboneBig)."""

    name = "big-audio-cnn"

    class Params(Params):
        channels: list[int] = Field(
            [32, 64, 128, 256], min_length=1, description="Output channels of each conv block."
        )
        convs_per_block: int = Field(2, ge=1, description="3x3 conv + batch norm + ReLU layers per block.")
        conv_dropout: float = Field(
            0.1, ge=0, lt=1, description="Spatial dropout after each block's pooling."
        )
        embedding_dim: int = Field(256, ge=1, description="Width of the embedding fed to the heads.")
        dropout: float = Field(0.3, ge=0, lt=1, description="Dropout on the embedding while training.")

    test_params = {"channels": [4, 8], "convs_per_block": 1, "embedding_dim": 8}

    def build(self, input_shape, n_classes):
        return BigAudioCNNNet(input_shape[0], self.params, n_classes)
