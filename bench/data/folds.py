"""Folds as an axis: which items of a dataset form fold 1..K, and the split of each fold.

A suite's dataset entry asks for folds in one of two ways (``bench.spec.folds`` validates them):

* ``folds: [1, ..., K]`` or ``folds: all`` - the dataset's **official** folds (UrbanSound8K 10,
  ESC-50 5), read by the loader from its metadata (``BaseDataset.load_folds``);
* ``cv: K`` - **generated** folds for any other dataset: every class's items are dealt, in an
  order drawn from the dataset's ``seed``, round-robin into K folds (stratified, so every fold
  holds about 1/K of every class). Where the loader gives items a group (``RawData.groups``,
  e.g. CREMA-D's speakers), whole groups are dealt instead, so no group is in two folds.

The rule of one fold (``Fold``): fold ``k`` is the **test** split, the fold before it (cyclically:
test 1 -> validation K) is the **validation** split, and every other fold trains. So
``folds: all`` on UrbanSound8K's fold 10 is exactly the loader's default split (train 1-8,
validation 9, test 10), and K >= 3 is needed (a test, a validation and a training fold).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from bench.core.seeding import derive_seed
from bench.data.base import BaseDataset, RawData
from bench.data.splits import DatasetError, fold_split

FoldKind = Literal["official", "cv"]
MIN_FOLDS = 3


def validation_fold(test: int, count: int) -> int:
    """The validation fold of test fold ``test`` among ``count``: the fold before it, cyclically."""
    return (test - 2) % count + 1


@dataclass(frozen=True)
class Folding:
    """How a dataset's items get fold numbers: its ``count`` official folds, or ``cv: count``."""

    kind: FoldKind
    count: int

    def spec(self) -> dict[str, Any]:
        """Plain data for cache keys (the features of a dataset depend on this, not on the fold)."""
        return {"kind": self.kind, "count": self.count}


@dataclass(frozen=True)
class Fold:
    """One fold of a cell: ``number`` tests, ``val`` validates, the other folds of ``folding`` train."""

    folding: Folding
    number: int

    @property
    def val(self) -> int:
        return validation_fold(self.number, self.folding.count)

    def spec(self) -> dict[str, Any]:
        """Plain data for cell specs and cache keys."""
        return {**self.folding.spec(), "test": self.number, "val": self.val}

    def split(self, folds: np.ndarray) -> np.ndarray:
        """The ``train``/``val``/``test`` name of every item, given each item's fold number."""
        return fold_split(np.asarray(folds), self.number, self.val)


def cv_folds(
    labels: np.ndarray, class_names: Sequence[str], count: int, seed: int, groups: np.ndarray | None = None
) -> np.ndarray:
    """Fold numbers ``1..count`` per item, dealt from ``seed`` (see the module docstring).

    Ungrouped: per class, items in an order drawn from ``derive_seed(seed, "cv", class name)`` get
    folds 1, 2, ..., count, 1, ... (a class's folds do not change when other classes are added).
    Grouped: the distinct groups, in an order drawn from ``derive_seed(seed, "cv-groups")``, are
    dealt the same way and every item takes its group's fold. Raises ``DatasetError`` when there
    are fewer groups than folds."""
    folds = np.zeros(len(labels), dtype=np.int64)
    if groups is not None:
        keys = sorted({str(g) for g in groups})
        if len(keys) < count:
            raise DatasetError(f"cv: {count} folds need at least {count} groups (found {len(keys)})")
        order = np.random.default_rng(derive_seed(seed, "cv-groups")).permutation(len(keys))
        fold_of = {keys[j]: rank % count + 1 for rank, j in enumerate(order)}
        return np.array([fold_of[str(g)] for g in groups], dtype=np.int64)
    for c in np.unique(labels):
        idx = np.flatnonzero(labels == c)
        order = np.random.default_rng(derive_seed(seed, "cv", class_names[c])).permutation(len(idx))
        folds[idx[order]] = np.arange(len(idx)) % count + 1
    return folds


def load_folded(dataset: BaseDataset, folding: Folding) -> tuple[RawData, np.ndarray]:
    """``(the dataset's items, each item's fold number)`` under ``folding``.

    Official folds come from the loader (``load_folds``); generated ones from ``cv_folds`` over
    the loaded items (grouped when the loader gives groups), from the dataset's ``seed`` param.
    Raises ``DatasetError`` when a fold ends up empty (e.g. a class subset missing from a fold)."""
    if folding.kind == "official":
        raw = dataset.load_folds()
        folds = np.asarray(raw.folds, dtype=np.int64)
    else:
        raw = dataset.load()
        seed = int(getattr(dataset.params, "seed", 0))
        folds = cv_folds(raw.labels, raw.class_names, folding.count, seed, raw.groups)
    empty = sorted(set(range(1, folding.count + 1)) - set(folds.tolist()))
    if empty:
        raise DatasetError(f"{dataset.name}: fold(s) {', '.join(map(str, empty))} hold no items")
    return raw, folds
