"""numpynn.testing checks a student's own layer or function pair: the right code passes; each
typical bug fails, as a FAIL row (never an exception), with a message that names it."""

import numpy as np
import pytest

import numpynn as nn
from numpynn.testing import check_functions, check_layer, check_loss, check_network, check_optimizer


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
            "N times too small (N = 4): a mean where the sum over the batch belongs, or 1/N twice?",
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


def test_a_gradient_changed_in_place_is_named():
    def relu_forward(x):
        return np.maximum(x, 0), x

    def relu_backward_in_place(dout, x):
        dout[x <= 0] = 0
        return dout

    found = failures(check_functions(relu_forward, relu_backward_in_place, verbose=False))
    assert (
        set(found) == {"backward leaves dL/dy"}
        and "changed in place" in found["backward leaves dL/dy"]
    )


def test_a_crashing_forward_is_a_fail_row_not_an_exception(rng):
    class Broken(nn.Layer):
        def forward(self, x, training=False):
            raise NotImplementedError("write the forward pass")

    report = check_layer(Broken(), rng.standard_normal((2, 3)), verbose=False)
    assert failures(report) == {"forward runs": "NotImplementedError: write the forward pass"}

    report = check_functions(affine_forward, lambda dout, cache: 1 / 0, verbose=False)
    assert failures(report) == {"backward runs": "ZeroDivisionError: division by zero"}


def relu_mlp(params, x, labels=None):
    """A right two-layer network in the CS231n style, rows."""
    (W1, b1), (W2, b2) = params
    z1 = x @ W1 + b1
    scores = np.maximum(z1, 0) @ W2 + b2
    if labels is None:
        return scores
    p = np.exp(scores - scores.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    N = len(x)
    loss = -np.log(p[np.arange(N), labels]).mean()
    dscores = p.copy()
    dscores[np.arange(N), labels] -= 1
    dscores /= N
    dz1 = dscores @ W2.T * (z1 > 0)
    grads = [(x.T @ dz1, dz1.sum(axis=0)), (np.maximum(z1, 0).T @ dscores, dscores.sum(axis=0))]
    return loss, grads


def in_columns(model_fn):
    def network(params, x, labels=None):
        rows = [(W.T, b.ravel()) for W, b in params]
        if labels is None:
            return model_fn(rows, x.T).T
        loss, grads = model_fn(rows, x.T, labels)
        return loss, [(dW.T, db[:, None]) for dW, db in grads]

    return network


def test_a_network_is_checked_in_rows_and_columns_and_its_bugs_named():
    assert check_network(relu_mlp, verbose=False).passed
    assert check_network(in_columns(relu_mlp), layout="columns", verbose=False).passed
    assert not check_network(relu_mlp, layout="columns", verbose=False).passed

    def unmasked(params, x, labels=None):
        (W1, b1), (W2, b2) = params
        if labels is None:
            return relu_mlp(params, x)
        loss, grads = relu_mlp(params, x, labels)
        scores = relu_mlp(params, x)
        p = np.exp(scores - scores.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        p[np.arange(len(x)), labels] -= 1
        dz1 = p / len(x) @ W2.T
        return loss, [(x.T @ dz1, dz1.sum(axis=0)), grads[1]]

    found = failures(check_network(unmasked, verbose=False))
    assert set(found) == {"dL/dW1", "dL/db1"} and "masks left out" in found["dL/dW1"]

    def summed(params, x, labels=None):
        out = relu_mlp(params, x, labels)
        return out if labels is None else (out[0] * len(x), out[1][:1])

    found = failures(check_network(summed, verbose=False))
    assert "the sum over the batch, not the mean" in found["loss value"]
    assert "got None: is it computed and returned?" in found["dL/dW2"]
    found = failures(check_network(lambda params, x, labels=None: 1 / 0, verbose=False))
    assert found == {"network runs": "ZeroDivisionError: division by zero"}


def test_the_report_prints_a_table_and_a_verdict(rng):
    report = check_functions(affine_forward, Bugs.wrong_sign, verbose=False)
    text = str(report)
    assert text.splitlines()[0].split() == ["check", "batch", "result", "detail"]
    assert text.splitlines()[-1].startswith("FAIL: 2 of 16 checks")
    with pytest.raises(ValueError, match="layout must be 'rows' or 'columns'"):
        check_functions(affine_forward, affine_backward, layout="cols")


def softmax_loss(scores, labels, *, mean=True, shift=True):
    """The CS231n-style softmax loss; ``mean=False`` forgets the 1/N, ``shift=False`` the
    row maximum."""
    s = scores - scores.max(axis=1, keepdims=True) if shift else scores
    p = np.exp(s) / np.exp(s).sum(axis=1, keepdims=True)
    rows = np.arange(len(labels))
    scale = 1 / len(labels) if mean else 1.0
    grad = p.copy()
    grad[rows, labels] -= 1
    return -np.log(p[rows, labels]).sum() * scale, grad * scale


def test_a_loss_is_checked_against_numpynns_and_its_bugs_are_named():
    assert check_loss(softmax_loss, verbose=False).passed
    assert check_loss(nn.SigmoidCrossEntropy(), "sigmoid-cross-entropy", verbose=False).passed
    found = failures(check_loss(lambda z, y: softmax_loss(z, y, mean=False), verbose=False))
    assert "the sum over the batch, not the mean" in found["loss value"]
    assert "N times too large (N = 5): is 1/N missing?" in found["dL/dscores vs cross-entropy"]
    found = failures(check_loss(lambda z, y: softmax_loss(z, y, shift=False), verbose=False))
    assert list(found) == ["score 1000 at the label"]
    assert found["score 1000 at the label"].startswith("loss nan, numpynn 0: exp overflows")


def adam_step(w, dw, config, *, bias_correction=True, sign=1):
    """The CS231n-style Adam update; the keywords put in two typical bugs."""
    for key in ("m", "v"):
        config.setdefault(key, np.zeros_like(w))
    config["t"] = config.get("t", 0) + 1
    b1, b2 = config["beta1"], config["beta2"]
    config["m"] = b1 * config["m"] + (1 - b1) * dw
    config["v"] = b2 * config["v"] + (1 - b2) * dw * dw
    m, v = config["m"], config["v"]
    if bias_correction:
        m, v = m / (1 - b1 ** config["t"]), v / (1 - b2 ** config["t"])
    return w - sign * config["learning_rate"] * m / (np.sqrt(v) + config["epsilon"]), config


def momentum_step(w, dw, config):
    v = config["momentum"] * config.get("velocity", np.zeros_like(w)) - config["learning_rate"] * dw
    config["velocity"] = v
    return w + v, config


def test_an_update_rule_is_compared_step_by_step_and_its_bugs_are_named():
    assert check_optimizer(adam_step, "adam", verbose=False).passed
    assert check_optimizer(momentum_step, "momentum", verbose=False).passed
    assert check_optimizer(
        lambda w, dw, c: (w - c["learning_rate"] * dw, c), "sgd", verbose=False
    ).passed
    found = failures(
        check_optimizer(lambda *a: adam_step(*a, bias_correction=False), verbose=False)
    )
    assert "Adam without bias correction?" in found["adam step 1"]
    found = failures(check_optimizer(lambda *a: adam_step(*a, sign=-1), verbose=False))
    assert "it goes uphill (wrong sign)" in found["adam step 1"]
    with pytest.raises(ValueError, match="name must be sgd, momentum or adam"):
        check_optimizer(adam_step, "adagrad")


def test_shapes_are_told_in_the_students_layout_and_the_return_contract_is_named():
    def dense_forward(x, W, b):  # columns: x (in, N), W (out, in), b (out, 1)
        return W @ x + b, (x, W)

    def dx_in_rows(dz, cache):
        x, W = cache
        return (W.T @ dz).T, dz @ x.T, dz.sum(axis=1, keepdims=True)

    found = failures(check_functions(dense_forward, dx_in_rows, layout="columns", verbose=False))
    assert found["dL/dx"].startswith(
        "expected shape (5, 4), got shape (4, 5)"
    )  # x is (in, N) = (5, 4)
    assert "did you compute dL/dx transposed?" in found["dL/dx"]
    found = failures(check_functions(lambda x, w, b: x @ w + b, affine_backward, verbose=False))
    assert found["forward runs"] == "TypeError: forward must return (out, cache), got ndarray"
    found = failures(check_functions(dense_forward, affine_backward, verbose=False))
    assert "pass layout='columns'" in found["forward runs"]


def test_an_update_that_turns_nan_is_named():
    def adam_t_from_zero(w, dw, config):
        config.setdefault("m", np.zeros_like(w))
        config["m"] = 0.9 * config["m"] + 0.1 * dw
        return w - config["learning_rate"] * config["m"] / (1 - 0.9**0), config

    with np.errstate(divide="ignore"):  # numpy's own warning, beside the row
        (row,) = check_optimizer(adam_t_from_zero, "adam", verbose=False).failures
    assert "NaN or Inf; a division by zero? (Adam counts t from 1" in row.detail
