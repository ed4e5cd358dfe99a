"""``digits``: scikit-learn's bundled handwritten digits - real data embedded in the package.

1797 grayscale 8x8 images of the digits 0-9 (``sklearn.datasets.load_digits``, shipped with
scikit-learn, nothing downloaded), scaled from 0..16 to [0, 1]: float32 ``(N, 1, 8, 8)``.
Classes ``'0'``..``'9'``. No official split: each class is split from ``seed``.
"""

from __future__ import annotations

import string
from typing import ClassVar

import numpy as np

from bench.data.base import BaseDataset, RawData
from bench.data.options import FractionSplitParams, SelectionParams
from bench.data.selection import assemble, select_items
from bench.data.splits import stratified_split

CLASS_NAMES = tuple(string.digits)


class DigitsParams(FractionSplitParams, SelectionParams):
    known_classes = CLASS_NAMES


class Digits(BaseDataset):
    """scikit-learn's bundled 8x8 handwritten digits (real data, no files needed)."""

    name = "digits"
    modality: ClassVar[str] = "image"
    Params = DigitsParams
    test_params = {"classes": ["0", "1", "7"], "max_per_class": 12}

    def load(self) -> RawData:
        from sklearn.datasets import load_digits

        p = self.params
        bunch = load_digits()
        images = (bunch.images / 16.0).astype(np.float32)[:, None]
        y = bunch.target.astype(np.int64)
        split = stratified_split(y, CLASS_NAMES, p.val_fraction, p.test_fraction, p.seed)
        idx, labels, names = select_items(self.name, y, split, CLASS_NAMES, p)
        ids = [f"{self.name}/{i:04d}" for i in idx]
        return assemble(self.name, images[idx], labels, split[idx], names, ids, [], "image")
