"""Parameter: a trainable array and its gradient in one object."""

import numpy as np

__all__ = ["Parameter"]


class Parameter:
    """A trainable tensor: ``value``, its gradient ``grad`` (same shape and dtype) and a ``name``.

    Layers create parameters and fill ``grad`` in ``backward``; optimizers read ``grad`` and change
    ``value`` in place. Nothing else writes either array.
    """

    def __init__(self, value: np.ndarray, name: str = ""):
        self.value = value
        self.grad = np.zeros_like(value)
        self.name = name

    @property
    def shape(self) -> tuple[int, ...]:
        return self.value.shape

    @property
    def size(self) -> int:
        return self.value.size

    def __repr__(self) -> str:
        return f"Parameter({self.name!r}, shape={self.value.shape}, dtype={self.value.dtype})"
