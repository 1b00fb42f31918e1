"""numpynn train, evaluate and predict: the run directory, --config and flags, --resume's rules,
and classifying a person's own images."""

import json

import numpy as np
import pytest
from cli_runner import run
from figures import png_size

import numpynn as nn
from numpynn import cli
from numpynn.runs.config import TrainConfig


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


def test_resume_refuses_flags_that_differ_from_the_run(reference_run, capsys):
    default_lr = str(TrainConfig().lr)  # the run's lr: the same value is not a difference
    code = cli.main(["train", "--resume", str(reference_run), "--hidden", "32", "--lr", default_lr])
    err = capsys.readouterr().err
    assert code == 2
    assert "differ from the run's config in hidden (run: [64], flag: [32])" in err
    assert "lr" not in err.split("config in")[1]  # the same value is not a difference


@pytest.fixture(scope="module")
def trained_model_file(tmp_path_factory, mnist):
    """A decent model (one epoch on all of MNIST, ~97%): a weak one would be fragile to any change."""
    x_train, y_train, _, _ = mnist
    model = nn.mlp([784, 128, 10], seed=0)
    nn.fit(
        model, nn.SoftmaxCrossEntropy(), nn.Adam(model.parameters()), (x_train, y_train), epochs=1
    )
    path = tmp_path_factory.mktemp("model") / "model.npz"
    nn.save(model, path)
    return path


def test_predict_on_enlarged_mnist_digits_agrees_with_the_originals(
    trained_model_file, mnist, tmp_path, capsys
):
    from PIL import Image

    model = nn.load(trained_model_file)
    x_test = mnist[2][:200]
    expected = model.predict(x_test)
    paths = []
    for i, x in enumerate(x_test):
        pixels = (x.reshape(28, 28) * 255).astype(np.uint8)
        if i % 2:  # half of them dark ink on white paper, in colour, as a phone photo would be
            pixels = 255 - pixels
        image = Image.fromarray(pixels).resize((140, 140), Image.Resampling.BILINEAR)
        path = tmp_path / f"digit{i}.{'jpg' if i % 3 == 0 else 'png'}"
        (image.convert("RGB") if i % 2 else image).save(path, quality=95)
        paths.append(str(path))
    assert cli.main(["predict", str(trained_model_file), *paths, "--show"]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if not line.startswith("  ")]
    predicted = [int(line.split(": ")[1].split(" ")[0]) for line in lines]
    agreement = np.mean(np.array(predicted) == expected)
    assert agreement >= 0.95, agreement
    width, height = png_size(tmp_path / "digit0.seen.png")  # the image beside the 28x28 input
    assert width > 1.5 * height > 300


def test_predict_rejects_blank_and_non_image_files(trained_model_file, tmp_path, capsys):
    from PIL import Image

    Image.new("L", (50, 50), 255).save(tmp_path / "blank.png")
    (tmp_path / "notes.png").write_text("not an image")
    assert cli.main(["predict", str(trained_model_file), str(tmp_path / "blank.png")]) == 1
    assert "the image is blank" in capsys.readouterr().err
    assert cli.main(["predict", str(trained_model_file), str(tmp_path / "notes.png")]) == 1
    assert "cannot read it as an image" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: nn.mlp([784, 8, 10], seed=0), "the weights dense0.W hold nan; a run that diverged"),
        (lambda: nn.mlp([784, 8, 20], seed=0), "the model has 20 outputs but the data set has 10 classes"),
        (lambda: nn.mlp([100, 8, 10], seed=0), r"expects input of shape \(N, 100\), got \(1, 784\); was it trained on another data set"),
    ],
)  # fmt: skip
def test_a_model_that_cannot_be_right_is_not_evaluated(
    build, message, tmp_path, tiny_mnist_dir, capsys
):
    model = build()
    if "nan" in message:
        model[0].W.value[0, 0] = np.nan
    nn.save(model, tmp_path / "model.npz")
    code, _, err = run(capsys, "evaluate", tmp_path / "model.npz", "--data-dir", tiny_mnist_dir)
    assert code == 1 and err.count("\n") == 1 and message.split(";")[0].replace("\\", "") in err
    code, _, err = run(capsys, "predict", tmp_path / "model.npz", tmp_path / "model.npz")
    assert code == 1 and "model.npz: " in err
