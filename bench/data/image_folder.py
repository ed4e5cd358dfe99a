"""``image-folder``: images stored as one folder per class (torchvision ``ImageFolder`` layout).

Layout: ``<root>/<class>/*.png|jpg|jpeg|bmp|...`` (torchvision's ``IMG_EXTENSIONS``); classes are
the sub-folders in sorted order, as ``torchvision.datasets.ImageFolder`` finds them. Every image
is converted to ``mode`` and resized to ``image_size`` x ``image_size``. Splits: stratified per
class from ``seed``. Files Pillow cannot decode are reported in ``skipped``.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Literal

import numpy as np
from pydantic import Field

from bench.data.base import RawData
from bench.data.image_io import read_images
from bench.data.local import LocalDataset
from bench.data.options import DataParams, FractionSplitParams
from bench.data.selection import assemble, select_items
from bench.data.splits import DatasetError, stratified_split


class ImageFolderParams(FractionSplitParams, DataParams):
    image_size: int = Field(64, ge=4, le=1024, description="Images are resized to this many pixels square.")
    mode: Literal["RGB", "L"] = Field("RGB", description="Colour mode: 'RGB' (3 channels) or 'L' (gray).")


class ImageFolder(LocalDataset):
    """Images in one folder per class (torchvision ImageFolder layout); stratified splits from the seed."""

    name = "image-folder"
    modality: ClassVar[str] = "image"
    Params = ImageFolderParams
    layout = "<root>/<class>/*.png|jpg|... (one folder per class)"
    required = (".",)
    test_params = {"image_size": 8}

    def load(self) -> RawData:
        from torchvision.datasets import ImageFolder as TorchvisionImageFolder

        p, root = self.params, self.require_root()
        try:
            found = TorchvisionImageFolder(str(root))
        except (FileNotFoundError, OSError) as exc:
            raise DatasetError(f"{self.name}: {root}: {' '.join(str(exc).split())}") from None
        paths = [Path(path) for path, _ in found.samples]
        y = np.array([label for _, label in found.samples], dtype=np.int64)
        names = tuple(found.classes)
        split = stratified_split(y, names, p.val_fraction, p.test_fraction, p.seed)
        idx, labels, names = select_items(self.name, y, split, names, p)
        ids = [paths[i].relative_to(root).as_posix() for i in idx]
        x, ok, unreadable = read_images([paths[i] for i in idx], ids, p.image_size, p.mode)
        return assemble(
            self.name,
            x,
            labels[ok],
            split[idx][ok],
            names,
            [i for i, good in zip(ids, ok, strict=True) if good],
            unreadable,
            "image",
        )
