"""The figures of the optimizers study (``numpynn optimizers``): paths over 2-D surfaces, the
loss gap per step, and the same MLP's curves on MNIST with each optimizer."""

import numpy as np

from .style import pyplot

__all__ = ["plot_trajectories", "plot_descent_losses", "plot_optimizer_curves"]


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
