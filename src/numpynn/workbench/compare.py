"""Your network beside numpynn's: the same data, the same initial weights, the same batches and
the same SGD steps, so that a right forward and backward pass gives the same curve to rounding,
and a wrong one parts from numpynn's at a batch you can see."""

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..losses import SoftmaxCrossEntropy
from ..model import mlp
from ..plots.workbench import AGREE, plot_comparison

__all__ = ["Comparison", "compare_to_reference"]


@dataclass
class Comparison:
    """Per batch the loss of each network (``batch_losses``), per epoch the validation loss and
    accuracy of each (``epochs``), where the two first parted, and the figure."""

    batch_losses: dict[str, list[float]] = field(
        default_factory=lambda: {"yours": [], "numpynn": []}
    )
    epochs: list[dict] = field(default_factory=list)
    first_difference: int | None = None  # the first batch (from 0) whose losses differ
    figure: Path | None = None

    @property
    def agree(self) -> bool:
        return self.first_difference is None

    def __str__(self) -> str:
        lines = ["epoch  your val loss  numpynn val loss  your val acc  numpynn val acc"]
        lines += [f"{e['epoch']:>5}  {e['yours_val_loss']:>13.4f}  {e['numpynn_val_loss']:>16.4f}  "
                  f"{e['yours_val_accuracy']:>12.2%}  {e['numpynn_val_accuracy']:>15.2%}"
                  for e in self.epochs]  # fmt: skip
        if self.agree:
            lines.append("your network trains exactly as numpynn's (every batch's loss agrees)")
        else:
            lines.append(f"your loss parts from numpynn's at batch {self.first_difference}: "
                         "run numpynn.testing.check_network on your model_fn")  # fmt: skip
        return "\n".join(lines)


def compare_to_reference(
    model_fn, sizes=(784, 64, 10), *, data=None, layout: str = "rows", epochs: int = 3,
    batch_size: int = 64, lr: float = 0.1, seed: int = 0, train_size: int = 5000,
    val_size: int = 1000, out: str | Path | None = "comparison.png",
) -> Comparison:  # fmt: skip
    """Train your network, ``model_fn(params, x)`` → scores and ``model_fn(params, x, labels)`` →
    ``(loss, grads)`` (as ``numpynn.testing.check_network``), and numpynn's ``mlp(sizes)`` (ReLU,
    softmax cross-entropy) with plain SGD from the same weights, on the same batches, in
    float64; plot both curves to ``out`` (None: no figure) and return the comparison.

    ``data = (x_train, y_train, x_val, y_val)``, rows of examples; by default the first
    ``train_size`` MNIST training images, and the next ``val_size`` to validate."""
    if layout not in ("rows", "columns"):
        raise ValueError(
            f"compare_to_reference: layout must be 'rows' or 'columns', got {layout!r}"
        )
    x, y, x_val, y_val = _data(data, train_size, val_size)
    columns = layout == "columns"
    reference = mlp(list(sizes), "relu", dtype="float64", seed=seed)
    denses = [layer for layer in reference.layers if layer.parameters()]
    params = [(d.W.value.T.copy(), d.b.value[:, None].copy()) if columns
              else (d.W.value.copy(), d.b.value.copy()) for d in denses]  # fmt: skip
    flip = (lambda a: a.T) if columns else (lambda a: a)  # noqa: E731
    loss_fn, result = SoftmaxCrossEntropy(), Comparison()
    order = np.random.default_rng(seed)
    for epoch in range(1, epochs + 1):
        permutation = order.permutation(len(x))
        for start in range(0, len(x), batch_size):
            batch = permutation[start : start + batch_size]
            params = _student_step(model_fn, params, flip(x[batch]), y[batch], lr, result)
            _reference_step(reference, loss_fn, x[batch], y[batch], lr, result)
        result.epochs.append(
            _validate(model_fn, params, reference, loss_fn, flip, x_val, y_val, epoch)
        )
    if out is not None:
        result.figure = plot_comparison(result, out)
    return result


def _data(data, train_size: int, val_size: int):
    if data is None:
        from ..data import load_mnist

        x, y, _, _ = load_mnist()
        data = (x[:train_size], y[:train_size], x[train_size : train_size + val_size],
                y[train_size : train_size + val_size])  # fmt: skip
    x, y, x_val, y_val = data
    return (
        np.asarray(x, np.float64),
        np.asarray(y),
        np.asarray(x_val, np.float64),
        np.asarray(y_val),
    )


def _student_step(model_fn, params, x, y, lr: float, result: Comparison):
    loss, grads = model_fn(params, x, y)
    result.batch_losses["yours"].append(float(loss))
    return [(W - lr * np.reshape(dW, W.shape), b - lr * np.reshape(db, b.shape))
            for (W, b), (dW, db) in zip(params, grads)]  # fmt: skip


def _reference_step(reference, loss_fn, x, y, lr: float, result: Comparison) -> None:
    loss = loss_fn.forward(reference.forward(x, training=True), y)
    reference.backward(loss_fn.backward())
    for p in reference.parameters():
        p.value -= lr * p.grad
    result.batch_losses["numpynn"].append(float(loss))
    yours, theirs = result.batch_losses["yours"][-1], float(loss)
    if result.first_difference is None and not abs(yours - theirs) <= AGREE * abs(theirs):
        result.first_difference = len(result.batch_losses["numpynn"]) - 1


def _validate(model_fn, params, reference, loss_fn, flip, x_val, y_val, epoch: int) -> dict:
    row = {"epoch": epoch}
    for who, scores in (("yours", flip(np.asarray(model_fn(params, flip(x_val))))),
                        ("numpynn", reference.forward(x_val))):  # fmt: skip
        row[f"{who}_val_loss"] = float(loss_fn.forward(scores, y_val))
        row[f"{who}_val_accuracy"] = float(np.mean(scores.argmax(axis=1) == y_val))
    return row
