"""Finding, fetching and loading data sets: the search order, read-only folders, damaged files, and
downloads from local mirrors (checksums, dead mirrors, http refused, concurrent fetches)."""

import collections
import functools
import gzip
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
from paths import real_mnist

import numpynn
from numpynn.data import (
    DATASETS,
    DataNotFoundError,
    IDXFormatError,
    fetch_dataset,
    load_dataset,
    load_mnist,
    locate_dataset,
    read_idx,
    search_paths,
    write_idx,
)

BASES = list(DATASETS["mnist"]["files"])  # train images, train labels, test images, test labels


def closed_port_url() -> str:
    """An http URL on a loopback port nobody listens on: connections are refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/mnist/"


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    """No test sees the user's cache or reaches the network: HOME is a temp folder and the
    default mirror is a closed loopback port."""
    for var in ["NUMPYNN_DATA", "XDG_CACHE_HOME", "NUMPYNN_MIRRORS"]:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("NUMPYNN_MIRRORS", closed_port_url())
    monkeypatch.setenv("NUMPYNN_ALLOW_HTTP_LOOPBACK", "1")


def make_fake(folder: Path, n_train=6, n_test=4, gz=True, **override) -> Path:
    """Write a tiny dataset in the MNIST layout; ``override`` replaces arrays by base name."""
    rng = np.random.default_rng(0)
    arrays = {
        BASES[0]: rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        BASES[1]: rng.integers(0, 10, n_train, dtype=np.uint8),
        BASES[2]: rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        BASES[3]: rng.integers(0, 10, n_test, dtype=np.uint8),
    }
    arrays.update({k.replace("_", "-"): v for k, v in override.items()})
    folder.mkdir(parents=True, exist_ok=True)
    for base, array in arrays.items():
        if array is not None:
            write_idx(folder / (base + (".gz" if gz else "")), array)
    return folder


def snapshot(folder: Path) -> dict:
    return {p.name: (p.stat().st_mtime_ns, p.stat().st_size) for p in folder.iterdir()}


def test_search_order(tmp_path, monkeypatch):
    home = tmp_path / "home"
    assert search_paths("mnist") == [home / ".cache/numpynn/mnist"]
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("NUMPYNN_DATA", str(tmp_path / "data"))
    assert search_paths("mnist") == [tmp_path / "data/mnist", tmp_path / "xdg/numpynn/mnist"]
    system = DATASETS["fashion-mnist"]["system_dirs"]  # an empty temp folder, for the tests
    assert search_paths("fashion-mnist") == [
        tmp_path / "data/fashion-mnist",
        tmp_path / "xdg/numpynn/fashion-mnist",
        *system,
    ]
    assert len(system) == 1 and "/usr/share" not in str(system[0])
    assert search_paths("mnist", tmp_path / "mine") == [tmp_path / "mine"]


def test_locate_first_complete_folder_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("NUMPYNN_DATA", str(tmp_path / "data"))
    assert locate_dataset("mnist") is None
    make_fake(tmp_path / "xdg/numpynn/mnist")
    assert locate_dataset("mnist") == tmp_path / "xdg/numpynn/mnist"
    make_fake(tmp_path / "data/mnist", gz=False, t10k_labels_idx1_ubyte=None)  # incomplete
    assert locate_dataset("mnist") == tmp_path / "xdg/numpynn/mnist"
    write_idx(tmp_path / "data/mnist" / BASES[3], np.zeros(4, dtype=np.uint8))
    assert locate_dataset("mnist") == tmp_path / "data/mnist"
    assert locate_dataset("mnist", tmp_path / "elsewhere") is None
    assert locate_dataset("fashion-mnist") is None


def test_unknown_dataset_lists_valid_names():
    for call in [search_paths, locate_dataset, load_dataset, fetch_dataset]:
        with pytest.raises(ValueError, match="unknown dataset 'mnsit'; choose one of: fashion"):
            call("mnsit")


def test_load_real_mnist(monkeypatch):
    monkeypatch.setenv("NUMPYNN_DATA", str(real_mnist().parent))
    x_train, y_train, x_test, y_test = load_mnist(download=False)
    assert x_train.shape == (60000, 784) and x_test.shape == (10000, 784)
    assert x_train.dtype == np.float32 and x_test.dtype == np.float32
    assert x_train.min() == 0.0 and x_train.max() == 1.0 and x_test.max() == 1.0
    assert y_train.dtype == np.int64 and y_test.dtype == np.int64
    assert y_train.shape == (60000,) and y_test.shape == (10000,)
    assert y_train[:5].tolist() == [5, 0, 4, 1, 9]
    assert np.bincount(y_train).tolist() == [
        5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949
    ]  # fmt: skip
    image = read_idx(real_mnist() / "t10k-images-idx3-ubyte.gz")[17]
    np.testing.assert_array_equal(x_test[17], image.reshape(-1) / np.float32(255))


def test_load_fake_scales_to_unit_interval_raw_or_gz(tmp_path):
    images = np.zeros((3, 28, 28), dtype=np.uint8)
    images[0, 0, 0], images[1, 5, 7], images[2, 27, 27] = 255, 51, 1
    for gz in [False, True]:
        folder = make_fake(tmp_path / str(gz), n_train=3, gz=gz, train_images_idx3_ubyte=images)
        x_train, y_train, x_test, y_test = load_dataset("mnist", folder, download=False)
        assert x_train.dtype == np.float32 and x_train.shape == (3, 784)
        assert x_train[0, 0] == 1.0 and x_train[1, 5 * 28 + 7] == np.float32(0.2)
        assert x_train[2, -1] == np.float32(1 / 255) and np.count_nonzero(x_train) == 3
        assert y_train.dtype == np.int64 and x_test.shape == (4, 784) and y_test.shape == (4,)


def test_read_only_data_folder_is_never_written(tmp_path):
    folder = make_fake(tmp_path / "ro")
    real = tmp_path / "real"
    shutil.copytree(real_mnist(), real)
    before = {f: snapshot(f) for f in (folder, real)}
    for f in (folder, real):
        f.chmod(0o555)
    try:
        # tests run as root, where permissions are not enforced: check nothing was written
        assert load_dataset("mnist", folder)[0].shape == (6, 784)
        assert fetch_dataset("mnist", real, progress=False) == real
        assert load_mnist(real, download=False)[1].shape == (60000,)
    finally:
        for f in (folder, real):
            f.chmod(0o755)
    assert {f: snapshot(f) for f in (folder, real)} == before


@pytest.mark.parametrize(
    "override, message",
    [
        (
            {"train_labels_idx1_ubyte": np.array([1, 2, 3, 10, 4, 5], dtype=np.uint8)},
            r"train-labels-idx1-ubyte.gz: labels must be in 0\.\.9, got 10 at index 3",
        ),
        (
            {"t10k_labels_idx1_ubyte": np.array([255, 0, 0, 0], dtype=np.uint8)},
            r"labels must be in 0\.\.9, got 255 at index 0",
        ),
        (
            {"train_labels_idx1_ubyte": np.zeros(5, dtype=np.uint8)},
            "number of labels must equal the number of images, got 6 images but 5 labels",
        ),
        (
            {"t10k_images_idx3_ubyte": np.zeros((4, 784), dtype=np.uint8)},
            r"t10k-images-idx3-ubyte.gz: images must be a 3-D uint8 array \(N, rows, cols\), "
            "got 2-D",
        ),
        (
            {"t10k_images_idx3_ubyte": np.zeros((4, 28, 28), dtype=np.float32)},
            "images must be a 3-D uint8 array .*got 3-D float32",
        ),
        (
            {"train_labels_idx1_ubyte": np.zeros(6, dtype=np.int32)},
            r"labels must be a 1-D uint8 array \(N,\), got 1-D int32",
        ),
        (
            {"t10k_images_idx3_ubyte": np.zeros((4, 20, 20), dtype=np.uint8)},
            r"test images must have the shape of the training images, \(28, 28\), got \(20, 20\)",
        ),
    ],
)
def test_invalid_dataset_raises_clear_error(tmp_path, override, message):
    folder = make_fake(tmp_path / "bad", **override)
    with pytest.raises(ValueError, match=message):
        load_dataset("mnist", folder, download=False)


def test_damaged_file_error_says_how_to_refetch(tmp_path):
    folder = make_fake(tmp_path / "d")
    path = folder / (BASES[0] + ".gz")
    data = gzip.decompress(path.read_bytes())
    path.write_bytes(gzip.compress(data[:-100]))
    with pytest.raises(
        IDXFormatError, match="file holds 4604; the file is truncated — delete it and run `numpynn"
    ):
        load_dataset("mnist", folder)


def test_missing_data_dir(tmp_path):
    with pytest.raises(DataNotFoundError, match=f"data dir {tmp_path / 'nope'} does not exist"):
        load_dataset("mnist", tmp_path / "nope")


def test_incomplete_data_dir_lists_missing_files(tmp_path):
    folder = make_fake(tmp_path / "d", t10k_labels_idx1_ubyte=None, train_images_idx3_ubyte=None)
    with pytest.raises(DataNotFoundError) as info:
        load_dataset("mnist", folder)  # never downloads when data_dir is given
    message = str(info.value)
    assert f"data dir {folder} is missing" in message
    assert "train-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]" in message
    assert "train-labels" not in message and "t10k-images" not in message
    assert not (folder / ".lock").exists()


def test_not_found_lists_where_it_looked(tmp_path, monkeypatch):
    monkeypatch.setenv("NUMPYNN_DATA", str(tmp_path / "data"))
    make_fake(tmp_path / "data/mnist", t10k_images_idx3_ubyte=None)
    with pytest.raises(DataNotFoundError) as info:
        load_mnist(download=False)
    message = str(info.value)
    assert f"{tmp_path / 'data/mnist'} (missing t10k-images-idx3-ubyte[.gz])" in message
    assert f"{tmp_path / 'home/.cache/numpynn/mnist'} (does not exist)" in message
    assert "\n" not in message  # one line, for the command line
    assert "download disabled" in message
    for fix in ["--data-dir DIR", "NUMPYNN_DATA", "`numpynn data fetch mnist`"]:
        assert fix in message
    assert not (tmp_path / "home").exists()


def test_failed_download_lists_where_it_looked_and_why(tmp_path):
    with pytest.raises(DataNotFoundError) as info:
        load_mnist(progress=False)
    message = str(info.value)
    assert f"{tmp_path / 'home/.cache/numpynn/mnist'} (" in message
    assert "download failed: mnist: could not fetch train-images-idx3-ubyte.gz" in message
    assert "cannot connect" in message and "--data-dir DIR" in message
    assert not (tmp_path / "home/.cache/numpynn/mnist").exists()  # no lock file left behind


@functools.cache
def real_gz() -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in real_mnist().glob("*.gz")}


def corrupted_test_labels() -> bytes:
    """Valid IDX labels (all in 0..9) whose checksum is wrong: only the checksum can tell."""
    data = bytearray(gzip.decompress(real_gz()["t10k-labels-idx1-ubyte.gz"]))
    data[-1] ^= 1
    return gzip.compress(bytes(data), mtime=0)


class MirrorServer:
    """A local http mirror: /good/ serves the real files, /bad/ a corrupted test-labels file,
    anything else 404. ``counts[prefix, file]`` counts requests; ``delay`` slows every answer."""

    def __init__(self):
        self.routes = {
            "good": real_gz(),
            "bad": {"t10k-labels-idx1-ubyte.gz": corrupted_test_labels()},
        }
        self.counts = collections.Counter()
        self.delay = 0.0
        lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                _, prefix, name = self.path.split("/", 2)
                with lock:
                    server.counts[prefix, name] += 1
                time.sleep(server.delay)
                body = server.routes.get(prefix, {}).get(name)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/gzip")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, prefix: str) -> str:
        return f"http://127.0.0.1:{self.port}/{prefix}/"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


@pytest.fixture
def mirror():
    server = MirrorServer()
    yield server
    server.close()


def with_real_files(dest: Path, bases: list[str]) -> Path:
    dest.mkdir(parents=True)
    for base in bases:
        shutil.copy(real_mnist() / f"{base}.gz", dest)
    return dest


def test_load_downloads_into_cache_once(tmp_path, monkeypatch, mirror):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("NUMPYNN_MIRRORS", f"{closed_port_url()},{mirror.url('good')}")
    x_train, y_train, x_test, y_test = load_mnist(progress=False)
    cache = tmp_path / "xdg/numpynn/mnist"
    assert sorted(p.name for p in cache.iterdir()) == sorted([".lock"] + [b + ".gz" for b in BASES])
    assert mirror.counts == {("good", b + ".gz"): 1 for b in BASES}
    assert x_train.shape == (60000, 784) and y_test.shape == (10000,)
    np.testing.assert_array_equal(y_test, read_idx(real_mnist() / "t10k-labels-idx1-ubyte.gz"))
    load_mnist(progress=False)
    assert sum(mirror.counts.values()) == 4
    for base in BASES:
        assert (cache / f"{base}.gz").read_bytes() == (real_mnist() / f"{base}.gz").read_bytes()


def test_checksum_mismatch_leaves_no_file_and_tries_next_mirror(tmp_path, mirror):
    dest = with_real_files(tmp_path / "dest", BASES[:3])
    with pytest.raises(DataNotFoundError) as info:
        fetch_dataset("mnist", dest, mirrors=[mirror.url("bad")], allow_http_loopback=True)
    message = str(info.value)
    expected = DATASETS["mnist"]["files"]["t10k-labels-idx1-ubyte"]
    assert "could not fetch t10k-labels-idx1-ubyte.gz from any mirror" in message
    assert (
        "SHA-256 of the decompressed content is " in message and f"expected {expected}" in message
    )
    assert sorted(p.name for p in dest.iterdir()) == sorted(
        [".lock"] + [b + ".gz" for b in BASES[:3]]
    )

    mirrors = [mirror.url("bad"), mirror.url("good")]
    assert fetch_dataset("mnist", dest, mirrors=mirrors, allow_http_loopback=True) == dest
    assert mirror.counts == {
        ("bad", "t10k-labels-idx1-ubyte.gz"): 2,
        ("good", "t10k-labels-idx1-ubyte.gz"): 1,
    }
    np.testing.assert_array_equal(
        read_idx(dest / "t10k-labels-idx1-ubyte.gz"),
        read_idx(real_mnist() / "t10k-labels-idx1-ubyte.gz"),
    )


def test_dead_mirrors_fall_back_to_next(tmp_path, mirror):
    dest = with_real_files(tmp_path / "dest", BASES[:2])
    dead, missing = closed_port_url(), mirror.url("missing")
    with pytest.raises(DataNotFoundError) as info:
        fetch_dataset("mnist", dest, mirrors=[dead, missing], allow_http_loopback=True)
    message = str(info.value)
    assert f"{dead}t10k-images-idx3-ubyte.gz: cannot connect" in message
    assert f"{missing}t10k-images-idx3-ubyte.gz: HTTP 404" in message

    fetch_dataset("mnist", dest, mirrors=[dead, missing, mirror.url("good")], progress=False)
    assert mirror.counts == {
        ("missing", "t10k-images-idx3-ubyte.gz"): 2,
        ("missing", "t10k-labels-idx1-ubyte.gz"): 1,
        ("good", "t10k-images-idx3-ubyte.gz"): 1,
        ("good", "t10k-labels-idx1-ubyte.gz"): 1,
    }
    assert locate_dataset("mnist", dest) == dest


def test_progress_bar_on_a_terminal_only(tmp_path, mirror, capsys, monkeypatch):
    dest = with_real_files(tmp_path / "dest", BASES[:3])
    fetch_dataset("mnist", dest, mirrors=[mirror.url("good")], progress=True)
    assert capsys.readouterr().err == ""  # not a terminal: a log gets no bar
    for progress, shown in ((True, True), (False, False)):
        (dest / "t10k-labels-idx1-ubyte.gz").unlink()
        monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
        fetch_dataset("mnist", dest, mirrors=[mirror.url("good")], progress=progress)
        assert ("t10k-labels-idx1-ubyte.gz" in capsys.readouterr().err) == shown


def test_existing_corrupt_file_is_reported_not_replaced(tmp_path, mirror):
    dest = with_real_files(tmp_path / "dest", BASES[:3])
    (dest / "t10k-labels-idx1-ubyte.gz").write_bytes(corrupted_test_labels())
    before = snapshot(dest)
    with pytest.raises(DataNotFoundError, match="t10k-labels-idx1-ubyte.gz: SHA-256 .*delete it"):
        fetch_dataset("mnist", dest, mirrors=[mirror.url("good")])
    assert snapshot(dest) == before and not mirror.counts


def test_plain_http_is_refused(tmp_path, monkeypatch, mirror):
    monkeypatch.delenv("NUMPYNN_ALLOW_HTTP_LOOPBACK")
    dest = tmp_path / "dest"
    with pytest.raises(ValueError, match="must be an https:// URL, got scheme 'http'"):
        fetch_dataset("mnist", dest, mirrors=[mirror.url("good")])
    with pytest.raises(ValueError, match="must be an https:// URL"):
        fetch_dataset(
            "mnist", dest, mirrors=["http://example.com/mnist/"], allow_http_loopback=True
        )
    with pytest.raises(ValueError, match="must be an https:// URL, got scheme 'ftp'"):
        fetch_dataset("mnist", dest, mirrors=["ftp://127.0.0.1/"], allow_http_loopback=True)
    monkeypatch.setenv("NUMPYNN_MIRRORS", mirror.url("good"))
    with pytest.raises(ValueError, match="NUMPYNN_ALLOW_HTTP_LOOPBACK=1"):
        load_mnist()
    assert not dest.exists() and not mirror.counts


def test_concurrent_fetches_download_each_file_once(tmp_path, mirror):
    mirror.delay = 0.3  # both processes are surely running while the first downloads
    dest = tmp_path / "dest"
    src = Path(numpynn.__file__).resolve().parents[1]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(src), os.environ.get("PYTHONPATH", "")]),
    }
    code = (
        "import sys; from numpynn.data import fetch_dataset; "
        "fetch_dataset('mnist', sys.argv[1], mirrors=[sys.argv[2]], progress=False)"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(dest), mirror.url("good")], env=env)
        for _ in range(2)
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    assert mirror.counts == {("good", b + ".gz"): 1 for b in BASES}
    assert locate_dataset("mnist", dest) == dest
    assert sorted(p.name for p in dest.iterdir()) == sorted([".lock"] + [b + ".gz" for b in BASES])


@pytest.mark.parametrize(("n_train", "n_test"), [(0, 4), (6, 0)])
def test_a_data_set_without_images_is_a_clear_error(tmp_path, n_train, n_test):
    make_fake(tmp_path / "empty", n_train=n_train, n_test=n_test)
    with pytest.raises(
        ValueError, match="-idx3-ubyte.gz: holds no images; a data set needs at least one"
    ):
        load_dataset("mnist", tmp_path / "empty", download=False)


def test_a_folder_where_a_data_file_should_be_is_named_as_such(tmp_path):
    make_fake(tmp_path / "data", train_images_idx3_ubyte=None)
    (tmp_path / "data" / f"{BASES[0]}.gz").mkdir()
    with pytest.raises(
        DataNotFoundError, match=f"{BASES[0]}\\[.gz\\] \\({BASES[0]}.gz is not a regular file\\)"
    ):
        load_dataset("mnist", tmp_path / "data", download=False)
