"""Data augmentation of images, vectorized over a batch: random translations, affine maps
(rotation, scaling, translation) and elastic distortions, each drawn afresh for every image of
every batch and applied by bilinear sampling (pixels from outside the image are 0).

An ``Augmenter`` draws from ``default_rng([seed, epoch, batch])``: the same batch of the same
epoch is distorted the same way in every run of the seed, so a resumed run continues bit for bit
with no generator state to save.

Each output pixel p (centred coordinates) samples the input at A⁻¹(p − t) + d(p): A rotates by θ
and scales by s, t translates, and d is the elastic field (Simard et al. 2003, section 2): a
uniform random field in [−1, 1] per pixel and axis, smoothed by a Gaussian of standard deviation
σ pixels, times α.
"""

import math

import numpy as np

__all__ = ["AUGMENTATIONS", "Augmenter", "DEFAULT_STRENGTHS"]

AUGMENTATIONS = ["shift", "affine", "elastic"]
# shift: pixels (each axis, uniform); rotate: degrees (uniform ±); scale: fraction (uniform ±);
# alpha, sigma: the elastic field's strength and smoothness in pixels
DEFAULT_STRENGTHS = {
    "shift": {"shift": 2.0},
    "affine": {"shift": 2.0, "rotate": 10.0, "scale": 0.1},
    "elastic": {"shift": 2.0, "rotate": 10.0, "scale": 0.1, "alpha": 34.0, "sigma": 4.0},
}


class Augmenter:
    """``augmenter(x, epoch, batch)``: the batch ``x`` (B, H·W) distorted, a new array of its
    dtype. ``kind`` is one of AUGMENTATIONS; ``strengths`` override its DEFAULT_STRENGTHS."""

    def __init__(self, kind: str, image_shape=(28, 28), *, seed: int = 0, **strengths):
        if kind not in AUGMENTATIONS:
            raise ValueError(f"augment must be one of {', '.join(AUGMENTATIONS)}, got {kind!r}")
        unknown = set(strengths) - set(DEFAULT_STRENGTHS[kind])
        if unknown:
            raise ValueError(f"augment {kind!r} takes {', '.join(DEFAULT_STRENGTHS[kind])}; "
                             f"got {', '.join(sorted(unknown))}")  # fmt: skip
        self.kind, self.image_shape, self.seed = kind, tuple(image_shape), int(seed)
        self.strengths = DEFAULT_STRENGTHS[kind] | {
            k: float(v) for k, v in strengths.items() if v is not None
        }
        if any(not (math.isfinite(v) and v >= 0) for v in self.strengths.values()):
            raise ValueError(f"augment strengths must be finite and >= 0, got {self.strengths}")
        if kind == "elastic" and self.strengths["sigma"] <= 0:
            raise ValueError("augment: the elastic sigma must be > 0")

    def __call__(self, x: np.ndarray, epoch: int, batch: int) -> np.ndarray:
        return self.transform(x, np.random.default_rng([self.seed, epoch, batch]))

    def transform(self, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        B, (H, W) = len(x), self.image_shape
        s = self.strengths
        if self.kind == "shift":  # whole pixels: an exact copy of the moved image
            t = rng.integers(-int(s["shift"]), int(s["shift"]) + 1, (2, B)).astype(np.float64)
            theta, scale = np.zeros(B), np.ones(B)
        else:
            t = rng.uniform(-s["shift"], s["shift"], (2, B))
            theta = np.deg2rad(rng.uniform(-s["rotate"], s["rotate"], B))
            scale = 1 + rng.uniform(-s["scale"], s["scale"], B)
        # output pixel p (centred) samples the input at A⁻¹(p − t): A = scale · rotation(θ)
        t = t.astype(np.float32)
        X = (np.arange(W, dtype=np.float32) - (W - 1) / 2)[None, None, :] - t[0][:, None, None]
        Y = (np.arange(H, dtype=np.float32) - (H - 1) / 2)[None, :, None] - t[1][:, None, None]
        c = (np.cos(theta) / scale).astype(np.float32)[:, None, None]
        n = (np.sin(theta) / scale).astype(np.float32)[:, None, None]
        sx, sy = c * X + n * Y, c * Y - n * X
        if self.kind == "elastic":
            sx = sx + _elastic_field(rng, B, H, W, s["alpha"], s["sigma"])
            sy = sy + _elastic_field(rng, B, H, W, s["alpha"], s["sigma"])
        images = x.reshape(B, H, W)
        out = _bilinear(images, sx + (W - 1) / 2, sy + (H - 1) / 2)
        return out.reshape(x.shape).astype(x.dtype, copy=False)


def _gaussian_matrix(n: int, sigma: float) -> np.ndarray:
    """K with K @ v = v convolved with a normalized Gaussian (zero outside the image)."""
    offsets = np.arange(n)[:, None] - np.arange(n)[None, :]
    radius = min(int(math.ceil(4 * sigma)), n)  # beyond the image the weights are cut anyway
    weights = np.arange(-radius, radius + 1)
    total = np.exp(-(weights**2) / (2 * sigma**2)).sum()
    K = np.exp(-(offsets**2) / (2 * sigma**2)) / total
    return np.where(np.abs(offsets) <= radius, K, 0.0)


def _elastic_field(rng, B: int, H: int, W: int, alpha: float, sigma: float) -> np.ndarray:
    """α · (Gaussian-smoothed uniform noise in [−1, 1]), one field per image: Kh R Kwᵀ."""
    noise = rng.uniform(-1, 1, (B, H, W)).astype(np.float32)
    Kh, Kw = (_gaussian_matrix(n, sigma).astype(np.float32) for n in (H, W))
    rows = (noise.reshape(B * H, W) @ Kw.T).reshape(B, H, W)  # along x: one product for the batch
    field = (rows.transpose(0, 2, 1).reshape(B * W, H) @ Kh.T).reshape(B, W, H)  # along y
    return np.float32(alpha) * field.transpose(0, 2, 1)


def _bilinear(images: np.ndarray, sx: np.ndarray, sy: np.ndarray) -> np.ndarray:
    """images (B, H, W) sampled at (sy, sx), each (B, H, W) in pixel units; 0 outside. In
    float32 throughout (a float64 temporary doubles the time): 4 gathers and a few products
    per pixel."""
    B, H, W = images.shape
    flat = np.pad(images.astype(np.float32, copy=False), ((0, 0), (2, 2), (2, 2))).reshape(-1)
    # shifted by 2 into the zero padding, every coordinate is >= 0.5: truncation is the floor
    sx = np.clip(sx, -1.5, W + 0.5, dtype=np.float32) + np.float32(2)
    sy = np.clip(sy, -1.5, H + 0.5, dtype=np.float32) + np.float32(2)
    x0, y0 = sx.astype(np.intp), sy.astype(np.intp)
    fx, fy = sx - x0.astype(np.float32), sy - y0.astype(np.float32)
    base = y0 * (W + 4) + x0 + (np.arange(B) * ((H + 4) * (W + 4)))[:, None, None]
    top = flat.take(base) * (1 - fx) + flat.take(base + 1) * fx
    bottom = flat.take(base + (W + 4)) * (1 - fx) + flat.take(base + (W + 5)) * fx
    return top * (1 - fy) + bottom * fy
