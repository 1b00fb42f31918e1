"""Symptoms of a training run in trouble, each said in plain words with a concrete thing to try,
and put in causal order: the first of a list is the most likely cause of the others.

``symptoms_at_start`` judges a network before its first step: its inputs, its loss and the
per-layer statistics of ``numpynn.diagnostics`` at initialization. ``find_symptoms`` judges the
rows of a ``History`` (with those statistics) and its per-batch losses. Both return their findings
``in_causal_order``.

The thresholds are rules of thumb, measured on MNIST MLPs (docs/debugging.md gives the numbers):
healthy runs stay well inside them, the broken runs of ``numpynn broken-runs`` fall far outside.
"""

import itertools
import math
import statistics
from dataclasses import dataclass
from typing import NamedTuple

__all__ = [
    "Symptom",
    "SYMPTOMS",
    "symptoms_at_start",
    "find_symptoms",
    "in_causal_order",
    "causal_rank",
    "statistic_layers",
]

INPUT_RMS = 10.0  # inputs whose root mean square is above this are not scaled (pixels 0-255: ~85)
INITIAL_LOSS_TOLERANCE = 0.25  # |L₀ − ln C| above 25% of ln C
VANISHING_RATIO = 1e-1  # some layer's ‖dL/dW‖ below a tenth of the last layer's
EXPLODING_RATIO = 1e2  # ‖dL/dW‖ of the first layer above 100 times the last layer's
EXPLODING_RELATIVE = 1.0  # or any layer's ‖dL/dW‖ above its ‖W‖ (healthy: ~0.01-0.1)
UPDATE_RATIO_RANGE = (1e-5, 1e-1)  # ‖ΔW‖/‖W‖ of one step: 100 times off the healthy ~1e-3
DEAD_FRACTION = 0.5  # over half of a layer's ReLUs never active
SATURATED_FRACTION = 0.5  # over half of a layer's sigmoid/tanh units stuck in a flat tail
NOT_DECREASING = 0.9  # mean loss of the last batches above 90% of the first batches'
LOSS_ROSE = 2.0  # ... or above twice it: the steps overshoot
OVERFITTING = 0.1  # validation loss 10% above its minimum while the training loss fell

# In causal order: a symptom can cause those below it, not those above. What is wrong before the
# first step (epoch 0) comes before anything seen in training, which cannot have caused it. Dead or
# saturated units explain a wrong initial loss and weak gradients; a loss that does not fall while
# steps, units and gradients are healthy leaves the labels to blame.
SYMPTOMS = {
    "unscaled-inputs": "inputs far from order 1 (e.g. pixels in 0-255)",
    "lr-too-high": "the loss rose, or the update/weight ratio is far above ~1e-3",
    "lr-too-low": "update/weight ratio far below ~1e-3",
    "dead-relus": "many dead ReLUs",
    "saturated-units": "saturated sigmoid/tanh units",
    "initial-loss": "loss at initialization far from ln(num_classes)",
    "vanishing-gradients": "gradients vanish toward the input layers",
    "exploding-gradients": "gradients explode",
    "loss-not-decreasing": "the training loss does not decrease though the steps are healthy",
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


def causal_rank(name: str, epoch: int) -> tuple[int, int]:
    """Sort key of a symptom: the epoch it was first seen at (0: before training), then the order
    of ``SYMPTOMS``: what showed first can have caused what came later, not the other way."""
    return epoch, list(SYMPTOMS).index(name)


def in_causal_order(symptoms: list[Symptom]) -> list[Symptom]:
    return sorted(symptoms, key=lambda s: causal_rank(s.name, s.epoch))


def symptoms_at_start(
    stats: dict,
    *,
    input_rms: float,
    loss: float | None = None,
    num_classes: int | None = None,
) -> list[Symptom]:
    """What is wrong before the first step: inputs whose root mean square ``input_rms`` is far
    from 1, a cross-entropy ``loss`` far from ln(``num_classes``), and the layers' ``stats``."""
    layers = statistic_layers(stats)
    found = [
        _unscaled_inputs(input_rms),
        _initial_loss(loss, num_classes),
        _units(stats, layers, "dead", at_start=True),
        _units(stats, layers, "saturated", at_start=True),
        _gradient_flow(stats, layers),
    ]
    return in_causal_order([s for s in found if s is not None])


def find_symptoms(rows: list[dict], batch_loss: list[float]) -> list[Symptom]:
    """Every symptom the history shows, judged on its latest row (and the whole loss curve); the
    rows hold each epoch's ``lr``, which the advice names."""
    if not rows:
        return []
    latest = rows[-1]
    lr = latest.get("lr", math.nan)
    layers = statistic_layers(latest)
    peak_lr = max(row.get("lr", lr) for row in rows)
    losses = _losses(batch_loss)
    found = [
        _learning_rate(latest, layers, losses, lr, peak_lr),
        _not_decreasing(losses),
        _units(latest, layers, "dead", at_start=False),
        _units(latest, layers, "saturated", at_start=False),
        _gradient_flow(latest, layers),
        _overfitting(rows),
    ]
    found = [s for s in found if s is not None]
    for symptom in found:
        symptom.epoch = latest["epoch"]
    return in_causal_order(found)


def _unscaled_inputs(rms: float) -> Symptom | None:
    if rms <= INPUT_RMS:
        return None
    return Symptom(
        "unscaled-inputs",
        0,
        f"the inputs are not scaled: their root mean square is {rms:.3g}, where a network "
        "expects values of order 1, so every layer starts far too large",
        "scale them to [0, 1] (pixels: divide by 255) or standardize each feature (subtract its "
        "mean, divide by its standard deviation)",
    )


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
            "the initial weights are too large, so the outputs are confidently wrong: use the "
            "default initialization (He for ReLU, Xavier for sigmoid/tanh) and keep the last "
            "layer's weights small"
        )
    else:
        advice = (
            "the untrained network already predicts the labels: check that the labels do not "
            "leak into the inputs"
        )
    return Symptom("initial-loss", 0, message, advice)


def _gradient_flow(latest, layers) -> Symptom | None:
    """Vanishing: some layer's gradient tiny next to the last's (the factor lost per layer
    compounds with depth). Exploding: the first layer's huge next to the last's, or any gradient
    larger than its weights (forward and backward growth cancel in ‖dL/dW‖ = ‖xᵀ grad_y‖, so a
    deep net blowing up by a factor per layer shows there), or not finite."""
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
    weakest = min(range(len(layers) - 1), key=norms.__getitem__, default=None)
    if weakest is None or last == 0 or norms[weakest] / last >= VANISHING_RATIO:
        return None
    ratio, depth = norms[weakest] / last, len(layers) - 1 - weakest
    return Symptom(
        "vanishing-gradients",
        0,
        f"gradients vanish toward the input: ‖dL/dW‖ of {layers[weakest]} is only {ratio:.2g} "
        f"times that of {layers[-1]} (a factor {ratio ** (1 / depth):.2g} per layer over "
        f"{depth} layer{'s' * (depth != 1)}), so the first layers barely learn",
        _vanishing_advice(latest, layers),
    )


def _vanishing_advice(latest, layers) -> str:
    """What to try, by the units the statistics show: only ReLUs have a ``dead`` column."""
    if any(f"{name}.dead" in latest for name in layers):
        return (
            "the network already uses ReLU: look for dead units (their warning), keep He "
            "initialization (the default) and the biases at 0, or use a shallower network; see "
            "docs/activations.md"
        )
    return (
        "use ReLU or leaky ReLU with He initialization (a sigmoid passes at most 1/4 of the "
        "gradient at every layer), or a shallower network; see docs/activations.md"
    )


def _exploding(message: str) -> Symptom:
    return Symptom(
        "exploding-gradients",
        0,
        message,
        "lower the learning rate, check the weight initialization (He for ReLU, Xavier for "
        "sigmoid/tanh), or make the network shallower",
    )


class _Losses(NamedTuple):
    k: int  # batches averaged at each end
    start: float  # the first batch (measured before any update) or the first k, whichever is lower
    last: float  # mean of the last k
    peak: float  # highest mean of k consecutive batches

    @property
    def rose(self) -> bool:
        """The loss rose to several times its start: the steps overshoot."""
        return self.peak > LOSS_ROSE * self.start


def _losses(batch_loss) -> _Losses | None:
    k = min(50, len(batch_loss) // 10)
    if k < 2:
        return None
    sums = list(itertools.accumulate(batch_loss, initial=0.0))
    peak = max(sums[i + k] - sums[i] for i in range(len(batch_loss) - k + 1)) / k
    start = min(batch_loss[0], statistics.fmean(batch_loss[:k]))
    return _Losses(k, start, statistics.fmean(batch_loss[-k:]), peak)


def _learning_rate(latest, layers, losses: _Losses | None, lr, peak_lr) -> Symptom | None:
    """Too high if the loss rose to several times its start (the steps overshoot) or one step
    moves the weights by a large part of their norm. Too low only counts at the run's peak
    learning rate: a schedule that anneals it toward 0 makes tiny steps on purpose."""
    lower = f"lower the learning rate, e.g. --lr {lr / 10:g}, or find one with `numpynn lr-find`"
    if losses is not None and losses.rose:
        return Symptom(
            "lr-too-high",
            0,
            f"the learning rate lr={lr:g} is too high: the training loss rose from "
            f"{losses.start:.3g} at the start to {losses.peak:.3g} (mean of {losses.k} batches)",
            lower,
        )
    ratios = {name: latest.get(f"{name}.update_ratio", math.nan) for name in layers}
    ratios = {name: r for name, r in ratios.items() if not math.isnan(r)}
    if not ratios or max(latest[f"{name}.grad_norm"] for name in layers) == 0:
        return None  # no gradient at all: tiny steps are not the learning rate's fault
    low, high = UPDATE_RATIO_RANGE
    top = max(ratios, key=ratios.get)
    if ratios[top] > high or not math.isfinite(ratios[top]):
        return Symptom(
            "lr-too-high",
            0,
            f"the learning rate lr={lr:g} is too high: one step changes the weights of {top} by "
            f"{ratios[top]:.2g} of their norm (healthy: ~1e-3)",
            lower,
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


def _not_decreasing(losses: _Losses | None) -> Symptom | None:
    """The loss over the last batches against the start, when it did not rise (that is the
    learning rate's symptom): with healthy steps and gradients, labels that do not match the
    inputs are what is left."""
    if losses is None or losses.rose:
        return None
    if losses.last <= NOT_DECREASING * losses.start:
        return None
    return Symptom(
        "loss-not-decreasing",
        0,
        f"the training loss is not decreasing: {losses.start:.3g} at the start, "
        f"{losses.last:.3g} over the last {losses.k} batches",
        "check that the labels match the inputs (a network that memorizes one batch, as "
        "`numpynn diagnose` checks, but learns nothing from many is given labels it cannot "
        "predict), then try another learning rate (`numpynn lr-find`)",
    )


class UnitSymptom(NamedTuple):
    name: str  # a key of SYMPTOMS
    threshold: float  # the largest fraction of a layer's units that raises no warning
    units: str  # what that fraction of the units after {layer} is, {when}
    at_start: str  # advice for units in that state before training
    in_training: str  # advice for units that got there in training


UNIT_SYMPTOMS = {  # by statistic
    "dead": UnitSymptom(
        "dead-relus",
        DEAD_FRACTION,
        "of the ReLUs after {layer} are dead{when} (never active on the evaluation batch): they "
        "get no gradient and never recover",
        "the initial weights or biases push them below zero: start the biases at 0 with the "
        "default initialization (He), or use leaky_relu (--activation leaky_relu)",
        "lower the learning rate (one large step can push a unit below zero for good), or use "
        "leaky_relu (--activation leaky_relu)",
    ),
    "saturated": UnitSymptom(
        "saturated-units",
        SATURATED_FRACTION,
        "of the sigmoid/tanh units after {layer} are saturated{when} (stuck in a flat tail where "
        "their slope is nearly 0), so little gradient passes them",
        "the initial weights are too large: use the default initialization (Xavier), or ReLU",
        "lower the learning rate, or switch to ReLU",
    ),
}


def _units(latest, layers, stat: str, at_start: bool) -> Symptom | None:
    """Dead or saturated units (``stat``): the layer with the most of them, past the threshold."""
    name, threshold, what, advice_at_start, advice_in_training = UNIT_SYMPTOMS[stat]
    fractions = {
        layer: latest[f"{layer}.{stat}"] for layer in layers if f"{layer}.{stat}" in latest
    }
    worst = max(fractions, key=fractions.get, default=None)
    if worst is None or fractions[worst] <= threshold:
        return None
    when = " before training starts" if at_start else ""
    return Symptom(
        name,
        0,
        f"{fractions[worst]:.0%} " + what.format(layer=worst, when=when),
        advice_at_start if at_start else advice_in_training,
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
