"""Exercise 2: activation functions and their derivatives.

An activation applies f to every entry: out = f(x), out of the shape of x. Its backward pass
gets dout = dL/dout and returns dL/dx = dout ⊙ f'(x) (⊙: entry by entry), the chain rule for
one entry at a time.

Derive (docs/backprop.md, section 2; docs/activations.md shows why they behave as they do):
    ReLU     f(x) = max(0, x)                 f'(x) = 1 if x > 0 else 0
    sigmoid  σ(x) = 1 / (1 + e^(-x))          σ'(x) = σ(x)(1 − σ(x))
    tanh     tanh(x)                          tanh'(x) = 1 − tanh(x)²

Each forward returns (out, cache). The sigmoid and tanh derivatives are cheapest from the
output, so cache the output. Never change x in place (x[x < 0] = 0 destroys the caller's data).

Check your work:  numpynn check . activations     (or: python ex2_activations.py)
"""

import numpy as np


def relu_forward(x):
    """out = max(0, x) entry by entry. Return (out, cache)."""
    raise NotImplementedError("write relu_forward")


def relu_backward(dout, cache):
    """dL/dx = dout where x > 0, else 0."""
    raise NotImplementedError("write relu_backward")


def sigmoid_forward(x):
    """out = 1 / (1 + exp(-x)). Return (out, cache)."""
    raise NotImplementedError("write sigmoid_forward")


def sigmoid_backward(dout, cache):
    """dL/dx = dout * σ(x)(1 − σ(x))."""
    raise NotImplementedError("write sigmoid_backward")


def tanh_forward(x):
    """out = tanh(x). Return (out, cache)."""
    raise NotImplementedError("write tanh_forward")


def tanh_backward(dout, cache):
    """dL/dx = dout * (1 − tanh(x)²)."""
    raise NotImplementedError("write tanh_backward")


if __name__ == "__main__":
    from numpynn.workbench import check_exercise

    raise SystemExit(0 if check_exercise("activations", globals()).passed else 1)
