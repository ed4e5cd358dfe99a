"""``logmel``: log-mel spectrograms of audio, computed batch-wise with ``torch.stft``.

Per clip: STFT (``center=True``, zero padding as in librosa >= 0.10, periodic Hann window of
``n_fft`` samples, hop ``hop_length``), power spectrum ``|X|**2``, times librosa's mel
filterbank (``librosa.filters.mel``, Slaney-style, area-normalised, cast to float32), then
decibels exactly as ``librosa.power_to_db(S, ref=np.max, amin=1e-10, top_db=top_db)`` per
clip: ``10*log10(max(S, 1e-10))`` minus the clip's maximum (so every clip peaks at 0 dB,
which makes the features independent of the clip's gain), floored at ``-top_db``. Finally,
with ``normalize``, each clip's map is standardised to zero mean and unit variance.

Clips are processed in batches (at most ``CHUNK`` clips and ``CHUNK_BYTES`` of spectrogram
per batch, so memory stays bounded), never one Python call per clip.
Output: float32 ``(N, 1, n_mels, 1 + T // hop_length)``. Deterministic: no randomness, and
the same inputs on the same machine give bit-identical outputs.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from pydantic import Field, model_validator

from bench.core.plugin import Params
from bench.data.base import RawData
from bench.features.base import BaseFeature

AMIN = 1e-10
"""Power floor before the logarithm (librosa's ``amin``)."""


class LogMelParams(Params):
    n_fft: int = Field(1024, ge=16, description="FFT size and Hann window length in samples.")
    hop_length: int = Field(256, ge=1, description="Samples between successive frames.")
    n_mels: int = Field(64, ge=1, description="Number of mel bands.")
    fmin: float = Field(0.0, ge=0, description="Lowest frequency of the mel filterbank in Hz.")
    fmax: float | None = Field(
        None, gt=0, description="Highest frequency of the mel filterbank in Hz; None means sample_rate / 2."
    )
    top_db: float | None = Field(
        80.0,
        gt=0,
        description="Dynamic range kept below each clip's maximum, in dB (lower values are raised to "
        "max - top_db); None keeps everything down to the 1e-10 power floor.",
    )
    normalize: bool = Field(
        True, description="Standardise each clip's log-mel map to zero mean and unit variance."
    )

    @model_validator(mode="after")
    def _check(self) -> LogMelParams:
        if self.fmax is not None and self.fmax <= self.fmin:
            raise ValueError(f"fmax ({self.fmax}) must be greater than fmin ({self.fmin})")
        return self


class LogMel(BaseFeature):
    """Log-mel spectrogram feature (see the module docstring for the exact recipe)."""

    name = "logmel"
    modality = "audio"
    Params = LogMelParams
    test_params = {"n_fft": 256, "hop_length": 128, "n_mels": 16}

    CHUNK: ClassVar[int] = 256
    """Most clips per STFT batch."""
    CHUNK_BYTES: ClassVar[int] = 128 * 2**20
    """Batches are also cut so that one batch's complex spectrogram stays under this size."""

    def n_frames(self, n_samples: int) -> int:
        """Frames produced for a clip of ``n_samples`` (``center=True``)."""
        return 1 + n_samples // self.params.hop_length

    def filterbank(self, sample_rate: int) -> np.ndarray:
        """The ``(n_mels, 1 + n_fft // 2)`` float32 mel filterbank used for ``sample_rate``."""
        import librosa

        p = self.params
        fmax = p.fmax if p.fmax is not None else sample_rate / 2.0
        if fmax > sample_rate / 2.0:
            raise ValueError(
                f"logmel: fmax={fmax} Hz is above the Nyquist frequency ({sample_rate / 2.0} Hz)"
            )
        if p.fmin >= fmax:
            raise ValueError(f"logmel: fmin={p.fmin} Hz must be below fmax={fmax} Hz")
        fb = librosa.filters.mel(sr=sample_rate, n_fft=p.n_fft, n_mels=p.n_mels, fmin=p.fmin, fmax=fmax)
        return fb.astype(np.float32)

    def transform(self, data: RawData, fitted: dict[str, list[float]] | None = None) -> np.ndarray:
        """Log-mel spectrograms; ``fitted`` is unused (nothing is learned from the data)."""
        import torch

        if data.modality != "audio":
            raise ValueError(
                f"logmel needs audio data (modality 'audio'), got modality {data.modality!r}; "
                "use an image feature for image datasets"
            )
        x = np.asarray(data.x)
        if x.ndim != 2:
            raise ValueError(f"logmel expects waveforms of shape (N, T), got shape {x.shape}")
        if data.sample_rate <= 0:
            raise ValueError(f"logmel needs a positive sample_rate, got {data.sample_rate}")
        p = self.params
        N, T = x.shape
        fb = torch.from_numpy(self.filterbank(data.sample_rate))
        window = torch.hann_window(p.n_fft, periodic=True, dtype=torch.float32)
        frames = self.n_frames(T)
        out = np.empty((N, 1, p.n_mels, frames), dtype=np.float32)
        step = max(1, min(self.CHUNK, self.CHUNK_BYTES // (8 * (p.n_fft // 2 + 1) * frames)))
        with torch.no_grad():
            for start in range(0, N, step):
                chunk = torch.from_numpy(np.ascontiguousarray(x[start : start + step], dtype=np.float32))
                spec = torch.stft(
                    chunk,
                    n_fft=p.n_fft,
                    hop_length=p.hop_length,
                    win_length=p.n_fft,
                    window=window,
                    center=True,
                    pad_mode="constant",
                    return_complex=True,
                )
                power = spec.real.square_() + spec.imag.square_()  # (B, 1 + n_fft // 2, frames)
                mel = torch.matmul(fb, power)  # (B, n_mels, frames)
                db = mel.clamp_(min=AMIN).log10_().mul_(10.0)
                db -= db.amax(dim=(1, 2), keepdim=True)  # ref = the clip's maximum
                if p.top_db is not None:
                    db.clamp_(min=-p.top_db)
                if p.normalize:
                    mean = db.mean(dim=(1, 2), keepdim=True)
                    std = db.std(dim=(1, 2), keepdim=True, correction=0)
                    db = (db - mean) / (std + 1e-6)
                out[start : start + chunk.shape[0], 0] = db.numpy()
        return out
