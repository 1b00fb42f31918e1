"""The run report: valid figures, report.md with metrics, config and per-class precision and recall,
the history it keeps, and redrawing and overlaying runs."""

import csv
import json

import pytest
from figures import png_size

from numpynn import cli


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


def test_plot_redraws_one_run_and_compares_several_without_touching_them(
    run_dir, tiny_mnist_dir, tmp_path, capsys
):
    (run_dir / "curves.png").unlink()
    assert cli.main(["plot", str(run_dir), "--data-dir", str(tiny_mnist_dir)]) == 0
    assert png_size(run_dir / "curves.png")  # one run: its figures drawn again
    before = {p.name: p.stat().st_mtime_ns for p in run_dir.iterdir()}
    out = tmp_path / "comparison.png"
    assert cli.main(["plot", str(run_dir), str(run_dir), "--out", str(out)]) == 0
    assert {p.name: p.stat().st_mtime_ns for p in run_dir.iterdir()} == before  # untouched
    assert png_size(out)
    rows = list(csv.DictReader((tmp_path / "comparison.csv").read_text().splitlines()))
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert [r["run"] for r in rows] == ["run", "run"] and rows[0]["epochs"] == "3"
    assert float(rows[0]["test_accuracy"]) == metrics["test_accuracy"]
    assert "| run | 3 |" in (tmp_path / "comparison.md").read_text()
    assert cli.main(["plot", str(tmp_path)]) == 1
    assert "a finished run directory?" in capsys.readouterr().err
    started = tmp_path / "started"  # a run stopped before its first epoch ended
    started.mkdir()
    (started / "history.json").write_text(json.dumps({"epochs": [], "batch_loss": [2.3]}))
    assert cli.main(["plot", str(run_dir), str(started), "--out", str(out)]) == 1
    assert "no epoch has finished yet" in capsys.readouterr().err
