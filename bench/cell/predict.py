"""``python -m bench predict``: run a trained cell on a user's own wav or image file.

The file is prepared the way the cell's dataset prepared its examples, from the geometry the
checkpoint recorded (``input``):

* audio (``.wav``, ``.flac``, ``.ogg``, ``.mp3``; anything soundfile reads): mixed to mono
  (mean of the channels), resampled to the dataset's rate (``scipy.signal.resample_poly``),
  cropped to the dataset's clip length from the start or zero-padded at the end;
* images (anything Pillow reads, any bit depth: ``bench.data.image_io.pixels``): converted to
  the dataset's channel count (L for 1, RGB for 3), resized to its height x width (bilinear),
  scaled to [0, 1] (16-bit by 65535, never clipped), as the dataset's loader does.

Then the suite's feature plugin with the statistics it learned from the dataset's training split
(saved in the checkpoint's ``input.fitted``; a checkpoint exported before they were saved has them
recomputed from the dataset, which must then be readable), the cell's backbone, compression and
head, and a softmax.
A file that cannot be read is a ``UserError`` naming it (never replaced by silence).
"""

from __future__ import annotations

import difflib
from math import gcd
from pathlib import Path

import numpy as np
import torch

from bench.cell.checkpoint import LoadedCell
from bench.core.errors import UserError
from bench.core.registry import DATASETS, FEATURES, SIMULATORS
from bench.data.base import RawData
from bench.features.base import BaseFeature
from bench.plan.grid import Cell, expand
from bench.spec.suite import Suite


def find_cell(suite: Suite, key: str) -> Cell:
    """The cell whose key is ``key``, or whose key without its ``#hash`` is ``key``, or the only
    one that starts with ``key``; otherwise ``UserError`` with the closest keys."""
    cells = expand(suite)
    for match in (
        lambda c: c.key == key,
        lambda c: c.key.split("#")[0] == key,
        lambda c: c.key.startswith(key),
    ):
        found = [c for c in cells if match(c)]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            listed = ", ".join(c.key.split("#")[0] for c in found[:5])
            raise UserError(
                f"--cell: '{key}' matches {len(found)} cells of suite '{suite.name}' ({listed}, ...)"
            )
    names = [c.key.split("#")[0] for c in cells]
    close = difflib.get_close_matches(key.split("#")[0], names, n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(repr(n) for n in close)}?" if close else ""
    raise UserError(f"--cell: no cell '{key}' in suite '{suite.name}'{hint} (see `python -m bench plan`)")


def choose_simulator(loaded_meta: dict, requested: str | None) -> tuple[str, str]:
    """``(simulator, note)``: the requested one, else the cell's backend if it runs here, else
    ``default.qubit`` (an exact simulator computes the same function) with a note saying so."""
    if requested:
        if requested not in SIMULATORS:
            raise UserError(
                f"--backend: unknown backend '{requested}' (allowed: {', '.join(SIMULATORS.names())})"
            )
        return requested, ""
    own = loaded_meta["head"]["backend"] or "default.qubit"
    reason = SIMULATORS.get(own).probe()
    if reason:
        return "default.qubit", f"{own} unavailable here ({reason}); using default.qubit"
    return own, ""


def read_audio(path: Path, sample_rate: int, n_samples: int) -> np.ndarray:
    """Mono float32 ``(n_samples,)`` at ``sample_rate`` (see the module docstring)."""
    import soundfile
    from scipy.signal import resample_poly

    try:
        data, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    except Exception as exc:
        raise UserError(
            f"{path}: cannot read audio ({type(exc).__name__}: {str(exc).strip()[:160]})"
        ) from None
    if data.size == 0:
        raise UserError(f"{path}: the audio file holds no samples")
    mono = data.mean(axis=1)
    if rate != sample_rate:
        g = gcd(int(rate), int(sample_rate))
        mono = resample_poly(mono, sample_rate // g, rate // g).astype(np.float32)
    out = np.zeros(n_samples, dtype=np.float32)
    out[: min(n_samples, len(mono))] = mono[:n_samples]
    return out


def read_image(path: Path, shape: tuple[int, int, int]) -> np.ndarray:
    """Float32 ``(C, H, W)`` in [0, 1] matching ``shape`` (see the module docstring)."""
    from PIL import Image

    from bench.data.image_io import UnreadableImage, pixels

    channels, height, width = shape
    if channels not in (1, 3):
        raise UserError(
            f"{path}: the dataset's images have {channels} channels; only 1 or 3 can be read from a file"
        )
    try:
        with Image.open(path) as img:
            arr = pixels(img, "L" if channels == 1 else "RGB", width, height)  # any bit depth, scaled
    except Exception as exc:
        kind = "" if isinstance(exc, UnreadableImage) else f"{type(exc).__name__}: "
        raise UserError(f"{path}: cannot read image ({kind}{str(exc).strip()[:160]})") from None
    return arr[None] if channels == 1 else arr.transpose(2, 0, 1).copy()


def check_input_file(path: Path) -> None:
    """``UserError`` unless ``path`` is a regular file: a folder, a missing path and anything else
    (a FIFO, a device) are each said as what they are."""
    if path.is_dir():
        raise UserError(f"{path}: is a folder, not a file (give one audio or image file)")
    if not path.exists():
        raise UserError(f"{path}: file not found")
    if not path.is_file():
        raise UserError(f"{path}: is not a regular file (a FIFO or a device); give one audio or image file")


def prepare(path: Path, loaded: LoadedCell) -> np.ndarray:
    """The ``(1, ...)`` backbone input for one file, through the suite's feature plugin."""
    check_input_file(path)
    geometry = loaded.meta["input"]
    modality, raw_shape = geometry["modality"], tuple(geometry["raw_shape"])
    if modality == "audio":
        x = read_audio(path, geometry["sample_rate"], raw_shape[-1])[None]
    else:
        x = read_image(path, raw_shape)[None]
    raw = RawData(
        x=x,
        labels=np.zeros(1, dtype=np.int64),
        split=np.array(["test"]),
        class_names=tuple(loaded.class_names),
        modality=modality,
        sample_rate=int(geometry["sample_rate"]),
        item_ids=(path.name,),
    )
    features = loaded.meta["features"]
    plugin = FEATURES.get(features["name"]).from_dict(features["params"])
    return plugin.transform(raw, fitted_statistics(plugin, loaded)).astype(np.float32)


def fitted_statistics(plugin: BaseFeature, loaded: LoadedCell) -> dict[str, list[float]]:
    """The feature statistics of the cell's training split: the checkpoint's, else recomputed
    from the dataset (``{}`` without loading anything for a feature that learns none)."""
    saved = loaded.meta["input"].get("fitted")
    if saved is not None or not plugin.fits:
        return saved or {}
    dataset = loaded.meta["dataset"]
    return plugin.fit(DATASETS.get(dataset["name"]).from_dict(dataset["params"]).load())


def predict_file(loaded: LoadedCell, path: Path) -> np.ndarray:
    """Class probabilities ``(n_classes,)`` of the cell's model on one file."""
    x = torch.from_numpy(prepare(Path(path), loaded))
    loaded.model.eval()
    with torch.no_grad():
        return torch.softmax(loaded.model(x), dim=1)[0].numpy()
