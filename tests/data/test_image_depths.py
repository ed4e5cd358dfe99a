"""Images of every bit depth and mode are scaled to [0, 1], never clipped: a 16-bit picture reads as
the same picture saved in 8 bits (to 8-bit precision), in the loader and in ``predict`` alike."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from bench.cell.predict import read_image as predict_read_image
from bench.data.image_io import read_image

SIZE = 16


def gradient16() -> np.ndarray:
    """A 32x32 uint16 ramp over the whole 16-bit range."""
    return np.linspace(0, 65535, 32 * 32).reshape(32, 32).astype(np.uint16)


def png_rgb16(path: Path, arr: np.ndarray) -> Path:
    """A 16-bit-per-channel RGB PNG (Pillow cannot write one)."""
    h, w, _ = arr.shape
    raw = b"".join(b"\x00" + arr[i].astype(">u2").tobytes() for i in range(h))

    def chunk(tag: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
        )

    header = chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, 2, 0, 0, 0))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + header + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    return path


@pytest.mark.parametrize("mode", ["L", "RGB"])
def test_a_16_bit_gray_png_reads_as_its_8_bit_copy(tmp_path, mode):
    wide = gradient16()
    Image.fromarray(wide).save(tmp_path / "g16.png")
    Image.fromarray((wide >> 8).astype(np.uint8)).save(tmp_path / "g8.png")
    assert Image.open(tmp_path / "g16.png").mode == "I;16"
    x16, x8 = read_image(tmp_path / "g16.png", SIZE, mode), read_image(tmp_path / "g8.png", SIZE, mode)
    assert x16.shape == x8.shape == ((1 if mode == "L" else 3), SIZE, SIZE)
    assert np.abs(x16 - x8).max() <= 2 / 255
    assert (x16 >= 0.999).mean() < 0.05  # not clipped white (was 99.6 % at 255)
    shape = (x16.shape[0], SIZE, SIZE)
    np.testing.assert_array_equal(predict_read_image(tmp_path / "g16.png", shape), x16)


def test_16_bit_rgb_float_and_8_bit_modes_are_scaled(tmp_path):
    wide = gradient16()
    rgb = np.stack([wide, wide // 2, 65535 - wide], axis=-1)
    x = read_image(png_rgb16(tmp_path / "rgb16.png", rgb), SIZE, "RGB")
    ref = Image.fromarray((rgb >> 8).astype(np.uint8), "RGB")
    ref.save(tmp_path / "rgb8.png")
    assert np.abs(x - read_image(tmp_path / "rgb8.png", SIZE, "RGB")).max() <= 2 / 255
    Image.fromarray(wide.astype(np.float32) / 65535, "F").save(tmp_path / "f.tiff")
    gray = read_image(tmp_path / "f.tiff", SIZE, "L")
    assert 0.0 <= gray.min() < 0.05 and 0.95 < gray.max() <= 1.0
    base = Image.fromarray((wide >> 8).astype(np.uint8))
    for mode in ("1", "LA", "P", "RGBA", "CMYK"):
        path = tmp_path / f"m{mode}.{'tiff' if mode == 'CMYK' else 'png'}"
        base.convert(mode).save(path)
        out = read_image(path, SIZE, "RGB")
        assert out.shape == (3, SIZE, SIZE) and out.min() >= 0.0 and out.max() <= 1.0 and out.max() > 0.5
