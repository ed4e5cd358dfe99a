"""Decoding image files into fixed-size float arrays (for datasets stored as image files).

``read_image(path, size, mode)``: open with Pillow, convert to ``mode`` ("RGB" or "L"), resize
to ``size`` x ``size`` (bilinear; the aspect ratio is not kept), scale to [0, 1]; float32
``(C, size, size)``. A file Pillow cannot decode (truncated, not an image, ...) raises
``UnreadableImage``; ``read_images`` collects those by name and never fills them in.

Every bit depth and mode is scaled, never clipped (``pixels``): 8-bit modes (``1``, ``L``, ``P``,
``RGB``, ``RGBA``, ``CMYK``, ...) through Pillow's own conversion, divided by 255; 16-bit gray
(``I;16*``, and ``I`` with values in 0..65535) divided by 65535; float gray (``F``) in [0, 1]
as is (in 0..255 or 0..65535: divided by that). Pillow itself reads 16-bit RGB as 8-bit RGB by
keeping the high byte, which is scaling too. Gray becomes RGB by repeating the channel.
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


HIGH_DEPTH_MODES = ("I;16", "I;16B", "I;16L", "I;16N", "I", "F")


def pixels(img, mode: Mode, width: int, height: int) -> np.ndarray:
    """An open Pillow image as float32 ``(height, width)`` (``L``) or ``(height, width, 3)`` (``RGB``)
    in [0, 1], resized bilinearly, whatever its bit depth (see the module docstring)."""
    from PIL import Image

    if img.mode not in HIGH_DEPTH_MODES:
        img = img.convert(mode).resize((width, height), Image.Resampling.BILINEAR)
        return np.asarray(img, dtype=np.float32) / 255.0
    values = np.asarray(img, dtype=np.float64)
    if not np.isfinite(values).all():
        raise UnreadableImage(f"{img.mode} image with non-finite pixel values")
    low, high = float(values.min(initial=0.0)), float(values.max(initial=0.0))
    full = 65535.0 if img.mode != "F" or high > 255 else (255.0 if high > 1 else 1.0)
    if low < 0 or high > full:
        raise UnreadableImage(f"{img.mode} pixel values {low:g}..{high:g} outside 0..{full:g}")
    gray = Image.fromarray((values / full).astype(np.float32), "F")
    arr = np.asarray(gray.resize((width, height), Image.Resampling.BILINEAR), dtype=np.float32)
    arr = np.clip(arr, 0.0, 1.0)  # bilinear weights sum to 1: only rounding leaves the range
    return arr if mode == "L" else np.repeat(arr[..., None], 3, axis=2)


def read_image(path: Path, size: int, mode: Mode) -> np.ndarray:
    """One file as float32 ``(C, size, size)`` in [0, 1] (see the module docstring)."""
    from PIL import Image

    try:
        with Image.open(path) as img:
            arr = pixels(img, mode, size, size)
    except UnreadableImage:
        raise
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
