"""Dataset sizes and backbone input shapes for the cost model, known without the data.

``DATASETS`` is one table of official dataset facts (item counts per class and the official
training split), cited per row; ``input_shape`` derives one example's ``(C, H, W)`` from the
suite's dataset and features params the way the features compute it (log-mel: ``n_mels`` x
``1 + samples // hop_length`` frames, ``center=True``; images: the dataset's size, or
``features.params.size``; quantum channels add one channel per entangler). ``split_items``
gives the training, validation and total items of one cell's split. ``None``: not known here
(e.g. ``audio-folder``, whose size is whatever folder the user points at).
"""

from __future__ import annotations

from dataclasses import dataclass

from bench.plan.grid import Cell


@dataclass(frozen=True)
class DatasetFacts:
    """Items in the whole dataset, per class (``None`` when classes are unequal), and its official
    training split (``None``: folds or a generated split decide); image shape ``(C, H, W)``."""

    items: int
    per_class: int | None = None
    official_train: int | None = None
    image_shape: tuple[int, int, int] | None = None


DATASETS: dict[str, DatasetFacts] = {
    # Salamon et al. 2014, UrbanSound8K: 8,732 clips <= 4 s in 10 official folds.
    "urbansound8k": DatasetFacts(8732),
    # Piczak 2015, ESC-50: 2,000 clips x 5 s, 50 classes x 40, 5 official folds.
    "esc50": DatasetFacts(2000, per_class=40),
    # Tzanetakis & Cook 2002, GTZAN: 1,000 clips x 30 s, 10 genres x 100.
    "gtzan": DatasetFacts(1000, per_class=100),
    # Cao et al. 2014, CREMA-D: 7,442 clips from 91 actors, 6 emotions (unequal).
    "crema-d": DatasetFacts(7442),
    # LeCun et al., MNIST: 60,000 train + 10,000 test, 28x28 grayscale.
    "mnist": DatasetFacts(70000, official_train=60000, image_shape=(1, 28, 28)),
    # Xiao et al. 2017, Fashion-MNIST: same layout as MNIST.
    "fashion-mnist": DatasetFacts(70000, official_train=60000, image_shape=(1, 28, 28)),
    # Clanuwat et al. 2018, KMNIST: same layout as MNIST.
    "kmnist": DatasetFacts(70000, official_train=60000, image_shape=(1, 28, 28)),
    # Cohen et al. 2017, EMNIST letters: 124,800 train + 20,800 test, 28x28.
    "emnist-letters": DatasetFacts(145600, official_train=124800, image_shape=(1, 28, 28)),
    # Krizhevsky 2009, CIFAR-100: 50,000 train + 10,000 test, 32x32 RGB.
    "cifar100": DatasetFacts(60000, official_train=50000, image_shape=(3, 32, 32)),
}


@dataclass(frozen=True)
class SplitItems:
    """Items one cell trains on, validates on, and embeds (the whole dataset)."""

    train: int
    val: int
    total: int


def dataset_items(cell: Cell) -> int | None:
    """Items of the cell's dataset entry (a ``classes`` selection counts its classes only)."""
    facts = DATASETS.get(cell.dataset.name)
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
    official = DATASETS[cell.dataset.name].official_train
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
    facts = DATASETS.get(cell.dataset.name)
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
