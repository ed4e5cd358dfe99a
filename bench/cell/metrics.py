"""Classification metrics from logits and labels (pure functions, numpy in, floats out)."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import confusion_matrix, f1_score


def softmax_cross_entropy(logits: np.ndarray, labels: np.ndarray) -> float:
    """Mean cross-entropy of ``softmax(logits)`` against integer ``labels``."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-log_probs[np.arange(len(labels)), labels].mean())


def classification_metrics(logits: np.ndarray, labels: np.ndarray, n_classes: int) -> dict:
    """Accuracy, macro-F1, cross-entropy, predictions and the confusion matrix."""
    predictions = logits.argmax(axis=1)
    return {
        "accuracy": float((predictions == labels).mean()),
        "macro_f1": float(
            f1_score(labels, predictions, average="macro", labels=range(n_classes), zero_division=0)
        ),
        "cross_entropy": softmax_cross_entropy(logits, labels),
        "predictions": predictions.astype(int).tolist(),
        "confusion": confusion_matrix(labels, predictions, labels=range(n_classes)).astype(int).tolist(),
    }
