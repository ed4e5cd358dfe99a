"""Evaluation subsets and their accuracy intervals (pure functions, numpy in, numbers out).

Noisy simulators, fake devices and hardware score a head on a *subset* of the test split: each
class keeps its share (stratified, largest-remainder rounding), items are drawn with a seeded
generator, and indices come back sorted. Every evaluate-only backend of a cell uses the same
seed, hence the same items (a smaller ``eval_samples`` takes a per-class prefix of the same seeded
order, so subsets of different sizes are nested), and their accuracies are paired with the exact one.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats as sps


def stratified_subset(labels: np.ndarray, size: int, seed: int) -> np.ndarray:
    """Sorted indices of ``min(size, len(labels))`` items, each class in proportion to its share.

    Every class present gets at least one item when ``size`` allows it (``size >= n_classes``);
    otherwise the largest classes are served first. Deterministic for a given ``seed``.
    """
    labels = np.asarray(labels)
    n = len(labels)
    if size >= n:
        return np.arange(n)
    rng = np.random.default_rng(seed)
    classes, counts = np.unique(labels, return_counts=True)
    quota = counts * size / n
    take = np.floor(quota).astype(int)
    if size >= len(classes):
        take = np.maximum(take, 1)
    while take.sum() > size:  # the minimum of one per class overshot: trim the largest
        take[np.argmax(take - quota)] -= 1
    order = np.argsort(-(quota - take), kind="stable")
    for i in order[: size - take.sum()]:
        take[i] += 1
    # one seeded permutation per class, drawn whatever the size: a smaller subset is a prefix of a larger one
    orders = [rng.permutation(np.flatnonzero(labels == c)) for c in classes]
    chosen = [order[:k] for order, k in zip(orders, take, strict=True)]
    return np.sort(np.concatenate(chosen))


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion; ``(nan, nan)`` for ``n == 0``."""
    if n == 0:
        return math.nan, math.nan
    z = float(sps.norm.ppf((1 + confidence) / 2))
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)
