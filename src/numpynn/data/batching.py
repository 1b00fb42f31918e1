"""Train/validation split and mini-batch iteration."""

from collections.abc import Iterator

import numpy as np

from ..validation import is_int

__all__ = ["train_val_split", "iterate_batches"]


def train_val_split(
    x: np.ndarray,
    y: np.ndarray,
    val_size: int | float,
    rng: np.random.Generator | None = None,
    *,
    seed: int | None = None,
):
    """Hold out ``val_size`` examples (a count, or a fraction in (0, 1) of ``len(x)``, rounded):
    returns ``(x_train, y_train), (x_val, y_val)``, the two arguments ``fit`` takes.

    With ``rng`` (or ``seed``, for ``np.random.default_rng(seed)``) the held-out examples are a
    random draw: ``rng.permutation(len(x))[:val_size]``. Without either the split is ordered:
    the last ``val_size`` examples are held out (Nielsen's 50,000/10,000 split of MNIST's
    training set), and both parts keep their order. ``numpynn train`` holds out 5,000 at random.
    """
    if len(x) != len(y):
        raise ValueError(f"train_val_split: {len(x)} inputs but {len(y)} labels")
    given = val_size
    if isinstance(val_size, float) and 0 < val_size < 1:
        val_size = round(val_size * len(x))
    if not (is_int(val_size) and 0 <= val_size < len(x)):
        raise ValueError(
            f"train_val_split: val_size must be a count in [0, {len(x) - 1}] or a fraction in "
            f"(0, 1), got {given!r}" + (f" ({val_size} of {len(x)})" if given != val_size else "")
        )
    if rng is not None and seed is not None:
        raise ValueError("train_val_split: give rng or seed, not both")
    if rng is not None and not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"train_val_split: rng must be a numpy Generator, got {rng!r}; for a seed, pass "
            f"seed={rng!r} (or rng=np.random.default_rng(seed))"
        )
    rng = np.random.default_rng(seed) if seed is not None else rng
    if rng is None:
        cut = len(x) - val_size
        return (x[:cut], y[:cut]), (x[cut:], y[cut:])
    order = rng.permutation(len(x))
    val, train = order[:val_size], order[val_size:]
    return (x[train], y[train]), (x[val], y[val])


def iterate_batches(
    x: np.ndarray, y: np.ndarray, batch_size: int, rng: np.random.Generator | None = None
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Mini-batches covering every example once, in a fresh random order when ``rng`` is given.

    Each batch gathers its own rows (x[order[i:i+B]]): a 400 KB copy that is still in cache
    when the first layer reads it. Gathering the whole shuffled set at once instead costs a
    188 MB copy per MNIST epoch, 0.1-0.4 s of page faults and cache misses (docs/performance.md).
    The last batch may be smaller.
    """
    if batch_size < 1:
        raise ValueError(f"iterate_batches: batch_size must be >= 1, got {batch_size}")
    if rng is None:
        for start in range(0, len(x), batch_size):
            yield x[start : start + batch_size], y[start : start + batch_size]
        return
    order = rng.permutation(len(x))
    for start in range(0, len(x), batch_size):
        rows = order[start : start + batch_size]
        yield x[rows], y[rows]
