"""Run directories: a new one never overwrites anything; a saved run, model or checkpoint opens."""

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import paths
import pytest

import numpynn as nn
from numpynn.runs import TrainConfig, train_run
from numpynn.runs.directories import RunDirectoryError, lock_run_dir, new_run_dir, open_model


def test_a_new_run_directory_is_named_by_time_and_nothing_is_created(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = new_run_dir(None, "mnist")
    assert out.parent == Path("runs") and re.fullmatch(r"mnist-\d{8}-\d{6}", out.name)
    assert not (tmp_path / "runs").exists()
    (tmp_path / "empty").mkdir()
    assert new_run_dir(tmp_path / "empty", "mnist") == tmp_path / "empty"


def test_a_folder_holding_something_is_refused_unless_it_is_the_same_study(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(RunDirectoryError, match="exists and is not empty") as error:
        new_run_dir(tmp_path, "mnist")
    assert error.value.path == tmp_path and (tmp_path / "notes.txt").read_text() == "mine"
    with pytest.raises(RunDirectoryError, match="is neither empty nor a study folder"):
        new_run_dir(tmp_path, "ablation", study_file="study.json")
    (tmp_path / "study.json").write_text("{}")
    assert new_run_dir(tmp_path, "ablation", study_file="study.json") == tmp_path


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory, tiny_mnist_dir):
    out = tmp_path_factory.mktemp("runs") / "run"
    config = TrainConfig(hidden=[8], epochs=1, val_size=100, seed=3)
    train_run(config, out, data_dir=tiny_mnist_dir, figures=False, log=lambda _: None)
    return out


def test_a_run_a_model_file_and_a_checkpoint_open_with_their_config(run_dir, tmp_path):
    model, config, path = open_model(run_dir)
    assert path == run_dir / "model.npz" and config.seed == 3 and config.hidden == [8]
    saved = nn.load(run_dir / "model.npz")
    for p, q in zip(model.parameters(), saved.parameters(), strict=True):
        np.testing.assert_array_equal(p.value, q.value)
    checkpoints = run_dir / "checkpoints"
    for given in (checkpoints, checkpoints / "last.json"):
        model, config, path = open_model(given)
        assert path == checkpoints / "last.json" and config.seed == 3
    nn.save(model, tmp_path / "alone.npz")  # a model file outside any run: the default config
    assert open_model(tmp_path / "alone.npz")[1] == TrainConfig()


def test_a_missing_path_says_what_to_give(tmp_path):
    with pytest.raises(
        FileNotFoundError, match="give a run directory, a model .npz or a checkpoint"
    ):
        open_model(tmp_path / "nothing")


HOLD = """
import sys, time
from numpynn.runs.directories import lock_run_dir
with lock_run_dir(sys.argv[1]):
    print("held", flush=True)
    time.sleep(60)
"""


def test_a_run_directory_is_held_by_one_process_which_the_other_is_told(tmp_path):
    env = os.environ | {"PYTHONPATH": str(paths.SRC)}
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path / "run")], env=env,
                              stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert holder.stdout.readline() == "held\n"
        with pytest.raises(
            RunDirectoryError, match=f"run is being written by process {holder.pid}; wait"
        ):
            with lock_run_dir(tmp_path / "run"):
                pass
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    with lock_run_dir(tmp_path / "run"), lock_run_dir(tmp_path / "run"):  # this process, twice
        (tmp_path / "run" / "config.toml").write_text("")
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == [".lock", "config.toml"]


def test_a_folder_the_lock_created_and_nothing_else_wrote_to_is_removed(tmp_path):
    with pytest.raises(KeyboardInterrupt):
        with lock_run_dir(tmp_path / "new"):
            raise KeyboardInterrupt  # e.g. Ctrl-C while the data loads
    assert not (tmp_path / "new").exists()
    (tmp_path / "old").mkdir()
    with lock_run_dir(tmp_path / "old"):
        pass
    assert (tmp_path / "old").is_dir()  # a folder that was there stays
