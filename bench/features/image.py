"""``image``: image datasets -> float32 ``(N, C, H, W)`` backbone inputs.

Per batch of images (``RawData.x``, float32 in [0, 1]):

1. with ``size``, resize to ``size`` x ``size`` (``torch.nn.functional.interpolate``, bilinear,
   antialiased when shrinking, ``align_corners=False``);
2. with ``rgb``, repeat a single grayscale channel three times (RGB input stays as it is);
3. per-channel normalisation ``(x - mean) / std`` where ``normalize`` is ``"train"`` (mean and
   std of each channel over the *training split only*, so validation and test never leak into
   the inputs; ``fit`` returns them, and ``transform(data, fitted)`` applies saved ones to new
   images), ``"imagenet"`` (the ImageNet statistics, for ImageNet-pretrained backbones; needs
   3 channels) or ``"none"``.

Images are processed in chunks of ``CHUNK``, never one Python call per image. Deterministic: no
randomness, and the same inputs on the same machine give bit-identical outputs.
"""

from __future__ import annotations

from typing import ClassVar, Literal

import numpy as np
from pydantic import Field

from bench.core.plugin import Params
from bench.data.base import RawData
from bench.features.base import BaseFeature

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


class ImageFeatureParams(Params):
    size: int | None = Field(
        None,
        ge=4,
        le=1024,
        description="Resize every image to size x size (bilinear); None keeps the dataset's size.",
    )
    rgb: bool = Field(
        False,
        description="Repeat a grayscale channel three times (for backbones that expect RGB input, "
        "such as ImageNet weights); RGB images are unchanged.",
    )
    normalize: Literal["train", "imagenet", "none"] = Field(
        "train",
        description="Per-channel normalisation: 'train' = mean/std of each channel over the training split "
        "only; 'imagenet' = ImageNet mean/std (needs 3 channels); 'none' = keep values in [0, 1].",
    )


class ImageFeature(BaseFeature):
    """Images as backbone inputs: optional square resize, grayscale -> RGB, per-channel normalisation."""

    name = "image"
    modality = "image"
    Params = ImageFeatureParams
    test_params = {"size": 12}

    CHUNK: ClassVar[int] = 512
    """Images per resize batch."""

    def _resized(self, x: np.ndarray) -> np.ndarray:
        import torch
        import torch.nn.functional as F

        size = self.params.size
        if size is None or x.shape[2:] == (size, size):
            return x
        out = np.empty((x.shape[0], x.shape[1], size, size), dtype=np.float32)
        shrink = size < max(x.shape[2:])
        with torch.no_grad():
            for start in range(0, len(x), self.CHUNK):
                chunk = torch.from_numpy(np.ascontiguousarray(x[start : start + self.CHUNK]))
                out[start : start + len(chunk)] = F.interpolate(
                    chunk, size=(size, size), mode="bilinear", align_corners=False, antialias=shrink
                ).numpy()
        return out

    def _prepared(self, x: np.ndarray) -> np.ndarray:
        """Resized and, with ``rgb``, three-channel images (normalisation not applied)."""
        x = self._resized(x)
        if self.params.rgb and x.shape[1] == 1:
            x = np.repeat(x, 3, axis=1)
        return x

    @property
    def fits(self) -> bool:
        return self.params.normalize == "train"

    def _fitted_from(self, train: np.ndarray) -> dict[str, list[float]]:
        """Per-channel mean and std of the prepared training images ``train``."""
        if not self.fits:
            return {}
        train = train.astype(np.float64)
        if len(train) == 0:
            raise ValueError("image: normalize 'train' needs a non-empty training split")
        mean, std = train.mean(axis=(0, 2, 3)), train.std(axis=(0, 2, 3))
        return {
            "mean": mean.astype(np.float32).tolist(),
            "std": np.maximum(std, 1e-6).astype(np.float32).tolist(),
        }

    def fit(self, data: RawData) -> dict[str, list[float]]:
        """``{"mean": [...], "std": [...]}`` per channel over the training split with
        ``normalize: train``; ``{}`` otherwise."""
        if not self.fits:
            return {}
        x = self._checked(data)
        return self._fitted_from(self._prepared(x[data.split == "train"]))

    def _stats(self, channels: int, fitted: dict[str, list[float]]) -> tuple[np.ndarray, np.ndarray]:
        if self.params.normalize == "imagenet":
            if channels != 3:
                raise ValueError(
                    f"image: normalize 'imagenet' needs 3 channels, got {channels} "
                    "(set rgb: true for grayscale images)"
                )
            return np.array(IMAGENET_MEAN, np.float32), np.array(IMAGENET_STD, np.float32)
        mean, std = np.array(fitted["mean"], np.float32), np.array(fitted["std"], np.float32)
        if len(mean) != channels:
            raise ValueError(
                f"image: fitted statistics are for {len(mean)} channels, the images have {channels}"
            )
        return mean, std

    def _checked(self, data: RawData) -> np.ndarray:
        if data.modality != "image":
            raise ValueError(
                f"image needs image data (modality 'image'), got modality {data.modality!r}; "
                "use logmel for audio datasets"
            )
        x = np.asarray(data.x, dtype=np.float32)
        if x.ndim != 4:
            raise ValueError(f"image expects images of shape (N, C, H, W), got shape {x.shape}")
        return x

    def _normalized(self, x: np.ndarray, fitted: dict[str, list[float]]) -> np.ndarray:
        if self.params.normalize != "none":
            mean, std = self._stats(x.shape[1], fitted)
            x = (x - mean[None, :, None, None]) / std[None, :, None, None]
        return np.ascontiguousarray(x, dtype=np.float32)

    def fit_transform(self, data: RawData) -> tuple[np.ndarray, dict[str, list[float]]]:
        x = self._prepared(self._checked(data))
        fitted = self._fitted_from(x[data.split == "train"])
        return self._normalized(x, fitted), fitted

    def transform(self, data: RawData, fitted: dict[str, list[float]] | None = None) -> np.ndarray:
        if fitted is None:
            return self.fit_transform(data)[0]
        return self._normalized(self._prepared(self._checked(data)), fitted)
