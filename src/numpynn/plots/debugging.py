"""The figures of debugging a run: per-layer statistics (``train --diagnostics``), the
learning-rate range test (``lr-find``) and gradient flow by depth (``vanishing``)."""

import numpy as np

from ..symptoms import statistic_layers
from .style import epoch_ticks, pyplot

__all__ = ["plot_diagnostics", "plot_lr_find", "plot_gradient_flow", "plot_depth_accuracy"]


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
        epoch_ticks(ax, epochs)
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
