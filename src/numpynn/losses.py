"""Losses: ``forward(outputs, labels) -> float`` (a mean over the batch) and
``backward() -> grad_outputs``, with the same definitions as torch.nn.CrossEntropyLoss / MSELoss
(and, for the sigmoid cross-entropy, torch.nn.BCEWithLogitsLoss summed over outputs).
"""

import numpy as np

from .activations import Sigmoid
from .validation import look_up

__all__ = ["softmax", "Loss", "SoftmaxCrossEntropy", "SigmoidCrossEntropy", "MeanSquaredError",
           "LOSSES", "get_loss"]  # fmt: skip


def softmax(logits: np.ndarray) -> np.ndarray:
    """Each row of (N, C) logits as probabilities exp(zᵢ) / Σⱼ exp(zⱼ), stable for any logits."""
    return _softmax_of_shifted(logits - logits.max(axis=1, keepdims=True))[0]


def _softmax_of_shifted(shifted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Softmax of rows whose maximum is 0 (so exp never overflows), computed in place in
    ``shifted``, and the row sums Σⱼ exp (each >= 1, so their log is finite)."""
    exp = np.exp(shifted, out=shifted)
    sum_exp = exp.sum(axis=1, keepdims=True)
    return np.divide(exp, sum_exp, out=exp), sum_exp


class Loss:
    """Base class. Subclasses cache in ``forward`` what ``backward`` needs."""

    def forward(self, outputs: np.ndarray, labels: np.ndarray) -> float:
        """The mean loss of (N, C) outputs against N class labels (or, where a loss takes them,
        float targets of the outputs' shape)."""
        raise NotImplementedError

    def backward(self) -> np.ndarray:
        """dL/d(outputs) of the last ``forward`` (the mean's division included)."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def check_labels(outputs: np.ndarray, labels: np.ndarray, who: str) -> None:
    """O(1) checks that ``labels`` are one integer class per row of ``outputs``."""
    if outputs.ndim != 2:
        raise ValueError(f"{who}: outputs must have shape (N, C), got {outputs.shape}")
    if labels.shape != (outputs.shape[0],):
        raise ValueError(
            f"{who}: labels must have shape ({outputs.shape[0]},) to match outputs "
            f"{outputs.shape}, got {labels.shape}"
        )
    if labels.dtype.kind not in "iu":
        raise TypeError(f"{who}: labels must be integer class indices, got dtype {labels.dtype}")


def check_label_range(labels: np.ndarray, num_classes: int) -> None:
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        bad = labels[(labels < 0) | (labels >= num_classes)][0]
        raise ValueError(
            f"label {bad} is out of range for {num_classes} outputs; labels must be in "
            f"0..{num_classes - 1}"
        )


def one_hot(labels: np.ndarray, num_classes: int, dtype) -> np.ndarray:
    """(N,) integer labels -> (N, C) rows of zeros with a one at each label."""
    check_label_range(labels, num_classes)
    encoded = np.zeros((labels.shape[0], num_classes), dtype=dtype)
    encoded[np.arange(labels.shape[0]), labels] = 1
    return encoded


def targets_of(outputs: np.ndarray, labels: np.ndarray, who: str) -> np.ndarray:
    """Float targets of the outputs' shape as given, or integer labels one-hot encoded."""
    if labels.ndim == 2 and labels.shape == outputs.shape and labels.dtype.kind == "f":
        return labels.astype(outputs.dtype, copy=False)
    check_labels(outputs, labels, who)
    return one_hot(labels, outputs.shape[1], outputs.dtype)


class SoftmaxCrossEntropy(Loss):
    """Softmax followed by the mean negative log-likelihood, fused so it is stable for any logits:

        loss = (1/N) Σₙ [log Σ_c exp(logits[n, c]) − logits[n, labels[n]]]

    computed with the row maximum subtracted first (log-sum-exp trick).
    """

    def __init__(self):
        self._probs = None
        self._labels = None

    def forward(self, logits, labels):
        check_labels(logits, labels, "SoftmaxCrossEntropy")
        check_label_range(labels, logits.shape[1])
        rows = np.arange(len(labels))
        shifted = logits - logits.max(axis=1, keepdims=True)
        picked = shifted[rows, labels]
        self._probs, sum_exp = _softmax_of_shifted(shifted)
        self._rows, self._labels = rows, labels
        return float(np.log(sum_exp).sum() - picked.sum()) / len(labels)

    def backward(self):
        if self._probs is None:
            raise RuntimeError("SoftmaxCrossEntropy: backward called before forward")
        # dL/dlogits = (softmax(logits) − onehot(labels)) / N
        scale = self._probs.dtype.type(1 / len(self._labels))
        grad = self._probs * scale
        grad[self._rows, self._labels] -= scale
        return grad

    @property
    def probs(self) -> np.ndarray | None:
        """Softmax probabilities of the last forward pass, shape (N, C)."""
        return self._probs


class SigmoidCrossEntropy(Loss):
    """A sigmoid on each output and the binary cross-entropy of each against its one-hot target
    (or given 0/1 targets of the outputs' shape: several labels per example), summed over the C
    outputs and averaged over the batch (Nielsen's cross-entropy, chapter 3):

        loss = (1/N) Σₙ Σ_c −y ln σ(z) − (1 − y) ln(1 − σ(z)),   z = logits[n, c]

    computed from the logits as max(z, 0) − z·y + ln(1 + exp(−|z|)), finite for any z. Unlike
    the softmax, each output is a probability of its own: the outputs need not sum to 1.
    """

    def __init__(self):
        self._probs = None

    def forward(self, logits, labels):
        self._targets = targets_of(logits, labels, "SigmoidCrossEntropy")
        losses = np.maximum(logits, 0) - logits * self._targets
        losses += np.log1p(np.exp(-np.abs(logits)))
        self._probs = Sigmoid().forward(logits)
        return float(losses.sum()) / len(labels)

    def backward(self):
        if self._probs is None:
            raise RuntimeError("SigmoidCrossEntropy: backward called before forward")
        # dL/dz = (σ(z) − y) / N: σ′ = σ(1 − σ) cancels the cross-entropy's 1/(σ(1 − σ))
        return (self._probs - self._targets) * self._probs.dtype.type(1 / len(self._probs))


class MeanSquaredError(Loss):
    """Mean squared error against one-hot targets (or against given float targets of the outputs'
    shape), averaged over all N·C elements as torch.nn.MSELoss:

        loss = (1/(N·C)) Σₙ Σ_c (outputs[n, c] − targets[n, c])²
    """

    def __init__(self):
        self._diff = None

    def forward(self, outputs, labels):
        self._diff = outputs - targets_of(outputs, labels, "MeanSquaredError")
        return float(np.mean(self._diff * self._diff))

    def backward(self):
        if self._diff is None:
            raise RuntimeError("MeanSquaredError: backward called before forward")
        # dL/doutputs = 2 (outputs − targets) / (N·C)
        return self._diff * self._diff.dtype.type(2 / self._diff.size)


LOSSES = {
    "cross-entropy": SoftmaxCrossEntropy,
    "sigmoid-cross-entropy": SigmoidCrossEntropy,
    "mse": MeanSquaredError,
}


def get_loss(name: str) -> Loss:
    """A new loss by its command-line name: ``cross-entropy``, ``sigmoid-cross-entropy`` or
    ``mse``."""
    return look_up("loss", name, LOSSES)()
