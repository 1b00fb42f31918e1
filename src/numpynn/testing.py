"""Checks for a network you wrote yourself: point them at your layer (or your pair of forward and
backward functions) and read what they say.

``check_layer(layer, x)`` runs your ``forward`` and ``backward`` in float64 on ``x`` and on one
row of it, and compares every gradient with centered finite differences of
L = Σ forward(x) ⊙ R (R random, so dL/dy = R). A wrong gradient is a FAIL row in the report,
never an exception, and where the error has a recognisable pattern the row names it: a
transposed gradient, a wrong sign, a factor of the batch size, a gradient left at zero. It also
checks that ``backward`` leaves the parameters and the input as they were, and that calling it
twice gives the same gradients (it must set them, not add to them).

``check_functions(forward, backward)`` does the same for the function-pair style of many courses
(``out, cache = forward(x, w, b)``; ``dx, dw, db = backward(dout, cache)``), with row vectors
(x of shape (N, in), w (in, out)) or column vectors (x (in, N), W (out, in), b (out, 1)).
``check_loss`` and ``check_optimizer`` compare a loss or an update rule you wrote with numpynn's.
"""

import inspect
from dataclasses import dataclass, field

import numpy as np

from .gradcheck import float64_copy, perturbed, relative_error, resolution
from .layers import Layer
from .parameter import Parameter

__all__ = [
    "check_layer",
    "check_functions",
    "check_network",
    "check_loss",
    "check_optimizer",
    "LayerReport",
    "CheckRow",
]

THRESHOLD = 1e-6  # float64 centered differences: a right gradient ~1e-9, a wrong one ~1e-1
EPS = 1e-6


@dataclass
class CheckRow:
    """One check: what was checked, on which batch size, its result and what it means."""

    check: str
    batch: int
    result: str  # PASS or FAIL
    detail: str = ""


@dataclass
class LayerReport:
    rows: list[CheckRow] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """True when every check passed."""
        return all(row.result == "PASS" for row in self.rows)

    @property
    def failures(self) -> list[CheckRow]:
        """The rows that did not pass."""
        return [row for row in self.rows if row.result != "PASS"]

    def __str__(self) -> str:
        width = max((len(row.check) for row in self.rows), default=5)
        lines = [f"{'check':<{width}}  batch  result  detail"]
        lines += [f"{row.check:<{width}}  {row.batch or '':>5}  {row.result:<6}  {row.detail}"
                  for row in self.rows]  # fmt: skip
        verdict = (
            "PASS" if self.passed else f"FAIL: {len(self.failures)} of {len(self.rows)} checks"
        )
        return "\n".join(lines + [verdict])


def check_layer(layer: Layer, x: np.ndarray, *, seed: int = 0, verbose: bool = True) -> LayerReport:
    """Check ``layer`` (``forward(x, training)``, ``backward(grad_y)``, ``parameters()``) on the
    batch ``x`` and on its first row; print the table (unless ``verbose`` is False) and return
    the report."""
    report = LayerReport()
    x = np.asarray(x)
    for batch in (x[:1], x) if len(x) > 1 else (x,):
        report.rows += _check_batch(layer, batch, seed)
    return _finish(report, verbose)


def _check_batch(layer: Layer, x: np.ndarray, seed: int) -> list[CheckRow]:
    layer = float64_copy(layer)
    x = x.astype(np.float64)
    N, rows = len(x), []
    try:
        y = layer.forward(x.copy(), training=False)
    except Exception as error:  # noqa: BLE001 — the student's code: say what it raised
        return [CheckRow("forward runs", N, "FAIL", f"{type(error).__name__}: {error}")]
    rows.append(_forward_row(y, N))
    if rows[-1].result == "FAIL":
        return rows
    R = np.random.default_rng(seed).standard_normal(y.shape)
    try:
        rows += _backward_rows(layer, x, R)
    except Exception as error:  # noqa: BLE001 — the student's code: say what it raised
        rows.append(CheckRow("backward runs", N, "FAIL", f"{type(error).__name__}: {error}"))
    return rows


def _forward_row(y, N: int) -> CheckRow:
    if not isinstance(y, np.ndarray) or y.ndim < 1 or len(y) != N:
        shape = getattr(y, "shape", type(y).__name__)
        return CheckRow(
            "forward output", N, "FAIL", f"expected an array with {N} rows, got {shape}"
        )
    if y.dtype != np.float64:
        return CheckRow("forward output", N, "FAIL", f"float64 input gave {y.dtype} output")
    if not np.isfinite(y).all():
        return CheckRow("forward output", N, "FAIL", "holds NaN or Inf")
    return CheckRow("forward output", N, "PASS", f"shape {y.shape}, float64")


def _backward_rows(layer: Layer, x: np.ndarray, R: np.ndarray) -> list[CheckRow]:
    N, params = len(x), layer.parameters()
    before, x_before = [p.value.copy() for p in params], x.copy()
    layer.forward(x, training=False)
    grad_y = R.copy()
    grad_x = layer.backward(grad_y)
    grad_x = None if grad_x is None else np.array(grad_x)  # a copy: grad_y may be changed below
    grads = [None if p.grad is None else np.array(p.grad, dtype=np.float64) for p in params]
    rows = [_unchanged_row("forward/backward leave the parameters", [p.value for p in params], before, N),
            _unchanged_row("forward/backward leave the input", [x], [x_before], N),
            _unchanged_row("backward leaves dL/dy", [grad_y], [R], N)]  # fmt: skip
    layer.forward(x, training=False)
    layer.backward(R.copy())
    again = all(np.array_equal(p.grad, g) for p, g in zip(params, grads) if g is not None)
    rows.append(CheckRow("backward sets gradients", N, "PASS" if again else "FAIL",
                         "" if again else "a second call changed p.grad: set it (=), do not add (+=)"))  # fmt: skip

    def loss() -> float:
        return float(np.sum(layer.forward(x, training=False) * R))

    y = layer.forward(x, training=False)
    elementwise = (y, R) if not params and y.shape == x.shape else None
    columns = getattr(layer, "columns", False)  # a _FunctionPair in columns: x is (in, N)
    rows.append(_gradient_row("dL/dx", grad_x, _numerical(loss, x), N, elementwise, columns))
    for p, grad in zip(params, grads):
        rows.append(_gradient_row(_name(p), grad, _numerical(loss, p.value), N))
    return rows


def _name(p: Parameter) -> str:
    """``dL/dW (dense0.W)`` for a parameter called ``dense0.W``."""
    short = p.name.rsplit(".", 1)[-1] if p.name else "parameter"
    return f"dL/d{short}" + (f" ({p.name})" if p.name and p.name != short else "")


def _unchanged_row(check: str, after: list, before: list, N: int) -> CheckRow:
    same = all(np.array_equal(a, b) for a, b in zip(after, before))
    detail = "" if same else "changed in place: compute into new arrays"
    return CheckRow(check, N, "PASS" if same else "FAIL", detail)


def _numerical(loss, a: np.ndarray) -> np.ndarray:
    """Centered differences of ``loss`` in every entry of ``a`` (changed in place, restored)."""
    grad = np.zeros_like(a)
    for i in np.ndindex(a.shape):
        plus, minus = perturbed(loss, a, i, EPS)
        grad[i] = (plus - minus) / (2 * EPS)
    return grad


def _gradient_row(
    name: str, analytic, numeric: np.ndarray, N: int, elementwise=None, columns: bool = False
) -> CheckRow:
    """``columns``: the student's array is the transpose of ``analytic``; shapes are told in
    theirs."""
    if analytic is None or np.shape(analytic) != numeric.shape:
        shown = (lambda shape: tuple(shape)[::-1]) if columns else tuple  # noqa: E731
        got = (
            "None: is it computed and returned?"
            if analytic is None
            else f"shape {shown(np.shape(analytic))}"
        )
        hint = _transposed_shape(analytic, numeric, name)
        return CheckRow(name, N, "FAIL", f"expected shape {shown(numeric.shape)}, got {got}{hint}")
    analytic = np.asarray(analytic, dtype=np.float64)
    tiny = resolution(float(np.abs(numeric).max(initial=1.0)), EPS) / THRESHOLD
    error = float(relative_error(analytic, numeric, tiny).max(initial=0.0))
    if error < THRESHOLD:
        return CheckRow(name, N, "PASS", f"max relative error {error:.1e}")
    words = _elementwise_words(analytic, *elementwise) if elementwise else None
    words = words or diagnose(analytic, numeric, N)
    return CheckRow(name, N, "FAIL", f"max relative error {error:.1e}; {words}")


def _elementwise_words(grad_x: np.ndarray, y: np.ndarray, R: np.ndarray) -> str | None:
    """For y = f(x) elementwise, grad_x = R ⊙ f'(x): name an f' that is f itself (the sigmoid's
    derivative written as σ(x) instead of σ(x)(1 − σ(x)))."""
    if np.allclose(grad_x, R * y, rtol=1e-6, atol=1e-9):
        return "your derivative f'(x) is the output f(x) itself; for the sigmoid f' = f(1 − f)"
    if np.allclose(grad_x, R, rtol=1e-6, atol=1e-9):
        return "dL/dx is dL/dy passed through: the factor f'(x) is missing (for ReLU, x > 0)"
    return None


def _transposed_shape(analytic, numeric, name: str) -> str:
    if analytic is not None and np.shape(analytic) == numeric.T.shape:
        return f": the shape of its transpose, did you compute {name.split()[0]} transposed?"
    return ""


def diagnose(analytic: np.ndarray, numeric: np.ndarray, N: int) -> str:
    """What a wrong gradient looks like, in words, when it has a recognisable pattern."""
    close = lambda a, b: np.allclose(a, b, rtol=1e-5, atol=1e-7)  # noqa: E731
    if not analytic.any():
        return "it is all zeros: is this gradient computed (and stored or returned)?"
    if analytic.shape == numeric.T.shape and close(analytic, numeric.T):
        return "it is the transpose of the right gradient"
    if close(analytic, -numeric):
        return "it has the wrong sign"
    for factor, words in ((N, f"N times too large (N = {N}): is 1/N missing?"),
                          (1 / N, f"N times too small (N = {N}): a mean where the sum over the batch belongs, or 1/N twice?"),
                          (2, "twice too large"), (0.5, "half what it should be")):  # fmt: skip
        if N != 1 or factor in (2, 0.5):
            if close(analytic, factor * numeric):
                return f"it is {words}"
    scale = float(np.sum(analytic * numeric) / np.sum(numeric * numeric))
    if close(analytic, scale * numeric):
        return f"it is the right gradient times {scale:.3g}: a constant factor is off"
    return "no simple pattern: check the formula entry by entry"


class _FunctionPair(Layer):
    """A forward/backward pair of functions as a Layer, in rows or in columns."""

    def __init__(self, forward, backward, params: list[Parameter], columns: bool):
        self._f, self._b, self.params, self.columns = forward, backward, params, columns
        self._cache = None

    def forward(self, x, training=False):
        x = x.T if self.columns else x
        try:
            result = self._f(x, *(p.value for p in self.params))
        except ValueError as error:  # most often shapes: say which were given
            shapes = ", ".join(str(a.shape) for a in (x, *(p.value for p in self.params)))
            other = "rows" if self.columns else "columns"
            raise ValueError(f"{error} (given shapes {shapes}; with one example per "
                             f"{other[:-1]}, pass layout={other!r})") from None  # fmt: skip
        if not (isinstance(result, tuple) and len(result) == 2):
            raise TypeError(f"forward must return (out, cache), got {type(result).__name__}")
        out, self._cache = result
        return out.T if self.columns else out

    def backward(self, grad_y, input_grad=True):
        grads = self._b(grad_y.T if self.columns else grad_y, self._cache)
        grads = tuple(grads) if isinstance(grads, tuple | list) else (grads,)
        grads += (None,) * (1 + len(self.params) - len(grads))  # a gradient not returned
        for p, g in zip(self.params, grads[1:]):
            p.grad = g
        return grads[0].T if self.columns else grads[0]

    def parameters(self):
        return self.params


def check_functions(
    forward, backward, *, layout: str = "rows", sizes=(4, 5, 3), seed: int = 0, verbose: bool = True
) -> LayerReport:
    """Check ``out, cache = forward(x[, w, b])`` and ``dx[, dw, db] = backward(dout, cache)``.

    ``layout="rows"``: x (N, in), w (in, out), b (out,), out = x @ w + b;
    ``layout="columns"``: x (in, N), W (out, in), b (out, 1), out = W @ x + b. A forward of x
    alone (an activation) gets no parameters. ``sizes`` is (N, in, out)."""
    if layout not in ("rows", "columns"):
        raise ValueError(f"check_functions: layout must be 'rows' or 'columns', got {layout!r}")
    rng = np.random.default_rng(seed)
    N, n_in, n_out = sizes
    takes_params = len(inspect.signature(forward).parameters) >= 3
    columns = layout == "columns"
    shapes = [(n_out, n_in), (n_out, 1)] if columns else [(n_in, n_out), (n_out,)]
    params = [Parameter(rng.standard_normal(s), name) for s, name in zip(shapes, ("W", "b"))]
    layer = _FunctionPair(forward, backward, params if takes_params else [], columns)
    return check_layer(layer, rng.standard_normal((N, n_in)), seed=seed, verbose=verbose)


# ---- a whole network -------------------------------------------------------------------------


def check_network(
    model_fn, sizes=(5, 4, 3), *, layout: str = "rows", batch: int = 6, seed: int = 0,
    verbose: bool = True,
) -> LayerReport:  # fmt: skip
    """Check a network you wrote as one function, in the CS231n style: ``scores =
    model_fn(params, x)`` and ``loss, grads = model_fn(params, x, labels)``, a ReLU MLP with
    softmax cross-entropy (a mean over the batch). ``params`` is a list of ``(W, b)`` pairs and
    ``grads`` the same of their gradients. numpynn builds its own ``mlp(sizes)`` in float64,
    hands you its weights, and compares the scores, the loss and every gradient with its own
    (each proven by gradcheck). ``layout="columns"``: W (out, in), b (out, 1), x (in, N)."""
    from .losses import SoftmaxCrossEntropy
    from .model import mlp

    if layout not in ("rows", "columns"):
        raise ValueError(f"check_network: layout must be 'rows' or 'columns', got {layout!r}")
    columns = layout == "columns"
    rng = np.random.default_rng(seed)
    reference = mlp(list(sizes), "relu", dtype="float64", rng=rng)
    denses = [layer for layer in reference.layers if layer.parameters()]
    params = [_as_student(d.W.value, d.b.value, columns) for d in denses]
    x, labels = rng.standard_normal((batch, sizes[0])), rng.integers(0, sizes[-1], batch)
    loss_fn = SoftmaxCrossEntropy()
    expected_scores = reference.forward(x)
    expected = loss_fn.forward(expected_scores, labels)
    dscores = loss_fn.backward()
    reference.backward(dscores)
    unmasked = _unmasked_gradients(denses, x, dscores)
    before = [a.copy() for pair in params for a in pair]
    x_student = x.T.copy() if columns else x.copy()
    try:
        scores = model_fn(params, x_student.copy())
        loss, grads = model_fn(params, x_student.copy(), labels.copy())
        loss = _number(loss)
    except Exception as error:  # noqa: BLE001 — the student's code: say what it raised
        row = CheckRow("network runs", batch, "FAIL", f"{type(error).__name__}: {error}")
        return _finish(LayerReport([row]), verbose)
    scores = np.asarray(scores).T if columns else scores
    rows = [_scores_row(scores, expected_scores, batch, columns), _value_row(loss, expected, batch),
            _unchanged_row("params unchanged", [a for pair in params for a in pair], before, batch)]  # fmt: skip
    for i, (d, pair) in enumerate(zip(denses, _pairs(grads, len(denses))), start=1):
        for name, p, g in (("W", d.W, pair[0]), ("b", d.b, pair[1])):
            g = _from_student(g, p.grad.shape, columns)
            rows.append(_gradient_row(f"dL/d{name}{i}", g, p.grad, batch, columns=columns))
            if rows[-1].result == "FAIL" and _same(g, unmasked[p.name]):
                rows[
                    -1
                ].detail = "it is the gradient with the ReLUs' masks left out: on the way back multiply by [z > 0]"
    return _finish(LayerReport(rows), verbose)


def _unmasked_gradients(denses: list, x: np.ndarray, dscores: np.ndarray) -> dict:
    """The gradients backpropagation gives if each ReLU's derivative is taken as 1 (its mask
    forgotten), by parameter name."""
    inputs, h = [], x
    for d in denses:
        inputs.append(h)
        h = np.maximum(h @ d.W.value + d.b.value, 0)
    grads, dz = {}, dscores
    for d, h_in in zip(reversed(denses), reversed(inputs)):
        grads[d.W.name], grads[d.b.name] = h_in.T @ dz, dz.sum(axis=0)
        dz = dz @ d.W.value.T
    return grads


def _same(a, b: np.ndarray) -> bool:
    return a is not None and np.shape(a) == b.shape and np.allclose(a, b, rtol=1e-6, atol=1e-12)


def _as_student(W: np.ndarray, b: np.ndarray, columns: bool) -> tuple:
    """numpynn's W (in, out) and b (out,), as W (out, in) and b (out, 1) with columns."""
    return (W.T.copy(), b[:, None].copy()) if columns else (W.copy(), b.copy())


def _from_student(g, shape: tuple, columns: bool):
    """A student's gradient in numpynn's shape (transposed back with columns)."""
    if g is None:
        return None
    g = np.asarray(g, dtype=np.float64)
    g = g.T if columns else g
    return g.reshape(shape) if len(shape) == 1 and g.size == shape[0] else g


def _pairs(grads, n: int) -> list:
    """The student's grads as n pairs, None where one is missing."""
    pairs = [tuple(pair) + (None,) * (2 - len(pair)) for pair in list(grads)[:n]]
    return pairs + [(None, None)] * (n - len(pairs))


def _scores_row(scores, expected: np.ndarray, N: int, columns: bool) -> CheckRow:
    if np.shape(scores) != expected.shape:
        shown = (lambda shape: tuple(shape)[::-1]) if columns else tuple  # noqa: E731
        return CheckRow("scores", N, "FAIL",
                        f"expected shape {shown(expected.shape)}, got {shown(np.shape(scores))}")  # fmt: skip
    if np.allclose(scores, expected, rtol=1e-9, atol=1e-12):
        return CheckRow("scores", N, "PASS", f"shape {expected.shape}, equal to numpynn's")
    return CheckRow(
        "scores",
        N,
        "FAIL",
        "differ from numpynn's: check the forward pass (a ReLU after every layer but the last)",
    )


# ---- losses ---------------------------------------------------------------------------------


def check_loss(
    loss, reference: str = "cross-entropy", *, sizes=(5, 4), seed: int = 0, verbose: bool = True
) -> LayerReport:
    """Check a loss you wrote against numpynn's ``reference`` (``cross-entropy``,
        ``sigmoid-cross-entropy`` or ``mse``, each a mean over the batch): ``loss`` is a function
        ``value, dscores = loss(scores, labels)`` or an object with ``forward(scores, labels)`` and
        ``backward()``. Checks the value, the gradient (against numpynn's and against finite
        differences of your own value) and a confident right answer (score 1000 at the label), where
    an exp without the row maximum subtracted overflows."""
    from .losses import get_loss

    compute = _as_loss_function(loss)
    rng = np.random.default_rng(seed)
    N, C = sizes
    z, labels = rng.standard_normal((N, C)) * 2, rng.integers(0, C, N)
    ref = get_loss(reference)
    expected = ref.forward(z.copy(), labels)
    expected_grad = ref.backward()
    rows = []
    try:
        z_given = z.copy()
        value, grad = compute(z_given, labels)
        value = _number(value)
        grad = np.array(grad)  # a copy: it may be the scores changed in place
    except Exception as error:  # noqa: BLE001 — the student's code: say what it raised
        rows.append(CheckRow("loss runs", N, "FAIL", f"{type(error).__name__}: {error}"))
        return _finish(LayerReport(rows), verbose)
    rows.append(_value_row(value, expected, N))
    rows.append(_unchanged_row("the loss leaves the scores", [z_given], [z], N))
    rows.append(_gradient_row(f"dL/dscores vs {reference}", np.asarray(grad), expected_grad, N))
    if rows[-1].result == "FAIL" and reference == "cross-entropy":
        rows[-1].detail = _one_hot_words(grad, expected_grad, labels) or rows[-1].detail
    z_own = z.copy()
    own = _numerical(lambda: float(compute(z_own, labels)[0]), z_own)
    rows.append(_gradient_row("dL/dscores vs your value", np.asarray(grad), own, N))
    rows.append(_huge_scores_row(compute, ref, labels, C))
    return _finish(LayerReport(rows), verbose)


def _huge_scores_row(compute, reference, labels: np.ndarray, C: int) -> CheckRow:
    """A confident right answer: score 1000 at each label, 0 elsewhere. exp(1000) overflows
    unless each row's maximum is subtracted first."""
    z = np.zeros((len(labels), C))
    z[np.arange(len(labels)), labels] = 1000.0
    expected = reference.forward(z.copy(), labels)
    with np.errstate(all="ignore"):
        value = float(compute(z, labels)[0])
    if np.isclose(value, expected, rtol=1e-9, atol=1e-12):
        return CheckRow("score 1000 at the label", len(labels), "PASS", f"loss {value:.4g}")
    return CheckRow("score 1000 at the label", len(labels), "FAIL",
                    f"loss {value:.4g}, numpynn {expected:.4g}: exp overflows; subtract each "
                    "row's maximum before exp")  # fmt: skip


def _number(value) -> float:
    """A loss as a float; an array of more than one number is an error that says so."""
    if np.size(value) != 1:
        raise TypeError(
            f"the loss must be one number (the mean over the batch), got shape {np.shape(value)}"
        )
    return float(np.asarray(value).reshape(-1)[0])


def _one_hot_words(grad, expected: np.ndarray, labels: np.ndarray) -> str | None:
    """The softmax's gradient without the −1 at each label is (p − Y)/N + Y/N."""
    one_hot = np.zeros_like(expected)
    one_hot[np.arange(len(labels)), labels] = 1 / len(labels)
    if np.shape(grad) == expected.shape and np.allclose(grad, expected + one_hot, rtol=1e-6):
        return "it is p/N: subtract 1 at each example's label, (p − Y)/N"
    return None


def _as_loss_function(loss):
    if hasattr(loss, "forward") and hasattr(loss, "backward"):
        return lambda z, labels: (loss.forward(z, labels), loss.backward())
    return loss


def _value_row(value: float, expected: float, N: int) -> CheckRow:
    if np.isclose(value, expected, rtol=1e-9, atol=0):
        return CheckRow("loss value", N, "PASS", f"{value:.6g}")
    if np.isclose(value, expected * N, rtol=1e-9, atol=0):
        words = f"N times numpynn's (N = {N}): the sum over the batch, not the mean"
    else:
        words = "no simple pattern"
    return CheckRow("loss value", N, "FAIL", f"{value:.6g}, numpynn {expected:.6g}: {words}")


def _finish(report: LayerReport, verbose: bool) -> LayerReport:
    if verbose:
        print(report)
    return report


# ---- optimizers -----------------------------------------------------------------------------


def check_optimizer(
    step, name: str = "adam", *, config: dict | None = None, steps: int = 10, seed: int = 0,
    verbose: bool = True,
) -> LayerReport:  # fmt: skip
    """Run your update ``next_w, config = step(w, dw, config)`` (the CS231n style: ``config``
    holds ``learning_rate`` and the optimizer's hyperparameters and state) beside numpynn's
    ``name`` (``sgd``, ``momentum`` or ``adam``) on the same random gradients, step by step, and
    name the first step where they part."""
    config = {"learning_rate": 1e-2, **(config or {})}
    rng = np.random.default_rng(seed)
    w = rng.standard_normal((4, 3))
    reference, param = _reference_optimizer(name, w, config)
    mine, rows = w.copy(), []
    for t in range(1, steps + 1):
        dw = rng.standard_normal(w.shape) * 10.0 ** rng.uniform(-2, 1)
        param.grad[...] = dw
        reference.step()
        before = mine.copy()
        try:
            mine, config = step(mine, dw.copy(), config)
        except Exception as error:  # noqa: BLE001 — the student's code: say what it raised
            rows.append(CheckRow(f"{name} step {t}", 0, "FAIL", f"{type(error).__name__}: {error}"))
            return _finish(LayerReport(rows), verbose)
        if not np.allclose(mine, param.value, rtol=1e-9, atol=1e-12):
            words = _optimizer_words(name, t, mine - before, param.value - before, reference)
            rows.append(CheckRow(f"{name} step {t}", 0, "FAIL", words))
            return _finish(LayerReport(rows), verbose)
    rows.append(CheckRow(f"{name}, {steps} steps", 0, "PASS", "every step equals numpynn's"))
    return _finish(LayerReport(rows), verbose)


def _reference_optimizer(name: str, w: np.ndarray, config: dict):
    from .optim import SGD, Adam

    param = Parameter(w.copy(), "w")
    lr = config["learning_rate"]
    if name == "adam":
        betas = (config.setdefault("beta1", 0.9), config.setdefault("beta2", 0.999))
        return Adam([param], lr=lr, betas=betas, eps=config.setdefault("epsilon", 1e-8)), param
    if name == "momentum":
        return SGD([param], lr=lr, momentum=config.setdefault("momentum", 0.9)), param
    if name == "sgd":
        return SGD([param], lr=lr), param
    raise ValueError(f"check_optimizer: name must be sgd, momentum or adam, got {name!r}")


def _optimizer_words(name: str, t: int, mine: np.ndarray, theirs: np.ndarray, reference) -> str:
    """What differs in a step's update, where a pattern says why."""
    text = f"your update differs from numpynn's (largest gap {np.abs(mine - theirs).max():.3g})"
    if not np.isfinite(mine).all():
        return (
            text + ": it holds NaN or Inf; a division by zero? (Adam counts t from 1: 1 − β₁⁰ = 0)"
        )
    if name == "adam" and t == 1:
        beta1, beta2 = reference.betas
        if np.allclose(mine, theirs * (1 - beta1) / np.sqrt(1 - beta2), rtol=1e-3):
            return text + ": Adam without bias correction? m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ)"
    if np.allclose(mine, -theirs, rtol=1e-6):
        return text + ": it goes uphill (wrong sign)"
    if np.allclose(mine, theirs, rtol=1e-3):
        return (
            text + ": very close; is ε where the formula puts it (after the square root)?"
            if name == "adam"
            else text + ": very close; a constant slightly off?"
        )
    if t > 1:
        return (
            text
            + f"; {'step 1 agrees' if t == 2 else f'steps 1 to {t - 1} agree'}: is the state (velocity, m, v, t) kept in config between steps?"
        )
    return text
