"""Atomic file writes (a crash or a kill mid-write never leaves a half-written file behind), and
reading regular files only."""

import contextlib
import errno
import hashlib
import json
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

__all__ = [
    "atomic_open",
    "atomic_write_bytes",
    "atomic_write_text",
    "atomic_write_json",
    "require_regular_file",
]

DISK_ERRORS = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT, errno.EIO, errno.EROFS}  # full, read-only


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike) -> Iterator[BinaryIO]:
    """A hidden temp file beside ``path`` (mode w+b), renamed to ``path`` once the block ends
    without an error and the data is on disk; on any error it is removed, so ``path`` is either
    untouched or complete."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    # mode 0o666 lets the umask decide the final permissions, as a plain open() would
    fd = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "w+b") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as error:
        tmp.unlink(missing_ok=True)
        if error.errno in DISK_ERRORS:  # the disk's, not the caller's: say which file
            raise OSError(error.errno, f"{path}: cannot write it ({error.strerror})") from None
        raise
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically, creating its folder if needed."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with atomic_open(path) as f:
        f.write(data)


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: str | os.PathLike, value) -> None:
    """``value`` as JSON indented by 2, with a final newline."""
    atomic_write_text(path, json.dumps(value, indent=2) + "\n")


def require_regular_file(path: str | os.PathLike) -> Path:
    """``path`` if it is a regular file. A folder, a FIFO or a device is refused before it is
    opened: reading a FIFO blocks forever, /dev/zero never ends."""
    path = Path(path)
    mode = path.stat().st_mode  # FileNotFoundError names the path
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(f"{path} is a folder, not a file")
    if not stat.S_ISREG(mode):
        raise ValueError(f"{path} is not a regular file (a FIFO, socket or device); give a file")
    return path


def sha256_file(path: str | os.PathLike) -> str:
    """The SHA-256 of a file's bytes, read a megabyte at a time (memory stays flat)."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
