"""The learning-rate range test: exponential growth, a suggestion, and a stop at divergence."""

import csv
import json

import numpy as np
import pytest
from cli_runner import run
from figures import PNG

import numpynn as nn


def tiny(data_dir, *flags):
    return ["--data-dir", data_dir, "--hidden", "32", "--val-size", "200", "--batch-size", "128",
            "--quiet", *flags]  # fmt: skip


def test_lr_find_writes_the_range_test_and_suggests_a_learning_rate(
    tmp_path, tiny_mnist_dir, capsys
):
    out = tmp_path / "lr"
    code, stdout, _ = run(capsys, "lr-find", *tiny(tiny_mnist_dir, "--hidden", "64"), "--optimizer",
                          "sgd", "--steps", "120", "--start-lr", "1e-5", "--out", out)  # fmt: skip
    assert code == 0 and "suggested learning rate" in stdout
    summary = json.loads((out / "lr_find.json").read_text())
    assert summary["suggested_lr"] == pytest.approx(summary["min_loss_lr"] / 10)
    assert 1e-3 < summary["suggested_lr"] < 1  # SGD on MNIST learns best around 0.01-0.5
    with open(out / "lr_find.csv") as f:
        rows = list(csv.DictReader(f))
    lrs = [float(r["lr"]) for r in rows]
    assert lrs[0] == pytest.approx(1e-5) and len(rows) == summary["steps"] <= 120
    ratios = np.diff(np.log(lrs))
    assert np.allclose(ratios, np.log(10 / 1e-5) / 119)  # exponential growth, one lr per batch
    assert (out / "lr_find.png").read_bytes()[:8] == PNG
    assert f"--lr {summary['suggested_lr']:.2g}" in (out / "report.md").read_text()


def test_lr_range_test_stops_when_the_loss_diverges():
    from numpynn.experiments.lr_find import lr_range_test

    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, 600)
    x = (3 * rng.standard_normal((3, 5))[labels] + rng.standard_normal((600, 5))).astype(np.float32)
    model = nn.mlp([5, 16, 3], seed=0)
    result = lr_range_test(model, nn.SoftmaxCrossEntropy(), nn.SGD(model.parameters(), lr=1.0),
                           (x, labels), start_lr=1e-4, end_lr=1e4, steps=200, rng=rng)  # fmt: skip
    assert len(result.lrs) < 200 and ("diverged" in result.stop or "became" in result.stop)
    assert min(result.smoothed) < 0.5 * result.smoothed[0]  # it learned on the way
    assert 1e-4 < result.steepest_lr <= result.min_lr < result.lrs[-1]
    with pytest.raises(ValueError, match="need 0 < start_lr < end_lr and steps >= 10"):
        lr_range_test(model, nn.SoftmaxCrossEntropy(), nn.SGD(model.parameters(), lr=1.0), (x, labels),
                      start_lr=1.0, end_lr=0.1, rng=rng)  # fmt: skip
