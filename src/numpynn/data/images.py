"""A person's own digit image, prepared the way MNIST's digits were: grayscale, light digit on a
dark background, cropped to the digit, its box scaled to fit 20x20 (aspect kept) and placed in a
28x28 field with its centre of mass at the centre. Pillow (a matplotlib dependency) reads files.
"""

from pathlib import Path

import numpy as np

__all__ = ["load_digit_image", "prepare_digit"]

INK = 0.2  # a pixel is part of the digit above this fraction of the contrast range


def load_digit_image(path: str | Path) -> np.ndarray:
    """Read a PNG/JPEG (any size, colour or gray) and return the prepared (784,) float32 row."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            gray = np.asarray(image.convert("L"), dtype=np.float32) / np.float32(255)
    except FileNotFoundError:
        raise FileNotFoundError(f"{path} does not exist") from None
    except (UnidentifiedImageError, OSError) as error:
        raise ValueError(
            f"{path}: cannot read it as an image ({error}); give a PNG or JPEG file"
        ) from None
    return prepare_digit(gray, str(path))


def prepare_digit(gray: np.ndarray, name: str = "image") -> np.ndarray:
    """(H, W) gray values in [0, 1], either polarity -> the (784,) MNIST-style float32 row."""
    if gray.ndim != 2 or min(gray.shape) < 2:
        raise ValueError(f"{name}: a digit image must be a 2-D picture, got shape {gray.shape}")
    low, high = float(gray.min()), float(gray.max())
    if high - low < 1e-3:
        raise ValueError(f"{name}: the image is blank (one gray level); there is no digit to read")
    x = (gray - low) / (high - low)
    if _border_mean(x) > 0.5:  # dark ink on light paper: MNIST is the other way round
        x = 1 - x
    rows, cols = np.nonzero(x > INK)
    box = x[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    digit = _resize_to_fit(box, 20)
    return _centre_by_mass(digit, 28).reshape(-1)


def _border_mean(x: np.ndarray) -> float:
    return float(np.concatenate([x[0], x[-1], x[:, 0], x[:, -1]]).mean())


def _resize_to_fit(box: np.ndarray, size: int) -> np.ndarray:
    from PIL import Image

    h, w = box.shape
    scale = size / max(h, w)
    new_h, new_w = max(1, round(h * scale)), max(1, round(w * scale))
    image = Image.fromarray(box.astype(np.float32), mode="F")
    return np.asarray(
        image.resize((new_w, new_h), Image.Resampling.LANCZOS), dtype=np.float32
    ).clip(0, 1)


def _centre_by_mass(digit: np.ndarray, size: int) -> np.ndarray:
    """Place ``digit`` in a size x size field so that its centre of mass is the field's centre."""
    h, w = digit.shape
    rows, cols = np.indices(digit.shape)
    mass = digit.sum()
    top = int(round(size / 2 - (rows * digit).sum() / mass))  # MNIST: mass centre at pixel 14
    left = int(round(size / 2 - (cols * digit).sum() / mass))
    top, left = min(max(top, 0), size - h), min(max(left, 0), size - w)
    field = np.zeros((size, size), dtype=np.float32)
    field[top : top + h, left : left + w] = digit
    return field
