"""Classification metrics from logits and labels (pure functions, numpy in, floats out).

Numpy only: scikit-learn's metrics module costs about a second to import in every worker.
"""

from __future__ import annotations

import numpy as np


def softmax_cross_entropy(logits: np.ndarray, labels: np.ndarray) -> float:
    """Mean cross-entropy of ``softmax(logits)`` against integer ``labels``."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-log_probs[np.arange(len(labels)), labels].mean())


def confusion_matrix(labels: np.ndarray, predictions: np.ndarray, n_classes: int) -> np.ndarray:
    """``[true class, predicted class]`` counts over classes ``0 .. n_classes - 1``."""
    flat = np.asarray(labels, dtype=np.int64) * n_classes + np.asarray(predictions, dtype=np.int64)
    return np.bincount(flat, minlength=n_classes * n_classes).reshape(n_classes, n_classes)


def macro_f1(confusion: np.ndarray) -> float:
    """Mean over classes of F1 = 2 TP / (true + predicted); a class never true nor predicted scores 0
    (scikit-learn's ``f1_score(average="macro", zero_division=0)``, to the last bit)."""
    tp = np.diag(confusion).astype(np.float64)
    denominator = confusion.sum(axis=1).astype(np.float64) + confusion.sum(axis=0)
    scores = np.divide(2.0 * tp, denominator, out=np.zeros_like(tp), where=denominator > 0)
    return float(np.average(scores))


def classification_metrics(logits: np.ndarray, labels: np.ndarray, n_classes: int) -> dict:
    """Accuracy, macro-F1, cross-entropy, predictions and the confusion matrix."""
    predictions = logits.argmax(axis=1)
    confusion = confusion_matrix(labels, predictions, n_classes)
    return {
        "accuracy": float((predictions == labels).mean()),
        "macro_f1": macro_f1(confusion),
        "cross_entropy": softmax_cross_entropy(logits, labels),
        "predictions": predictions.astype(int).tolist(),
        "confusion": confusion.astype(int).tolist(),
    }
