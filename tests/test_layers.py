"""Dense and Dropout: forward and backward by hand and by finite differences, and clear errors."""

import numpy as np
import pytest
from finite_differences import assert_layer_gradients

import numpynn as nn


def dense_with(W, b):
    layer = nn.Dense(W.shape[0], W.shape[1], init="zeros", dtype=str(W.dtype))
    layer.W.value[...] = W
    layer.b.value[...] = b
    return layer


def test_dense_forward_matches_hand_computation():
    layer = dense_with(np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), np.array([0.5, -1.0]))
    y = layer.forward(np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0]]))
    # row 0: [1-5, 2-6] + b = [-3.5, -5] ; row 1: [2+3, 4+4] + b = [5.5, 7]
    np.testing.assert_array_equal(y, [[-3.5, -5.0], [5.5, 7.0]])


def test_dense_backward_matches_hand_computation():
    layer = dense_with(np.array([[1.0, 2.0], [3.0, 4.0]]), np.zeros(2))
    x = np.array([[1.0, 2.0]])
    layer.forward(x)
    grad_x = layer.backward(np.array([[1.0, -1.0]]))
    np.testing.assert_array_equal(layer.W.grad, [[1.0, -1.0], [2.0, -2.0]])  # xᵀ grad_y
    np.testing.assert_array_equal(layer.b.grad, [1.0, -1.0])
    np.testing.assert_array_equal(grad_x, [[-1.0, -1.0]])  # grad_y Wᵀ


def test_dense_backward_matches_finite_differences():
    rng = np.random.default_rng(0)
    layer = nn.Dense(5, 3, rng=rng, dtype="float64")
    layer.b.value[...] = rng.standard_normal(3)
    assert_layer_gradients(layer, rng.standard_normal((4, 5)))


def test_dense_rejects_input_of_the_wrong_width():
    layer = nn.Dense(784, 256, rng=np.random.default_rng(0))
    with pytest.raises(
        ValueError,
        match=r"Dense\(784, 256\) expects input of shape \(N, 784\), got \(128, 28, 28\); flatten",
    ):
        layer.forward(np.zeros((128, 28, 28), dtype=np.float32))
    with pytest.raises(ValueError, match=r"got \(2, 100\)"):
        layer.forward(np.zeros((2, 100), dtype=np.float32))


def test_dense_rejects_input_of_another_dtype():
    layer = nn.Dense(3, 2, rng=np.random.default_rng(0))
    with pytest.raises(TypeError, match="float32 weights but got float64 input"):
        layer.forward(np.zeros((1, 3)))


def test_dense_needs_an_rng_for_random_init_and_backward_needs_forward():
    with pytest.raises(TypeError, match="pass rng="):
        nn.Dense(3, 2)
    with pytest.raises(RuntimeError, match="backward called before forward"):
        nn.Dense(3, 2, init="zeros").backward(np.zeros((1, 2), dtype=np.float32))


def test_dense_keeps_float32_through_forward_and_backward():
    layer = nn.Dense(4, 3, rng=np.random.default_rng(0))
    y = layer.forward(np.ones((2, 4), dtype=np.float32))
    grad_x = layer.backward(np.ones_like(y))
    assert y.dtype == grad_x.dtype == layer.W.grad.dtype == layer.b.grad.dtype == np.float32


def test_dropout_scales_kept_units_and_is_identity_in_evaluation():
    layer = nn.Dropout(0.5, rng=np.random.default_rng(0))
    x = np.ones((200, 50), dtype=np.float32)
    y = layer.forward(x, training=True)
    assert set(np.unique(y)) == {0.0, 2.0}
    assert abs((y == 0).mean() - 0.5) < 0.02
    np.testing.assert_array_equal(layer.backward(np.ones_like(x)), y)  # same mask
    np.testing.assert_array_equal(layer.forward(x, training=False), x)


class SameMaskDropout(nn.Dropout):
    """Dropout drawing the same mask at every forward, so the loss is a function of x alone."""

    def forward(self, x, training=False):
        self.rng = np.random.default_rng(7)
        return super().forward(x, training)


def test_dropout_with_one_mask_matches_finite_differences():
    layer = SameMaskDropout(0.3, rng=np.random.default_rng(7))
    x = np.random.default_rng(0).standard_normal((4, 6))
    assert 0 < np.count_nonzero(layer.forward(x, training=True)) < x.size  # some units dropped
    assert_layer_gradients(layer, x)


def test_dropout_rejects_bad_probability():
    with pytest.raises(ValueError, match=r"Dropout: p must be in \[0, 1\), got 1"):
        nn.Dropout(1, rng=np.random.default_rng(0))


def test_dropout_needs_an_rng_unless_it_drops_nothing():
    with pytest.raises(TypeError, match=r"Dropout: pass rng=np.random.default_rng\(seed\)"):
        nn.Dropout(0.5)
    layer = nn.Dropout(0.0)  # p = 0 draws nothing
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    np.testing.assert_array_equal(layer.forward(x, training=True), x)
    np.testing.assert_array_equal(layer.backward(np.ones_like(x)), np.ones_like(x))
    assert nn.Dropout(rng=np.random.default_rng(0)).p == 0.5


@pytest.mark.parametrize("sizes", [(0, 3), (3, 0)])
def test_dense_needs_at_least_one_input_and_one_output(sizes):
    with pytest.raises(ValueError, match="in_features and out_features must be >= 1"):
        nn.Dense(*sizes, init="zeros")


def test_dense_backward_returns_the_input_gradient_unless_told_not_to():
    layer = dense_with(np.array([[1.0, 2.0]]), np.zeros(2))
    layer.forward(np.array([[3.0]]))
    np.testing.assert_array_equal(layer.backward(np.array([[1.0, 1.0]])), [[3.0]])
    assert layer.backward(np.array([[1.0, 1.0]]), input_grad=False) is None
    np.testing.assert_array_equal(layer.W.grad, [[3.0, 3.0]])


def test_a_layer_shows_its_config_in_its_repr():
    class Scaled(nn.Layer):
        def config(self):
            return {"factor": 2.0, "name": "s"}

    assert repr(Scaled()) == "Scaled(factor=2.0, name='s')"
    assert repr(nn.Dropout(0.25, rng=np.random.default_rng(0))) == "Dropout(p=0.25)"


class FixedDraws:
    """Stands in for a Generator: ``random`` returns the given draws."""

    def __init__(self, draws):
        self.draws = np.array(draws, dtype=np.float32)

    def random(self, shape, dtype):
        return self.draws.reshape(shape).astype(dtype)


def test_dropout_keeps_a_unit_whose_draw_is_at_least_p():
    """Draws are uniform on [0, 1): keeping draw >= p keeps a unit with probability 1 − p."""
    layer = nn.Dropout(0.5, rng=FixedDraws([[0.25, 0.5, 0.75]]))
    y = layer.forward(np.ones((1, 3), dtype=np.float32), training=True)
    np.testing.assert_array_equal(y, [[0.0, 2.0, 2.0]])
