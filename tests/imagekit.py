"""Tiny synthetic image data for tests: a dataset and a pass-through feature, registered on demand.

``tiny-shapes``: 8x8 images of three classes (a bright square top-left, a bright square
bottom-right, a horizontal bar) on faint noise; every pixel is a multiple of 1/255, so a PNG
round trip is exact. Splits per class: half train, a quarter validation, a quarter test.
``tiny-pixels``: the images unchanged (float32).
"""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import Field

from bench.core.plugin import Params
from bench.core.registry import DATASETS, FEATURES
from bench.data.base import BaseDataset, RawData
from bench.features.base import BaseFeature

CLASS_NAMES = ("square-top-left", "square-bottom-right", "bar")


class TinyShapes(BaseDataset):
    """Three classes of synthetic 8x8 shapes (test data)."""

    name = "tiny-shapes"
    modality = "image"

    class Params(Params):
        n_per_class: int = Field(8, ge=4, description="Images per class.")
        size: int = Field(8, ge=4, description="Image side in pixels.")
        channels: int = Field(3, ge=1, description="Image channels.")
        seed: int = Field(0, description="Seed of the noise.")

    test_params = {"n_per_class": 4}

    def load(self) -> RawData:
        p = self.params
        rng = np.random.default_rng(p.seed)
        n, s, half = p.n_per_class * 3, p.size, p.size // 2
        labels = np.repeat(np.arange(3), p.n_per_class)
        x = rng.integers(0, 50, size=(n, p.channels, s, s)).astype(np.float32)
        x[labels == 0, :, :half, :half] += 200
        x[labels == 1, :, half:, half:] += 200
        x[labels == 2, :, half - 1 : half + 1, :] += 200
        rank = np.concatenate([np.arange(p.n_per_class)] * 3)
        quarter = p.n_per_class // 4
        split = np.where(
            rank < p.n_per_class - 2 * quarter,
            "train",
            np.where(rank < p.n_per_class - quarter, "val", "test"),
        )
        return RawData(
            x=x / 255.0,
            labels=labels,
            split=split,
            class_names=CLASS_NAMES,
            modality="image",
            item_ids=tuple(f"img{i}" for i in range(n)),
        )


class TinyPixels(BaseFeature):
    """The images unchanged (test feature)."""

    name = "tiny-pixels"
    modality = "image"

    def transform(self, data: RawData, fitted: dict | None = None) -> np.ndarray:
        return np.asarray(data.x, dtype=np.float32)


@pytest.fixture
def tiny_images(monkeypatch):
    """Register ``tiny-shapes`` and ``tiny-pixels`` for the duration of a test."""
    monkeypatch.setitem(DATASETS._entries, "tiny-shapes", "tests.imagekit:TinyShapes")
    monkeypatch.setitem(FEATURES._entries, "tiny-pixels", "tests.imagekit:TinyPixels")
    yield


def register_tiny_images() -> None:
    """Register permanently (module-scoped fixtures, which cannot use monkeypatch)."""
    DATASETS.register("tiny-shapes", "tests.imagekit:TinyShapes")
    FEATURES.register("tiny-pixels", "tests.imagekit:TinyPixels")
