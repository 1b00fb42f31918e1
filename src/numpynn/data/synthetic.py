"""Small 2-D data sets for the perceptron lessons: separable blobs with a known margin, and XOR.

Labels are -1 and +1, as the binary ``Perceptron`` wants them (``(y + 1) // 2`` gives 0/1 class
indices for an MLP).
"""

import math
from typing import NamedTuple

import numpy as np

from ..validation import check_int, check_number

__all__ = ["SeparableData", "make_blobs", "make_xor"]


class SeparableData(NamedTuple):
    """Points ``x`` (N, 2) and labels ``y`` (N,) in {-1, +1}, separated by the line
    ``normal·x + offset = 0`` (``normal`` a unit vector) with every point at distance >= ``margin``
    on its own side, and every point within ``radius`` of the origin."""

    x: np.ndarray
    y: np.ndarray
    normal: np.ndarray
    offset: float
    margin: float
    radius: float


def make_blobs(
    n: int = 100,
    *,
    margin: float = 0.1,
    radius: float = 1.0,
    spread: float = 0.25,
    seed: int | None = 0,
    rng: np.random.Generator | None = None,
) -> SeparableData:
    """Two Gaussian blobs, one per class, linearly separable with a margin known by construction.

    A random unit normal and an offset define the separating line; the class +1 blob sits on its
    positive side, the class -1 blob on the other. Points closer to the line than ``margin``, on
    the wrong side of it, or farther than ``radius`` from the origin are rejected and drawn again;
    then one point of each class is moved onto its margin line. So the margin of the line is
    exactly ``margin`` and every point lies within ``radius`` of the origin.

    Args:
        n: number of points, half of each class (the +1 class gets the odd one).
        spread: standard deviation of each blob, as a fraction of ``radius``.
    """
    check_int("n", n, 2, who="make_blobs")
    check_number("radius", radius, 0, low_open=True, who="make_blobs")
    if not (0 < margin <= 0.5 * radius):
        raise ValueError(
            f"make_blobs: margin must be in (0, radius/2] = (0, {0.5 * radius:g}], got {margin!r}; "
            "a wider margin leaves too little room for the blobs"
        )
    check_number("spread", spread, 0, low_open=True, who="make_blobs")
    rng = rng if rng is not None else np.random.default_rng(seed)
    angle = rng.uniform(0, 2 * math.pi)
    normal = np.array([math.cos(angle), math.sin(angle)])
    offset = float(rng.uniform(-0.2, 0.2) * radius)
    # blob centres on either side of the line, on the normal through its point nearest the origin
    gap = margin + 0.5 * (radius - margin)
    along = np.array([-normal[1], normal[0]])
    points, labels = [], []
    for label, count in ((1, n - n // 2), (-1, n // 2)):
        centre = normal * (label * gap - offset) + along * rng.uniform(-0.2, 0.2) * radius
        kept = np.empty((0, 2))
        while len(kept) < count:
            draw = centre + rng.normal(0, spread * radius, size=(2 * count, 2))
            ok = (label * (draw @ normal + offset) >= margin) & (
                np.linalg.norm(draw, axis=1) <= radius
            )
            kept = np.concatenate([kept, draw[ok]])
        kept = kept[:count]
        # the support point: the one nearest the line, moved onto the margin line (kept in the disc)
        nearest = np.argmin(label * (kept @ normal + offset))
        foot = normal * (label * margin - offset)  # the margin line's point nearest the origin
        limit = math.sqrt(radius**2 - foot @ foot)
        kept[nearest] = foot + along * np.clip(kept[nearest] @ along, -limit, limit)
        points.append(kept)
        labels.append(np.full(count, label, np.int64))
    x, y = np.concatenate(points), np.concatenate(labels)
    order = rng.permutation(n)
    return SeparableData(x[order], y[order], normal, offset, float(margin), float(radius))


def make_xor(
    n: int = 4, *, noise: float = 0.15, seed: int | None = 0, rng: np.random.Generator | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """XOR: label +1 where exactly one coordinate is 1, else -1. No line separates the classes.

    ``n=4`` gives the four corners of the unit square exactly (the truth table, in the order
    00, 01, 10, 11). A larger ``n`` gives a noisy cloud: ``n`` points spread evenly over the four
    corners, each moved by Gaussian noise of standard deviation ``noise``, labelled by the corner
    it came from.
    """
    corners = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    truth = np.array([-1, 1, 1, -1], np.int64)
    check_int("n", n, 4, who="make_xor")
    if n == 4:
        return corners.copy(), truth.copy()
    check_number("noise", noise, 0, low_open=True, who="make_xor")
    rng = rng if rng is not None else np.random.default_rng(seed)
    which = rng.permutation(np.arange(n) % 4)
    return corners[which] + rng.normal(0, noise, size=(n, 2)), truth[which]
