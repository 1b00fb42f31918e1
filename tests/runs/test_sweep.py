"""Many runs at once: a worker killed mid-run fails only its own run and the rerun completes it
from its checkpoint; finished runs are recognised by their config hash; one worker per run."""

import json
import os
import signal
import threading
import time
from pathlib import Path

import pytest

from numpynn.experiments.ablation import Grid, run_study
from numpynn.runs import train_run
from numpynn.runs.config import TrainConfig, to_toml
from numpynn.runs.directories import RunDirectoryError
from numpynn.runs.sweep import (
    Task,
    available_cores,
    config_hash,
    finished_metrics,
    run_tasks,
    train_task,
)

QUIET = {"log": lambda line: None}


def worker_pid(run_dir: Path) -> int | None:
    """The process whose command line names ``run_dir`` (a worker is given its run directory)."""
    needle = str(run_dir.resolve()).encode()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if needle in (entry / "cmdline").read_bytes():
                    return int(entry.name)
            except OSError:
                continue
    return None


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="finds workers in /proc")
def test_a_worker_killed_mid_run_fails_only_its_own_run_which_the_rerun_completes(
    tiny_mnist_dir, tmp_path
):
    grid = Grid(widths=(256,), depths=(2,), activations=("relu", "tanh"), seeds=1)
    base = TrainConfig(epochs=15, train_size=1500, val_size=400, schedule="constant")
    victim = next(p for p in grid.points(base) if p.keys["activation"] == "relu")
    study_dir = tmp_path / "study"
    run_dir = study_dir / "runs" / victim.name
    first: dict = {}

    def study():
        first.update(
            run_study(study_dir, grid, base, data_dir=tiny_mnist_dir, jobs=2, retries=0, **QUIET)
        )

    thread = threading.Thread(target=study)
    thread.start()
    deadline = time.monotonic() + 120
    while not (run_dir / "checkpoints" / "last.json").exists():  # its first epoch is done
        assert time.monotonic() < deadline and thread.is_alive()
        time.sleep(0.005)
    os.kill(worker_pid(run_dir), signal.SIGKILL)
    thread.join()

    assert not (run_dir / "metrics.json").exists()
    [failure] = first["failures"]
    assert failure["run"] == victim.name and failure["error"] == "killed by SIGKILL (exit code -9)"
    assert [row["activation"] for row in first["results"]] == ["tanh"]  # the other run finished
    report = (study_dir / "REPORT.md").read_text()
    assert f"`{victim.name}` | 1 | killed by SIGKILL (exit code -9)" in report

    again = run_study(study_dir, grid, base, data_dir=tiny_mnist_dir, jobs=2, **QUIET)
    assert again["failures"] == [] and len(again["results"]) == 2
    assert "resuming" in (run_dir / "train.log").read_text()  # from its checkpoint
    [resumed] = [row for row in again["results"] if row["run"] == victim.name]
    alone = train_run(
        victim.config, tmp_path / "alone", data_dir=tiny_mnist_dir, figures=False, **QUIET
    )
    assert resumed["test_accuracy"] == alone["test_accuracy"]
    assert resumed["val_accuracy"] == alone["val_accuracy"]


def test_workers_get_the_blas_threads_asked_for_and_record_them(tiny_mnist_dir, tmp_path):
    config = TrainConfig(hidden=[8], epochs=1, train_size=200, val_size=100)
    task = Task(config, tmp_path / "run")
    [outcome] = run_tasks(
        [task], data_dir=tiny_mnist_dir, threads=2, keep_checkpoints=True, **QUIET
    )
    assert outcome.status == "done" and outcome.attempts == 1
    assert (task.run_dir / "checkpoints" / "last.json").exists()  # kept, as asked
    manifest = json.loads((task.run_dir / "manifest.json").read_text())
    assert manifest["threads"] == {
        k: "2" for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
    }
    assert manifest["blas"]["num_threads"] == 2

    [again] = run_tasks([task], data_dir=tiny_mnist_dir, **QUIET)
    assert again.status == "skipped" and again.metrics == outcome.metrics


def test_a_finished_run_counts_only_with_the_same_config(tmp_path):
    config = TrainConfig(hidden=[8], epochs=1)
    task = Task(config, tmp_path)
    assert finished_metrics(task) is None  # nothing there
    (tmp_path / "config.toml").write_text(to_toml(config.to_dict()))
    (tmp_path / "metrics.json").write_text('{"test_accuracy": 0.5}')
    assert finished_metrics(task) == {"test_accuracy": 0.5}
    (tmp_path / "config.toml").write_text(to_toml(config.to_dict() | {"epochs": 2}))
    assert finished_metrics(task) is None  # another config: it would be trained again
    with pytest.raises(ValueError, match="holds a run of another config; delete that folder"):
        payload = {"config": config.to_dict(), "run_dir": str(tmp_path), "data_dir": None,
                   "threads": 1, "figures": False, "keep_checkpoints": False}  # fmt: skip
        train_task(payload, log=lambda line: None)


def test_config_hash_names_the_config_and_ignores_unset_keys():
    config = TrainConfig(hidden=[8])
    assert config_hash(config) == config_hash(TrainConfig(hidden=[8]))
    assert config_hash(config) != config_hash(TrainConfig(hidden=[8], seed=1))
    assert config_hash(config) != config_hash(TrainConfig(hidden=[8], train_size=100))
    assert config_hash(TrainConfig(train_size=None)) == config_hash(TrainConfig())


@pytest.mark.skipif(os.name != "posix", reason="the run lock uses fcntl")
def test_two_workers_never_train_the_same_run_directory(tmp_path):
    import fcntl

    payload = {"config": TrainConfig(hidden=[8]).to_dict(), "run_dir": str(tmp_path),
               "data_dir": None, "threads": 1, "figures": False, "keep_checkpoints": False}  # fmt: skip
    with open(tmp_path / ".lock", "a+") as lock:  # another worker holds the run
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(RunDirectoryError, match="is being written by another process"):
            train_task(payload, log=lambda line: None)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".lock"]  # it wrote nothing


def test_available_cores_is_what_this_process_may_use():
    assert 1 <= available_cores() <= os.cpu_count()
