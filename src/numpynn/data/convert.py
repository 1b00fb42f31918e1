"""Converting a data set between its three forms: a folder of the four IDX files (MNIST's
layout), a CSV table, and an NPZ archive. Labels and pixel values pass through as they are, so
IDX -> CSV -> IDX gives back the same bytes.

A CSV holds one split: the training rows go to ``NAME.csv`` and the test rows to
``NAME.test.csv`` beside it, which is also where a CSV's test rows are looked for. Converting
a file without a test set holds one out as ``numpynn train --data`` does (``hold_out_test``).
Nothing is overwritten unless asked (``force``); every file is written atomically.
"""

import io
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..files import atomic_write_bytes, atomic_write_text
from .csv_tables import csv_test_path, read_csv_table, read_csv_test_rows
from .file_checks import DataFileError, check_data_file
from .idx import read_idx, write_idx
from .labeled import hold_out_test, label_values
from .npz_arrays import read_npz_arrays

__all__ = ["IDX_FILES", "LabeledArrays", "convert", "read_arrays", "write_arrays"]

# train images, train labels, test images, test labels, as MNIST names them
IDX_FILES = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
             "t10k-labels-idx1-ubyte"]  # fmt: skip


@dataclass
class LabeledArrays:
    """A data set as stored: x (N, D) float32 (or the IDX file's own dtype), raw labels
    (integers or strings), the test split likewise, and what is known of images and names."""

    x: np.ndarray
    y: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    image_shape: tuple | None = None
    class_names: list[str] | None = None
    features: list[str] | None = None


def convert(src, dest, target: str | None = None, force: bool = False) -> list[Path]:
    """Convert the data set ``src`` (an IDX folder, a .csv or an .npz) into ``dest`` (an IDX
    folder: any path without a .csv or .npz suffix; a .csv; an .npz); return the files written.

    Raises:
        FileExistsError: a file to write exists already and ``force`` is false.
        DataFileError, IDXFormatError: ``src`` cannot be read.
    """
    src, dest = Path(src), Path(dest)
    sources = [src, csv_test_path(src)] if src.suffix.lower() == ".csv" else [src]
    sources += [src / base for base in IDX_FILES] if src.is_dir() else []
    clash = {p.resolve() for p in sources} & {p.resolve() for p in _targets(dest)}
    if clash:
        raise FileExistsError(
            f"{sorted(clash)[0]} is read by this conversion; numpynn never writes data over its own "
            "source (not even with --force): choose another destination"
        )
    return write_arrays(read_arrays(src, target), dest, force)


def read_arrays(src: Path, target: str | None = None) -> LabeledArrays:
    """The data set ``src`` as stored (see ``convert``)."""
    suffix = src.suffix.lower()
    if suffix in (".csv", ".npz"):
        check_data_file(src)
    if suffix == ".csv":
        x, labels, features, _ = read_csv_table(src, target)
        y = label_values(labels, src, "labels")
        x_test, labels_test = read_csv_test_rows(src, target, x.shape[1], features)
        if x_test is not None:
            y_test = label_values(labels_test, csv_test_path(src), "labels")
            return LabeledArrays(x, y, x_test, y_test, features=features)
        (x, y), (x_test, y_test) = hold_out_test(x, y, src)
        return LabeledArrays(x, y, x_test, y_test, features=features)
    if suffix == ".npz":
        a = read_npz_arrays(src)
        names = None if "class_names" not in a else [str(n) for n in a["class_names"]]
        if "x_test" in a:
            return LabeledArrays(a["x"], a["y"], a["x_test"], a["y_test"], a["image_shape"], names)
        (x, y), (x_test, y_test) = hold_out_test(a["x"], a["y"], src)
        return LabeledArrays(x, y, x_test, y_test, a["image_shape"], names)
    if not src.is_dir():
        raise DataFileError(
            f"{src}: give an IDX folder (the four MNIST-style files), a .csv or an .npz"
        )
    images, labels, images_test, labels_test = (
        read_idx(_idx_file(src, base)) for base in IDX_FILES
    )
    shape = images.shape[1:] if images.ndim == 3 else None
    rows = [a.reshape(len(a), -1) for a in (images, images_test)]
    return LabeledArrays(rows[0], labels, rows[1], labels_test, shape)


def _idx_file(folder: Path, base: str) -> Path:
    for candidate in (folder / base, folder / f"{base}.gz"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(
        f"{folder}: holds no {base} (or {base}.gz); an IDX folder holds {', '.join(IDX_FILES)}"
    )


def write_arrays(arrays: LabeledArrays, dest: Path, force: bool = False) -> list[Path]:
    """Write ``arrays`` to ``dest``: an IDX folder, a .csv (and its .test.csv) or an .npz."""
    suffix, targets = dest.suffix.lower(), _targets(dest)
    existing = [str(p) for p in targets if p.exists()]
    if existing and not force:
        raise FileExistsError(
            f"{existing[0]} exists; numpynn never overwrites data — choose another destination, "
            "or pass --force to replace it"
        )
    if suffix == ".csv":
        _write_csv(dest, arrays.x, arrays.y, arrays.features)
        _write_csv(targets[1], arrays.x_test, arrays.y_test, arrays.features)
    elif suffix == ".npz":
        _write_npz(dest, arrays)
    else:
        dest.mkdir(parents=True, exist_ok=True)
        for path, array in zip(targets, _idx_arrays(arrays, dest), strict=True):
            write_idx(path, array)
    return targets


def _targets(dest: Path) -> list[Path]:
    """The files that writing to ``dest`` creates."""
    suffix = dest.suffix.lower()
    if suffix == ".csv":
        return [dest, csv_test_path(dest)]
    return [dest] if suffix == ".npz" else [dest / base for base in IDX_FILES]


def _as_stored(x: np.ndarray, image_shape, square: bool = False) -> np.ndarray:
    """Rows as images (``image_shape``; with ``square``, for IDX files, square if the width is a
    square) of uint8 when every value is an integer in 0..255 (pixels), else float32 rows."""
    side = math.isqrt(x.shape[1])
    shape = image_shape or ((side, side) if square and side * side == x.shape[1] else None)
    pixels = x.size and np.all((x >= 0) & (x <= 255) & (x == np.round(x)))
    if shape is None or not pixels:
        return x if x.dtype == np.uint8 else x.astype(np.float32)
    return x.astype(np.uint8).reshape(len(x), *shape)


def _idx_arrays(arrays: LabeledArrays, dest: Path) -> list[np.ndarray]:
    labels = []
    for y in (arrays.y, arrays.y_test):
        if y.dtype.kind not in "iu" or y.min() < 0 or y.max() > 255:
            raise DataFileError(
                f"{dest}: IDX label files hold integers 0..255; these labels are "
                f"{'words' if y.dtype.kind == 'U' else 'other numbers'} — convert to .npz or .csv, "
                "which keep them"
            )
        labels.append(y.astype(np.uint8))
    x, x_test = (_as_stored(a, arrays.image_shape, square=True) for a in (arrays.x, arrays.x_test))
    return [x, labels[0], x_test, labels[1]]


def _write_npz(dest: Path, arrays: LabeledArrays) -> None:
    extra = {} if arrays.class_names is None else {"class_names": np.array(arrays.class_names)}
    buffer = io.BytesIO()
    np.savez(buffer, x=_as_stored(arrays.x, arrays.image_shape), y=arrays.y,
             x_test=_as_stored(arrays.x_test, arrays.image_shape), y_test=arrays.y_test, **extra)  # fmt: skip
    atomic_write_bytes(dest, buffer.getvalue())


def _write_csv(path: Path, x: np.ndarray, y: np.ndarray, features) -> None:
    """A header line (the feature names, or x0, x1, ...; then ``label``), then one row per
    example: integers as integers, other values with the 9 digits that give float32 back."""
    names = features or [f"x{j}" for j in range(x.shape[1])]
    header = ",".join(_quoted(n) for n in [*names, "label"])
    integral = bool(np.all(x == np.round(x)))
    # float32's shortest text that reads back as the same float32 (0.346, not 0.345999986)
    cells = x.astype(np.int64).astype(str) if integral else x.astype(np.float32).astype(str)
    lines = [header] + [",".join(row) + "," + _quoted(str(label)) for row, label in zip(cells.tolist(), y.tolist(), strict=True)]  # fmt: skip
    atomic_write_text(path, "\n".join(lines) + "\n")


def _quoted(cell: str) -> str:
    return f'"{cell.replace(chr(34), chr(34) * 2)}"' if any(c in cell for c in ',"\n') else cell
