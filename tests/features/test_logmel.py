"""logmel: shape, dtype, determinism, agreement with librosa, and input checks."""

from __future__ import annotations

import librosa
import numpy as np
import pytest
from pydantic import ValidationError

from bench.core.registry import FEATURES
from bench.data.base import RawData
from bench.features.logmel import LogMel


def _audio(x: np.ndarray, sr: int) -> RawData:
    n = len(x)
    return RawData(
        x=np.asarray(x, dtype=np.float32),
        labels=np.zeros(n, dtype=np.int64),
        split=np.array(["train"] * n),
        class_names=("a",),
        modality="audio",
        sample_rate=sr,
    )


def _clips(n: int = 5, T: int = 2000, sr: int = 8000) -> RawData:
    rng = np.random.default_rng(0)
    t = np.arange(T) / sr
    freqs = rng.uniform(100, 3000, n)
    x = 0.5 * np.sin(2 * np.pi * freqs[:, None] * t) + 0.05 * rng.standard_normal((n, T))
    return _audio(x, sr)


def _sine(freq: float, sr: int = 16000, seconds: float = 1.0) -> np.ndarray:
    t = np.arange(int(sr * seconds)) / sr
    return 0.5 * np.sin(2 * np.pi * freq * t)


def test_registered():
    assert FEATURES.get("logmel") is LogMel


def test_shape_and_dtype():
    feature = LogMel.from_dict(LogMel.test_params)
    out = feature.transform(_clips())
    assert out.shape == (5, 1, 16, 1 + 2000 // 128)
    assert out.dtype == np.float32
    assert np.isfinite(out).all()


def test_deterministic():
    feature, data = LogMel.from_dict(LogMel.test_params), _clips()
    np.testing.assert_array_equal(feature.transform(data), feature.transform(data))


@pytest.mark.parametrize("attr, value", [("CHUNK", 3), ("CHUNK_BYTES", 1)])
def test_chunking_does_not_change_results(monkeypatch, attr, value):
    feature, data = LogMel.from_dict(LogMel.test_params), _clips(n=7)
    whole = feature.transform(data)
    monkeypatch.setattr(LogMel, attr, value)
    np.testing.assert_allclose(feature.transform(data), whole, rtol=0, atol=1e-5)


def test_normalized_per_clip():
    out = LogMel.from_dict(LogMel.test_params).transform(_clips())
    np.testing.assert_allclose(out.mean(axis=(1, 2, 3)), 0.0, atol=1e-4)
    np.testing.assert_allclose(out.std(axis=(1, 2, 3)), 1.0, atol=1e-3)


def test_db_scale_peaks_at_zero_and_floors_at_top_db():
    out = LogMel.from_dict({**LogMel.test_params, "normalize": False, "top_db": 50.0}).transform(_clips())
    np.testing.assert_allclose(out.max(axis=(1, 2, 3)), 0.0, atol=1e-5)
    assert out.min() >= -50.0 - 1e-4


@pytest.mark.parametrize("kind", ["sine", "noise", "chirp"])
def test_matches_librosa(kind):
    """Same numbers as librosa.feature.melspectrogram + power_to_db(ref=np.max, amin=1e-10, top_db=80)
    up to float32 rounding (observed max difference ~2e-4 dB)."""
    sr = 16000
    rng = np.random.default_rng(1)
    y = {
        "sine": _sine(1000.0, sr),
        "noise": 0.1 * rng.standard_normal(sr),
        "chirp": librosa.chirp(fmin=200, fmax=6000, sr=sr, duration=1.0) * 0.3,
    }[kind].astype(np.float32)
    ours = LogMel.from_dict({"normalize": False}).transform(_audio(y[None], sr))[0, 0]
    mel = librosa.feature.melspectrogram(y=y, sr=sr, n_fft=1024, hop_length=256, n_mels=64, center=True)
    ref = librosa.power_to_db(mel, ref=np.max, amin=1e-10, top_db=80.0)
    assert ours.shape == ref.shape
    np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-2)
    assert np.corrcoef(ours.ravel(), ref.ravel())[0, 1] > 0.9999


def test_sine_peaks_in_its_mel_band():
    sr, n_mels = 16000, 64
    out = LogMel.from_dict({"normalize": False}).transform(_audio(_sine(1000.0, sr)[None], sr))
    peak_band = int(out[0, 0].mean(axis=1).argmax())
    centres = librosa.mel_frequencies(n_mels=n_mels + 2, fmin=0.0, fmax=sr / 2)[1:-1]
    assert abs(peak_band - int(np.abs(centres - 1000.0).argmin())) <= 1
    assert centres[peak_band] == pytest.approx(1000.0, rel=0.1)


def test_silent_clip_is_finite():
    out = LogMel.from_dict(LogMel.test_params).transform(_audio(np.zeros((2, 2000)), 8000))
    assert np.isfinite(out).all()


def test_rejects_image_modality():
    images = RawData(
        x=np.zeros((2, 1, 8, 8), np.float32),
        labels=np.zeros(2, np.int64),
        split=np.array(["train", "test"]),
        class_names=("a",),
        modality="image",
    )
    with pytest.raises(ValueError, match="audio"):
        LogMel.from_dict(LogMel.test_params).transform(images)


def test_rejects_fmax_above_nyquist():
    with pytest.raises(ValueError, match="Nyquist"):
        LogMel.from_dict({**LogMel.test_params, "fmax": 6000.0}).transform(_clips(sr=8000))


@pytest.mark.parametrize(
    "bad", [{"n_fft": 8}, {"hop_length": 0}, {"fmin": 500.0, "fmax": 400.0}, {"nfft": 512}]
)
def test_invalid_params_rejected(bad):
    with pytest.raises(ValidationError):
        LogMel.Params(**bad)


def test_every_param_documented():
    for name, field in LogMel.Params.model_fields.items():
        assert field.description, name
