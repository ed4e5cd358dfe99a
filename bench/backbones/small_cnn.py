"""A small log-mel CNN: conv-BN-ReLU-maxpool blocks, global average pool, dense embedding."""

from __future__ import annotations

from pydantic import Field

from bench.backbones.base import BaseBackbone
from bench.core.plugin import Params


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
        from bench.backbones.nets.small_cnn import SmallCNNNet

        p = self.params
        return SmallCNNNet(input_shape[0], p.channels, p.embedding_dim, p.dropout, n_classes)
