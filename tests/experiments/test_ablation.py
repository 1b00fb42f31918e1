"""The ablation study end to end: a tiny grid in parallel, every file it writes, a study killed
half-way and continued, the Dask path, and the grid's seeds and validation."""

import csv
import json
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import paths
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import numpynn as nn
from numpynn import cli
from numpynn.experiments.ablation import (
    PRESETS,
    Grid,
    load_grid,
    resolve_study,
    run_seed,
    run_study,
)
from numpynn.experiments.ablation_report import FIGURES
from numpynn.runs import train_run
from numpynn.runs.config import TrainConfig

SRC = str(paths.SRC)


GRID = Grid(widths=(16, 32), depths=(1, 2), activations=("relu", "sigmoid"), seeds=2)


BASE = TrainConfig(epochs=2, train_size=600, val_size=400, batch_size=32)


FLAGS = ["--widths", "16,32", "--depths", "1,2", "--activations", "relu,sigmoid", "--seeds", "2",
         "--epochs", "2", "--train-size", "600", "--val-size", "400", "--batch-size", "32",
         "--jobs", "2", "--quiet"]  # fmt: skip


RUN_FILES = {"config.toml", "manifest.json", "history.csv", "history.json", "metrics.json",
             "model.npz", "data.json", "train.log", ".lock"}  # fmt: skip


STUDY_FILES = {"study.json", "results.csv", "summary.csv", "failures.csv", "REPORT.md", "runs",
               *FIGURES}  # fmt: skip


def read_csv(path) -> list[dict]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def without_seconds(rows: list[dict]) -> list[dict]:
    """Rows minus the training time, the one column no two trainings reproduce."""
    return [{k: v for k, v in row.items() if k != "seconds"} for row in rows]


@pytest.fixture(scope="module")
def reference(tiny_mnist_dir, tmp_path_factory):
    """The tiny grid (2 widths x 2 depths x 2 activations x 2 seeds), uninterrupted, 2 workers."""
    out = tmp_path_factory.mktemp("ablation") / "reference"
    assert cli.main(["ablate", *FLAGS, "--data-dir", str(tiny_mnist_dir), "--out", str(out)]) == 0
    return out


def test_the_study_writes_every_file(reference):
    assert {p.name for p in reference.iterdir()} == STUDY_FILES  # and nothing else
    results = read_csv(reference / "results.csv")
    assert len(results) == 16 and read_csv(reference / "failures.csv") == []
    assert list(results[0]) == ["run", "width", "depth", "activation", "optimizer", "lr",
                                "replicate", "seed", "parameters", "test_accuracy", "test_loss",
                                "val_accuracy", "train_loss", "epochs", "seconds"]  # fmt: skip
    runs = sorted(p.name for p in (reference / "runs").iterdir())
    assert runs == sorted(r["run"] for r in results)
    for row in results:
        run_dir = reference / "runs" / row["run"]
        assert {p.name for p in run_dir.iterdir()} == RUN_FILES  # no per-run figures by default
        metrics = json.loads((run_dir / "metrics.json").read_text())
        assert float(row["test_accuracy"]) == metrics["test_accuracy"]
        assert metrics["test_accuracy"] > (
            0.5 if row["activation"] == "relu" else 0.1
        )  # chance 0.1
        assert int(row["parameters"]) == metrics["parameters"]
        config = nn.runs.load_config(run_dir / "config.toml")
        assert config.hidden == [int(row["width"])] * int(row["depth"])
        assert config.seed == int(row["seed"]) == run_seed(0, int(row["replicate"]))
        manifest = json.loads((run_dir / "manifest.json").read_text())
        assert manifest["threads"]["OPENBLAS_NUM_THREADS"] == "1"  # one BLAS thread per worker
        assert manifest["blas"]["num_threads"] == 1
        assert str(run_dir.resolve()) in manifest["command"]  # trained by its own worker
    for name in FIGURES:
        assert (reference / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_summary_holds_mean_and_std_over_seeds(reference):
    results, summary = read_csv(reference / "results.csv"), read_csv(reference / "summary.csv")
    assert len(summary) == 8
    for row in summary:
        seeds = [
            r for r in results if all(r[k] == row[k] for k in ("width", "depth", "activation"))
        ]
        accuracy = [float(r["test_accuracy"]) for r in seeds]
        assert int(row["runs"]) == len(seeds) == 2
        assert float(row["test_accuracy_mean"]) == pytest.approx(np.mean(accuracy), rel=1e-12)
        assert float(row["test_accuracy_std"]) == pytest.approx(np.std(accuracy, ddof=1), rel=1e-12)


def test_the_report_holds_the_table_the_findings_and_the_figures(reference):
    report = (reference / "REPORT.md").read_text()
    summary = read_csv(reference / "summary.csv")
    best = max(summary, key=lambda r: float(r["val_accuracy_mean"]))
    mean, std = 100 * float(best["test_accuracy_mean"]), 100 * float(best["test_accuracy_std"])
    assert f"**{mean:.2f} ± {std:.2f}**" in report  # the table, best cell in bold
    assert f"width {best['width']}, depth {best['depth']}, {best['activation']}" in report
    assert "**sigmoid vs depth**" in report and "16 runs: 16 finished, 0 failed" in report
    for name in FIGURES:
        assert f"]({name})" in report


def test_a_study_killed_half_way_continues_to_the_same_results(
    reference, tiny_mnist_dir, tmp_path, capsys
):
    out = tmp_path / "study"
    argv = [sys.executable, "-m", "numpynn", "ablate", *FLAGS, "--data-dir", str(tiny_mnist_dir),
            "--out", str(out)]  # fmt: skip
    env = os.environ | {"PYTHONPATH": SRC}
    study = subprocess.Popen(argv, env=env, start_new_session=True, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 120
    while len(list(out.glob("runs/*/metrics.json"))) < 8 and study.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert study.poll() is None, "the study finished before it could be killed half way"
    os.killpg(study.pid, signal.SIGKILL)  # the study and its workers, as a power cut would
    study.wait()
    finished = {p.parent.name: p.stat().st_mtime_ns for p in out.glob("runs/*/metrics.json")}
    assert 8 <= len(finished) < 16 and not (out / "results.csv").exists()

    assert cli.main(["ablate", *FLAGS, "--data-dir", str(tiny_mnist_dir), "--out", str(out)]) == 0
    assert f"{len(finished)} of 16 runs already finished: skipped" in capsys.readouterr().out
    for name, mtime in finished.items():  # skipped, not trained again
        assert (out / "runs" / name / "metrics.json").stat().st_mtime_ns == mtime
    assert without_seconds(read_csv(out / "results.csv")) == without_seconds(
        read_csv(reference / "results.csv")
    )


def test_sigterm_stops_the_study_and_its_workers_which_save_checkpoints(tiny_mnist_dir, tmp_path):
    out = tmp_path / "study"
    argv = [sys.executable, "-m", "numpynn", "ablate", *FLAGS, "--epochs", "40",
            "--data-dir", str(tiny_mnist_dir), "--out", str(out)]  # fmt: skip
    study = subprocess.Popen(argv, env=os.environ | {"PYTHONPATH": SRC}, text=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    deadline = time.monotonic() + 120
    while not list(out.glob("runs/*/checkpoints/last.json")):
        assert time.monotonic() < deadline and study.poll() is None
        time.sleep(0.01)
    study.send_signal(signal.SIGTERM)  # the study only: it stops its workers itself
    _, err = study.communicate(timeout=60)
    assert study.returncode == 130 and "rerun the same command" in err
    logs = [p.read_text() for p in out.glob("runs/*/train.log")]
    assert any("RunInterrupted: interrupted at epoch" in log for log in logs)  # checkpoint saved
    assert not list(out.glob("runs/*/metrics.json"))  # 40 epochs: none had finished
    needle = str(out.resolve()).encode()
    alive = [p for p in Path("/proc").glob("[0-9]*/cmdline") if needle in _read(p)]
    assert alive == []  # no worker left behind


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


@contextmanager
def environment_restored():
    """Dask's LocalCluster sets OMP/MKL/OPENBLAS_NUM_THREADS=1 in this process's environment for
    its workers; every later subprocess of the test session would inherit one BLAS thread."""
    saved = dict(os.environ)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def test_the_dask_path_gives_the_same_results(reference, tiny_mnist_dir, tmp_path):
    distributed = pytest.importorskip("distributed")
    options = {"n_workers": 2, "threads_per_worker": 1, "processes": True, "host": "127.0.0.1",
               "dashboard_address": ":0"}  # fmt: skip
    with environment_restored(), distributed.LocalCluster(**options) as cluster:
        study = run_study(tmp_path / "dask", GRID, BASE, data_dir=tiny_mnist_dir,
                          scheduler=cluster.scheduler_address, log=lambda line: None)  # fmt: skip
    assert study["failures"] == []
    assert without_seconds(read_csv(tmp_path / "dask" / "results.csv")) == without_seconds(
        read_csv(reference / "results.csv")
    )
    for manifest in (tmp_path / "dask" / "runs").glob("*/manifest.json"):
        assert json.loads(manifest.read_text())["blas"]["num_threads"] == 1


def test_a_run_alone_gives_the_result_it_gave_in_the_study(reference, tiny_mnist_dir, tmp_path):
    row = read_csv(reference / "results.csv")[-1]
    config = nn.runs.load_config(reference / "runs" / row["run"] / "config.toml")
    alone = train_run(config, tmp_path / "alone", data_dir=tiny_mnist_dir, figures=False,
                      log=lambda line: None)  # fmt: skip
    assert alone["test_accuracy"] == float(row["test_accuracy"])
    assert alone["val_accuracy"] == float(row["val_accuracy"])


def test_a_failed_run_is_retried_once_reported_and_does_not_stop_the_study(
    tiny_mnist_dir, tmp_path, capsys
):
    out = tmp_path / "study"
    code = cli.main(["ablate", "--widths", "16", "--depths", "1", "--activations", "relu",
                     "--optimizers", "sgd", "--lrs", "0.1,1e30", "--seeds", "1", "--epochs", "2",
                     "--train-size", "600", "--val-size", "400", "--batch-size", "32",
                     "--data-dir", str(tiny_mnist_dir), "--out", str(out), "--jobs", "2"])  # fmt: skip
    captured = capsys.readouterr()
    assert code == 1  # some run failed
    assert "attempt 1 failed (FloatingPointError: loss is nan" in captured.err + captured.out
    [failure] = read_csv(out / "failures.csv")
    assert failure["lr"] == "1e+30" and failure["attempts"] == "2"
    assert failure["error"].startswith("FloatingPointError: loss is nan at epoch 1")
    [result] = read_csv(out / "results.csv")
    assert result["lr"] == "0.1" and float(result["test_accuracy"]) > 0.3
    report = (out / "REPORT.md").read_text()
    assert "## Failed runs" in report and f"`{failure['run']}` | 2 | {failure['error']}" in report
    assert "2 runs: 1 finished, 1 failed" in report
    assert "1 seed each (" in report and "; 2 epochs, batch 32" in report


def test_each_replicate_seed_is_a_seed_sequence_child_whatever_else_the_grid_holds():
    children = np.random.SeedSequence(7).spawn(3)
    assert [run_seed(7, r) for r in range(3)] == [int(c.generate_state(1)[0]) for c in children]
    base = TrainConfig(seed=7)
    small = Grid(widths=(64,), depths=(2,), activations=("tanh",), seeds=3).points(base)
    large = Grid(widths=(16, 64), depths=(1, 2), activations=("relu", "tanh"), seeds=3).points(base)
    same = [p for p in large if p.keys["width"] == 64 and p.keys["depth"] == 2
            and p.keys["activation"] == "tanh"]  # fmt: skip
    assert [(p.name, p.config) for p in same] == [(p.name, p.config) for p in small]
    assert len({p.config.seed for p in small}) == 3


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_every_run_of_a_preset_has_its_own_directory(preset):
    grid, base = resolve_study(preset)
    points = grid.points(base)
    assert len({p.name for p in points}) == len(points)
    assert len(points) == {"default": 144, "full": 320}[preset]


@pytest.mark.parametrize(
    ("grid", "message"),
    [
        ({"widths": (16, 16)}, r"ablate: widths must not repeat a value, got \[16, 16\]"),
        ({"depths": (0,)}, r"ablate: depths must be integers >= 1, got 0"),
        ({"activations": ("rleu",)}, r"activations must be names from: identity, .*got 'rleu'"),
        ({"optimizers": ("nesterov",)}, r"grid point width 16, .*optimizer nesterov.*nesterov needs momentum > 0"),
        ({"lrs": (0.1, -1.0)}, r"ablate: lrs must be numbers > 0, got -1.0"),
        ({"seeds": 0}, r"ablate: seeds must be an integer >= 1, got 0"),
        ({"seeds": 2**40}, r"ablate: the grid declares 1,099,511,627,776 runs .*more than 100,000"),
    ],
)  # fmt: skip
def test_the_whole_grid_is_validated_before_any_run_starts(grid, message, tiny_mnist_dir, tmp_path):
    values = {"widths": (16,), "depths": (1,), "activations": ("relu",)} | grid
    with pytest.raises(ValueError, match=message):
        run_study(tmp_path / "study", Grid(**values), TrainConfig(momentum=0.0),
                  data_dir=tiny_mnist_dir)  # fmt: skip
    assert not (tmp_path / "study").exists()


def test_data_too_small_for_the_split_is_refused_before_any_run(tiny_mnist_dir, tmp_path, capsys):
    code = cli.main(["ablate", "--widths", "16", "--depths", "1", "--train-size", "1900",
                     "--data-dir", str(tiny_mnist_dir), "--out", str(tmp_path / "s")])  # fmt: skip
    assert code == 2 and not (tmp_path / "s").exists()
    assert "val_size + train_size must be <= 2000 (the mnist training images), got 5000 + 1900" in (
        capsys.readouterr().err
    )


def test_grid_file_flags_and_presets_combine_in_order(tmp_path):
    (tmp_path / "grid.toml").write_text(
        'widths = [8, 32]\nactivations = ["tanh"]\nseeds = 2\n[base]\nepochs = 3\nlr = 0.01\n'
    )
    (tmp_path / "config.toml").write_text("epochs = 7\nbatch_size = 64\n")
    grid, base = resolve_study("default", tmp_path / "grid.toml", tmp_path / "config.toml",
                               {"seeds": 4}, {"lr": 0.02})  # fmt: skip
    assert (grid.widths, grid.depths, grid.activations, grid.seeds) == ((8, 32), (1, 2, 3, 4),
                                                                        ("tanh",), 4)  # fmt: skip
    assert (base.epochs, base.batch_size, base.lr, base.train_size) == (3, 64, 0.02, 10_000)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("widths = [8]\nlr = 0.1\n", r"unknown key 'lr'; valid keys: .* \(TrainConfig keys go in the \[base\] table\)"),
        ("[base]\nhidden = [8]\n", r"\[base\] must not set hidden or activation"),
        ("[base]\nlearning_rate = 1\n", r"unknown key 'learning_rate'"),
        ("widths = [8\n", r"not a valid TOML grid file"),
    ],
)  # fmt: skip
def test_bad_grid_files_are_refused(tmp_path, text, message):
    (tmp_path / "grid.toml").write_text(text)
    with pytest.raises(ValueError, match=message):
        load_grid(tmp_path / "grid.toml")


def test_a_grid_of_numpy_numbers_is_a_grid_of_python_numbers():
    grid = Grid(widths=np.array([16, 32]), depths=[np.int64(1)], activations=["relu"],
                lrs=[np.float32(0.5)], seeds=np.int64(2)).validate()  # fmt: skip
    assert grid.to_dict() == json.loads(json.dumps(grid.to_dict()))
    assert grid.widths == (16, 32) and type(grid.seeds) is int and grid.lrs == (0.5,)


grid_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.floats() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=2)
    ),
    max_leaves=6,
)
GRID_KEYS = ["widths", "depths", "activations", "optimizers", "lrs", "seeds", "base", "width"]
BASE_KEYS = ["epochs", "lr", "hidden", "dataset", "batch_size", "schedule", "typo"]


@settings(max_examples=150, deadline=None)
@given(
    top=st.dictionaries(st.sampled_from(GRID_KEYS), grid_values, max_size=3),
    base=st.dictionaries(st.sampled_from(BASE_KEYS), grid_values, max_size=3),
)
def test_any_grid_file_is_a_valid_study_or_one_error_naming_what_is_wrong(
    top, base, tmp_path_factory
):
    path = tmp_path_factory.mktemp("grid") / "grid.toml"
    lines = [f"{k} = {json.dumps(v)}" for k, v in top.items() if k != "base" or not base]
    lines += ["[base]", *(f"{k} = {json.dumps(v)}" for k, v in base.items())] if base else []
    path.write_text("\n".join(lines) + "\n")
    try:
        grid, config = resolve_study("default", path)
    except ValueError as error:
        assert "\n" not in str(error)
    else:
        assert grid.points(config) and json.dumps(grid.to_dict())  # runnable, and recordable


def test_a_study_on_a_data_file_is_refused_before_anything_runs(tmp_path):
    (tmp_path / "config.toml").write_text(f'data = "{tmp_path / "t.csv"}"\n')
    with pytest.raises(ValueError, match="an ablation study runs on a registered data set"):
        resolve_study("default", config_file=tmp_path / "config.toml")
