"""Training: ``train_step``, ``fit`` (mini-batch training returning a ``History``) and
``evaluate``."""

import csv
import functools
import io
import itertools
import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .data.batching import iterate_batches
from .diagnostics import Monitor, locate_non_finite
from .losses import Loss, SoftmaxCrossEntropy
from .model import Sequential
from .optim import Optimizer, clip_grad_norm

__all__ = ["History", "TrainState", "TrainingInterrupted", "train_step", "fit", "evaluate"]

COLUMNS = ["epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "lr", "seconds"]


class History:
    """One row per epoch (a dict with ``COLUMNS``); ``history["val_accuracy"]`` is a column.
    ``batch_loss`` holds the training loss of every mini-batch, in order."""

    def __init__(self, rows: list[dict] | None = None, batch_loss: list[float] | None = None):
        self.rows = list(rows or [])
        self.batch_loss = list(batch_loss or [])

    def append(self, row: dict) -> None:
        self.rows.append(row)

    def __getitem__(self, column: str) -> list:
        return [row[column] for row in self.rows]

    def __len__(self) -> int:
        return len(self.rows)

    def to_csv(self) -> str:
        out = io.StringIO()
        columns = list(self.rows[0]) if self.rows else COLUMNS
        writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in self.rows:
            writer.writerow({k: _format(v) for k, v in row.items()})
        return out.getvalue()

    def to_json(self) -> str:
        """Rows plus the per-batch losses (rounded to 6 significant digits to stay compact)."""
        batch_loss = [float(f"{loss:.6g}") for loss in self.batch_loss]
        return json.dumps({"epochs": self.rows, "batch_loss": batch_loss}) + "\n"

    @classmethod
    def from_json(cls, text: str) -> "History":
        values = json.loads(text)
        return cls(values["epochs"], values["batch_loss"])

    def __repr__(self) -> str:
        return f"History({len(self.rows)} epochs)"


def _format(value):
    return repr(value) if isinstance(value, float) else value


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
    model: Sequential,
    loss_fn: Loss,
    optimizer: Optimizer,
    train: tuple[np.ndarray, np.ndarray],
    val: tuple[np.ndarray, np.ndarray] | None = None,
    *,
    epochs: int = 10,
    batch_size: int = 128,
    seed: int | None = 0,
    rng: np.random.Generator | None = None,
    patience: int | None = None,
    schedule: Callable[[int], float] | None = None,
    clip_norm: float | None = None,
    progress: bool = False,
    state: TrainState | None = None,
    on_epoch_end: Callable[[TrainState], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    monitor: Monitor | None = None,
) -> History:
    """Train ``model`` for ``epochs`` passes over ``train = (x, labels)`` in shuffled mini-batches.

    Each epoch records the mean training loss and accuracy over its batches (measured as the
    batches went by, with dropout on), the validation loss and accuracy (when ``val`` is given),
    the learning rate and the seconds it took; ``on_epoch_end(state)`` runs after each.

    Args:
        patience: stop when the validation loss has not improved for this many epochs, and
            restore the weights of the best epoch (early stopping; needs ``val``).
        state: continue a run from where a ``TrainState`` left it (see ``TrainingInterrupted``).
        should_stop: checked after every batch; when it returns True, fit raises
            ``TrainingInterrupted`` carrying the state to resume from.
        monitor: a ``numpynn.diagnostics.Monitor``: adds per-layer statistics to each epoch's row
            and reports symptoms of trouble. Without one, no statistics cost anything.

    Raises:
        FloatingPointError: at the first non-finite loss (or weight at an epoch's end), naming
            the epoch, the batch and the layer, before ``on_epoch_end`` could save it.
    """
    x, labels = train
    _check_data(model, x, labels, "train")
    if val is not None:
        _check_data(model, *val, "val")
    if epochs < 1 or batch_size < 1:
        raise ValueError(f"fit: epochs and batch_size must be >= 1, got {epochs} and {batch_size}")
    if patience is not None and (val is None or patience < 1):
        raise ValueError(f"fit: patience must be >= 1 and needs validation data, got {patience}")
    if clip_norm is not None and not (math.isfinite(clip_norm) and clip_norm > 0):
        raise ValueError(f"fit: clip_norm must be a finite number > 0 (or None), got {clip_norm}")
    rng = rng if rng is not None else np.random.default_rng(seed)
    state = state if state is not None else TrainState()
    if monitor is not None and state.epoch == state.batch == 0:
        monitor.start(model, loss_fn)
    step = functools.partial(train_step, model, loss_fn, optimizer, clip_norm=clip_norm)
    batches_per_epoch = math.ceil(len(x) / batch_size)
    while state.epoch < epochs and not state.stopped_early:
        start = time.perf_counter()
        if schedule is not None:
            optimizer.lr = _scheduled_lr(schedule, state.epoch + 1)
        row = _run_epoch(step, model, optimizer.lr, x, labels, batch_size, batches_per_epoch, rng,
                         state, progress, epochs, should_stop, monitor)  # fmt: skip
        _check_weights(model, row["epoch"], batches_per_epoch, optimizer.lr)
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


def _run_epoch(
    step, model, lr, x, labels, batch_size, batches_per_epoch, rng, state, progress, epochs,
    should_stop, monitor,
):  # fmt: skip
    """One pass over the data (or the rest of one, when resuming mid-epoch); returns its row."""
    epoch, done = state.epoch + 1, state.batch
    if done:
        rng.bit_generator.state = state.epoch_start_rng  # the same order as before the interruption
    state.epoch_start_rng = rng.bit_generator.state
    batches = itertools.islice(iterate_batches(x, labels, batch_size, rng), done, None)
    if progress:
        batches = _progress_bar(batches, batches_per_epoch, epoch, epochs, initial=done)
    watched = batches_per_epoch // 2 + 1  # the middle batch: a typical step
    for batch, (xb, yb) in enumerate(batches, done + 1):
        if monitor is not None and batch == watched:  # one watched step per epoch
            loss, outputs = monitor.watch(model, step, xb, yb)
        else:
            loss, outputs = step(xb, yb)
        if not math.isfinite(loss):
            raise FloatingPointError(
                f"loss is {loss} at epoch {epoch}, batch {batch} (lr={lr:g}): "
                f"{locate_non_finite(model, xb)}; {NON_FINITE_ADVICE}"
            )
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
    return row


NON_FINITE_ADVICE = "lower the learning rate (try a tenth) or run `numpynn diagnose`"


def _check_weights(model, epoch: int, batch: int, lr: float) -> None:
    """The last update of an epoch may leave non-finite weights that no loss has seen yet."""
    for p in model.parameters():
        if not np.isfinite(p.value).all():
            raise FloatingPointError(
                f"at the end of epoch {epoch}, batch {batch} (lr={lr:g}): "
                f"{locate_non_finite(model)}; {NON_FINITE_ADVICE}"
            )


def _early_stopping(model, state: TrainState, patience: int) -> None:
    """Keep the best weights; after ``patience`` epochs without improvement, restore them."""
    params = model.parameters()
    if state.best_epoch == state.epoch:
        state.best_params = [p.value.copy() for p in params]
    elif state.epoch - state.best_epoch >= patience:
        for p, best in zip(params, state.best_params):
            p.value[...] = best
        state.stopped_early = True


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


def _progress_bar(batches, total, epoch, epochs, initial=0):
    from tqdm import tqdm

    return tqdm(
        batches,
        total=total,
        initial=initial,
        desc=f"epoch {epoch}/{epochs}",
        leave=False,
        unit="batch",
        dynamic_ncols=True,
    )
