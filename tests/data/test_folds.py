"""Fold assignment (``bench.data.folds``): the validation rule, generated folds, official folds
read from the fixture layouts, and ``max_per_class`` drawn within each fold."""

from __future__ import annotations

import numpy as np
import pytest

from bench.core.registry import DATASETS
from bench.data.folds import Fold, Folding, cv_folds, load_folded, validation_fold
from bench.data.splits import DatasetError
from tests.data.dataset_layouts import CREMA_SPEAKERS


def test_validation_fold_is_the_fold_before_the_test_fold():
    assert [validation_fold(k, 5) for k in range(1, 6)] == [5, 1, 2, 3, 4]
    fold = Fold(Folding("official", 10), 10)
    assert fold.val == 9 and fold.spec() == {"kind": "official", "count": 10, "test": 10, "val": 9}
    folds = np.array([1, 2, 3, 9, 10, 10])
    assert fold.split(folds).tolist() == ["train", "train", "train", "val", "test", "test"]


def test_cv_folds_are_stratified_and_follow_the_seed():
    labels = np.repeat(np.arange(3), [9, 6, 12])
    names = ("a", "b", "c")
    folds = cv_folds(labels, names, 3, seed=0)
    for c in range(3):
        counts = np.bincount(folds[labels == c], minlength=4)[1:]
        assert counts.max() - counts.min() <= 1 and counts.sum() == (labels == c).sum()
    assert np.array_equal(folds, cv_folds(labels, names, 3, seed=0))
    assert not np.array_equal(folds, cv_folds(labels, names, 3, seed=1))
    # a class's folds do not move when another class is dropped
    keep = labels != 1
    relabelled = np.where(labels[keep] == 2, 1, 0)
    assert np.array_equal(cv_folds(relabelled, ("a", "c"), 3, seed=0), folds[keep])


def test_cv_folds_keep_each_group_in_one_fold():
    groups = np.array([f"g{i % 7}" for i in range(42)])
    labels = np.arange(42) % 3
    folds = cv_folds(labels, ("a", "b", "c"), 3, seed=4, groups=groups)
    for g in set(groups):
        assert len(set(folds[groups == g])) == 1
    assert sorted(set(folds.tolist())) == [1, 2, 3]
    with pytest.raises(DatasetError, match="3 folds need at least 3 groups"):
        cv_folds(labels[:4], ("a", "b", "c"), 3, seed=0, groups=np.array(["x", "y", "x", "y"]))


def test_urbansound8k_official_folds_come_from_the_metadata(layout):
    root = layout("urbansound8k").root
    plugin = DATASETS.get("urbansound8k").from_dict({"root": str(root), "sample_rate": 8000, "seconds": 0.1})
    raw, folds = load_folded(plugin, Folding("official", 10))
    for item, fold in zip(raw.item_ids, folds, strict=True):
        assert item.startswith(f"audio/fold{fold}/")
    # fold 10 of the fold axis is the loader's default split (train 1-8, validation 9, test 10)
    assert np.array_equal(Fold(Folding("official", 10), 10).split(folds), plugin.load().split)


def test_max_per_class_is_shared_between_the_folds(layout):
    root = layout("esc50").root  # 4 categories x 5 folds x 2 clips
    params = {"root": str(root), "sample_rate": 8000, "seconds": 0.1, "max_per_class": 5}
    raw, folds = load_folded(DATASETS.get("esc50").from_dict(params), Folding("official", 5))
    for c in range(raw.n_classes):
        assert sorted(folds[raw.labels == c].tolist()) == [1, 2, 3, 4, 5]


def test_crema_d_cv_deals_whole_speakers(layout):
    root = layout("crema-d").root
    plugin = DATASETS.get("crema-d").from_dict({"root": str(root), "sample_rate": 8000, "seconds": 0.1})
    raw, folds = load_folded(plugin, Folding("cv", 5))
    speakers = np.array([item.split("/")[1].split("_")[0] for item in raw.item_ids])
    assert set(speakers) == set(CREMA_SPEAKERS)
    for s in CREMA_SPEAKERS:
        assert len(set(folds[speakers == s])) == 1
    assert sorted(set(folds.tolist())) == [1, 2, 3, 4, 5]


def test_more_folds_than_speakers_is_an_error(layout):
    root = layout("crema-d").root
    plugin = DATASETS.get("crema-d").from_dict({"root": str(root), "sample_rate": 8000, "seconds": 0.1})
    with pytest.raises(DatasetError, match="6 folds need at least 6 groups"):
        load_folded(plugin, Folding("cv", 6))


def test_cv_folds_of_a_generated_dataset_follow_its_seed():
    params = {"n_per_class": 6, "seconds": 0.25, "sample_rate": 8000, "n_classes": 3}
    plugin = DATASETS.get("urban-synth").from_dict(params)
    raw, folds = load_folded(plugin, Folding("cv", 3))
    assert raw.groups is None and len(folds) == len(raw.labels)
    for c in range(raw.n_classes):  # 6 items per class: two in every fold
        assert np.bincount(folds[raw.labels == c], minlength=4)[1:].tolist() == [2, 2, 2]
    other = DATASETS.get("urban-synth").from_dict({**params, "seed": 1})
    assert not np.array_equal(load_folded(other, Folding("cv", 3))[1], folds)
