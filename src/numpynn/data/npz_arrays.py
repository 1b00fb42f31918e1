"""NPZ archives: arrays ``x``, ``y``, optional ``x_test``, ``y_test`` and ``class_names``.

Nothing in an archive is trusted: every failure is one ``DataFileError`` naming the file, the
array and the index. Object arrays are never unpickled; an array's declared size is checked
against the archive (and ``MAX_DATA_BYTES``) before it is read, and a compressed array may not
expand more than ``MAX_RATIO`` times beyond ``FREE_BYTES`` (a zip bomb); features must be finite.
"""

import math
import zipfile
import zlib
from pathlib import Path

import numpy as np

from ..saving import read_npy_header
from .file_checks import MAX_DATA_BYTES, DataFileError

__all__ = ["NPZ_KEYS", "read_npz_arrays"]

FREE_BYTES, MAX_RATIO = 1 << 26, 100  # a compressed array beyond 64 MB: at most 100:1
NPZ_KEYS = ("x", "y", "x_test", "y_test", "class_names")


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
            shape, fortran, dtype = read_npy_header(f)
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
