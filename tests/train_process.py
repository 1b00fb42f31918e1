"""``numpynn train`` in a child process, as a user runs it, so that a test can stop it with a
signal at any moment and check what the run left behind."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import paths

import numpynn as nn

SRC = str(paths.SRC)  # the child imports this numpynn


FLAGS = ["--hidden", "64", "--dropout", "0.1", "--batch-size", "16", "--val-size", "200", "--quiet"]


def start_train(data_dir, out, *extra):
    env = os.environ | {"PYTHONPATH": SRC, "PYTHONUNBUFFERED": "1"}
    argv = [
        sys.executable,
        "-m",
        "numpynn",
        "train",
        "--data-dir",
        str(data_dir),
        "--out",
        str(out),
        *FLAGS,
        *extra,
    ]
    return subprocess.Popen(
        argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def finish(process) -> tuple[int, str]:
    """Wait for the process, close its pipes; its exit code and standard error."""
    with process:  # closes the pipes
        _, err = process.communicate(timeout=300)
    return process.returncode, err


def resume(data_dir, out):
    """`numpynn train --resume` in a new process, as a user would run it (and with the same BLAS
    threads as the run it continues: 1-thread and 2-thread products round differently)."""
    env = os.environ | {"PYTHONPATH": SRC}
    argv = [
        sys.executable,
        "-m",
        "numpynn",
        "train",
        "--resume",
        str(out),
        "--data-dir",
        str(data_dir),
        "--quiet",
    ]
    result = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr


def wait_for_line(process, prefix):
    for line in process.stdout:
        if line.startswith(prefix):
            return line
    raise AssertionError(f"the run ended before printing {prefix!r}: {process.stderr.read()}")


def assert_same_run(a: Path, b: Path):
    """Identical weights, history (but its `seconds` column) and per-batch losses."""
    for p, q in zip(
        nn.load(a / "model.npz").parameters(), nn.load(b / "model.npz").parameters(), strict=True
    ):
        np.testing.assert_array_equal(p.value, q.value)
    rows = [
        [line.rsplit(",", 1)[0] for line in (d / "history.csv").read_text().splitlines()]
        for d in (a, b)
    ]
    assert rows[0] == rows[1]
    losses = [json.loads((d / "history.json").read_text())["batch_loss"] for d in (a, b)]
    assert losses[0] == losses[1]
