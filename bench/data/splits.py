"""Split, class-subset and per-class-cap arithmetic shared by every real-data loader.

Pure numpy on label arrays; no file access. Every random choice is drawn from a stream seeded
with ``derive_seed(seed, purpose, class name, ...)``, so

* a class's split does not change when other classes are added or removed (``classes``);
* an item's split does not change when ``max_per_class`` changes (the cap picks items within
  each split after the split is fixed);
* the same arguments always give the same result.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from bench.core.errors import unknown_name_message
from bench.core.seeding import derive_seed
from bench.data.base import SPLITS


class DatasetError(ValueError):
    """The data on disk (or the selection asked of it) cannot give a usable dataset."""


def _rng(*parts: object) -> np.random.Generator:
    return np.random.default_rng(derive_seed(*parts))


def split_sizes(n: int, val_fraction: float, test_fraction: float) -> tuple[int, int, int]:
    """(train, val, test) sizes for ``n`` items: val/test are ``round(fraction * n)``, at least one
    each when their fraction is positive, while train keeps at least one (val gives way first)."""
    n_val = max(1, round(val_fraction * n)) if val_fraction > 0 else 0
    n_test = max(1, round(test_fraction * n)) if test_fraction > 0 else 0
    while n_val + n_test > max(n - 1, 0):
        if n_val >= n_test and n_val > 0:
            n_val -= 1
        else:
            n_test -= 1
    return n - n_val - n_test, n_val, n_test


def stratified_split(
    labels: np.ndarray, class_names: Sequence[str], val_fraction: float, test_fraction: float, seed: int
) -> np.ndarray:
    """A split name per item, drawn per class (sizes from ``split_sizes``) from the seed."""
    split = np.empty(len(labels), dtype="<U5")
    for c in np.unique(labels):
        idx = np.flatnonzero(labels == c)
        names = np.repeat(np.array(SPLITS), split_sizes(len(idx), val_fraction, test_fraction))
        split[idx[_rng(seed, "split", class_names[c]).permutation(len(idx))]] = names
    return split


def holdout_split(
    labels: np.ndarray, official: np.ndarray, class_names: Sequence[str], val_fraction: float, seed: int
) -> np.ndarray:
    """Official ``train``/``test`` split with a stratified validation share carved out of train."""
    split = official.astype("<U5")
    train = np.flatnonzero(official == "train")
    split[train] = stratified_split(labels[train], class_names, val_fraction, 0.0, seed)
    return split


def group_split(groups: np.ndarray, val_fraction: float, test_fraction: float, seed: int) -> np.ndarray:
    """Whole groups (e.g. speakers) go to one split each: no group is shared between splits.

    Group sizes follow ``split_sizes`` over the number of distinct groups, drawn from the seed."""
    keys = sorted({str(g) for g in groups})
    names = np.repeat(np.array(SPLITS), split_sizes(len(keys), val_fraction, test_fraction))
    of_group = dict(zip(np.array(keys)[_rng(seed, "group-split").permutation(len(keys))], names, strict=True))
    return np.array([of_group[str(g)] for g in groups], dtype="<U5")


def fold_split(folds: np.ndarray, test_fold: int, val_fold: int) -> np.ndarray:
    """Official folds: ``test_fold`` is test, ``val_fold`` is validation, every other fold trains."""
    return np.where(folds == test_fold, "test", np.where(folds == val_fold, "val", "train")).astype("<U5")


def subset_classes(
    labels: np.ndarray, class_names: Sequence[str], wanted: Sequence[str] | None, dataset: str
) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """Keep the classes in ``wanted`` (all when ``None``), relabelled ``0..k-1`` in ``wanted``'s order.

    Returns ``(kept item indices, their new labels, the kept class names)``. An unknown name raises
    ``DatasetError`` listing the dataset's classes."""
    if wanted is None:
        return np.arange(len(labels)), labels.astype(np.int64), tuple(class_names)
    index = {name: i for i, name in enumerate(class_names)}
    for name in wanted:
        if name not in index:
            raise DatasetError(f"{dataset}: classes: {unknown_name_message('class', name, class_names)}")
    new_of_old = np.full(len(class_names), -1, dtype=np.int64)
    new_of_old[[index[name] for name in wanted]] = np.arange(len(wanted))
    mapped = new_of_old[labels]
    keep = np.flatnonzero(mapped >= 0)
    return keep, mapped[keep], tuple(wanted)


def cap_sizes(counts: Sequence[int], cap: int) -> list[int]:
    """How many of each split's ``counts`` to keep so the total is ``min(cap, sum)``: shares
    proportional to the counts (largest remainder), at least one for every non-empty split."""
    total = sum(counts)
    if total <= cap:
        return list(counts)
    exact = [cap * c / total for c in counts]
    sizes = [min(c, max(1 if c else 0, math.floor(e))) for c, e in zip(counts, exact, strict=True)]
    while sum(sizes) > cap:
        sizes[max(range(len(sizes)), key=lambda i: (sizes[i], -i))] -= 1
    while sum(sizes) < cap:
        room = [i for i in range(len(sizes)) if sizes[i] < counts[i]]
        sizes[max(room, key=lambda i: (exact[i] - sizes[i], -i))] += 1
    return sizes


def _natural(text: str) -> tuple[int, str]:
    """Sort key putting ``"2"`` before ``"10"``."""
    return (int(text), text) if text.isdigit() else (-1, text)


def cap_per_class(
    labels: np.ndarray, split: np.ndarray, class_names: Sequence[str], cap: int | None, seed: int
) -> np.ndarray:
    """Sorted indices of the items kept when each class has at most ``cap`` items (all if ``None``).

    Within a class the cap is shared between splits by ``cap_sizes`` and the items of each split
    are drawn from the seed, so every split keeps its share of every class. ``split`` may hold
    other strata than the split names (a fold suite passes fold numbers as text): the same holds
    for each of them, in sorted order."""
    if cap is None:
        return np.arange(len(labels))
    values = set(np.unique(split).tolist())
    strata = SPLITS if values <= set(SPLITS) else sorted(values, key=_natural)
    kept = []
    for c in np.unique(labels):
        in_class = [np.flatnonzero((labels == c) & (split == s)) for s in strata]
        for s, idx, size in zip(strata, in_class, cap_sizes([len(i) for i in in_class], cap), strict=True):
            kept.append(idx[_rng(seed, "cap", class_names[c], s).choice(len(idx), size, replace=False)])
    return np.sort(np.concatenate(kept)) if kept else np.zeros(0, dtype=np.int64)
