"""``resnet18`` / ``resnet34``: torchvision ResNets as backbones, random init or a local checkpoint.

The network is torchvision's ``resnet18`` / ``resnet34`` (``weights=None``: nothing is
downloaded) with

* the first convolution taking the input's channel count (1 for MNIST-like images, 3 for RGB,
  5 for RGB plus two quantum feature-map channels, 1 for log-mel maps);
* a stem chosen by ``stem``: ``imagenet`` keeps the 7x7 stride-2 convolution and the max-pool;
  ``small`` uses a 3x3 stride-1 convolution and no max-pool (CIFAR-style), so 8x8 or 28x28
  inputs keep a spatial map down to the last stage; ``auto`` picks ``small`` when the input's
  shorter side is under 64 pixels;
* ``fc`` removed: the embedding is the 512-d global average pool, and a fresh linear
  ``classifier`` maps it to the task's classes.

``weights`` names a local checkpoint (e.g. torchvision's ImageNet weights the user downloaded,
``resnet18-f37072fd.pth``): a state dict, or a dict holding one under ``state_dict`` or
``model``; ``module.`` prefixes are stripped and ``fc.*`` is ignored. The first convolution is
adapted: with one input channel its kernels are summed over RGB; with more than three, the RGB
kernels are kept and each extra channel gets their mean; with the ``small`` stem the 7x7 kernels
do not fit and the first convolution keeps its random init. Every other tensor must match,
otherwise loading fails with the file and the offending keys.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from bench.backbones.base import BaseBackbone
from bench.core.plugin import Params

if TYPE_CHECKING:
    from bench.backbones.nets.base import BackboneNet

SMALL_INPUT_SIDE = 64
"""With ``stem: auto``, inputs whose shorter side is below this get the small stem."""


class ResNetParams(Params):
    weights: str | None = Field(
        None,
        description="Local checkpoint to start from (e.g. downloaded ImageNet weights); None: random init.",
    )
    stem: Literal["auto", "imagenet", "small"] = Field(
        "auto",
        description="'imagenet': 7x7 stride-2 conv + max-pool; 'small': 3x3 stride-1 conv, no max-pool "
        f"(small images); 'auto': small when the input's shorter side is under {SMALL_INPUT_SIDE} pixels.",
    )


class _ResNet(BaseBackbone):
    depth = 18
    Params = ResNetParams
    test_input_shape = (1, 8, 8)

    def small_stem(self, input_shape: tuple[int, ...]) -> bool:
        stem = self.params.stem
        return stem == "small" or (stem == "auto" and min(input_shape[1:]) < SMALL_INPUT_SIDE)

    def build(self, input_shape, n_classes):
        from bench.backbones.nets.resnet import ResNetNet

        return ResNetNet(self.depth, input_shape[0], self.small_stem(input_shape), n_classes)

    def load_pretrained(self, net: BackboneNet) -> None:
        if self.params.weights:
            from bench.backbones.nets.resnet import load_resnet_weights

            load_resnet_weights(net, Path(self.params.weights).expanduser())

    def unavailable(self) -> str | None:
        weights = self.params.weights
        if weights and not Path(weights).expanduser().is_file():
            return f"weights file {weights} not found (download it, or set weights: null for random init)"
        return None


class ResNet18(_ResNet):
    """torchvision ResNet-18 (512-d embedding); random init or a local checkpoint; any input channels."""

    name = "resnet18"
    depth = 18


class ResNet34(_ResNet):
    """torchvision ResNet-34 (512-d embedding); random init or a local checkpoint; any input channels."""

    name = "resnet34"
    depth = 34
