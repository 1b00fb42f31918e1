"""The command line's policy: every command has --help with examples; a bad flag or value exits 2
with one line naming it; a failure exits 1 with one line; --debug shows the traceback."""

import pytest
from cli_runner import run

from numpynn import cli


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
        (["train", "--hidden", "1000000000"], "a network of 795,000,000,010 parameters, more than numpynn trains"),
        (["gradcheck", "--hidden", "100000,100000"], "more than numpynn trains (100,000,000"),
        (["train", "--dataset", "cifar"], "dataset must be one of: fashion-mnist, mnist; got 'cifar'"),
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
    assert code == 2 and "lr must be a finite number > 0, got -3.0" in err
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


def test_a_reader_that_stops_early_is_no_error():
    """`numpynn reproduce --list | head -1`: the closed pipe ends the command quietly, exit 0."""
    import subprocess
    import sys

    process = subprocess.Popen([sys.executable, "-m", "numpynn", "reproduce", "--list", "--json"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0)  # fmt: skip
    process.stdout.close()  # before numpynn writes: its print meets a pipe nobody reads
    _, err = process.communicate(timeout=60)
    assert process.returncode == 0 and b"Broken pipe" not in err, err


def test_version_answers(capsys):
    import numpynn

    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--version"])
    assert (
        exit_info.value.code == 0 and capsys.readouterr().out == f"numpynn {numpynn.__version__}\n"
    )
