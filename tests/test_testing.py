"""numpynn.testing checks a student's own layer or function pair: the right code passes; each
typical bug fails, as a FAIL row (never an exception), with a message that names it."""

import numpy as np
import pytest

import numpynn as nn
from numpynn.testing import check_functions, check_layer


def affine_forward(x, w, b):
    return x @ w + b, (x, w)


def affine_backward(dout, cache):
    x, w = cache
    return dout @ w.T, x.T @ dout, dout.sum(axis=0)


def sigmoid_forward(x):
    s = 1 / (1 + np.exp(-x))
    return s, s


def sigmoid_backward(dout, s):
    return dout * s * (1 - s)


def failures(report) -> dict[str, str]:
    return {row.check: row.detail for row in report.failures}


def test_right_code_passes_in_rows_columns_and_as_a_layer(rng, capsys):
    assert check_functions(affine_forward, affine_backward, verbose=False).passed
    assert check_functions(sigmoid_forward, sigmoid_backward, verbose=False).passed

    def forward_columns(x, W, b):
        return W @ x + b, (x, W)

    def backward_columns(dout, cache):
        x, W = cache
        return W.T @ dout, dout @ x.T, dout.sum(axis=1, keepdims=True)

    assert check_functions(
        forward_columns, backward_columns, layout="columns", verbose=False
    ).passed
    report = check_layer(nn.Dense(5, 3, rng=rng, dtype="float32"), rng.standard_normal((4, 5)))
    assert report.passed and {row.batch for row in report.rows} == {1, 4}
    assert "dL/dW (dense.W)" in capsys.readouterr().out


class Bugs:
    """Typical bugs of an affine layer's backward, as function pairs."""

    @staticmethod
    def transposed(dout, cache):  # dW as dout.T @ x: the shape of the transpose
        x, w = cache
        return dout @ w.T, dout.T @ x, dout.sum(axis=0)

    @staticmethod
    def wrong_sign(dout, cache):
        x, w = cache
        return -(dout @ w.T), x.T @ dout, dout.sum(axis=0)

    @staticmethod
    def forgotten_bias(dout, cache):
        x, w = cache
        return dout @ w.T, x.T @ dout, np.zeros(w.shape[1])

    @staticmethod
    def divided_by_n(dout, cache):  # the 1/N belongs to the loss, not here as well
        x, w = cache
        return dout @ w.T, x.T @ dout / len(x), dout.sum(axis=0)


@pytest.mark.parametrize(
    ("bug", "check", "message"),
    [
        (Bugs.transposed, "dL/dW", "the shape of its transpose, did you compute dL/dW transposed?"),
        (Bugs.wrong_sign, "dL/dx", "it has the wrong sign"),
        (Bugs.forgotten_bias, "dL/db", "it is all zeros: is this gradient computed"),
        (
            Bugs.divided_by_n,
            "dL/dW",
            "N times too small (N = 4): did you divide by the batch size twice?",
        ),
    ],
)
def test_each_affine_bug_fails_with_a_message_that_names_it(bug, check, message):
    report = check_functions(affine_forward, bug, verbose=False)
    assert not report.passed
    assert message in failures(report)[check]


def test_a_square_transposed_gradient_is_named_too():
    def transposed(dout, cache):
        x, w = cache
        return dout @ w.T, (x.T @ dout).T, dout.sum(axis=0)

    report = check_functions(affine_forward, transposed, sizes=(4, 3, 3), verbose=False)
    assert "it is the transpose of the right gradient" in failures(report)["dL/dW"]


def test_sigmoid_derivative_written_as_sigmoid_is_named():
    report = check_functions(sigmoid_forward, lambda dout, s: dout * s, verbose=False)
    assert "your derivative f'(x) is the output f(x) itself" in failures(report)["dL/dx"]


class InPlace(nn.Layer):
    """ReLU that zeroes its input in place: the caller's array changes."""

    def forward(self, x, training=False):
        self.mask = x > 0
        x *= self.mask
        return x

    def backward(self, grad_y, input_grad=True):
        return grad_y * self.mask


class Accumulating(nn.Dense):
    """Dense whose backward adds to W.grad instead of setting it."""

    def backward(self, grad_y, input_grad=True):
        grad_x = grad_y @ self.W.value.T
        self.W.grad += self._x.T @ grad_y
        self.b.grad[...] = grad_y.sum(axis=0)
        return grad_x


def test_an_input_changed_in_place_and_accumulated_gradients_are_named(rng):
    x = rng.standard_normal((4, 5))
    report = check_layer(InPlace(), x, verbose=False)
    assert "changed in place" in failures(report)["forward/backward leave the input"]
    report = check_layer(Accumulating(5, 3, rng=rng), x, verbose=False)
    assert "do not add (+=)" in failures(report)["backward sets gradients"]


def test_a_crashing_forward_is_a_fail_row_not_an_exception(rng):
    class Broken(nn.Layer):
        def forward(self, x, training=False):
            raise NotImplementedError("write the forward pass")

    report = check_layer(Broken(), rng.standard_normal((2, 3)), verbose=False)
    assert failures(report) == {"forward runs": "NotImplementedError: write the forward pass"}


def test_the_report_prints_a_table_and_a_verdict(rng):
    report = check_functions(affine_forward, Bugs.wrong_sign, verbose=False)
    text = str(report)
    assert text.splitlines()[0].split() == ["check", "batch", "result", "detail"]
    assert text.splitlines()[-1].startswith("FAIL: 2 of 14 checks")
    with pytest.raises(ValueError, match="layout must be 'rows' or 'columns'"):
        check_functions(affine_forward, affine_backward, layout="cols")
