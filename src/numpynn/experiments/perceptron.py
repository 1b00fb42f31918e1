"""The perceptron study behind ``numpynn perceptron``: train on blobs, XOR or MNIST and write a run
directory with ``metrics.json``, ``mistakes.csv`` (one row per epoch) and the figures.

- blobs: separable 2-D data with a known margin; ``boundaries.png`` shows the boundary after each
  epoch, ``mistakes_per_epoch.png`` the mistakes and their total against Novikoff's bound.
- xor: no line separates XOR; ``xor.png`` shows the perceptron beside a 2-layer MLP that solves it.
- mnist: the multiclass perceptron; ``weights.png`` shows each class's weights as an image.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..data import load_mnist
from ..data.synthetic import SeparableData, make_blobs, make_xor
from ..files import atomic_write_json, atomic_write_text
from ..losses import SoftmaxCrossEntropy
from ..model import mlp
from ..optim import Adam
from ..perceptron import MulticlassPerceptron, Perceptron, novikoff_bound
from ..plots.perceptron import (
    plot_boundary_snapshots,
    plot_class_weights,
    plot_decision_panels,
    plot_mistakes_per_epoch,
)
from ..plots.style import save_figure
from ..tables import csv_text
from ..training import fit
from ..validation import check_choice, check_int, check_number

__all__ = ["DATASETS", "DEFAULT_EPOCHS", "check_options", "perceptron_run", "train_xor_mlp"]

DATASETS = ("blobs", "xor", "mnist")
DEFAULT_EPOCHS = {"blobs": 100, "xor": 20, "mnist": 10}  # blobs stop as soon as they converge
DEFAULT_POINTS = {"blobs": 100, "xor": 4}
DEFAULT_MARGIN = 0.05


def check_options(
    dataset: str,
    *,
    points=None,
    margin=None,
    data_dir=None,
    who: str = "perceptron_run",
    flags: bool = False,
) -> None:
    """Refuse an option that does not apply to ``dataset`` (None: not given) or a bad value;
    ``who`` names the caller, and with ``flags`` the options are named as command-line flags."""
    name = (lambda key: f"--{key.replace('_', '-')}") if flags else (lambda key: key)
    check_choice(name("dataset"), dataset, DATASETS, who=who)
    applies = {"points": ("blobs", "xor"), "margin": ("blobs",), "data_dir": ("mnist",)}
    given = {"points": points, "margin": margin, "data_dir": data_dir}
    for key, datasets in applies.items():
        if given[key] is not None and dataset not in datasets:
            raise ValueError(
                f"{who}: {name(key)} applies to {name('dataset')} {' or '.join(datasets)} only, "
                f"got {name('dataset')} {dataset}"
            )
    if points is not None:
        check_int(name("points"), points, 4 if dataset == "xor" else 2, who=who)
    if margin is not None:
        check_number(name("margin"), margin, 0, 0.5, low_open=True, high_open=False, who=who)


def perceptron_run(
    dataset: str,
    out_dir: str | Path,
    *,
    averaged: bool = False,
    pocket: bool = False,
    epochs: int | None = None,
    lr: float = 1.0,
    seed: int = 0,
    points: int | None = None,
    margin: float | None = None,
    data_dir: str | Path | None = None,
    progress: bool = False,
    log: Callable[[str], None] = print,
) -> dict:
    """Train a perceptron on ``dataset``, write the run directory ``out_dir``, return the metrics.

    Args:
        epochs: at most this many (default: blobs 100, xor 20, mnist 10); training stops after
            an epoch without mistakes.
        points: how many 2-D points (blobs: default 100; xor: default 4, the truth table).
        margin: the margin of the blobs, in (0, 0.5] (their radius is 1; default 0.05).
        data_dir: where MNIST is (mnist only).
    """
    check_options(dataset, points=points, margin=margin, data_dir=data_dir)
    out_dir = Path(out_dir)
    epochs = epochs if epochs is not None else DEFAULT_EPOCHS[dataset]
    options = {"averaged": averaged, "pocket": pocket, "lr": lr, "seed": seed}
    variant = "+".join(name for name in ("averaged", "pocket") if options[name]) or "plain"
    data = _load(dataset, points, margin, seed, data_dir, progress)
    if dataset == "mnist":
        model = MulticlassPerceptron(num_classes=10, **options)
        log(
            f"multiclass perceptron ({variant}) on MNIST: {len(data.x)} training images, 10 classes"
        )
    else:
        model = Perceptron(**options)
        log(f"perceptron ({variant}) on {dataset}: {len(data.x)} points in 2-D")

    def report(row: dict) -> None:
        log(f"epoch {row['epoch']:>{len(str(epochs))}}/{epochs}  mistakes {row['mistakes']:>6}  "
            f"train accuracy {row['train_accuracy']:.2%}  {row['seconds']:.2f}s")  # fmt: skip

    model.fit(data.x, data.y, epochs, progress=progress and dataset == "mnist", on_epoch_end=report)
    metrics = {
        "dataset": dataset, "epochs": epochs, **options, **data.settings, "variant": variant,
        "epochs_run": len(model.history), "converged": model.converged,
        "mistakes": sum(model.mistakes), "train_accuracy": model.score(data.x, data.y),
        "seconds_per_epoch": sum(row["seconds"] for row in model.history) / len(model.history),
    }  # fmt: skip
    out_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out_dir / "mistakes.csv", csv_text(model.history))
    for name, figure in _results(dataset, data, model, metrics, log).items():
        save_figure(figure, out_dir / f"{name}.png")
    atomic_write_json(out_dir / "metrics.json", metrics)
    state = "converged" if model.converged else "did not converge"
    epochs_word = "epoch" if len(model.history) == 1 else "epochs"
    log(f"{state} after {len(model.history)} {epochs_word}; train accuracy "
        f"{metrics['train_accuracy']:.2%}; wrote {out_dir}")  # fmt: skip
    return metrics


@dataclass
class _Data:
    x: np.ndarray
    y: np.ndarray
    settings: dict  # the data's settings, recorded in metrics.json
    test: tuple[np.ndarray, np.ndarray] | None = None  # mnist
    blobs: SeparableData | None = None  # blobs: the true separator and margin


def _load(dataset, points, margin, seed, data_dir, progress) -> _Data:
    if dataset == "mnist":
        x, y, x_test, y_test = load_mnist(data_dir, progress=progress)
        return _Data(x, y, {}, test=(x_test, y_test))
    points = points if points is not None else DEFAULT_POINTS[dataset]
    if dataset == "xor":
        return _Data(*make_xor(points, seed=seed), {"points": points})
    margin = margin if margin is not None else DEFAULT_MARGIN
    blobs = make_blobs(points, margin=margin, seed=seed)
    return _Data(blobs.x, blobs.y, {"points": points, "margin": margin}, blobs=blobs)


def _results(dataset: str, data: _Data, model, metrics: dict, log) -> dict:
    """What the run shows on its data set: adds each measurement to ``metrics`` (and logs it),
    then returns the figures by file name (without .png)."""
    x, y, history = data.x, data.y, model.history
    title = f"{type(model).__name__} ({metrics['variant']}) on {dataset}"
    if dataset == "blobs":
        blobs = data.blobs
        bound = novikoff_bound(x, y, blobs.normal, blobs.offset)
        metrics |= {"novikoff_bound": bound, "within_bound": sum(model.mistakes) <= bound}
        log(f"{metrics['mistakes']} mistakes in all; Novikoff's bound (R/γ)² = {bound:.0f}")
        separator = (blobs.normal, blobs.offset, blobs.margin)
        return {
            "boundaries": plot_boundary_snapshots(x, y, model.snapshots, model.mistakes, separator=separator),
            "mistakes_per_epoch": plot_mistakes_per_epoch(history, bound, title),
        }  # fmt: skip
    if dataset == "xor":
        net, net_accuracy = train_xor_mlp(x, y, seed=metrics["seed"])
        metrics["mlp_train_accuracy"] = net_accuracy
        log(f"a 2-layer MLP (2-8-2, tanh) classifies {net_accuracy:.0%} of the XOR points")
        w = model.w
        panels = [
            (f"perceptron ({metrics['variant']}): {metrics['train_accuracy']:.0%} correct",
             lambda grid: grid @ w[:-1] + w[-1]),
            (f"MLP 2-8-2 tanh: {net_accuracy:.0%} correct", lambda grid: _mlp_score(net, grid)),
        ]  # fmt: skip
        xor = plot_decision_panels(x, y, panels, title="XOR: no line separates it; one hidden "
                                   "layer does", wandering=model.snapshots)  # fmt: skip
        return {"xor": xor, "mistakes_per_epoch": plot_mistakes_per_epoch(history, title=title)}
    metrics["test_accuracy"] = model.score(*data.test)
    log(f"test accuracy {metrics['test_accuracy']:.2%}")
    return {
        "mistakes_per_epoch": plot_mistakes_per_epoch(history, title=title),
        "weights": plot_class_weights(model.W, title=title),
    }


def train_xor_mlp(x: np.ndarray, y: np.ndarray, seed: int = 0):
    """A 2-8-2 tanh MLP trained with Adam on 2-D points labelled ±1; returns it and its training
    accuracy."""
    x, labels = x.astype(np.float32), (y + 1) // 2
    net = mlp([2, 8, 2], "tanh", seed=seed)
    epochs, batch_size = (300, 4) if len(x) <= 16 else (100, 20)
    fit(net, SoftmaxCrossEntropy(), Adam(net.parameters(), lr=0.05), (x, labels),
        epochs=epochs, batch_size=batch_size, seed=seed)  # fmt: skip
    return net, float(np.mean(net.predict(x) == labels))


def _mlp_score(net, grid: np.ndarray) -> np.ndarray:
    logits = net.forward(grid.astype(np.float32))
    return logits[:, 1] - logits[:, 0]
