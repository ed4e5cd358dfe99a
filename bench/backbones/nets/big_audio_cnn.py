"""The torch network of ``big-audio-cnn`` (``bench.backbones.big_audio_cnn``)."""

from __future__ import annotations

import torch
from torch import nn

from bench.backbones.nets.base import BackboneNet
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
    def __init__(self, in_channels: int, p: Params, n_classes: int):
        """``p``: the ``BigAudioCNN.Params`` of ``bench.backbones.big_audio_cnn``."""
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
