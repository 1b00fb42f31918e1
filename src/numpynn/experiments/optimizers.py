"""The optimizers study (``numpynn optimizers``): which problem does each optimizer address?

Part 1 runs every optimizer on three 2-D surfaces (an ill-conditioned quadratic, the Rosenbrock
valley, a saddle point), each at its best stable learning rate from a grid, and counts the steps to
reach a minimum. Part 2 trains the same MLP on MNIST with each optimizer, from the same initial
weights and through the same mini-batches. Both write figures, CSV tables and ``report.md``.
"""

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..data import load_dataset
from ..data.batching import train_val_split
from ..files import atomic_write_text
from ..losses import SoftmaxCrossEntropy
from ..model import mlp
from ..optim import get_optimizer
from ..parameter import Parameter
from ..plots.optimizers import plot_descent_losses, plot_optimizer_curves, plot_trajectories
from ..plots.style import save_figure
from ..progress import progress_bar
from ..tables import csv_text, markdown_table
from ..training import evaluate, fit

__all__ = [
    "Surface",
    "SURFACES",
    "descend",
    "steps_to_minimum",
    "sweep",
    "best_runs",
    "compare_on_mnist",
    "run_study",
]

TOLERANCE = 1e-3  # "reached the minimum": within this distance of it, and stays there
LRS = 10.0 ** np.arange(-4, 0.51, 0.25)  # quarter decades from 1e-4 to ~3
OPTIMIZERS_2D = ["sgd", "momentum", "nesterov", "rmsprop", "adam"]  # adamw = adam without decay
# each the better of two values after 3 epochs (sgd 0.1/0.3, momentum 0.01/0.05, rmsprop 3e-4/1e-3)
MNIST_LRS = {
    "sgd": 0.3,
    "momentum": 0.05,
    "nesterov": 0.05,
    "rmsprop": 1e-3,
    "adam": 1e-3,
    "adamw": 1e-3,
}


@dataclass(frozen=True)
class Surface:
    """A 2-D test function: f(x, y) (NumPy-vectorised), its gradient, a start and its minima."""

    name: str
    title: str
    f: Callable
    grad: Callable[[float, float], tuple[float, float]]
    start: tuple[float, float]
    minima: tuple[tuple[float, float], ...]
    f_min: float
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    steps: int  # the step budget of a run


SURFACES = {
    "quadratic": Surface(
        "quadratic", "ill-conditioned quadratic ½(x² + 50y²)",
        f=lambda x, y: 0.5 * (x**2 + 50 * y**2),
        grad=lambda x, y: (x, 50 * y),
        start=(-4.0, 1.0), minima=((0.0, 0.0),), f_min=0.0,
        xlim=(-4.5, 1.5), ylim=(-1.3, 1.3), steps=500,
    ),
    "rosenbrock": Surface(
        "rosenbrock", "Rosenbrock valley (1 − x)² + 100(y − x²)²",
        f=lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2,
        grad=lambda x, y: (-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)),
        start=(-1.5, 2.0), minima=((1.0, 1.0),), f_min=0.0,
        xlim=(-2.0, 2.0), ylim=(-0.5, 3.0), steps=3000,
    ),
    "saddle": Surface(
        "saddle", "saddle point x² + (y⁴ − 2y²)/50",
        f=lambda x, y: x**2 + (y**4 - 2 * y**2) / 50,
        grad=lambda x, y: (2 * x, (4 * y**3 - 4 * y) / 50),
        start=(-1.5, 1e-3), minima=((0.0, 1.0), (0.0, -1.0)), f_min=-1 / 50,
        xlim=(-1.8, 1.0), ylim=(-1.4, 1.4), steps=500,
    ),
}  # fmt: skip


def descend(surface: Surface, optimizer: str, lr: float, steps: int | None = None) -> np.ndarray:
    """The path θ₀, θ₁, ..., θ_steps of ``optimizer`` from ``surface.start``, shape (steps + 1, 2);
    shorter if it diverged (left the box |x| + |y| < 1e6 or became nan)."""
    steps = surface.steps if steps is None else steps
    p = Parameter(np.array(surface.start, dtype=np.float64))
    opt = get_optimizer(optimizer, [p], lr)
    path = np.empty((steps + 1, 2))
    path[0] = p.value
    for t in range(1, steps + 1):
        p.grad[:] = surface.grad(*p.value)
        opt.step()
        path[t] = p.value
        if not abs(p.value[0]) + abs(p.value[1]) < 1e6:
            return path[: t + 1]
    return path


def distances(surface: Surface, path: np.ndarray) -> np.ndarray:
    """Distance of each point of ``path`` to the nearest minimum."""
    with np.errstate(over="ignore", invalid="ignore"):
        return np.min([np.hypot(*(path - m).T) for m in surface.minima], axis=0)


def steps_to_minimum(surface: Surface, path: np.ndarray, tol: float = TOLERANCE) -> int | None:
    """The first step from which ``path`` stays within ``tol`` of a minimum (None: never)."""
    return _steps_within(distances(surface, path), tol)


def _steps_within(d: np.ndarray, tol: float) -> int | None:
    """The first step from which the distances ``d`` stay within ``tol`` (None: never)."""
    if not d[-1] <= tol:
        return None
    outside = np.flatnonzero(~(d <= tol))
    return int(outside[-1]) + 1 if len(outside) else 0


def sweep(surface, optimizers, lrs=LRS, steps=None, tol=TOLERANCE, progress=None) -> list[dict]:
    """One row per (optimizer, lr): steps to the minimum, final distance, and whether it diverged."""
    return [row for row, _ in _sweep_paths(surface, optimizers, lrs, steps, tol, progress)]


def _sweep_paths(
    surface, optimizers, lrs=LRS, steps=None, tol=TOLERANCE, progress=None
) -> list[tuple[dict, np.ndarray]]:
    """``sweep``'s rows, each with the path of ``descend`` it measured."""
    steps = surface.steps if steps is None else steps
    runs = []
    for name in optimizers:
        for lr in lrs:
            path = descend(surface, name, float(lr), steps)
            diverged = len(path) < steps + 1 or not np.isfinite(path[-1]).all()
            d = None if diverged else distances(surface, path)
            row = {
                "function": surface.name, "optimizer": name, "lr": float(lr),
                "steps_to_minimum": None if diverged else _steps_within(d, tol),
                "final_distance": math.inf if diverged else float(d[-1]),
                "diverged": diverged,
            }  # fmt: skip
            runs.append((row, path))
            if progress is not None:
                progress.update()
    return runs


def best_runs(rows: list[dict]) -> dict[str, dict]:
    """Per optimizer, the stable run that reached the minimum in the fewest steps (if none did:
    the one that ended closest to it)."""

    def rank(row):
        reached = row["steps_to_minimum"] is not None
        return (not reached, row["steps_to_minimum"] or 0, row["final_distance"])

    best = {}
    for row in (row for row in rows if not row["diverged"]):
        name = row["optimizer"]
        if name not in best or rank(row) < rank(best[name]):
            best[name] = row
    return best


def compare_on_mnist(
    train, val, test, optimizers: dict[str, float], *, hidden=(256, 128), num_classes=10,
    epochs=10, batch_size=128, seed=0, progress=False, log: Callable[[str], None] = print,
) -> dict[str, dict]:  # fmt: skip
    """Train one MLP per optimizer, each from the same initial weights (``mlp(..., seed=seed)``)
    through the same mini-batches (``fit(..., seed=seed)``). Returns, per optimizer, its history,
    test metrics, seconds and the first epoch with validation accuracy >= 97% (None: never)."""
    sizes = [train[0].shape[1], *hidden, num_classes]
    results = {}
    for name, lr in optimizers.items():
        model = mlp(sizes, "relu", seed=seed)
        optimizer = get_optimizer(name, model.parameters(), lr)
        history = fit(
            model, SoftmaxCrossEntropy(), optimizer, train, val, epochs=epochs,
            batch_size=batch_size, seed=seed, progress=progress,
        )  # fmt: skip
        test_metrics = evaluate(model, *test)
        reached = [r["epoch"] for r in history.rows if r["val_accuracy"] >= 0.97]
        results[name] = {
            "optimizer": repr(optimizer), "history": history, "test": test_metrics,
            "seconds": sum(history["seconds"]), "epochs_to_97": reached[0] if reached else None,
        }  # fmt: skip
        log(f"{optimizer!r}: test accuracy {test_metrics['accuracy']:.2%} after {epochs} epochs, "
            f"{results[name]['seconds']:.1f} s")  # fmt: skip
    return results


def run_study(
    out_dir, *, data_dir=None, epochs=10, train_size=None, val_size=5000, quick=False, seed=0,
    progress=False, log: Callable[[str], None] = print,
) -> dict:  # fmt: skip
    """Both parts of the study; writes the run directory ``out_dir`` and returns its tables.

    ``quick`` uses one learning rate per decade; ``train_size`` trains on
    the first that many images of the training split only (for a fast look or a test).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    lrs = LRS[::4] if quick else LRS
    log(f"part 1: {len(OPTIMIZERS_2D)} optimizers x {len(lrs)} learning rates on {len(SURFACES)} surfaces")  # fmt: skip
    total = len(SURFACES) * len(OPTIMIZERS_2D) * len(lrs)
    bar = progress_bar(total=total, desc="2-D runs", unit="run") if progress else None
    sweep_rows, best, paths = [], {}, {}
    for surface in SURFACES.values():
        runs = _sweep_paths(surface, OPTIMIZERS_2D, lrs, progress=bar)
        rows = [row for row, _ in runs]
        sweep_rows += rows
        best[surface.name] = best_runs(rows)
        path_of = {(row["optimizer"], row["lr"]): path for row, path in runs}
        paths[surface.name] = {
            name: path_of[name, row["lr"]] for name, row in best[surface.name].items()
        }
    if bar is not None:
        bar.close()
    best_rows = [row for by_name in best.values() for row in by_name.values()]
    atomic_write_text(out_dir / "sweep.csv", csv_text(sweep_rows))
    atomic_write_text(out_dir / "trajectories.csv", csv_text(best_rows))
    figure = plot_trajectories(SURFACES, paths)
    save_figure(figure, out_dir / "trajectories.png", dpi=90)  # each figure < 200 KB
    save_figure(plot_descent_losses(SURFACES, paths), out_dir / "descent_losses.png", dpi=100)

    x_train, y_train, x_test, y_test = load_dataset("mnist", data_dir, progress=progress)
    train, val = train_val_split(x_train, y_train, val_size, np.random.default_rng(seed))
    if train_size is not None:
        train = (train[0][:train_size], train[1][:train_size])
    log(f"part 2: MNIST, {len(train[1])} training / {len(val[1])} validation images, "
        f"{epochs} epochs per optimizer")  # fmt: skip
    results = compare_on_mnist(
        train, val, (x_test, y_test), MNIST_LRS, epochs=epochs, seed=seed, progress=progress,
        log=log,
    )  # fmt: skip
    mnist_rows = [_mnist_row(name, MNIST_LRS[name], r) for name, r in results.items()]
    history_rows = [
        {"optimizer": name, **row} for name, r in results.items() for row in r["history"].rows
    ]
    atomic_write_text(out_dir / "mnist.csv", csv_text(mnist_rows))
    atomic_write_text(out_dir / "mnist_history.csv", csv_text(history_rows))
    figure = plot_optimizer_curves({n: r["history"] for n, r in results.items()})
    save_figure(figure, out_dir / "mnist_curves.png")
    setup = {
        "lrs": lrs, "train": len(train[1]), "val": len(val[1]), "epochs": epochs,
        "seconds": time.perf_counter() - start,
    }  # fmt: skip
    atomic_write_text(out_dir / "report.md", report_markdown(best_rows, mnist_rows, setup))
    log(f"wrote {out_dir}/report.md ({setup['seconds']:.0f} s)")
    return {"sweep": sweep_rows, "best": best_rows, "mnist": mnist_rows}


def _mnist_row(name: str, lr: float, result: dict) -> dict:
    last = result["history"].rows[-1]
    return {
        "optimizer": name, "lr": lr, "test_accuracy": result["test"]["accuracy"],
        "val_accuracy": last["val_accuracy"], "train_loss": last["train_loss"],
        "epochs_to_97": result["epochs_to_97"], "seconds": result["seconds"],
    }  # fmt: skip


def report_markdown(best_rows: list[dict], mnist_rows: list[dict], setup: dict) -> str:
    lrs = setup["lrs"]
    lines = [
        "# Optimizers study",
        "",
        "Made by `numpynn optimizers`; docs/optimizers.md explains what each optimizer does.",
        "",
        "## 1. Trajectories on 2-D surfaces",
        "",
        f"Each optimizer ran from the same start at every learning rate of a grid ({lrs[0]:.0e} "
        f"to {lrs[-1]:.1g}, {len(lrs)} values, log-spaced); shown is its best stable one: the "
        f"fewest steps until it stays within {TOLERANCE:g} of a minimum (or, if no run got there "
        "within the budget, the closest finish). `sweep.csv` holds every run.",
        "",
        "![trajectories](trajectories.png)",
        "",
        "![f − f_min vs step](descent_losses.png)",
        "",
        markdown_table(
            ["surface", "optimizer", "best lr", f"steps to within {TOLERANCE:g}", "final distance"],
            [
                [
                    r["function"],
                    r["optimizer"],
                    f"{r['lr']:.3g}",
                    "not reached" if r["steps_to_minimum"] is None else r["steps_to_minimum"],
                    f"{r['final_distance']:.1e}",
                ]
                for r in best_rows
            ],
        ),  # fmt: skip
        "",
        "## 2. MNIST",
        "",
        f"MLP 784-256-128-10 (ReLU), batch 128, {setup['train']} training / {setup['val']} "
        f"validation images, {setup['epochs']} epochs at a constant learning rate. Every optimizer "
        "starts from the same initial weights and sees the same mini-batches in the same order.",
        "",
        "![MNIST training curves](mnist_curves.png)",
        "",
        markdown_table(
            ["optimizer", "lr", "test accuracy", "val accuracy", "epochs to 97% val", "seconds"],
            [
                [
                    r["optimizer"],
                    f"{r['lr']:g}",
                    f"{r['test_accuracy']:.2%}",
                    f"{r['val_accuracy']:.2%}",
                    r["epochs_to_97"] or "not reached",
                    f"{r['seconds']:.1f}",
                ]
                for r in mnist_rows
            ],
        ),  # fmt: skip
        "",
        f"The whole study took {setup['seconds']:.0f} s.",
        "",
    ]
    return "\n".join(lines)
