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


@pytest.mark.parametrize(
    ("grid", "message"),
    [
        ("widths = [8]\nbase = 3\n", "base must be a table ([base]) of train settings, got 3"),
        ("widths = [8]\n[base]\nlr = -1\n", "lr must be a finite number > 0, got -1"),
        ("widths = 8\n", "widths must be a non-empty list of integers >= 1, got 8"),
    ],
)
def test_bad_values_in_a_grid_file_are_usage_errors(tmp_path, capsys, grid, message):
    (tmp_path / "grid.toml").write_text(grid)
    code, _, err = run(capsys, "ablate", "--grid", tmp_path / "grid.toml", "--out", tmp_path / "s")
    assert code == 2 and err.count("\n") == 1 and message in err
    assert not (tmp_path / "s").exists()


def test_a_dask_scheduler_address_is_checked_and_an_unreachable_one_named(
    tmp_path, capsys, monkeypatch
):
    code, _, err = run(capsys, "ablate", "--scheduler", "notaurl", "--out", tmp_path / "s")
    assert code == 2 and "argument --scheduler: must be an address such as tcp://" in err
    pytest.importorskip("distributed")
    import distributed

    def refused(address, timeout):
        raise OSError(f"Timed out trying to connect to {address} after {timeout}")

    monkeypatch.setattr(distributed, "Client", refused)
    from numpynn.runs.config import TrainConfig
    from numpynn.runs.sweep import Task, run_tasks

    task = Task(TrainConfig(hidden=[8]), tmp_path / "run")
    with pytest.raises(
        RuntimeError, match="cannot reach the Dask scheduler at tcp://10.0.0.5:8786 .*Timed out"
    ):
        run_tasks([task], scheduler="tcp://10.0.0.5:8786", log=lambda _: None)
