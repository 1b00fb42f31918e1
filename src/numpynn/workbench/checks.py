"""The check of each exercise: given the functions a student wrote (a namespace), the rows of
numpynn.testing that say what is right and what is wrong, in the words of the exercise.

Each check takes the namespace and returns a list of ``CheckRow``; an exception the student's
code raises is turned into a row by the caller (grading.py).
"""

import numpy as np

from ..data.synthetic import make_blobs
from ..testing import (
    CheckRow,
    check_functions,
    check_loss,
    check_network,
    check_optimizer,
)

__all__ = ["CHECKS"]


def _named(rows: list[CheckRow], prefix: str) -> list[CheckRow]:
    return [CheckRow(f"{prefix}: {row.check}", row.batch, row.result, row.detail) for row in rows]


def check_dense(ns: dict) -> list[CheckRow]:
    return check_functions(ns["dense_forward"], ns["dense_backward"], verbose=False).rows


def check_activations(ns: dict) -> list[CheckRow]:
    rows = []
    for name in ("relu", "sigmoid", "tanh"):
        forward, backward = ns[f"{name}_forward"], ns[f"{name}_backward"]
        rows += _named(check_functions(forward, backward, verbose=False).rows, name)
    return rows


def check_softmax(ns: dict) -> list[CheckRow]:
    return check_loss(ns["softmax_cross_entropy"], "cross-entropy", verbose=False).rows


def check_mlp(ns: dict) -> list[CheckRow]:
    network = check_network(ns["mlp_loss"], sizes=(6, 5, 4, 3), verbose=False)  # two hidden layers
    return [_init_row(ns["init_mlp"])] + network.rows


def _init_row(init_mlp) -> CheckRow:
    """He initialization: W_l ~ N(0, 2 / fan_in), zero biases, the shapes of sizes."""
    sizes = [300, 200, 10]
    params = list(init_mlp(sizes, np.random.default_rng(0)))
    shapes = [(np.shape(W), np.shape(b)) for W, b in params]
    expected = [((m, n), (n,)) for m, n in zip(sizes[:-1], sizes[1:])]
    check = "init_mlp([300, 200, 10])"
    if shapes != expected:
        return CheckRow(check, 0, "FAIL", f"shapes {shapes}, expected {expected}")
    if any(np.any(b) for _, b in params):
        return CheckRow(check, 0, "FAIL", "biases must start at zero")
    for (W, _), fan_in in zip(params, sizes):
        std, he = float(np.std(W)), float(np.sqrt(2 / fan_in))
        if abs(std / he - 1) > 0.05:
            return CheckRow(check, 0, "FAIL", f"a weight std of {std:.4g} where He's √(2/{fan_in}) "
                            f"= {he:.4g}: scale N(0, 1) draws by √(2 / fan_in)")  # fmt: skip
    return CheckRow(check, 0, "PASS", "He-initialized weights, zero biases")


def check_optimizers(ns: dict) -> list[CheckRow]:
    rows = []
    for function, name in (("sgd", "sgd"), ("sgd_momentum", "momentum"), ("adam", "adam")):
        rows += check_optimizer(ns[function], name, verbose=False).rows
    return rows


# ---- the perceptron: the rule, and the bugs it is usually written with -------------------------


def _perceptron(x, y, epochs: int, *, strict: bool = False, every: bool = False, sign: int = 1):
    """The reference rule (and, with the flags, its usual bugs): a mistake is y(x·w + b) ≤ 0."""
    w, b, mistakes = np.zeros(x.shape[1]), 0.0, []
    for _ in range(epochs):
        count = 0
        for xn, yn in zip(x, y):
            score = yn * (xn @ w + b)
            if score < 0 if strict else score <= 0:
                count += 1
            if every or (score < 0 if strict else score <= 0):
                w, b = w + sign * yn * xn, b + sign * yn
        mistakes.append(count)
    return w, b, mistakes


PERCEPTRON_BUGS = {
    "strict": "a score of exactly 0 must count as a mistake (≤ 0, not < 0): from w = 0 the "
    "perceptron never moves",
    "every": "it updates on every example; the rule changes w only on a mistake",
    "sign": "the update has the wrong sign: on a mistake w ← w + y·x (towards the example)",
}


def check_perceptron(ns: dict) -> list[CheckRow]:
    data = make_blobs(60, margin=0.1, seed=3)
    order = np.random.default_rng(0).permutation(len(data.y))
    x, y = data.x[order], data.y[order]
    rows = [_perceptron_pass_row(ns["perceptron_train"], x, y)]
    w, b, mistakes = ns["perceptron_train"](x.copy(), y.copy(), 100)
    converged = len(mistakes) > 0 and mistakes[-1] == 0
    rows.append(CheckRow("converges on separable data (100 passes)", 0, "PASS" if converged else "FAIL",
                         f"mistakes in the last pass: {mistakes[-1] if len(mistakes) else 'none listed'}"))  # fmt: skip
    w_ref, b_ref, _ = _perceptron(x, y, 3)
    probe = np.vstack([x, np.zeros((1, x.shape[1]))])
    expected = np.where(probe @ w_ref + b_ref > 0, 1, -1)
    got = np.asarray(ns["perceptron_predict"](probe.copy(), w_ref.copy(), b_ref))
    same = got.shape == expected.shape and np.array_equal(got, expected)
    rows.append(CheckRow("perceptron_predict", 0, "PASS" if same else "FAIL",
                         "" if same else "expected +1 where x·w + b > 0 and −1 elsewhere"))  # fmt: skip
    return rows


def _perceptron_pass_row(train, x, y) -> CheckRow:
    """Two passes in order against the rule, naming the usual bugs."""
    w, b, mistakes = train(x.copy(), y.copy(), 2)
    w_ref, b_ref, mistakes_ref = _perceptron(x, y, 2)
    check = "two passes equal the rule"
    if _same(w, b, w_ref, b_ref) and list(mistakes) == mistakes_ref:
        return CheckRow(check, 0, "PASS", f"mistakes per pass {mistakes_ref}")
    for bug, words in PERCEPTRON_BUGS.items():
        w_bug, b_bug, _ = _perceptron(x, y, 2, **{bug: -1 if bug == "sign" else True})
        if _same(w, b, w_bug, b_bug):
            return CheckRow(check, 0, "FAIL", words)
    if _same(w, b, w_ref, b_ref):
        return CheckRow(check, 0, "FAIL", f"right weights, but mistakes {list(mistakes)} "
                        f"where the rule makes {mistakes_ref}")  # fmt: skip
    return CheckRow(check, 0, "FAIL", "the weights differ from the rule's: visit the "
                    "examples in order and update only when y(x·w + b) ≤ 0")  # fmt: skip


def _same(w, b, w_ref, b_ref) -> bool:
    return np.shape(w) == w_ref.shape and np.allclose(w, w_ref) and np.isclose(b, b_ref)


# ---- a gradient checker of one's own ------------------------------------------------------------


def _f(x):
    return float(np.sum(np.sin(x) * x**3))


def _df(x):
    return np.cos(x) * x**3 + 3 * np.sin(x) * x**2


def check_gradient_check(ns: dict) -> list[CheckRow]:
    numerical_gradient, relative_error = ns["numerical_gradient"], ns["relative_error"]
    x = np.random.default_rng(0).uniform(-2, 2, (3, 4))
    x_before = x.copy()
    numeric = np.asarray(numerical_gradient(_f, x), dtype=np.float64)
    rows = [_numerical_row(numeric, x)]
    same = np.array_equal(x, x_before)
    rows.append(CheckRow("x unchanged", 1, "PASS" if same else "FAIL",
                         "" if same else "put x[i] back exactly after each difference"))  # fmt: skip
    rows += _relative_error_rows(relative_error)
    return rows


def _numerical_row(numeric: np.ndarray, x: np.ndarray) -> CheckRow:
    check, exact = "numerical_gradient of Σ sin(x)·x³", _df(x)
    if numeric.shape != x.shape:
        return CheckRow(check, 0, "FAIL", f"shape {numeric.shape}, expected {x.shape}")
    error = float(np.max(np.abs(numeric - exact) / (np.abs(numeric) + np.abs(exact) + 1e-12)))
    if error < 1e-7:
        return CheckRow(check, 0, "PASS", f"max relative error {error:.1e}")
    words = f"max relative error {error:.1e}"
    h = 1e-5
    one_sided = np.array(
        [(_f(x + h * e) - _f(x)) / h for e in np.eye(x.size).reshape(-1, *x.shape)]
    )
    if np.allclose(numeric, one_sided.reshape(x.shape), rtol=1e-6):
        words += ": a one-sided difference; (f(x + h) − f(x − h)) / 2h is accurate to h²"
    elif np.allclose(numeric, 2 * exact, rtol=1e-5):
        words += ": twice the derivative; divide by 2h, not h"
    return CheckRow(check, 0, "FAIL", words)


def _relative_error_rows(relative_error) -> list[CheckRow]:
    a = np.array([1.0, -2.0, 3.0, 4.0])
    cases = [
        ("relative_error(a, a) is 0", lambda e: e == 0, relative_error(a, a.copy())),
        ("relative_error of zeros is 0", lambda e: e == 0, relative_error(np.zeros(3), np.zeros(3))),
        ("relative_error is the largest", lambda e: 0.2 <= e <= 1,
         relative_error(a, np.array([1.0, -2.0, 3.0, 8.0]))),
        ("relative_error(a, 1.001·a) is 5e-4 to 1e-3", lambda e: 4e-4 <= e <= 2e-3,
         relative_error(a, 1.001 * a)),
    ]  # fmt: skip
    rows = []
    for check, ok, value in cases:
        if np.ndim(value) != 0:
            rows.append(CheckRow(check, 0, "FAIL", f"returned shape {np.shape(value)}: return the largest error, a float"))  # fmt: skip
        elif ok(float(value)):
            rows.append(CheckRow(check, 0, "PASS", f"{float(value):.3g}"))
        else:
            rows.append(CheckRow(check, 0, "FAIL", f"got {float(value):.3g}; |a − n| / max(|a| + |n|, tiny), the largest entry"))  # fmt: skip
    return rows


CHECKS = {
    "dense": check_dense,
    "activations": check_activations,
    "softmax": check_softmax,
    "mlp": check_mlp,
    "optimizers": check_optimizers,
    "perceptron": check_perceptron,
    "gradient_check": check_gradient_check,
}
