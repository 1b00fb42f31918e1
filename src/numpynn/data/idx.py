"""Read and write IDX files, the format of MNIST, raw or gzip-compressed.

An IDX file is a 4-byte header ``0x00 0x00 <dtype code> <ndim>``, then ``ndim`` big-endian
uint32 sizes, then the array in C order, big-endian. ``read_idx`` trusts nothing in the file: the
declared size is checked against ``max_bytes`` before anything is allocated, and exactly the
declared number of bytes (plus one, to detect trailing data) is ever decompressed, so a forged
header, trailing junk or a gzip bomb cannot exhaust memory.
"""

import gzip
import os
import zlib
from typing import BinaryIO

import numpy as np

from ..files import atomic_open, require_regular_file

__all__ = ["IDXFormatError", "read_idx", "write_idx"]

# IDX dtype code -> big-endian NumPy dtype, as defined at yann.lecun.com/exdb/mnist
IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
MAX_NDIM = 8
MAX_GZIP_RATIO = 100  # MNIST's images compress 5:1, its labels 2:1
BOMB_FLOOR = 1 << 26  # below 64 MB a file may compress as far as it likes
GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 1 << 20


class IDXFormatError(ValueError):
    """A file is not a valid IDX file (bad header, truncated, trailing data, corrupt gzip)."""


def read_idx(
    path: str | os.PathLike,
    *,
    max_bytes: int = 2**31,
    fix: str = "delete it and fetch it again",
) -> np.ndarray:
    """Read a raw or gzip-compressed IDX file (gzip is detected by its magic bytes, not the name).

    Args:
        max_bytes: refuse files whose header declares more data bytes than this.
        fix: what the error of a damaged file advises doing about it.

    Returns:
        The array in native byte order (uint8 for MNIST images and labels).

    Raises:
        IDXFormatError: the file is not a valid IDX file; the message says what is wrong.
    """
    try:
        require_regular_file(path)
    except (IsADirectoryError, ValueError) as error:
        raise IDXFormatError(f"{error}; {fix}") from None
    with open(path, "rb") as raw:
        is_gzip = raw.read(2) == GZIP_MAGIC
        raw.seek(0)
        size = os.fstat(raw.fileno()).st_size
        try:
            if is_gzip:
                with gzip.GzipFile(fileobj=raw, mode="rb") as f:
                    return _parse(f, path, max_bytes, fix, file_size=None, gzip_size=size)
            return _parse(raw, path, max_bytes, fix, file_size=size)
        except (gzip.BadGzipFile, EOFError, zlib.error) as e:
            raise IDXFormatError(
                f"{path}: gzip stream is corrupt ({str(e) or type(e).__name__}); "
                f"the file is damaged — {fix}"
            ) from e


def _read_header(f: BinaryIO, path, fix: str) -> tuple[np.dtype, tuple[int, ...]]:
    """The dtype and shape an IDX header declares, each part checked as it is read."""
    header = f.read(4)
    if len(header) < 4:
        raise IDXFormatError(
            f"{path}: IDX header must be 4 bytes, file holds {len(header)}; the file is truncated "
            f"or empty — {fix}"
        )
    if header[:2] != b"\x00\x00":
        raise IDXFormatError(
            f"{path}: IDX magic number must start with bytes 00 00, got {header[:2].hex(' ')}; "
            "this is not an IDX file (or a compressed format other than gzip)"
        )
    code, ndim = header[2], header[3]
    if code not in IDX_DTYPES:
        valid = ", ".join(f"0x{c:02X} ({d.name})" for c, d in IDX_DTYPES.items())
        raise IDXFormatError(
            f"{path}: IDX dtype code must be one of {valid}, got 0x{code:02X}; the file is "
            "corrupt or not an IDX file"
        )
    if not 1 <= ndim <= MAX_NDIM:
        raise IDXFormatError(
            f"{path}: IDX number of dimensions must be in 1..{MAX_NDIM}, got {ndim}; the file "
            "is corrupt or not an IDX file"
        )
    dims_bytes = f.read(4 * ndim)
    if len(dims_bytes) < 4 * ndim:
        raise IDXFormatError(
            f"{path}: IDX header declares {ndim} dimensions ({4 * ndim} bytes), file holds "
            f"{len(dims_bytes)}; the file is truncated — {fix}"
        )
    shape = tuple(int.from_bytes(dims_bytes[i : i + 4], "big") for i in range(0, 4 * ndim, 4))
    return IDX_DTYPES[code], shape


def _parse(
    f: BinaryIO, path, max_bytes: int, fix: str, file_size: int | None, gzip_size: int | None = None
) -> np.ndarray:
    dtype, shape = _read_header(f, path, fix)
    ndim = len(shape)
    # Python ints: a forged header cannot overflow this product
    n_bytes = span = dtype.itemsize
    for size in shape:
        n_bytes *= size
        span *= size or 1  # NumPy refuses a shape whose nonzero sizes overflow, even with no data
    declared = f"{'x'.join(map(str, shape))} {dtype.name} = {n_bytes} bytes of data"
    if n_bytes > max_bytes:
        raise IDXFormatError(
            f"{path}: header declares {declared}, more than max_bytes={max_bytes}; the header "
            "is corrupt, or pass a larger max_bytes to read_idx if the file really is this big"
        )
    if span > np.iinfo(np.intp).max:
        raise IDXFormatError(
            f"{path}: header declares {declared}, in sizes too large for any array to have; the "
            f"file is corrupt or forged — {fix}"
        )
    if file_size is not None and file_size - 4 - 4 * ndim < n_bytes:
        _raise_truncated(path, declared, file_size - 4 - 4 * ndim, fix)
    if gzip_size is not None and n_bytes > max(BOMB_FLOOR, MAX_GZIP_RATIO * gzip_size):
        raise IDXFormatError(
            f"{path}: header declares {declared} in a {gzip_size:,}-byte gzip file, over "
            f"{MAX_GZIP_RATIO} times its size; images do not compress that far: the file is a "
            f"gzip bomb or forged — {fix}"
        )
    data = _read_data(f, n_bytes, known=file_size is not None)
    if len(data) < n_bytes:
        _raise_truncated(path, declared, len(data), fix)
    if f.read(1):
        raise IDXFormatError(
            f"{path}: header declares {declared}, but the file holds more (trailing data after "
            f"byte {4 + 4 * ndim + n_bytes} of the IDX content); the file is corrupt — {fix}"
        )
    array = data.view(dtype).reshape(shape)
    if not dtype.isnative:
        array = array.byteswap(inplace=True).view(dtype.newbyteorder("="))
    return array


def _read_data(f: BinaryIO, n_bytes: int, known: bool) -> np.ndarray:
    """Up to ``n_bytes`` of ``f`` (fewer only at its end), read in chunks. Where the file's size
    is ``known`` to hold them, into one array allocated at once; from a gzip stream, whose size
    shows only as it is read, into a buffer that grows with what really arrives."""
    if known:
        data = np.empty(n_bytes, dtype=np.uint8)
        filled = 0
        while filled < n_bytes and (n := f.readinto(memoryview(data)[filled : filled + _CHUNK])):
            filled += n
        return data[:filled]
    buffer = bytearray()
    while len(buffer) < n_bytes and (chunk := f.read(min(_CHUNK, n_bytes - len(buffer)))):
        buffer += chunk
    return np.frombuffer(buffer, dtype=np.uint8)


def _raise_truncated(path, declared: str, held: int, fix: str):
    raise IDXFormatError(
        f"{path}: header declares {declared}, file holds {held}; the file is truncated — {fix}"
    )


def write_idx(path: str | os.PathLike, array: np.ndarray) -> None:
    """Write ``array`` as an IDX file, gzip-compressed if ``path`` ends with ``.gz``.

    The write is atomic: a temp file in the same folder is renamed over ``path`` when complete.
    Supported dtypes: uint8, int8, int16, int32, float32, float64; 1 to 8 dimensions.
    """
    array = np.asarray(array)
    codes = {d.newbyteorder("="): c for c, d in IDX_DTYPES.items()}
    native = array.dtype.newbyteorder("=")
    if native not in codes:
        names = ", ".join(d.name for d in codes)
        raise TypeError(
            f"write_idx: array dtype must be one of {names}, got {array.dtype}; convert it first, "
            "e.g. array.astype(np.int32)"
        )
    if not 1 <= array.ndim <= MAX_NDIM:
        raise ValueError(
            f"write_idx: array must have 1 to {MAX_NDIM} dimensions, got shape {array.shape}"
        )
    if max(array.shape) >= 2**32:
        raise ValueError(f"write_idx: every dimension must be < 2**32, got shape {array.shape}")
    header = bytes([0, 0, codes[native], array.ndim])
    header += b"".join(size.to_bytes(4, "big") for size in array.shape)
    big_endian = np.ascontiguousarray(array, dtype=native.newbyteorder(">"))
    with atomic_open(path) as out:
        if str(path).endswith(".gz"):
            # mtime=0: the same array always gives the same bytes
            with gzip.GzipFile(fileobj=out, mode="wb", mtime=0) as gz:
                gz.write(header)
                gz.write(big_endian.reshape(-1).view(np.uint8))
        else:
            out.write(header)
            out.write(big_endian.reshape(-1).view(np.uint8))
