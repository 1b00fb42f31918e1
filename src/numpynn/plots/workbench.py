"""The figure of ``compare_to_reference``: your network's curves over numpynn's, the loss of
every batch, the gap between the two losses (on a log scale, where a small bug shows), and the
validation accuracy of every epoch."""

from pathlib import Path

import numpy as np

from .style import epoch_ticks, pyplot, save_figure

__all__ = ["plot_comparison"]


AGREE = 1e-6  # as numpynn.workbench.compare: below it the two losses agree


def plot_comparison(comparison, path: str | Path) -> Path:
    """Three panels: the training loss per batch of both networks, the gap between them, and
    the validation accuracy per epoch; the batch where they parted marked."""
    plt = pyplot()
    fig, (loss_ax, gap_ax, acc_ax) = plt.subplots(1, 3, figsize=(15, 3.8), layout="constrained")
    styles = {"numpynn": {"color": "0.6", "lw": 3}, "yours": {"color": "#d1495b", "lw": 1.2}}
    for who, style in styles.items():
        loss_ax.plot(comparison.batch_losses[who], label=who, **style)
        epochs = [e["epoch"] for e in comparison.epochs]
        acc_ax.plot(epochs, [e[f"{who}_val_accuracy"] for e in comparison.epochs], marker="o",
                    label=who, **style)  # fmt: skip
    if comparison.first_difference is not None:
        loss_ax.axvline(comparison.first_difference, color="k", ls=":", lw=1,
                        label=f"parted at batch {comparison.first_difference}")  # fmt: skip
    yours, theirs = (np.array(comparison.batch_losses[who]) for who in ("yours", "numpynn"))
    gap = np.abs(yours - theirs) / np.maximum(np.abs(theirs), 1e-300)
    gap_ax.semilogy(np.maximum(gap, 1e-17), color="#d1495b", lw=1.2)
    gap_ax.axhline(AGREE, color="0.4", ls="--", lw=1, label=f"agreement ({AGREE:g})")
    gap_ax.set(xlabel="batch", ylabel="relative gap", title="|yours − numpynn| / numpynn")
    loss_ax.set(xlabel="batch", ylabel="training loss", title="loss of each batch")
    acc_ax.set(xlabel="epoch", ylabel="validation accuracy", title="validation accuracy")
    epoch_ticks(acc_ax, epochs)
    for ax in (loss_ax, gap_ax, acc_ax):
        ax.legend()
        ax.grid(alpha=0.3)
    return save_figure(fig, path)
