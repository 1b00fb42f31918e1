"""Your own labelled data: a CSV table (``csv_tables``) or an NPZ archive (``npz_arrays``),
read into a ``Dataset``.

Nothing in a file is trusted: every failure is one ``DataFileError`` (``file_checks``) naming the
file and where in it. Labels may be any integers or strings: the classes are their distinct
values in sorted order (numbers numerically), which are also the class names. A file without a
test set has one held out: ``TEST_FRACTION`` of the rows, drawn with the fixed seed ``TEST_SEED``
(not the run's seed), so every run on the file is tested on the same rows.
"""

from pathlib import Path

import numpy as np

from ..files import sha256_file
from .csv_tables import INTEGER, csv_test_path, read_csv_table, read_csv_test_rows
from .dataset import DataInfo, Dataset
from .file_checks import FORMATS, DataFileError, check_data_file
from .npz_arrays import read_npz_arrays

__all__ = [
    "TEST_FRACTION",
    "read_labeled",
    "encode_labels",
    "label_values",
    "hold_out_test",
]

TEST_FRACTION = 0.2
TEST_SEED = 0


def read_labeled(path, target: str | None = None) -> Dataset:
    """The data of a ``.csv`` or ``.npz`` file as a ``Dataset`` (x float32, y int64 in 0..C-1);
    ``target`` names a CSV's label column (default the last; see ``read_csv_table``)."""
    path = Path(path)
    suffix = path.suffix.lower()
    check_data_file(path)
    if suffix not in (".csv", ".npz"):
        raise DataFileError(f"{path}: unknown kind of data file {suffix!r}; give {FORMATS}")
    if suffix == ".csv":
        if target is not None and not isinstance(target, str):
            raise TypeError(f"read_labeled: target must be a string, got {target!r}")
        x, labels, features, column = read_csv_table(path, target)
        x_test, labels_test = read_csv_test_rows(path, target, x.shape[1], features)
        y, y_test, class_names = encode_labels(labels, labels_test, None, path)
        shape, held_out = None, y_test is None
        if held_out:
            (x, y), (x_test, y_test) = hold_out_test(x, y, path)
    else:
        if target is not None:
            raise DataFileError(f"{path}: an .npz holds its labels in y; leave out the target")
        arrays = read_npz_arrays(path)
        x, shape, features, column = arrays["x"], arrays["image_shape"], None, None
        y, y_test, class_names = encode_labels(
            arrays["y"], arrays.get("y_test"), arrays.get("class_names"), path
        )
        held_out = y_test is None
        if held_out:
            (x, y), (x_test, y_test) = hold_out_test(x, y, path)
        else:
            x_test = arrays["x_test"]
    what = f"{shape[0]}x{shape[1]} images" if shape else f"rows of {x.shape[1]} features"
    source = {"file": str(path.resolve()), "sha256": sha256_file(path), "target": target,
              "target_index": column, "width": x.shape[1],
              "test": f"{TEST_FRACTION:.0%} held out (seed {TEST_SEED})" if held_out else "x_test"}  # fmt: skip
    if suffix == ".csv" and not held_out:
        source |= {
            "test": csv_test_path(path).name,
            "test_sha256": sha256_file(csv_test_path(path)),
        }
    info = DataInfo(path.name, what, class_names, shape, features, source)
    return Dataset(x, y, x_test, y_test, info)


def encode_labels(
    labels, labels_test=None, class_names: np.ndarray | None = None, path="data"
) -> tuple[np.ndarray, np.ndarray | None, list[str]]:
    """``(y, y_test, class_names)``: labels (strings, integers) as int64 class indices 0..C-1.

    The classes are the distinct ``labels`` in sorted order (integers, or strings made of
    digits, numerically), and their names are their text. An .npz's ``class_names`` instead
    names the integer labels 0..len-1 directly. ``labels_test`` must hold only classes of
    ``labels``."""
    values = label_values(labels, path, "y")
    if class_names is not None:
        if values.dtype.kind not in "iu" or values.min() < 0 or values.max() >= len(class_names):
            raise DataFileError(
                f"{path}: with class_names, y must hold integers 0..{len(class_names) - 1} "
                "(the index of each name)"
            )
        classes, y = np.arange(len(class_names)), values.astype(np.int64)
        names = [str(name) for name in class_names]
    else:
        _refuse_measured_values(values, path)
        classes, y = np.unique(values, return_inverse=True)
        names = [str(c) for c in classes]
    _check_classes(np.unique(y).size, len(y), path)
    if labels_test is None:
        return y.astype(np.int64), None, names
    test = label_values(labels_test, path, "y_test")
    if (test.dtype.kind in "iu") != (classes.dtype.kind in "iu"):
        raise DataFileError(f"{path}: y_test must hold labels of y's kind ({classes.dtype}), "
                            f"got {test.dtype}")  # fmt: skip
    index = np.minimum(np.searchsorted(classes, test), len(classes) - 1)
    if (classes[index] != test).any():
        i = int(np.argmax(classes[index] != test))
        raise DataFileError(
            f"{path}: y_test[{i}] = {test[i].item()!r} is a label y never has; the model could "
            "never predict it — give the test set the training set's classes"
        )
    return y.astype(np.int64), index.astype(np.int64), names


def label_values(labels, path, what: str) -> np.ndarray:
    """Labels (a CSV's cells, or an array) as a 1-D array of integers (text made of digits becomes integers) or strings."""
    if isinstance(labels, list):
        if all(INTEGER.fullmatch(label) for label in labels):
            try:
                return np.array([int(label) for label in labels], dtype=np.int64)
            except OverflowError:
                pass
        return np.array(labels, dtype=str)
    if labels.dtype.kind == "b":
        return labels.astype(np.int64)
    if labels.dtype.kind not in "iuU":
        raise DataFileError(
            f"{path}: {what} must hold integer or string labels, got {labels.dtype}; convert "
            f"it, e.g. {what}.astype(int), or save class names as strings"
        )
    return labels


def _refuse_measured_values(values: np.ndarray, path) -> None:
    """Labels written as numbers with a fraction ("0.2") are measurements, not classes."""
    if values.dtype.kind != "U":
        return
    try:
        numbers = values.astype(np.float64)
    except ValueError:
        return  # words: classes
    fractional = np.isfinite(numbers) & (numbers != np.round(numbers))
    if fractional.any():
        raise DataFileError(
            f"{path}: the labels are numbers with fractions, such as "
            f"{str(values[np.argmax(fractional)])!r}: a measured value, not a class; numpynn train "
            "classifies (for a numeric target use numpynn.sklearn.MLPRegressor), or choose the "
            "label column with --target"
        )


def _check_classes(count: int, rows: int, path) -> None:
    if count < 2:
        raise DataFileError(
            f"{path}: the labels hold a single class; a classifier needs examples of two or more "
            "— is the label column right (--target)?"
        )
    if count > 1000 or (rows >= 20 and count > rows // 2):
        raise DataFileError(
            f"{path}: the labels hold {count} distinct values in {rows} rows: that looks like a "
            "feature, not a label — choose the label column with --target"
        )


def hold_out_test(x: np.ndarray, y: np.ndarray, path="data"):
    """``(x_train, y_train), (x_test, y_test)``: ``TEST_FRACTION`` of the rows (at least one)
    held out as the test set, drawn with the fixed seed ``TEST_SEED``."""
    if len(x) < 2:
        raise DataFileError(
            f"{path}: holds {len(x)} row; it needs at least 2, one to train and one to test on"
        )
    order = np.random.default_rng(TEST_SEED).permutation(len(x))
    n_test = min(len(x) - 1, max(1, round(len(x) * TEST_FRACTION)))
    test, train = np.sort(order[:n_test]), np.sort(order[n_test:])
    return (x[train], y[train]), (x[test], y[test])
