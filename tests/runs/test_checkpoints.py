"""Checkpoints: a round trip without pickle; truncated, corrupted, torn or foreign checkpoints
refused with a clear error; a kill during a save always leaves one that loads."""

import json
import os
import random
import subprocess
import sys
import time

import numpy as np
import pytest
from train_process import SRC

import numpynn as nn
from numpynn import cli
from numpynn.runs.checkpoints import (
    CheckpointError,
    clean_checkpoints,
    load_checkpoint_model,
    restore_checkpoint,
    save_checkpoint,
)
from numpynn.training import TrainState


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
    reference_run, tmp_path, tiny_mnist_dir, capsys
):
    import shutil

    run = tmp_path / "run"
    shutil.copytree(reference_run, run)
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
from numpynn.runs.checkpoints import save_checkpoint
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
