"""The ``urban-synth`` plugin: its options, the per-class split and ``load``."""

from __future__ import annotations

import numpy as np
from pydantic import Field, model_validator

from bench.core.plugin import Params
from bench.data.base import SPLITS, BaseDataset, RawData
from bench.data.urban_synth.clip import make_clip
from bench.data.urbansound8k import CLASS_NAMES  # the synthetic clips mimic UrbanSound8K's classes

_SPLIT_TAG = 0x5B


class UrbanSynthParams(Params):
    seed: int = Field(0, ge=0, description="Seed of the whole dataset: clips and splits are drawn from it.")
    n_per_class: int = Field(120, ge=3, description="Clips per class (at least 3: one per split).")
    seconds: float = Field(1.0, gt=0, le=60, description="Clip length in seconds.")
    sample_rate: int = Field(16000, ge=8000, le=96000, description="Sample rate in Hz.")
    n_classes: int = Field(
        10, ge=2, le=10, description="Number of classes: the first n of UrbanSound8K's ten, in its order."
    )
    val_fraction: float = Field(
        0.15, gt=0, lt=1, description="Share of each class in the validation split (at least one clip)."
    )
    test_fraction: float = Field(
        0.15, gt=0, lt=1, description="Share of each class in the test split (at least one clip)."
    )
    snr_db: tuple[float, float] = Field(
        (0.0, 20.0),
        description="Range (low, high) of the per-clip event-to-background SNR in dB, drawn uniformly.",
    )
    overlap_prob: float = Field(
        0.3,
        ge=0,
        le=1,
        description="Probability that a clip also holds a quieter event (3-12 dB down) of another class.",
    )

    @model_validator(mode="after")
    def _check(self) -> UrbanSynthParams:
        if self.snr_db[0] > self.snr_db[1]:
            raise ValueError(f"snr_db must be (low, high) with low <= high, got {self.snr_db}")
        if self.val_fraction + self.test_fraction >= 1:
            raise ValueError("val_fraction + test_fraction must be < 1 (the train split needs clips)")
        if round(self.seconds * self.sample_rate) < 1:
            raise ValueError("seconds * sample_rate must be at least one sample")
        return self


def split_counts(n: int, val_fraction: float, test_fraction: float) -> tuple[int, int, int]:
    """(train, val, test) sizes for one class of ``n``: each at least one, val/test rounded."""
    n_val = max(1, round(val_fraction * n))
    n_test = max(1, round(test_fraction * n))
    while n_val + n_test > n - 1:  # leave at least one training clip
        if n_val >= n_test:
            n_val -= 1
        else:
            n_test -= 1
    return n - n_val - n_test, n_val, n_test


class UrbanSynth(BaseDataset):
    """Synthetic UrbanSound8K-like clips (see the module docstring for the generator)."""

    name = "urban-synth"
    modality = "audio"
    Params = UrbanSynthParams
    test_params = {"n_per_class": 6, "seconds": 0.25, "sample_rate": 8000, "n_classes": 4}

    def estimated_bytes(self) -> int:
        """The float32 waveforms: ``n_classes * n_per_class * seconds * sample_rate * 4`` bytes."""
        p = self.params
        return p.n_classes * p.n_per_class * round(p.seconds * p.sample_rate) * 4

    def load(self) -> RawData:
        p = self.params
        T = round(p.seconds * p.sample_rate)
        n, C = p.n_per_class, p.n_classes
        x = np.empty((C * n, T), dtype=np.float32)
        split = np.empty(C * n, dtype="<U5")
        counts = split_counts(n, p.val_fraction, p.test_fraction)
        names = np.repeat(np.array(SPLITS), counts)
        ids = []
        for c in range(C):
            for i in range(n):
                x[c * n + i] = make_clip(p.seed, c, i, T, p.sample_rate, p.snr_db, p.overlap_prob)
                ids.append(f"{self.name}/{CLASS_NAMES[c]}/{i:04d}")
            order = np.random.default_rng([p.seed, _SPLIT_TAG, c]).permutation(n)
            split[c * n + order] = names
        return RawData(
            x=x,
            labels=np.repeat(np.arange(C, dtype=np.int64), n),
            split=split,
            class_names=CLASS_NAMES[:C],
            modality="audio",
            sample_rate=p.sample_rate,
            item_ids=tuple(ids),
        )
