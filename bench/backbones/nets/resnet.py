"""The torch network of ``resnet18`` / ``resnet34`` and the loading of a local checkpoint into it
(``bench.backbones.resnet`` says how the first convolution is adapted)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from torch import nn

from bench.backbones.nets.base import BackboneNet


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
