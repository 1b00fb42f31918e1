"""Confusion matrix, precision and recall by hand."""

import numpy as np

from numpynn.metrics import confusion_matrix, precision_recall


def test_confusion_matrix_and_precision_recall_by_hand():
    counts = confusion_matrix(np.array([0, 0, 1, 1, 2]), np.array([0, 1, 1, 1, 0]), 3)
    np.testing.assert_array_equal(counts, [[1, 1, 0], [0, 2, 0], [1, 0, 0]])
    precision, recall = precision_recall(counts)
    np.testing.assert_allclose(precision[:2], [0.5, 2 / 3])
    np.testing.assert_allclose(recall, [0.5, 1.0, 0.0])
    assert np.isnan(precision[2])  # never predicted
