"""Losses: values and gradients by hand and by finite differences, stability, bad labels."""

import math
import warnings

import numpy as np
import pytest
from finite_differences import numerical_gradient

import numpynn as nn


def test_cross_entropy_matches_hand_computation():
    logits = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    labels = np.array([2, 0])
    expected = (math.log(math.exp(1) + math.exp(2) + math.exp(3)) - 3 + math.log(3)) / 2
    assert nn.SoftmaxCrossEntropy().forward(logits, labels) == pytest.approx(expected, rel=1e-15)


def test_cross_entropy_gradient_is_softmax_minus_onehot_over_n():
    logits = np.array([[0.0, 0.0], [0.0, math.log(3)]])
    loss = nn.SoftmaxCrossEntropy()
    loss.forward(logits, np.array([0, 1]))
    # softmax rows: [1/2, 1/2] and [1/4, 3/4]; minus onehot, over N=2
    np.testing.assert_allclose(loss.backward(), [[-0.25, 0.25], [0.125, -0.125]], rtol=1e-15)


@pytest.mark.parametrize("name", sorted(nn.LOSSES))
def test_loss_gradient_matches_finite_differences(name):
    rng = np.random.default_rng(0)
    outputs, labels = rng.standard_normal((5, 4)), rng.integers(0, 4, 5)
    loss = nn.get_loss(name)
    loss.forward(outputs, labels)
    analytic = loss.backward()
    numeric = numerical_gradient(lambda: loss.forward(outputs, labels), outputs)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-7, atol=1e-10)


def test_mse_matches_hand_computation_against_one_hot_targets():
    outputs = np.array([[0.5, 0.0], [1.0, 2.0]])
    loss = nn.MeanSquaredError()
    # targets [[1, 0], [0, 1]] -> squared errors 0.25, 0, 1, 1 -> mean 0.5625
    assert loss.forward(outputs, np.array([0, 1])) == 0.5625
    np.testing.assert_allclose(loss.backward(), [[-0.25, 0.0], [0.5, 0.5]])  # 2(o - t)/(N·C)


def test_mse_accepts_float_targets_of_the_same_shape():
    assert nn.MeanSquaredError().forward(np.array([[1.0, 3.0]]), np.array([[0.0, 1.0]])) == 2.5


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_is_stable_for_huge_logits(dtype):
    logits = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, 1e4]], dtype=dtype)
    loss = nn.SoftmaxCrossEntropy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = loss.forward(logits, np.array([1, 2]))
        grad = loss.backward()
    assert value == pytest.approx(1e4)  # (2e4 + 0) / 2
    assert np.all(np.isfinite(grad)) and grad.dtype == dtype


@pytest.mark.parametrize("name", sorted(nn.LOSSES))
def test_losses_reject_bad_labels(name):
    loss = nn.get_loss(name)
    with pytest.raises(
        ValueError, match=r"label 7 is out of range for 3 outputs; labels must be in 0..2"
    ):
        loss.forward(np.zeros((2, 3)), np.array([0, 7]))
    with pytest.raises(ValueError, match=r"labels must have shape \(2,\)"):
        loss.forward(np.zeros((2, 3)), np.array([0, 1, 2]))
    with pytest.raises(TypeError, match="labels must be integer class indices"):
        loss.forward(np.zeros((2, 3)), np.array([0.0, 1.0]))
    with pytest.raises(RuntimeError, match="before forward"):
        nn.get_loss(name).backward()


def test_unknown_loss_lists_the_valid_names():
    with pytest.raises(ValueError, match="unknown loss 'hinge'; choose one of: cross-entropy, mse"):
        nn.get_loss("hinge")


def test_softmax_rows_are_probabilities_even_for_huge_logits():
    logits = np.array([[1.0, 2.0, 3.0], [1e4, -1e4, 0.0]])
    probs = nn.losses.softmax(logits)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-15)
    np.testing.assert_allclose(probs[0], np.exp([1, 2, 3]) / np.exp([1, 2, 3]).sum(), rtol=1e-15)
    np.testing.assert_array_equal(probs[1], [1.0, 0.0, 0.0])
    loss_fn = nn.SoftmaxCrossEntropy()
    loss_fn.forward(logits, np.array([0, 1]))
    np.testing.assert_array_equal(loss_fn.probs, probs)  # the loss uses this very softmax


@pytest.mark.parametrize("name", sorted(nn.LOSSES))
def test_a_label_equal_to_the_number_of_classes_is_out_of_range(name):
    with pytest.raises(ValueError, match=r"label 3 is out of range for 3 outputs"):
        nn.get_loss(name).forward(np.zeros((2, 3)), np.array([0, 3]))
    with pytest.raises(ValueError, match=r"label -1 is out of range for 3 outputs"):
        nn.get_loss(name).forward(np.zeros((2, 3)), np.array([-1, 2]))
    assert nn.get_loss(name).forward(np.zeros((2, 3)), np.array([0, 2])) > 0  # 0 and 2 are valid


@pytest.mark.parametrize(
    ("name", "who"), [("cross-entropy", "SoftmaxCrossEntropy"), ("mse", "MeanSquaredError")]
)
def test_a_label_error_names_the_loss(name, who):
    loss = nn.get_loss(name)
    assert repr(loss) == f"{who}()"
    with pytest.raises(ValueError, match=rf"^{who}: labels must have shape \(2,\)"):
        loss.forward(np.zeros((2, 3)), np.array([0]))


def test_sigmoid_cross_entropy_matches_nielsens_formula_summed_over_outputs():
    logits = np.array([[0.5, -1.0, 2.0], [0.0, 3.0, -0.5]])
    labels = np.array([2, 0])
    a, y = 1 / (1 + np.exp(-logits)), np.eye(3)[labels]
    expected = np.sum(-y * np.log(a) - (1 - y) * np.log(1 - a)) / 2  # Σⱼ per image, mean over N
    loss = nn.SigmoidCrossEntropy()
    assert loss.forward(logits, labels) == pytest.approx(expected, rel=1e-14)
    np.testing.assert_allclose(loss.backward(), (a - y) / 2, rtol=1e-14)  # (σ(z) − y) / N


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_sigmoid_cross_entropy_is_finite_for_huge_logits(dtype):
    logits = np.array([[1e4, -1e4, 0.0]], dtype=dtype)
    loss = nn.SigmoidCrossEntropy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = loss.forward(logits, np.array([1]))  # confidently wrong on two outputs
        grad = loss.backward()
    assert value == pytest.approx(2e4 + math.log(2), rel=1e-6)
    assert grad.dtype == dtype
    np.testing.assert_allclose(grad, [[1.0, -1.0, 0.5]], rtol=1e-6)
