"""Exercise 6: Rosenblatt's perceptron.

A linear classifier for labels y ∈ {−1, +1}: predict sign(x·w + b). The learning rule visits
the examples one at a time, in the order given, and changes the weights only on a mistake:
    if y_n (x_n·w + b) ≤ 0:   w ← w + y_n x_n,   b ← b + y_n
Start from w = 0, b = 0. Note the ≤: with w = 0 every score is 0, and a score of 0 is a mistake
(with < the perceptron would never move).

On linearly separable data it stops making mistakes after finitely many updates (Novikoff's
theorem: at most (R/γ)² of them); `numpynn perceptron` shows the bound and the XOR it cannot
learn.

Check your work:  numpynn check . perceptron     (or: python ex6_perceptron.py)
"""

import numpy as np


def perceptron_train(x, y, epochs):
    """x (N, D), y (N,) of −1 and +1: run `epochs` passes over the data in order and return
    (w, b, mistakes), mistakes a list with the number of mistakes in each pass."""
    raise NotImplementedError("write perceptron_train")


def perceptron_predict(x, w, b):
    """Labels (N,) of −1 and +1 for x (N, D): +1 where x·w + b > 0."""
    raise NotImplementedError("write perceptron_predict")


if __name__ == "__main__":
    from numpynn.workbench import check_exercise

    raise SystemExit(0 if check_exercise("perceptron", globals()).passed else 1)
