"""Initializers: the documented variance, bounds and dtype; seeded; unknown names listed."""

import math

import numpy as np
import pytest

import numpynn as nn

EXPECTED_STD = {
    "he_normal": lambda fan_in, fan_out: math.sqrt(2 / fan_in),
    "he_uniform": lambda fan_in, fan_out: math.sqrt(2 / fan_in),
    "xavier_normal": lambda fan_in, fan_out: math.sqrt(2 / (fan_in + fan_out)),
    "xavier_uniform": lambda fan_in, fan_out: math.sqrt(2 / (fan_in + fan_out)),
    "lecun_normal": lambda fan_in, fan_out: math.sqrt(1 / fan_in),
    "normal": lambda fan_in, fan_out: 1.0,
}


@pytest.mark.parametrize("name", sorted(EXPECTED_STD))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_initializers_have_the_documented_variance_and_dtype(name, dtype):
    W = nn.get_initializer(name)(400, 300, np.random.default_rng(0), dtype)
    assert W.shape == (400, 300) and W.dtype == dtype
    assert abs(W.mean()) < 0.01 * EXPECTED_STD[name](400, 300) * 10
    assert W.std() == pytest.approx(EXPECTED_STD[name](400, 300), rel=0.02)


def test_uniform_initializers_stay_within_their_bound():
    W = nn.he_uniform(100, 50, np.random.default_rng(0))
    assert np.abs(W).max() <= math.sqrt(6 / 100)


def test_same_seed_same_weights_and_different_seed_different_weights():
    a = nn.he_normal(10, 5, np.random.default_rng(3))
    np.testing.assert_array_equal(a, nn.he_normal(10, 5, np.random.default_rng(3)))
    assert not np.array_equal(a, nn.he_normal(10, 5, np.random.default_rng(4)))


def test_unknown_initializer_lists_the_valid_names():
    with pytest.raises(ValueError, match="unknown initializer 'glorot'; choose one of: he_normal"):
        nn.get_initializer("glorot")


@pytest.mark.parametrize("name", sorted(nn.INITIALIZERS))
def test_initializers_draw_float32_by_default(name):
    W = nn.get_initializer(name)(3, 2, np.random.default_rng(0))
    assert W.shape == (3, 2) and W.dtype == np.float32


def test_every_random_initializer_has_its_documented_variance_tested():
    assert set(EXPECTED_STD) == set(nn.INITIALIZERS) - {"zeros"}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_biases_start_at_zero_or_standard_normal(dtype):
    rng = np.random.default_rng(0)
    assert not nn.Dense(3, 4, rng=rng, dtype=dtype).b.value.any()
    b = nn.Dense(3, 5000, rng=rng, dtype=dtype, bias_init="normal").b.value
    assert b.shape == (5000,) and b.dtype == dtype
    assert b.std() == pytest.approx(1.0, rel=0.05) and abs(b.mean()) < 0.05


def test_a_bias_initializer_is_checked_and_needs_a_generator():
    with pytest.raises(
        ValueError, match="unknown bias initializer 'ones'; choose one of: normal, zeros"
    ):
        nn.Dense(3, 2, rng=np.random.default_rng(0), bias_init="ones")
    with pytest.raises(
        TypeError, match="init='zeros' with bias_init='normal' needs random numbers"
    ):
        nn.Dense(3, 2, init="zeros", bias_init="normal")
