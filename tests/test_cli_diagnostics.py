"""train --diagnostics, the NaN guard of a run, numpynn diagnose, lr-find and vanishing."""

import csv
import json
import re

import numpy as np
import pytest
from cli_runner import run

import numpynn as nn
from numpynn import training
from numpynn.checkpoint import load_checkpoint_model
from numpynn.config import TrainConfig
from numpynn.runs import train_run

PNG = b"\x89PNG\r\n\x1a\n"


def tiny(data_dir, *flags):
    return ["--data-dir", data_dir, "--hidden", "32", "--val-size", "200", "--batch-size", "128",
            "--quiet", *flags]  # fmt: skip


def test_train_diagnostics_records_statistics_and_draws_them(tmp_path, tiny_mnist_dir, capsys):
    out = tmp_path / "run"
    code, stdout, _ = run(capsys, "train", *tiny(tiny_mnist_dir, "--epochs", "2", "--lr", "0.003"),
                          "--diagnostics", "--out", out)  # fmt: skip
    assert code == 0 and "warning" not in stdout
    header = (out / "history.csv").read_text().splitlines()[0].split(",")
    assert header[:7] == ["epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "lr", "seconds"]  # fmt: skip
    assert header[7:] == ["dense0.act_mean", "dense0.act_std", "dense0.dead", "dense0.weight_norm",
                          "dense0.grad_norm", "dense0.update_ratio", "dense1.weight_norm",
                          "dense1.grad_norm", "dense1.update_ratio"]  # fmt: skip
    rows = json.loads((out / "history.json").read_text())["epochs"]
    assert len(rows) == 2 and all(0 < r["dense0.grad_norm"] < 10 for r in rows)
    assert (out / "diagnostics.png").read_bytes()[:8] == PNG
    assert json.loads((out / "warnings.json").read_text()) == []
    report = (out / "report.md").read_text()
    assert "## Diagnostics" in report and "No warnings" in report and "](diagnostics.png)" in report
    assert "| dense0 |" in report and "update ratio" in report

    (out / "diagnostics.png").unlink()
    code, _, _ = run(capsys, "plot", out, "--data-dir", tiny_mnist_dir)
    assert code == 0 and (out / "diagnostics.png").exists()
    plain = tmp_path / "plain"
    run(capsys, "train", *tiny(tiny_mnist_dir, "--epochs", "1"), "--out", plain)
    assert (
        not (plain / "diagnostics.png").exists()
        and "Diagnostics" not in (plain / "report.md").read_text()
    )


def test_train_diagnostics_warns_and_collects_the_warnings(tmp_path, tiny_mnist_dir, capsys):
    out = tmp_path / "run"
    code, stdout, _ = run(capsys, "train", *tiny(tiny_mnist_dir, "--epochs", "1"), "--activation",
                          "tanh", "--optimizer", "sgd", "--lr", "10", "--diagnostics", "--out", out)  # fmt: skip
    assert code == 0
    assert "warning: the learning rate lr=10 is too high: one step changes" in stdout
    warnings = {w["name"]: w for w in json.loads((out / "warnings.json").read_text())}
    assert {"lr-too-high", "saturated-units"} <= set(warnings)
    report = (out / "report.md").read_text()
    assert f"- **lr-too-high** (epoch 1): {warnings['lr-too-high']['message']}" in report
    assert "*lower the learning rate, e.g. --lr 1," in report


def test_resuming_cannot_add_diagnostics_halfway(tmp_path, tiny_mnist_dir):
    config = TrainConfig(hidden=[16], epochs=1, val_size=100)
    train_run(config, tmp_path / "run", data_dir=tiny_mnist_dir, log=lambda _: None)
    with pytest.raises(
        ValueError, match="has no diagnostics in its history; statistics cannot start halfway"
    ):
        train_run(config, tmp_path / "run", data_dir=tiny_mnist_dir, resume=True, diagnostics=True,
                  log=lambda _: None)  # fmt: skip


@pytest.mark.slow
def test_a_healthy_default_run_raises_no_warning(tmp_path, mnist_dir, capsys):
    """The default recipe (784-256-128-10 ReLU, Adam 1e-3, batch 128) on all of MNIST, 3 epochs."""
    out = tmp_path / "default"
    code, stdout, _ = run(capsys, "train", "--data-dir", mnist_dir, "--epochs", 3, "--diagnostics",
                          "--quiet", "--out", out)  # fmt: skip
    assert code == 0 and "warning" not in stdout
    assert json.loads((out / "warnings.json").read_text()) == []
    assert json.loads((out / "metrics.json").read_text())["test_accuracy"] > 0.96


def test_a_diverging_run_stops_with_a_clear_error_and_keeps_its_last_good_checkpoint(
    tmp_path, tiny_mnist_dir, capsys, monkeypatch
):
    # make the run diverge in its second epoch: from step 20 (of 15 per epoch), lr = 1e30
    step = training.train_step

    def diverging_step(model, loss_fn, optimizer, *args, **kwargs):
        if optimizer.t >= 20:
            optimizer.lr = 1e30
        return step(model, loss_fn, optimizer, *args, **kwargs)

    monkeypatch.setattr(training, "train_step", diverging_step)
    out = tmp_path / "run"
    flags = tiny(tiny_mnist_dir, "--optimizer", "sgd", "--lr", "0.05", "--epochs", "3")
    code, stdout, err = run(capsys, "train", *flags, "--out", out)
    assert code == 1 and "epoch 1/3" in stdout and "epoch 2/3" not in stdout
    assert err.count("\n") == 1, err  # one line
    assert err.startswith("error: loss is nan at epoch 2, batch ")
    assert re.search(r"\(lr=[-+.e\d]+\): the weights dense\d\.[Wb] hold nan after the last update; "
                     r"lower the learning rate \(try a tenth\)", err)  # fmt: skip
    assert err.rstrip().endswith(
        f"the last checkpoint with finite weights, after epoch 1, is {out / 'checkpoints' / 'last.json'}"
    )

    monkeypatch.setattr(training, "train_step", step)
    kept = load_checkpoint_model(out / "checkpoints" / "last.json")
    assert all(np.isfinite(p.value).all() for p in kept.parameters())
    one_epoch = tmp_path / "one-epoch"  # the same run stopped after epoch 1 has the same weights
    assert run(capsys, "train", *flags[:-1], "1", "--out", one_epoch)[0] == 0
    for p, q in zip(kept.parameters(), nn.load(one_epoch / "model.npz").parameters(), strict=True):
        np.testing.assert_array_equal(p.value, q.value)
    code, stdout, _ = run(
        capsys, "evaluate", out / "checkpoints" / "last.json", "--data-dir", tiny_mnist_dir
    )
    assert code == 0 and "test accuracy" in stdout


def test_a_run_diverging_in_its_first_epoch_has_no_checkpoint_to_keep(
    tmp_path, tiny_mnist_dir, capsys
):
    code, _, err = run(capsys, "train", *tiny(tiny_mnist_dir, "--optimizer", "sgd", "--lr", "1e30"),
                       "--out", tmp_path / "run")  # fmt: skip
    assert code == 1 and err.count("\n") == 1
    assert err.startswith(
        ("error: loss is nan at epoch 1, batch ", "error: loss is inf at epoch 1, batch ")
    )
    assert "(lr=1e+30)" in err and err.rstrip().endswith(
        "no epoch finished, so there is no checkpoint"
    )


# ---- numpynn diagnose ---------------------------------------------------------------------------


def test_diagnose_passes_the_default_network(tmp_path, mnist_dir, capsys):
    out = tmp_path / "diagnose"
    code, stdout, _ = run(capsys, "diagnose", "--data-dir", mnist_dir, "--quiet", "--out", out)
    lines = [line for line in stdout.splitlines() if line[:4] in ("PASS", "WARN", "FAIL")]
    assert code == 0, stdout
    assert len(lines) == 7 and all(line.startswith("PASS") for line in lines), stdout
    for check in ("loss at initialization", "overfit one batch of 32 images: 100% accuracy",
                  "gradcheck of a tiny copy (784-16-16-10 relu", "one epoch on 10000 images",
                  "gradient flow", "learning rate (update/weight ratio)", "dead ReLUs"):  # fmt: skip
        assert check in stdout
    assert "7 checks: 7 PASS" in stdout
    checks = json.loads((out / "checks.json").read_text())
    assert [c["status"] for c in checks] == ["PASS"] * 7
    assert "| PASS | loss at initialization |" in (out / "report.md").read_text()


def test_diagnose_names_a_broken_learning_rate(tmp_path, mnist_dir, capsys):
    code, stdout, _ = run(capsys, "diagnose", "--data-dir", mnist_dir, "--lr", "50", "--quiet",
                          "--out", tmp_path / "d")  # fmt: skip
    assert code == 1
    failed = [line for line in stdout.splitlines() if line.startswith("FAIL")]
    assert failed and failed[0].startswith("FAIL  overfit one batch of 32 images: only")
    assert "→ the learning rate lr=50 is too high: try --lr 5" in stdout
    assert "WARN  one epoch on 10000 images: the training loss rose" in stdout
    assert "PASS  gradcheck" in stdout  # the backward passes are fine; the settings are not


def test_diagnose_warns_about_vanishing_gradients(tmp_path, tiny_mnist_dir, capsys):
    code, stdout, _ = run(capsys, "diagnose", "--data-dir", tiny_mnist_dir, "--hidden", "32,32,32,32,32,32",
                          "--activation", "sigmoid", "--optimizer", "sgd", "--lr", "0.1", "--val-size",
                          "200", "--quiet", "--out", tmp_path / "d")  # fmt: skip
    assert "WARN  gradient flow: gradients vanish toward the input" in stdout
    assert "use ReLU or leaky ReLU with He initialization" in stdout and code == 1


# ---- numpynn lr-find ----------------------------------------------------------------------------


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


@pytest.mark.parametrize(
    ("flags", "message"),
    [(["--start-lr", "1", "--end-lr", "0.1"], "--start-lr must be below --end-lr, got 1 and 0.1"),
     (["--steps", "5"], "--steps: must be an integer >= 10, got 5")],
)  # fmt: skip
def test_lr_find_rejects_bad_ranges(tmp_path, capsys, flags, message):
    code, _, err = run(capsys, "lr-find", *flags, "--out", tmp_path / "x")
    assert code == 2 and message in err


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


# ---- numpynn vanishing --------------------------------------------------------------------------


def test_vanishing_shows_sigmoid_gradients_shrinking_with_depth(tmp_path, tiny_mnist_dir, capsys):
    out = tmp_path / "vanishing"
    code, stdout, _ = run(capsys, "vanishing", "--data-dir", tiny_mnist_dir, "--depths", "2,6",
                          "--steps", "30", "--batch-size", "32", "--quiet", "--out", out)  # fmt: skip
    assert code == 0 and "sigmoid, Xavier" in stdout
    with open(out / "accuracy.csv") as f:
        rows = {(r["activation"], int(r["depth"])): r for r in csv.DictReader(f)}
    assert len(rows) == 8
    ratio = {key: float(r["ratio_init"]) for key, r in rows.items()}
    assert ratio["sigmoid, Xavier", 6] < 1e-2 * ratio["sigmoid, Xavier", 2]  # shrinks with depth
    assert (
        ratio["sigmoid, Xavier", 6] < 1e-3
        and ratio["ReLU, He", 6] > 0.3
        and ratio["tanh, Xavier", 6] > 0.3
    )
    with open(out / "gradient_flow.csv") as f:
        flow = list(csv.DictReader(f))
    assert len(flow) == 2 * 4 * (3 + 7)  # stages x variants x layers of depths 2 and 6
    for name in ("gradient_flow.png", "accuracy.png"):
        assert (out / name).read_bytes()[:8] == PNG
    report = (out / "report.md").read_text()
    assert "![gradient norms by layer](gradient_flow.png)" in report and "| 6 |" in report


def test_vanishing_rejects_a_budget_larger_than_the_data(tmp_path, tiny_mnist_dir, capsys):
    code, _, err = run(capsys, "vanishing", "--data-dir", tiny_mnist_dir, "--steps", "500",
                       "--out", tmp_path / "v")  # fmt: skip
    assert code == 2 and "steps x batch_size must be at most the 2000 training images" in err
