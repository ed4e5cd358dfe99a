"""The ``image`` feature: resize, grayscale -> RGB, normalisation fitted on the training split only."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from bench.core.registry import FEATURES
from bench.data.base import RawData
from bench.features.image import IMAGENET_MEAN, ImageFeature


def _images(n: int = 12, channels: int = 1, size: int = 8, seed: int = 0) -> RawData:
    rng = np.random.default_rng(seed)
    return RawData(
        x=rng.random((n, channels, size, size), dtype=np.float32),
        labels=np.arange(n, dtype=np.int64) % 2,
        split=np.array((["train", "train", "val", "test"] * n)[:n]),
        class_names=("a", "b"),
        modality="image",
    )


def _feature(**params) -> ImageFeature:
    return ImageFeature.from_dict(params)


def test_registered_for_images():
    assert FEATURES.get("image") is ImageFeature and ImageFeature.modality == "image"


def test_default_keeps_the_size_and_normalises_on_train_only():
    data = _images()
    out = _feature().transform(data)
    assert out.shape == data.x.shape and out.dtype == np.float32
    train = out[data.split == "train"]
    assert abs(train.mean()) < 1e-5 and train.std() == pytest.approx(1.0, abs=1e-4)
    moved = _images()
    moved.x[moved.split == "test"] += 5.0  # changing val/test images never changes the statistics
    np.testing.assert_array_equal(_feature().transform(moved)[moved.split == "train"], train)


def test_resize_rgb_and_imagenet_statistics():
    data = _images(channels=1, size=8)
    out = _feature(size=16, rgb=True, normalize="imagenet").transform(data)
    assert out.shape == (12, 3, 16, 16)
    np.testing.assert_allclose(
        out[:, 0] * 0.229 + IMAGENET_MEAN[0], out[:, 1] * 0.224 + IMAGENET_MEAN[1], atol=1e-5
    )  # the three channels hold the same gray image
    small = _feature(size=4, normalize="none").transform(data)
    assert small.shape == (12, 1, 4, 4) and small.min() >= 0 and small.max() <= 1


def test_constant_image_stays_constant_under_resize():
    data = _images()
    data.x[:] = 0.25
    np.testing.assert_allclose(_feature(size=5, normalize="none").transform(data), 0.25, atol=1e-6)


def test_deterministic():
    data = _images(n=30, channels=3)
    np.testing.assert_array_equal(_feature(size=6).transform(data), _feature(size=6).transform(data))


def test_imagenet_needs_three_channels():
    with pytest.raises(ValueError, match="needs 3 channels"):
        _feature(normalize="imagenet").transform(_images(channels=1))


def test_audio_is_rejected():
    audio = RawData(
        x=np.zeros((2, 100), np.float32),
        labels=np.zeros(2, np.int64),
        split=np.array(["train"] * 2),
        class_names=("a",),
        modality="audio",
        sample_rate=8000,
    )
    with pytest.raises(ValueError, match="image needs image data"):
        _feature().transform(audio)


@pytest.mark.parametrize("bad", [{"size": 2}, {"normalize": "batch"}, {"sizes": 8}])
def test_bad_params(bad):
    with pytest.raises(ValidationError):
        ImageFeature.Params(**bad)
