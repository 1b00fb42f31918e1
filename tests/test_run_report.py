import json

import numpy as np
import pytest

import numpynn as nn
from numpynn import cli
from numpynn.metrics import confusion_matrix, precision_recall

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(path):
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE, f"{path} is not a PNG"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory, tiny_mnist_dir):
    out = tmp_path_factory.mktemp("runs") / "run"
    argv = ["train", "--data-dir", str(tiny_mnist_dir), "--hidden", "32", "--epochs", "3",
            "--val-size", "200", "--lr", "0.003", "--batch-size", "128", "--out", str(out), "--quiet"]  # fmt: skip
    assert cli.main(argv) == 0
    return out


@pytest.mark.parametrize("name", ["curves.png", "confusion.png", "mistakes.png", "weights.png"])
def test_every_run_draws_its_figures_as_valid_pngs(run_dir, name):
    width, height = png_size(run_dir / name)
    assert 400 <= width <= 2500 and 300 <= height <= 2500


def test_report_has_metrics_config_figures_and_per_class_precision_recall(run_dir):
    report = (run_dir / "report.md").read_text()
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert f"Test accuracy **{metrics['test_accuracy']:.2%}**" in report
    assert "| hidden | `[32]` |" in report
    for figure in ("curves.png", "confusion.png", "mistakes.png", "weights.png"):
        assert f"]({figure})" in report
    per_class = [
        line for line in report.splitlines() if line.startswith("| ") and line[2].isdigit()
    ]
    assert len(per_class) == 10 and sum(int(line.split("|")[4]) for line in per_class) == 500


def test_history_json_keeps_every_batch_loss(run_dir):
    history = json.loads((run_dir / "history.json").read_text())
    assert [row["epoch"] for row in history["epochs"]] == [1, 2, 3]
    assert len(history["batch_loss"]) == 3 * 15  # 1,800 images in batches of 128
    assert history["batch_loss"][-1] < history["batch_loss"][0]


def test_plot_redraws_and_overlays_several_runs(run_dir, tiny_mnist_dir, tmp_path, capsys):
    (run_dir / "curves.png").unlink()
    out = tmp_path / "comparison.png"
    argv = [
        "plot",
        str(run_dir),
        str(run_dir),
        "--out",
        str(out),
        "--data-dir",
        str(tiny_mnist_dir),
    ]
    assert cli.main(argv) == 0
    assert png_size(run_dir / "curves.png") and png_size(out)
    assert cli.main(["plot", str(tmp_path)]) == 1
    assert "a finished run directory?" in capsys.readouterr().err


def test_confusion_matrix_and_precision_recall_by_hand():
    counts = confusion_matrix(np.array([0, 0, 1, 1, 2]), np.array([0, 1, 1, 1, 0]), 3)
    np.testing.assert_array_equal(counts, [[1, 1, 0], [0, 2, 0], [1, 0, 0]])
    precision, recall = precision_recall(counts)
    np.testing.assert_allclose(precision[:2], [0.5, 2 / 3])
    np.testing.assert_allclose(recall, [0.5, 1.0, 0.0])
    assert np.isnan(precision[2])  # never predicted


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
    assert png_size(tmp_path / "digit0.seen.png") == (28, 28)


def test_predict_rejects_blank_and_non_image_files(run_dir, tmp_path, capsys):
    from PIL import Image

    Image.new("L", (50, 50), 255).save(tmp_path / "blank.png")
    (tmp_path / "notes.png").write_text("not an image")
    assert cli.main(["predict", str(run_dir), str(tmp_path / "blank.png")]) == 1
    assert "the image is blank" in capsys.readouterr().err
    assert cli.main(["predict", str(run_dir), str(tmp_path / "notes.png")]) == 1
    assert "cannot read it as an image" in capsys.readouterr().err
