"""Weight initializers: each returns a (fan_in, fan_out) array drawn from ``rng``.

He (Kaiming) keeps the variance of ReLU activations constant across layers: Var(W) = 2 / fan_in.
Xavier (Glorot) balances forward and backward variance for tanh/sigmoid: Var(W) = 2 / (fan_in +
fan_out). A uniform draw on [-a, a] has variance a²/3, hence the sqrt(3) factors below.
"""

import math

import numpy as np

from .validation import look_up

__all__ = [
    "INITIALIZERS",
    "get_initializer",
    "he_normal",
    "he_uniform",
    "xavier_normal",
    "xavier_uniform",
    "zeros",
]


def _normal(std, fan_in, fan_out, rng, dtype):
    return rng.standard_normal((fan_in, fan_out), dtype=np.dtype(dtype)) * np.dtype(dtype).type(std)


def _uniform(bound, fan_in, fan_out, rng, dtype):
    u = rng.random((fan_in, fan_out), dtype=np.dtype(dtype))  # [0, 1)
    return (u * np.dtype(dtype).type(2 * bound)) - np.dtype(dtype).type(bound)


def he_normal(fan_in, fan_out, rng, dtype="float32"):
    return _normal(math.sqrt(2 / fan_in), fan_in, fan_out, rng, dtype)


def he_uniform(fan_in, fan_out, rng, dtype="float32"):
    return _uniform(math.sqrt(6 / fan_in), fan_in, fan_out, rng, dtype)


def xavier_normal(fan_in, fan_out, rng, dtype="float32"):
    return _normal(math.sqrt(2 / (fan_in + fan_out)), fan_in, fan_out, rng, dtype)


def xavier_uniform(fan_in, fan_out, rng, dtype="float32"):
    return _uniform(math.sqrt(6 / (fan_in + fan_out)), fan_in, fan_out, rng, dtype)


def zeros(fan_in, fan_out, rng=None, dtype="float32"):
    """All zeros: for loading saved weights, never for training (every unit would stay identical)."""
    return np.zeros((fan_in, fan_out), dtype=dtype)


INITIALIZERS = {
    "he_normal": he_normal,
    "he_uniform": he_uniform,
    "xavier_normal": xavier_normal,
    "xavier_uniform": xavier_uniform,
    "zeros": zeros,
}


def get_initializer(name: str):
    return look_up("initializer", name, INITIALIZERS)
