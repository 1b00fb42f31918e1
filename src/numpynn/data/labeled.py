"""Your own labelled data: a CSV table (one row per example, one column of labels) or an NPZ
archive (arrays ``x``, ``y``, optional ``x_test``, ``y_test``, ``class_names``), read into a
``Dataset``.

Nothing in a file is trusted: every failure is one ``DataFileError`` naming the file and, for a
CSV, the line (1-based, as an editor shows it) and the column (its header name and 0-based index,
as ``--target`` takes it); for an NPZ, the array and the index. Memory stays bounded whatever a
file declares. Labels may be any integers or strings: the classes are their distinct values in
sorted order (numbers numerically), which are also the class names. A file without a test set
has one held out: ``TEST_FRACTION`` of the rows, drawn with the fixed seed ``TEST_SEED`` (not
the run's seed), so every run on the file is tested on the same rows.
"""

import csv
import hashlib
import math
import re
import zipfile
import zlib
from pathlib import Path

import numpy as np

from ..files import require_regular_file
from .dataset import DataInfo, Dataset

__all__ = [
    "DataFileError",
    "MAX_DATA_BYTES",
    "TEST_FRACTION",
    "read_labeled",
    "csv_test_path",
    "read_csv_table",
    "read_npz_arrays",
    "read_feature_rows",
    "encode_labels",
    "hold_out_test",
    "sha256_file",
]

TEST_FRACTION = 0.2
TEST_SEED = 0
MAX_DATA_BYTES = 1 << 30  # of a data file, and of any one array in an .npz
MAX_LINE_BYTES = 1 << 24
FREE_BYTES, MAX_RATIO = 1 << 26, 100  # a compressed array beyond 64 MB: at most 100:1
MAX_CELLS = 200_000_000  # 800 MB of float32
CHUNK_CELLS = 1 << 20  # cells parsed as Python floats before they are packed into float32
NPZ_KEYS = ("x", "y", "x_test", "y_test", "class_names")
READ_HEADER = {
    (1, 0): np.lib.format.read_array_header_1_0,
    (2, 0): np.lib.format.read_array_header_2_0,
}
INTEGER = re.compile(r"[+-]?\d+")
FORMATS = ".csv (a header line is optional) or .npz (arrays x and y)"


class DataFileError(ValueError):
    """A data file (CSV or NPZ) that cannot be used; the message names the file and where."""


def read_labeled(path, target: str | None = None) -> Dataset:
    """The data of a ``.csv`` or ``.npz`` file as a ``Dataset`` (x float32, y int64 in 0..C-1);
    ``target`` names a CSV's label column (default the last; see ``read_csv_table``)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".npz"):
        raise DataFileError(f"{path}: unknown kind of data file {suffix!r}; give {FORMATS}")
    _check_file(path)
    if suffix == ".csv":
        if target is not None and not isinstance(target, str):
            raise TypeError(f"read_labeled: target must be a string, got {target!r}")
        x, labels, features, column = read_csv_table(path, target)
        x_test, labels_test = _csv_test_rows(path, target, x.shape[1], features)
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


def csv_test_path(path: Path) -> Path:
    """Where the test rows of the CSV ``path`` are, if it has any: ``NAME.test.csv`` beside
    ``NAME.csv``."""
    return path.with_name(f"{path.stem}.test.csv")


def _csv_test_rows(path: Path, target, width: int, features):
    """The rows of ``NAME.test.csv`` (None, None if there is no such file), with the columns of
    ``NAME.csv``."""
    test_path = csv_test_path(path)
    if not test_path.exists():
        return None, None
    _check_file(test_path)
    x_test, labels_test, features_test, _ = read_csv_table(test_path, target)
    if x_test.shape[1] != width or (features and features_test and features_test != features):
        raise DataFileError(
            f"{test_path}: the test rows must have the columns of {path.name} ({width} features"
            f"{': ' + ', '.join(features) if features else ''}), got {x_test.shape[1]}"
            f"{': ' + ', '.join(features_test) if features_test else ''}"
        )
    return x_test, labels_test


def _check_file(path: Path) -> None:
    try:
        size = require_regular_file(path).stat().st_size
    except FileNotFoundError:
        raise FileNotFoundError(f"{path} does not exist; give {FORMATS}") from None
    except IsADirectoryError:
        raise DataFileError(f"{path}: is a folder, not a file; give {FORMATS}") from None
    except ValueError:
        raise DataFileError(
            f"{path}: is not a regular file (a FIFO, socket or device); give {FORMATS}"
        ) from None
    if size > MAX_DATA_BYTES:
        raise DataFileError(
            f"{path}: {size:,} bytes, more than the {MAX_DATA_BYTES:,} numpynn reads; use a "
            "sample of it"
        )
    if size == 0:
        raise DataFileError(f"{path}: the file is empty; give {FORMATS}")


def sha256_file(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def read_csv_table(
    path, target: str | None = None, header: bool | None = None
) -> tuple[np.ndarray, list[str], list[str] | None, int]:
    """``(x, labels, features, column)`` of a CSV file: x float32 (N, D) from every column but
    the label column, the label cells as strings, the other columns' names (None without a
    header), and the label column's index.

    Cells are separated by commas (quotes as in RFC 4180, but no line breaks inside them); blank
    lines are skipped. ``header`` None detects it: the first line is a header if one of its cells
    is not a number where the second line's cell below it is. ``target`` is a column's header
    name or its 0-based index (negative counts from the end); default: the last column.
    """
    path = Path(path)
    with open(path, "rb") as f:
        lines = _numbered_lines(f, path)
        first = next(lines, None)
        if first is None:
            raise DataFileError(f"{path}: holds no rows (only blank lines); give {FORMATS}")
        second = next(lines, None)
        cells = _cells(first, path)
        if header is None:
            header = second is not None and _looks_like_header(cells, _cells(second, path))
            header = header or (second is None and not all(map(_is_number, cells)))
        names = cells if header else None
        column = _target_column(target, names, len(cells), path)
        if len(cells) < 2:
            raise DataFileError(
                f"{path}: line {first[0]} has {len(cells)} column; a table needs at least one "
                "column of features beside the label column"
            )
        rows = ([] if header else [first]) + ([second] if second is not None else [])
        x, labels = _read_rows(path, _chain(rows, lines), len(cells), column, names)
    features = None if names is None else names[:column] + names[column + 1 :]
    return x, labels, features, column


def read_feature_rows(
    path, width: int, features: list[str] | None = None, target: int | None = None
) -> np.ndarray:
    """The rows of a CSV file to classify with a model trained on a table: x float32
    (N, ``width``), from the training file's columns in its order (named ``features`` if it had
    a header), with or without its label column (index ``target``; ignored)."""
    path = Path(path)
    _check_file(path)
    if target is not None and not (isinstance(target, int) and 0 <= target <= width):
        target = width  # a damaged record: the label column can only be the last
    with open(path, "rb") as f:
        lines = _numbered_lines(f, path)
        first = next(lines, None)
        second = next(lines, None)
        if first is None:
            raise DataFileError(f"{path}: holds no rows; give rows of {width} features")
        cells = _cells(first, path)
        header = second is not None and _looks_like_header(cells, _cells(second, path))
        header = header or (second is None and not all(map(_is_number, cells)))
        column = (width if target is None else target) if len(cells) == width + 1 else None
        if len(cells) not in (width, width + 1) or (column is None and len(cells) != width):
            raise DataFileError(
                f"{path}: line {first[0]} has {len(cells)} cells; the model takes rows of "
                f"{width} features ({_columns(features)}), with or without the label column"
            )
        names = cells if header else None
        if names is not None and features is not None:
            given = names[:column] + names[column + 1 :] if column is not None else names
            if given != features:
                raise DataFileError(
                    f"{path}: its columns are {', '.join(given)}; the model takes "
                    f"{_columns(features)}, in that order"
                )
        rows = ([] if header else [first]) + ([second] if second is not None else [])
        x, _ = _read_rows(path, _chain(rows, lines), len(cells), column, names)
    return x


def _columns(features: list[str] | None) -> str:
    return "columns without names" if features is None else ", ".join(features)


def _chain(rows, lines):
    yield from rows
    yield from lines


def _numbered_lines(f, path: Path):
    """(line number, text) of each non-blank line of the binary file ``f``, decoded as UTF-8
    (a byte-order mark is dropped), each at most ``MAX_LINE_BYTES`` long."""
    number = 0
    while raw := f.readline(MAX_LINE_BYTES + 1):
        number += 1
        if len(raw) > MAX_LINE_BYTES:
            raise DataFileError(
                f"{path}: line {number} is longer than {MAX_LINE_BYTES:,} bytes; is this a CSV "
                "file?"
            )
        try:
            text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as error:
            raise DataFileError(
                f"{path}: line {number} is not UTF-8 text (byte {raw[error.start]:#04x} at "
                f"character {error.start + 1}); save the file as UTF-8 CSV"
            ) from None
        if text.strip():
            yield number, text.rstrip("\r\n")


def _cells(line: tuple[int, str], path: Path) -> list[str]:
    number, text = line
    try:
        return [cell.strip() for cell in next(csv.reader([text], strict=True))]
    except csv.Error as error:
        raise DataFileError(f"{path}: line {number} cannot be split into cells ({error})") from None


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _looks_like_header(first: list[str], second: list[str]) -> bool:
    return any(not _is_number(a) and _is_number(b) for a, b in zip(first, second, strict=False))


def _target_column(target: str | None, names: list[str] | None, width: int, path: Path) -> int:
    """The 0-based index of the label column ``target`` names."""
    if target is None:
        return width - 1
    if names is not None and target in names:
        if names.count(target) > 1:
            raise DataFileError(f"{path}: the header has more than one column named {target!r}")
        return names.index(target)
    if INTEGER.fullmatch(target.strip()):
        index = int(target)
        if -width <= index < width:
            return index % width
        raise DataFileError(
            f"{path}: target column index {index} is out of range; the file has {width} columns "
            f"(indices 0..{width - 1}, or -1 for the last)"
        )
    if names is None:
        raise DataFileError(
            f"{path}: has no header line, so there is no column named {target!r}; give the label "
            f"column's index (0..{width - 1}, -1 for the last)"
        )
    raise DataFileError(
        f"{path}: no column named {target!r}; the columns are {', '.join(map(repr, names))} "
        "(or give an index)"
    )


def _column_of(j: int, label_column: int | None) -> int:
    """The file's column of feature ``j`` (the label column, if any, was taken out)."""
    return j + (label_column is not None and j >= label_column)


def _where(column: int, names: list[str] | None) -> str:
    return f"column {names[column]!r} (index {column})" if names else f"column index {column}"


def _read_rows(path: Path, lines, width: int, column: int, names) -> tuple[np.ndarray, list[str]]:
    """The features (float32) and labels of the data ``lines``, parsed a chunk at a time."""
    blocks, labels, chunk, numbers, count = [], [], [], [], 0
    expected = f"{width} cells, as line 1 has" if names else f"{width} cells, as the first line has"
    for number, text in lines:
        cells = _cells((number, text), path)
        if len(cells) != width:
            raise DataFileError(
                f"{path}: line {number} has {len(cells)} cells, expected {expected}"
            )
        count += 1
        if count * width > MAX_CELLS:
            raise DataFileError(
                f"{path}: more than {MAX_CELLS:,} cells; numpynn keeps a table in memory — use "
                "a sample of it"
            )
        if column is not None:
            label = cells.pop(column)
            if not label:
                raise DataFileError(
                    f"{path}: line {number}, {_where(column, names)}: the label is empty; every "
                    "row needs a label"
                )
            labels.append(label)
        chunk.append(_floats(cells, number, column, names, path))
        numbers.append(number)
        if len(chunk) * width >= CHUNK_CELLS:
            blocks.append(_pack(chunk, numbers, column, names, path))
            chunk, numbers = [], []
    if chunk:
        blocks.append(_pack(chunk, numbers, column, names, path))
    if not count:
        raise DataFileError(f"{path}: has a header line but no rows of data")
    return np.concatenate(blocks), labels


def _floats(cells: list[str], number: int, column: int, names, path: Path) -> list[float]:
    try:
        return [float(cell) for cell in cells]
    except ValueError:
        j = next(j for j, cell in enumerate(cells) if not _is_number(cell))
        where = _where(_column_of(j, column), names)
        what = (
            "is empty (a missing value)" if not cells[j] else f"{cells[j][:40]!r} is not a number"
        )
        raise DataFileError(
            f"{path}: line {number}, {where}: {what}; every column but the label column must "
            "hold numbers — fill in or drop that row, or choose the label column with --target"
        ) from None


def _pack(chunk: list[list[float]], numbers: list[int], column: int, names, path: Path):
    """Rows of Python floats as float32; a NaN or infinity (or a number beyond float32) is an
    error naming its line and column."""
    with np.errstate(over="ignore"):
        block = np.array(chunk, dtype=np.float32)
    bad = ~np.isfinite(block)
    if bad.any():
        i, j = (int(k) for k in np.argwhere(bad)[0])
        value = chunk[i][j]
        what = "is NaN (a missing value)" if math.isnan(value) else f"is {value!r}, not finite"
        if math.isfinite(value):
            what = f"is {value:g}, beyond float32's range (±3.4e38)"
        raise DataFileError(
            f"{path}: line {numbers[i]}, {_where(_column_of(j, column), names)}: {what}; fill in or "
            "drop that row"
        )
    return block


def encode_labels(
    labels, labels_test=None, class_names: np.ndarray | None = None, path="data"
) -> tuple[np.ndarray, np.ndarray | None, list[str]]:
    """``(y, y_test, class_names)``: labels (strings, integers) as int64 class indices 0..C-1.

    The classes are the distinct ``labels`` in sorted order (integers, or strings made of
    digits, numerically), and their names are their text. An .npz's ``class_names`` instead
    names the integer labels 0..len-1 directly. ``labels_test`` must hold only classes of
    ``labels``."""
    values = _label_values(labels, path, "y")
    if class_names is not None:
        if values.dtype.kind not in "iu" or values.min() < 0 or values.max() >= len(class_names):
            raise DataFileError(
                f"{path}: with class_names, y must hold integers 0..{len(class_names) - 1} "
                "(the index of each name)"
            )
        classes, y = np.arange(len(class_names)), values.astype(np.int64)
        names = [str(name) for name in class_names]
    else:
        classes, y = np.unique(values, return_inverse=True)
        names = [str(c) for c in classes]
    _check_classes(np.unique(y).size, len(y), path)
    if labels_test is None:
        return y.astype(np.int64), None, names
    test = _label_values(labels_test, path, "y_test")
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


def _label_values(labels, path, what: str) -> np.ndarray:
    """Labels as a 1-D array of integers (text made of digits becomes integers) or strings."""
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


def read_npz_arrays(path) -> dict:
    """The arrays of an .npz data file, checked: ``x`` (N, D) or images (N, rows, cols) of
    numbers, as float32 (N, D); ``y`` (N,) of integers or strings; optional ``x_test`` and
    ``y_test`` (both or neither) of the same kinds; optional ``class_names`` (strings). The
    result also holds ``image_shape`` ((rows, cols) or None). Object arrays are refused (they
    would be unpickled, which can run code); every array's declared size is checked against the
    archive before it is read."""
    path = Path(path)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise DataFileError(
            f"{path}: not an .npz archive ({error}); write one with "
            "np.savez(path, x=features, y=labels)"
        ) from None
    with archive:
        members = {Path(name).stem: name for name in archive.namelist()}
        unknown = sorted(set(members) - set(NPZ_KEYS))
        if unknown or not all(name.endswith(".npy") for name in members.values()):
            raise DataFileError(
                f"{path}: holds {(unknown or list(members))[0]!r}; an .npz data file holds only "
                f"the arrays {', '.join(NPZ_KEYS)}"
            )
        for required in ("x", "y"):
            if required not in members:
                raise DataFileError(
                    f"{path}: has no array {required!r}; save x (features) and y (labels)"
                )
        if ("x_test" in members) != ("y_test" in members):
            raise DataFileError(f"{path}: has only one of x_test and y_test; give both or neither")
        arrays = {key: _read_npy(archive, key, members[key], path) for key in members}
    return _checked_arrays(arrays, path)


def _read_npy(archive: zipfile.ZipFile, key: str, member: str, path: Path) -> np.ndarray:
    try:
        entry = archive.getinfo(member)
        declared = entry.file_size
        with archive.open(member) as f:
            version = np.lib.format.read_magic(f)
            if version not in READ_HEADER:
                raise DataFileError(
                    f"{path}: {key} has .npy format version {version}, not 1.0 or 2.0"
                )
            shape, fortran, dtype = READ_HEADER[version](f)
            _check_dtype(key, dtype, path)
            nbytes = math.prod(shape) * dtype.itemsize
            if nbytes > min(declared, MAX_DATA_BYTES):
                raise DataFileError(
                    f"{path}: {key} declares shape {shape} {dtype} ({nbytes:,} bytes), more than "
                    f"the {min(declared, MAX_DATA_BYTES):,} bytes it may hold; the file is damaged "
                    "or forged"
                )
            _check_ratio(key, nbytes, entry, path)
            data = f.read(nbytes)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error) as error:
        if isinstance(error, DataFileError):
            raise
        raise DataFileError(f"{path}: cannot read {key} ({error}); the file is damaged") from None
    if len(data) != nbytes:
        raise DataFileError(f"{path}: {key} holds {len(data):,} bytes, its header declares {nbytes:,}; the file is truncated")  # fmt: skip
    return np.frombuffer(data, dtype=dtype).reshape(shape, order="F" if fortran else "C")


def _check_ratio(key: str, nbytes: int, entry: zipfile.ZipInfo, path: Path) -> None:
    """A compressed array may declare up to ``MAX_RATIO`` times its compressed size beyond
    ``FREE_BYTES``: real data compress less; a zip bomb (a few KB of zeros declaring GB) more."""
    if entry.compress_type != zipfile.ZIP_STORED and nbytes > max(
        FREE_BYTES, MAX_RATIO * entry.compress_size
    ):
        raise DataFileError(
            f"{path}: {key} declares {nbytes:,} bytes from {entry.compress_size:,} compressed "
            f"bytes, more than {MAX_RATIO} times as many; the file is forged (a zip bomb) — save "
            "it with np.savez, uncompressed"
        )


def _check_dtype(key: str, dtype: np.dtype, path: Path) -> None:
    if dtype.hasobject:
        raise DataFileError(
            f"{path}: {key} is an array of Python objects, which numpy stores pickled; numpynn "
            f"never unpickles a file (that can run code) — save numbers ({key}.astype(np.float32)) "
            f"or strings ({key}.astype(str))"
        )
    allowed = {"x": "biuf", "x_test": "biuf", "y": "biuU", "y_test": "biuU", "class_names": "U"}
    if dtype.kind not in allowed[key] or dtype.fields is not None:
        kinds = {"biuf": "numbers", "biuU": "integers or strings", "U": "strings"}[allowed[key]]
        raise DataFileError(
            f"{path}: {key} must hold {kinds}, got dtype {dtype}"
            + ("; labels are classes: convert them, e.g. y.astype(int)" if kinds[0] == "i" else "")
        )


def _checked_arrays(arrays: dict, path: Path) -> dict:
    x = arrays["x"]
    if x.ndim not in (2, 3) or not x.size:
        raise DataFileError(
            f"{path}: x must be (N, features) or images (N, rows, cols) with N and every other "
            f"axis >= 1, got shape {x.shape}"
        )
    checked = {"image_shape": x.shape[1:] if x.ndim == 3 else None}
    for xs, ys in (("x", "y"), ("x_test", "y_test")):
        if xs not in arrays:
            continue
        if arrays[xs].shape[1:] != x.shape[1:] or not len(arrays[xs]):
            raise DataFileError(
                f"{path}: {xs} must have shape (N, {', '.join(map(str, x.shape[1:]))}) with "
                f"N >= 1, as x has, got {arrays[xs].shape}"
            )
        if arrays[ys].shape != (len(arrays[xs]),):
            raise DataFileError(
                f"{path}: {ys} must hold one label per row of {xs}, shape ({len(arrays[xs])},), "
                f"got {arrays[ys].shape}"
            )
        checked[xs], checked[ys] = _finite(arrays[xs], xs, path), arrays[ys]
    if "class_names" in arrays:
        names = arrays["class_names"]
        if names.ndim != 1 or len(set(names.tolist())) != len(names):
            raise DataFileError(f"{path}: class_names must be a 1-D array of distinct strings")
        checked["class_names"] = names
    return checked


def _finite(x: np.ndarray, key: str, path: Path) -> np.ndarray:
    """``x`` as float32 rows (N, D), refused if any value is NaN or infinite."""
    with np.errstate(over="ignore", invalid="ignore"):
        rows = x.reshape(len(x), -1).astype(np.float32)
    bad = ~np.isfinite(rows)
    if bad.any():
        i, j = (int(k) for k in np.argwhere(bad)[0])
        index = ", ".join(map(str, (i, *np.unravel_index(j, x.shape[1:]))))
        raise DataFileError(
            f"{path}: {key}[{index}] is {x[(i, *np.unravel_index(j, x.shape[1:]))].item()!r}, not a "
            "finite float32; fill in or drop that row"
        )
    return rows
