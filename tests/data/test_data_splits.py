"""Split, subset and cap arithmetic (bench.data.splits): sizes, stability, disjointness."""

from __future__ import annotations

import numpy as np
import pytest

from bench.data.base import SPLITS
from bench.data.splits import (
    DatasetError,
    cap_per_class,
    cap_sizes,
    fold_split,
    group_split,
    holdout_split,
    split_sizes,
    stratified_split,
    subset_classes,
)

NAMES = ("a", "b", "c", "d")


def _counts(split: np.ndarray) -> list[int]:
    return [int((split == s).sum()) for s in SPLITS]


@pytest.mark.parametrize(
    ("n", "fractions", "expected"),
    [
        (100, (0.15, 0.15), (70, 15, 15)),
        (20, (0.25, 0.1), (13, 5, 2)),
        (3, (0.15, 0.15), (1, 1, 1)),
        (2, (0.15, 0.15), (1, 0, 1)),
        (1, (0.15, 0.15), (1, 0, 0)),
        (0, (0.15, 0.15), (0, 0, 0)),
        (10, (0.1, 0.0), (9, 1, 0)),
    ],
)
def test_split_sizes(n, fractions, expected):
    assert split_sizes(n, *fractions) == expected


def test_stratified_split_is_per_class_and_seeded():
    labels = np.repeat(np.arange(4), [20, 20, 7, 40])
    split = stratified_split(labels, NAMES, 0.25, 0.1, seed=0)
    for c, n in enumerate([20, 20, 7, 40]):
        assert tuple(_counts(split[labels == c])) == split_sizes(n, 0.25, 0.1)
    np.testing.assert_array_equal(split, stratified_split(labels, NAMES, 0.25, 0.1, seed=0))
    assert not np.array_equal(split, stratified_split(labels, NAMES, 0.25, 0.1, seed=1))


def test_a_class_split_does_not_depend_on_the_other_classes():
    labels = np.repeat(np.arange(4), 10)
    full = stratified_split(labels, NAMES, 0.2, 0.2, seed=3)
    only_c = stratified_split(np.zeros(10, dtype=np.int64), ("c",), 0.2, 0.2, seed=3)
    np.testing.assert_array_equal(full[labels == 2], only_c)


def test_holdout_keeps_the_official_test_set_and_carves_val_from_train():
    labels = np.tile(np.arange(2), 15)
    official = np.array(["train"] * 20 + ["test"] * 10)
    split = holdout_split(labels, official, ("x", "y"), 0.2, seed=0)
    np.testing.assert_array_equal(split[20:], "test")
    assert _counts(split[:20]) == [16, 4, 0]
    assert _counts(split[:20][labels[:20] == 0]) == [8, 2, 0]


def test_group_split_keeps_each_group_in_one_split():
    groups = np.repeat([f"spk{i}" for i in range(10)], 6)
    split = group_split(groups, 0.2, 0.2, seed=0)
    for g in np.unique(groups):
        assert len(set(split[groups == g])) == 1
    per_group = {g: split[groups == g][0] for g in np.unique(groups)}
    assert sorted(per_group.values()).count("test") == 2 and sorted(per_group.values()).count("val") == 2
    assert not np.array_equal(split, group_split(groups, 0.2, 0.2, seed=5))


def test_fold_split():
    folds = np.arange(1, 11)
    split = fold_split(folds, test_fold=3, val_fold=2)
    assert split.tolist() == ["train", "val", "test"] + ["train"] * 7


def test_subset_relabels_in_the_requested_order():
    labels = np.array([0, 1, 2, 3, 2, 1])
    keep, new, names = subset_classes(labels, NAMES, ["c", "a"], "toy")
    assert keep.tolist() == [0, 2, 4] and new.tolist() == [1, 0, 0] and names == ("c", "a")
    keep, new, names = subset_classes(labels, NAMES, None, "toy")
    assert keep.tolist() == list(range(6)) and names == NAMES


def test_subset_with_an_unknown_class_names_the_allowed_ones():
    expected = r"toy: classes: unknown class 'bb'; did you mean 'b'\? \(allowed: a, b, c, d\)"
    with pytest.raises(DatasetError, match=expected):
        subset_classes(np.array([0, 1]), NAMES, ["a", "bb"], "toy")


@pytest.mark.parametrize(
    ("counts", "cap", "expected"),
    [
        ([70, 15, 15], 10, [7, 2, 1]),
        ([70, 15, 15], 200, [70, 15, 15]),
        ([1000, 1, 1], 3, [1, 1, 1]),
        ([8, 0, 2], 5, [4, 0, 1]),
        ([5, 5, 0], 3, [2, 1, 0]),
    ],
)
def test_cap_sizes(counts, cap, expected):
    sizes = cap_sizes(counts, cap)
    assert sizes == expected
    assert sum(sizes) == min(cap, sum(counts))
    assert all(0 <= s <= c for s, c in zip(sizes, counts, strict=True))


def test_cap_per_class_keeps_each_split_share_and_is_nested_in_its_split():
    labels = np.repeat(np.arange(3), 40)
    split = stratified_split(labels, NAMES, 0.15, 0.15, seed=0)
    kept = cap_per_class(labels, split, NAMES, 10, seed=0)
    assert np.all(np.diff(kept) > 0)
    for c in range(3):
        assert _counts(split[kept][labels[kept] == c]) == cap_sizes(_counts(split[labels == c]), 10)
    np.testing.assert_array_equal(kept, cap_per_class(labels, split, NAMES, 10, seed=0))
    assert not np.array_equal(kept, cap_per_class(labels, split, NAMES, 10, seed=1))
    np.testing.assert_array_equal(cap_per_class(labels, split, NAMES, None, seed=0), np.arange(120))
