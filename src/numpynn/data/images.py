"""A person's own digit image, prepared the way MNIST's digits were: grayscale, light digit on a
dark background, cropped to the digit, its box scaled to fit 20x20 (aspect kept) and placed in a
28x28 field with its centre of mass at the centre. Pillow (a matplotlib dependency) reads files.

Ordinary pictures are read as a person sees them: a phone photo upright (its EXIF orientation),
16-bit PNGs without clipping, a drawing app's transparent PNG by its ink, and a photo of paper
under uneven light with the light removed (the background is estimated and subtracted).
"""

import warnings
from pathlib import Path

import numpy as np

from ..files import require_regular_file

__all__ = ["MAX_PIXELS", "WORKING_SIZE", "read_digit_image", "load_digit_image", "prepare_digit"]

INK = 0.2  # a pixel is part of the digit above this fraction of the contrast range
MAX_PIXELS = 50_000_000  # a 50-megapixel photo; a larger one is refused before it is decoded
WORKING_SIZE = 256  # pixels of the longer side an image is reduced to: the digit ends up 20x20
STROKE = 0.1  # a pixel this much darker (or lighter) than the paper around it is ink


def load_digit_image(path: str | Path) -> np.ndarray:
    """Read a PNG/JPEG (any size, colour or gray) and return the prepared (784,) float32 row."""
    return prepare_digit(read_digit_image(path), str(path))


def read_digit_image(path: str | Path) -> np.ndarray:
    """The image as (H, W) float32 gray values in [0, 1], upright, its longer side at most
    ``WORKING_SIZE``; a transparent image gives its ink (its alpha channel) as gray."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        require_regular_file(path)
        with warnings.catch_warnings():  # our own limit, below, is lower than Pillow's warning
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(path)
        with image:
            if image.width * image.height > MAX_PIXELS:
                raise ValueError(
                    f"it is {image.width}x{image.height} pixels, more than the "
                    f"{MAX_PIXELS // 10**6} megapixels numpynn reads; scale it down"
                )
            image.draft("L", (WORKING_SIZE, WORKING_SIZE))  # JPEG: decode at a reduced size
            gray = _gray(ImageOps.exif_transpose(image))
    except FileNotFoundError:
        raise FileNotFoundError(f"{path} does not exist") from None
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        raise ValueError(
            f"{path}: cannot read it as an image ({error}); give a PNG or JPEG file"
        ) from None
    return gray


def _gray(image) -> np.ndarray:
    from PIL import Image

    if image.mode in ("I", "I;16", "I;16B", "I;16L", "F"):  # 16/32-bit: no clipping to 8 bits
        gray = np.asarray(image, dtype=np.float32)
    elif "A" in image.getbands() or "transparency" in image.info:
        rgba = image.convert("RGBA")
        alpha = np.asarray(rgba.getchannel("A"), dtype=np.float32)
        white = Image.new("RGBA", rgba.size, "white")
        gray = np.asarray(Image.alpha_composite(white, rgba).convert("L"), dtype=np.float32)
        if np.ptp(gray) < 1 <= np.ptp(alpha):  # one colour of ink: the drawing is the alpha
            gray = alpha
    else:
        gray = np.asarray(image.convert("L"), dtype=np.float32)
    scale = WORKING_SIZE / max(gray.shape)
    if scale < 1:
        size = (max(1, round(gray.shape[1] * scale)), max(1, round(gray.shape[0] * scale)))
        gray = np.asarray(Image.fromarray(gray, mode="F").resize(size, Image.Resampling.BOX))
    low, high = float(gray.min()), float(gray.max())
    return (gray - low) / (high - low) if high > low else np.zeros_like(gray)


def prepare_digit(gray: np.ndarray, name: str = "image") -> np.ndarray:
    """(H, W) gray values in [0, 1], either polarity -> the (784,) MNIST-style float32 row."""
    if gray.ndim != 2 or min(gray.shape) < 2:
        raise ValueError(f"{name}: a digit image must be a 2-D picture, got shape {gray.shape}")
    low, high = float(gray.min()), float(gray.max())
    if high - low < 1e-3:
        raise ValueError(f"{name}: the image is blank (one gray level); there is no digit to read")
    x = _strokes((gray - low) / (high - low))
    if float(x.max()) < 1e-3:
        raise ValueError(f"{name}: the image holds no strokes, only shading; there is no digit to read")  # fmt: skip
    x /= x.max()
    rows, cols = np.nonzero(x > INK)
    box = x[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    digit = _resize_to_fit(box, 20)
    return _centre_by_mass(digit, 28).reshape(-1)


def _strokes(x: np.ndarray) -> np.ndarray:
    """Light strokes on black, as MNIST's, from strokes of either polarity on a background whose
    brightness may vary (paper under a lamp)."""
    dark = _ink_is_dark(x)
    background = _background(x, dark)
    if dark:  # light multiplies: ink / paper is what the page reflects, whatever the lamp
        return np.clip(1 - x / np.maximum(background, 1e-3), 0, None)
    return np.clip(x - background, 0, None)


def _background(x: np.ndarray, dark_ink: bool, rounds: int = 3) -> np.ndarray:
    """The background's brightness, as a smooth surface (quadratic in the pixel's position)
    fitted by least squares to the pixels that are not ink: at first all of them, then those
    less than ``STROKE`` beyond the surface on the ink's side."""
    rows, cols = np.indices(x.shape) / max(x.shape)
    terms = np.stack([np.ones_like(rows), rows, cols, rows * rows, rows * cols, cols * cols])
    terms, values = terms.reshape(6, -1).T, x.ravel()
    paper = np.ones(values.shape, dtype=bool)
    for _ in range(rounds):
        fitted = terms @ np.linalg.lstsq(terms[paper], values[paper], rcond=None)[0]
        paper = values - fitted > -STROKE if dark_ink else values - fitted < STROKE
    return fitted.reshape(x.shape)


def _ink_is_dark(x: np.ndarray) -> bool:
    """Whether the strokes are darker than the paper. The paper is most of the picture; once
    the light's slow changes are taken out (a surface fitted to all pixels), the strokes are
    the tail of the values on one side of the median."""
    flat = x - _background(x, dark_ink=True, rounds=1)
    middle = np.median(flat)
    return float(np.clip(middle - flat, 0, None).sum()) > float(
        np.clip(flat - middle, 0, None).sum()
    )


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
