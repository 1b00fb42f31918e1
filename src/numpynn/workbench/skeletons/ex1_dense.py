"""Exercise 1: the dense layer, forward and backward.

A dense layer maps a batch of N row vectors x (N, D) to out = x W + b, with W of shape (D, M)
and b of shape (M,) (b is added to every row). The backward pass receives dout = dL/dout, of
shape (N, M), and returns the gradient of the loss with respect to each input of the forward
pass.

Derive (docs/backprop.md, section 1, does it step by step):
    dL/dx = dout W^T        shape (N, D)
    dL/dW = x^T dout        shape (D, M)   the sum over the batch is in the product
    dL/db = Σ_n dout[n]     shape (M,)

Do not change x, W or b in place: the caller still needs them.

Check your work:  numpynn check . dense     (or: python ex1_dense.py)
"""

import numpy as np


def dense_forward(x, W, b):
    """out = x W + b for x (N, D), W (D, M), b (M,). Return (out, cache): cache holds what
    dense_backward needs."""
    raise NotImplementedError("write dense_forward: out = x @ W + b")


def dense_backward(dout, cache):
    """Given dout = dL/dout (N, M) and the cache of dense_forward, return (dx, dW, db) with the
    shapes of x, W and b."""
    raise NotImplementedError("write dense_backward: dx = dout @ W.T, dW = ..., db = ...")


if __name__ == "__main__":
    from numpynn.workbench import check_exercise

    raise SystemExit(0 if check_exercise("dense", globals()).passed else 1)
