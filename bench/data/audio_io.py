"""Decoding audio files into fixed-length mono clips: read, mix to mono, resample, pad/crop.

``read_clip(path, sample_rate, n_samples, crop)`` per file:

1. read with ``soundfile`` (libsndfile: wav, flac, ogg, aiff, au, and mp3 from libsndfile 1.1),
   as float32, only the frames the kept window needs (so a 4 s crop of a 30 s file reads ~4 s);
2. average the channels (mono);
3. resample to ``sample_rate`` when the file's rate differs, with ``soxr.resample(quality="HQ")``:
   the resampler ``librosa.resample(res_type="soxr_hq")`` calls, used directly because importing
   librosa's numba-compiled core costs seconds per process;
4. crop or zero-pad to exactly ``n_samples`` (``crop="start"``: keep the beginning, pad at the
   end; ``"center"``: keep the middle, pad both sides).

A file that cannot be read, holds no frames, or holds non-finite samples (NaN, ±inf) or absurd
ones (``|x| > MAX_ABS_SAMPLE``: a float file of garbage, whose spectrogram would overflow) raises
``UnreadableAudio``; ``read_clips`` collects those by name and never fills them with zeros.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Literal

import numpy as np

Crop = Literal["start", "center"]
AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg", ".mp3", ".aiff", ".aif", ".au")
MAX_ABS_SAMPLE = 1e6  # float files hold samples near [-1, 1] (integer PCM is read scaled into it)


def audio_files_in(folder: Path) -> list[Path]:
    """The audio files directly in ``folder`` (by extension, any case), sorted; dot-files are ignored."""
    return sorted(f for f in folder.iterdir() if f.suffix.lower() in AUDIO_EXTENSIONS and f.name[0] != ".")


class UnreadableAudio(Exception):
    """One file could not be decoded into a clip."""


def fit_length(x: np.ndarray, n: int, crop: Crop) -> np.ndarray:
    """``x`` cropped or zero-padded to exactly ``n`` samples (float32)."""
    x = np.asarray(x, dtype=np.float32)
    if len(x) >= n:
        start = (len(x) - n) // 2 if crop == "center" else 0
        return x[start : start + n].copy()
    before = (n - len(x)) // 2 if crop == "center" else 0
    return np.pad(x, (before, n - len(x) - before))


def _window(frames: int, need: int, crop: Crop) -> tuple[int, int]:
    """(first frame, frame count) of the part of a ``frames``-long file a clip needs."""
    if frames <= need:
        return 0, frames
    return ((frames - need) // 2 if crop == "center" else 0), need


def read_clip(path: Path, sample_rate: int, n_samples: int, crop: Crop) -> np.ndarray:
    """One file as a float32 ``(n_samples,)`` mono clip at ``sample_rate`` (see module docstring)."""
    import soundfile as sf

    if not path.is_file():
        raise UnreadableAudio("file not found")
    try:
        with sf.SoundFile(str(path)) as f:
            native = f.samplerate
            need = math.ceil(n_samples * native / sample_rate)
            start, count = _window(f.frames, need, crop)
            if start:
                f.seek(start)
            data = f.read(count, dtype="float32", always_2d=True)
    except Exception as exc:  # libsndfile, cffi and OS errors: all mean "this file cannot be read"
        raise UnreadableAudio(" ".join(str(exc).split()) or type(exc).__name__) from None
    if data.shape[0] == 0:
        raise UnreadableAudio("no audio frames")
    if not np.isfinite(data).all():
        bad = "NaN" if np.isnan(data).any() else "infinite"
        raise UnreadableAudio(f"non-finite samples ({bad}): not audio")
    peak = float(np.abs(data).max())
    if peak > MAX_ABS_SAMPLE:
        raise UnreadableAudio(
            f"samples up to {peak:.3g} in absolute value (more than {MAX_ABS_SAMPLE:g}): not audio"
        )
    mono = data.mean(axis=1)
    if native != sample_rate:
        import soxr

        mono = soxr.resample(mono, native, sample_rate, quality="HQ")
    return fit_length(mono, n_samples, crop)


def _read_into(out: np.ndarray, i: int, args: tuple[Path, int, int, Crop]) -> str | None:
    """Decode one file into row ``i`` of ``out``; the reason when it is unreadable."""
    try:
        out[i] = read_clip(*args)
    except UnreadableAudio as exc:
        return str(exc)
    return None


def read_clips(
    paths: Sequence[Path], names: Sequence[str], sample_rate: int, n_samples: int, crop: Crop
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Decode every path; returns ``(x, ok, skipped)``: ``x`` is float32 ``(ok.sum(), n_samples)``
    holding the readable clips in input order, ``ok`` marks which paths those are, and ``skipped``
    has ``"<name>: <reason>"`` for each unreadable one. Files are decoded by a small thread pool;
    the result does not depend on it (each clip is a function of its file only).

    Memory: each clip is decoded straight into its row of one array allocated up front, so loading
    peaks at the waveform bytes plus a clip per thread; readable rows are then moved up over the
    unreadable ones in place (``x`` is a view of that array)."""
    x = np.empty((len(paths), n_samples), dtype=np.float32)
    jobs = [(Path(p), sample_rate, n_samples, crop) for p in paths]
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        reasons = list(pool.map(_read_into, [x] * len(jobs), range(len(jobs)), jobs))
    ok = np.array([r is None for r in reasons], dtype=bool)
    row, skipped = 0, []
    for i, (name, reason) in enumerate(zip(names, reasons, strict=True)):
        if reason is not None:
            skipped.append(f"{name}: {reason}")
            continue
        if row != i:
            x[row] = x[i]
        row += 1
    return x[:row], ok, skipped
