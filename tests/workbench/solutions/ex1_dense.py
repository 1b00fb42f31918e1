import numpy as np


def dense_forward(x, W, b):
    return x @ W + b, (x, W)


def dense_backward(dout, cache):
    x, W = cache
    dx = dout @ W.T
    dW = x.T @ dout
    db = dout.sum(axis=0)
    return dx, dW, db
