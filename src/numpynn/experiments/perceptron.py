"""The perceptron study behind ``numpynn perceptron``: train on blobs, XOR or MNIST and write a run
directory with ``metrics.json``, ``mistakes.csv`` (one row per epoch) and the figures.

- blobs: separable 2-D data with a known margin; ``boundaries.png`` shows the boundary after each
  epoch, ``mistakes_per_epoch.png`` the mistakes and their total against Novikoff's bound.
- xor: no line separates XOR; ``xor.png`` shows the perceptron beside a 2-layer MLP that solves it.
- mnist: the multiclass perceptron; ``weights.png`` shows each class's weights as an image.
"""

from collections.abc import Callable
from pathlib import Path

import numpy as np

from .. import plots
from ..data import load_mnist
from ..data.synthetic import make_blobs, make_xor
from ..files import atomic_write_json, atomic_write_text, csv_text
from ..losses import SoftmaxCrossEntropy
from ..model import mlp
from ..optim import Adam
from ..perceptron import MulticlassPerceptron, Perceptron, novikoff_bound
from ..training import fit

__all__ = ["DATASETS", "DEFAULT_EPOCHS", "perceptron_run", "train_xor_mlp"]

DATASETS = ("blobs", "xor", "mnist")
DEFAULT_EPOCHS = {"blobs": 100, "xor": 20, "mnist": 10}  # blobs stop as soon as they converge


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
    margin: float = 0.05,
    data_dir: str | Path | None = None,
    progress: bool = False,
    log: Callable[[str], None] = print,
) -> dict:
    """Train a perceptron on ``dataset``, write the run directory ``out_dir``, return the metrics.

    Args:
        epochs: at most this many (default: blobs 100, xor 20, mnist 10); training stops after
            an epoch without mistakes.
        points: how many 2-D points (blobs: default 100; xor: default 4, the truth table).
        margin: the margin of the blobs (their radius is 1).
    """
    if dataset not in DATASETS:
        raise ValueError(
            f"perceptron_run: dataset must be one of {', '.join(DATASETS)}, got {dataset!r}"
        )
    out_dir = Path(out_dir)
    epochs = epochs if epochs is not None else DEFAULT_EPOCHS[dataset]
    options = {"averaged": averaged, "pocket": pocket, "lr": lr, "seed": seed}
    settings = {"dataset": dataset, "epochs": epochs, **options}
    variant = "+".join(name for name in ("averaged", "pocket") if options[name]) or "plain"
    if dataset == "mnist":
        x, y, x_test, y_test = load_mnist(data_dir, progress=progress)
        model = MulticlassPerceptron(num_classes=10, **options)
        log(f"multiclass perceptron ({variant}) on MNIST: {len(x)} training images, 10 classes")
    else:
        points = points if points is not None else (100 if dataset == "blobs" else 4)
        settings |= {"points": points} | ({"margin": margin} if dataset == "blobs" else {})
        if dataset == "blobs":
            blobs = make_blobs(points, margin=margin, seed=seed)
            x, y = blobs.x, blobs.y
        else:
            x, y = make_xor(points, seed=seed)
        model = Perceptron(**options)
        log(f"perceptron ({variant}) on {dataset}: {len(x)} points in 2-D")

    def report(row: dict) -> None:
        log(f"epoch {row['epoch']:>{len(str(epochs))}}/{epochs}  mistakes {row['mistakes']:>6}  "
            f"train accuracy {row['train_accuracy']:.2%}  {row['seconds']:.2f}s")  # fmt: skip

    model.fit(x, y, epochs, progress=progress and dataset == "mnist", on_epoch_end=report)
    history = model.history
    metrics = {
        **settings,
        "variant": variant,
        "epochs_run": len(history),
        "converged": model.converged,
        "mistakes": sum(model.mistakes),
        "train_accuracy": model.score(x, y),
        "seconds_per_epoch": sum(row["seconds"] for row in history) / len(history),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out_dir / "mistakes.csv", csv_text(history))
    title = f"{type(model).__name__} ({variant}) on {dataset}"
    figures = {}
    if dataset == "blobs":
        bound = novikoff_bound(x, y, blobs.normal, blobs.offset)
        metrics |= {"novikoff_bound": bound, "within_bound": sum(model.mistakes) <= bound}
        separator = (blobs.normal, blobs.offset, blobs.margin)
        figures["boundaries"] = plots.plot_boundary_snapshots(
            x, y, model.snapshots, model.mistakes, separator=separator
        )
        figures["mistakes_per_epoch"] = plots.plot_mistakes_per_epoch(history, bound, title)
        log(f"{metrics['mistakes']} mistakes in all; Novikoff's bound (R/γ)² = {bound:.0f}")
    elif dataset == "xor":
        net, net_accuracy = train_xor_mlp(x, y, seed=seed)
        metrics["mlp_train_accuracy"] = net_accuracy
        w = model.w
        figures["xor"] = plots.plot_decision_panels(
            x, y,
            [(f"perceptron ({variant}): {metrics['train_accuracy']:.0%} correct",
              lambda grid: grid @ w[:-1] + w[-1]),
             (f"MLP 2-8-2 tanh: {net_accuracy:.0%} correct", lambda grid: _mlp_score(net, grid))],
            title="XOR: no line separates it; one hidden layer does", wandering=model.snapshots,
        )  # fmt: skip
        figures["mistakes_per_epoch"] = plots.plot_mistakes_per_epoch(history, title=title)
        log(f"a 2-layer MLP (2-8-2, tanh) classifies {net_accuracy:.0%} of the XOR points")
    else:
        metrics["test_accuracy"] = model.score(x_test, y_test)
        figures["mistakes_per_epoch"] = plots.plot_mistakes_per_epoch(history, title=title)
        figures["weights"] = plots.plot_class_weights(model.W, title=title)
        log(f"test accuracy {metrics['test_accuracy']:.2%}")
    for name, figure in figures.items():
        plots.save_figure(figure, out_dir / f"{name}.png")
    atomic_write_json(out_dir / "metrics.json", metrics)
    state = "converged" if model.converged else "did not converge"
    epochs_word = "epoch" if len(history) == 1 else "epochs"
    log(f"{state} after {len(history)} {epochs_word}; train accuracy {metrics['train_accuracy']:.2%}; "
        f"wrote {out_dir}")  # fmt: skip
    return metrics


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
