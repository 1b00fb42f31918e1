"""CSV tables: one row per example, one column of labels, every other column numbers.

Every failure is one ``DataFileError`` naming the file, the line (1-based, as an editor shows
it) and the column (its header name and 0-based index, as ``--target`` takes it). Memory stays
bounded whatever a file holds: lines are limited to ``MAX_LINE_BYTES``, tables to ``MAX_CELLS``
cells, parsed ``CHUNK_CELLS`` at a time. A table's test rows, if it has any, are in
``NAME.test.csv`` beside ``NAME.csv``.
"""

import csv
import math
import re
from pathlib import Path

import numpy as np

from .file_checks import FORMATS, DataFileError, check_data_file

__all__ = [
    "INTEGER",
    "csv_test_path",
    "read_csv_table",
    "read_csv_test_rows",
    "read_feature_rows",
]

MAX_LINE_BYTES = 1 << 24
MAX_CELLS = 200_000_000  # 800 MB of float32
CHUNK_CELLS = 1 << 20  # cells parsed as Python floats before they are packed into float32
INTEGER = re.compile(r"[+-]?\d+")


def csv_test_path(path: Path) -> Path:
    """Where the test rows of the CSV ``path`` are, if it has any: ``NAME.test.csv`` beside
    ``NAME.csv``."""
    return path.with_name(f"{path.stem}.test.csv")


def read_csv_test_rows(path: Path, target, width: int, features):
    """The rows of ``NAME.test.csv`` (None, None if there is no such file), with the columns of
    ``NAME.csv``."""
    test_path = csv_test_path(path)
    if not test_path.exists():
        return None, None
    check_data_file(test_path)
    x_test, labels_test, features_test, _ = read_csv_table(test_path, target)
    if x_test.shape[1] != width or (features and features_test and features_test != features):
        raise DataFileError(
            f"{test_path}: the test rows must have the columns of {path.name} ({width} features"
            f"{': ' + ', '.join(features) if features else ''}), got {x_test.shape[1]}"
            f"{': ' + ', '.join(features_test) if features_test else ''}"
        )
    return x_test, labels_test


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
            header = _is_header(cells, second, path)
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
    check_data_file(path)
    if target is not None and not (isinstance(target, int) and 0 <= target <= width):
        target = width  # a damaged record: the label column can only be the last
    with open(path, "rb") as f:
        lines = _numbered_lines(f, path)
        first = next(lines, None)
        second = next(lines, None)
        if first is None:
            raise DataFileError(f"{path}: holds no rows; give rows of {width} features")
        cells = _cells(first, path)
        header = _is_header(cells, second, path)
        column = (width if target is None else target) if len(cells) == width + 1 else None
        if len(cells) not in (width, width + 1):
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


def _is_header(cells: list[str], second, path: Path) -> bool:
    """Whether the first line (``cells``) names the columns: one of its cells is not a number
    where the second line's is, or (a file of one line) not all of them are numbers."""
    if second is None:
        return not all(map(_is_number, cells))
    return _looks_like_header(cells, _cells(second, path))


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
