"""Symptoms of a training run in trouble, found in its history, each said in plain words with a
concrete thing to try. ``find_symptoms`` reads the rows of a ``History`` (with the per-layer
statistics of ``numpynn.diagnostics``), its per-batch losses and the loss at initialization.

The thresholds are rules of thumb, measured on MNIST MLPs (docs/debugging.md gives the numbers):
healthy runs stay well inside them, the pathological runs of the tests fall far outside.
"""

import itertools
import math
import statistics
from dataclasses import dataclass
from typing import NamedTuple

__all__ = ["Symptom", "find_symptoms", "SYMPTOMS", "statistic_layers"]

INITIAL_LOSS_TOLERANCE = 0.25  # |L₀ − ln C| above 25% of ln C
VANISHING_RATIO = 1e-2  # ‖dL/dW‖ of the first layer below 1% of the last layer's
EXPLODING_RATIO = 1e2  # ... or above 100 times it
EXPLODING_RELATIVE = 1.0  # or any layer's ‖dL/dW‖ above its ‖W‖ (healthy: ~0.01-0.1)
UPDATE_RATIO_RANGE = (1e-5, 1e-1)  # ‖ΔW‖/‖W‖ of one step: 100 times off the healthy ~1e-3
DEAD_FRACTION = 0.5  # over half of a layer's ReLUs never active
SATURATED_FRACTION = 0.5  # over half of a layer's sigmoid/tanh units stuck in a flat tail
NOT_DECREASING = 0.9  # mean loss of the last batches above 90% of the first batches'
LOSS_ROSE = 2.0  # ... or above twice it: the steps overshoot
OVERFITTING = 0.1  # validation loss 10% above its minimum while the training loss fell

SYMPTOMS = {
    "initial-loss": "loss at initialization far from ln(num_classes)",
    "vanishing-gradients": "gradients vanish toward the input layers",
    "exploding-gradients": "gradients explode",
    "lr-too-high": "update/weight ratio far above ~1e-3",
    "lr-too-low": "update/weight ratio far below ~1e-3",
    "dead-relus": "many dead ReLUs",
    "saturated-units": "saturated sigmoid/tanh units",
    "loss-not-decreasing": "the training loss does not decrease (or rises: lr too high)",
    "overfitting": "validation loss rising while training loss falls",
}


def statistic_layers(row: dict) -> list[str]:
    """The layers whose per-layer statistics a history row holds (``dense0``, ...), in order;
    empty for a row without them."""
    return [key[: -len(".grad_norm")] for key in row if key.endswith(".grad_norm")]


@dataclass
class Symptom:
    """One problem: ``name`` (a key of ``SYMPTOMS``), the ``epoch`` it was seen at (0: before
    training), what was measured (``message``) and what to try (``advice``)."""

    name: str
    epoch: int
    message: str
    advice: str

    def __str__(self) -> str:
        return f"{self.message}; {self.advice}"


def find_symptoms(
    rows: list[dict],
    batch_loss: list[float],
    *,
    initial_loss: float | None = None,
    num_classes: int | None = None,
) -> list[Symptom]:
    """Every symptom the history shows, judged on its latest row (and the whole loss curve); the
    rows hold each epoch's ``lr``, which the advice names."""
    found = [_initial_loss(initial_loss, num_classes)]
    if rows:
        latest = rows[-1]
        lr = latest.get("lr", math.nan)
        layers = statistic_layers(latest)
        for symptom in (
            _gradient_flow(latest, layers),
            _update_ratio(latest, layers, lr, peak_lr=max(row.get("lr", lr) for row in rows)),
            _units(latest, layers, "dead"),
            _units(latest, layers, "saturated"),
            _not_decreasing(batch_loss, lr),
            _overfitting(rows),
        ):
            if symptom is not None:
                symptom.epoch = latest["epoch"]
                found.append(symptom)
    return [s for s in found if s is not None]


def _initial_loss(loss, num_classes) -> Symptom | None:
    if loss is None or not num_classes or num_classes < 2:
        return None
    chance = math.log(num_classes)
    if abs(loss - chance) <= INITIAL_LOSS_TOLERANCE * chance:
        return None
    message = (
        f"the loss at initialization is {loss:.3g}, far from ln({num_classes}) = {chance:.3g}, "
        "the loss of guessing every class equally"
    )
    if loss > chance:
        advice = (
            "the initial outputs are too large and confidently wrong: use He initialization for "
            "ReLU and Xavier for sigmoid/tanh (--init auto), scale the inputs to [0, 1], and keep "
            "the last layer's weights small"
        )
    else:
        advice = (
            "the untrained network already predicts the labels: check that the labels do not "
            "leak into the inputs"
        )
    return Symptom("initial-loss", 0, message, advice)


def _gradient_flow(latest, layers) -> Symptom | None:
    """Vanishing: the first layer's gradient tiny next to the last's. Exploding: huge next to it,
    or any gradient larger than its weights (forward and backward growth cancel in ‖dL/dW‖ =
    ‖xᵀ grad_y‖, so a deep net blowing up by a factor per layer shows there), or not finite."""
    if not layers:
        return None
    norms = [latest[f"{name}.grad_norm"] for name in layers]
    relative = {
        name: latest[f"{name}.grad_norm"] / max(latest[f"{name}.weight_norm"], 1e-30)
        for name in layers
    }
    first, last = norms[0], norms[-1]
    worst = max(relative, key=relative.get)
    if not all(math.isfinite(n) for n in norms):
        bad = layers[next(i for i, n in enumerate(norms) if not math.isfinite(n))]
        return _exploding(f"gradients explode: the gradient of {bad} is not finite")
    if max(norms) == 0:
        return Symptom(
            "vanishing-gradients",
            0,
            "no gradient flows at all: ‖dL/dW‖ is 0 in every layer, so nothing learns",
            "the units are dead or saturated (see those warnings): lower the learning rate and "
            "start again from a fresh initialization",
        )
    if len(layers) >= 2 and last > 0 and first / last > EXPLODING_RATIO:
        return _exploding(
            f"gradients explode toward the input: ‖dL/dW‖ of {layers[0]} is {first / last:.2g} "
            f"times that of {layers[-1]}"
        )
    if relative[worst] > EXPLODING_RELATIVE:
        return _exploding(
            f"gradients explode: ‖dL/dW‖ of {worst} is {relative[worst]:.2g} times ‖W‖ "
            "(healthy: ~0.01-0.1)"
        )
    if len(layers) >= 2 and last > 0 and first / last < VANISHING_RATIO:
        return Symptom(
            "vanishing-gradients",
            0,
            f"gradients vanish toward the input: ‖dL/dW‖ of {layers[0]} is only {first / last:.2g} "
            f"times that of {layers[-1]}, so the first layers barely learn",
            "use ReLU or leaky ReLU with He initialization (sigmoid and saturated tanh units "
            "shrink the gradient at every layer), or a shallower network; see docs/activations.md",
        )
    return None


def _exploding(message: str) -> Symptom:
    return Symptom(
        "exploding-gradients",
        0,
        message,
        "lower the learning rate, check the weight initialization (He for ReLU, Xavier for "
        "sigmoid/tanh), or make the network shallower",
    )


def _update_ratio(latest, layers, lr, peak_lr) -> Symptom | None:
    """The largest update ratio of the layers. Too low only counts at the run's peak learning
    rate: a schedule that anneals it toward 0 makes tiny steps on purpose."""
    ratios = {name: latest.get(f"{name}.update_ratio", math.nan) for name in layers}
    ratios = {name: r for name, r in ratios.items() if not math.isnan(r)}
    if not ratios or max(latest[f"{name}.grad_norm"] for name in layers) == 0:
        return None  # no gradient at all: the lr is not what is wrong
    low, high = UPDATE_RATIO_RANGE
    top = max(ratios, key=ratios.get)
    if ratios[top] > high or not math.isfinite(ratios[top]):
        return Symptom(
            "lr-too-high",
            0,
            f"the learning rate lr={lr:g} is too high: one step changes the weights of {top} by "
            f"{ratios[top]:.2g} of their norm (healthy: ~1e-3)",
            f"lower the learning rate, e.g. --lr {lr / 10:g}, or find one with `numpynn lr-find`",
        )
    if ratios[top] < low and not lr < peak_lr:
        return Symptom(
            "lr-too-low",
            0,
            f"the learning rate lr={lr:g} is too low: one step changes the weights by at most "
            f"{ratios[top]:.2g} of their norm (healthy: ~1e-3), so training crawls",
            f"raise the learning rate, e.g. --lr {lr * 10:g}, or find one with `numpynn lr-find`",
        )
    return None


class UnitSymptom(NamedTuple):
    name: str  # a key of SYMPTOMS
    threshold: float  # the largest fraction of a layer's units that raises no warning
    units: str  # what that fraction of the units after {layer} is
    advice: str


UNIT_SYMPTOMS = {  # by statistic
    "dead": UnitSymptom(
        "dead-relus",
        DEAD_FRACTION,
        "of the ReLUs after {layer} are dead (never active on the evaluation batch): they get no "
        "gradient and never recover",
        "lower the learning rate, check the biases are not negative (they start at 0), or use "
        "leaky_relu (--activation leaky_relu)",
    ),
    "saturated": UnitSymptom(
        "saturated-units",
        SATURATED_FRACTION,
        "of the sigmoid/tanh units after {layer} are saturated (stuck in a flat tail where their "
        "slope is nearly 0), so little gradient passes them",
        "use Xavier initialization (--init auto), scale the inputs to [0, 1], lower the learning "
        "rate, or switch to ReLU",
    ),
}


def _units(latest, layers, stat: str) -> Symptom | None:
    """Dead or saturated units (``stat``): the layer with the most of them, past the threshold."""
    name, threshold, what, advice = UNIT_SYMPTOMS[stat]
    fractions = {
        layer: latest[f"{layer}.{stat}"] for layer in layers if f"{layer}.{stat}" in latest
    }
    worst = max(fractions, key=fractions.get, default=None)
    if worst is None or fractions[worst] <= threshold:
        return None
    return Symptom(name, 0, f"{fractions[worst]:.0%} " + what.format(layer=worst), advice)


def _not_decreasing(batch_loss, lr) -> Symptom | None:
    """The loss over the last k batches against the start: the first batch (measured before any
    update) or the first k, whichever is lower. If any k consecutive batches averaged several
    times the start, the steps overshoot: the learning rate is too high."""
    k = min(50, len(batch_loss) // 10)
    if k < 2:
        return None
    start = min(batch_loss[0], statistics.fmean(batch_loss[:k]))
    last = statistics.fmean(batch_loss[-k:])
    sums = list(itertools.accumulate(batch_loss, initial=0.0))
    peak = max(sums[i + k] - sums[i] for i in range(len(batch_loss) - k + 1)) / k
    if peak > LOSS_ROSE * start:
        return Symptom(
            "loss-not-decreasing",
            0,
            f"the training loss rose from {start:.3g} at the start to {peak:.3g} (mean of {k} "
            f"batches): the learning rate lr={lr:g} is too high",
            f"lower the learning rate, e.g. --lr {lr / 10:g}, or find one with `numpynn lr-find`",
        )
    if last <= NOT_DECREASING * start:
        return None
    return Symptom(
        "loss-not-decreasing",
        0,
        f"the training loss is not decreasing: {start:.3g} at the start, {last:.3g} over the "
        f"last {k} batches",
        "check that the labels match the inputs (`numpynn diagnose` overfits one batch to test "
        "it), then try another learning rate (`numpynn lr-find`)",
    )


def _overfitting(rows) -> Symptom | None:
    val = [row["val_loss"] for row in rows]
    if len(rows) < 3 or any(math.isnan(v) for v in val):
        return None
    best = min(range(len(val)), key=val.__getitem__)
    train = [row["train_loss"] for row in rows]
    if val[-1] <= (1 + OVERFITTING) * val[best] or train[-1] >= train[best]:
        return None
    return Symptom(
        "overfitting",
        0,
        f"overfitting: the validation loss rose from {val[best]:.3g} (epoch {best + 1}) to "
        f"{val[-1]:.3g} while the training loss fell from {train[best]:.3g} to {train[-1]:.3g}",
        "stop earlier (--patience 3 keeps the best epoch), add dropout (--dropout 0.2), or use a "
        "smaller network or more data",
    )
