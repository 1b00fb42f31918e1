"""Exercise 3: softmax and the cross-entropy loss, in one function.

scores (N, C) holds one row of class scores (logits) per example; labels (N,) the right class
of each, an integer in 0..C−1. The softmax turns a row into probabilities,
    p[n, c] = e^(scores[n, c]) / Σ_k e^(scores[n, k]),
and the loss is the mean over the batch of −log p[n, labels[n]].

Derive (docs/backprop.md, section 3):
    dL/dscores = (p − Y) / N,   Y the one-hot matrix of the labels (Y[n, labels[n]] = 1)

Two traps: e^1000 overflows to inf, so subtract each row's maximum from its scores first (the
softmax does not change); and the loss is a mean over the batch, so its gradient has the 1/N.

Check your work:  numpynn check . softmax     (or: python ex3_softmax.py)
"""

import numpy as np


def softmax_cross_entropy(scores, labels):
    """Return (loss, dscores): the mean cross-entropy (a float) and its gradient (N, C)."""
    raise NotImplementedError("write softmax_cross_entropy")


if __name__ == "__main__":
    from numpynn.workbench import check_exercise

    raise SystemExit(0 if check_exercise("softmax", globals()).passed else 1)
