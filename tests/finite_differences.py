"""Centered finite differences in float64: the independent oracle for the foundation's tests."""

import numpy as np


def numerical_gradient(f, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """d f(x) / dx for a scalar function f of the array x (changed in place, then restored)."""
    grad = np.zeros_like(x, dtype=np.float64)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        plus = f()
        x[i] = old - eps
        minus = f()
        x[i] = old
        grad[i] = (plus - minus) / (2 * eps)
    return grad


def assert_layer_gradients(layer, x: np.ndarray, rtol: float = 1e-6, atol: float = 1e-8) -> None:
    """Check layer.backward against finite differences of L = Σ forward(x) ⊙ R (R random)."""
    R = np.random.default_rng(1).standard_normal(layer.forward(x).shape)

    def loss():
        return float(np.sum(layer.forward(x, training=True) * R))

    loss()
    grad_x = layer.backward(R.copy())
    np.testing.assert_allclose(grad_x, numerical_gradient(loss, x), rtol=rtol, atol=atol)
    for p in layer.parameters():
        loss()
        layer.backward(R.copy())
        analytic = p.grad.copy()
        np.testing.assert_allclose(
            analytic, numerical_gradient(loss, p.value), rtol=rtol, atol=atol
        )
