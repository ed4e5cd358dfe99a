"""Dataset sizes and backbone input shapes for the cost model, known without the data.

Each dataset plugin carries its official facts (``BaseDataset.facts``: item counts per class and
the official training split, cited where set); ``input_shape`` derives one example's ``(C, H, W)`` from the
suite's dataset and features params the way the features compute it (log-mel: ``n_mels`` x
``1 + samples // hop_length`` frames, ``center=True``; images: the dataset's size, or
``features.params.size``; quantum channels add one channel per entangler). ``split_items``
gives the training, validation and total items of one cell's split. ``None``: not known here
(e.g. ``audio-folder``, whose size is whatever folder the user points at).
"""

from __future__ import annotations

from dataclasses import dataclass

from bench.core.registry import DATASETS
from bench.data.base import DatasetFacts
from bench.plan.grid import Cell


@dataclass(frozen=True)
class SplitItems:
    """Items one cell trains on, validates on, and embeds (the whole dataset)."""

    train: int
    val: int
    total: int


def dataset_facts(name: str) -> DatasetFacts | None:
    """The registered dataset plugin's official size facts (``BaseDataset.facts``), or ``None``."""
    return DATASETS.get(name).facts if name in DATASETS else None


def dataset_items(cell: Cell) -> int | None:
    """Items of the cell's dataset entry (a ``classes`` selection counts its classes only)."""
    facts = dataset_facts(cell.dataset.name)
    if facts is None:
        return None
    classes = cell.dataset.params.get("classes")
    if classes and facts.per_class:
        return facts.per_class * len(classes)
    return facts.items


def split_items(cell: Cell) -> SplitItems | None:
    """Train/validation/total items of the cell: K folds train K-2 and validate 1; an official
    split trains on its training part (validation drawn from it); else 80/10 of the items."""
    total = dataset_items(cell)
    if total is None:
        return None
    if cell.fold is not None:
        k = cell.fold.folding.count
        return SplitItems(total * (k - 2) // k, total // k, total)
    official = dataset_facts(cell.dataset.name).official_train
    if official is not None:
        return SplitItems(round(official * 0.9), round(official * 0.1), total)
    return SplitItems(round(total * 0.8), round(total * 0.1), total)


def input_shape(cell: Cell) -> tuple[int, int, int] | None:
    """One example's ``(C, H, W)`` as the backbone sees it (see the module docstring)."""
    features, params = cell.suite.features, cell.suite.features.params
    data = cell.dataset.params
    if features.name == "logmel":
        if "sample_rate" not in data or "seconds" not in data:
            return None
        samples = int(data["sample_rate"] * data["seconds"])
        return (1, int(params.get("n_mels", 64)), 1 + samples // int(params.get("hop_length", 512)))
    facts = dataset_facts(cell.dataset.name)
    if facts is None or facts.image_shape is None:
        return None
    extra = 0
    if features.name == "image-qchannels":
        extra, params = len(params.get("entanglers", [])), (params.get("base") or {}).get("params", {})
    elif features.name != "image":
        return None
    c, h, w = facts.image_shape
    c = 3 if params.get("rgb") and c == 1 else c
    size = params.get("size")
    return (c + extra, size or h, size or w)
