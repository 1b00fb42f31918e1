"""Fixtures of every test: an environment that is the same on every machine, and the data; and
the PyTorch oracle's tests skipped, and counted, where torch is not installed."""

import functools
import os
from pathlib import Path

import numpy as np
import pytest
from paths import SHARED_DATA, real_mnist
from train_process import finish, start_train

from numpynn.data import DATASETS

TORCH_MISSING = (
    "PyTorch (the gradients' oracle) is not installed: "
    "pip install torch --index-url https://download.pytorch.org/whl/cpu"
)
REQUIRE_TORCH = "NUMPYNN_REQUIRE_TORCH"  # .ci/run sets it: there a skipped oracle is an error
BLAS_THREADS = 2  # of this process and of every process a test starts
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


@pytest.fixture(scope="session", autouse=True)
def fixed_blas_threads():
    """The same BLAS threads on every machine: 1 and 2 threads round products differently, and
    tests compare runs bit for bit."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # without the sweep extra: the machine's own count
        yield
        return
    with threadpool_limits(limits=BLAS_THREADS, user_api="blas"):
        yield


@pytest.fixture(scope="session")
def isolated_folders(tmp_path_factory) -> dict[str, Path]:
    return {name: tmp_path_factory.mktemp(name) for name in ("home", "system-data")}


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch, isolated_folders):
    """What a test sees does not depend on the machine: no user cache (HOME is a temp folder),
    no system data folder (one empty temp folder stands for them), no mirror but a closed one,
    the shared data through $NUMPYNN_DATA, and fixed BLAS threads for child processes."""
    for var in ("XDG_CACHE_HOME", "NUMPYNN_ALLOW_HTTP_LOOPBACK"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(isolated_folders["home"]))
    monkeypatch.setenv("NUMPYNN_MIRRORS", "https://127.0.0.1:9/")  # the discard port: refused
    monkeypatch.setenv("NUMPYNN_DATA", str(SHARED_DATA))
    for var in THREAD_VARIABLES:
        monkeypatch.setenv(var, str(BLAS_THREADS))
    for name, spec in DATASETS.items():
        system = [isolated_folders["system-data"] / name] if spec["system_dirs"] else []
        monkeypatch.setitem(spec, "system_dirs", system)


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    """The real MNIST files: $NUMPYNN_DATA/mnist (CI sets it), else ../shared/data/mnist."""
    return real_mnist()


@pytest.fixture(scope="session")
def mnist(mnist_dir):
    from numpynn.data import load_mnist

    return load_mnist(mnist_dir, download=False, progress=False)


@pytest.fixture(scope="session")
def tiny_mnist_dir(tmp_path_factory, mnist_dir) -> Path:
    """A small MNIST-format data set (2,000 training and 500 test images of the real data)."""
    from numpynn.data import read_idx, write_idx

    folder = tmp_path_factory.mktemp("tiny-mnist")
    for split, count in (("train", 2000), ("t10k", 500)):
        for kind, dims in (("images", "idx3"), ("labels", "idx1")):
            name = f"{split}-{kind}-{dims}-ubyte"
            write_idx(folder / name, read_idx(mnist_dir / f"{name}.gz")[:count])
    return folder


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.fixture(scope="session")
def reference_run(tmp_path_factory, tiny_mnist_dir) -> Path:
    """An uninterrupted 6-epoch run of ``numpynn train`` (in a child process, as a user runs it):
    every interrupted run must reproduce it exactly."""
    out = tmp_path_factory.mktemp("reference") / "run"
    code, err = finish(start_train(tiny_mnist_dir, out, "--epochs", "6"))
    assert code == 0, err
    return out


@functools.cache
def torch_error() -> str | None:
    """Why ``import torch`` fails, or None when it works."""
    try:
        import torch  # noqa: F401
    except ImportError as error:
        return str(error)
    return None


def pytest_collection_modifyitems(config, items):
    """Without torch, the oracle's tests are skipped, or, with NUMPYNN_REQUIRE_TORCH=1 (CI), the
    run stops before any test: an oracle that never runs checks nothing."""
    if os.environ.get(REQUIRE_TORCH) == "1" and torch_error() is not None:
        if any(item.get_closest_marker("torch_oracle") for item in items):
            raise pytest.UsageError(
                f"{REQUIRE_TORCH}=1 but the oracle's tests cannot run: {torch_error()}; "
                f"install it ({TORCH_MISSING.split(': ', 1)[1]}) or unset {REQUIRE_TORCH}"
            )


def pytest_runtest_setup(item):
    if item.get_closest_marker("torch_oracle") and torch_error() is not None:
        pytest.skip(TORCH_MISSING)


def pytest_terminal_summary(terminalreporter):
    """One line saying how many tests the missing PyTorch skipped, and how to install it."""
    skipped = [report for report in terminalreporter.stats.get("skipped", [])
               if isinstance(report.longrepr, tuple) and report.longrepr[2].endswith(TORCH_MISSING)]  # fmt: skip
    if skipped:
        terminalreporter.write_line(f"{len(skipped)} tests skipped: {TORCH_MISSING}", yellow=True)
