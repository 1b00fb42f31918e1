"""Parameter: a trainable array and its gradient in one object."""

import numpy as np

__all__ = ["Parameter"]


class Parameter:
    """A trainable tensor: ``value``, its gradient ``grad`` (same shape and dtype) and a ``name``.

    Layers create parameters and fill ``grad`` in ``backward``; optimizers read ``grad`` and change
    ``value`` in place. Nothing else writes either array. ``grad`` may be given (an array of
    ``value``'s shape and dtype, e.g. a view of a shared buffer); by default it is zeros.
    """

    def __init__(self, value: np.ndarray, name: str = "", grad: np.ndarray | None = None):
        self.value = value
        self.grad = np.zeros_like(value) if grad is None else grad
        self.name = name

    @property
    def shape(self) -> tuple[int, ...]:
        """``value.shape``."""
        return self.value.shape

    @property
    def size(self) -> int:
        """``value.size``: how many numbers."""
        return self.value.size

    def __repr__(self) -> str:
        return f"Parameter({self.name!r}, shape={self.value.shape}, dtype={self.value.dtype})"
