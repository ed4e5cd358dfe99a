"""Classification metrics match scikit-learn's to the last bit (they replaced its import)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import confusion_matrix as sk_confusion
from sklearn.metrics import f1_score

from bench.cell.metrics import classification_metrics, confusion_matrix, macro_f1


@pytest.mark.parametrize("seed", range(5))
def test_confusion_and_macro_f1_equal_scikit_learn(seed):
    rng = np.random.default_rng(seed)
    for _ in range(400):
        n, m = int(rng.integers(2, 12)), int(rng.integers(1, 60))
        labels = rng.integers(0, n, m)
        predictions = np.where(rng.random(m) < 0.5, labels, rng.integers(0, n, m))
        confusion = confusion_matrix(labels, predictions, n)
        assert (confusion == sk_confusion(labels, predictions, labels=range(n))).all()
        expected = f1_score(labels, predictions, average="macro", labels=range(n), zero_division=0)
        assert macro_f1(confusion) == float(expected)


def test_a_class_never_seen_nor_predicted_scores_zero():
    metrics = classification_metrics(np.array([[2.0, 0.0, 0.0], [0.0, 2.0, 0.0]]), np.array([0, 1]), 3)
    assert metrics["macro_f1"] == pytest.approx(2 / 3)
    assert metrics["confusion"] == [[1, 0, 0], [0, 1, 0], [0, 0, 0]]
