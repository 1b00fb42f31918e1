"""Usage errors of diagnose, lr-find, vanishing and gradcheck."""

import pytest
from cli_runner import run


@pytest.mark.parametrize(
    ("flags", "message"),
    [(["--start-lr", "1", "--end-lr", "0.1"], "--start-lr must be below --end-lr, got 1 and 0.1"),
     (["--steps", "5"], "--steps: must be an integer >= 10, got 5")],
)  # fmt: skip
def test_lr_find_rejects_bad_ranges(tmp_path, capsys, flags, message):
    code, _, err = run(capsys, "lr-find", *flags, "--out", tmp_path / "x")
    assert code == 2 and message in err


def test_vanishing_rejects_a_budget_larger_than_the_data(tmp_path, tiny_mnist_dir, capsys):
    code, _, err = run(capsys, "vanishing", "--data-dir", tiny_mnist_dir, "--steps", "500",
                       "--out", tmp_path / "v")  # fmt: skip
    assert code == 2 and "steps x batch_size must be at most the 2000 training images" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--all", "--activation", "relu"],
            "--all checks every activation, loss and depth; drop --activation",
        ),
        (["--all", "--config", "x.toml"], "drop --config or drop --all"),
        (["--eps", "0"], "argument --eps: must be a number in (0, 1), got 0"),
        (["--max-coords", "0"], "argument --max-coords: must be an integer >= 1, got 0"),
        (["--threshold", "1"], "argument --threshold: must be a number in (0, 1), got 1"),
        (["--loss", "hinge"], "argument --loss: invalid choice: 'hinge'"),
    ],
)
def test_gradcheck_usage_errors(argv, message, capsys):
    code, _, err = run(capsys, "gradcheck", *argv)
    assert code == 2 and message in err and "Traceback" not in err
    assert err.count("\n") == 1
