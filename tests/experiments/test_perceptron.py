"""The perceptron study: blobs within Novikoff's bound, XOR beside an MLP that solves it, MNIST;
its option rules."""

import csv
import json

import pytest
from cli_runner import run
from figures import PNG

import numpynn as nn
from numpynn.data import make_xor
from numpynn.experiments.perceptron import perceptron_run, train_xor_mlp


def read_rows(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def assert_pngs(folder, names):
    for name in names:
        data = (folder / name).read_bytes()
        assert data.startswith(PNG) and len(data) > 10_000, name


def test_blobs_run_converges_within_the_bound_and_draws_each_epoch(tmp_path, capsys):
    out = tmp_path / "blobs"
    code, stdout, _ = run(capsys, "perceptron", "--dataset", "blobs", "--out", str(out), "--quiet")
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "boundaries.png",
        "metrics.json",
        "mistakes.csv",
        "mistakes_per_epoch.png",
    ]
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["converged"] and metrics["train_accuracy"] == 1.0 and metrics["within_bound"]
    assert 0 < metrics["mistakes"] <= metrics["novikoff_bound"]
    rows = read_rows(out / "mistakes.csv")
    assert list(rows[0]) == ["epoch", "mistakes", "train_accuracy", "seconds"]
    assert len(rows) == metrics["epochs_run"] and rows[-1]["mistakes"] == "0"
    assert sum(int(row["mistakes"]) for row in rows) == metrics["mistakes"]
    assert "epoch   1/100  mistakes" in stdout and "Novikoff's bound" in stdout
    assert f"converged after {metrics['epochs_run']} epochs" in stdout
    assert_pngs(out, ["boundaries.png", "mistakes_per_epoch.png"])


def test_xor_run_shows_the_perceptron_failing_and_the_mlp_succeeding(tmp_path, capsys):
    out = tmp_path / "xor"
    code, stdout, _ = run(
        capsys, "perceptron", "--dataset", "xor", "--pocket", "--out", str(out), "--quiet"
    )
    assert code == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["variant"] == "pocket" and metrics["points"] == 4
    assert not metrics["converged"] and metrics["train_accuracy"] == 0.75
    assert metrics["mlp_train_accuracy"] == 1.0
    assert all(int(row["mistakes"]) > 0 for row in read_rows(out / "mistakes.csv"))
    assert (
        "did not converge after 20 epochs" in stdout
        and "classifies 100% of the XOR points" in stdout
    )
    assert_pngs(out, ["xor.png", "mistakes_per_epoch.png"])


def test_mnist_run_reports_test_accuracy(tmp_path, tiny_mnist_dir, capsys):
    out = tmp_path / "mnist"
    code, stdout, _ = run(capsys, "perceptron", "--dataset", "mnist", "--averaged", "--epochs", "2",
                          "--data-dir", str(tiny_mnist_dir), "--out", str(out), "--quiet")  # fmt: skip
    assert code == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["epochs_run"] == 2 and metrics["variant"] == "averaged"
    assert metrics["test_accuracy"] > 0.8  # chance is 0.1
    assert f"test accuracy {metrics['test_accuracy']:.2%}" in stdout
    assert_pngs(out, ["mistakes_per_epoch.png", "weights.png"])


@pytest.mark.parametrize("seed", range(4))
def test_a_two_layer_mlp_solves_xor(seed):
    x, y = make_xor()
    _, accuracy = train_xor_mlp(x, y, seed=seed)
    assert accuracy == 1.0
    net, accuracy = train_xor_mlp(*make_xor(200, seed=seed), seed=seed)
    assert accuracy == 1.0 and isinstance(net, nn.Sequential)


@pytest.mark.parametrize(
    ("dataset", "options", "message"),
    [
        ("xor", {"margin": 0.1}, "margin applies to dataset blobs only, got dataset xor"),
        ("mnist", {"points": 10}, "points applies to dataset blobs or xor only"),
        ("blobs", {"data_dir": "/tmp"}, "data_dir applies to dataset mnist only"),
        ("xor", {"points": 3}, "points must be an integer >= 4, got 3"),
        ("xor", {"points": "7"}, "points must be an integer >= 4, got '7'"),
        ("blobs", {"points": 1}, "points must be an integer >= 2, got 1"),
        ("blobs", {"margin": 0.7}, r"margin must be in \(0, 0.5\], got 0.7"),
        ("iris", {}, "dataset must be one of: blobs, mnist, xor; got 'iris'"),
    ],
)
def test_the_python_api_refuses_what_the_command_line_refuses_before_writing(
    tmp_path, dataset, options, message
):
    with pytest.raises(ValueError, match=f"^perceptron_run: {message}"):
        perceptron_run(dataset, tmp_path / "out", log=lambda _: None, **options)
    assert not (tmp_path / "out").exists()
