"""Gradient checking: every analytic gradient against centered finite differences in float64.

For a coordinate θᵢ of a parameter (or of the input x) the numerical derivative is

    n = (L(θᵢ + eps) − L(θᵢ − eps)) / (2·eps)

and it is compared with the analytic a = dL/dθᵢ from ``backward`` by the relative error
|a − n| / max(|a| + |n|, tiny). A tensor passes when its largest relative error is below
``threshold``.

Rounding limits n: each float64 loss is off by a few ulps, so n carries an absolute error of about
``resolution = 16·ε·max(|L|, 1) / eps`` (ε = 2.2e-16; ~5 ulps measured on MLPs). A relative error
of gradients smaller than that is noise, so ``tiny = resolution / threshold``: gradients above
``tiny`` must agree to ``threshold`` relatively, smaller ones to ``resolution`` absolutely.

Coordinates whose ±eps window crosses a ReLU/LeakyReLU kink (the sign of some kinked layer's input
differs between the two passes) have no derivative to compare: they are counted apart as "kinks
skipped", never failed and never hidden. The derivation is in docs/backprop.md, section 6.
"""

import copy
import math
from dataclasses import dataclass, field

import numpy as np

from .activations import LeakyReLU, ReLU
from .layers import Dropout, Layer
from .losses import Loss
from .model import Sequential
from .tables import aligned_text
from .validation import check_int

__all__ = [
    "gradcheck",
    "GradcheckReport",
    "GradcheckRow",
    "float64_copy",
    "perturbed",
    "relative_error",
    "resolution",
]

KINKED = (ReLU, LeakyReLU)
THRESHOLD = 1e-7  # float64 with eps=1e-6: a correct backward gives ~1e-9, a wrong one ~1e-1
ROUNDING_ULPS = 16  # allowed rounding error of one float64 loss, in ulps of max(|L|, 1)


def resolution(loss: float, eps: float) -> float:
    """The absolute accuracy of a centered difference of two float64 losses near ``loss``."""
    return ROUNDING_ULPS * float(np.finfo(np.float64).eps) * max(abs(loss), 1.0) / eps


def relative_error(analytic, numeric, tiny: float):
    """|a − n| / max(|a| + |n|, tiny), elementwise."""
    analytic, numeric = np.asarray(analytic), np.asarray(numeric)
    with np.errstate(invalid="ignore"):  # inf or nan in a gradient: an error of nan, made inf
        error = np.abs(analytic - numeric) / np.maximum(np.abs(analytic) + np.abs(numeric), tiny)
    return np.where(np.isnan(error), np.inf, error)


@dataclass
class GradcheckRow:
    """The check of one tensor: a parameter (by its name) or the input ``x``."""

    name: str
    shape: tuple[int, ...]
    checked: int  # coordinates compared, kinks included
    max_rel_error: float  # over the coordinates that are not kinks (nan if there are none)
    kinks: int
    passed: bool
    worst: tuple[int, ...] | None = None  # index of the largest relative error

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    @property
    def result(self) -> str:
        """PASS, FAIL, or SKIP when every checked coordinate sat on a kink (nothing to compare)."""
        if not self.passed:
            return "FAIL"
        return "SKIP" if self.kinks == self.checked else "PASS"


@dataclass
class GradcheckReport:
    """Per-tensor results of ``gradcheck``; ``str(report)`` is the table."""

    rows: list[GradcheckRow]
    eps: float
    threshold: float
    tiny: float
    source_dtype: str
    kink_coords: list[tuple[str, tuple[int, ...]]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """True when every tensor passed."""
        return all(row.passed for row in self.rows)

    @property
    def max_rel_error(self) -> float:
        """The largest relative error of any tensor (NaN when none was compared)."""
        errors = [row.max_rel_error for row in self.rows if not math.isnan(row.max_rel_error)]
        return max(errors, default=math.nan)

    @property
    def kinks(self) -> int:
        """Coordinates skipped because their ±eps window crossed a kink (ReLU at 0)."""
        return sum(row.kinks for row in self.rows)

    def __str__(self) -> str:
        header = ("tensor", "shape", "checked", "max rel error", "kinks skipped", "result")
        lines = [header] + [
            (
                row.name,
                "x".join(map(str, row.shape)),
                f"{row.checked}/{row.size}",
                "-" if math.isnan(row.max_rel_error) else f"{row.max_rel_error:.2e}",
                str(row.kinks),
                row.result,
            )
            for row in self.rows
        ]
        table = aligned_text(lines)
        where = "in float64" if self.source_dtype == "float64" else "in a float64 copy"
        verdict = "PASS" if self.passed else "FAIL"
        summary = (
            f"{verdict}: max rel error {self.max_rel_error:.2e} (threshold {self.threshold:.0e}, "
            f"eps {self.eps:.0e}, tiny {self.tiny:.1e}, {self.source_dtype} model checked "
            f"{where}), {self.kinks} kink coordinates skipped"
        )
        return "\n".join([*table, summary])


def gradcheck(
    model: Sequential,
    loss_fn: Loss,
    x: np.ndarray,
    y: np.ndarray,
    eps: float = 1e-6,
    *,
    max_coords: int = 100,
    threshold: float = THRESHOLD,
    seed: int = 0,
) -> GradcheckReport:
    """Compare ``model.backward`` with centered finite differences of ``loss_fn`` in float64.

    The model and loss are never changed: the check runs on a float64 copy, in training mode,
    with every Dropout mask drawn once (from ``seed``) and fixed.

    Args:
        x, y: a small batch and its labels (or float targets for MeanSquaredError).
        eps: the finite-difference step.
        max_coords: tensors with more entries are checked on a random sample of this many
            coordinates (drawn from ``seed``); smaller ones exhaustively.
        threshold: the largest relative error that passes (1e-7 suits float64 and eps=1e-6).

    Returns:
        A GradcheckReport: ``.passed``, ``.rows`` (one per parameter, then the input x),
        ``str(report)`` the table.
    """
    _validate(model, loss_fn, x, eps, max_coords, threshold)
    source_dtype = str(model.dtype) if model.dtype is not None else "float64"
    model, loss_fn = float64_copy(model), copy.deepcopy(loss_fn)
    x = np.array(x, dtype=np.float64)
    _fix_dropout_masks(model, x, seed)

    loss, analytic = _analytic_gradients(model, loss_fn, x, y)
    tiny = resolution(loss, eps) / threshold
    tensors = [(p.name, p.value) for p in model.parameters()] + [("input x", x)]
    rng = np.random.default_rng(seed)
    rows, kink_coords = [], []
    for (name, value), grad in zip(tensors, analytic):
        coords = _sample_coords(value.shape, max_coords, rng)
        row, kinks = _check_tensor(
            lambda: _loss(model, loss_fn, x, y), name, value, grad, coords, eps, tiny
        )
        # nan: every checked coordinate was a kink, nothing failed
        row.passed = math.isnan(row.max_rel_error) or row.max_rel_error < threshold
        rows.append(row)
        kink_coords += [(name, c) for c in kinks]
    return GradcheckReport(rows, eps, threshold, tiny, source_dtype, kink_coords)


def float64_copy(model: Layer) -> Layer:
    """A deep copy of ``model`` (a Sequential or one layer, same classes) with every float array
    in float64."""
    model = copy.deepcopy(model)
    for layer in _layers(model):
        for key, value in vars(layer).items():
            if isinstance(value, np.ndarray) and value.dtype.kind == "f":
                setattr(layer, key, value.astype(np.float64))
        for p in layer.parameters():
            p.value, p.grad = p.value.astype(np.float64), np.zeros(p.shape, dtype=np.float64)
    return model


def _validate(model, loss_fn, x, eps, max_coords, threshold) -> None:
    if not isinstance(model, Sequential):
        raise TypeError(
            f"gradcheck: model must be a Sequential, got {type(model).__name__}; "
            "wrap a single layer: nn.Sequential([layer])"
        )
    if not isinstance(loss_fn, Loss):
        raise TypeError(f"gradcheck: loss_fn must be a Loss, got {type(loss_fn).__name__}")
    x = np.asarray(x)
    if x.dtype.kind not in "fiu" or x.ndim != 2 or x.size == 0:
        raise ValueError(
            f"gradcheck: x must be a non-empty (N, features) array of numbers, got shape "
            f"{x.shape} dtype {x.dtype}; pass a small batch such as x[:8]"
        )
    if not np.isfinite(x).all():
        where = tuple(int(i) for i in np.argwhere(~np.isfinite(x))[0])
        raise ValueError(
            f"gradcheck: x must be finite, got {x[where]} at index {where}; "
            "check the batch with np.isfinite(x).all()"
        )
    if not (0 < eps < 1):
        raise ValueError(f"gradcheck: eps must be in (0, 1), got {eps}; 1e-6 suits float64")
    check_int("max_coords", max_coords, 1, who="gradcheck")
    if not (0 < threshold < 1):
        raise ValueError(f"gradcheck: threshold must be in (0, 1), got {threshold}")


def _layers(model: Layer):
    """Every layer of a (possibly nested) Sequential, in forward order; a lone layer itself."""
    if not isinstance(model, Sequential):
        yield model
        return
    for layer in model.layers:
        yield from _layers(layer)


def _fix_dropout_masks(model: Sequential, x: np.ndarray, seed: int) -> None:
    """Make every forward pass draw the same Dropout masks: the loss must be one function of the
    weights for its finite differences to mean anything."""
    rng = np.random.default_rng(seed)
    for layer in _layers(model):
        if isinstance(layer, Dropout) and layer.p > 0:
            layer.rng = _SameDraws(rng)
    model.forward(x, training=True)  # each Dropout layer draws its mask, in order


class _SameDraws:
    """Stands in for a Dropout layer's generator: ``random`` returns its first draw every time."""

    def __init__(self, rng: np.random.Generator):
        self.rng, self.draw = rng, None

    def random(self, shape, dtype):
        if self.draw is None:
            self.draw = self.rng.random(shape, dtype=dtype)
        return self.draw


def _loss(model, loss_fn, x, y) -> tuple[float, list[np.ndarray]]:
    """The loss and, for each kinked layer, the sign pattern (input > 0) of its input."""
    signs = []
    for layer in _layers(model):
        if isinstance(layer, KINKED):
            signs.append(x > 0)
        x = layer.forward(x, training=True)
    loss = loss_fn.forward(x, y)
    if np.ndim(loss) != 0:
        raise ValueError(
            f"gradcheck: the loss must be a scalar, got shape {np.shape(loss)}; "
            "a loss's forward returns the mean over the batch"
        )
    if not math.isfinite(loss):
        raise ValueError(
            f"gradcheck: the loss must be finite, got {loss}; check the labels or targets and "
            "the weights with np.isfinite, or use smaller weights"
        )
    return float(loss), signs


def _analytic_gradients(model, loss_fn, x, y) -> tuple[float, list[np.ndarray]]:
    """The loss and [dL/dp for each parameter p] + [dL/dx], from one forward and backward."""
    loss, _ = _loss(model, loss_fn, x, y)
    grad_x = model.backward(loss_fn.backward())
    for p in model.parameters():
        if p.grad.shape != p.shape:
            raise ValueError(
                f"gradcheck: {p.name}.grad must have the parameter's shape {p.shape}, got "
                f"{p.grad.shape}; the layer's backward is wrong"
            )
    if np.shape(grad_x) != x.shape:
        raise ValueError(
            f"gradcheck: the model's backward must return dL/dx of shape {x.shape}, got "
            f"{np.shape(grad_x)}; a layer's backward is wrong"
        )
    return loss, [p.grad.copy() for p in model.parameters()] + [grad_x]


def _sample_coords(shape, max_coords: int, rng: np.random.Generator) -> list[tuple[int, ...]]:
    size = math.prod(shape)
    flat = np.arange(size) if size <= max_coords else np.sort(rng.choice(size, max_coords, False))
    return [tuple(int(i) for i in np.unravel_index(k, shape)) for k in flat]


def perturbed(loss_at, value: np.ndarray, i: tuple, eps: float) -> tuple:
    """``loss_at()`` with ``value[i]`` moved by +eps, then by -eps; ``value`` is restored."""
    old = value[i]
    value[i] = old + eps
    plus = loss_at()
    value[i] = old - eps
    minus = loss_at()
    value[i] = old
    return plus, minus


def _check_tensor(loss_at, name, value, analytic, coords, eps, tiny):
    """Perturb ``value`` (in place, then restored) at each coordinate; compare with ``analytic``."""
    errors, kinks = {}, []
    for i in coords:  # one coordinate at a time: the documented per-element loop
        (plus, signs_plus), (minus, signs_minus) = perturbed(loss_at, value, i, eps)
        if any((a != b).any() for a, b in zip(signs_plus, signs_minus)):
            kinks.append(i)
        else:
            errors[i] = float(relative_error(analytic[i], (plus - minus) / (2 * eps), tiny))
    worst = max(errors, key=errors.get, default=None)
    max_error = errors[worst] if worst is not None else math.nan
    row = GradcheckRow(name, tuple(value.shape), len(coords), max_error, len(kinks), True, worst)
    return row, kinks
