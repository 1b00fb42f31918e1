"""A training run: reproducible, resumed bit-identically after SIGINT, SIGTERM or SIGKILL, early
stopping, diagnostics and their warnings, and a NaN that stops the run but keeps its last good
checkpoint."""

import json
import random
import re
import signal
import time

import numpy as np
import pytest
from cli_runner import run
from figures import PNG
from train_process import assert_same_run, finish, resume, start_train, wait_for_line

import numpynn as nn
from numpynn import training
from numpynn.runs import train_run
from numpynn.runs.checkpoints import (
    load_checkpoint_model,
)
from numpynn.runs.config import TrainConfig


def test_same_seed_twice_gives_identical_history_and_weights(tmp_path, tiny_mnist_dir, capsys):
    runs = []
    for name in ("a", "b"):
        out = tmp_path / name
        run(capsys, "train", "--data-dir", str(tiny_mnist_dir), "--hidden", "20", "--dropout", "0.2",
            "--epochs", "2", "--val-size", "100", "--out", str(out), "--quiet")  # fmt: skip
        rows = [line.rsplit(",", 1)[0] for line in (out / "history.csv").read_text().splitlines()]
        runs.append((rows, nn.load(out / "model.npz")))
    assert runs[0][0] == runs[1][0]  # every column but the last, `seconds`
    for p, q in zip(runs[0][1].parameters(), runs[1][1].parameters(), strict=True):
        np.testing.assert_array_equal(p.value, q.value)


def test_train_size_trains_on_the_first_images_of_the_shuffled_split(tiny_mnist_dir, tmp_path):
    from numpynn.runs import train_run

    lines = []
    config = TrainConfig(hidden=[8], epochs=1, val_size=400, train_size=300)
    metrics = train_run(
        config, tmp_path / "run", data_dir=tiny_mnist_dir, figures=False, log=lines.append
    )
    assert "300 training / 400 validation images" in lines[0]
    assert len(nn.load(tmp_path / "run" / "model.npz").parameters()) == 4 and metrics["epochs"] == 1
    too_many = TrainConfig(hidden=[8], epochs=1, val_size=400, train_size=1601)
    with pytest.raises(
        ValueError,
        match=r"train_size must be <= 1600 \(the mnist training images left after holding out val_size = 400\), got 1601; lower train_size",
    ):
        train_run(too_many, tmp_path / "big", data_dir=tiny_mnist_dir, log=lines.append)


@pytest.mark.parametrize("after_epoch", [1, 2])
def test_sigint_at_a_random_batch_then_resume_is_bit_identical(
    reference_run, tiny_mnist_dir, tmp_path, after_epoch
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
    assert_same_run(reference_run, out)


def test_sigkill_between_epochs_then_resume_is_bit_identical(
    reference_run, tiny_mnist_dir, tmp_path
):
    out = tmp_path / "run"
    process = start_train(tiny_mnist_dir, out, "--epochs", "6")
    wait_for_line(process, "epoch 1/6")  # printed after the epoch's checkpoint is saved
    process.kill()
    finish(process)
    resume(tiny_mnist_dir, out)
    assert_same_run(reference_run, out)


# distortions, and a learning rate high enough that patience runs out after epoch 3: epoch 4
# anneals and the run stops there
AUGMENTED = ["--augment", "elastic", "--patience", "1", "--lr", "0.05"]


@pytest.fixture(scope="module")
def augmented_reference(tmp_path_factory, tiny_mnist_dir):
    out = tmp_path_factory.mktemp("augmented") / "run"
    code, err = finish(start_train(tiny_mnist_dir, out, "--epochs", "6", *AUGMENTED))
    assert code == 0, err
    return out


@pytest.mark.parametrize("signal_to_send", [signal.SIGINT, signal.SIGKILL])
def test_augmentation_and_annealing_resume_bit_identically(
    augmented_reference, tiny_mnist_dir, tmp_path, signal_to_send
):
    """The distortions of each batch and the annealed learning rates come back exactly: both are
    functions of (seed, epoch, batch) and of the history, not of a generator's state."""
    out = tmp_path / "run"
    process = start_train(tiny_mnist_dir, out, "--epochs", "6", *AUGMENTED)
    wait_for_line(process, "epoch 1/6")
    time.sleep(random.Random(signal_to_send).uniform(0, 0.05))
    process.send_signal(signal_to_send)
    finish(process)
    resume(tiny_mnist_dir, out)
    assert_same_run(augmented_reference, out)
    lr = [float(line.split(",")[5]) for line in (out / "history.csv").read_text().splitlines()[1:]]
    cosine_then_annealed = [0.05, 0.04665, 0.0375, 0.0375 / 2]
    assert lr == pytest.approx(cosine_then_annealed, rel=1e-3)


def test_sigterm_also_stops_cleanly(tiny_mnist_dir, tmp_path):
    process = start_train(tiny_mnist_dir, tmp_path / "run", "--epochs", "300")
    wait_for_line(process, "epoch   1/300")
    process.send_signal(signal.SIGTERM)
    code, message = finish(process)
    assert code == 130 and "resume with: numpynn train --resume" in message


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sigkill_at_a_random_moment_then_resume_or_restart_is_bit_identical(
    reference_run, tiny_mnist_dir, tmp_path, seed
):
    """Killed anywhere (loading the data, writing the config, mid-save, mid-epoch), the run is
    either resumed or, if it had not written its config yet, started again with the same
    command; either way it ends as the run that was never stopped."""
    out = tmp_path / "run"
    process = start_train(tiny_mnist_dir, out, "--epochs", "6")
    time.sleep(random.Random(seed).uniform(0, 3))
    process.kill()
    finish(process)
    if (out / "config.toml").exists():
        resume(tiny_mnist_dir, out)
    else:
        assert not out.exists() or [p.name for p in out.iterdir()] == [".lock"]
        assert finish(start_train(tiny_mnist_dir, out, "--epochs", "6"))[0] == 0
    assert_same_run(reference_run, out)


def test_a_run_stopped_before_its_first_checkpoint_resumes_from_the_beginning(
    reference_run, tiny_mnist_dir, tmp_path, capsys
):
    out = tmp_path / "run"
    out.mkdir()
    for name in ("config.toml", "manifest.json"):  # written; then the run was killed
        (out / name).write_bytes((reference_run / name).read_bytes())
    code, stdout, _ = run(capsys, "train", "--resume", out, "--data-dir", tiny_mnist_dir, "--quiet")
    assert (
        code == 0
        and "stopped before its first checkpoint: starting it from the beginning" in stdout
    )
    assert_same_run(reference_run, out)
    code, stdout, _ = run(capsys, "train", "--resume", out, "--data-dir", tiny_mnist_dir)
    assert code == 0 and "is finished already: nothing to resume" in stdout


def test_two_processes_never_write_one_run_directory(tiny_mnist_dir, tmp_path, capsys):
    out = tmp_path / "run"
    process = start_train(tiny_mnist_dir, out, "--epochs", "300")
    try:
        wait_for_line(process, "epoch   1/300")
        code, _, err = run(capsys, "train", "--resume", out, "--data-dir", tiny_mnist_dir)
        assert code == 1 and f"is being written by process {process.pid}" in err
        before = {p.name for p in (out / "checkpoints").iterdir()}
        assert ".lock" in {p.name for p in out.iterdir()} and before
    finally:
        process.send_signal(signal.SIGTERM)
        assert finish(process)[0] == 130  # stopped cleanly, its checkpoint saved


def test_a_changed_config_toml_is_refused_on_resume_naming_what_changed(
    reference_run, tiny_mnist_dir, tmp_path, capsys
):
    import shutil

    out = tmp_path / "run"
    shutil.copytree(reference_run, out)
    (out / "metrics.json").unlink()  # as if stopped after its last checkpoint
    config = (out / "config.toml").read_text()
    (out / "config.toml").write_text(config.replace("batch_size = 16", "batch_size = 32"))
    code, _, err = run(capsys, "train", "--resume", out, "--data-dir", tiny_mnist_dir)
    assert code == 1 and err.count("\n") == 1
    assert (
        "config.toml changed since this checkpoint was saved, in batch_size (checkpoint: 16, now: 32)"
        in err
    )


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
    ran_out = training._anneal_start(history, 3)  # patience ran out here; 3 annealing epochs follow
    assert ran_out is not None and len(history) == ran_out + 3 < 50
    for p, kept in zip(model.parameters(), snapshots[best], strict=True):
        np.testing.assert_array_equal(p.value, kept)


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
    (tmp_path / "run" / "metrics.json").unlink()  # as if killed after its last checkpoint
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


def test_test_every_epoch_records_labelled_test_columns_without_changing_training(
    tmp_path, tiny_mnist_dir, capsys
):
    flags = ["--data-dir", tiny_mnist_dir, "--hidden", "16", "--epochs", "2", "--quiet",
             "--split", "ordered", "--val-size", "500"]  # fmt: skip
    run(capsys, "train", *flags, "--out", tmp_path / "plain")
    code, out, _ = run(capsys, "train", *flags, "--test-every-epoch", "--out", tmp_path / "watched")
    assert code == 0 and "test acc" in out
    plain, watched = (
        nn.history.read_history(tmp_path / name).rows for name in ("plain", "watched")
    )
    assert "test_accuracy" not in plain[0]
    assert [set(row) - set(plain[0]) for row in watched] == [{"test_loss", "test_accuracy"}] * 2
    for a, b in zip(plain, watched):  # watching the test set changes nothing else
        assert {k: v for k, v in a.items() if k != "seconds"} == {
            k: v for k, v in b.items() if k not in ("seconds", "test_loss", "test_accuracy")
        }
    metrics = json.loads((tmp_path / "watched" / "metrics.json").read_text())
    assert watched[-1]["test_accuracy"] == metrics["test_accuracy"]


def test_an_ordered_split_validates_on_the_last_training_images(tmp_path, tiny_mnist_dir):
    config = TrainConfig(hidden=[8], epochs=1, val_size=300, split="ordered").validate()
    from numpynn.runs.run import prepare_run

    setup = prepare_run(config, tiny_mnist_dir)
    x = nn.data.read_idx(tiny_mnist_dir / "train-images-idx3-ubyte")
    assert len(setup.val[0]) == 300 and len(setup.train[0]) == 1700
    np.testing.assert_array_equal(setup.val[0] * 255, x[-300:].reshape(300, -1).astype(np.float32))
    np.testing.assert_array_equal(setup.train[0][:5] * 255, x[:5].reshape(5, -1).astype(np.float32))
