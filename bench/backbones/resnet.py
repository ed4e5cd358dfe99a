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
from typing import Any, Literal

import torch
from pydantic import Field
from torch import nn

from bench.backbones.base import BackboneNet, BaseBackbone
from bench.core.plugin import Params

SMALL_INPUT_SIDE = 64
"""With ``stem: auto``, inputs whose shorter side is below this get the small stem."""


class ResNetNet(BackboneNet):
    def __init__(self, depth: int, in_channels: int, small_stem: bool, n_classes: int):
        super().__init__()
        import torchvision

        body = getattr(torchvision.models, f"resnet{depth}")(weights=None)
        if small_stem:
            body.conv1 = nn.Conv2d(in_channels, 64, 3, stride=1, padding=1, bias=False)
            body.maxpool = nn.Identity()
        elif in_channels != 3:
            body.conv1 = nn.Conv2d(in_channels, 64, 7, stride=2, padding=3, bias=False)
        body.fc = nn.Identity()
        self.body = body
        self.embedding_dim = 512
        self.classifier = nn.Linear(512, n_classes)

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)

    def cam_layer(self) -> nn.Module:
        return self.body.layer4


def _state_dict_of(obj: Any, path: Path) -> dict[str, torch.Tensor]:
    for key in ("state_dict", "model"):
        if isinstance(obj, dict) and isinstance(obj.get(key), dict):
            obj = obj[key]
    if not isinstance(obj, dict) or not all(isinstance(v, torch.Tensor) for v in obj.values()):
        raise ValueError(f"{path}: not a state dict (expected a mapping of parameter names to tensors)")
    return {
        k.removeprefix("module."): v
        for k, v in obj.items()
        if not k.removeprefix("module.").startswith("fc.")
    }


def adapt_first_conv(weight: torch.Tensor, target: torch.Tensor) -> torch.Tensor | None:
    """The checkpoint's first-conv ``weight`` reshaped for ``target``'s channel count, or
    ``None`` when the kernel sizes differ (the small stem keeps its random init)."""
    if weight.shape[2:] != target.shape[2:] or weight.shape[0] != target.shape[0]:
        return None
    c_in, c_ckpt = target.shape[1], weight.shape[1]
    if c_in == c_ckpt:
        return weight
    if c_in == 1:
        return weight.sum(dim=1, keepdim=True)
    extra = weight.mean(dim=1, keepdim=True).expand(-1, max(c_in - c_ckpt, 0), -1, -1)
    return torch.cat([weight[:, :c_in], extra], dim=1)


def load_resnet_weights(net: ResNetNet, path: Path) -> None:
    """Load a local checkpoint into ``net.body`` (see the module docstring). Raises ``ValueError``
    naming ``path`` on a missing, unreadable or mismatching file."""
    try:
        raw = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise ValueError(f"{path}: weights file not found") from None
    except Exception as exc:
        raise ValueError(f"{path}: cannot read weights ({type(exc).__name__}: {exc})") from None
    state = _state_dict_of(raw, path)
    conv = (
        adapt_first_conv(state.pop("conv1.weight"), net.body.conv1.weight)
        if "conv1.weight" in state
        else None
    )
    if conv is not None:
        state["conv1.weight"] = conv
    own = net.body.state_dict()
    missing = sorted(set(own) - set(state) - {"conv1.weight"})
    unexpected = sorted(set(state) - set(own))
    wrong = sorted(k for k in set(state) & set(own) if state[k].shape != own[k].shape)
    if missing or unexpected or wrong:
        detail = "; ".join(
            f"{what}: {', '.join(keys[:4])}{' ...' if len(keys) > 4 else ''}"
            for what, keys in (("missing", missing), ("unexpected", unexpected), ("shape mismatch", wrong))
            if keys
        )
        raise ValueError(f"{path}: does not fit {type(net.body).__name__} ({detail})")
    net.body.load_state_dict(state, strict=False)


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
        return ResNetNet(self.depth, input_shape[0], self.small_stem(input_shape), n_classes)

    def load_pretrained(self, net: BackboneNet) -> None:
        if self.params.weights:
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
