"""``qccnn``: the QC-CNN source's classical part - three conv layers, max-pool, dropout, dense.

Three (or ``len(channels)``) blocks of (conv ``kernel_size``, ReLU, 2x2 max-pool); dropout; the
maps are average-pooled to a fixed ``pool x pool`` grid (so any input size works) and flattened
into a dense layer of width ``embedding_dim`` with ReLU. The source trains it with SGD and a
binary cross-entropy loss: set ``backbone.training.optimizer: sgd``; on two classes the softmax
cross-entropy used here equals binary cross-entropy on the logit difference.
"""

from __future__ import annotations

from pydantic import Field

from bench.backbones.base import BaseBackbone
from bench.core.plugin import Params


class QCCNN(BaseBackbone):
    """Three conv + max-pool layers, dropout and a dense layer (the QC-CNN source's CNN)."""

    name = "qccnn"

    class Params(Params):
        channels: list[int] = Field(
            [16, 32, 64], min_length=1, description="Output channels of each conv layer."
        )
        kernel_size: int = Field(
            3, ge=1, description="Square kernel size of every conv layer (odd keeps the size)."
        )
        dropout: float = Field(0.25, ge=0, lt=1, description="Dropout after the last max-pool.")
        pool: int = Field(4, ge=1, description="Side of the grid the last maps are average-pooled to.")
        embedding_dim: int = Field(64, ge=1, description="Width of the dense layer (the embedding).")

    test_params = {"channels": [4, 4, 8], "pool": 2, "embedding_dim": 8}

    def build(self, input_shape, n_classes):
        from bench.backbones.nets.qccnn import QCCNNNet

        return QCCNNNet(input_shape[0], self.params, n_classes)
