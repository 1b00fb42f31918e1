"""Parameter: a value, a gradient of the same shape and dtype, and a name."""

import numpy as np

import numpynn as nn


def test_a_parameter_has_a_zero_gradient_of_its_value_s_shape_and_dtype():
    p = nn.Parameter(np.ones((2, 3), dtype=np.float32), "dense0.W")
    assert p.grad.shape == p.shape == (2, 3) and p.grad.dtype == np.float32
    assert not p.grad.any() and p.size == 6 and p.name == "dense0.W"
    assert repr(p) == "Parameter('dense0.W', shape=(2, 3), dtype=float32)"


def test_a_given_gradient_array_is_used_as_it_is():
    grad = np.zeros(3)
    p = nn.Parameter(np.ones(3), grad=grad)
    assert p.grad is grad


def test_a_parameter_is_unnamed_by_default():
    assert repr(nn.Parameter(np.zeros(2))) == "Parameter('', shape=(2,), dtype=float64)"
