"""Activations: values and derivatives by hand and by finite differences, stability, registry."""

import warnings

import numpy as np
import pytest
from finite_differences import assert_layer_gradients

import numpynn as nn

X = np.array([[-2.0, -0.5, 0.0, 0.5, 3.0]])


HAND_COMPUTED = {
    "relu": [[0.0, 0.0, 0.0, 0.5, 3.0]],
    "leaky_relu": [[-0.02, -0.005, 0.0, 0.5, 3.0]],
    "sigmoid": [
        [
            1 / (1 + np.exp(2.0)),
            1 / (1 + np.exp(0.5)),
            0.5,
            1 / (1 + np.exp(-0.5)),
            1 / (1 + np.exp(-3.0)),
        ]
    ],
    "tanh": [[np.tanh(-2.0), np.tanh(-0.5), 0.0, np.tanh(0.5), np.tanh(3.0)]],
    "identity": X.tolist(),
}


DERIVATIVES = {
    "relu": [[0.0, 0.0, 0.0, 1.0, 1.0]],
    "leaky_relu": [[0.01, 0.01, 0.01, 1.0, 1.0]],
    "sigmoid": [[s * (1 - s) for s in HAND_COMPUTED["sigmoid"][0]]],
    "tanh": [[1 - t * t for t in HAND_COMPUTED["tanh"][0]]],
    "identity": [[1.0] * 5],
}


def test_every_activation_has_hand_computed_values_and_derivatives():
    """A new activation in ACTIVATIONS needs its expected values here, computed by hand."""
    assert set(HAND_COMPUTED) == set(DERIVATIVES) == set(nn.ACTIVATIONS)


@pytest.mark.parametrize("name", sorted(nn.ACTIVATIONS))
def test_forward_matches_hand_computed_values(name):
    np.testing.assert_allclose(
        nn.get_activation(name).forward(X.copy()), HAND_COMPUTED[name], rtol=1e-13
    )


@pytest.mark.parametrize("name", sorted(nn.ACTIVATIONS))
def test_backward_is_the_derivative(name):
    layer = nn.get_activation(name)
    layer.forward(X.copy())
    np.testing.assert_allclose(layer.backward(np.ones_like(X)), DERIVATIVES[name], rtol=1e-13)


@pytest.mark.parametrize("name", sorted(nn.ACTIVATIONS))
def test_backward_matches_finite_differences(name):
    x = np.random.default_rng(0).standard_normal((6, 7))
    x[np.abs(x) < 1e-3] = 0.5  # keep clear of the ReLU kink, where the derivative does not exist
    assert_layer_gradients(nn.get_activation(name), x)


@pytest.mark.parametrize("name", sorted(nn.ACTIVATIONS))
def test_float32_stays_float32(name):
    layer = nn.get_activation(name)
    y = layer.forward(X.astype(np.float32))
    assert y.dtype == layer.backward(np.ones_like(y)).dtype == np.float32


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_of_huge_inputs_is_finite_without_overflow_warnings(dtype):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        layer = nn.Sigmoid()
        y = layer.forward(np.array([[-1e4, 1e4]], dtype=dtype))
        grad = layer.backward(np.ones_like(y))
    np.testing.assert_array_equal(y, [[0.0, 1.0]])
    assert np.all(np.isfinite(grad))


def test_unknown_activation_lists_the_valid_names():
    with pytest.raises(
        ValueError,
        match="unknown activation 'rleu'; choose one of: identity, leaky_relu, relu, sigmoid, tanh",
    ):
        nn.get_activation("rleu")


def test_leaky_relu_slope_is_configurable_and_validated():
    np.testing.assert_allclose(nn.LeakyReLU(0.2).forward(np.array([[-1.0]])), [[-0.2]])
    with pytest.raises(ValueError, match="negative_slope must be >= 0"):
        nn.LeakyReLU(-1)


def test_backward_before_forward_is_an_error():
    with pytest.raises(RuntimeError, match="backward called before forward"):
        nn.ReLU().backward(np.ones((1, 1)))


def test_leaky_relu_with_slope_0_is_relu():
    layer = nn.LeakyReLU(0.0)
    np.testing.assert_array_equal(layer.forward(X.copy()), HAND_COMPUTED["relu"])
    np.testing.assert_array_equal(layer.backward(np.ones_like(X)), DERIVATIVES["relu"])
