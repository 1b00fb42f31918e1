"""Exercise 4: a multi-layer network with backpropagation.

The network for layer sizes [D, H1, ..., C]: dense layers joined by ReLUs, and softmax
cross-entropy on the scores of the last one,
    h0 = x,   z_l = h_{l−1} W_l + b_l,   h_l = relu(z_l) (not after the last layer),
    scores = z_L,   loss = mean over the batch of −log softmax(scores)[label].
params is a list of (W, b) pairs, one per dense layer: W_l (size_{l−1}, size_l), b_l (size_l,).

Backpropagation (docs/backprop.md, section 5) runs the chain rule from the loss back to x, one layer at a time:
    dscores = (p − Y) / N                               (exercise 3)
    dW_l = h_{l−1}^T dz_l,   db_l = Σ_n dz_l[n],   dh_{l−1} = dz_l W_l^T      (exercise 1)
    dz_{l−1} = dh_{l−1} ⊙ [z_{l−1} > 0]                  (exercise 2)
You may import your earlier answers (from ex1_dense import dense_forward, dense_backward).

init_mlp draws He-initialized weights, W_l ~ N(0, 2 / size_{l−1}), and zero biases: the
variance that keeps the signal's size through ReLUs (docs/activations.md).

Check your work:  numpynn check . mlp     (or: python ex4_mlp.py)
"""

import numpy as np


def init_mlp(sizes, rng):
    """Return [(W1, b1), (W2, b2), ...] for sizes = [D, H1, ..., C], drawn with the
    numpy.random.Generator rng."""
    raise NotImplementedError("write init_mlp")


def mlp_loss(params, x, labels=None):
    """For x (N, D): with labels None return the scores (N, C); with labels (N,) return
    (loss, grads), grads = [(dW1, db1), (dW2, db2), ...] shaped as params."""
    raise NotImplementedError("write mlp_loss")


if __name__ == "__main__":
    from numpynn.workbench import check_exercise

    raise SystemExit(0 if check_exercise("mlp", globals()).passed else 1)
