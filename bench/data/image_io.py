"""Decoding image files into fixed-size float arrays (for datasets stored as image files).

``read_image(path, size, mode)``: open with Pillow, convert to ``mode`` ("RGB" or "L"), resize
to ``size`` x ``size`` (bilinear; the aspect ratio is not kept), scale to [0, 1]; float32
``(C, size, size)``. A file Pillow cannot decode (truncated, not an image, ...) raises
``UnreadableImage``; ``read_images`` collects those by name and never fills them in.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Literal

import numpy as np

Mode = Literal["RGB", "L"]


class UnreadableImage(Exception):
    """One file could not be decoded into an image."""


def read_image(path: Path, size: int, mode: Mode) -> np.ndarray:
    """One file as float32 ``(C, size, size)`` in [0, 1] (see the module docstring)."""
    from PIL import Image

    try:
        with Image.open(path) as img:
            img = img.convert(mode).resize((size, size), Image.Resampling.BILINEAR)
            arr = np.asarray(img, dtype=np.float32) / 255.0
    except Exception as exc:  # Pillow raises OSError, ValueError, SyntaxError, DecompressionBombError...
        raise UnreadableImage(" ".join(str(exc).split()) or type(exc).__name__) from None
    return arr[None] if arr.ndim == 2 else np.ascontiguousarray(arr.transpose(2, 0, 1))


def _read_or_reason(args: tuple[Path, int, Mode]) -> np.ndarray | str:
    try:
        return read_image(*args)
    except UnreadableImage as exc:
        return str(exc)


def read_images(
    paths: Sequence[Path], names: Sequence[str], size: int, mode: Mode
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Decode every path: ``(x, ok, skipped)`` as in ``bench.data.audio_io.read_clips``, with ``x``
    float32 ``(ok.sum(), C, size, size)``."""
    channels = 3 if mode == "RGB" else 1
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        results = list(pool.map(_read_or_reason, [(Path(p), size, mode) for p in paths]))
    ok = np.array([not isinstance(r, str) for r in results], dtype=bool)
    x = np.empty((int(ok.sum()), channels, size, size), dtype=np.float32)
    row, skipped = 0, []
    for name, result in zip(names, results, strict=True):
        if isinstance(result, str):
            skipped.append(f"{name}: {result}")
        else:
            x[row] = result
            row += 1
    return x, ok, skipped
