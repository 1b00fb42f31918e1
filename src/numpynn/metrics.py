"""Classification metrics from labels and predictions: confusion matrix, precision, recall."""

import numpy as np

__all__ = ["confusion_matrix", "precision_recall"]


def confusion_matrix(labels: np.ndarray, predictions: np.ndarray, num_classes: int) -> np.ndarray:
    """counts[t, p] = how many examples of true class t were predicted as p; (C, C) int64."""
    if labels.shape != predictions.shape:
        raise ValueError(
            f"confusion_matrix: labels {labels.shape} and predictions {predictions.shape} must match"
        )
    flat = labels.astype(np.int64) * num_classes + predictions
    return np.bincount(flat, minlength=num_classes * num_classes).reshape(num_classes, num_classes)


def precision_recall(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per class: precision = correct / predicted as it, recall = correct / truly it (nan if 0/0)."""
    correct = np.diag(counts).astype(np.float64)
    predicted, actual = counts.sum(axis=0), counts.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return correct / predicted, correct / actual
