"""Weight initializers: each returns a (fan_in, fan_out) array drawn from ``rng``.

He (Kaiming) keeps the variance of ReLU activations constant across layers: Var(W) = 2 / fan_in.
Xavier (Glorot) balances forward and backward variance for tanh/sigmoid: Var(W) = 2 / (fan_in +
fan_out). LeCun keeps the variance of pre-activations constant for units without ReLU's halving:
Var(W) = 1 / fan_in (Nielsen's chapter-3 default). ``normal`` is the standard normal N(0, 1), the
"large" initialization of Nielsen's chapter 1: with 784 inputs a sigmoid unit starts saturated.
A uniform draw on [-a, a] has variance a²/3, hence the sqrt(3) factors below. Biases start at
zero, or (``bias_init="normal"``, Nielsen's choice) drawn from N(0, 1).
"""

import math

import numpy as np

from .validation import look_up

__all__ = ["INITIALIZERS", "BIAS_INITIALIZERS", "get_initializer", "init_bias", "he_normal",
           "he_uniform", "lecun_normal", "normal", "xavier_normal", "xavier_uniform", "zeros"]  # fmt: skip


def _normal(std, fan_in, fan_out, rng, dtype):
    return rng.standard_normal((fan_in, fan_out), dtype=np.dtype(dtype)) * np.dtype(dtype).type(std)


def _uniform(bound, fan_in, fan_out, rng, dtype):
    u = rng.random((fan_in, fan_out), dtype=np.dtype(dtype))  # [0, 1)
    return (u * np.dtype(dtype).type(2 * bound)) - np.dtype(dtype).type(bound)


def he_normal(fan_in, fan_out, rng, dtype="float32"):
    """N(0, 2 / fan_in): He (Kaiming), for ReLU."""
    return _normal(math.sqrt(2 / fan_in), fan_in, fan_out, rng, dtype)


def he_uniform(fan_in, fan_out, rng, dtype="float32"):
    """U(-a, a) with a = sqrt(6 / fan_in): He's variance, uniform."""
    return _uniform(math.sqrt(6 / fan_in), fan_in, fan_out, rng, dtype)


def xavier_normal(fan_in, fan_out, rng, dtype="float32"):
    """N(0, 2 / (fan_in + fan_out)): Xavier (Glorot), for tanh and sigmoid."""
    return _normal(math.sqrt(2 / (fan_in + fan_out)), fan_in, fan_out, rng, dtype)


def xavier_uniform(fan_in, fan_out, rng, dtype="float32"):
    """U(-a, a) with a = sqrt(6 / (fan_in + fan_out)): Xavier's variance, uniform."""
    return _uniform(math.sqrt(6 / (fan_in + fan_out)), fan_in, fan_out, rng, dtype)


def lecun_normal(fan_in, fan_out, rng, dtype="float32"):
    """N(0, 1 / fan_in): LeCun."""
    return _normal(math.sqrt(1 / fan_in), fan_in, fan_out, rng, dtype)


def normal(fan_in, fan_out, rng, dtype="float32"):
    """The standard normal N(0, 1), whatever the fan-in: large weights, saturated sigmoids."""
    return _normal(1.0, fan_in, fan_out, rng, dtype)


def zeros(fan_in, fan_out, rng=None, dtype="float32"):
    """All zeros: for loading saved weights, never for training (every unit would stay identical)."""
    return np.zeros((fan_in, fan_out), dtype=dtype)


INITIALIZERS = {
    "he_normal": he_normal,
    "he_uniform": he_uniform,
    "xavier_normal": xavier_normal,
    "xavier_uniform": xavier_uniform,
    "lecun_normal": lecun_normal,
    "normal": normal,
    "zeros": zeros,
}
BIAS_INITIALIZERS = {"zeros": zeros, "normal": normal}


def get_initializer(name: str):
    """The initializer called ``name`` (a key of ``INITIALIZERS``)."""
    return look_up("initializer", name, INITIALIZERS)


def init_bias(name: str, size: int, rng, dtype="float32") -> np.ndarray:
    """A bias vector of ``size`` entries: ``zeros`` or ``normal`` (N(0, 1))."""
    return look_up("bias initializer", name, BIAS_INITIALIZERS)(1, size, rng, dtype).reshape(size)
