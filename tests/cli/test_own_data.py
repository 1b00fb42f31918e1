"""Your own data through the command line (``train --data``, ``evaluate``, ``predict`` on rows),
and class names where a person reads results: a Fashion-MNIST run names its clothes, and a model
is refused inputs of a kind it was not trained on."""

import json

import numpy as np
import pytest
from cli_runner import run
from figures import blank_png

import numpynn as nn
from numpynn.data import write_idx

SPECIES = ["setosa", "versicolor", "virginica"]
FAST = ("--hidden", "16", "--epochs", "30", "--batch-size", "16", "--quiet")


def flowers_csv(path, n: int = 150, seed: int = 0) -> None:
    """Three well separated classes of three features on very different scales."""
    rng = np.random.default_rng(seed)
    lines = ["sepal,petal,weight,species"]
    for i in range(n):
        c = i % 3
        x = rng.normal(3 * c, 0.5, 3) * [1, 10, 1000]
        lines.append(f"{x[0]:.4f},{x[1]:.4f},{x[2]:.2f},{SPECIES[c]}")
    path.write_text("\n".join(lines) + "\n")


@pytest.fixture
def flowers_run(tmp_path, capsys):
    flowers_csv(tmp_path / "flowers.csv")
    out = tmp_path / "run"
    code, stdout, err = run(
        capsys, "train", "--data", tmp_path / "flowers.csv", "--target", "species", "--out", out,
        *FAST,
    )  # fmt: skip
    assert code == 0, err
    return out, stdout


def test_train_on_a_csv_reports_evaluates_and_predicts_by_class_name(flowers_run, tmp_path, capsys):
    out, stdout = flowers_run
    assert "120 rows" not in stdout and "108 training / 12 validation rows" in stdout
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["test_accuracy"] > 0.9 and metrics["architecture"] == "3-16-3"
    report = (out / "report.md").read_text()
    assert "| 2 (virginica) |" in report and "inputs scaled: standard" in report
    assert "mistakes.png" not in report and not (out / "mistakes.png").exists()  # not images
    assert (out / "confusion.png").exists()
    data = json.loads((out / "data.json").read_text())
    assert data["class_names"] == SPECIES and data["source"]["target"] == "species"
    # the model file knows what it was trained on, without its run directory
    assert nn.saving.load_data_description(out / "model.npz") == data
    config = (out / "config.toml").read_text()  # what the run used, not a default it ignored
    assert 'standardize = "standard"' in config and "dataset" not in config

    code, stdout, _ = run(capsys, "plot", out)
    assert code == 0 and stdout == f"{out}: redrew curves.png, confusion.png, report.md\n"

    code, stdout, _ = run(capsys, "evaluate", out, "--json")
    result = json.loads(stdout)
    assert code == 0 and result["test_accuracy"] == metrics["test_accuracy"]
    assert [c["class"] for c in result["classes"]] == SPECIES
    assert sum(c["examples"] for c in result["classes"]) == result["rows"] == 30  # a fifth of 150

    rows = tmp_path / "new.csv"
    rows.write_text("sepal,petal,weight\n0.1,1,-50\n6.2,61,5900\n")
    code, stdout, _ = run(capsys, "predict", out / "model.npz", rows, tmp_path / "flowers.csv")
    lines = stdout.splitlines()
    assert code == 0 and lines[0].startswith(f"{rows} row 1: setosa (")
    assert lines[1].startswith(f"{rows} row 2: virginica (") and len(lines) == 2 + 150


def test_evaluate_refuses_a_data_file_that_changed_since_training(flowers_run, tmp_path, capsys):
    out, _ = flowers_run
    flowers_csv(tmp_path / "flowers.csv", seed=1)
    code, _, err = run(capsys, "evaluate", out)
    assert code == 1 and "flowers.csv changed since the model was trained on it" in err
    (tmp_path / "flowers.csv").write_text("renamed,columns,all\n1,2,3\n")  # unreadable now
    code, _, err = run(capsys, "evaluate", out)
    assert code == 1 and "flowers.csv changed since the model was trained on it" in err
    (tmp_path / "flowers.csv").unlink()
    code, _, err = run(capsys, "evaluate", out)
    assert "the model was trained on this file, which is gone; put it back" in err


def test_a_table_model_refuses_a_photo_and_a_digit_model_refuses_rows(
    flowers_run, tmp_path, capsys
):
    out, _ = flowers_run
    (tmp_path / "seven.png").write_bytes(blank_png(40, 40))
    code, _, err = run(capsys, "predict", out, tmp_path / "seven.png")
    assert code == 2 and "was trained on flowers.csv (rows of 3 features" in err
    assert "give CSV files of such rows, not" in err and err.count("\n") == 1
    nn.save(nn.mlp([784, 8, 10], seed=0), tmp_path / "digits.npz")  # a file without data
    code, _, err = run(capsys, "predict", tmp_path / "digits.npz", tmp_path / "flowers.csv")
    assert code == 2 and "images, not rows of a table like" in err
    assert "CSV rows are for a model trained with --data FILE.csv" in err
    assert "use an MNIST model" not in err  # it is one


def test_train_on_an_npz_with_its_own_test_set(tmp_path, capsys):
    rng = np.random.default_rng(0)
    y = np.arange(300) % 2 * 7 + 3  # labels 3 and 10: mapped to classes 0 and 1
    x = rng.normal(size=(300, 5)) + (y[:, None] == 10)
    np.savez(tmp_path / "d.npz", x=x[:240], y=y[:240], x_test=x[240:], y_test=y[240:])
    code, stdout, err = run(capsys, "train", "--data", tmp_path / "d.npz", "--out",
                            tmp_path / "run", "--standardize", "none", *FAST)  # fmt: skip
    assert code == 0, err
    assert "216 training / 24 validation rows" in stdout
    data = json.loads((tmp_path / "run" / "data.json").read_text())
    assert data["class_names"] == ["3", "10"] and data["scaling"] is None
    code, stdout, _ = run(capsys, "evaluate", tmp_path / "run")
    assert code == 0 and "on 60 d.npz test rows" in stdout and "  10  precision" in stdout


def test_dataset_and_data_together_is_a_usage_error(tmp_path, capsys):
    flowers_csv(tmp_path / "f.csv")
    code, _, err = run(capsys, "train", "--dataset", "mnist", "--data", tmp_path / "f.csv",
                       "--out", tmp_path / "run")  # fmt: skip
    assert code == 2 and "give --dataset or --data, not both" in err
    code, _, err = run(capsys, "train", "--data", tmp_path / "f.csv", "--augment", "shift",
                       "--out", tmp_path / "run", "--quiet")  # fmt: skip
    assert code == 1 and "distorts images, but f.csv holds rows of a table" in err
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize(
    ("content", "where"),
    [("a,b,c\n1,2,x\n3,4\n", "line 3 has 2 cells"),
     ("a,b,c\n1,nan,x\n3,4,y\n", "line 2, column 'b' (index 1): is NaN"),
     ("a,b,c\n1,2,x\n3,4,x\n", "single class")],
)  # fmt: skip
def test_a_malformed_csv_is_a_usage_error_and_writes_nothing(tmp_path, capsys, content, where):
    (tmp_path / "bad.csv").write_text(content)
    (tmp_path / "run").mkdir()
    code, stdout, err = run(capsys, "train", "--data", tmp_path / "bad.csv", "--out",
                            tmp_path / "run", "--quiet")  # fmt: skip
    assert code == 2 and err.startswith(f"error: {tmp_path / 'bad.csv'}: ") and where in err
    assert err.count("\n") == 1 and not list((tmp_path / "run").iterdir())
    assert (tmp_path / "bad.csv").read_text() == content


@pytest.fixture
def tiny_fashion_dir(tmp_path):
    """A Fashion-MNIST-shaped data set: 300 noisy 28x28 images of 10 classes."""
    rng = np.random.default_rng(0)
    folder = tmp_path / "fashion"
    folder.mkdir()
    for split, n in (("train", 300), ("t10k", 100)):
        labels = (np.arange(n) % 10).astype(np.uint8)
        images = rng.integers(0, 60, (n, 28, 28), dtype=np.uint8)
        images[np.arange(n), labels * 2, :] = 255  # a bright row tells the class
        write_idx(folder / f"{split}-images-idx3-ubyte", images)
        write_idx(folder / f"{split}-labels-idx1-ubyte", labels)
    return folder


def test_a_fashion_run_names_its_classes_and_refuses_a_digit_photo(
    tiny_fashion_dir, tmp_path, capsys
):
    out = tmp_path / "run"
    code, _, err = run(capsys, "train", "--dataset", "fashion-mnist", "--data-dir",
                       tiny_fashion_dir, "--val-size", "50", "--out", out, *FAST)  # fmt: skip
    assert code == 0, err
    report = (out / "report.md").read_text()
    assert "| 9 (Ankle boot) |" in report and "| 0 (T-shirt/top) |" in report
    assert (out / "mistakes.png").exists()
    code, stdout, _ = run(capsys, "evaluate", out, "--data-dir", tiny_fashion_dir)
    assert code == 0 and "  Ankle boot   precision" in stdout
    (tmp_path / "seven.png").write_bytes(blank_png(40, 40))
    code, _, err = run(capsys, "predict", out, tmp_path / "seven.png")
    assert code == 2 and "was trained on fashion-mnist (28x28 clothing images" in err
    assert "T-shirt/top" in err and "photo pipeline turns a photo into an MNIST digit" in err


def test_an_mnist_report_keeps_its_digits_as_they_were(tmp_path):
    from numpynn.runs.report import report_markdown

    counts = np.eye(10, dtype=np.int64) * 5
    text = report_markdown({"dataset": "mnist"}, {"architecture": "784-10", "test_accuracy": 1.0,
                           "test_loss": 0.0, "epochs": 1, "train_seconds": 1.0,
                           "parameters": 7850}, counts)  # fmt: skip
    assert "| 7 | 100.00% | 100.00% | 5 |" in text and "(7)" not in text


def test_a_run_from_before_the_data_were_recorded_still_evaluates_and_predicts(
    tmp_path, tiny_mnist_dir, capsys
):
    out = tmp_path / "run"
    code, _, err = run(capsys, "train", "--data-dir", tiny_mnist_dir, "--hidden", "8", "--epochs",
                       "1", "--val-size", "100", "--out", out, "--quiet")  # fmt: skip
    assert code == 0, err
    (out / "data.json").unlink()
    nn.save(nn.load(out / "model.npz"), out / "model.npz")  # no data in its header
    assert nn.saving.load_data_description(out / "model.npz") is None
    code, stdout, _ = run(capsys, "evaluate", out, "--data-dir", tiny_mnist_dir)
    assert code == 0 and "on 500 mnist test images" in stdout and "\n  9  precision" in stdout
    (tmp_path / "blank.png").write_bytes(blank_png(40, 40))
    code, _, err = run(capsys, "predict", out, tmp_path / "blank.png")
    assert code == 1 and "the image is blank" in err  # read as a digit photo, as before


def test_resume_refuses_a_data_file_that_changed_since_the_run_started(
    flowers_run, tmp_path, capsys
):
    out, _ = flowers_run
    (out / "metrics.json").unlink()  # as if it had stopped after its last checkpoint
    flowers_csv(tmp_path / "flowers.csv", seed=2)
    code, _, err = run(capsys, "train", "--resume", out, "--quiet")
    assert code == 1 and "flowers.csv (or its test file) changed since the run started" in err
    flowers_csv(tmp_path / "flowers.csv")  # the file as it was: the run finishes
    code, _, err = run(capsys, "train", "--resume", out, "--dataset", "fashion-mnist", "--quiet")
    assert code == 2 and "the flags differ from the run's config in dataset" in err
    code, _, err = run(capsys, "train", "--resume", out, "--quiet")
    assert code == 0 and (out / "metrics.json").exists(), err


def test_a_broken_data_file_is_a_usage_error_whether_or_not_val_size_is_given(tmp_path, capsys):
    (tmp_path / "bad.csv").write_text("a,b,y\n1,2,0\n3,x,1\n")
    for extra in ((), ("--val-size", "0")):
        code, _, err = run(capsys, "train", "--data", tmp_path / "bad.csv", *extra, "--out",
                           tmp_path / "run", *FAST)  # fmt: skip
        assert code == 2 and "bad.csv: line 3, column 'b'" in err, err
        assert not (tmp_path / "run").exists()
