"""Usage errors of perceptron and ablate; a study never writes into a folder that holds something else."""

import pytest
from cli_runner import run

from numpynn import cli


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--dataset", "cifar"], "argument --dataset: invalid choice: 'cifar'"),
        (["--epochs", "0"], "argument --epochs: must be an integer >= 1, got 0"),
        (["--margin", "0.7"], "--margin must be in (0, 0.5], got 0.7"),
        (["--dataset", "xor", "--margin", "0.1"], "--margin applies to --dataset blobs only"),
        (["--dataset", "xor", "--points", "3"], "--points must be an integer >= 4, got 3"),
        (["--points", "1"], "--points must be an integer >= 2, got 1"),
        (
            ["--dataset", "mnist", "--points", "10"],
            "--points applies to --dataset blobs or xor only",
        ),
        (["--data-dir", "/tmp"], "--data-dir applies to --dataset mnist only, got --dataset blobs"),
        (["--lr", "0"], "argument --lr: must be a number > 0, got 0"),
    ],
)
def test_usage_errors_exit_2_with_one_line(argv, message, capsys):
    code, _, err = run(capsys, "perceptron", *argv)
    assert code == 2 and err.count("\n") == 1 and message in err


def test_out_must_be_new_or_empty(tmp_path, capsys):
    (tmp_path / "taken.txt").write_text("x")
    code, _, err = run(capsys, "perceptron", "--out", str(tmp_path))
    assert code == 2 and "exists and is not empty; choose another folder" in err


def test_ablate_command_line_errors(capsys):
    assert cli.main(["ablate", "--hidden", "64"]) == 2
    assert (
        "--hidden is set by the grid; use --widths and --depths instead" in capsys.readouterr().err
    )
    assert cli.main(["ablate", "--depths", "1,x"]) == 2
    assert "must be comma-separated integers >= 1" in capsys.readouterr().err
