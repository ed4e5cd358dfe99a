"""urban-synth: deterministic, balanced, stratified, bounded, and hard but learnable."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from bench.core.registry import DATASETS
from bench.data.base import SPLITS
from bench.data.urban_synth import CLASS_NAMES, UrbanSynth, split_counts

TEST = UrbanSynth.test_params


def _load(**overrides):
    return UrbanSynth.from_dict({**TEST, **overrides}).load()


@pytest.fixture(scope="module")
def tiny():
    return _load()


def test_registered():
    assert DATASETS.get("urban-synth") is UrbanSynth
    assert UrbanSynth.name == "urban-synth" and UrbanSynth.modality == "audio"


def test_shapes_and_dtypes(tiny):
    n, C = TEST["n_per_class"], TEST["n_classes"]
    T = round(TEST["seconds"] * TEST["sample_rate"])
    assert tiny.x.shape == (n * C, T) and tiny.x.dtype == np.float32
    assert tiny.labels.shape == (n * C,) and tiny.labels.dtype == np.int64
    assert tiny.split.shape == (n * C,) and set(tiny.split) <= set(SPLITS)
    assert tiny.class_names == CLASS_NAMES[:C]
    assert tiny.modality == "audio" and tiny.sample_rate == TEST["sample_rate"]
    assert len(tiny.item_ids) == n * C and len(set(tiny.item_ids)) == n * C
    assert tiny.item_ids[0] == "urban-synth/air_conditioner/0000"
    assert tiny.skipped == ()


def test_item_ids_name_class_and_index():
    data = _load(n_classes=10, n_per_class=3, seconds=0.05)
    assert data.item_ids[8 * 3 + 1] == "urban-synth/siren/0001"
    for item, label in zip(data.item_ids, data.labels, strict=True):
        assert item.split("/")[1] == CLASS_NAMES[label]


def test_finite_bounded_and_not_silent(tiny):
    assert np.isfinite(tiny.x).all()
    assert np.abs(tiny.x).max() <= 1.0
    assert (tiny.x.std(axis=1) > 1e-3).all()


def test_deterministic_given_seed(tiny):
    again = _load()
    np.testing.assert_array_equal(tiny.x, again.x)
    np.testing.assert_array_equal(tiny.labels, again.labels)
    np.testing.assert_array_equal(tiny.split, again.split)
    assert tiny.item_ids == again.item_ids


def test_different_seed_different_clips(tiny):
    other = _load(seed=1)
    assert other.x.shape == tiny.x.shape
    assert not np.array_equal(other.x, tiny.x)
    assert all(not np.array_equal(a, b) for a, b in zip(other.x, tiny.x, strict=True))


def test_class_balance(tiny):
    assert np.bincount(tiny.labels).tolist() == [TEST["n_per_class"]] * TEST["n_classes"]


@pytest.mark.parametrize("n_per_class", [3, 6, 20, 41])
def test_stratified_splits(n_per_class):
    data = _load(n_per_class=n_per_class, seconds=0.02)
    expected = split_counts(n_per_class, 0.15, 0.15)
    assert sum(expected) == n_per_class
    for c in range(data.n_classes):
        names = data.split[data.labels == c]
        counts = tuple(int((names == s).sum()) for s in SPLITS)
        assert counts == expected
        assert min(counts) >= 1  # every class in every split
    n_val = max(1, round(0.15 * n_per_class))
    if n_per_class >= 20:
        assert expected[1] == expected[2] == n_val


def test_split_fractions_follow_params():
    data = _load(n_per_class=20, seconds=0.02, val_fraction=0.25, test_fraction=0.1)
    per_class = [(data.split[data.labels == c] == s).sum() for c in range(data.n_classes) for s in SPLITS]
    assert per_class == [13, 5, 2] * data.n_classes


def test_splits_depend_on_seed():
    a, b = _load(n_per_class=20, seconds=0.02), _load(n_per_class=20, seconds=0.02, seed=3)
    assert not np.array_equal(a.split, b.split)


def test_clips_do_not_depend_on_n_per_class_or_n_classes(tiny):
    small = _load(n_per_class=3, n_classes=2)
    n = TEST["n_per_class"]
    for c in range(2):
        np.testing.assert_array_equal(small.x[c * 3 : c * 3 + 3], tiny.x[c * n : c * n + 3])
        assert small.item_ids[c * 3 : c * 3 + 3] == tiny.item_ids[c * n : c * n + 3]


def test_very_short_clips_still_valid():
    data = _load(seconds=0.001, n_classes=10, n_per_class=3)  # 8 samples
    assert data.x.shape == (30, 8)
    assert np.isfinite(data.x).all() and np.abs(data.x).max() <= 1.0


@pytest.mark.parametrize(
    "bad",
    [
        {"n_per_class": 2},
        {"n_classes": 1},
        {"n_classes": 11},
        {"seconds": 0},
        {"snr_db": (10.0, 0.0)},
        {"val_fraction": 0.5, "test_fraction": 0.5},
        {"overlap_prob": 1.5},
        {"seed": -1},
        {"n_per_clas": 10},
    ],
)
def test_invalid_params_rejected(bad):
    with pytest.raises(ValidationError):
        UrbanSynth.Params(**bad)


def test_every_param_documented():
    for name, field in UrbanSynth.Params.model_fields.items():
        assert field.description, name


def _log_band_spectrum(x: np.ndarray, n_fft: int = 256, hop: int = 128, n_bands: int = 32) -> np.ndarray:
    """Time-averaged power spectrum pooled into log-spaced bands, in dB: (N, T) -> (N, n_bands)."""
    starts = np.arange(0, x.shape[1] - n_fft + 1, hop)
    frames = x[:, starts[:, None] + np.arange(n_fft)] * np.hanning(n_fft)
    power = (np.abs(np.fft.rfft(frames, axis=-1)) ** 2).mean(axis=1)  # (N, bins)
    edges = np.unique(np.geomspace(2, power.shape[1], n_bands + 1).astype(int))
    bands = np.add.reduceat(power, edges[:-1], axis=1)
    return 10 * np.log10(bands + 1e-12)


def test_classes_learnable_but_not_trivial():
    """Leave-one-out nearest centroid on per-clip standardised, time-averaged log-band spectra:
    well above chance (1/10), but not perfect."""
    data = UrbanSynth.from_dict({"n_per_class": 16, "seconds": 0.5, "sample_rate": 8000}).load()
    z = _log_band_spectrum(data.x.astype(np.float64))
    z = (z - z.mean(axis=1, keepdims=True)) / z.std(axis=1, keepdims=True)
    y = data.labels
    C, n = data.n_classes, np.bincount(y)
    sums = np.stack([z[y == c].sum(axis=0) for c in range(C)])
    correct = 0
    for k in range(len(z)):
        centroids = sums / n[:, None]
        centroids[y[k]] = (sums[y[k]] - z[k]) / (n[y[k]] - 1)  # leave clip k out
        correct += int(np.argmin(((centroids - z[k]) ** 2).sum(axis=1)) == y[k])
    accuracy = correct / len(z)
    assert 2.0 / C < accuracy < 0.99, accuracy
