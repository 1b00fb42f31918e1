"""Training: ``train_step``, ``fit`` (mini-batch training returning a ``History``) and
``evaluate``."""

import csv
import io
import json
import math
import time
from collections.abc import Callable

import numpy as np

from .data.batching import iterate_batches
from .losses import Loss, SoftmaxCrossEntropy
from .model import Sequential
from .optim import Optimizer, clip_grad_norm

__all__ = ["History", "train_step", "fit", "evaluate"]

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
    model.backward(loss_fn.backward())
    if clip_norm:
        clip_grad_norm(optimizer.params, clip_norm)
    optimizer.step()
    return loss, outputs


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
    schedule: Callable[[int], float] | None = None,
    clip_norm: float | None = None,
    progress: bool = False,
    on_epoch_end: Callable[[dict], None] | None = None,
) -> History:
    """Train ``model`` for ``epochs`` passes over ``train = (x, labels)`` in shuffled mini-batches.

    Each epoch records the mean training loss and accuracy over its batches (measured as the
    batches went by, with dropout on), the validation loss and accuracy (when ``val`` is given),
    the learning rate and the seconds it took. ``on_epoch_end(row)`` is called after each epoch.

    ``schedule(epoch)`` (epochs counted from 0; see ``numpynn.schedules``) sets ``optimizer.lr``
    before each epoch; ``clip_norm`` caps the global norm of the gradients at every step.
    """
    x, labels = train
    _check_data(model, x, labels, "train")
    if val is not None:
        _check_data(model, *val, "val")
    if epochs < 1 or batch_size < 1:
        raise ValueError(f"fit: epochs and batch_size must be >= 1, got {epochs} and {batch_size}")
    if clip_norm is not None and not (math.isfinite(clip_norm) and clip_norm > 0):
        raise ValueError(f"fit: clip_norm must be a finite number > 0 (or None), got {clip_norm}")
    rng = rng if rng is not None else np.random.default_rng(seed)
    history = History()
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        if schedule is not None:
            optimizer.lr = _scheduled_lr(schedule, epoch)
        batches = iterate_batches(x, labels, batch_size, rng)
        if progress:
            batches = _progress_bar(batches, len(x), batch_size, epoch, epochs)
        total_loss = correct = 0.0
        for batch, (xb, yb) in enumerate(batches, 1):
            loss, outputs = train_step(model, loss_fn, optimizer, xb, yb, clip_norm)
            if not math.isfinite(loss):
                raise FloatingPointError(
                    f"loss is {loss} at epoch {epoch}, batch {batch} (lr={optimizer.lr:g}); "
                    "lower the learning rate or run `numpynn diagnose`"
                )
            history.batch_loss.append(loss)
            total_loss += loss * len(yb)
            correct += int(np.count_nonzero(outputs.argmax(axis=1) == yb))
            if progress and batch % 20 == 0:
                batches.set_postfix(loss=f"{loss:.4f}", refresh=False)
        row = {
            "epoch": epoch,
            "train_loss": total_loss / len(x),
            "train_accuracy": correct / len(x),
        }
        if val is not None:
            metrics = evaluate(model, *val, loss_fn=loss_fn)
            row |= {"val_loss": metrics["loss"], "val_accuracy": metrics["accuracy"]}
        else:
            row |= {"val_loss": math.nan, "val_accuracy": math.nan}
        row |= {"lr": optimizer.lr, "seconds": time.perf_counter() - start}
        history.append(row)
        if on_epoch_end is not None:
            on_epoch_end(row)
    return history


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


def _progress_bar(batches, n, batch_size, epoch, epochs):
    from tqdm import tqdm

    return tqdm(
        batches,
        total=math.ceil(n / batch_size),
        desc=f"epoch {epoch}/{epochs}",
        leave=False,
        unit="batch",
        dynamic_ncols=True,
    )
