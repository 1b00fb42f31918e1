"""Datasets in the MNIST IDX layout: where they are looked for, how they are fetched and loaded.

A dataset is four IDX files (raw or ``.gz``) in one folder. They are looked for, first match wins,
in: ``data_dir`` if given (and only there); ``$NUMPYNN_DATA/<name>/``;
``$XDG_CACHE_HOME/numpynn/<name>/`` (default ``~/.cache/numpynn/<name>/``); system folders (the
Debian package of Fashion-MNIST). If none holds them, ``load_dataset`` downloads them into the
cache folder, verifying the SHA-256 of each decompressed file. Checksums are checked at download
only; the strict IDX validation of ``read_idx`` runs on every load.
"""

import gzip
import hashlib
import ipaddress
import os
import urllib.error
import urllib.parse
import urllib.request
import zlib
from pathlib import Path
from typing import BinaryIO

import numpy as np

from ..files import atomic_open
from ..progress import progress_bar
from ..validation import look_up
from .idx import GZIP_MAGIC, read_idx

__all__ = [
    "DATASETS",
    "DataNotFoundError",
    "cache_dir",
    "fetch_dataset",
    "load_dataset",
    "load_mnist",
    "locate_dataset",
    "search_paths",
]

# "files": base name -> SHA-256 of the decompressed file, in the order
# train images, train labels, test images, test labels. Mirrors serve "<base>.gz".
# "class_names": the name of label 0, 1, ...; "description": what its images show.
DATASETS = {
    "mnist": {
        "files": {
            "train-images-idx3-ubyte": (
                "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"
            ),
            "train-labels-idx1-ubyte": (
                "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"
            ),
            "t10k-images-idx3-ubyte": (
                "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"
            ),
            "t10k-labels-idx1-ubyte": (
                "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"
            ),
        },
        "num_classes": 10,
        "image_shape": (28, 28),
        "class_names": [str(digit) for digit in range(10)],
        "description": "handwritten digits",
        "mirrors": [
            "https://ossci-datasets.s3.amazonaws.com/mnist/",
            "https://storage.googleapis.com/cvdf-datasets/mnist/",
        ],
        "system_dirs": [],
    },
    "fashion-mnist": {
        "files": {
            "train-images-idx3-ubyte": (
                "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"
            ),
            "train-labels-idx1-ubyte": (
                "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"
            ),
            "t10k-images-idx3-ubyte": (
                "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"
            ),
            "t10k-labels-idx1-ubyte": (
                "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"
            ),
        },
        "num_classes": 10,
        "image_shape": (28, 28),
        # the labels of github.com/zalandoresearch/fashion-mnist, README.md, "Labels"
        "class_names": [
            "T-shirt/top",
            "Trouser",
            "Pullover",
            "Dress",
            "Coat",
            "Sandal",
            "Shirt",
            "Sneaker",
            "Bag",
            "Ankle boot",
        ],  # fmt: skip
        "description": "clothing images",
        "mirrors": [
            "https://github.com/zalandoresearch/fashion-mnist/raw/master/data/fashion/",
        ],
        "system_dirs": ["/usr/share/datasets/fashion-mnist/"],
    },
}

TIMEOUT = 30.0
MAX_DOWNLOAD_BYTES = 2**31


class DataNotFoundError(FileNotFoundError):
    """The files of a dataset are not where they were looked for and could not be downloaded."""


def _spec(name: str) -> dict:
    return look_up("dataset", name, DATASETS)


def cache_dir(name: str) -> Path:
    """The download folder of dataset ``name``: ``$XDG_CACHE_HOME/numpynn/<name>/``."""
    _spec(name)
    root = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(root).expanduser() / "numpynn" / name


def search_paths(name: str, data_dir: str | os.PathLike | None = None) -> list[Path]:
    """The folders where dataset ``name`` is looked for, in order (only ``data_dir`` if given)."""
    spec = _spec(name)
    if data_dir is not None:
        return [Path(data_dir).expanduser()]
    paths = []
    if os.environ.get("NUMPYNN_DATA"):
        paths.append(Path(os.environ["NUMPYNN_DATA"]).expanduser() / name)
    paths.append(cache_dir(name))
    paths.extend(Path(p) for p in spec["system_dirs"])
    return paths


def _find_file(folder: Path, base: str) -> Path | None:
    for candidate in (folder / base, folder / f"{base}.gz"):
        if candidate.is_file():
            return candidate
    return None


def _missing(folder: Path, name: str) -> list[str]:
    return [base for base in DATASETS[name]["files"] if _find_file(folder, base) is None]


def locate_dataset(name: str, data_dir: str | os.PathLike | None = None) -> Path | None:
    """The first folder of ``search_paths`` holding all four files (``<base>`` or ``<base>.gz``)."""
    for folder in search_paths(name, data_dir):
        if not _missing(folder, name):
            return folder
    return None


def _check_mirror(url: str, allow_http_loopback: bool) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return url if url.endswith("/") else url + "/"
    if parts.scheme == "http" and allow_http_loopback and _is_loopback(parts.hostname):
        return url if url.endswith("/") else url + "/"
    raise ValueError(
        f"mirror {url!r} must be an https:// URL, got scheme {parts.scheme!r}; plain http is "
        "only allowed to a loopback test server (127.0.0.1, localhost, ::1) with "
        "allow_http_loopback=True or NUMPYNN_ALLOW_HTTP_LOOPBACK=1"
    )


def _is_loopback(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _sha256_decompressed(f: BinaryIO) -> str:
    """SHA-256 of the content of ``f`` (from its start), decompressed if it is gzip."""
    f.seek(0)
    is_gzip = f.read(2) == GZIP_MAGIC
    f.seek(0)
    stream = gzip.GzipFile(fileobj=f, mode="rb") if is_gzip else f
    digest, total = hashlib.sha256(), 0
    while chunk := stream.read(1 << 20):
        total += len(chunk)
        if total > MAX_DOWNLOAD_BYTES:
            raise ValueError(f"decompresses to more than {MAX_DOWNLOAD_BYTES} bytes")
        digest.update(chunk)
    return digest.hexdigest()


def _verify(f: BinaryIO, expected: str) -> str | None:
    """None if the decompressed content of ``f`` has SHA-256 ``expected``, else the reason."""
    try:
        actual = _sha256_decompressed(f)
    except (OSError, EOFError, ValueError, zlib.error) as e:
        return f"cannot be decompressed ({e})"
    if actual != expected:
        return f"SHA-256 of the decompressed content is {actual}, expected {expected}"
    return None


def _download(url: str, dest: Path, base: str, sha256: str, timeout: float, progress: bool):
    """Download ``url`` to ``dest/<base>.gz`` if its content verifies; else return the reason."""
    target = dest / f"{base}.gz"
    try:
        with atomic_open(target) as out:
            with _opener(url).open(url, timeout=timeout) as response:
                total = int(response.headers.get("Content-Length") or 0) or None
                bar = None
                if progress:
                    bar = progress_bar(total=total, desc=f"{base}.gz", unit="B", leave=True,
                                       unit_scale=True)  # fmt: skip
                try:
                    received = 0
                    while chunk := response.read(1 << 16):
                        received += len(chunk)
                        if received > MAX_DOWNLOAD_BYTES:
                            raise _Rejected(f"sent more than {MAX_DOWNLOAD_BYTES} bytes")
                        out.write(chunk)
                        if bar is not None:
                            bar.update(len(chunk))
                finally:
                    if bar is not None:
                        bar.close()
            reason = _verify(out, sha256)
            if reason is not None:
                raise _Rejected(reason)
    except _Rejected as e:
        return str(e)
    except urllib.error.HTTPError as e:
        return f"HTTP {e.code} {e.reason}"
    except urllib.error.URLError as e:
        return f"cannot connect ({e.reason})"
    except (OSError, ValueError) as e:  # timeouts, resets, malformed responses
        return f"{type(e).__name__}: {e}"
    return None


class _Rejected(Exception):
    pass


def _opener(url: str) -> urllib.request.OpenerDirector:
    # a loopback test server must not be reached through an http_proxy from the environment
    if _is_loopback(urllib.parse.urlsplit(url).hostname):
        return urllib.request.build_opener(urllib.request.ProxyHandler({}))
    return urllib.request.build_opener()


def fetch_dataset(
    name: str,
    dest: str | os.PathLike | None = None,
    *,
    mirrors: list[str] | None = None,
    allow_http_loopback: bool = False,
    progress: bool = True,
    timeout: float = TIMEOUT,
) -> Path:
    """Download the files of dataset ``name`` missing from ``dest`` (default: ``cache_dir(name)``).

    Each file is fetched as ``<mirror><base>.gz`` from the mirrors in turn (a failing mirror
    passes to the next), verified by the SHA-256 of its decompressed content and moved into place
    atomically; a file that fails verification is never left in ``dest``. Files already in
    ``dest`` are verified, not downloaded again; if all are there nothing is written (``dest`` may
    be read-only). A lock on ``dest/.lock`` makes concurrent fetches download each file once.

    Args:
        mirrors: base URLs, https only. Default: ``$NUMPYNN_MIRRORS`` (comma-separated) if set,
            else the dataset's mirrors in ``DATASETS``.
        allow_http_loopback: also accept ``http://`` mirrors on 127.0.0.1, localhost or ::1 (for
            tests; ``NUMPYNN_ALLOW_HTTP_LOOPBACK=1`` does the same).
        timeout: seconds to wait for a mirror to connect or send data.

    Returns:
        ``dest``, now holding all four files.

    Raises:
        ValueError: a mirror is not https (nor an allowed loopback http URL).
        DataNotFoundError: a file could not be fetched from any mirror (every mirror's failure
            is listed), or a file already in ``dest`` fails verification.
    """
    spec = _spec(name)
    dest = Path(dest).expanduser() if dest is not None else cache_dir(name)
    if mirrors is None:
        env = os.environ.get("NUMPYNN_MIRRORS", "")
        mirrors = [m.strip() for m in env.split(",") if m.strip()] or spec["mirrors"]
    allow_http_loopback = (
        allow_http_loopback or os.environ.get("NUMPYNN_ALLOW_HTTP_LOOPBACK") == "1"
    )
    mirrors = [_check_mirror(m, allow_http_loopback) for m in mirrors]
    if not mirrors:
        raise ValueError(f"fetch_dataset: mirrors must not be empty, got {mirrors!r}")

    if dest.is_dir() and not _missing(dest, name):
        _verify_present(dest, name)
        return dest
    created = not dest.exists()
    dest.mkdir(parents=True, exist_ok=True)
    try:
        with open(dest / ".lock", "a+b") as lock:
            _lock(lock)
            # Under the lock: another process may have fetched some files while we waited.
            _verify_present(dest, name)
            dead = {}  # mirror -> connection failure, skipped for the remaining files
            for base, sha256 in spec["files"].items():
                if _find_file(dest, base) is None:
                    _fetch_file(name, base, sha256, dest, mirrors, dead, timeout, progress)
    except BaseException:
        if [p.name for p in dest.iterdir()] == [".lock"]:  # a failure leaves nothing behind
            (dest / ".lock").unlink()
            if created:
                dest.rmdir()
        raise
    return dest


def _fetch_file(name, base, sha256, dest, mirrors, dead: dict, timeout, progress) -> None:
    """Download ``<mirror><base>.gz`` into ``dest`` from the first mirror that serves it intact;
    a mirror that cannot be reached is added to ``dead`` and not tried for the other files."""
    failures = []
    for mirror in mirrors:
        if mirror in dead:
            failures.append(f"{mirror}: skipped, failed earlier ({dead[mirror]})")
            continue
        reason = _download(mirror + base + ".gz", dest, base, sha256, timeout, progress)
        if reason is None:
            return
        failures.append(f"{mirror}{base}.gz: {reason}")
        if reason.startswith("cannot connect"):
            dead[mirror] = reason
    raise DataNotFoundError(
        f"{name}: could not fetch {base}.gz from any mirror ("
        + "; ".join(failures)
        + "); check your network connection, or pass other mirrors (NUMPYNN_MIRRORS), "
        "or download the four files yourself and use --data-dir DIR"
    )


def _lock(f) -> None:
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; concurrent fetches may download twice
        return
    fcntl.flock(f.fileno(), fcntl.LOCK_EX)


def _verify_present(dest: Path, name: str) -> None:
    for base, sha256 in DATASETS[name]["files"].items():
        path = _find_file(dest, base)
        if path is None:
            continue
        with open(path, "rb") as f:
            reason = _verify(f, sha256)
        if reason is not None:
            raise DataNotFoundError(
                f"{path}: {reason}; the file is corrupt or belongs to another dataset — "
                f"delete it and run `numpynn data fetch {name}`"
            )


def load_dataset(
    name: str,
    data_dir: str | os.PathLike | None = None,
    *,
    download: bool = True,
    progress: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Load dataset ``name`` as ``(x_train, y_train, x_test, y_test)``.

    Images become float32 rows scaled to [0, 1], shape (N, rows·cols), e.g. (60000, 784);
    labels become int64, shape (N,). The folder is found by ``locate_dataset``; if no folder holds
    the files (and ``data_dir`` is not given) they are downloaded into ``cache_dir(name)`` when
    ``download`` is true.

    Raises:
        ValueError: unknown dataset name, or files that do not form a valid dataset.
        IDXFormatError: a file is not a valid IDX file.
        DataNotFoundError: the files are not found (the message lists where it looked).
    """
    spec = _spec(name)
    folder = locate_dataset(name, data_dir)
    if folder is None and data_dir is not None:
        folder = Path(data_dir).expanduser()
        what = "does not exist" if not folder.is_dir() else "is missing " + _or_gz(folder, name)
        raise DataNotFoundError(
            f"data dir {folder} {what}; put the four {name} IDX files there (raw or .gz), "
            f"or run `numpynn data fetch {name}` and leave out --data-dir"
        )
    if folder is None:
        failure = "download disabled"
        if download:
            try:
                folder = fetch_dataset(name, progress=progress)
            except (DataNotFoundError, OSError) as e:
                failure = f"download failed: {e}"
        if folder is None:
            looked = "; ".join(f"{p} ({_state(p, name)})" for p in search_paths(name))
            raise DataNotFoundError(
                f"{name} data not found; looked in {looked}; {failure}; "
                f"point numpynn at the files with --data-dir DIR (a folder holding "
                f"{', '.join(spec['files'])}, raw or .gz), or set NUMPYNN_DATA to a folder "
                f"holding {name}/, or run `numpynn data fetch {name}`"
            )

    fix = f"delete it and run `numpynn data fetch {name}`"
    paths = [_find_file(folder, base) for base in spec["files"]]
    arrays = [read_idx(p, fix=fix) for p in paths]
    for images, labels, images_path, labels_path in (
        (arrays[0], arrays[1], paths[0], paths[1]),
        (arrays[2], arrays[3], paths[2], paths[3]),
    ):
        _check_pair(images, labels, images_path, labels_path, spec["num_classes"], fix)
    if arrays[0].shape[1:] != arrays[2].shape[1:]:
        raise ValueError(
            f"{paths[2]}: test images must have the shape of the training images, "
            f"{arrays[0].shape[1:]}, got {arrays[2].shape[1:]}; the files do not belong together"
        )
    x_train, x_test = (_to_float(images) for images in (arrays[0], arrays[2]))
    y_train, y_test = (labels.astype(np.int64) for labels in (arrays[1], arrays[3]))
    return x_train, y_train, x_test, y_test


def load_mnist(
    data_dir: str | os.PathLike | None = None, **kwargs
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``load_dataset("mnist", data_dir, **kwargs)``: x (N, 784) float32 in [0, 1], y int64."""
    return load_dataset("mnist", data_dir, **kwargs)


def _or_gz(folder: Path, name: str) -> str:
    def missing(base: str) -> str:
        found = next((p for p in (folder / base, folder / f"{base}.gz") if p.exists()), None)
        return f"{base}[.gz] ({found.name} is not a regular file)" if found else f"{base}[.gz]"

    return ", ".join(missing(base) for base in _missing(folder, name))


def _state(folder: Path, name: str) -> str:
    if not folder.is_dir():
        return "does not exist"
    return "missing " + _or_gz(folder, name)


def _check_pair(images, labels, images_path, labels_path, num_classes: int, fix: str) -> None:
    if images.ndim != 3 or images.dtype != np.uint8:
        raise ValueError(
            f"{images_path}: images must be a 3-D uint8 array (N, rows, cols), got "
            f"{images.ndim}-D {images.dtype} of shape {images.shape}; is this an image file?"
        )
    if labels.ndim != 1 or labels.dtype != np.uint8:
        raise ValueError(
            f"{labels_path}: labels must be a 1-D uint8 array (N,), got {labels.ndim}-D "
            f"{labels.dtype} of shape {labels.shape}; is this a label file?"
        )
    if len(images) == 0:
        raise ValueError(f"{images_path}: holds no images; a data set needs at least one — {fix}")
    if len(images) != len(labels):
        raise ValueError(
            f"{labels_path}: the number of labels must equal the number of images, got "
            f"{len(images)} images but {len(labels)} labels; the files do not belong together — "
            f"{fix}"
        )
    if len(labels) and labels.max() >= num_classes:
        i = int(np.argmax(labels >= num_classes))
        raise ValueError(
            f"{labels_path}: labels must be in 0..{num_classes - 1}, got {labels[i]} at index "
            f"{i}; the file is corrupt or belongs to another dataset — {fix}"
        )


def _to_float(images: np.ndarray) -> np.ndarray:
    # uint8 -> float32 directly, then divide in place: no float64 copy of the whole array
    x = images.reshape(len(images), -1).astype(np.float32)
    x /= np.float32(255)
    return x
