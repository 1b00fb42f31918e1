"""numpynn broken-runs, and the broken runs the train command can express, through the real
`numpynn train --diagnostics`: the true cause is the first thing it says."""

import json

from cli_runner import run

SMALL = ("--train-size", "3000", "--val-size", "1000", "--epochs", "1", "--batch-size", "128")


def test_broken_runs_writes_the_catalogue_of_the_cases_named(tmp_path, mnist_dir, capsys):
    out = tmp_path / "broken"
    code, stdout, _ = run(capsys, "broken-runs", "unscaled-inputs", "--data-dir", mnist_dir,
                          "--out", out)  # fmt: skip
    assert code == 0, stdout
    assert stdout.startswith("yes  unscaled-inputs: WARN  inputs: the inputs are not scaled")
    assert "1 of 1 cases name the true cause first" in stdout
    (row,) = json.loads((out / "catalogue.json").read_text())
    assert row["match"] == "yes" and "divide by 255" in row["fix"]


def test_broken_runs_lists_its_cases_and_rejects_unknown_ones(tmp_path, capsys):
    code, stdout, _ = run(capsys, "broken-runs", "--list")
    assert code == 0 and len(stdout.splitlines()) == 8
    assert "deep-sigmoid       deep sigmoid network stuck at chance: --hidden 64,64,64,64" in stdout
    code, _, stderr = run(capsys, "broken-runs", "nope", "--out", tmp_path / "b")
    assert code == 2 and "unknown case 'nope'; choose from: lr-far-too-high" in stderr
    assert not (tmp_path / "b").exists()


def test_train_stops_a_loss_that_explodes_while_finite(tmp_path, mnist_dir, capsys):
    code, stdout, stderr = run(capsys, "train", *SMALL, "--optimizer", "sgd", "--lr", "10",
                               "--diagnostics", "--data-dir", mnist_dir, "--quiet",
                               "--out", tmp_path / "run")  # fmt: skip
    assert code == 1 and "warning" not in stdout
    assert (
        stderr.startswith("error: loss is ") and "training diverged; lower the learning" in stderr
    )


def test_train_diagnostics_warns_first_of_vanishing_gradients_in_a_deep_sigmoid(
    tmp_path, mnist_dir, capsys
):
    flags = ("--hidden", "64,64,64,64", "--activation", "sigmoid", "--optimizer", "sgd", "--lr",
             "0.1", "--diagnostics", "--data-dir", mnist_dir, "--quiet")  # fmt: skip
    code, stdout, _ = run(capsys, "train", *SMALL, *flags, "--out", tmp_path / "run")
    warnings = [line for line in stdout.splitlines() if line.startswith("warning: ")]
    assert code == 0 and warnings, stdout
    assert warnings[0].startswith("warning: gradients vanish toward the input")
    assert "use ReLU" in warnings[0]
