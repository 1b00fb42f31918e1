import json

import numpy as np
import pytest
from cli_runner import run

import numpynn as nn
from numpynn import cli


def test_train_writes_the_run_directory_and_evaluate_reloads_it(tmp_path, tiny_mnist_dir, capsys):
    out = tmp_path / "run"
    code, stdout, _ = run(
        capsys, "train", "--data-dir", str(tiny_mnist_dir), "--hidden", "32", "--epochs", "2",
        "--val-size", "200", "--lr", "0.003", "--batch-size", "128", "--schedule", "constant",
        "--out", str(out), "--quiet",
    )  # fmt: skip
    assert code == 0
    assert {"config.toml", "history.csv", "history.json", "metrics.json", "model.npz"} <= {
        p.name for p in out.iterdir()
    }
    assert "epoch 1/2" in stdout and "test accuracy" in stdout
    metrics = json.loads((out / "metrics.json").read_text())
    assert {"test_accuracy", "test_loss", "epochs", "train_seconds", "parameters"} <= set(metrics)
    assert metrics["epochs"] == 2 and metrics["parameters"] == 784 * 32 + 32 + 32 * 10 + 10
    assert metrics["test_accuracy"] > 0.8  # chance is 0.1
    assert len((out / "history.csv").read_text().splitlines()) == 3

    code, stdout, _ = run(capsys, "evaluate", str(out), "--data-dir", str(tiny_mnist_dir), "--json")
    assert code == 0 and json.loads(stdout)["test_accuracy"] == metrics["test_accuracy"]
    code, stdout, _ = run(
        capsys, "evaluate", str(out / "model.npz"), "--data-dir", str(tiny_mnist_dir)
    )
    assert code == 0 and f"test accuracy {metrics['test_accuracy']:.2%}" in stdout


def test_config_file_is_rerun_and_flags_override_it(tmp_path, tiny_mnist_dir, capsys):
    first, second = tmp_path / "a", tmp_path / "b"
    common = ["--data-dir", str(tiny_mnist_dir), "--val-size", "100", "--quiet"]
    run(capsys, "train", *common, "--hidden", "16", "--epochs", "1", "--out", str(first))
    code, _, _ = run(
        capsys,
        "train",
        *common,
        "--config",
        str(first / "config.toml"),
        "--seed",
        "3",
        "--out",
        str(second),
    )
    assert code == 0
    config = (second / "config.toml").read_text()
    assert "hidden = [16]" in config and "seed = 3" in config and "epochs = 1" in config


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


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["train", "--lr", "-1"], "argument --lr: must be a number > 0, got -1"),
        (["train", "--epochs", "0"], "argument --epochs: must be an integer >= 1, got 0"),
        (["train", "--hidden", "256,x"], "argument --hidden: must be comma-separated widths"),
        (["train", "--activation", "rleu"], "argument --activation: invalid choice: 'rleu'"),
        (["train", "--optimizer", "adagrad"], "argument --optimizer: invalid choice"),
        (["train", "--learning-rate", "0.1"], "unrecognized arguments: --learning-rate"),
        (["train", "--epoch", "3"], "unrecognized arguments: --epoch"),  # no prefix matching
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (["train", "--lr", "0"], "argument --lr: must be a number > 0, got 0"),
        (["train", "--optimizer", "nesterov", "--momentum", "0"], "SGD: nesterov needs momentum > 0"),
        (["train", "--momentum", "1"], "argument --momentum: must be a number in [0, 1), got 1"),
        (["train", "--momentum", "0.9"], "optimizer 'adam' takes no option 'momentum'"),
        (["train", "--schedule", "linear"], "argument --schedule: invalid choice: 'linear'"),
        (["train", "--weight-decay", "-1"], "argument --weight-decay: must be a number >= 0"),
        (["train", "--clip-norm", "0"], "argument --clip-norm: must be a number > 0, got 0"),
        (["train", "--gamma", "0.5"], "gamma applies to the step and exponential schedules"),
        (["train", "--warmup-epochs", "5"], "warmup_epochs must be an integer in [0, epochs=5)"),
        (["optimizers", "--epochs", "0"], "argument --epochs: must be an integer >= 1, got 0"),
    ],
)  # fmt: skip
def test_usage_errors_exit_2_with_one_line_naming_the_flag(argv, message, capsys):
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("error: ") and message in err
    assert "Traceback" not in err


def test_bad_config_file_is_a_usage_error(tmp_path, capsys):
    (tmp_path / "c.toml").write_text("lr = -3.0\n")
    code, _, err = run(capsys, "train", "--config", str(tmp_path / "c.toml"))
    assert code == 2 and "lr must be a number > 0, got -3.0" in err
    (tmp_path / "c.toml").write_text('schedule = "linear"\n')
    code, _, err = run(capsys, "train", "--config", str(tmp_path / "c.toml"))
    assert code == 2 and err.count("\n") == 1
    assert "schedule must be one of: constant, cosine, exponential, step; got 'linear'" in err


def test_runtime_errors_exit_1_with_one_clear_line(tmp_path, capsys):
    code, _, err = run(capsys, "train", "--data-dir", str(tmp_path), "--out", str(tmp_path / "r"))
    assert code == 1 and err.count("\n") == 1 and str(tmp_path) in err
    code, _, err = run(capsys, "evaluate", str(tmp_path / "nothing"))
    assert code == 1 and "does not exist" in err
    with pytest.raises(FileNotFoundError):
        cli.main(["--debug", "evaluate", str(tmp_path / "nothing")])


COMMANDS = next(
    action.choices for action in cli.build_parser()._actions if action.dest == "command"
)


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_every_command_has_help_with_examples(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main([command, "--help"] if command else ["--help"])
    out = capsys.readouterr().out
    assert exit_info.value.code == 0 and f"examples:\n  numpynn {command}" in out
    if command == "gradcheck":
        assert "numpynn gradcheck --all" in out


def test_data_info_says_where_mnist_is(mnist_dir, capsys, monkeypatch):
    monkeypatch.setenv("NUMPYNN_DATA", str(mnist_dir.parent))
    code, out, _ = run(capsys, "data", "info")
    assert code == 0 and f"mnist: found in {mnist_dir}" in out
    code, out, _ = run(capsys, "data", "info", "--data-dir", "/nonexistent")
    assert "mnist: missing (looked in /nonexistent)" in out


def test_train_with_optimizer_schedule_and_clipping_flags(tmp_path, tiny_mnist_dir, capsys):
    out = tmp_path / "run"
    code, stdout, _ = run(
        capsys, "train", "--data-dir", str(tiny_mnist_dir), "--hidden", "32", "--epochs", "4",
        "--val-size", "200", "--optimizer", "nesterov", "--lr", "0.05", "--momentum", "0.8",
        "--weight-decay", "1e-4", "--schedule", "step", "--gamma", "0.5", "--step-size", "1",
        "--warmup-epochs", "1", "--clip-norm", "2", "--batch-size", "128", "--out", str(out), "--quiet",
    )  # fmt: skip
    assert code == 0
    assert "SGD(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.0001)" in stdout
    assert "gradients clipped to norm 2" in stdout
    config = (out / "config.toml").read_text()
    for line in ('optimizer = "nesterov"', "momentum = 0.8", 'schedule = "step"', "warmup_epochs = 1",
                 "gamma = 0.5", "step_size = 1", "clip_norm = 2.0"):  # fmt: skip
        assert line in config
    rows = [line.split(",") for line in (out / "history.csv").read_text().splitlines()]
    lrs = [float(row[rows[0].index("lr")]) for row in rows[1:]]
    assert lrs == [0.025, 0.05, 0.025, 0.0125]
    assert json.loads((out / "metrics.json").read_text())["test_accuracy"] > 0.8
