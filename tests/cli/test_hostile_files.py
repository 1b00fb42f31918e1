"""Hostile files through the command line, as a user (or an attacker) gives them: each is one
line on standard error with the file named, exit code 1, within seconds, and the process never
grows past a few hundred MB, whatever the file declares."""

import gzip
import io
import json
import os
import subprocess
import sys
import zipfile

import numpy as np
import paths
import pytest
from figures import blank_png

import numpynn as nn

MEASURE = """
import resource, subprocess, sys
result = subprocess.run(sys.argv[1:], capture_output=True, text=True, timeout=60)
peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(result.returncode, peak_kb, result.stderr.strip().replace(chr(10), " | "), sep="\\t")
"""


def numpynn_measured(*args) -> tuple[int, float, str]:
    """Exit code, peak resident memory in MB and standard error of ``numpynn ARGS`` in a child."""
    env = os.environ | {"PYTHONPATH": str(paths.SRC), "MPLBACKEND": "Agg"}
    command = [sys.executable, "-c", MEASURE, sys.executable, "-m", "numpynn", *map(str, args)]
    out = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120).stdout
    code, peak_kb, err = out.rstrip("\n").split("\t")
    return int(code), int(peak_kb) / 1024, err


def wide_model(path) -> None:
    """27 KB that declare a 784 x 300,000 layer (940 MB of float32 weights)."""
    model = nn.mlp([784, 8, 10], seed=0)
    header = {"format": "numpynn.model/1", "layers": [{"type": type(layer).__name__, **layer.config()} for layer in model.layers]}  # fmt: skip
    header["layers"][0]["out_features"] = 300_000
    np.savez(
        path, header=np.array(json.dumps(header)), **{p.name: p.value for p in model.parameters()}
    )


def bomb_data(folder) -> None:
    """MNIST's files, but the training images a 1 MB gzip of 1.3 million blank images."""
    folder.mkdir()
    for name in ("train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        (folder / f"{name}.gz").write_bytes((paths.real_mnist() / f"{name}.gz").read_bytes())
    with gzip.open(folder / "train-images-idx3-ubyte.gz", "wb") as f:
        f.write(bytes([0, 0, 8, 3]) + b"".join(n.to_bytes(4, "big") for n in (1_300_000, 28, 28)))
        for _ in range(130):
            f.write(bytes(28 * 28 * 10_000))


@pytest.mark.parametrize(
    "case", ["wide model", "huge picture", "gzip bomb", "fifo model", "folder model"]
)
def test_a_hostile_file_is_one_line_exit_1_and_bounded_memory(tmp_path, case, tiny_mnist_dir):
    if case == "wide model":
        wide_model(tmp_path / "model.npz")
        args = ["evaluate", tmp_path / "model.npz", "--data-dir", tiny_mnist_dir]
    elif case == "huge picture":
        nn.save(nn.mlp([784, 8, 10], seed=0), tmp_path / "model.npz")
        (tmp_path / "photo.png").write_bytes(blank_png(12000, 12000))
        args = ["predict", tmp_path / "model.npz", tmp_path / "photo.png"]
    elif case == "gzip bomb":
        bomb_data(tmp_path / "data")
        args = ["train", "--data-dir", tmp_path / "data", "--out", tmp_path / "run", "--quiet"]
    elif case == "fifo model":
        os.mkfifo(tmp_path / "model.npz")
        args = ["evaluate", tmp_path / "model.npz", "--data-dir", tiny_mnist_dir]
    else:
        (tmp_path / "model.npz").mkdir()
        args = ["predict", tmp_path / "model.npz", tmp_path / "model.npz"]
    code, peak_mb, err = numpynn_measured(*args)
    assert code == 1 and err.startswith("error: ") and " | " not in err, err
    assert peak_mb < 500, f"{case}: {peak_mb:.0f} MB"
    assert not (tmp_path / "run").exists()  # a failed run leaves no folder behind


def forged_npz(path, shape: tuple, compressed_zeros: int = 0) -> None:
    """An .npz whose x declares ``shape`` (float32): followed by nothing, or, compressed, by
    ``compressed_zeros`` zero bytes (a zip bomb: a few hundred KB that inflate to that many)."""
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f4", "fortran_order": False, "shape": shape}
    )
    labels = io.BytesIO()
    np.save(labels, np.arange(shape[0] if compressed_zeros else 2) % 2)
    kind = zipfile.ZIP_DEFLATED if compressed_zeros else zipfile.ZIP_STORED
    with zipfile.ZipFile(path, "w", kind) as archive:
        with archive.open("x.npy", "w", force_zip64=True) as f:
            f.write(header.getvalue())
            for _ in range(compressed_zeros // (1 << 24)):
                f.write(bytes(1 << 24))
        archive.writestr("y.npy", labels.getvalue())


@pytest.mark.parametrize("case", ["endless line", "huge declared npz", "npz bomb", "fifo csv"])
def test_a_hostile_data_file_is_one_line_exit_2_and_bounded_memory(tmp_path, case):
    """``train --data FILE``: a file that cannot be data is a usage error, found before a run
    directory is made, within bounded memory."""
    if case == "endless line":
        path = tmp_path / "data.csv"
        with open(path, "wb") as f:  # one line of 40 MB of cells: refused before it is split
            for _ in range(40):
                f.write(b"1," * (1 << 19))
    elif case == "huge declared npz":
        path = tmp_path / "data.npz"
        forged_npz(path, (10**5, 10**5))
    elif case == "npz bomb":
        path = tmp_path / "data.npz"
        forged_npz(path, (2**25 // 16, 16), compressed_zeros=2**27)  # 128 MB of zeros
    else:
        path = tmp_path / "data.csv"
        os.mkfifo(path)
    code, peak_mb, err = numpynn_measured("train", "--data", path, "--out", tmp_path / "run")
    assert code == 2 and err.startswith(f"error: {path}: ") and " | " not in err, err
    assert peak_mb < 300, f"{case}: {peak_mb:.0f} MB"
    assert not (tmp_path / "run").exists()
