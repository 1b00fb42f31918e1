"""The figures of the perceptron lessons (``numpynn perceptron``): its boundary epoch by epoch,
decision regions beside an MLP's, mistakes per epoch against Novikoff's bound, class weights."""

import math
from collections.abc import Callable

import numpy as np

from .style import epoch_ticks, pyplot

__all__ = [
    "plot_boundary_snapshots",
    "plot_decision_panels",
    "plot_mistakes_per_epoch",
    "plot_class_weights",
]


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
        epoch_ticks(ax, epochs)
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
