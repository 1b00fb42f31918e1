"""One buffer for all parameters: a measured speed trick, not part of the math.

A model keeps all its parameter values in one contiguous array, and all gradients in another; each
Parameter's value/grad is a view into them. Layers see ordinary arrays, but an optimizer can update
every parameter with a few vectorized operations over the whole buffer instead of a handful per
parameter (see optim.Optimizer; docs/performance.md measures the gain).
"""

import numpy as np

from .parameter import Parameter

__all__ = ["pack", "packed"]


def pack(params: list[Parameter]) -> None:
    """Move the values and gradients of ``params`` (one dtype) into one contiguous buffer each,
    in order; each ``p.value`` / ``p.grad`` becomes a view with its old shape and contents."""
    if not params or len({p.value.dtype for p in params}) != 1:
        return  # nothing to pack, or mixed dtypes: leave the parameters as they are
    total = sum(p.size for p in params)
    values = np.empty(total, dtype=params[0].value.dtype)
    grads = np.zeros(total, dtype=params[0].value.dtype)
    offset = 0
    for p in params:
        end = offset + p.size
        values[offset:end] = p.value.reshape(-1)
        p.value = values[offset:end].reshape(p.shape)
        p.grad = grads[offset:end].reshape(p.shape)
        offset = end


def packed(params: list[Parameter]) -> Parameter | None:
    """One Parameter viewing the buffers that ``params`` tile exactly, in order (as ``pack``
    leaves them); None if they do not."""
    flat = [_span([p.value for p in params]), _span([p.grad for p in params])]
    if flat[0] is None or flat[1] is None:
        return None
    return Parameter(flat[0], "all parameters", grad=flat[1])


def _span(arrays: list[np.ndarray]) -> np.ndarray | None:
    """A 1-D view over ``arrays`` if they lie back to back in one C-contiguous buffer."""
    base = arrays[0].base
    if base is None or base.ndim != 1 or not base.flags.c_contiguous:
        return None
    start = address = arrays[0].__array_interface__["data"][0]
    for a in arrays:
        if (
            a.base is not base
            or not a.flags.c_contiguous
            or a.__array_interface__["data"][0] != address
        ):
            return None
        address += a.nbytes
    first = (start - base.__array_interface__["data"][0]) // base.itemsize
    return base[first : first + (address - start) // base.itemsize]
