from pathlib import Path

import numpy as np
import pytest
from paths import real_mnist
from train_process import finish, start_train


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
