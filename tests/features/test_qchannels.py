"""``image-qchannels``: quantum descriptor channels appended to images, batched, exact, cached."""

from __future__ import annotations

import math

import numpy as np
import pennylane as qml
import pytest
from pydantic import ValidationError

from bench.cell.embeddings import features_for
from bench.data.base import RawData
from bench.features.qchannels import QuantumChannels, descriptor_circuit, entangler_edges
from bench.results.cache import Cache
from bench.spec.suite import PluginRef
from tests.imagekit import tiny_images  # noqa: F401  (fixture)


def _images(n: int = 5, c: int = 3, h: int = 8, w: int = 8, seed: int = 0) -> RawData:
    x = np.random.default_rng(seed).random((n, c, h, w)).astype(np.float32)
    return RawData(
        x=x,
        labels=np.zeros(n, dtype=np.int64),
        split=np.array(["train"] * n),
        class_names=("a",),
        modality="image",
    )


def _feature(**params) -> QuantumChannels:
    return QuantumChannels.from_dict({"grid": 2, "qubits": 2, **params})


def test_entangler_edges():
    assert entangler_edges("ring", 4) == [(0, 1), (1, 2), (2, 3), (3, 0)]
    assert entangler_edges("star", 4) == [(0, 1), (0, 2), (0, 3)]
    assert entangler_edges("ring", 2) == entangler_edges("star", 2) == [(0, 1)]
    assert entangler_edges("ring", 1) == []


def test_appends_one_channel_per_entangler_after_the_image():
    data = _images()
    out = _feature(grid=4, qubits=4).transform(data)
    assert out.shape == (5, 3 + 2, 8, 8) and out.dtype == np.float32
    np.testing.assert_array_equal(out[:, :3], data.x)
    assert np.abs(out[:, 3:]).max() <= 1.0 + 1e-6
    assert not np.allclose(out[:, 3], out[:, 4])  # ring and star give different descriptors


def test_descriptors_match_a_per_window_reference_circuit():
    data = _images(n=3)
    feature = _feature(grid=4, qubits=4, reps=2)
    maps = feature.descriptors(data.x)  # (N, 2, 4, 4)
    windows = math.pi * feature.downsampled(data.x).reshape(3, 4, 4)  # image, window (grid row), qubit
    device = qml.device("default.qubit", wires=4)
    for e, kind in enumerate(("ring", "star")):
        qnode = qml.QNode(lambda x, k=kind: descriptor_circuit(x, entangler_edges(k, 4), 4, 2), device)
        for i in (0, 2):
            for row in (1, 3):
                expected = np.array(qnode(windows[i, row]), dtype=np.float64)
                np.testing.assert_allclose(maps[i, e, row], expected, atol=1e-12)


def test_downsampled_vector_is_the_grayscale_block_mean():
    data = _images(n=2, h=4, w=4)
    down = _feature(grid=2, qubits=2).downsampled(data.x)
    gray = data.x.mean(axis=1)
    np.testing.assert_allclose(down[1, 3], gray[1, 2:, 2:].mean(), atol=1e-6)


def test_batched_one_broadcast_call_per_entangler_and_chunk(monkeypatch):
    monkeypatch.setattr(QuantumChannels, "CHUNK", 8)
    feature = _feature(grid=4, qubits=2)  # 8 windows per image
    feature.transform(_images(n=5))  # 40 windows -> 5 chunks of 8, per entangler
    assert feature.circuit_calls == 2 * 5


def test_deterministic_and_upsampled_to_the_base_size():
    data = _images(n=2, h=6, w=6)
    a, b = _feature(upsample="bilinear").transform(data), _feature(upsample="bilinear").transform(data)
    np.testing.assert_array_equal(a, b)
    nearest = _feature().transform(data)
    assert nearest.shape == a.shape == (2, 5, 6, 6)
    assert len(np.unique(nearest[0, 3])) <= 4  # 2x2 grid, nearest: at most 4 distinct values


@pytest.mark.usefixtures("tiny_images")
def test_base_feature_is_applied_first():
    data = _images(n=2)
    out = _feature(base={"name": "tiny-pixels"}).transform(data)
    np.testing.assert_array_equal(out[:, :3], data.x)
    assert QuantumChannels.Params(base={"name": "tiny-pixels"}).base == {"name": "tiny-pixels", "params": {}}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"grid": 3, "qubits": 2}, "grid\\*\\*2 \\(9\\) must be a multiple of qubits \\(2\\)"),
        ({"base": {"name": "imgae"}}, "unknown feature 'imgae'"),
        ({"base": {"name": "image-qchannels"}}, "base cannot be image-qchannels itself"),
        ({"base": {"nam": "logmel"}}, "base must be \\{name, params\\}"),
        ({"entanglers": ["mesh"]}, "Input should be 'ring' or 'star'"),
    ],
)
def test_bad_params_are_rejected(params, message):
    with pytest.raises(ValidationError, match=message):
        QuantumChannels.Params(**params)


def test_audio_input_is_rejected():
    audio = RawData(
        x=np.zeros((2, 100), np.float32),
        labels=np.zeros(2, np.int64),
        split=np.array(["train"] * 2),
        class_names=("a",),
        modality="audio",
        sample_rate=8000,
    )
    with pytest.raises(ValueError, match="needs images of shape"):
        _feature().transform(audio)


@pytest.mark.usefixtures("tiny_images")
def test_computed_once_then_cached_by_the_features_stage(tmp_path, monkeypatch):
    dataset = PluginRef(name="tiny-shapes", params={"n_per_class": 4}, label="tiny-shapes")
    features = PluginRef(
        name="image-qchannels", params=QuantumChannels.Params(grid=2, qubits=2).model_dump(mode="json")
    )
    cache = Cache(tmp_path)
    first, hit1 = features_for(dataset, features, cache)
    calls = []
    monkeypatch.setattr(QuantumChannels, "descriptors", lambda self, x: calls.append(1))
    second, hit2 = features_for(dataset, features, cache)
    assert (hit1, hit2) == (False, True) and not calls
    assert first["x"].shape == (12, 5, 8, 8) and first["input"]["feature_shape"] == (5, 8, 8)
    np.testing.assert_array_equal(first["x"], second["x"])
