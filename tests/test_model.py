"""Sequential and mlp: what mlp builds, its defaults and seeds, and backward through a model."""

import numpy as np
import pytest
from finite_differences import assert_layer_gradients

import numpynn as nn


def test_mlp_builds_dense_activation_pairs_and_ends_with_logits():
    model = nn.mlp([784, 256, 128, 10], activation="tanh", dropout=0.2, seed=0)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["Dense", "Tanh", "Dropout", "Dense", "Tanh", "Dropout", "Dense"]
    assert [p.name for p in model.parameters()] == [
        "dense0.W", "dense0.b", "dense1.W", "dense1.b", "dense2.W", "dense2.b",
    ]  # fmt: skip
    assert model.num_parameters() == 784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10
    assert "Dense(784, 256)" in repr(model) and "Dropout(p=0.2)" in repr(model)


@pytest.mark.parametrize("sizes", [[3, 2], [4, 7, 3], [2, 5, 5, 5, 5, 2]])
def test_mlp_of_any_depth_backpropagates_correctly(sizes):
    model = nn.mlp(sizes, activation="sigmoid", dtype="float64", seed=1)
    assert_layer_gradients(model, np.random.default_rng(0).standard_normal((3, sizes[0])))


def test_mlp_defaults_to_float32_and_he_init_for_relu():
    model = nn.mlp([100, 50, 10], seed=0)
    assert model.dtype == np.float32
    assert model[0].W.value.std() == pytest.approx(np.sqrt(2 / 100), rel=0.05)
    assert nn.mlp([100, 50, 10], activation="tanh", seed=0)[0].W.value.std() == pytest.approx(
        np.sqrt(2 / 150), rel=0.05
    )


def test_mlp_same_seed_same_weights():
    a, b = nn.mlp([5, 4, 3], seed=7), nn.mlp([5, 4, 3], seed=7)
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        np.testing.assert_array_equal(p.value, q.value)


def test_mlp_rejects_bad_arguments():
    with pytest.raises(ValueError, match="unknown activation 'rleu'; choose one of"):
        nn.mlp([4, 2], activation="rleu")
    with pytest.raises(ValueError, match="at least an input and an output"):
        nn.mlp([4])
    with pytest.raises(ValueError, match="dtype must be float32 or float64"):
        nn.mlp([4, 2], dtype="int8")


def test_model_rejects_input_of_the_wrong_width():
    with pytest.raises(ValueError, match=r"expects input of shape \(N, 784\), got \(3, 785\)"):
        nn.mlp([784, 10]).forward(np.zeros((3, 785), dtype=np.float32))


def test_backward_without_input_grad_gives_the_same_parameter_gradients():
    model = nn.mlp([6, 5, 3], seed=0, dtype="float64")
    x = np.random.default_rng(0).standard_normal((4, 6))
    grad_y = np.random.default_rng(1).standard_normal((4, 3))
    model.forward(x, training=True)
    assert model.backward(grad_y).shape == (4, 6)
    full = [p.grad.copy() for p in model.parameters()]
    model.forward(x, training=True)
    assert model.backward(grad_y, input_grad=False) is None  # the first layer skips grad_y Wᵀ
    for p, expected in zip(model.parameters(), full, strict=True):
        np.testing.assert_array_equal(p.grad, expected)


def test_mlp_refuses_a_network_too_large_before_allocating_it():
    import tracemalloc

    tracemalloc.start()
    try:
        with pytest.raises(
            ValueError,
            match=r"mlp: the widths \[784, 1000000000, 10\] make a network of 795,000,000,010 parameters",
        ):
            nn.mlp([784, 10**9, 10])
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert peak < 1_000_000


def test_sequential_takes_layers_as_arguments_or_as_a_list_and_refuses_the_rest():
    a, b = nn.Dense(3, 4, rng=np.random.default_rng(0)), nn.ReLU()
    assert nn.Sequential(a, b).layers == nn.Sequential([a, b]).layers == [a, b]
    with pytest.raises(TypeError, match="Sequential takes layers, got int: 3"):
        nn.Sequential(a, 3)
