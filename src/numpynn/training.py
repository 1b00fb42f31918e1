"""Training: ``train_step``, ``fit`` (mini-batch training returning a ``History``), ``evaluate``,
and the guard that stops at the first NaN or Inf and says where it came from."""

import functools
import itertools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .data.batching import iterate_batches
from .history import History
from .losses import Loss, SoftmaxCrossEntropy
from .model import Sequential
from .optim import Optimizer, clip_grad_norm
from .progress import progress_bar
from .validation import check_int, check_number

__all__ = [
    "TrainState",
    "TrainingInterrupted",
    "train_step",
    "fit",
    "evaluate",
    "locate_non_finite",
]


def train_step(
    model, loss_fn, optimizer, x, labels, clip_norm: float | None = None
) -> tuple[float, np.ndarray]:
    """One step of gradient descent on one mini-batch; returns the loss and the outputs.

    With ``clip_norm``, the gradients are first scaled so that their global norm is at most that.
    """
    outputs = model.forward(x, training=True)
    loss = loss_fn.forward(outputs, labels)
    model.backward(loss_fn.backward(), input_grad=False)  # no dL/dx for the data
    if clip_norm:
        clip_grad_norm(optimizer.params, clip_norm)
    optimizer.step()
    return loss, outputs


class TrainingInterrupted(Exception):
    """``fit`` stopped at the end of a batch because ``should_stop()`` said so; ``state`` holds
    where it stood, enough (with the model, optimizer and RNGs) to continue exactly."""

    def __init__(self, state: "TrainState"):
        super().__init__(f"interrupted at epoch {state.epoch + 1}, batch {state.batch}")
        self.state = state


@dataclass
class TrainState:
    """Where training stands. Between epochs ``batch`` is 0; in the middle of an epoch it counts
    the batches done, whose loss and correct predictions are summed so far, and
    ``epoch_start_rng`` is the shuffling RNG's state when that epoch drew its order."""

    history: History = field(default_factory=History)
    batch: int = 0
    loss_sum: float = 0.0
    correct: int = 0
    epoch_start_rng: dict | None = None
    best_params: list[np.ndarray] | None = None  # the weights of the lowest validation loss
    stopped_early: bool = False

    @property
    def epoch(self) -> int:
        """Completed epochs."""
        return len(self.history)

    @property
    def best_epoch(self) -> int | None:
        """The epoch of the lowest validation loss so far (None without validation)."""
        losses = [row["val_loss"] for row in self.history.rows]
        if not losses or all(math.isnan(v) for v in losses):
            return None
        return int(np.nanargmin(losses)) + 1


def fit(
    model: Sequential, loss_fn: Loss, optimizer: Optimizer, train: tuple[np.ndarray, np.ndarray],
    val: tuple[np.ndarray, np.ndarray] | None = None, *, epochs: int = 10, batch_size: int = 128,
    seed: int | None = 0, rng: np.random.Generator | None = None, patience: int | None = None,
    schedule: Callable[[int], float] | None = None, clip_norm: float | None = None,
    progress: bool = False, state: TrainState | None = None,
    on_epoch_end: Callable[[TrainState], None] | None = None,
    should_stop: Callable[[], bool] | None = None, monitor=None,
    augment: Callable[[np.ndarray, int, int], np.ndarray] | None = None,
) -> History:  # fmt: skip
    """Train ``model`` for ``epochs`` passes over ``train = (x, labels)`` in shuffled mini-batches.

    Each epoch records its mean training loss and accuracy (dropout on), the validation loss and
    accuracy, the learning rate and its seconds; then ``on_epoch_end(state)`` runs. A non-finite
    loss or weight, or a loss ``DIVERGED`` times the first batch's (or 1), raises
    FloatingPointError naming the epoch and the batch (and the layer of a non-finite value).

    The defaults are not ``numpynn train``'s. Here: 10 epochs of 128 examples at the optimizer's
    constant learning rate, no validation, batches shuffled from ``seed``. The command line: 5
    epochs of 256 with adam at 0.005 on a cosine schedule (``schedule=make_schedule("cosine",
    0.005, 5)``), and 5,000 random training images held out (``data.train_val_split``).

    Args:
        patience: after this many epochs without a better validation loss, the learning rate
            anneals over as many more (``_epoch_lr``); then training stops with the best
            epoch's weights (early stopping; needs ``val``).
        state: continue a run from where a ``TrainState`` left it (see ``TrainingInterrupted``).
        should_stop: checked after every batch; True raises ``TrainingInterrupted`` (its state).
        monitor: a ``numpynn.diagnostics.Monitor``: per-layer statistics in each row, symptoms.
        augment: ``augment(x, epoch, batch)``, the training batch to step on (an ``Augmenter``:
            a function of its arguments, so a resumed run draws the same distortions).
    """
    _check_fit(model, train, val, epochs, batch_size, patience, clip_norm)
    x, labels = train
    rng = rng if rng is not None else np.random.default_rng(seed)
    state = state if state is not None else TrainState()
    if monitor is not None and state.epoch == state.batch == 0:
        monitor.start(model, loss_fn)
    step = functools.partial(train_step, model, loss_fn, optimizer, clip_norm=clip_norm)
    batches_per_epoch = math.ceil(len(x) / batch_size)
    while state.epoch < epochs and not state.stopped_early:
        start = time.perf_counter()
        optimizer.lr = _epoch_lr(optimizer.lr, schedule, state.history, patience)
        row = _run_epoch(step, model, optimizer.lr, x, labels, batch_size, batches_per_epoch, rng,
                         state, progress, epochs, should_stop, monitor, augment)  # fmt: skip
        if val is not None:
            metrics = evaluate(model, *val, loss_fn=loss_fn)
            row |= {"val_loss": metrics["loss"], "val_accuracy": metrics["accuracy"]}
        row["lr"] = optimizer.lr
        stats = {} if monitor is None else monitor.end_epoch(model, loss_fn, row, state.history)
        row |= {"seconds": time.perf_counter() - start} | stats
        state.history.append(row)
        if patience is not None:
            _early_stopping(model, state, patience)
        if on_epoch_end is not None:
            on_epoch_end(state)
        if should_stop is not None and should_stop() and state.epoch < epochs:
            raise TrainingInterrupted(state)
    return state.history


def _check_fit(model, train, val, epochs, batch_size, patience, clip_norm) -> None:
    _check_data(model, *train, "train")
    if val is not None:
        _check_data(model, *val, "val")
    check_int("epochs", epochs, 1, who="fit")
    check_int("batch_size", batch_size, 1, who="fit")
    if patience is not None and (val is None or patience < 1):
        raise ValueError(f"fit: patience must be >= 1 and needs validation data, got {patience}")
    if clip_norm is not None:
        check_number("clip_norm", clip_norm, 0, low_open=True, who="fit")


def _run_epoch(
    step, model, lr, x, labels, batch_size, batches_per_epoch, rng, state, progress, epochs,
    should_stop, monitor, augment=None,
):  # fmt: skip
    """One pass over the data (or the rest of one, when resuming mid-epoch); returns its row
    after checking that the last update left every weight finite."""
    epoch, done = state.epoch + 1, state.batch
    if done:
        rng.bit_generator.state = state.epoch_start_rng  # the same order as before the interruption
    state.epoch_start_rng = rng.bit_generator.state
    batches = itertools.islice(iterate_batches(x, labels, batch_size, rng), done, None)
    if progress:
        batches = progress_bar(batches, total=batches_per_epoch, initial=done,
                               desc=f"epoch {epoch}/{epochs}", unit="batch")  # fmt: skip
    watched = batches_per_epoch // 2 + 1  # the middle batch: a typical step
    for batch, (xb, yb) in enumerate(batches, done + 1):
        if augment is not None:
            xb = augment(xb, epoch, batch)
        if monitor is not None and batch == watched:  # one watched step per epoch
            loss, outputs = monitor.watch(model, step, xb, yb)
        else:
            loss, outputs = step(xb, yb)
        _check_loss(loss, state.history.batch_loss, model, xb, epoch, batch, lr)
        state.history.batch_loss.append(loss)
        state.loss_sum += loss * len(yb)
        state.correct += int(np.count_nonzero(outputs.argmax(axis=1) == yb))
        state.batch = batch
        if progress and batch % 20 == 0:  # the running mean loss of the epoch
            batches.set_postfix(loss=f"{state.loss_sum / (batch * batch_size):.4f}", refresh=False)
        if should_stop is not None and batch * batch_size < len(x) and should_stop():
            if progress:
                batches.close()
            raise TrainingInterrupted(state)
    row = {"epoch": epoch, "train_loss": state.loss_sum / len(x), "train_accuracy": state.correct / len(x),
           "val_loss": math.nan, "val_accuracy": math.nan}  # fmt: skip
    state.batch, state.loss_sum, state.correct = 0, 0.0, 0
    _check_weights(model, epoch, batches_per_epoch, lr)
    return row


NON_FINITE_ADVICE = "lower the learning rate (try a tenth) or run `numpynn diagnose`"
DIVERGED = 1e4  # a loss this many times the first batch's (or 1, if larger) is not coming back


def _check_loss(loss: float, losses: list[float], model, x, epoch: int, batch: int, lr: float):
    """Stop at a loss that is not finite, or finite but diverged: an explosion that overflows a
    few steps later, or leaves every ReLU dead and the loss back at chance. Runs every batch: the
    messages are built only when one is raised."""
    first = losses[0] if losses else loss
    if not math.isfinite(loss):
        raise FloatingPointError(
            f"loss is {loss} at epoch {epoch}, batch {batch} (lr={lr:g}): "
            f"{locate_non_finite(model, x)}; {NON_FINITE_ADVICE}"
        )
    if loss > DIVERGED * max(first, 1.0):
        raise FloatingPointError(
            f"loss is {loss:.3g} at epoch {epoch}, batch {batch} (lr={lr:g}), up from "
            f"{first:.3g} at the first batch: training diverged; {NON_FINITE_ADVICE}"
        )


def _check_weights(model, epoch: int, batch: int, lr: float) -> None:
    """The last update of an epoch may leave non-finite weights that no loss has seen yet."""
    for p in model.parameters():
        if not np.isfinite(p.value).all():
            raise FloatingPointError(
                f"at the end of epoch {epoch}, batch {batch} (lr={lr:g}): "
                f"{locate_non_finite(model)}; {NON_FINITE_ADVICE}"
            )


def locate_non_finite(model: Sequential, x: np.ndarray | None = None) -> str:
    """Where a NaN or Inf is, in words: the first parameter (value, then gradient) that holds
    one, else the first layer whose output on the batch ``x`` does."""
    for p in model.parameters():
        if not np.isfinite(p.value).all():
            return f"the weights {p.name} hold {_first_bad(p.value)} after the last update"
    for p in model.parameters():
        if not np.isfinite(p.grad).all():
            return f"the gradient of {p.name} holds {_first_bad(p.grad)}"
    if x is None:
        return "every weight and gradient is finite"
    with np.errstate(all="ignore"):
        for i, layer in enumerate(model.layers):
            x = layer.forward(x)
            if not np.isfinite(x).all():
                norms = [np.linalg.norm(p.value.astype(np.float64)) for p in layer.parameters()]
                weights = f" (its weights have norm {max(norms):.3g})" if norms else ""
                return f"the output of layer {i}, {layer!r}, holds {_first_bad(x)}{weights}"
    largest = float(np.abs(x).max()) if x.size else 0.0
    return (
        f"every weight, gradient and output is finite, but the outputs reach {largest:.3g}, so the "
        "loss overflows"
    )


def _first_bad(a: np.ndarray) -> str:
    return str(a.ravel()[np.flatnonzero(~np.isfinite(a.ravel()))[0]])


def _early_stopping(model, state: TrainState, patience: int) -> None:
    """Keep the best weights; once ``patience`` epochs without improvement have been followed by
    ``patience`` epochs of annealing, restore them and stop."""
    params = model.parameters()
    if state.best_epoch == state.epoch:
        state.best_params = [p.value.copy() for p in params]
    start = _anneal_start(state.history, patience)
    if start is not None and state.epoch >= start + patience:
        for p, best in zip(params, state.best_params):
            p.value[...] = best
        state.stopped_early = True


def _anneal_start(history: History, patience: int) -> int | None:
    """The epoch after which the validation loss had not improved for ``patience`` epochs (the
    annealing starts after it), or None. Read from the history, so a resumed run agrees."""
    best, lowest = None, math.inf  # the first epoch of the lowest loss so far (NaN never is)
    for epoch, row in enumerate(history.rows, 1):
        if row["val_loss"] < lowest:
            best, lowest = epoch, row["val_loss"]
        if best is not None and epoch - best >= patience:
            return epoch
    return None


def _epoch_lr(lr: float, schedule, history: History, patience: int | None) -> float:
    """The next epoch's learning rate: the schedule's (or ``lr`` without one), or, once patience
    has run out after epoch ``start``, epoch ``start + k`` of the annealing, lr₀·½(1 + cos(πk /
    (patience + 1))) with lr₀ the learning rate of epoch ``start`` (if the schedule is lower, its
    value)."""
    epoch = len(history) + 1
    scheduled = lr if schedule is None else _scheduled_lr(schedule, epoch)
    start = None if patience is None else _anneal_start(history, patience)
    if start is not None:  # never above what the schedule gives
        k = epoch - start
        annealed = (
            history.rows[start - 1]["lr"] * 0.5 * (1 + math.cos(math.pi * k / (patience + 1)))
        )
        return min(annealed, scheduled)
    return scheduled


def evaluate(model, x, labels, loss_fn: Loss | None = None, batch_size: int = 2048) -> dict:
    """Mean loss and accuracy of ``model`` on ``(x, labels)``, in chunks to bound memory."""
    _check_data(model, x, labels, "evaluate")
    loss_fn = loss_fn if loss_fn is not None else SoftmaxCrossEntropy()
    total_loss = correct = 0.0
    for start in range(0, len(x), batch_size):
        xb, yb = x[start : start + batch_size], labels[start : start + batch_size]
        outputs = model.forward(xb)
        total_loss += loss_fn.forward(outputs, yb) * len(yb)
        correct += int(np.count_nonzero(outputs.argmax(axis=1) == yb))
    return {"loss": total_loss / len(x), "accuracy": correct / len(x)}


def _scheduled_lr(schedule, epoch: int) -> float:
    lr = float(schedule(epoch - 1))
    if not (math.isfinite(lr) and lr > 0):
        raise ValueError(
            f"fit: the schedule {schedule!r} gives lr={lr} for epoch {epoch}; a learning rate "
            "must be > 0 (is the schedule shorter than the run?)"
        )
    return lr


def _check_data(model, x, labels, who: str) -> None:
    if len(x) != len(labels):
        raise ValueError(f"{who}: {len(x)} inputs but {len(labels)} labels; they must pair up")
    if len(x) == 0:
        raise ValueError(f"{who}: the data set is empty")
    if model.dtype is not None and x.dtype != model.dtype:
        raise TypeError(
            f"{who}: inputs are {x.dtype} but the model is {model.dtype}; "
            f"convert once with x.astype(np.{model.dtype})"
        )
