"""What every figure shares: matplotlib on the non-interactive Agg backend, imported lazily (the
library and headless machines never need a display), and saving a figure atomically as PNG."""

import io
from pathlib import Path

from ..files import atomic_write_bytes

__all__ = ["pyplot", "save_figure", "epoch_ticks"]


def pyplot():
    """matplotlib.pyplot on the Agg backend (imported on first use)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig, path: str | Path, dpi: int = 120) -> Path:
    """Write ``fig`` as PNG to ``path`` atomically and close it."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    pyplot().close(fig)
    atomic_write_bytes(path, buffer.getvalue())
    return Path(path)


def epoch_ticks(ax, epochs) -> None:
    """Whole epochs on the x axis: each one marked when there are few (one epoch is 1, not 0.96
    to 1.04), whole numbers otherwise."""
    epochs = sorted(set(epochs))
    if 0 < len(epochs) <= 15:
        ax.set_xticks(epochs)
    else:
        ax.xaxis.get_major_locator().set_params(integer=True)
