"""Small data sets the tests train on."""

import numpy as np


def blobs(n=400, seed=0):
    """Three well-separated Gaussian clusters in 5-D: any working MLP learns them."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, n)
    centres = 3 * rng.standard_normal((3, 5))
    x = (centres[labels] + rng.standard_normal((n, 5))).astype(np.float32)
    return x, labels
