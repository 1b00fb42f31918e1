"""The figures of the ablation study (``numpynn ablate``), drawn from its summary ``cells``: one
dict per (width, depth, activation) with test_accuracy_mean/_std (fractions), parameters,
seconds_mean and val_curve (mean validation accuracy per epoch) over the seeds."""

import math

import numpy as np

from .style import epoch_ticks, pyplot

__all__ = [
    "plot_ablation_lines",
    "plot_ablation_heatmaps",
    "plot_ablation_curves",
    "plot_ablation_cost",
]


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
        epoch_ticks(ax, range(1, 1 + max(len(c["val_curve"]) for c in cells)))
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
        _labelled_log_ticks(ax.xaxis)
        ax.tick_params(labelleft=True)  # shared y: label it on both panels
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


def _labelled_log_ticks(axis) -> None:
    """Ticks at 1, 2 and 5 times each power of ten, each labelled (2k, 50k, 1.2M): a log axis
    over less than a decade otherwise shows no label at all."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(FuncFormatter(lambda v, _: _short_number(v)))
    axis.set_minor_formatter(NullFormatter())


def _short_number(value: float) -> str:
    for scale, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if value >= scale:
            return f"{value / scale:g}{suffix}"
    return f"{value:g}"
