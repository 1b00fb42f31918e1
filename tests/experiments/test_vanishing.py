"""The vanishing-gradients study: sigmoid gradients shrink with depth, ReLU and tanh's do not."""

import csv

from cli_runner import run
from figures import PNG


def test_vanishing_shows_sigmoid_gradients_shrinking_with_depth(tmp_path, tiny_mnist_dir, capsys):
    out = tmp_path / "vanishing"
    code, stdout, _ = run(capsys, "vanishing", "--data-dir", tiny_mnist_dir, "--depths", "2,6",
                          "--steps", "30", "--batch-size", "32", "--quiet", "--out", out)  # fmt: skip
    assert code == 0 and "sigmoid, Xavier" in stdout
    with open(out / "accuracy.csv") as f:
        rows = {(r["activation"], int(r["depth"])): r for r in csv.DictReader(f)}
    assert len(rows) == 8
    ratio = {key: float(r["ratio_init"]) for key, r in rows.items()}
    assert ratio["sigmoid, Xavier", 6] < 1e-2 * ratio["sigmoid, Xavier", 2]  # shrinks with depth
    assert (
        ratio["sigmoid, Xavier", 6] < 1e-3
        and ratio["ReLU, He", 6] > 0.3
        and ratio["tanh, Xavier", 6] > 0.3
    )
    with open(out / "gradient_flow.csv") as f:
        flow = list(csv.DictReader(f))
    assert len(flow) == 2 * 4 * (3 + 7)  # stages x variants x layers of depths 2 and 6
    for name in ("gradient_flow.png", "accuracy.png"):
        assert (out / name).read_bytes()[:8] == PNG
    report = (out / "report.md").read_text()
    assert "![gradient norms by layer](gradient_flow.png)" in report and "| 6 |" in report
