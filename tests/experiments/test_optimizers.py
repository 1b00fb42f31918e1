"""The optimizers study: the problem each optimizer addresses, on 2-D surfaces and on MNIST."""

import csv

import numpy as np
import pytest

from numpynn import cli
from numpynn.data import load_mnist
from numpynn.experiments.optimizers import (
    LRS,
    SURFACES,
    best_runs,
    compare_on_mnist,
    descend,
    steps_to_minimum,
    sweep,
)

QUADRATIC = SURFACES["quadratic"]


def test_on_the_ill_conditioned_quadratic_momentum_and_adam_beat_sgd_at_their_best_lr():
    rows = sweep(QUADRATIC, ["sgd", "momentum", "adam"], lrs=LRS[::2], steps=300)
    best = best_runs(rows)
    steps = {name: row["steps_to_minimum"] for name, row in best.items()}
    assert steps["sgd"] is not None  # SGD gets there too, only slower
    assert steps["momentum"] < steps["sgd"] and steps["adam"] < steps["sgd"]
    # SGD's best lr is the largest stable one, just under 2 / (largest curvature = 50)
    assert best["sgd"]["lr"] < 2 / 50 < min(r["lr"] for r in rows if r["optimizer"] == "sgd" and r["diverged"])  # fmt: skip


def test_the_sweep_flags_divergence_and_runs_that_never_arrive():
    rows = sweep(QUADRATIC, ["sgd"], lrs=[1e-4, 0.03, 0.05], steps=300)
    slow, good, diverged = rows
    assert slow["steps_to_minimum"] is None and not slow["diverged"]  # stable, too slow
    assert good["steps_to_minimum"] is not None and good["final_distance"] <= 1e-3
    assert diverged["diverged"] and diverged["steps_to_minimum"] is None  # lr > 2/50
    assert best_runs(rows)["sgd"] is good
    assert best_runs([slow, diverged])["sgd"] is slow  # nobody arrived: the closest finish


def test_steps_to_minimum_counts_from_where_the_path_stays_close():
    path = np.array([[3.0, 0.0], [0.0, 0.0005], [0.5, 0.0], [0.0, 0.0002], [0.0, 0.0001]])
    assert steps_to_minimum(QUADRATIC, path) == 3  # step 1 passed through, step 2 left again
    assert steps_to_minimum(QUADRATIC, path[:3]) is None
    saddle = SURFACES["saddle"]
    assert steps_to_minimum(saddle, np.array([[0.0, 0.0], [0.0, -1.0]])) == 1  # either minimum


def test_descend_records_the_path_and_stops_when_it_diverges():
    path = descend(QUADRATIC, "sgd", lr=0.01, steps=5)
    assert path.shape == (6, 2) and tuple(path[0]) == QUADRATIC.start
    # plain gradient descent on ½(x² + 50y²): x ← 0.99·x, y ← 0.5·y
    np.testing.assert_allclose(path[1], [-4.0 * 0.99, 1.0 * 0.5])
    exploded = descend(QUADRATIC, "sgd", lr=1.0, steps=100)
    assert len(exploded) < 101 and not np.abs(exploded[-1]).sum() < 1e6


def test_mnist_comparison_starts_every_optimizer_from_the_same_weights_and_batches(mnist_dir):
    x, y, x_test, y_test = load_mnist(mnist_dir, download=False, progress=False)
    train, val, test = (
        (x[:1000], y[:1000]),
        (x[1000:1300], y[1000:1300]),
        (x_test[:300], y_test[:300]),
    )
    results = compare_on_mnist(train, val, test, {"sgd": 0.1, "adam": 1e-3}, hidden=(32,),
                               epochs=2, log=lambda line: None)  # fmt: skip
    sgd, adam = results["sgd"]["history"], results["adam"]["history"]
    assert sgd.batch_loss[0] == adam.batch_loss[0]  # same weights, same first batch
    assert sgd.batch_loss[1] != adam.batch_loss[1]  # then each optimizer's own step
    assert results["adam"]["optimizer"] == "Adam(lr=0.001, betas=(0.9, 0.999))"
    assert results["adam"]["test"]["accuracy"] > 0.4 and results["adam"]["epochs_to_97"] is None


def test_the_optimizers_command_writes_figures_tables_and_report(tmp_path, tiny_mnist_dir, capsys):
    out = tmp_path / "study"
    argv = ["optimizers", "--quick", "--data-dir", str(tiny_mnist_dir), "--val-size", "500",
            "--epochs", "2", "--out", str(out), "--quiet"]  # fmt: skip
    assert cli.main(argv) == 0
    files = {p.name for p in out.iterdir()}
    assert files == {
        "report.md", "sweep.csv", "trajectories.csv", "mnist.csv", "mnist_history.csv",
        "trajectories.png", "descent_losses.png", "mnist_curves.png",
    }  # fmt: skip
    for name in ("trajectories.png", "descent_losses.png", "mnist_curves.png"):
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert (out / name).stat().st_size < 200_000
    with open(out / "mnist.csv") as f:
        mnist = list(csv.DictReader(f))
    assert [r["optimizer"] for r in mnist] == ["sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw"]  # fmt: skip
    assert all(0.5 < float(r["test_accuracy"]) <= 1 for r in mnist)
    with open(out / "trajectories.csv") as f:
        best = list(csv.DictReader(f))
    assert {(r["function"], r["optimizer"]) for r in best} == {
        (s, o) for s in SURFACES for o in ["sgd", "momentum", "nesterov", "rmsprop", "adam"]
    }
    report = (out / "report.md").read_text()
    for figure in ("trajectories.png", "descent_losses.png", "mnist_curves.png"):
        assert f"]({figure})" in report
    assert "| quadratic | momentum |" in report and "| adamw | 0.001 |" in report
    assert "part 2: MNIST, 1500 training / 500 validation images" in capsys.readouterr().out
    assert cli.main(argv) == 2  # the run directory is not overwritten


@pytest.mark.parametrize("surface", SURFACES.values(), ids=list(SURFACES))
def test_each_surface_gradient_matches_finite_differences(surface):
    rng = np.random.default_rng(0)
    for x, y in rng.uniform(-1.5, 1.5, (5, 2)):
        h = 1e-6
        numeric = [
            (surface.f(x + h, y) - surface.f(x - h, y)) / (2 * h),
            (surface.f(x, y + h) - surface.f(x, y - h)) / (2 * h),
        ]
        np.testing.assert_allclose(surface.grad(x, y), numeric, rtol=1e-6, atol=1e-6)
        assert surface.f(*surface.minima[0]) == pytest.approx(surface.f_min)
        np.testing.assert_allclose(surface.grad(*surface.minima[0]), [0, 0], atol=1e-12)
