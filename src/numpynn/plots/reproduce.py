"""The figure of ``numpynn reproduce --all``: each training row's validation (and, if the row
watched it, test) accuracy per epoch beside the number its source published."""

import math

from .style import epoch_ticks, pyplot

__all__ = ["plot_reproductions"]


def plot_reproductions(results: list[dict], histories: dict):
    """One panel per row in ``histories`` (id -> History of its best seed's run)."""
    plt = pyplot()
    rows = [r for r in results if r["id"] in histories]
    columns = min(3, max(1, len(rows)))
    fig, axes = plt.subplots(math.ceil(len(rows) / columns) or 1, columns, squeeze=False,
                             figsize=(4.6 * columns, 3.4 * math.ceil(len(rows) / columns)))  # fmt: skip
    for ax, result in zip(axes.flat, rows):
        history = histories[result["id"]]
        epochs = history["epoch"]
        for column, color in (("val_accuracy", "C1"), ("test_accuracy", "C0")):
            if column in history.rows[0]:
                ax.plot(epochs, [100 * a for a in history[column]], "-", color=color,
                        label=f"numpynn, {column.split('_')[0]}")  # fmt: skip
        if "test_accuracy" not in history.rows[0]:  # measured once, at the end
            ax.plot(epochs[-1], 100 * result["final_test"], "o", color="C0",
                    label=f"numpynn, final test {result['final_test']:.2%}")  # fmt: skip
        ax.axhline(100 * result["published"], color="C3", ls="--",
                   label=f"published {result['published_text']}")  # fmt: skip
        ax.set(title=result["id"], xlabel="epoch", ylabel="accuracy (%)")
        epoch_ticks(ax, epochs)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="lower right")
    for ax in list(axes.flat)[len(rows) :]:
        ax.set_visible(False)
    fig.suptitle("the classics reproduced: numpynn's best seed per row")
    fig.tight_layout()
    return fig
