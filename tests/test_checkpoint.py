"""Checkpoints and exact resume: interrupted runs continue bit-identically; damaged checkpoints
are refused with a clear error and never replace the last good one."""

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import numpynn as nn
from numpynn import cli
from numpynn.checkpoint import (
    CheckpointError,
    clean_checkpoints,
    load_checkpoint_model,
    restore_checkpoint,
    save_checkpoint,
)
from numpynn.config import TrainConfig
from numpynn.training import TrainState

SRC = str(Path(nn.__file__).parents[1])
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


@pytest.fixture(scope="module")
def reference(tmp_path_factory, tiny_mnist_dir):
    """The uninterrupted run that every interrupted one must reproduce exactly."""
    out = tmp_path_factory.mktemp("reference") / "run"
    code, err = finish(start_train(tiny_mnist_dir, out, "--epochs", "6"))
    assert code == 0, err
    return out


@pytest.mark.parametrize("after_epoch", [1, 2])
def test_sigint_at_a_random_batch_then_resume_is_bit_identical(
    reference, tiny_mnist_dir, tmp_path, after_epoch
):
    out = tmp_path / "run"
    process = start_train(tiny_mnist_dir, out, "--epochs", "6")
    wait_for_line(process, f"epoch {after_epoch}/6")
    time.sleep(random.Random(after_epoch).uniform(0, 0.05))  # somewhere in the next epoch
    process.send_signal(signal.SIGINT)
    code, message = finish(process)
    assert code == 130
    assert re.search(r"interrupted at epoch \d, batch \d+; checkpoint saved in", message)
    assert f"resume with: numpynn train --resume {out} --data-dir {tiny_mnist_dir}" in message
    assert not (out / "model.npz").exists()
    resume(tiny_mnist_dir, out)
    assert_same_run(reference, out)


def test_sigkill_between_epochs_then_resume_is_bit_identical(reference, tiny_mnist_dir, tmp_path):
    out = tmp_path / "run"
    process = start_train(tiny_mnist_dir, out, "--epochs", "6")
    wait_for_line(process, "epoch 1/6")  # printed after the epoch's checkpoint is saved
    process.kill()
    finish(process)
    resume(tiny_mnist_dir, out)
    assert_same_run(reference, out)


def test_sigterm_also_stops_cleanly(tiny_mnist_dir, tmp_path):
    process = start_train(tiny_mnist_dir, tmp_path / "run", "--epochs", "300")
    wait_for_line(process, "epoch   1/300")
    process.send_signal(signal.SIGTERM)
    code, message = finish(process)
    assert code == 130 and "resume with: numpynn train --resume" in message


def test_resume_refuses_flags_that_differ_from_the_run(reference, capsys):
    default_lr = str(TrainConfig().lr)  # the run's lr: the same value is not a difference
    code = cli.main(["train", "--resume", str(reference), "--hidden", "32", "--lr", default_lr])
    err = capsys.readouterr().err
    assert code == 2
    assert "differ from the run's config in hidden (run: [64], flag: [32])" in err
    assert "lr" not in err.split("config in")[1]  # the same value is not a difference


# ---- the checkpoint files --------------------------------------------------------------------


def small_run(tmp_path, hidden=8):
    model = nn.mlp([5, hidden, 3], dropout=0.1, seed=0)
    optimizer = nn.Adam(model.parameters())
    rngs = {"model": np.random.default_rng(1), "shuffle": np.random.default_rng(2)}
    x, labels = (
        np.random.default_rng(3).standard_normal((64, 5)).astype(np.float32),
        np.arange(64) % 3,
    )
    state = TrainState()
    nn.fit(
        model,
        nn.SoftmaxCrossEntropy(),
        optimizer,
        (x, labels),
        (x, labels),
        epochs=2,
        rng=rngs["shuffle"],
        state=state,
    )
    folder = tmp_path / "checkpoints"
    save_checkpoint(folder, ["last"], model, optimizer, state, rngs, {"hidden": [hidden]})
    return folder, model, optimizer, rngs


def test_checkpoint_round_trip_without_pickle(tmp_path):
    folder, model, optimizer, rngs = small_run(tmp_path)
    manifest = json.loads((folder / "last.json").read_text())
    with np.load(folder / manifest["arrays"], allow_pickle=False) as archive:
        assert "model/dense0.W" in archive.files and "optimizer/state.0.grad_sum" in archive.files
    other, other_opt = nn.mlp([5, 8, 3], dropout=0.1, seed=9), None
    other_opt = nn.Adam(other.parameters())
    fresh = {"model": np.random.default_rng(7), "shuffle": np.random.default_rng(7)}
    state = restore_checkpoint(folder / "last.json", other, other_opt, fresh)
    assert state.epoch == 2 and other_opt.t == optimizer.t
    for p, q in zip(model.parameters(), other.parameters(), strict=True):
        np.testing.assert_array_equal(p.value, q.value)
    assert fresh["shuffle"].random() == rngs["shuffle"].random()
    assert repr(load_checkpoint_model(folder / "last.json")) == repr(model)


def test_truncated_corrupted_and_torn_checkpoints_are_refused(tmp_path):
    folder, model, optimizer, rngs = small_run(tmp_path)
    manifest = json.loads((folder / "last.json").read_text())
    arrays = folder / manifest["arrays"]
    good = arrays.read_bytes()
    arrays.write_bytes(good[: len(good) // 2])
    with pytest.raises(
        CheckpointError,
        match="SHA-256 .* does not match the manifest; the checkpoint is damaged or torn",
    ):
        restore_checkpoint(folder / "last.json", model, optimizer, rngs)
    arrays.write_bytes(good)
    (folder / "last.json").write_text("{not json")
    with pytest.raises(CheckpointError, match="not a readable checkpoint manifest"):
        restore_checkpoint(folder / "last.json", model, optimizer, rngs)
    with pytest.raises(CheckpointError, match="does not exist; there is no checkpoint"):
        restore_checkpoint(tmp_path / "nowhere.json", model, optimizer, rngs)


def test_checkpoint_of_another_architecture_is_refused_before_reading(tmp_path):
    folder, *_ = small_run(tmp_path, hidden=8)
    bigger = nn.mlp([5, 16, 3], dropout=0.1, seed=0)
    before = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    with pytest.raises(
        ValueError, match=r"dense0.W has shape \(5, 8\) float32, the architecture needs \(5, 16\)"
    ):
        restore_checkpoint(folder / "last.json", bigger, nn.Adam(bigger.parameters()), {})
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == before  # nothing rewritten


def test_resume_of_a_run_with_a_damaged_checkpoint_fails_and_keeps_it(
    reference, tmp_path, tiny_mnist_dir, capsys
):
    import shutil

    run = tmp_path / "run"
    shutil.copytree(reference, run)
    manifest = run / "checkpoints" / "last.json"
    manifest.write_text(manifest.read_text().replace('"sha256": "', '"sha256": "0'))
    kept = manifest.read_bytes()
    assert (
        cli.main(["train", "--resume", str(run), "--data-dir", str(tiny_mnist_dir), "--quiet"]) == 1
    )
    assert "damaged or torn" in capsys.readouterr().err
    assert manifest.read_bytes() == kept


KILL_SCRIPT = """
import sys, numpy as np, numpynn as nn
from numpynn.checkpoint import save_checkpoint
from numpynn.training import TrainState
model = nn.mlp([784, 256, 10], seed=0)
opt = nn.Adam(model.parameters())
rngs = {"shuffle": np.random.default_rng(0)}
print("ready", flush=True)
while True:
    for p in model.parameters():
        p.grad[...] = 1e-3
    opt.step()
    save_checkpoint(sys.argv[1], ["last"], model, opt, TrainState(), rngs, {})
"""


def test_sigkill_during_saves_always_leaves_a_loadable_checkpoint(tmp_path):
    folder = tmp_path / "checkpoints"
    env = os.environ | {"PYTHONPATH": SRC}
    model = nn.mlp([784, 256, 10], seed=0)
    rng = random.Random(0)
    steps = []
    for _ in range(12):
        process = subprocess.Popen(
            [sys.executable, "-c", KILL_SCRIPT, str(folder)],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        process.stdout.readline()
        time.sleep(rng.uniform(0.05, 0.4))
        process.kill()
        process.communicate()
        if not (folder / "last.json").exists():
            continue  # killed before the first save finished
        state = restore_checkpoint(folder / "last.json", model, nn.Adam(model.parameters()), {})
        assert state.epoch == 0
        steps.append(json.loads((folder / "last.json").read_text())["optimizer"]["t"])
        clean_checkpoints(folder)  # what the next start does
        assert sorted(p.suffix for p in folder.iterdir()) == [".json", ".npz"]
    assert len(steps) >= 8


def test_early_stopping_restores_the_best_weights():
    rng = np.random.default_rng(0)
    x, labels = rng.standard_normal((40, 20)).astype(np.float32), rng.integers(0, 3, 40)
    x_val, labels_val = (
        rng.standard_normal((40, 20)).astype(np.float32),
        rng.integers(0, 3, 40),
    )  # noise: overfits
    model = nn.mlp([20, 64, 3], seed=0)
    snapshots = []
    history = nn.fit(model, nn.SoftmaxCrossEntropy(), nn.Adam(model.parameters(), lr=0.01), (x, labels), (x_val, labels_val),
                     epochs=50, batch_size=8, patience=3,
                     on_epoch_end=lambda s: snapshots.append([p.value.copy() for p in model.parameters()]))  # fmt: skip
    best = int(np.argmin(history["val_loss"]))
    assert len(history) == best + 1 + 3 < 50
    for p, kept in zip(model.parameters(), snapshots[best], strict=True):
        np.testing.assert_array_equal(p.value, kept)


def test_every_run_records_a_manifest(reference):
    manifest = json.loads((reference / "manifest.json").read_text())
    assert manifest["seed"] == 0 and manifest["config"]["hidden"] == [64]
    assert {"numpynn", "numpy", "python"} <= set(manifest["versions"])
    assert manifest["blas"] and "cpu_count" in manifest and "git_commit" in manifest
