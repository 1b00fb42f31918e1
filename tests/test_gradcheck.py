"""gradcheck: real networks pass near 1e-9, wrong backward passes fail, kinks are counted apart,
and bad arguments are clear errors."""

import math

import numpy as np
import pytest

import numpynn as nn
from numpynn.gradcheck import (
    GradcheckReport,
    GradcheckRow,
    _sample_coords,
    float64_copy,
    relative_error,
    resolution,
)


def batch(rng, N=5, features=6, classes=3):
    return rng.standard_normal((N, features)), rng.integers(0, classes, N)


class TransposedDense(nn.Dense):
    """The classic bug: dL/dW written as (xᵀ grad_y)ᵀ. Right shape only for a square W."""

    def backward(self, grad_y, input_grad=True):
        self.W.grad[...] = (self._x.T @ grad_y).T
        self.b.grad[...] = grad_y.sum(axis=0)
        return grad_y @ self.W.value.T


class ScaledDense(nn.Dense):
    """dL/dW off by a constant factor (e.g. a stray 2 from a squared term)."""

    factor = 2.0

    def backward(self, grad_y, input_grad=True):
        grad_x = super().backward(grad_y, input_grad)
        self.W.grad *= self.factor
        return grad_x


def network(first_layer, rng, activation="tanh"):
    return nn.Sequential(
        [
            first_layer,
            nn.get_activation(activation),
            nn.Dense(6, 3, rng=rng, dtype="float64", name="dense1"),
        ]
    )


@pytest.mark.parametrize("activation", sorted(nn.ACTIVATIONS))
@pytest.mark.parametrize("loss", sorted(nn.LOSSES))
def test_real_mlps_pass_with_errors_near_1e_9(activation, loss, rng):
    model = nn.mlp([6, 5, 4, 3], activation, dtype="float64", seed=1)
    report = nn.gradcheck(model, nn.get_loss(loss), *batch(rng))
    assert report.passed, str(report)
    assert report.max_rel_error < 1e-8
    assert [row.name for row in report.rows] == [p.name for p in model.parameters()] + ["input x"]


def test_a_transposed_weight_gradient_fails_with_a_large_error(rng):
    model = network(TransposedDense(6, 6, rng=rng, dtype="float64"), rng)
    report = nn.gradcheck(model, nn.SoftmaxCrossEntropy(), *batch(rng))
    assert not report.passed
    rows = {row.name: row for row in report.rows}
    assert rows["dense.W"].result == "FAIL" and rows["dense.W"].max_rel_error > 0.5
    assert rows["dense.W"].worst[0] != rows["dense.W"].worst[1]  # the diagonal is right
    assert all(row.passed for name, row in rows.items() if name != "dense.W")
    assert "FAIL" in str(report).splitlines()[1] and str(report).splitlines()[-1].startswith("FAIL")


@pytest.mark.parametrize(("factor", "smallest_error"), [(2.0, 0.3), (1 + 1e-5, 1e-6)])
def test_a_scaled_weight_gradient_fails_even_when_off_by_1e_minus_5(factor, smallest_error, rng):
    layer = ScaledDense(6, 6, rng=rng, dtype="float64")
    layer.factor = factor
    report = nn.gradcheck(network(layer, rng), nn.MeanSquaredError(), *batch(rng))
    assert not report.passed and report.rows[0].result == "FAIL"
    assert report.rows[0].max_rel_error > smallest_error


def test_a_wrong_input_gradient_fails_in_the_input_row(rng):
    class ForgetsTheTranspose(nn.Dense):
        def backward(self, grad_y, input_grad=True):
            super().backward(grad_y, input_grad)
            return grad_y @ self.W.value  # W, not Wᵀ: fits only because W is square

    model = nn.Sequential([ForgetsTheTranspose(6, 6, rng=rng, dtype="float64")])
    report = nn.gradcheck(model, nn.MeanSquaredError(), *batch(rng, classes=6))
    assert [row.result for row in report.rows] == ["PASS", "PASS", "FAIL"]


def test_nan_or_inf_gradients_fail(rng):
    class NaNBias(nn.Dense):
        def backward(self, grad_y, input_grad=True):
            grad_x = super().backward(grad_y, input_grad)
            self.b.grad[0] = np.nan
            return grad_x

    report = nn.gradcheck(network(NaNBias(6, 6, rng=rng, dtype="float64"), rng),
                          nn.SoftmaxCrossEntropy(), *batch(rng))  # fmt: skip
    assert report.rows[1].name == "dense.b" and report.rows[1].result == "FAIL"
    assert report.rows[1].max_rel_error == math.inf


def relu_net_with_a_zero_row(activation="relu"):
    """Row 0 of x is zero and every bias is 0, so each hidden pre-activation of row 0 is exactly
    0: perturbing a first-layer bias or row 0 of x moves it across the kink."""
    rng = np.random.default_rng(3)
    model = nn.mlp([4, 3, 2], activation, dtype="float64", rng=rng)
    x = rng.standard_normal((3, 4))
    x[0] = 0
    return model, x, np.array([0, 1, 1])


@pytest.mark.parametrize("activation", ["relu", "leaky_relu"])
def test_kinks_are_reported_apart_not_failed_and_not_hidden(activation):
    model, x, labels = relu_net_with_a_zero_row(activation)
    report = nn.gradcheck(model, nn.SoftmaxCrossEntropy(), x, labels)
    rows = {row.name: row for row in report.rows}
    assert report.passed
    assert rows["dense0.b"].kinks == 3 and rows["dense0.b"].result == "SKIP"
    assert math.isnan(rows["dense0.b"].max_rel_error)
    assert rows["input x"].kinks == 4 and rows["input x"].checked == 12
    assert rows["dense0.W"].kinks == 0 and rows["dense0.W"].result == "PASS"
    assert report.kinks == 7 and len(report.kink_coords) == 7
    assert ("dense0.b", (0,)) in report.kink_coords and ("input x", (0, 3)) in report.kink_coords
    assert "7 kink coordinates skipped" in str(report)

    # Not a formality: at those coordinates the finite difference really disagrees with backward
    loss_fn = nn.SoftmaxCrossEntropy()
    loss_fn.forward(model.forward(x, training=True), labels)
    model.backward(loss_fn.backward())
    b, eps = model[0].b.value, 1e-6
    b[0] = eps
    plus = loss_fn.forward(model.forward(x), labels)
    b[0] = -eps
    minus = loss_fn.forward(model.forward(x), labels)
    b[0] = 0
    numeric = (plus - minus) / (2 * eps)
    assert relative_error(model[0].b.grad[0], numeric, 1e-12) > 1e-3


def test_a_float32_model_is_checked_in_a_float64_copy_and_left_untouched(rng):
    model = nn.mlp([6, 5, 3], "relu", dropout=0.5, seed=2)
    before = [p.value.copy() for p in model.parameters()]
    dropout_state = model[2].rng.bit_generator.state
    x, labels = batch(rng)
    report = nn.gradcheck(model, nn.SoftmaxCrossEntropy(), x.astype(np.float32), labels)
    assert report.source_dtype == "float32" and "float32 model checked in a float64 copy" in str(
        report
    )
    assert report.passed and report.max_rel_error < 1e-8  # float32 differences could not do this
    for p, value in zip(model.parameters(), before, strict=True):
        assert p.value.dtype == p.grad.dtype == np.float32
        np.testing.assert_array_equal(p.value, value)
        assert not p.grad.any()
    assert model[2].rng.bit_generator.state == dropout_state


def test_float64_copy_keeps_layer_classes_and_values(rng):
    model = nn.Sequential([ScaledDense(3, 2, rng=rng), nn.LeakyReLU(0.2)])
    model.forward(np.ones((1, 3), dtype=np.float32))
    copy = float64_copy(model)
    assert type(copy[0]) is ScaledDense and copy[1].negative_slope == 0.2
    assert copy[0].W.value.dtype == copy[0].W.grad.dtype == copy[1]._slope.dtype == np.float64
    np.testing.assert_array_equal(copy[0].W.value, model[0].W.value)
    assert model[0].W.value.dtype == np.float32


def test_dropout_uses_one_fixed_mask_so_the_check_passes_and_repeats(rng):
    model = nn.mlp([6, 8, 8, 3], "tanh", dropout=0.5, dtype="float64", seed=0)
    x, labels = batch(rng)
    first = nn.gradcheck(model, nn.MeanSquaredError(), x, labels, seed=4)
    second = nn.gradcheck(model, nn.MeanSquaredError(), x, labels, seed=4)
    assert first.passed, str(first)
    assert str(first) == str(second)

    # the fixed mask matters: with a fresh mask per forward the check would be meaningless
    dropout = model[2]
    dropout.rng = np.random.default_rng(0)
    y1, y2 = (model.forward(x, training=True) for _ in range(2))
    assert not np.allclose(y1, y2)


def test_large_tensors_are_sampled_and_small_ones_checked_exhaustively(rng):
    model = nn.mlp([30, 20, 3], "sigmoid", dtype="float64", seed=0)
    x, labels = batch(rng, features=30)
    report = nn.gradcheck(model, nn.SoftmaxCrossEntropy(), x, labels, max_coords=50, seed=1)
    checked = {row.name: (row.checked, row.size) for row in report.rows}
    assert checked == {"dense0.W": (50, 600), "dense0.b": (20, 20), "dense1.W": (50, 60),
                       "dense1.b": (3, 3), "input x": (50, 150)}  # fmt: skip


def test_nan_in_the_batch_is_a_clear_error(rng):
    x, labels = batch(rng)
    x[1, 2] = np.nan
    with pytest.raises(ValueError, match=r"gradcheck: x must be finite, got nan at index \(1, 2\)"):
        nn.gradcheck(nn.mlp([6, 3], seed=0), nn.SoftmaxCrossEntropy(), x, labels)


def test_a_non_scalar_or_non_finite_loss_is_a_clear_error(rng):
    class PerSampleLoss(nn.Loss):
        def forward(self, outputs, labels):
            return (outputs**2).sum(axis=1)

    class NaNLoss(nn.Loss):
        def forward(self, outputs, labels):
            return float("nan")

    model, (x, labels) = nn.mlp([6, 3], dtype="float64", seed=0), batch(rng)
    with pytest.raises(ValueError, match=r"gradcheck: the loss must be a scalar, got shape \(5,\)"):
        nn.gradcheck(model, PerSampleLoss(), x, labels)
    with pytest.raises(ValueError, match="gradcheck: the loss must be finite, got nan"):
        nn.gradcheck(model, NaNLoss(), x, labels)
    targets = np.full((5, 3), np.inf)
    with pytest.raises(ValueError, match="the loss must be finite, got inf"):
        nn.gradcheck(model, nn.MeanSquaredError(), x, targets)


def test_a_gradient_of_the_wrong_shape_is_a_clear_error(rng):
    class WrongShape(nn.Dense):
        def backward(self, grad_y, input_grad=True):
            grad_x = super().backward(grad_y, input_grad)
            self.W.grad = self.W.grad.T.copy()
            return grad_x

    with pytest.raises(
        ValueError, match=r"dense.W.grad must have the parameter's shape \(6, 4\), got \(4, 6\)"
    ):
        nn.gradcheck(nn.Sequential([WrongShape(6, 4, rng=rng)]), nn.MeanSquaredError(),
                     *batch(rng, classes=4))  # fmt: skip


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"eps": 0.0}, r"eps must be in \(0, 1\), got 0.0"),
        ({"eps": 1.0}, r"eps must be in \(0, 1\), got 1.0"),
        ({"max_coords": 0}, "gradcheck: max_coords must be an integer >= 1, got 0"),
        ({"threshold": 2.0}, r"threshold must be in \(0, 1\), got 2.0"),
        ({"threshold": 1.0}, r"threshold must be in \(0, 1\), got 1.0"),
        ({"threshold": 0.0}, r"threshold must be in \(0, 1\), got 0.0"),
    ],
)
def test_bad_options_are_clear_errors(kwargs, message, rng):
    with pytest.raises(ValueError, match=message):
        nn.gradcheck(nn.mlp([6, 3], seed=0), nn.SoftmaxCrossEntropy(), *batch(rng), **kwargs)


def test_bad_model_loss_or_batch_are_clear_errors(rng):
    x, labels = batch(rng)
    with pytest.raises(TypeError, match=r"model must be a Sequential, got Dense; wrap"):
        nn.gradcheck(nn.Dense(6, 3, rng=rng), nn.SoftmaxCrossEntropy(), x, labels)
    with pytest.raises(TypeError, match="loss_fn must be a Loss, got function"):
        nn.gradcheck(nn.mlp([6, 3], seed=0), lambda o, t: 0.0, x, labels)
    with pytest.raises(ValueError, match=r"x must be a non-empty \(N, features\) array"):
        nn.gradcheck(nn.mlp([6, 3], seed=0), nn.SoftmaxCrossEntropy(), x[0], labels)


def test_relative_error_formula():
    a = np.array([1.0, 2.0, 0.0, 1e-20, np.nan, 1.0])
    n = np.array([1.0, 1.0, 0.0, 0.0, 1.0, np.inf])
    np.testing.assert_array_equal(
        relative_error(a, n, 1e-12), [0.0, 1 / 3, 0.0, 1e-8, np.inf, np.inf]
    )


def test_resolution_is_16_ulps_of_the_loss_over_eps():
    assert resolution(2.0, 1e-6) == pytest.approx(16 * 2.0**-52 * 2.0 / 1e-6)
    assert resolution(0.01, 1e-6) == resolution(1.0, 1e-6)  # never below 16 ulps of 1
    assert resolution(1.5, 1e-6) == 16 * 2.0**-52 * 1.5 / 1e-6


def test_layers_sharing_a_name_are_checked_each_against_its_own_gradient(rng):
    model = nn.Sequential([nn.Dense(6, 6, rng=rng, dtype="float64"), nn.Tanh(),
                           nn.Dense(6, 3, rng=rng, dtype="float64")])  # fmt: skip
    report = nn.gradcheck(model, nn.SoftmaxCrossEntropy(), *batch(rng))
    assert [row.name for row in report.rows] == ["dense.W", "dense.b"] * 2 + ["input x"]
    assert [row.shape for row in report.rows][:4] == [(6, 6), (6,), (6, 3), (3,)]
    assert report.passed, str(report)


def test_nested_sequentials_are_checked_layer_by_layer(rng):
    inner = nn.Sequential(
        [nn.Dense(6, 5, rng=rng, name="inner"), nn.ReLU(), nn.Dropout(0.5, rng=rng)]
    )
    model = nn.Sequential([inner, nn.Dense(5, 3, rng=rng, name="outer")])
    x, labels = batch(rng)
    x[0] = 0  # row 0 sits on every ReLU kink of the inner block
    report = nn.gradcheck(model, nn.SoftmaxCrossEntropy(), x.astype(np.float32), labels)
    assert [row.name for row in report.rows] == [
        "inner.W",
        "inner.b",
        "outer.W",
        "outer.b",
        "input x",
    ]
    assert report.passed and report.rows[1].kinks == 5, str(report)


def report_rows():
    return [
        GradcheckRow("dense0.W", (3, 2), 6, 2.5e-10, 0, True, (0, 1)),
        GradcheckRow("dense0.b", (2,), 2, math.nan, 2, True),
        GradcheckRow("input x", (4, 3), 5, 0.25, 1, False, (1, 1)),
    ]


def test_the_report_table_by_hand():
    report = GradcheckReport(report_rows(), 1e-6, 1e-7, 3.5e-3, "float32")
    assert str(report).splitlines() == [
        "tensor    shape  checked  max rel error  kinks skipped  result",
        "dense0.W  3x2    6/6      2.50e-10       0              PASS",
        "dense0.b  2      2/2      -              2              SKIP",
        "input x   4x3    5/12     2.50e-01       1              FAIL",
        "FAIL: max rel error 2.50e-01 (threshold 1e-07, eps 1e-06, tiny 3.5e-03, float32 model "
        "checked in a float64 copy), 3 kink coordinates skipped",
    ]
    assert not report.passed and report.max_rel_error == 0.25 and report.kinks == 3
    passing = GradcheckReport(report_rows()[:2], 1e-6, 1e-7, 3.5e-3, "float64")
    assert str(passing).splitlines()[-1] == (
        "PASS: max rel error 2.50e-10 (threshold 1e-07, eps 1e-06, tiny 3.5e-03, float64 model "
        "checked in float64), 2 kink coordinates skipped"
    )
    assert passing.passed and passing.kink_coords == []
    nothing_compared = GradcheckReport(report_rows()[1:2], 1e-6, 1e-7, 3.5e-3, "float64")
    assert math.isnan(nothing_compared.max_rel_error)


def test_a_batch_of_one_number_is_checked_and_an_empty_batch_refused():
    model = nn.Sequential([nn.Dense(1, 2, rng=np.random.default_rng(0), dtype="float64")])
    report = nn.gradcheck(model, nn.SoftmaxCrossEntropy(), np.array([[0.5]]), np.array([1]))
    assert report.passed and report.rows[-1].checked == 1
    with pytest.raises(ValueError, match=r"x must be a non-empty \(N, features\) array"):
        nn.gradcheck(model, nn.SoftmaxCrossEntropy(), np.zeros((0, 1)), np.array([], dtype=int))


def test_a_model_without_parameters_is_checked_in_float64(rng):
    x = rng.standard_normal((3, 4))
    report = nn.gradcheck(nn.Sequential([nn.Tanh()]), nn.MeanSquaredError(), x, np.array([0, 1, 3]))
    assert report.source_dtype == "float64" and "float64 model checked in float64" in str(report)
    assert [row.name for row in report.rows] == ["input x"] and report.passed


def test_by_default_up_to_100_coordinates_are_checked_from_seed_0(rng):
    model = nn.mlp([6, 20, 3], "tanh", dropout=0.5, dtype="float64", seed=0)
    x, labels = batch(rng)

    def summary(report):
        return [(row.checked, row.max_rel_error, row.worst) for row in report.rows]

    default = nn.gradcheck(model, nn.SoftmaxCrossEntropy(), x, labels)
    assert [row.checked for row in default.rows] == [100, 20, 60, 3, 30]
    assert summary(default) == summary(
        nn.gradcheck(model, nn.SoftmaxCrossEntropy(), x, labels, seed=0)
    )
    assert summary(default) != summary(
        nn.gradcheck(model, nn.SoftmaxCrossEntropy(), x, labels, seed=1)
    )


def test_sampled_coordinates_are_distinct_and_a_small_tensor_draws_none():
    rng = np.random.default_rng(0)
    coords = _sample_coords((20, 30), 50, rng)
    assert len(set(coords)) == 50 and coords == sorted(coords)
    state = rng.bit_generator.state
    assert _sample_coords((5, 10), 50, rng) == [(i, j) for i in range(5) for j in range(10)]
    assert rng.bit_generator.state == state  # so the samples of later tensors do not shift


def test_a_tensor_passes_only_below_the_threshold(rng):
    layer = ScaledDense(6, 6, rng=rng, dtype="float64")
    model, (x, labels) = network(layer, rng), batch(rng)
    error = (
        nn.gradcheck(model, nn.MeanSquaredError(), x, labels, threshold=0.5).rows[0].max_rel_error
    )
    at = nn.gradcheck(model, nn.MeanSquaredError(), x, labels, threshold=error).rows[0]
    assert at.max_rel_error == error and not at.passed
    above = np.nextafter(error, 1.0)
    assert nn.gradcheck(model, nn.MeanSquaredError(), x, labels, threshold=above).rows[0].passed


def test_the_check_runs_the_model_in_training_mode(rng):
    """A backward that is wrong only when dropout is on must fail."""

    class DropoutWithoutMask(nn.Dropout):
        def backward(self, grad_y, input_grad=True):
            return grad_y

    model = nn.Sequential(
        [nn.Dense(6, 4, rng=rng, dtype="float64"), DropoutWithoutMask(0.5, rng=rng)]
    )
    report = nn.gradcheck(model, nn.MeanSquaredError(), *batch(rng, classes=4))
    assert not report.passed and report.rows[-1].result == "FAIL"


def test_an_input_that_lands_exactly_on_zero_is_no_kink():
    """ReLU's input is 0 after the +eps step and -eps after the -eps step: both sides are flat
    (input > 0 is false on both), so nothing is skipped."""
    model, x, labels = relu_net_with_a_zero_row()
    model[0].b.value[...] = -1e-6  # row 0's hidden inputs are the biases
    report = nn.gradcheck(model, nn.SoftmaxCrossEntropy(), x, labels, eps=1e-6)
    rows = {row.name: row for row in report.rows}
    assert rows["dense0.b"].kinks == 0 and rows["dense0.b"].result == "PASS"
