"""Rosenblatt's perceptron: the binary ``Perceptron`` (labels ±1) and the ``MulticlassPerceptron``
(one weight vector per class), each with the averaged and pocket options, and Novikoff's bound.

The learning rule is mistake-driven and sequential by definition: examples are visited one at a
time, in a fresh seeded order each epoch, and the weights change only on a mistake. Prediction and
evaluation are vectorized. The bias is folded in: every input gets a constant feature 1, so the
last weight is the bias.

Options:
    averaged: predict with the average of the weights after every example seen (Freund & Schapire).
        Kept in O(1) extra work per mistake with the lazy trick: on a mistake at step c (examples
        seen before this one) add c·update to an accumulator U; after T steps the average is
        W - U / T.
    pocket: after each epoch, measure the training accuracy of the epoch's weights (the averaged
        ones with ``averaged=True``) and keep the best seen (Gallant's pocket, measured per epoch).
"""

import time
from collections.abc import Callable

import numpy as np

from .progress import progress_bar
from .validation import check_int, check_number

__all__ = ["Perceptron", "MulticlassPerceptron", "novikoff_bound"]

CHUNK = 4096  # examples between progress-bar updates; also the evaluation chunk


class _OnlineLinear:
    """The training loop shared by both perceptrons; subclasses define labels, scores and the
    per-example update (``_check_labels``, ``_new_weights``, ``_pass``, ``_predict``)."""

    def __init__(
        self,
        lr: float = 1.0,
        *,
        averaged: bool = False,
        pocket: bool = False,
        seed: int | None = 0,
        rng: np.random.Generator | None = None,
    ):
        self.lr = check_number("lr", lr, 0, low_open=True, who=type(self).__name__)
        self.averaged = bool(averaged)
        self.pocket = bool(pocket)
        self.rng = rng if rng is not None else np.random.default_rng(seed)
        self.history: list[dict] = []  # per epoch: epoch, mistakes, train_accuracy, seconds
        self.snapshots: list[np.ndarray] = []  # the weights in effect after each epoch
        self.converged = False
        self._weights: np.ndarray | None = None

    def fit(
        self,
        x: np.ndarray,
        y: np.ndarray,
        epochs: int = 10,
        *,
        progress: bool = False,
        on_epoch_end: Callable[[dict], None] | None = None,
    ):
        """Train from zero weights for up to ``epochs`` passes; stop after a pass without mistakes.

        Records one ``history`` row and one ``snapshots`` entry per epoch; returns ``self``.
        """
        who = f"{type(self).__name__}.fit"
        check_int("epochs", epochs, 1, who=who)
        X = _augment(_check_inputs(x, who))
        y = self._check_labels(y, len(X), who, training=True)
        W = self._new_weights(X.shape[1], X.dtype, y)
        labels = y.tolist()  # Python ints index and multiply fastest in the per-example loop
        # float64 on purpose: on MNIST the step-weighted sums in U reach ~1e9
        U = np.zeros(W.shape, np.float64) if self.averaged else None
        self.history, self.snapshots, self.converged = [], [], False
        best_accuracy, steps = -1.0, 0
        for epoch in range(1, epochs + 1):
            start = time.perf_counter()
            order = self.rng.permutation(len(X))
            mistakes = 0
            for chunk in _chunks(order, progress, f"epoch {epoch}/{epochs}"):
                mistakes += self._pass(X, labels, chunk.tolist(), W, U, steps)
                steps += len(chunk)
            # the lazy average: mean of the weights after each of the `steps` examples so far
            current = (W - U / steps).astype(W.dtype) if self.averaged else W.copy()
            accuracy = float(np.mean(self._predict(X, current) == y))
            if not self.pocket or accuracy > best_accuracy:
                best_accuracy, self._weights = accuracy, current
            row = {"epoch": epoch, "mistakes": mistakes, "train_accuracy": accuracy,
                   "seconds": time.perf_counter() - start}  # fmt: skip
            self.history.append(row)
            self.snapshots.append(current)
            if on_epoch_end is not None:
                on_epoch_end(row)
            if mistakes == 0:
                self.converged = True
                break
        return self

    @property
    def mistakes(self) -> list[int]:
        """Mistakes (updates) made in each epoch of the last ``fit``."""
        return [row["mistakes"] for row in self.history]

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Predicted labels of the rows of ``x``, computed in chunks."""
        return self._predict(_augment(self._check_fitted(x, "predict")), self._weights)

    def score(self, x: np.ndarray, y: np.ndarray) -> float:
        """Accuracy: the fraction of rows of ``x`` whose predicted label equals ``y``."""
        X = _augment(self._check_fitted(x, "score"))
        y = self._check_labels(y, len(X), f"{type(self).__name__}.score")
        return float(np.mean(self._predict(X, self._weights) == y))

    def _trained(self, who: str) -> np.ndarray:
        if self._weights is None:
            raise RuntimeError(
                f"{type(self).__name__}.{who}: the model is not trained yet; call fit(x, y) first"
            )
        return self._weights

    def _check_fitted(self, x, who: str) -> np.ndarray:
        self._trained(who)
        who = f"{type(self).__name__}.{who}"
        x = _check_inputs(x, who)
        features = self._weights.shape[-1] - 1
        if x.shape[1] != features:
            raise ValueError(
                f"{who}: x must have {features} features per row (as in training), "
                f"got shape {x.shape}"
            )
        return x

    def __repr__(self) -> str:
        options = "".join(
            f", {name}=True" for name in ("averaged", "pocket") if getattr(self, name)
        )
        return f"{type(self).__name__}(lr={self.lr:g}{options})"


class Perceptron(_OnlineLinear):
    """Rosenblatt's perceptron for labels y ∈ {-1, +1}: predict +1 where w·x + b > 0, else -1.

    On a mistake, y (w·x) <= 0, it updates w ← w + lr·y·x (x with the constant feature 1
    appended, so the bias moves too). From w = 0, lr only scales w: the mistakes do not depend
    on it. ``w`` holds the weights, bias last.
    """

    @property
    def w(self) -> np.ndarray:
        """The weights it predicts with (averaged or pocket ones if asked), bias last."""
        return self._trained("w")

    def decision_function(self, x: np.ndarray) -> np.ndarray:
        """The scores w·x + b; their sign is the prediction."""
        return _augment(self._check_fitted(x, "decision_function")) @ self._weights

    def _check_labels(self, y, n: int, who: str, training: bool = False) -> np.ndarray:
        y = _check_label_array(y, n, who)
        values = np.unique(y)
        if not np.isin(values, (-1, 1)).all():
            shown = ", ".join(f"{v:g}" for v in values[:10])
            raise ValueError(
                f"{who}: labels must be -1 or +1, got values {{{shown}}}; "
                "map 0/1 labels with y = 2 * y - 1"
            )
        if training and len(values) < 2:
            raise ValueError(
                f"{who}: labels must include both classes -1 and +1, got only {values[0]:+g}; "
                "a perceptron needs examples of each class"
            )
        return y.astype(np.int64)

    def _new_weights(self, features: int, dtype, y) -> np.ndarray:
        return np.zeros(features, dtype)

    def _pass(self, X, y, order, w, U, steps) -> int:
        mistakes = 0
        lr = self.lr
        for step, i in enumerate(order, steps):
            x = X[i]
            if y[i] * (w @ x) <= 0:
                # mistake: w ← w + lr·y·x; the averaged sum U gets step·(lr·y·x)
                update = x * (lr * y[i])
                w += update
                if U is not None:
                    U += step * update
                mistakes += 1
        return mistakes

    def _predict(self, X, w) -> np.ndarray:
        return np.where(X @ w > 0, 1, -1)


class MulticlassPerceptron(_OnlineLinear):
    """The multiclass perceptron: one weight vector per class (rows of ``W``, bias last);
    predict argmax_c W[c]·x.

    On a mistake (prediction p ≠ label y) it moves the true class towards x and the predicted
    class away from it: W[y] ← W[y] + lr·x, W[p] ← W[p] - lr·x.

    Args:
        num_classes: C, labels are integers 0..C-1; by default the largest training label + 1.
    """

    def __init__(self, num_classes: int | None = None, lr: float = 1.0, **options):
        super().__init__(lr, **options)
        if num_classes is not None:
            check_int("num_classes", num_classes, 2, who="MulticlassPerceptron")
        self.num_classes = num_classes

    @property
    def W(self) -> np.ndarray:
        """The weights it predicts with, a row per class, bias last."""
        return self._trained("W")

    def decision_function(self, x: np.ndarray) -> np.ndarray:
        """The class scores X W^T, shape (N, C); the prediction is their argmax."""
        return _augment(self._check_fitted(x, "decision_function")) @ self._weights.T

    def _check_labels(self, y, n: int, who: str, training: bool = False) -> np.ndarray:
        y = _check_label_array(y, n, who)
        if not np.array_equal(y, np.round(y)) or (len(y) and y.min() < 0):
            bad = y[(y != np.round(y)) | (y < 0)][0]
            raise ValueError(
                f"{who}: labels must be integers 0..C-1, got {bad:g}; "
                "encode the classes as 0, 1, 2, ..."
            )
        classes = self.num_classes if training else len(self._weights)
        if classes is not None and y.max() >= classes:
            raise ValueError(
                f"{who}: labels must be integers 0..{classes - 1} (num_classes={classes}), "
                f"got {y.max():g}; raise num_classes or fix the labels"
            )
        if training and len(np.unique(y)) < 2:
            raise ValueError(
                f"{who}: labels must hold at least two classes, got only class {y[0]:g}; "
                "a classifier needs examples of each class"
            )
        return y.astype(np.intp)

    def _new_weights(self, features: int, dtype, y) -> np.ndarray:
        classes = self.num_classes if self.num_classes is not None else int(y.max()) + 1
        return np.zeros((classes, features), dtype)

    def _pass(self, X, y, order, W, U, steps) -> int:
        mistakes = 0
        lr = self.lr
        scores = np.empty(len(W), W.dtype)
        for step, i in enumerate(order, steps):
            x = X[i]
            np.dot(W, x, out=scores)  # (C, D) @ (D,): one small matmul per example
            guess = scores.argmax()
            label = y[i]
            if guess != label:
                # W[y] += lr·x, W[p] -= lr·x; the averaged sum U gets step times the same
                update = x * lr
                W[label] += update
                W[guess] -= update
                if U is not None:
                    U[label] += step * update
                    U[guess] -= step * update
                mistakes += 1
        return mistakes

    def _predict(self, X, W) -> np.ndarray:
        return np.concatenate(
            [(X[i : i + CHUNK] @ W.T).argmax(axis=1) for i in range(0, len(X), CHUNK)]
        )


def novikoff_bound(x: np.ndarray, y: np.ndarray, normal: np.ndarray, offset: float) -> float:
    """Novikoff's bound (R/γ)² on the perceptron's total mistakes, for the data as the perceptron
    sees it: each x with the constant feature 1 appended, separated by the unit vector
    v = (normal, offset) / ‖(normal, offset)‖.

    R = maxᵢ ‖(xᵢ, 1)‖ and γ = minᵢ yᵢ v·(xᵢ, 1), the margin of that separator.
    """
    X = _augment(_check_inputs(x, "novikoff_bound"))
    y = _check_label_array(y, len(X), "novikoff_bound")
    v = np.append(np.asarray(normal, np.float64), float(offset))
    if v.shape != (X.shape[1],) or not np.any(v):
        raise ValueError(
            f"novikoff_bound: normal must be a nonzero vector of {X.shape[1] - 1} numbers, "
            f"got {np.asarray(normal)!r}"
        )
    v /= np.linalg.norm(v)
    margin = float(np.min(y * (X @ v)))
    if margin <= 0:
        raise ValueError(
            f"novikoff_bound: the hyperplane must separate the data with a margin > 0, got "
            f"margin {margin:.3g}; give the normal and offset of a separating hyperplane"
        )
    radius = float(np.max(np.linalg.norm(X, axis=1)))
    return (radius / margin) ** 2


def _check_inputs(x, who: str) -> np.ndarray:
    x = np.asarray(x)
    if x.ndim != 2 or x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(
            f"{who}: x must be a 2-D array (N, features) with N >= 1, got shape {x.shape}; "
            "flatten images first: x.reshape(len(x), -1)"
        )
    if not (np.issubdtype(x.dtype, np.number) and not np.iscomplexobj(x)):
        raise TypeError(f"{who}: x must hold real numbers, got dtype {x.dtype}")
    if not np.isfinite(x).all():
        raise ValueError(f"{who}: x must be finite, got NaN or inf; clean the data first")
    return x


def _check_label_array(y, n: int, who: str) -> np.ndarray:
    y = np.asarray(y)
    if y.ndim != 1 or len(y) != n:
        raise ValueError(
            f"{who}: x and y must have the same length, got {n} inputs and labels of shape "
            f"{y.shape}; give one label per row of x"
        )
    if not (np.issubdtype(y.dtype, np.integer) or np.issubdtype(y.dtype, np.floating)):
        raise TypeError(f"{who}: labels must be numbers, got dtype {y.dtype}")
    if not np.isfinite(y).all():
        raise ValueError(f"{who}: labels must be finite, got NaN or inf")
    return y


def _augment(x: np.ndarray) -> np.ndarray:
    """(N, d) -> (N, d+1) with a last column of ones (float32 stays float32, else float64)."""
    dtype = x.dtype if x.dtype in (np.float32, np.float64) else np.float64
    X = np.empty((len(x), x.shape[1] + 1), dtype)
    X[:, :-1] = x
    X[:, -1] = 1
    return X


def _chunks(order: np.ndarray, progress: bool, desc: str):
    chunks = (order[i : i + CHUNK] for i in range(0, len(order), CHUNK))
    if not progress:
        yield from chunks
        return
    with progress_bar(total=len(order), desc=desc, unit="ex") as bar:
        for chunk in chunks:
            yield chunk
            bar.update(len(chunk))
