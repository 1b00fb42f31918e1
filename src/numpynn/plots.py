"""Every matplotlib figure of numpynn. matplotlib is imported lazily, with the non-interactive
Agg backend, so the library and headless machines never need a display."""

import math
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .symptoms import statistic_layers

__all__ = [
    "plot_boundary_snapshots",
    "plot_class_weights",
    "plot_comparison",
    "plot_confusion",
    "plot_curves",
    "plot_decision_panels",
    "plot_depth_accuracy",
    "plot_diagnostics",
    "plot_gradient_flow",
    "plot_lr_find",
    "plot_mistakes",
    "plot_mistakes_per_epoch",
    "plot_weights",
    "plot_trajectories",
    "plot_descent_losses",
    "plot_optimizer_curves",
    "plot_ablation_lines",
    "plot_ablation_heatmaps",
    "plot_ablation_curves",
    "plot_ablation_cost",
    "pyplot",
    "save_figure",
]


def pyplot():
    """matplotlib.pyplot on the Agg backend (imported on first use)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig, path: str | Path, dpi: int = 120) -> Path:
    """Write ``fig`` as PNG to ``path`` atomically and close it."""
    import io

    from .files import atomic_write_bytes

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    pyplot().close(fig)
    atomic_write_bytes(path, buffer.getvalue())
    return Path(path)


# ---- a training run ---------------------------------------------------------------------------


def plot_curves(rows: list[dict], title: str, test_accuracy: float | None = None, batch_loss=None):
    """Loss and accuracy vs epoch, training and validation, the test accuracy as a line."""
    plt = pyplot()
    epochs = [r["epoch"] for r in rows]
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(11, 4.2))
    if batch_loss is not None and len(batch_loss):
        steps = (1 + np.arange(len(batch_loss))) * (epochs[-1] / len(batch_loss))
        ax_loss.plot(steps, batch_loss, color="C0", alpha=0.2, lw=0.6, label="train (per batch)")
    ax_loss.plot(epochs, [r["train_loss"] for r in rows], "o-", color="C0", label="train")
    ax_acc.plot(epochs, [100 * r["train_accuracy"] for r in rows], "o-", color="C0", label="train")
    if not all(np.isnan(r["val_loss"]) for r in rows):
        ax_loss.plot(epochs, [r["val_loss"] for r in rows], "s-", color="C1", label="validation")
        ax_acc.plot(
            epochs, [100 * r["val_accuracy"] for r in rows], "s-", color="C1", label="validation"
        )
    if test_accuracy is not None:
        ax_acc.axhline(100 * test_accuracy, color="C2", ls="--", label=f"test {test_accuracy:.2%}")
    ax_loss.set(xlabel="epoch", ylabel="loss", title="loss", yscale="log")
    ax_acc.set(xlabel="epoch", ylabel="accuracy (%)", title="accuracy")
    for ax in (ax_loss, ax_acc):
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle(title)
    return fig


def plot_confusion(counts: np.ndarray, title: str = "test confusion matrix"):
    plt = pyplot()
    C = len(counts)
    fig, ax = plt.subplots(figsize=(6.5, 5.5))
    # off-diagonal errors are what matters: show log counts so small ones stay visible
    image = ax.imshow(np.log1p(counts), cmap="Blues")
    for t in range(C):
        for p in range(C):
            dark = np.log1p(counts[t, p]) > 0.6 * np.log1p(counts.max())
            ax.text(p, t, str(counts[t, p]), ha="center", va="center", fontsize=7,
                    color="white" if dark else "black")  # fmt: skip
    ax.set(xticks=range(C), yticks=range(C), xlabel="predicted", ylabel="true", title=title)
    fig.colorbar(image, ax=ax, label="log(1 + count)")
    return fig


def plot_mistakes(images: np.ndarray, labels, predictions, confidences, limit: int = 36):
    """A grid of misclassified images, each titled 'true → predicted (confidence)'."""
    plt = pyplot()
    n = min(limit, len(images))
    cols = 9
    rows = max(1, -(-n // cols))
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 1.3, rows * 1.5), squeeze=False)
    side = int(round(np.sqrt(images.shape[1])))
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < n:
            ax.imshow(images[i].reshape(side, side), cmap="gray_r")
            ax.set_title(
                f"{labels[i]}→{predictions[i]} ({confidences[i]:.0%})", fontsize=8, color="C3"
            )
    fig.suptitle(f"misclassified test images: true→predicted (confidence), {n} shown")
    return fig


def plot_weights(W: np.ndarray, limit: int = 64):
    """First-layer weights of up to ``limit`` hidden units, each as an image (red +, blue −)."""
    plt = pyplot()
    n = min(limit, W.shape[1])
    cols = 8
    rows = -(-n // cols)
    side = int(round(np.sqrt(W.shape[0])))
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 1.1, rows * 1.1), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < n:
            w = W[:, i].reshape(side, side)
            limit_abs = np.abs(w).max() or 1.0
            ax.imshow(w, cmap="RdBu_r", vmin=-limit_abs, vmax=limit_abs)
    fig.suptitle(f"first-layer weights of {n} hidden units")
    return fig


def plot_comparison(runs: list[tuple[str, list[dict]]]):
    """Validation loss and accuracy of several runs, overlaid."""
    plt = pyplot()
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(11, 4.2))
    for label, rows in runs:
        epochs = [r["epoch"] for r in rows]
        ax_loss.plot(epochs, [r["val_loss"] for r in rows], "o-", ms=3, label=label)
        ax_acc.plot(epochs, [100 * r["val_accuracy"] for r in rows], "o-", ms=3, label=label)
    ax_loss.set(xlabel="epoch", ylabel="validation loss", yscale="log", title="validation loss")
    ax_acc.set(xlabel="epoch", ylabel="validation accuracy (%)", title="validation accuracy")
    for ax in (ax_loss, ax_acc):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    return fig


# ---- diagnostics (numpynn train --diagnostics, lr-find, vanishing) -------------------------------

DIAGNOSTIC_PANELS = [
    ("grad_norm", "‖dL/dW‖ (evaluation batch)", "log"),
    ("weight_norm", "‖W‖", "linear"),
    ("update_ratio", "update ratio ‖ΔW‖/‖W‖ of one step", "log"),
    ("act_std", "activation std (dashed: mean)", "linear"),
    ("dead", "dead ReLUs / saturated units (fraction)", "linear"),
]


def plot_diagnostics(rows: list[dict]):
    """The per-layer statistics of a run (history rows of ``--diagnostics``) against the epoch,
    one line per layer, plus the gradient norm across layers at the first and last epoch."""
    plt = pyplot()
    layers = statistic_layers(rows[0])
    colors = plt.get_cmap("viridis")(np.linspace(0, 0.9, len(layers)))
    epochs = [row["epoch"] for row in rows]
    fig, axes = plt.subplots(2, 3, figsize=(14, 7.5))
    for ax, (stat, title, scale) in zip(axes.flat, DIAGNOSTIC_PANELS):
        for name, color in zip(layers, colors):
            key = (
                f"{name}.{stat}"
                if stat != "dead" or f"{name}.dead" in rows[0]
                else f"{name}.saturated"
            )
            if key in rows[0]:
                ax.plot(epochs, [row[key] for row in rows], "o-", ms=3, color=color, label=name)
            if stat == "act_std" and f"{name}.act_mean" in rows[0]:
                ax.plot(epochs, [row[f"{name}.act_mean"] for row in rows], "--", color=color)
        ax.set(title=title, xlabel="epoch", yscale=scale)
        ax.xaxis.get_major_locator().set_params(integer=True)
    axes[0, 2].axhline(1e-3, color="k", ls=":", lw=1, label="1e-3 (rule of thumb)")
    axes[1, 1].axhline(0.5, color="C3", ls=":", lw=1, label="warning above 0.5")
    axes[1, 1].set_ylim(-0.03, 1.03)
    flow = axes[1, 2]
    for row, style in ((rows[0], "o--"), (rows[-1], "s-")):
        norms = [row[f"{name}.grad_norm"] for name in layers]
        flow.plot(range(len(layers)), norms, style, color="C0", label=f"epoch {row['epoch']}")
    flow.set(title="gradient flow: ‖dL/dW‖ by layer", xlabel="layer (0 = nearest the input)",
             yscale="log", xticks=range(len(layers)))  # fmt: skip
    for ax in axes.flat:
        ax.grid(alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7)
    fig.suptitle("Per-layer diagnostics (docs/debugging.md explains each panel)")
    fig.tight_layout()
    return fig


def plot_lr_find(lrs, losses, smoothed, suggestion: float, title: str = ""):
    """The learning-rate range test: loss against a growing learning rate (log axis)."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    ax.plot(lrs, losses, color="C0", alpha=0.25, lw=0.8, label="loss per batch")
    ax.plot(lrs, smoothed, color="C0", lw=1.8, label="smoothed")
    ax.axvline(suggestion, color="C3", ls="--", label=f"suggested lr {suggestion:.2g}")
    top = min(max(smoothed[: max(1, len(smoothed) // 10)]) * 2, max(losses))
    ax.set(xscale="log", xlabel="learning rate", ylabel="training loss", title=title,
           ylim=(0, top))  # fmt: skip
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    return fig


def plot_gradient_flow(results: list[dict], stages=("init", "trained")):
    """``numpynn vanishing``: ‖dL/dW‖ of each layer (input side left) for every depth, one column
    per activation and one row per stage. ``results`` rows hold ``activation``, ``depth``,
    ``stage`` and ``grad_norms`` (a list, input layer first)."""
    plt = pyplot()
    labels = list(dict.fromkeys(r["activation"] for r in results))
    depths = sorted({r["depth"] for r in results})
    colors = dict(zip(depths, plt.get_cmap("plasma")(np.linspace(0, 0.85, len(depths)))))
    fig, axes = plt.subplots(len(stages), len(labels), figsize=(3.6 * len(labels), 3.4 * len(stages)),
                             sharey=True, squeeze=False)  # fmt: skip
    for row, stage in enumerate(stages):
        for col, label in enumerate(labels):
            ax = axes[row, col]
            for r in results:
                if r["activation"] == label and r["stage"] == stage:
                    norms = r["grad_norms"]
                    ax.plot(range(1, len(norms) + 1), norms, "o-", ms=2.5, lw=1,
                            color=colors[r["depth"]], label=f"depth {r['depth']}")  # fmt: skip
            ax.set(yscale="log", title=f"{label} — {stage}", xlabel="layer (1 = input side)")
            ax.grid(alpha=0.3)
        axes[row, 0].set_ylabel("‖dL/dW‖")
    axes[0, -1].legend(fontsize=7, ncol=2)
    fig.suptitle("Gradient norm of each layer's weights, by depth")
    fig.tight_layout()
    return fig


def plot_depth_accuracy(rows: list[dict], budget: str = ""):
    """``numpynn vanishing``: test accuracy after a fixed budget against depth, per activation."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for label in dict.fromkeys(r["activation"] for r in rows):
        points = sorted((r["depth"], r["accuracy"]) for r in rows if r["activation"] == label)
        ax.plot(*zip(*points), "o-", label=label)
    ax.axhline(0.1, color="0.5", ls=":", label="chance (10%)")
    ax.set(xlabel="hidden layers", ylabel="test accuracy", ylim=(0, 1),
           title=f"Accuracy after a fixed budget {budget}".strip())  # fmt: skip
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig


# ---- the perceptron lessons (numpynn perceptron) -------------------------------------------------

CLASS_COLORS = {1: "#1f5fa8", -1: "#d1495b"}  # +1 blue, -1 red; regions in lighter tints
REGION_COLORS = ["#f6d3d8", "#d3e2f4"]


def plot_boundary_snapshots(
    x: np.ndarray,
    y: np.ndarray,
    snapshots: list[np.ndarray],
    mistakes: list[int],
    separator: tuple[np.ndarray, float, float] | None = None,
    max_panels: int = 12,
):
    """One panel per epoch (at most ``max_panels``, evenly spaced, always the last): the 2-D points
    and the perceptron's boundary w·x + b = 0 after that epoch. ``separator = (normal, offset,
    margin)`` draws the true line and its margin band, dashed, in every panel."""
    plt = pyplot()
    epochs = _evenly_spaced(len(snapshots), max_panels)
    cols = min(4, len(epochs))
    rows = math.ceil(len(epochs) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 3.2 * rows), squeeze=False)
    box = _bounding_box(x)
    for ax, epoch in zip(axes.flat, epochs):
        w = snapshots[epoch]
        _draw_decision(ax, x, y, lambda grid, w=w: grid @ w[:-1] + w[-1], box)
        if separator is not None:
            _draw_separator(ax, *separator, box)
        word = "mistake" if mistakes[epoch] == 1 else "mistakes"
        ax.set_title(f"after epoch {epoch + 1}: {mistakes[epoch]} {word}", fontsize=10)
    axes[0, 0].legend(title="class", loc="lower left", fontsize=8, title_fontsize=8)
    for ax in axes.flat[len(epochs) :]:
        ax.axis("off")
    fig.suptitle("The perceptron's boundary, epoch by epoch (dashed: the true separator ± margin)")
    fig.tight_layout()
    return fig


def plot_decision_panels(
    x: np.ndarray,
    y: np.ndarray,
    panels: list[tuple[str, Callable[[np.ndarray], np.ndarray]]],
    title: str = "",
    wandering: list[np.ndarray] | None = None,
):
    """Side-by-side decision regions: ``panels`` are ``(title, score)`` with ``score(points)`` > 0
    where a model predicts +1 (e.g. the perceptron and an MLP on XOR). ``wandering``: linear
    weights (w, bias last), e.g. after each epoch, drawn as faint lines in the first panel."""
    plt = pyplot()
    fig, axes = plt.subplots(1, len(panels), figsize=(4.4 * len(panels), 4.4), squeeze=False)
    box = _bounding_box(x)
    for ax, (name, score) in zip(axes.flat, panels):
        _draw_decision(ax, x, y, score, box, size=90 if len(x) <= 16 else 18)
        ax.set_title(name, fontsize=11)
    for w in wandering or []:
        _draw_line(axes[0, 0], w, box, color="0.45", lw=0.8, alpha=0.5)
    if wandering:
        axes[0, 0].plot([], [], color="0.45", lw=0.8, label="boundary after each epoch")
        axes[0, 0].legend(loc="upper center", fontsize=8, framealpha=0.9)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_mistakes_per_epoch(history: list[dict], bound: float | None = None, title: str = ""):
    """Left: mistakes per epoch. Right: the cumulative mistakes against Novikoff's bound when
    ``bound`` is given, else the training accuracy after each epoch."""
    plt = pyplot()
    epochs = [row["epoch"] for row in history]
    mistakes = [row["mistakes"] for row in history]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
    left.bar(epochs, mistakes, color="#4c72b0")
    left.set(xlabel="epoch", ylabel="mistakes (updates)", title="mistakes per epoch")
    if bound is not None:
        right.plot(epochs, np.cumsum(mistakes), "o-", color="#4c72b0", label="total mistakes")
        right.axhline(
            bound, color="#d1495b", ls="--", label=f"Novikoff bound (R/γ)² = {bound:,.0f}"
        )
        right.set_yscale("log")
        right.set(xlabel="epoch", ylabel="mistakes so far", title="total mistakes vs the bound")
        right.legend(loc="lower right", fontsize=9)
    else:
        accuracy = [100 * row["train_accuracy"] for row in history]
        right.plot(epochs, accuracy, "o-", color="#55a868")
        right.set(xlabel="epoch", ylabel="training accuracy (%)", title="training accuracy")
    for ax in (left, right):
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.grid(alpha=0.3)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_class_weights(W: np.ndarray, shape: tuple[int, int] = (28, 28), title: str = ""):
    """Each class's weight vector (bias dropped) as an image: red pixels vote for the class,
    blue pixels against it (the caption says so)."""
    plt = pyplot()
    cols = min(len(W), 5)
    rows = math.ceil(len(W) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(2.2 * cols, 2.5 * rows + 0.5), squeeze=False)
    for ax in axes.flat[len(W) :]:
        ax.axis("off")
    for c, (ax, w) in enumerate(zip(axes.flat, W)):
        image = w[:-1].reshape(shape)
        limit = float(np.abs(image).max()) or 1.0
        ax.imshow(image, cmap="RdBu_r", vmin=-limit, vmax=limit)
        ax.set_title(str(c))
        ax.axis("off")
    fig.suptitle(f"{title}{chr(10) if title else ''}red pixels vote for the class, blue against it")
    fig.tight_layout()
    return fig


def _draw_decision(ax, x, y, score, box, size: int = 18) -> None:
    (x0, x1), (y0, y1) = box
    gx, gy = np.meshgrid(np.linspace(x0, x1, 300), np.linspace(y0, y1, 300))
    values = np.asarray(score(np.column_stack([gx.ravel(), gy.ravel()]))).reshape(gx.shape)
    ax.contourf(gx, gy, values > 0, levels=[-0.5, 0.5, 1.5], colors=REGION_COLORS)
    if values.min() < 0 < values.max():
        ax.contour(gx, gy, values, levels=[0], colors="black", linewidths=1.5)
    for label, marker in ((1, "o"), (-1, "s")):
        pts = x[y == label]
        ax.scatter(pts[:, 0], pts[:, 1], s=size, marker=marker, c=CLASS_COLORS[label],
                   edgecolors="white", linewidths=0.5, label=f"{label:+d}", zorder=3)  # fmt: skip
    ax.set(xlim=(x0, x1), ylim=(y0, y1), aspect="equal", xticks=[], yticks=[])


def _draw_line(ax, w, box, **style) -> None:
    """The line w[0]·x + w[1]·y + w[2] = 0 across ``box`` (nothing if w is zero)."""
    (x0, x1), (y0, y1) = box
    if abs(w[1]) >= abs(w[0]) and w[1] != 0:
        xs = np.array([x0, x1])
        ax.plot(xs, -(w[0] * xs + w[2]) / w[1], **style)
    elif w[0] != 0:
        ys = np.array([y0, y1])
        ax.plot(-(w[1] * ys + w[2]) / w[0], ys, **style)


def _draw_separator(ax, normal, offset, margin, box) -> None:
    (x0, x1), (y0, y1) = box
    gx, gy = np.meshgrid(np.linspace(x0, x1, 200), np.linspace(y0, y1, 200))
    distance = gx * normal[0] + gy * normal[1] + offset
    ax.contour(gx, gy, distance, levels=[-margin, 0, margin], colors="0.35",
               linestyles=["dotted", "dashed", "dotted"], linewidths=1)  # fmt: skip


def _bounding_box(x: np.ndarray, pad: float = 0.15):
    low, high = x.min(axis=0), x.max(axis=0)
    span = float(max(high - low)) or 1.0
    centre = (low + high) / 2
    half = span / 2 + pad * span
    return (centre[0] - half, centre[0] + half), (centre[1] - half, centre[1] + half)


def _evenly_spaced(count: int, most: int) -> list[int]:
    if count <= most:
        return list(range(count))
    return sorted({round(i * (count - 1) / (most - 1)) for i in range(most)})


# ---- the optimizers study ---------------------------------------------------------------------


def plot_trajectories(surfaces: dict, paths: dict[str, dict[str, np.ndarray]]):
    """Each optimizer's path over the contours of each 2-D surface (log-spaced levels of f − f_min)."""
    plt = pyplot()
    fig, axes = plt.subplots(1, len(surfaces), figsize=(5.2 * len(surfaces), 4.6))
    for ax, surface in zip(np.atleast_1d(axes), surfaces.values()):
        x, y = np.meshgrid(np.linspace(*surface.xlim, 160), np.linspace(*surface.ylim, 160))
        gap = surface.f(x, y) - surface.f_min
        levels = np.geomspace(max(gap.min(), 1e-4), gap.max(), 10)
        ax.contour(x, y, np.maximum(gap, 1e-12), levels=levels, cmap="Greys", linewidths=0.5,
                   norm=_log_norm())  # fmt: skip
        for i, (name, path) in enumerate(paths[surface.name].items()):
            ax.plot(*path.T, "-", color=f"C{i}", lw=1.2, alpha=0.85, label=name)
        ax.plot(*surface.start, "ko", ms=5)
        for minimum in surface.minima:
            ax.plot(*minimum, "*", color="gold", mec="k", ms=13)
        ax.set(xlim=surface.xlim, ylim=surface.ylim, title=surface.title, xlabel="x", ylabel="y")
        ax.legend(fontsize=8, loc="lower right")
    fig.suptitle("each optimizer at its best stable learning rate (● start, ★ minimum)")
    return fig


def plot_descent_losses(surfaces: dict, paths: dict[str, dict[str, np.ndarray]]):
    """f − f_min vs step, log scale, one panel per surface."""
    plt = pyplot()
    fig, axes = plt.subplots(1, len(surfaces), figsize=(5.2 * len(surfaces), 3.8))
    for ax, surface in zip(np.atleast_1d(axes), surfaces.values()):
        for i, (name, path) in enumerate(paths[surface.name].items()):
            gap = surface.f(path[:, 0], path[:, 1]) - surface.f_min
            ax.plot(np.maximum(gap, 1e-16), color=f"C{i}", lw=1.2, label=name)
        ax.set(yscale="log", xlabel="step", ylabel="f − f_min", title=surface.title)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    return fig


def plot_optimizer_curves(histories: dict):
    """Training loss per mini-batch (a moving average) and validation accuracy per epoch of the
    same network trained with each optimizer."""
    plt = pyplot()
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(11, 4.2))
    for i, (name, history) in enumerate(histories.items()):
        losses = np.asarray(history.batch_loss)
        window = max(1, min(50, len(losses) // 20))
        smooth = np.convolve(losses, np.ones(window) / window, mode="valid")
        epochs = (window + np.arange(len(smooth))) * (len(history) / len(losses))
        ax_loss.plot(epochs, smooth, color=f"C{i}", lw=1, label=name)
        accuracy = [100 * r["val_accuracy"] for r in history.rows]
        ax_acc.plot(history["epoch"], accuracy, "o-", color=f"C{i}", ms=3, label=name)
    ax_loss.set(xlabel="epoch", ylabel="training loss", yscale="log",
                title=f"training loss (moving average over {window} batches)")  # fmt: skip
    ax_acc.set(xlabel="epoch", ylabel="validation accuracy (%)", title="validation accuracy")
    for ax in (ax_loss, ax_acc):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    return fig


def _log_norm():
    from matplotlib.colors import LogNorm

    return LogNorm()


# ---- the ablation study -----------------------------------------------------------------------
# ``cells``: one dict per (width, depth, activation) with test_accuracy_mean/_std (fractions),
# parameters, seconds_mean and val_curve (mean validation accuracy per epoch) over the seeds.

DEPTH_STYLES = ["-", "--", "-.", ":"]
DEPTH_MARKERS = ["o", "s", "^", "D", "v", "P"]


def plot_ablation_lines(cells: list[dict], x: str = "width"):
    """Test accuracy vs ``x`` ("width" or "depth"), a line per activation with ±1 std error bars;
    one panel per value of the other key."""
    plt = pyplot()
    other = "depth" if x == "width" else "width"
    panels, activations = _distinct(cells, other), _distinct(cells, "activation")
    fig, axes = plt.subplots(1, len(panels), figsize=(3.6 * len(panels) + 1, 3.8), sharey=True,
                             squeeze=False)  # fmt: skip
    for ax, value in zip(axes[0], panels):
        for i, activation in enumerate(activations):
            line = sorted((c for c in cells if c[other] == value and c["activation"] == activation),
                          key=lambda c: c[x])  # fmt: skip
            ax.errorbar([c[x] for c in line], [100 * c["test_accuracy_mean"] for c in line],
                        yerr=[100 * _zero_nan(c["test_accuracy_std"]) for c in line], fmt="o-",
                        ms=4, capsize=3, color=f"C{i}", label=activation)  # fmt: skip
        values = _distinct(cells, x)
        if x == "width":
            ax.set_xscale("log", base=2)
        ax.set_xticks(values, [str(v) for v in values])
        ax.set(xlabel=x, title=f"{other} {value}")
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("test accuracy (%), mean ± std over seeds")
    axes[0][-1].legend(fontsize=8)
    fig.suptitle(f"test accuracy vs {x}")
    return fig


def plot_ablation_heatmaps(cells: list[dict]):
    """Mean test accuracy over width (columns) x depth (rows), one panel per activation."""
    plt = pyplot()
    widths, depths = _distinct(cells, "width"), _distinct(cells, "depth")
    activations = _distinct(cells, "activation")
    means = 100 * np.array([c["test_accuracy_mean"] for c in cells])
    fig, axes = plt.subplots(1, len(activations), squeeze=False,
                             figsize=(0.9 * len(widths) * len(activations) + 2.5, 0.7 * len(depths) + 1.6))  # fmt: skip
    for ax, activation in zip(axes[0], activations):
        grid = np.full((len(depths), len(widths)), np.nan)
        for c in (c for c in cells if c["activation"] == activation):
            grid[depths.index(c["depth"]), widths.index(c["width"])] = 100 * c["test_accuracy_mean"]
        image = ax.imshow(grid, cmap="viridis", vmin=means.min(), vmax=means.max(), aspect="auto")
        for (r, col), value in np.ndenumerate(grid):
            if not np.isnan(value):
                dark = value < means.min() + 0.6 * (means.max() - means.min())
                ax.text(col, r, f"{value:.1f}", ha="center", va="center", fontsize=8,
                        color="white" if dark else "black")  # fmt: skip
        ax.set(xticks=range(len(widths)), xticklabels=widths, yticks=range(len(depths)),
               yticklabels=depths, xlabel="width", title=activation)  # fmt: skip
    axes[0][0].set_ylabel("depth")
    fig.colorbar(image, ax=axes[0].tolist(), label="mean test accuracy (%)")
    return fig


def plot_ablation_curves(cells: list[dict]):
    """Mean validation accuracy per epoch of every width x depth, one panel per activation
    (colour: width, line style: depth)."""
    from matplotlib.lines import Line2D

    plt = pyplot()
    widths, depths = _distinct(cells, "width"), _distinct(cells, "depth")
    activations = _distinct(cells, "activation")
    colors = plt.get_cmap("viridis")(np.linspace(0, 0.9, len(widths)))
    fig, axes = plt.subplots(1, len(activations), figsize=(4.2 * len(activations), 3.8),
                             sharey=True, squeeze=False)  # fmt: skip
    for ax, activation in zip(axes[0], activations):
        for c in (c for c in cells if c["activation"] == activation):
            curve = 100 * np.asarray(c["val_curve"])
            ax.plot(1 + np.arange(len(curve)), curve, lw=1.2,
                    color=colors[widths.index(c["width"])],
                    ls=DEPTH_STYLES[depths.index(c["depth"]) % len(DEPTH_STYLES)])  # fmt: skip
        ax.set(xlabel="epoch", title=activation)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("validation accuracy (%), mean over seeds")
    handles = [Line2D([], [], color=colors[i], label=f"width {w}") for i, w in enumerate(widths)]
    handles += [Line2D([], [], color="k", ls=DEPTH_STYLES[i % len(DEPTH_STYLES)], label=f"depth {d}")
                for i, d in enumerate(depths)]  # fmt: skip
    axes[0][-1].legend(handles=handles, fontsize=7, loc="lower right")
    return fig


def plot_ablation_cost(cells: list[dict]):
    """Test accuracy vs parameters and vs training seconds (colour: activation, marker: depth)."""
    plt = pyplot()
    depths, activations = _distinct(cells, "depth"), _distinct(cells, "activation")
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
    for ax, key, label in zip(axes, ("parameters", "seconds_mean"),
                              ("parameters", "training time per run (s)")):  # fmt: skip
        for c in cells:
            ax.errorbar(c[key], 100 * c["test_accuracy_mean"],
                        yerr=100 * _zero_nan(c["test_accuracy_std"]), capsize=2, ms=5,
                        fmt=DEPTH_MARKERS[depths.index(c["depth"]) % len(DEPTH_MARKERS)],
                        color=f"C{activations.index(c['activation'])}")  # fmt: skip
        ax.set(xscale="log", xlabel=label)
        ax.xaxis.set_minor_formatter(_null_formatter())  # minor labels of a short range overlap
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("test accuracy (%), mean ± std over seeds")
    handles = [
        axes[0].plot([], [], "o", color=f"C{i}", label=a)[0] for i, a in enumerate(activations)
    ]
    handles += [axes[0].plot([], [], DEPTH_MARKERS[i % len(DEPTH_MARKERS)], color="gray",
                             label=f"depth {d}")[0] for i, d in enumerate(depths)]  # fmt: skip
    axes[1].legend(handles=handles, fontsize=8, loc="lower right")
    fig.suptitle("accuracy vs cost")
    return fig


def _distinct(cells: list[dict], key: str) -> list:
    """The values of ``key`` in ``cells``: sorted numbers, or names in order of appearance."""
    values = list(dict.fromkeys(c[key] for c in cells))
    return sorted(values) if all(isinstance(v, int | float) for v in values) else values


def _zero_nan(value: float) -> float:
    return 0.0 if math.isnan(value) else value


def _null_formatter():
    from matplotlib.ticker import NullFormatter

    return NullFormatter()
