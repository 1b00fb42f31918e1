"""Diagnostics of training: per-layer statistics and the ``Monitor`` that collects them for
``fit(..., monitor=...)`` and reports symptoms of trouble (``numpynn.symptoms``).

Statistics of each ``Dense`` layer ``dense<i>`` (columns ``dense<i>.<stat>`` in a run's history),
measured once per epoch on a fixed evaluation batch in evaluation mode (and once before the first
step, to judge the network as it starts):

    act_mean, act_std   mean and standard deviation of the activation after the layer
    dead                ReLU / leaky ReLU: fraction of units never active (input <= 0 for every
                        example of the batch): they pass no gradient, so they never learn again
    saturated           sigmoid / tanh: fraction of units in a flat tail (f' below a tenth of its
                        maximum) on at least 90% of the examples: their gradient is nearly zero
    weight_norm         ‖W‖ (Frobenius)
    grad_norm           ‖dL/dW‖ on the evaluation batch
    update_ratio        ‖ΔW‖ / ‖W‖ of one training step (the epoch's middle one); ~1e-3 is
                        healthy (the very first steps are atypical: Adam's moves every weight
                        by about lr)
"""

import math
from collections.abc import Callable

import numpy as np

from .activations import LeakyReLU, ReLU, Sigmoid, Tanh
from .layers import Dense
from .losses import Loss, SoftmaxCrossEntropy
from .model import Sequential
from .symptoms import Symptom, find_symptoms, in_causal_order, symptoms_at_start

__all__ = ["Monitor", "layer_statistics", "dense_layers"]

SATURATED_SLOPE = 0.1  # a unit is in a flat tail where f'(x) < 0.1 · max f'
SATURATED_SHARE = 0.9  # ... and saturated when it is there for >= 90% of the examples


def dense_layers(model: Sequential) -> list[Dense]:
    """The model's Dense layers, in order (their ``name`` labels the statistics)."""
    return [layer for layer in model.layers if isinstance(layer, Dense)]


def layer_statistics(
    model: Sequential, loss_fn: Loss, x: np.ndarray, labels: np.ndarray
) -> tuple[float, dict[str, float]]:
    """The loss on ``(x, labels)`` and the statistics above (all but ``update_ratio``), from one
    forward pass in evaluation mode and one backward pass. Overwrites every ``p.grad``."""
    names = [layer.name for layer in dense_layers(model)]
    if len(set(names)) != len(names):
        raise ValueError(
            f"layer_statistics: the Dense layers must have distinct names to label their "
            f"statistics, got {names}; build the model with nn.mlp or pass name= to each Dense"
        )
    stats: dict[str, float] = {}
    name = None
    for layer in model.layers:
        y = layer.forward(x)
        if isinstance(layer, Dense):
            name = layer.name
        elif name is not None and isinstance(layer, ReLU | LeakyReLU | Sigmoid | Tanh):
            stats |= _activation_statistics(name, layer, x, y)
        x = y
    loss = loss_fn.forward(x, labels)
    model.backward(loss_fn.backward(), input_grad=False)
    for dense in dense_layers(model):
        stats[f"{dense.name}.weight_norm"] = _norm(dense.W.value)
        stats[f"{dense.name}.grad_norm"] = _norm(dense.W.grad)
    return loss, stats


def _activation_statistics(name: str, layer, x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Statistics of activation ``y = layer(x)`` (rows: examples, columns: units)."""
    stats = {f"{name}.act_mean": float(y.mean()), f"{name}.act_std": float(y.std())}
    if isinstance(layer, ReLU | LeakyReLU):
        stats[f"{name}.dead"] = float(np.mean(~(x > 0).any(axis=0)))
    else:
        # sigmoid: f' = y(1 − y) <= 1/4; tanh: f' = 1 − y² <= 1
        slope = y * (1 - y) * 4 if isinstance(layer, Sigmoid) else 1 - y * y
        flat = np.mean(slope < SATURATED_SLOPE, axis=0)
        stats[f"{name}.saturated"] = float(np.mean(flat >= SATURATED_SHARE))
    return stats


def _norm(a: np.ndarray) -> float:
    return float(np.linalg.norm(a.ravel().astype(np.float64, copy=False)))


class Monitor:
    """Collects the layer statistics for ``fit(..., monitor=Monitor(x, labels))`` and watches for
    symptoms of trouble (``numpynn.symptoms``), kept in causal order in ``symptoms``.

    Costs one forward and backward pass over ``(x, labels)`` before the first step (``start``)
    and at the end of each epoch (``end_epoch``), and a copy of the weights before the middle step
    of each epoch (``watch``, to measure the update); nothing on the other steps. Training itself
    is unchanged: the same seed gives the same weights with or without a monitor.

    Args:
        x, labels: the fixed evaluation batch (a few hundred to a thousand examples).
        warn: called with each new ``Symptom`` as soon as it is found (e.g. ``print``).
    """

    def __init__(
        self,
        x: np.ndarray,
        labels: np.ndarray,
        warn: Callable[[Symptom], None] | None = None,
    ):
        if len(x) != len(labels) or len(x) == 0:
            raise ValueError(
                f"Monitor: x and labels must be a non-empty batch of the same length, got "
                f"{len(x)} and {len(labels)}; pass e.g. x_val[:1000], y_val[:1000]"
            )
        self.x, self.labels, self.warn = x, labels, warn
        self.initial_loss: float | None = None
        self.num_classes: int | None = None
        self.input_rms = _norm(x) / math.sqrt(max(x.size, 1))  # root mean square of the inputs
        self.symptoms: list[Symptom] = []
        self._update_ratios: dict[str, float] = {}

    def start(self, model, loss_fn) -> None:
        """Judge the network before its first step (of a fresh run): its inputs, its loss and
        the layers' statistics at initialization."""
        loss, stats = layer_statistics(model, loss_fn, self.x, self.labels)
        if isinstance(loss_fn, SoftmaxCrossEntropy):
            self.initial_loss = loss
            self.num_classes = model.forward(self.x[:1]).shape[1]
        self._report(symptoms_at_start(stats, input_rms=self.input_rms, loss=self.initial_loss,
                                       num_classes=self.num_classes))  # fmt: skip

    def watch(self, model, step, *args):
        """Run ``step(*args)`` (one training step of ``model``) and measure how much it moved each
        weight matrix."""
        dense = dense_layers(model)
        before = [layer.W.value.copy() for layer in dense]
        result = step(*args)
        # update ratio ‖ΔW‖ / ‖W‖: ~1e-3 is the classic healthy value
        self._update_ratios = {
            f"{layer.name}.update_ratio": _norm(layer.W.value - old) / max(_norm(old), 1e-30)
            for layer, old in zip(dense, before)
        }
        return result

    def end_epoch(self, model, loss_fn, row: dict, history) -> dict[str, float]:
        """The statistics of the epoch that ends (to add to its history ``row``, which holds its
        losses and ``lr`` so far); report each symptom found that was not reported before."""
        _, stats = layer_statistics(model, loss_fn, self.x, self.labels)
        names = [layer.name for layer in dense_layers(model)]
        # nan when no step was watched (a run resumed after the middle of the epoch)
        stats |= {f"{name}.update_ratio": math.nan for name in names} | self._update_ratios
        self._update_ratios = {}
        stats = {key: stats[key] for name in names for key in stats if key.startswith(f"{name}.")}
        self._report(find_symptoms([*history.rows, row | stats], history.batch_loss))
        return stats

    def _report(self, found: list[Symptom]) -> None:
        """Keep each symptom not reported before, warn about it, and keep them in causal order."""
        known = {s.name for s in self.symptoms}
        new = [symptom for symptom in found if symptom.name not in known]
        for symptom in new:
            if self.warn is not None:
                self.warn(symptom)
        self.symptoms = in_causal_order(self.symptoms + new)
