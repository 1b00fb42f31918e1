"""Every numbered formula of docs/backprop.md, computed as written and compared with the
implementation or with finite differences. ``@formula(n)`` marks the test of formula (n); the
last test fails if the document has a formula that no test exercises (or a test a lost formula)."""

import math
import re

import numpy as np
import pytest
from finite_differences import numerical_gradient
from paths import DOCS

import numpynn as nn
from numpynn.gradcheck import relative_error, resolution

DOC = DOCS / "backprop.md"


TESTED: set[int] = set()


def formula(*numbers):
    TESTED.update(numbers)
    return lambda test: test


def numerical_jacobian(f, a, eps=1e-6):
    """J[out_index + in_index] = d f()[out_index] / d a[in_index] (a changed in place, restored)."""
    out_shape = f().shape
    J = np.zeros(out_shape + a.shape)
    for i in np.ndindex(a.shape):
        old = a[i]
        a[i] = old + eps
        plus = f().copy()
        a[i] = old - eps
        minus = f().copy()
        a[i] = old
        J[(...,) + i] = (plus - minus) / (2 * eps)
    return J


def dense_case(rng, N=4, n_in=5, n_out=3):
    layer = nn.Dense(n_in, n_out, rng=rng, dtype="float64")
    layer.b.value[...] = rng.standard_normal(n_out)
    x, G = rng.standard_normal((N, n_in)), rng.standard_normal((N, n_out))  # G = dL/dy
    return layer, x, G


@formula(1)
def test_chain_rule_sums_over_every_path(rng):
    A = rng.standard_normal((3, 4))
    u = rng.standard_normal(4)

    def v():
        return np.tanh(A @ u)

    def L():
        return float(np.sum(v() ** 2))

    dL_dv = 2 * v()
    dv_du = numerical_jacobian(v, u)  # (3, 4): dv_j / du_i
    chain = np.array([sum(dL_dv[j] * dv_du[j, i] for j in range(3)) for i in range(4)])
    np.testing.assert_allclose(chain, numerical_gradient(L, u), rtol=1e-7)


@formula(2, 3)
def test_dense_forward_matrix_and_entry_forms(rng):
    layer, x, _ = dense_case(rng)
    W, b = layer.W.value, layer.b.value
    y = layer.forward(x)
    assert y.shape == (4, 3)
    np.testing.assert_allclose(y, x @ W + b, rtol=1e-15)
    entries = np.array(
        [[sum(x[n, i] * W[i, j] for i in range(5)) + b[j] for j in range(3)] for n in range(4)]
    )
    np.testing.assert_allclose(y, entries, rtol=1e-13)


@formula(4)
def test_dense_local_derivatives(rng):
    layer, x, _ = dense_case(rng)
    W, delta = layer.W.value, np.eye
    dy_dW = np.einsum("ni,jk->njik", x, delta(3))  # x_ni δ_jk
    dy_db = np.einsum("n,jk->njk", np.ones(4), delta(3))  # δ_jk
    dy_dx = np.einsum("nm,ij->njmi", delta(4), W)  # δ_nm W_ij

    def y():
        return layer.forward(x)

    np.testing.assert_allclose(numerical_jacobian(y, layer.W.value), dy_dW, atol=1e-9)
    np.testing.assert_allclose(numerical_jacobian(y, layer.b.value), dy_db, atol=1e-9)
    np.testing.assert_allclose(numerical_jacobian(y, x), dy_dx, atol=1e-9)


@formula(5, 6, 7)
def test_dense_gradients_elementwise_and_matrix_forms_match_backward(rng):
    layer, x, G = dense_case(rng)
    W, d3, d4 = layer.W.value, np.eye(3), np.eye(4)
    layer.forward(x)
    grad_x = layer.backward(G)

    dW_sum = np.einsum("nj,ni,jk->ik", G, x, d3)  # Σ_n Σ_j G_nj x_ni δ_jk
    np.testing.assert_allclose(dW_sum, np.einsum("ni,nk->ik", x, G), rtol=1e-13)
    np.testing.assert_allclose(layer.W.grad, x.T @ G, rtol=1e-13)
    np.testing.assert_allclose(layer.W.grad, dW_sum, rtol=1e-13)
    assert layer.W.grad.shape == (5, 3)

    db_sum = np.einsum("nj,jk->k", G, d3)  # Σ_n Σ_j G_nj δ_jk
    np.testing.assert_allclose(layer.b.grad, G.sum(axis=0), rtol=1e-13)
    np.testing.assert_allclose(layer.b.grad, db_sum, rtol=1e-13)

    dx_sum = np.einsum("nj,nm,ij->mi", G, d4, W)  # Σ_n Σ_j G_nj δ_nm W_ij
    np.testing.assert_allclose(grad_x, G @ W.T, rtol=1e-13)
    np.testing.assert_allclose(grad_x, dx_sum, rtol=1e-13)
    assert grad_x.shape == x.shape


def away_from_kink(rng, shape=(4, 6)):
    x = rng.standard_normal(shape) * 2
    x[np.abs(x) < 1e-3] = 0.5
    return x


@formula(8)
@pytest.mark.parametrize("name", sorted(nn.ACTIVATIONS))
def test_elementwise_layer_gradient_is_grad_y_times_f_prime(name, rng):
    layer, x = nn.get_activation(name), away_from_kink(rng)
    G, h = rng.standard_normal(x.shape), 1e-6
    f_prime = (layer.forward(x + h) - layer.forward(x - h)) / (2 * h)  # f' entry by entry
    layer.forward(x)
    np.testing.assert_allclose(layer.backward(G), G * f_prime, rtol=1e-6, atol=1e-9)


@formula(9)
def test_relu_derivative_is_the_indicator_of_x_positive(rng):
    x = away_from_kink(rng)
    x[0, :2] = 0.0  # at the kink: 0, as PyTorch
    layer = nn.ReLU()
    layer.forward(x)
    np.testing.assert_array_equal(layer.backward(np.ones_like(x)), (x > 0).astype(float))


@formula(10)
@pytest.mark.parametrize("alpha", [0.01, 0.2])
def test_leaky_relu_derivative_is_1_or_alpha(alpha, rng):
    x = away_from_kink(rng)
    x[0, 0] = 0.0
    layer = nn.LeakyReLU(alpha)
    layer.forward(x)
    np.testing.assert_array_equal(layer.backward(np.ones_like(x)), np.where(x > 0, 1.0, alpha))


@formula(11)
def test_sigmoid_piecewise_form_is_exact_even_deep_in_the_tails():
    x = np.array([[-745.0, -40.0, -20.0, -1.5, 0.0, 2.0, 30.0, 1e4]])
    e = np.exp(-np.abs(x))
    piecewise = np.where(x >= 0, 1 / (1 + e), e / (1 + e))
    y = nn.Sigmoid().forward(x)
    np.testing.assert_array_equal(y, piecewise)
    exact = [1 / (1 + math.exp(-v)) if v > -700 else math.exp(v) for v in x[0]]
    np.testing.assert_allclose(y[0], exact, rtol=1e-15)  # σ(−40) ≈ 4.2e−18 keeps its digits


@formula(12)
def test_sigmoid_derivative_three_forms(rng):
    x = rng.standard_normal((3, 5)) * 4
    sigma = 1 / (1 + np.exp(-x))
    first = np.exp(-x) / (1 + np.exp(-x)) ** 2
    middle = 1 / (1 + np.exp(-x)) * (np.exp(-x) / (1 + np.exp(-x)))
    layer = nn.Sigmoid()
    y = layer.forward(x)
    grad = layer.backward(np.ones_like(x))
    for form in (first, middle, sigma * (1 - sigma), y * (1 - y)):
        np.testing.assert_allclose(grad, form, rtol=1e-12)
    assert grad.max() <= 0.25


@formula(13)
def test_tanh_derivative_by_the_quotient_rule(rng):
    x = rng.standard_normal((3, 5)) * 2
    quotient = ((np.exp(x) + np.exp(-x)) ** 2 - (np.exp(x) - np.exp(-x)) ** 2) / (
        np.exp(x) + np.exp(-x)
    ) ** 2
    layer = nn.Tanh()
    y = layer.forward(x)
    grad = layer.backward(np.ones_like(x))
    np.testing.assert_allclose(grad, quotient, rtol=1e-10)
    np.testing.assert_allclose(grad, 1 - np.tanh(x) ** 2, rtol=1e-14)
    np.testing.assert_allclose(grad, 1 - y**2, rtol=1e-14)


@formula(14)
def test_dropout_gradient_is_grad_y_times_its_mask(rng):
    p = 0.25
    layer = nn.Dropout(p, rng=rng)
    x, G = rng.standard_normal((50, 40)), rng.standard_normal((50, 40))
    y = layer.forward(x, training=True)
    mask = y / x
    np.testing.assert_allclose(np.unique(mask.round(12)), [0.0, 1 / (1 - p)])
    np.testing.assert_allclose(layer.backward(G), G * mask, rtol=1e-14)


def logits_case(rng, N=6, C=4):
    return rng.standard_normal((N, C)) * 3, rng.integers(0, C, N)


@formula(15, 16)
def test_softmax_and_its_shifted_form(rng):
    z, labels = logits_case(rng)
    loss_fn = nn.SoftmaxCrossEntropy()
    loss_fn.forward(z, labels)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)  # (15)
    m = z.max(axis=1, keepdims=True)
    shifted = np.exp(z - m) / np.exp(z - m).sum(axis=1, keepdims=True)  # (16)
    np.testing.assert_allclose(loss_fn.probs, p, rtol=1e-14)
    np.testing.assert_allclose(shifted, p, rtol=1e-14)

    big = z + 1000.0  # (15) would overflow here; (16) and the loss do not
    m = big.max(axis=1, keepdims=True)
    shifted = np.exp(big - m) / np.exp(big - m).sum(axis=1, keepdims=True)
    loss_fn.forward(big, labels)
    np.testing.assert_allclose(loss_fn.probs, shifted, rtol=1e-14)
    np.testing.assert_allclose(shifted, p, rtol=1e-10)


@formula(17)
def test_cross_entropy_three_forms_and_the_mean(rng):
    z, labels = logits_case(rng)
    N, rows = len(labels), np.arange(len(labels))
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    m = z.max(axis=1)
    neg_log_p = -np.log(p[rows, labels])
    log_sum_exp = np.log(np.exp(z).sum(axis=1)) - z[rows, labels]
    shifted = m + np.log(np.exp(z - m[:, None]).sum(axis=1)) - z[rows, labels]
    np.testing.assert_allclose(neg_log_p, log_sum_exp, rtol=1e-13)
    np.testing.assert_allclose(shifted, log_sum_exp, rtol=1e-13)
    loss = nn.SoftmaxCrossEntropy().forward(z, labels)
    assert loss == pytest.approx(shifted.sum() / N, rel=1e-14)


@formula(18)
def test_per_example_gradient_is_p_minus_the_indicator(rng):
    z, labels = logits_case(rng, N=1)
    p = np.exp(z[0]) / np.exp(z[0]).sum()
    indicator = (np.arange(4) == labels[0]).astype(float)
    loss_fn = nn.SoftmaxCrossEntropy()

    def ell():
        return loss_fn.forward(z, labels)  # N = 1: the loss is ℓ_0

    np.testing.assert_allclose(numerical_gradient(ell, z)[0], p - indicator, rtol=1e-7, atol=1e-10)


@formula(19)
def test_softmax_jacobian_and_the_chain_back_to_18(rng):
    z, labels = logits_case(rng, N=1)
    z, y = z[0], labels[0]

    def softmax():
        return np.exp(z) / np.exp(z).sum()

    p = softmax()
    jacobian = p[:, None] * (np.eye(4) - p[None, :])  # ∂p_k/∂z_c = p_k(1[k=c] − p_c), [k, c]
    np.testing.assert_allclose(numerical_jacobian(softmax, z), jacobian, atol=1e-9)
    dell_dp = -(np.arange(4) == y).astype(float) / p[y]
    chain = np.array([sum(dell_dp[k] * jacobian[k, c] for k in range(4)) for c in range(4)])
    np.testing.assert_allclose(chain, p - (np.arange(4) == y), rtol=1e-12, atol=1e-15)


@formula(20)
def test_cross_entropy_gradient_is_p_minus_onehot_over_N(rng):
    z, labels = logits_case(rng)
    loss_fn = nn.SoftmaxCrossEntropy()
    loss_fn.forward(z, labels)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    onehot = np.eye(4)[labels]
    np.testing.assert_allclose(loss_fn.backward(), (p - onehot) / len(labels), rtol=1e-13)
    np.testing.assert_allclose(
        loss_fn.backward(), numerical_gradient(lambda: loss_fn.forward(z, labels), z), atol=1e-9
    )


@formula(21, 22)
def test_mean_squared_error_and_its_gradient(rng):
    o, labels = logits_case(rng)
    N, C = o.shape
    t = np.eye(C)[labels]
    loss_fn = nn.MeanSquaredError()
    loss = loss_fn.forward(o, labels)
    double_sum = sum((o[n, c] - t[n, c]) ** 2 for n in range(N) for c in range(C)) / (N * C)
    assert loss == pytest.approx(double_sum, rel=1e-14)
    grad = loss_fn.backward()
    np.testing.assert_allclose(grad, 2 / (N * C) * (o - t), rtol=1e-14)
    np.testing.assert_allclose(
        grad, numerical_gradient(lambda: loss_fn.forward(o, labels), o), atol=1e-9
    )


@formula(23, 24, 25)
@pytest.mark.parametrize(("activation", "f", "f_prime"), [
    ("tanh", np.tanh, lambda z: 1 - np.tanh(z) ** 2),
    ("relu", lambda z: np.maximum(z, 0), lambda z: (z > 0).astype(float)),
])  # fmt: skip
def test_mlp_forward_and_the_backward_recursion_by_hand(activation, f, f_prime, rng):
    model = nn.mlp([5, 6, 4, 3], activation, dtype="float64", rng=rng)
    Ws = [layer.W.value for layer in model.layers if isinstance(layer, nn.Dense)]
    bs = [layer.b.value for layer in model.layers if isinstance(layer, nn.Dense)]
    for b in bs:
        b[...] = rng.standard_normal(b.shape)
    x, labels = rng.standard_normal((7, 5)), rng.integers(0, 3, 7)
    K = len(Ws)

    h, z = [x], [None]  # (23), 1-based as in the document
    for k in range(1, K + 1):
        z.append(h[k - 1] @ Ws[k - 1] + bs[k - 1])
        h.append(f(z[k]) if k < K else None)
    loss_fn = nn.SoftmaxCrossEntropy()
    loss_fn.forward(model.forward(x, training=True), labels)
    np.testing.assert_allclose(model.forward(x), z[K], rtol=1e-13)

    grad_z = loss_fn.backward()  # dL/dz_K, (20)
    grads_W, grads_b = {}, {}
    for k in range(K, 0, -1):
        grads_W[k] = h[k - 1].T @ grad_z  # (24)
        grads_b[k] = grad_z.sum(axis=0)
        grad_h = grad_z @ Ws[k - 1].T
        if k > 1:
            grad_z = grad_h * f_prime(z[k - 1])  # (25)
    grad_x = model.backward(loss_fn.backward())
    dense = [layer for layer in model.layers if isinstance(layer, nn.Dense)]
    for k in range(1, K + 1):
        np.testing.assert_allclose(dense[k - 1].W.grad, grads_W[k], rtol=1e-12)
        np.testing.assert_allclose(dense[k - 1].b.grad, grads_b[k], rtol=1e-12)
    np.testing.assert_allclose(grad_x, grad_h, rtol=1e-12)  # dL/dh_0 = dL/dx


@formula(26)
def test_centered_difference_error_shrinks_as_eps_squared():
    theta = 0.7

    def n(eps):
        return (math.sin(theta + eps) - math.sin(theta - eps)) / (2 * eps)

    errors = [abs(n(eps) - math.cos(theta)) for eps in (1e-2, 1e-3)]
    assert errors[0] / errors[1] == pytest.approx(100, rel=1e-3)  # O(eps²)
    assert errors[0] == pytest.approx(1e-4 * math.cos(theta) / 6, rel=1e-3)  # eps² f'''/6


@formula(27)
def test_gradchecks_error_is_the_relative_error_as_written(rng):
    model = nn.mlp([4, 3, 2], "tanh", dtype="float64", seed=0)
    x, labels, eps = rng.standard_normal((3, 4)), rng.integers(0, 2, 3), 1e-6
    loss_fn = nn.SoftmaxCrossEntropy()
    report = nn.gradcheck(model, loss_fn, x, labels, eps=eps)

    loss_fn.forward(model.forward(x, training=True), labels)
    model.backward(loss_fn.backward())
    b = model[0].b
    a = b.grad.copy()
    n = numerical_gradient(lambda: loss_fn.forward(model.forward(x), labels), b.value, eps)
    errors = np.abs(a - n) / np.maximum(np.abs(a) + np.abs(n), report.tiny)
    assert report.rows[1].name == "dense0.b"
    assert report.rows[1].max_rel_error == pytest.approx(errors.max(), rel=1e-6)
    np.testing.assert_array_equal(relative_error(a, n, report.tiny), errors)


@formula(28)
def test_resolution_bounds_the_rounding_noise_of_centered_differences(rng):
    eps, threshold = 1e-6, 1e-7
    model = nn.mlp([20, 8, 3], "sigmoid", dtype="float64", seed=0)
    x, labels = rng.standard_normal((5, 20)), rng.integers(0, 3, 5)
    loss_fn = nn.MeanSquaredError()
    L = loss_fn.forward(model.forward(x, training=True), labels)
    model.backward(loss_fn.backward())
    expected = 16 * 2.0**-52 * max(abs(L), 1) / eps
    assert resolution(L, eps) == pytest.approx(expected, rel=1e-15)
    assert 5e-9 < resolution(2.0, eps) < 2e-8  # "about 1e-8 for a loss near 2"

    W = model[0].W
    n = numerical_gradient(lambda: loss_fn.forward(model.forward(x), labels), W.value, eps)
    noise = np.abs(W.grad - n).max()
    assert expected / 100 < noise < expected  # the floor is needed, and not loose
    report = nn.gradcheck(model, loss_fn, x, labels, eps=eps, threshold=threshold)
    assert report.tiny == pytest.approx(expected / threshold, rel=1e-12)


@formula(29)
def test_one_column_example_gives_delta_x_transposed(rng):
    layer, x, G = dense_case(rng, N=1)
    W_col, b = layer.W.value.T, layer.b.value[:, None]
    x_col, delta = x.T, G.T  # (in, 1), (out, 1)
    np.testing.assert_allclose(W_col @ x_col + b, layer.forward(x).T, rtol=1e-13)
    grad_x = layer.backward(G)
    np.testing.assert_allclose(delta @ x_col.T, layer.W.grad.T, rtol=1e-13)  # δ xᵀ
    np.testing.assert_allclose(np.outer(delta, x_col), delta @ x_col.T, rtol=1e-15)
    np.testing.assert_allclose(delta[:, 0], layer.b.grad, rtol=1e-13)
    np.testing.assert_allclose(W_col.T @ delta, grad_x.T, rtol=1e-13)


@formula(30, 31)
def test_a_batch_in_columns_is_the_rows_transposed(rng):
    layer, x, G = dense_case(rng)
    W = layer.W.value
    W_col, X, Delta = W.T, x.T, G.T  # (31): W = W_colᵀ, x = Xᵀ, dL/dy = Δᵀ
    Z = W_col @ X + layer.b.value[:, None] @ np.ones((1, 4))
    np.testing.assert_allclose(Z, layer.forward(x).T, rtol=1e-13)
    grad_x = layer.backward(G)
    per_example = sum(np.outer(Delta[:, n], X[:, n]) for n in range(4))  # Σₙ δₙ xₙᵀ
    np.testing.assert_allclose(Delta @ X.T, per_example, rtol=1e-13)
    np.testing.assert_allclose(Delta @ X.T, layer.W.grad.T, rtol=1e-13)
    np.testing.assert_allclose(x.T @ G, (Delta @ X.T).T, rtol=1e-13)
    np.testing.assert_allclose(Delta @ np.ones(4), layer.b.grad, rtol=1e-13)
    np.testing.assert_allclose(W_col.T @ Delta, grad_x.T, rtol=1e-13)
    np.testing.assert_allclose(G @ W.T, (W_col.T @ Delta).T, rtol=1e-13)


@formula(32)
def test_the_backward_recursion_in_columns(rng):
    model = nn.mlp([5, 6, 4, 3], "tanh", dtype="float64", rng=rng)
    dense = [layer for layer in model.layers if isinstance(layer, nn.Dense)]
    X, labels = rng.standard_normal((5, 7)), rng.integers(0, 3, 7)  # 7 examples as columns
    h, z = [X], [None]
    for k, layer in enumerate(dense, 1):
        z.append(layer.W.value.T @ h[k - 1] + layer.b.value[:, None])
        h.append(np.tanh(z[k]))
    loss_fn = nn.SoftmaxCrossEntropy()
    loss_fn.forward(model.forward(X.T, training=True), labels)
    model.backward(loss_fn.backward())
    delta = loss_fn.backward().T
    for k in range(len(dense), 0, -1):
        np.testing.assert_allclose(delta @ h[k - 1].T, dense[k - 1].W.grad.T, rtol=1e-12)
        if k > 1:
            delta = (dense[k - 1].W.value @ delta) * (1 - np.tanh(z[k - 1]) ** 2)  # W_colᵀ = W


# --- section 8: the worked example ---


def worked_example() -> list[tuple[str, object]]:
    """The network of section 8, trained one step; (row label, value) in the table's order."""
    model = nn.mlp([2, 2, 2], "relu", dtype="float64", seed=0)
    dense1, relu, dense2 = model.layers
    dense1.W.value[...], dense1.b.value[...] = [[0.5, -0.5], [0.25, 0.5]], [0.25, 0.0]
    dense2.W.value[...], dense2.b.value[...] = [[1.0, -1.0], [0.5, 0.5]], [0.0, 0.0]
    x, labels, loss_fn = np.array([[1.0, -1.0]]), np.array([0]), nn.SoftmaxCrossEntropy()
    given = [v.value.copy() for v in (dense1.W, dense1.b, dense2.W, dense2.b)]
    z1 = dense1.forward(x, training=True)
    h1 = relu.forward(z1, training=True)
    z2 = dense2.forward(h1, training=True)
    loss, probs = loss_fn.forward(z2, labels), loss_fn.probs.copy()
    grad_z2 = loss_fn.backward()
    grad_h1 = dense2.backward(grad_z2)
    grad_z1 = relu.backward(grad_h1)
    dense1.backward(grad_z1)
    grads = [p.grad.copy() for p in (dense2.W, dense2.b)] + [grad_h1, grad_z1]
    grads += [dense1.W.grad.copy(), dense1.b.grad.copy(), grad_z1.T @ x]  # δ₁ xᵀ
    nn.SGD(model.parameters(), lr=0.5).step()
    stepped = [p.value.copy() for p in (dense1.W, dense1.b, dense2.W, dense2.b)]
    after = loss_fn.forward(model.forward(x), labels)
    values = [x, *given, z1, h1, z2, probs, loss, grad_z2, *grads, *stepped, after]
    labels_ = ["$x$", "$W_1$", "$b_1$", "$W_2$", "$b_2$", "$z_1$", "$h_1$", "$z_2$", "$p$", "$L$",
               "z_2$", "W_2$", "b_2$", "h_1$", "z_1$", "W_1$", "b_1$", "$\\delta_1 x^\\top$",
               "$W_1$ after", "$b_1$ after", "$W_2$ after", "$b_2$ after", "$L$ after"]  # fmt: skip
    return list(zip(labels_, values, strict=True))


def shown(value) -> str:
    """A value as the table shows it: nested lists, 4 decimals, no trailing zeros."""
    if np.ndim(value) == 0:
        text = f"{float(value):.4f}".rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text
    return "[" + ", ".join(shown(v) for v in value) + "]"


def worked_example_rows() -> list[tuple[str, str]]:
    """(quantity, value) of each row of the worked example's table in docs/backprop.md."""
    text = DOC.read_text(encoding="utf-8").split("## 8. A worked example")[1]
    return re.findall(r"^\| (.+?) \| .+ \| `(.+)` \|$", text, re.M)


def worked_example_problems(rows: list[tuple[str, str]]) -> list[str]:
    expected = worked_example()
    if len(rows) != len(expected):
        return [f"the table has {len(rows)} rows, the example {len(expected)} values"]
    return [f"{quantity}: the page says {text}, the code {shown(value)}"
            for (quantity, text), (label, value) in zip(rows, expected)
            if label not in quantity or text != shown(value)]  # fmt: skip


def test_every_number_of_the_worked_example_is_what_the_code_computes():
    assert worked_example_problems(worked_example_rows()) == []


def test_the_worked_example_check_fails_on_a_wrong_number_or_a_lost_row():
    rows = worked_example_rows()
    wrong = [(q, v.replace("0.2689", "0.2698")) for q, v in rows]
    assert worked_example_problems(wrong)[0] == (
        "$p$: the page says [[0.7311, 0.2698]], the code [[0.7311, 0.2689]]"
    )
    assert worked_example_problems(rows[:-1]) == ["the table has 22 rows, the example 23 values"]


def test_shown_rounds_to_four_decimals_and_drops_trailing_zeros():
    assert shown(np.array([[0.5, -1.0], [0.26894142, -0.0]])) == "[[0.5, -1], [0.2689, 0]]"
    assert shown(0.31326168) == "0.3133"


def test_every_formula_in_the_document_is_exercised_by_a_test():
    numbers = {int(n) for n in re.findall(r"\\tag\{(\d+)\}", DOC.read_text(encoding="utf-8"))}
    assert numbers == set(range(1, max(numbers) + 1))  # numbered 1..n with no gaps
    assert numbers == TESTED


def test_the_document_names_the_function_that_implements_each_result():
    text = DOC.read_text(encoding="utf-8")
    for name in ["Dense.backward", "ReLU.backward", "LeakyReLU.backward", "Sigmoid.backward",
                 "Tanh.backward", "Identity.backward", "Dropout.backward",
                 "SoftmaxCrossEntropy.backward", "MeanSquaredError.backward",
                 "SigmoidCrossEntropy.backward",
                 "Sequential.backward", "numpynn.gradcheck"]:  # fmt: skip
        assert f"`{name}`" in text, name
    assert text.count("$$") % 2 == 0  # every display block is closed


@formula(33, 34, 35)
def test_sigmoid_cross_entropy_its_stable_form_and_its_gradient(rng):
    z, labels = logits_case(rng)
    N, C = z.shape
    t, a = np.eye(C)[labels], 1 / (1 + np.exp(-z))
    loss_fn = nn.SigmoidCrossEntropy()
    loss = loss_fn.forward(z, labels)
    as_written = np.sum(-t * np.log(a) - (1 - t) * np.log(1 - a)) / N  # (33)
    stable = np.sum(np.maximum(z, 0) - z * t + np.log1p(np.exp(-np.abs(z)))) / N  # (34)
    assert loss == pytest.approx(as_written, rel=1e-13) and loss == pytest.approx(stable, rel=1e-14)
    grad = loss_fn.backward()
    np.testing.assert_allclose(grad, (a - t) / N, rtol=1e-13)  # (35)
    np.testing.assert_allclose(
        grad, numerical_gradient(lambda: loss_fn.forward(z, labels), z), atol=1e-9
    )


@formula(36)
def test_squared_error_on_a_sigmoid_output_carries_its_derivative(rng):
    z, labels = logits_case(rng)
    N, C = z.shape
    t = np.eye(C)[labels]
    sigmoid, loss_fn = nn.Sigmoid(), nn.MeanSquaredError()
    a = sigmoid.forward(z)
    loss_fn.forward(a, labels)
    grad = sigmoid.backward(loss_fn.backward())
    np.testing.assert_allclose(grad, 2 / (N * C) * (a - t) * a * (1 - a), rtol=1e-13)
