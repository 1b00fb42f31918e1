"""Scaling input features: ``x' = (x - offset) / scale`` per feature, with ``offset`` and
``scale`` measured on the training rows only (the validation and test rows must not leak into
what the network is given)."""

from dataclasses import dataclass

import numpy as np

from ..validation import is_number

__all__ = ["SCALINGS", "Scaling", "fit_scaling"]

# standard: zero mean and unit variance per feature; minmax: the training range becomes [0, 1]
SCALINGS = ["none", "standard", "minmax"]
MAX_FEATURES = 1_000_000  # of a scaling read from a file


@dataclass
class Scaling:
    """A per-feature affine map, ``x' = (x - offset) / scale``; ``kind`` says how it was fitted."""

    kind: str
    offset: np.ndarray  # (D,) float64
    scale: np.ndarray  # (D,) float64, every entry > 0

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """``x`` (N, D) scaled, in its own dtype."""
        if x.shape[1:] != self.offset.shape:
            raise ValueError(
                f"Scaling expects rows of {len(self.offset)} features, got shape {x.shape}"
            )
        return ((x - self.offset) / self.scale).astype(x.dtype, copy=False)

    def to_dict(self) -> dict:
        return {"kind": self.kind, "offset": self.offset.tolist(), "scale": self.scale.tolist()}

    @classmethod
    def from_dict(cls, values, where: str) -> "Scaling":
        """The scaling ``to_dict`` wrote; ``where`` (a file) names what holds it in errors."""
        try:
            kind, offset, scale = values["kind"], values["offset"], values["scale"]
            ok = (
                kind in SCALINGS[1:]
                and isinstance(offset, list)
                and isinstance(scale, list)
                and 1 <= len(offset) == len(scale) <= MAX_FEATURES
                and all(map(is_number, offset + scale))
                and all(v > 0 for v in scale)
            )
        except (TypeError, KeyError):
            ok = False
        if not ok:
            raise ValueError(
                f"{where}: the input scaling it records is damaged (it needs kind "
                f"{' or '.join(SCALINGS[1:])} and equally long lists of finite offsets and "
                "positive scales); save the model again"
            )
        return cls(kind, np.array(offset, dtype=np.float64), np.array(scale, dtype=np.float64))


def fit_scaling(kind: str, x_train: np.ndarray) -> Scaling | None:
    """The scaling of ``kind`` measured on ``x_train`` (N, D); None for ``"none"``. A feature
    that never changes on the training rows keeps scale 1 (it cannot be divided by 0)."""
    if kind not in SCALINGS:
        raise ValueError(f"unknown scaling {kind!r}; choose one of: {', '.join(SCALINGS)}")
    if kind == "none":
        return None
    if len(x_train) == 0:
        raise ValueError("fit_scaling: no training rows to measure the scaling on")
    x = x_train.astype(np.float64)
    if kind == "standard":
        offset, scale = x.mean(axis=0), x.std(axis=0)
    else:
        offset, scale = x.min(axis=0), x.max(axis=0) - x.min(axis=0)
    scale[scale == 0] = 1.0
    return Scaling(kind, offset, scale)
