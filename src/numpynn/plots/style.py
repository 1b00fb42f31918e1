"""What every figure shares: matplotlib on the non-interactive Agg backend, imported lazily (the
library and headless machines never need a display), and saving a figure atomically as PNG."""

import io
from pathlib import Path

from ..files import atomic_write_bytes

__all__ = ["pyplot", "save_figure"]


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
