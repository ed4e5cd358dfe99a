"""``big-audio-cnn``: the UrbanSound8K source's larger log-mel CNN with a 256-d embedding.

Blocks of ``convs_per_block`` x (3x3 conv, batch norm, ReLU), then 2x2 max-pool and spatial
dropout; global average pool; a dense layer to ``embedding_dim`` (256 by default) with ReLU and
dropout. Any input size ``(C, n_mels, frames)`` works (the pooling adapts).
"""

from __future__ import annotations

from pydantic import Field

from bench.backbones.base import BaseBackbone
from bench.core.plugin import Params


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
        from bench.backbones.nets.big_audio_cnn import BigAudioCNNNet

        return BigAudioCNNNet(input_shape[0], self.params, n_classes)
